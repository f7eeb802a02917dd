// Package api serves RecordRoom's HTTP API with echo: routes, middleware, the error contract,
// health, readiness and metrics.
package api

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/realtime"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// Check is one readiness condition: nil when it holds.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config wires the API to the rest of the server.
type Config struct {
	Logger *slog.Logger
	// Registry collects the server's metrics; /metrics serves it.
	Registry *prometheus.Registry
	// Ready lists what /readyz checks (the database, the change listener).
	Ready []Check

	Verifier *auth.Verifier
	Members  *members.Service
	Records  *records.Service
	Files    *files.Service
	Docs     *yjs.Docs
	Hub      *realtime.Hub
	// FileStore, when set, serves presigned downloads under /s3/ (the embedded S3 store's
	// public side: its requests carry their own signature, no token).
	FileStore http.Handler
	// AllowOrigin decides which browser origins may call the API cross-origin (CORS). Nil sends
	// no CORS headers at all. The composition root fills it from RECORDROOM_CORS_ORIGINS and
	// development mode.
	AllowOrigin func(origin string) bool
	// AllowSocketOrigin, when set, decides which Origin may open a WebSocket (a request without
	// one, from a program rather than a page, may always); nil: any origin.
	AllowSocketOrigin func(origin string) bool
	// Timeouts bound slow requests and responses; the zero value means DefaultTimeouts.
	Timeouts Timeouts
	// TrustedProxies are the proxies whose X-Forwarded-For names the client (its address counts
	// against the per-address limits); none: the connection's own address, headers ignored.
	TrustedProxies []*net.IPNet
}

// FileStorePrefix is where Config.FileStore is mounted.
const FileStorePrefix = "/s3"

// New builds the HTTP handler.
func New(cfg Config) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	e.Use(middleware.RequestID())
	e.Use(requestLogger(cfg.Logger))
	e.Use(requestMetrics(cfg.Registry))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(unescapeParams)
	timeouts := cmp.Or(cfg.Timeouts, DefaultTimeouts)
	e.Use(deadlines(timeouts))
	if cfg.AllowOrigin != nil {
		e.Use(cors(cfg.AllowOrigin))
	}
	if cfg.AllowSocketOrigin != nil {
		e.Use(socketOrigin(cfg.AllowSocketOrigin))
	}

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, protocol.Health{Status: "ok"})
	})
	e.GET("/readyz", readyHandler(cfg.Ready, cfg.Logger))
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{})))
	e.GET("/openapi.json", serveOpenAPI)
	if cfg.FileStore != nil {
		store := echo.WrapHandler(streamed(UntrustedContent(cfg.FileStore), timeouts))
		e.GET(FileStorePrefix+"/*", store)
		e.HEAD(FileStorePrefix+"/*", store)
	}

	room := e.Group("/v1/rooms/:room", roomAuth(cfg.Verifier, cfg.Members))
	recordHandlers{records: cfg.Records}.routes(room)
	memberHandlers{members: cfg.Members}.routes(room)
	teamHandlers{members: cfg.Members}.routes(room)
	fileHandlers{files: cfg.Files, timeouts: timeouts}.routes(room)
	docHandlers{hub: cfg.Hub, docs: cfg.Docs, records: cfg.Records}.routes(room)
	room.GET("/ws", websocketHandler(cfg.Hub))
	return e
}

// cors answers preflights itself, before any route's middleware (a preflight carries no token,
// so reaching roomAuth would make it 401), and marks the answers to allowed origins. Tokens
// travel in the Authorization header, never in cookies, so credentials stay off.
func cors(allow func(origin string) bool) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOriginFunc: func(origin string) (bool, error) { return allow(origin), nil },
		AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
			http.MethodDelete},
		AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-Match", widgetHeader},
		ExposeHeaders: []string{"ETag", echo.HeaderXRequestID, echo.HeaderRetryAfter, echo.HeaderLocation, echo.HeaderContentLength,
			echo.HeaderContentDisposition},
		MaxAge: int((10 * time.Minute).Seconds()),
	})
}

// ipExtractor names a request's client: the connection's address, or behind the configured
// proxies the one their X-Forwarded-For gives. Echo's default would believe any caller's header.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// readyHandler answers 200 when every check holds, else 503 naming what failed.
// A failing check answers "unavailable", never its error: /readyz needs no token, and a
// database error names hosts, users and databases. The error itself goes to the log.
func readyHandler(checks []Check, log *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		results := make(map[string]string, len(checks))
		ready := true
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, ch := range checks {
			wg.Go(func() {
				status := "ok"
				if err := ch.Check(ctx); err != nil {
					status = "unavailable"
					log.WarnContext(ctx, "readiness check failed", "check", ch.Name, "err", err)
				}
				mu.Lock()
				defer mu.Unlock()
				results[ch.Name] = status
				ready = ready && status == "ok"
			})
		}
		wg.Wait()
		if !ready {
			return c.JSON(http.StatusServiceUnavailable, protocol.Health{Status: "unavailable", Checks: results})
		}
		return c.JSON(http.StatusOK, protocol.Health{Status: "ready", Checks: results})
	}
}

// quietRoutes are polled by probes and scrapers: logged at debug level only, or they would drown
// the log.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// requestLogger logs one JSON line per request, with its request id.
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogRoutePath: true, LogStatus: true, LogLatency: true,
		LogRequestID: true, LogRemoteIP: true, LogResponseSize: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case quietRoutes[v.RoutePath]:
				level = slog.LevelDebug
			}
			logger.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", v.RequestID),
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.String("route", v.RoutePath),
				slog.Int("status", v.Status),
				slog.Float64("duration_ms", float64(v.Latency.Microseconds())/1000),
				slog.Int64("bytes", v.ResponseSize),
				slog.String("remote_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

// requestMetrics counts requests and times them by route pattern (never by raw path, which would
// make one series per record id).
func requestMetrics(reg prometheus.Registerer) echo.MiddlewareFunc {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "recordroom_http_requests_total",
		Help: "HTTP requests by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "recordroom_http_request_duration_seconds",
		Help:    "HTTP request latency by method and route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route"})
	reg.MustRegister(requests, duration)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// Let the error handler write the response now, so the status is the final one.
				c.Error(err)
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			method := c.Request().Method
			requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
			duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
			return nil
		}
	}
}
