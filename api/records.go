package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/schema"
)

type recordHandlers struct{ records *records.Service }

func (h recordHandlers) routes(g *echo.Group) {
	g.GET("/collections/:collection/records", h.list)
	g.POST("/collections/:collection/records", h.create)
	g.GET("/collections/:collection/records/:id", h.get)
	g.PUT("/collections/:collection/records/:id", h.put)
	g.DELETE("/collections/:collection/records/:id", h.remove)
	g.GET("/schema", h.getSchema)
	g.PUT("/schema", h.putSchema)
}

func (h recordHandlers) list(c echo.Context) error {
	q := records.Query{
		Where:   jsonParam(c.QueryParam("where")),
		OrderBy: jsonParam(c.QueryParam("orderBy")),
		After:   c.QueryParam("after"),
	}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return protocol.New(protocol.BadRequest, "limit: must be a whole number from 1 to %d", records.MaxLimit)
		}
		q.Limit = n
	}
	page, err := h.records.Query(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("collection"), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func jsonParam(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func (h recordHandlers) create(c echo.Context) error {
	var body protocol.RecordCreate
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	r, err := h.records.Create(c.Request().Context(), callerOf(c), recordKey(c, body.ID), body.Data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (h recordHandlers) get(c echo.Context) error {
	r, err := h.records.Get(c.Request().Context(), callerOf(c), recordKey(c, c.Param("id")))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h recordHandlers) put(c echo.Context) error {
	var body protocol.RecordPut
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	ifVersion, err := ifMatch(c)
	if err != nil {
		return err
	}
	r, err := h.records.Put(c.Request().Context(), callerOf(c), recordKey(c, c.Param("id")),
		records.PutParams{Data: body.Data, Replace: body.Replace, IfVersion: ifVersion})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h recordHandlers) remove(c echo.Context) error {
	ifVersion, err := ifMatch(c)
	if err != nil {
		return err
	}
	if _, err := h.records.Remove(c.Request().Context(), callerOf(c), recordKey(c, c.Param("id")), records.RemoveParams{IfVersion: ifVersion}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// recordKey names the record id in the route's room and collection.
func recordKey(c echo.Context, id string) records.Key {
	return records.Key{Room: c.Param("room"), Collection: c.Param("collection"), ID: id}
}

// ifMatch reads If-Match: <version> (an ETag-style quoted version is accepted too) as ifVersion.
func ifMatch(c echo.Context) (*int64, error) {
	h := c.Request().Header.Get("If-Match")
	if h == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		return nil, protocol.New(protocol.BadRequest, "If-Match: want a record version number, got %q", h)
	}
	return &v, nil
}

func (h recordHandlers) getSchema(c echo.Context) error {
	if err := atLeast(c, access.Member, "reading the schema"); err != nil {
		return err
	}
	s, err := h.records.Schema(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	return schemaJSON(c, s)
}

// schemaJSON answers the schema document as given, or null in open mode.
func schemaJSON(c echo.Context, s *schema.Schema) error {
	raw := s.Raw()
	if raw == nil {
		raw = json.RawMessage("null")
	}
	return c.JSONBlob(http.StatusOK, raw)
}

func (h recordHandlers) putSchema(c echo.Context) error {
	var raw json.RawMessage
	if err := bindJSON(c, &raw); err != nil {
		return err
	}
	s, err := h.records.SetSchema(c.Request().Context(), callerOf(c), c.Param("room"), raw)
	if err != nil {
		return err
	}
	return schemaJSON(c, s)
}
