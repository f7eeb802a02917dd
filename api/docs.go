package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/realtime"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// docHandlers serve Yjs documents over REST (PROTOCOL.md §5, §6).
type docHandlers struct {
	hub     *realtime.Hub
	docs    *yjs.Docs
	records *records.Service // decides who may read a document (records.Service.DocAccess)
}

func (h docHandlers) routes(g *echo.Group) {
	g.GET("/docs/*", h.get)
	g.GET("/yjs/*", docSocketHandler(h.hub))
}

// get answers the whole document as one binary Yjs update.
func (h docHandlers) get(c echo.Context) error {
	name, err := docName(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	read, _, err := h.records.DocAccess(ctx, callerOf(c), c.Param("room"), name)
	if err != nil {
		return err
	}
	if !read {
		return protocol.New(protocol.Forbidden, "reading this document needs a higher role")
	}
	doc, err := h.docs.Load(ctx, c.Param("room"), name)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEOctetStream, doc)
}

// docName is the rest of the path after /docs/ or /yjs/, percent-decoded.
func docName(c echo.Context) (string, error) {
	name, err := wildcard(c)
	if err != nil {
		return "", err
	}
	if err := yjs.CheckDocName(name); err != nil {
		return "", err
	}
	return name, nil
}
