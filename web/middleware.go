package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
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

// Observe wraps every request: it assigns a request ID (echoed in
// X-Request-ID), recovers panics into a 500 with no details, logs one line
// per request, and records GraphQL request metrics when graphqlPath is hit.
func Observe(log *slog.Logger, m *Metrics, graphqlPath string) func(http.Handler) http.Handler {
	ops := &operationLabels{seen: map[string]bool{}, max: 500}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				id = newRequestID()
			}
			ri := &RequestInfo{ID: id}
			ctx := context.WithValue(r.Context(), requestInfoKey{}, ri)
			ctx, counter := store.WithStatementCounter(ctx)
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
					"sql_statements", counter.Count()}
				if r.URL.Path == graphqlPath {
					op := ops.label(ri.Operation())
					attrs = append(attrs, "operation", op)
					m.Requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
					m.RequestDuration.WithLabelValues(op).Observe(dur.Seconds())
				}
				level := slog.LevelInfo
				if status >= 500 {
					level = slog.LevelError
				}
				log.Log(ctx, level, "request", attrs...)
			}()
			next.ServeHTTP(rec, r.WithContext(ctx))
		})
	}
}

// GraphQLOptions are the HTTP-level limits of the GraphQL endpoint.
type GraphQLOptions struct {
	MaxBodyBytes int64
	Timeout      time.Duration
	Loaders      store.LoaderOptions
	// PublicMaxAge, when positive, lets shared caches (a CDN) keep the
	// answers to anonymous GET queries that long. Catalog pages are the
	// same for every anonymous visitor in a language, so a CDN in front
	// can serve most storefront traffic without reaching the service.
	PublicMaxAge time.Duration
}

// GraphQLGuard prepares a request for the GraphQL handler: it answers wrong
// methods (405) and media types (415), rejects bodies over the limit (413)
// before gqlgen reads them, bounds the request's time, picks the catalog
// language from Accept-Language, and attaches fresh dataloaders.
func GraphQLGuard(st *store.Store, o GraphQLOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodGet:
				if isMutationOverGET(r) {
					w.Header().Set("Allow", "POST")
					WriteError(w, http.StatusMethodNotAllowed, model.CodeInvalid,
						"mutations must be sent with POST, never GET")
					return
				}
			case http.MethodPost:
				mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil || mt != "application/json" {
					WriteError(w, http.StatusUnsupportedMediaType, model.CodeInvalid,
						"POST requests must have Content-Type: application/json")
					return
				}
				if r.ContentLength > o.MaxBodyBytes {
					writeTooLarge(w, o.MaxBodyBytes)
					return
				}
				body, err := io.ReadAll(io.LimitReader(r.Body, o.MaxBodyBytes+1))
				if err != nil {
					WriteError(w, http.StatusBadRequest, model.CodeInvalid, "could not read the request body")
					return
				}
				if int64(len(body)) > o.MaxBodyBytes {
					writeTooLarge(w, o.MaxBodyBytes)
					return
				}
				if msg := checkRequestShape(body); msg != "" {
					WriteError(w, http.StatusBadRequest, model.CodeInvalid, msg)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			default:
				w.Header().Set("Allow", "GET, POST")
				WriteError(w, http.StatusMethodNotAllowed, model.CodeInvalid, "use GET for queries or POST")
				return
			}
			if !acceptsJSON(r.Header.Get("Accept")) {
				WriteError(w, http.StatusNotAcceptable, model.CodeInvalid,
					"responses are application/graphql-response+json or application/json; the Accept header allows neither")
				return
			}
			if len(r.URL.RawQuery) > int(o.MaxBodyBytes) {
				WriteError(w, http.StatusRequestURITooLong, model.CodeLimitExceeded, "the query string is too long; use POST")
				return
			}
			if r.Method == http.MethodGet && o.PublicMaxAge > 0 && anonymous(r) {
				w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(o.PublicMaxAge.Seconds())))
				w.Header().Add("Vary", "Accept")
			} else {
				w.Header().Set("Cache-Control", "no-store")
			}
			ctx, cancel := context.WithTimeout(r.Context(), o.Timeout)
			defer cancel()
			ctx = model.WithLanguage(ctx, model.ParseAcceptLanguage(r.Header.Get("Accept-Language")))
			ctx = store.WithLoaders(ctx, store.NewLoaders(st, o.Loaders))
			w.Header().Add("Vary", "Accept-Language")
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// acceptsJSON reports whether an Accept header admits one of the media types
// GraphQL responses come in. No header means anything goes.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/json", "application/graphql-response+json", "application/*", "*/*":
			return true
		}
	}
	return false
}

// anonymous reports whether the request carries no credentials, so its
// answer is the same for everyone and may be cached publicly.
func anonymous(r *http.Request) bool {
	return r.Header.Get("Authorization") == "" && r.Header.Get("X-Langran-Api-Key") == "" && r.Header.Get("Cookie") == ""
}

// isMutationOverGET reports whether a GET request asks to run a mutation (or
// subscription). GraphQL over HTTP requires 405 for those, so that a link or
// a prefetching browser can never change state. Query strings that do not
// parse are left to the GraphQL handler to report.
func isMutationOverGET(r *http.Request) bool {
	q := r.URL.Query().Get("query")
	if q == "" {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		return false
	}
	op := doc.Operations.ForName(r.URL.Query().Get("operationName"))
	if op == nil && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	return op != nil && op.Operation != ast.Query
}

// checkRequestShape checks that a POST body is a GraphQL request object with
// members of the right JSON types, so that malformed requests get a plain
// message instead of the JSON decoder's, which names Go types and echoes the
// body. It returns "" when the shape is right.
func checkRequestShape(body []byte) string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return "the request body must be a JSON object such as {\"query\": \"{ ... }\", \"variables\": {}}"
	}
	kinds := map[string]byte{"query": '"', "operationName": '"', "variables": '{', "extensions": '{'}
	for name, want := range kinds {
		raw := bytes.TrimSpace(members[name])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if raw[0] != want {
			if want == '"' {
				return name + " must be a string"
			}
			return name + " must be a JSON object"
		}
	}
	return ""
}

func writeTooLarge(w http.ResponseWriter, limit int64) {
	WriteError(w, http.StatusRequestEntityTooLarge, model.CodeLimitExceeded,
		fmt.Sprintf("the request body is larger than %d bytes", limit))
}

// WriteError writes a GraphQL-shaped error response with an HTTP status, for
// failures before GraphQL execution starts.
func WriteError(w http.ResponseWriter, status int, code model.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
	})
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
func Ready(st *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := st.Ping(ctx); err != nil {
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
