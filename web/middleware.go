package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
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
	// Prepare adds per-request state to the context, such as the request's
	// dataloaders; server.go supplies it so that web needs no store.
	Prepare func(ctx context.Context) context.Context
}

// RequestScope prepares the context of each GraphQL request: its time limit,
// the language the caller prefers (Accept-Language; an @inContext directive
// on the operation overrides it later), and what Prepare adds.
func RequestScope(o ScopeOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), o.Timeout)
			defer cancel()
			ctx = model.WithLanguage(ctx, model.ParseAcceptLanguage(r.Header.Get("Accept-Language")))
			if o.Prepare != nil {
				ctx = o.Prepare(ctx)
			}
			// Answers differ by language and media type; shared caches must key on both.
			w.Header().Add("Vary", "Accept-Language, Accept")
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
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
