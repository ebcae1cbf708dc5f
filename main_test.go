package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// testServer is the real handler over a real, seeded database.
type testServer struct {
	*httptest.Server
	metrics *web.Metrics
	store   *store.Store
	// logs holds what the server logged (text handler, all levels).
	logs *lockedBuffer
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestServer seeds a fresh database of backend b with n products (0: the
// demo set) and serves the full handler with the given environment.
func newTestServer(t *testing.T, b storetest.Backend, n int, env map[string]string) *testServer {
	t.Helper()
	m := web.NewMetrics()
	st := storetest.Open(t, b, store.Options{OnStatement: m.DBQueries.Inc})
	if err := st.Seed(t.Context(), store.SeedOptions{Products: n}); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(func(k string) string { return testEnv(env)[k] })
	if err != nil {
		t.Fatal(err)
	}
	// Everything the server logs is kept (mail included, which development
	// sends to the log); verbose runs also show warnings and errors.
	logs := &lockedBuffer{}
	var out slog.Handler = slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})
	if testing.Verbose() {
		out = fanOut{out, slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})}
	}
	log := slog.New(out)
	h := newHandler(cfg, st, m, log)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		_ = h.Drain(context.Background())
	})
	return &testServer{Server: srv, metrics: m, store: st, logs: logs}
}

// testEnv is env with the rate limit off unless env sets it: tests send
// many costly requests from one address, faster than any shopper, and the
// rate limit's own tests turn it on.
func testEnv(env map[string]string) map[string]string {
	// Passwords are hashed with 64 KiB rather than 19 MiB: every server
	// hashes one at start, and under -race the default costs seconds per
	// test (auth's own tests check the real parameters).
	out := map[string]string{"LANGRAN_RATE_LIMIT_BUCKET": "0", "LANGRAN_PASSWORD_HASH_MEMORY": "64"}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// fanOut sends every record to each handler that wants it.
type fanOut []slog.Handler

func (f fanOut) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanOut) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f fanOut) WithAttrs(a []slog.Attr) slog.Handler {
	out := make(fanOut, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(a)
	}
	return out
}

func (f fanOut) WithGroup(name string) slog.Handler {
	out := make(fanOut, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// gqlResponse is a GraphQL response as clients see it.
type gqlResponse struct {
	Status     int
	Header     http.Header
	Data       map[string]any
	Errors     []gqlError
	Extensions map[string]any
	Raw        string
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// post sends a GraphQL request as JSON with optional extra headers.
func (s *testServer) post(t *testing.T, query string, vars map[string]any, headers ...string) gqlResponse {
	t.Helper()
	r, err := s.send(query, vars, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is post for goroutines other than the test's, which must not call
// t.Fatal: it returns the transport error instead.
func (s *testServer) send(query string, vars map[string]any, headers ...string) (gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return gqlResponse{}, err
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return gqlResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.roundTrip(req)
}

func (s *testServer) do(t *testing.T, req *http.Request) gqlResponse {
	t.Helper()
	r, err := s.roundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (s *testServer) roundTrip(req *http.Request) (gqlResponse, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return gqlResponse{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return gqlResponse{}, err
	}
	out := gqlResponse{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	var decoded struct {
		Data       map[string]any `json:"data"`
		Errors     []gqlError     `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &decoded); err == nil {
		out.Data, out.Errors, out.Extensions = decoded.Data, decoded.Errors, decoded.Extensions
	}
	return out, nil
}

// mustData fails the test when the response has errors.
func (r gqlResponse) mustData(t *testing.T) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("status %d, errors: %s", r.Status, r.Raw)
	}
	return r.Data
}

// statements returns how many SQL statements the server has run so far.
func (s *testServer) statements() int {
	return int(testutil.ToFloat64(s.metrics.DBQueries))
}

// at walks a decoded JSON value by keys and indexes.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
