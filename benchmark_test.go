package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// BenchmarkStorefrontPage runs the storefront grid query (first: 50) through
// the whole handler in-process, on each backend, and reports SQL statements
// per request. The HTTP load test with a raw-SQL baseline is in bench/.
//
//	go test -run XXX -bench StorefrontPage -benchmem .
func BenchmarkStorefrontPage(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			m := web.NewMetrics()
			st := storetest.Open(b, be, store.Options{OnStatement: m.DBQueries.Inc})
			if err := st.Seed(b.Context(), store.SeedOptions{Products: 500}); err != nil {
				b.Fatal(err)
			}
			cfg, _ := LoadConfig(func(k string) string { return testEnv(map[string]string{"LANGRAN_ENV": "production"})[k] })
			h := newHandler(cfg, st, m, slog.New(slog.NewTextHandler(io.Discard, nil)))
			body, _ := json.Marshal(map[string]any{"query": storefrontPageQuery, "variables": map[string]any{"first": 50}})
			before := testutil.ToFloat64(m.DBQueries)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
			b.ReportMetric((testutil.ToFloat64(m.DBQueries)-before)/float64(b.N), "sql/op")
		})
	}
}
