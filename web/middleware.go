package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ObserveOptions configure Observe.
type ObserveOptions struct {
	// GraphQLPath is the endpoint whose requests get GraphQL metrics.
	GraphQLPath string
	// CountStatements, when set, returns ctx carrying a counter of the SQL
	// statements run for the request, and a function that reads it.
	CountStatements func(context.Context) (context.Context, func() int64)
	// Operations are the operation names that metrics label by name; see
	// OperationLabels.
	Operations []string
}

// Observe wraps every request: it assigns a request ID (echoed in
// X-Request-ID), recovers panics into a 500 with no details, logs one line
// per request, and records GraphQL request metrics.
func Observe(log *slog.Logger, m *Metrics, o ObserveOptions) func(http.Handler) http.Handler {
	ops := NewOperationLabels(o.Operations)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				id = newRequestID()
			}
			ri := &RequestInfo{ID: id}
			ctx := context.WithValue(r.Context(), requestInfoKey{}, ri)
			statements := func() int64 { return 0 }
			if o.CountStatements != nil {
				ctx, statements = o.CountStatements(ctx)
			}
			w.Header().Set("X-Request-ID", id)
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.ErrorContext(ctx, "panic in handler", "request_id", id,
						"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					if rec.status == 0 {
						WriteError(rec, http.StatusInternalServerError, model.CodeInternal, "internal error")
					}
				}
				status := rec.status
				if status == 0 {
					status = http.StatusOK
				}
				dur := time.Since(start)
				attrs := []any{"request_id", id, "method", r.Method, "path", r.URL.Path,
					"status", status, "duration_ms", float64(dur.Microseconds()) / 1000,
					"sql_statements", statements()}
				if r.URL.Path == o.GraphQLPath {
					// Logs name the operation as sent (a GraphQL name, so
					// plain text); metrics only label names they know.
					name := ri.Operation()
					attrs = append(attrs, "operation", name)
					label := ops.Label(name)
					m.Requests.WithLabelValues(label, strconv.Itoa(status)).Inc()
					m.RequestDuration.WithLabelValues(label).Observe(dur.Seconds())
				}
				level := slog.LevelInfo
				switch {
				case status == http.StatusServiceUnavailable:
					level = slog.LevelWarn // an outage we answered on purpose, not a bug
				case status >= 500:
					level = slog.LevelError
				}
				log.Log(ctx, level, "request", attrs...)
			}()
			next.ServeHTTP(rec, r.WithContext(ctx))
		})
	}
}

// ScopeOptions configure RequestScope.
type ScopeOptions struct {
	// Timeout bounds the time a GraphQL request may take.
	Timeout time.Duration
	// Prepare adds per-request state to the context: the request's
	// dataloaders and its authenticated viewer. server.go supplies it, so
	// that web needs no store. An error refuses the request: a
	// CodeUnauthorized one with 401, a CodeUnavailable one with 503.
	Prepare func(ctx context.Context, r *http.Request) (context.Context, error)
	// TrustedProxies are the networks whose X-Forwarded-For is believed when
	// working out the client's address; empty trusts none.
	TrustedProxies []*net.IPNet
	// Log receives Prepare's unexpected errors.
	Log *slog.Logger
}

// RequestScope prepares the context of each GraphQL request: its time limit,
// the client's address, the language the caller prefers (Accept-Language;
// an @inContext directive on the operation overrides it later), and what
// Prepare adds.
func RequestScope(o ScopeOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), o.Timeout)
			defer cancel()
			ctx = model.WithLanguage(ctx, model.ParseAcceptLanguage(r.Header.Get("Accept-Language")))
			ctx = model.WithClientAddr(ctx, ClientAddr(r, o.TrustedProxies))
			// Answers differ by language, media type and credentials; shared
			// caches must key on them.
			w.Header().Add("Vary", "Accept-Language, Accept, Authorization")
			if o.Prepare != nil {
				var err error
				if ctx, err = o.Prepare(ctx, r.WithContext(ctx)); err != nil {
					switch me, _ := model.AsError(err); {
					case me != nil && me.Code == model.CodeUnauthorized:
						w.Header().Set("WWW-Authenticate", `Bearer realm="langran"`)
						WriteError(w, http.StatusUnauthorized, me.Code, me.Message)
					case me != nil && me.Code == model.CodeUnavailable:
						w.Header().Set("Retry-After", "2")
						WriteError(w, http.StatusServiceUnavailable, me.Code, me.Message)
					default:
						o.Log.ErrorContext(ctx, "internal error", "request_id", RequestIDFrom(ctx), "error", err.Error())
						WriteError(w, http.StatusInternalServerError, model.CodeInternal, "internal error")
					}
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// ClientAddr is the address a request came from: the connection's peer, or,
// when the peer is a trusted proxy, the nearest address in X-Forwarded-For
// that is not a trusted proxy. Untrusted peers cannot pick their address by
// sending the header.
func ClientAddr(r *http.Request, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	isTrusted := func(s string) bool {
		ip := net.ParseIP(strings.TrimSpace(s))
		for _, n := range trusted {
			if ip != nil && n.Contains(ip) {
				return true
			}
		}
		return false
	}
	if !isTrusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if net.ParseIP(hop) == nil {
			break
		}
		if !isTrusted(hop) {
			return hop
		}
	}
	return host
}

// Health serves /healthz: the process is up and serving.
func Health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
}

// Ready serves /readyz: the database answers within a second. Load balancers
// stop sending traffic to an instance that is not ready.
func Ready(ping func(context.Context) error, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ping(ctx); err != nil {
			if !errors.Is(err, context.Canceled) {
				log.WarnContext(ctx, "readiness check failed", "error", err.Error())
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "database unreachable\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
}
