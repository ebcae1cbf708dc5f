package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// validationShapes are the costliest documents to validate that we could
// build within the default limits (5,000 tokens, the validation budget),
// and the refused ones the budget exists for, next to the storefront page
// they are compared with. Each is a different kind of work for the
// validator: pairs of fields sharing a name, fragment spreads, many
// operations, depth, errors.
func validationShapes() []struct{ name, query string } {
	var chain strings.Builder
	chain.WriteString("{ products(first: 1) { ...F0 } }")
	for i := range 9 {
		fmt.Fprintf(&chain, " fragment F%d on ProductConnection { ...F%d ...F%d totalCount }", i, i+1, i+1)
	}
	chain.WriteString(" fragment F9 on ProductConnection { totalCount }")
	var ops strings.Builder
	for i := range 800 {
		fmt.Fprintf(&ops, "query Q%d { __typename } ", i)
	}
	deep := "{ products(first: 1) { nodes { category { " + strings.Repeat("parent { ", 8) + "name" + strings.Repeat(" }", 8) + " } } } }"
	return []struct{ name, query string }{
		{"storefront page (baseline)", storefrontPageQuery},
		{"69 same-named fields (under budget)", "{ products(first: 1) { " + repeated("... on ProductConnection { totalCount }", 69) + " } }"},
		{"fragment spreads doubling 9 times (under budget)", chain.String()},
		{"800 operations (under budget)", ops.String() + " query Main { __typename }"},
		{"deepest allowed nesting", deep},
		{"400 unknown directives (errors, capped)", "{ products(first: 1) { totalCount " + repeated("@nope", 400) + " } }"},
		{"refused: 24 inline fragments x 200 same field", "{ products(first: 1) { " + repeated("... on ProductConnection { "+repeated("totalCount", 200)+" }", 24) + " } }"},
		{"refused: fragment spread 24 times, 200 fields", "{ products(first: 1) { " + repeated("...F", 24) + " } } fragment F on ProductConnection { " + repeated("totalCount", 200) + " }"},
	}
}

// BenchmarkValidationShapes measures whole requests (parse, budget,
// validation, limits, execution) of the worst shapes against the storefront
// page; docs/BENCHMARKS.md quotes the ratios.
//
//	go test -run XXX -bench ValidationShapes -benchtime 2s .
func BenchmarkValidationShapes(b *testing.B) {
	st := storetest.Open(b, storetest.SQLite, store.Options{})
	if err := st.Seed(b.Context(), store.SeedOptions{Products: 200}); err != nil {
		b.Fatal(err)
	}
	cfg, err := LoadConfig(func(k string) string { return testEnv(map[string]string{"LANGRAN_ENV": "production"})[k] })
	if err != nil {
		b.Fatal(err)
	}
	h := newHandler(cfg, st, web.NewMetrics(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, s := range validationShapes() {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				// A different comment each time defeats the parsed-query
				// cache, as an attacker would: every request is validated.
				n++
				body, _ := json.Marshal(map[string]any{"query": fmt.Sprintf("%s\n# %d", s.query, n),
					"variables": map[string]any{"first": 50}, "operationName": operationNameOf(s.query)})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// operationNameOf picks "Main" for documents with many operations.
func operationNameOf(q string) string {
	if strings.Contains(q, "query Main") {
		return "Main"
	}
	return ""
}
