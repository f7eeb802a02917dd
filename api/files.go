package api

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
)

type fileHandlers struct {
	files    *files.Service
	timeouts Timeouts
}

func (h fileHandlers) routes(g *echo.Group) {
	g.GET("/files", h.list)
	g.PUT("/files/:scope/*", h.upload)
	g.GET("/files/:scope/*", h.download)
	g.DELETE("/files/:scope/*", h.remove)
}

// widgetHeader names the calling widget on REST (PROTOCOL.md §1); files.DefaultWidget without it.
const widgetHeader = "X-Widget-Id"

// requester is who asks: the caller, in the route's room, from the widget X-Widget-Id names (or
// the token's widget claim: widgetOf).
func requester(c echo.Context) (files.Requester, error) {
	widget, err := widgetOf(c, c.Request().Header.Get(widgetHeader))
	return files.Requester{Caller: callerOf(c), Room: c.Param("room"), Widget: widget}, err
}

// fileRef reads the scope, path and ?widget= of a request.
func fileRef(c echo.Context) (files.Ref, error) {
	path, err := wildcard(c)
	if err != nil {
		return files.Ref{}, err
	}
	return files.Ref{Scope: files.Scope(c.Param("scope")), Widget: c.QueryParam("widget"), Path: path}, nil
}

// fileRequest reads who asks, and for which file.
func fileRequest(c echo.Context) (files.Requester, files.Ref, error) {
	who, err := requester(c)
	if err != nil {
		return files.Requester{}, files.Ref{}, err
	}
	ref, err := fileRef(c)
	return who, ref, err
}

func (h fileHandlers) upload(c echo.Context) error {
	who, ref, err := fileRequest(c)
	if err != nil {
		return err
	}
	r := c.Request()
	f, err := h.files.Upload(r.Context(), who, ref,
		r.Body, r.Header.Get(echo.HeaderContentType), r.ContentLength)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

// download answers 302 to a presigned URL, the URL as JSON (?redirect=false), or the bytes
// themselves (?proxy=true).
func (h fileHandlers) download(c echo.Context) error {
	who, ref, err := fileRequest(c)
	if err != nil {
		return err
	}
	proxy, err := boolParam(c, "proxy", false)
	if err != nil {
		return err
	}
	redirect, err := boolParam(c, "redirect", true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if proxy {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		body, f, err := h.files.Open(ctx, who, ref)
		if err != nil {
			return err
		}
		defer body.Close()
		source := newStallGuard(body, h.timeouts.Write, cancel)
		defer source.stop()
		hdr := c.Response().Header()
		untrustedContent(hdr)
		hdr.Set(echo.HeaderContentType, f.ContentType)
		hdr.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
		hdr.Set("ETag", f.ETag)
		c.Response().WriteHeader(http.StatusOK)
		_, err = io.Copy(newStreamWriter(c.Response(), h.timeouts), source)
		return err // the status is sent: a failure now can only cut the body short
	}
	u, expires, err := h.files.Presign(ctx, who, ref)
	if err != nil {
		return err
	}
	if !redirect {
		return c.JSON(http.StatusOK, protocol.FileURL{URL: u, ExpiresAt: protocol.Time{Time: expires}})
	}
	return c.Redirect(http.StatusFound, u)
}

// untrustedContent sets the headers under which uploaded bytes are served from the API's own
// origin: never sniffed into another type, and sandboxed, so an uploaded HTML page runs no script
// with the API's origin.
func untrustedContent(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
}

// UntrustedContent wraps a handler serving uploaded bytes (the embedded store's downloads) with
// the headers of untrustedContent.
func UntrustedContent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		untrustedContent(w.Header())
		next.ServeHTTP(w, r)
	})
}

func (h fileHandlers) remove(c echo.Context) error {
	who, ref, err := fileRequest(c)
	if err != nil {
		return err
	}
	if err := h.files.Delete(c.Request().Context(), who, ref); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// list answers a scope's files from the database; scope defaults to self.
func (h fileHandlers) list(c echo.Context) error {
	scope := c.QueryParam("scope")
	if scope == "" {
		scope = string(files.ScopeSelf)
	}
	who, err := requester(c)
	if err != nil {
		return err
	}
	ref := files.Ref{Scope: files.Scope(scope), Widget: c.QueryParam("widget"), Path: c.QueryParam("prefix")}
	list, err := h.files.List(c.Request().Context(), who, ref)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, protocol.FileList{Files: list})
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string, def bool) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, protocol.New(protocol.BadRequest, "%s must be true or false, got %q", name, protocol.Clip(v))
	}
	return b, nil
}
