package api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/protocol"
)

// Timeouts bound how long a request may hold the server's memory and a connection. The server's
// own ReadHeaderTimeout and IdleTimeout (app) cover the rest; WebSocket upgrades are left alone:
// a socket keeps deadlines of its own (realtime).
type Timeouts struct {
	// MinBodyRate is the slowest a request body may arrive, in bytes per second, once
	// BodyGrace has passed: a body must have arrived by BodyGrace + bytes/MinBodyRate. A client
	// that trickles an upload (a slow loris) is cut off instead of holding a 5 MiB part buffer.
	MinBodyRate int64
	BodyGrace   time.Duration
	// Write bounds writing a response that is not streamed; a streamed one (a proxied download)
	// gets Write plus bytes/MinBodyRate, extended as it goes.
	Write time.Duration
}

// DefaultTimeouts are the server's: 32 KiB/s after 10 s (a 5 MiB upload within 170 s), 30 s to
// write an answer (docs/operations.md).
var DefaultTimeouts = Timeouts{MinBodyRate: 32 << 10, BodyGrace: 10 * time.Second, Write: 30 * time.Second}

// deadlines sets a request's read deadline by the body's progress and its write deadline.
func deadlines(t Timeouts) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			rc := http.NewResponseController(c.Response().Writer)
			if websocket.IsWebSocketUpgrade(r) {
				// A socket keeps deadlines of its own; a kept-alive connection's earlier request
				// must not leave it one.
				_ = rc.SetWriteDeadline(time.Time{})
				return next(c)
			}
			start := time.Now()
			_ = rc.SetWriteDeadline(start.Add(t.Write))
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = &paced{ReadCloser: r.Body, rc: rc, t: t, start: start}
				_ = rc.SetReadDeadline(start.Add(t.BodyGrace))
			}
			return next(c)
		}
	}
}

// paced moves a body's read deadline as its bytes arrive.
type paced struct {
	io.ReadCloser
	rc    *http.ResponseController
	t     Timeouts
	start time.Time
	read  int64
}

func (p *paced) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	p.read += int64(n)
	if n > 0 {
		due := p.start.Add(p.t.BodyGrace + rateTime(p.read, p.t.MinBodyRate))
		_ = p.rc.SetReadDeadline(due)
		_ = p.rc.SetWriteDeadline(due.Add(p.t.Write)) // the answer comes after the body
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, protocol.New(protocol.BadRequest, "the request body arrived slower than %d bytes/s", p.t.MinBodyRate)
	}
	return n, err
}

// rateTime is how long n bytes take at rate bytes per second.
func rateTime(n, rate int64) time.Duration {
	return time.Duration(float64(n) / float64(rate) * float64(time.Second))
}

// streamWriter extends a streamed response's write deadline as its bytes go out: Write plus
// the time its bytes take at MinBodyRate.
type streamWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	t     Timeouts
	start time.Time
	sent  int64
}

func newStreamWriter(w http.ResponseWriter, t Timeouts) *streamWriter {
	return &streamWriter{ResponseWriter: w, rc: http.NewResponseController(w), t: t, start: time.Now()}
}

func (s *streamWriter) Write(b []byte) (int, error) {
	_ = s.rc.SetWriteDeadline(s.start.Add(s.t.Write + rateTime(s.sent+int64(len(b)), s.t.MinBodyRate)))
	n, err := s.ResponseWriter.Write(b)
	s.sent += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (s *streamWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// streamed serves h (the embedded store's downloads) with the deadlines of a streamed response.
func streamed(h http.Handler, t Timeouts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(newStreamWriter(w, t), r)
	})
}

// stallGuard cancels a proxied download whose source (the S3 store) sent nothing for t.Write.
type stallGuard struct {
	io.Reader
	timer *time.Timer
	idle  time.Duration
}

func newStallGuard(r io.Reader, idle time.Duration, cancel func()) *stallGuard {
	return &stallGuard{Reader: r, timer: time.AfterFunc(idle, cancel), idle: idle}
}

func (g *stallGuard) Read(b []byte) (int, error) {
	n, err := g.Reader.Read(b)
	if n > 0 {
		g.timer.Reset(g.idle)
	}
	return n, err
}

// stop ends the guard once the copy is over.
func (g *stallGuard) stop() { g.timer.Stop() }
