package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/store/storetest"
)

func sqliteServer(t *testing.T, env map[string]string) *testServer {
	return newTestServer(t, storetest.Backends()[0], 10, env)
}

func rawRequest(t *testing.T, method, u, contentType, body string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// GraphQL over HTTP: methods, media types, status codes.
func TestGraphQLOverHTTP(t *testing.T) {
	srv := sqliteServer(t, nil)
	gql := srv.URL + "/graphql"
	const q = `{"query":"{ products(first: 1) { edges { node { handle } } } }"}`

	t.Run("POST json, default media type is application/json", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "application/json", q)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d content-type %q", r.StatusCode, r.Header.Get("Content-Type"))
		}
	})
	t.Run("Accept graphql-response+json", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "application/json; charset=utf-8", q, "Accept", "application/graphql-response+json")
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/graphql-response+json") {
			t.Fatalf("status %d content-type %q", r.StatusCode, r.Header.Get("Content-Type"))
		}
		// With the new media type, a request that fails validation is a 4xx.
		bad := rawRequest(t, "POST", gql, "application/json", `{"query":"{ nope }"}`, "Accept", "application/graphql-response+json")
		if bad.StatusCode < 400 || bad.StatusCode >= 500 {
			t.Fatalf("invalid query status %d", bad.StatusCode)
		}
	})
	t.Run("GET query", func(t *testing.T) {
		r := rawRequest(t, "GET", gql+"?query="+url.QueryEscape("{ products(first: 2) { edges { node { handle } } } }"), "", "")
		body := readBody(t, r)
		if r.StatusCode != 200 || !strings.Contains(body, "organic-cotton-tee") {
			t.Fatalf("status %d body %s", r.StatusCode, body)
		}
	})
	t.Run("GET cannot run a mutation", func(t *testing.T) {
		r := rawRequest(t, "GET", gql+"?query="+url.QueryEscape("mutation { __typename }"), "", "")
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
			t.Fatalf("GET mutation answered %d: %s", r.StatusCode, readBody(t, r))
		}
		named := "query A { __typename } mutation B { __typename }"
		r = rawRequest(t, "GET", gql+"?operationName=B&query="+url.QueryEscape(named), "", "")
		if r.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET of named mutation answered %d", r.StatusCode)
		}
	})
	t.Run("wrong media type is 415", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "text/plain", q)
		if r.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d", r.StatusCode)
		}
		assertGraphQLError(t, readBody(t, r), "INVALID")
	})
	t.Run("unacceptable Accept is 406", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "application/json", q, "Accept", "text/html, application/xml;q=0.9")
		if r.StatusCode != http.StatusNotAcceptable {
			t.Fatalf("status %d", r.StatusCode)
		}
		for _, ok := range []string{"*/*", "application/json;q=0.5, text/html", "application/*"} {
			if r := rawRequest(t, "POST", gql, "application/json", q, "Accept", ok); r.StatusCode != 200 {
				t.Errorf("Accept %q: status %d", ok, r.StatusCode)
			}
		}
	})
	t.Run("wrong method is 405 with Allow", func(t *testing.T) {
		r := rawRequest(t, "PUT", gql, "application/json", q)
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, POST" {
			t.Fatalf("status %d allow %q", r.StatusCode, r.Header.Get("Allow"))
		}
	})
	t.Run("malformed JSON is 400", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "application/json", `{"query": "{ products`)
		body := readBody(t, r)
		if r.StatusCode != 400 || !strings.Contains(body, "errors") {
			t.Fatalf("status %d body %s", r.StatusCode, body)
		}
	})
	t.Run("non-object JSON is 400 without Go internals", func(t *testing.T) {
		for _, body := range []string{`[{"query":"{__typename}"}]`, `{"query":"{ __typename }","variables":[1]}`,
			`{"query":{"x":1}}`, `"just a string"`} {
			r := rawRequest(t, "POST", gql, "application/json", body)
			text := readBody(t, r)
			if r.StatusCode != 400 || strings.Contains(text, "Go value") || strings.Contains(text, "interface") ||
				strings.Contains(text, "RawParams") {
				t.Errorf("%s: status %d body %s", body, r.StatusCode, text)
			}
		}
	})
	t.Run("missing query", func(t *testing.T) {
		// Not a well-formed request: 400 and no data, whatever the media type.
		for _, accept := range []string{"application/json", "application/graphql-response+json"} {
			r := rawRequest(t, "POST", gql, "application/json", `{"variables":{}}`, "Accept", accept)
			if body := readBody(t, r); r.StatusCode != 400 || !strings.Contains(body, "no query") || strings.Contains(body, `"data"`) {
				t.Fatalf("Accept %s: status %d body %s", accept, r.StatusCode, body)
			}
		}
		r := rawRequest(t, "GET", gql+"?qeury=%7B__typename%7D", "", "")
		if r.StatusCode != 400 {
			t.Fatalf("GET without query: status %d", r.StatusCode)
		}
	})
	t.Run("request ID is echoed or made", func(t *testing.T) {
		r := rawRequest(t, "POST", gql, "application/json", q, "X-Request-ID", "abc-123")
		if r.Header.Get("X-Request-ID") != "abc-123" {
			t.Fatalf("request id %q", r.Header.Get("X-Request-ID"))
		}
		r = rawRequest(t, "POST", gql, "application/json", q, "X-Request-ID", "bad id with spaces")
		if id := r.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
			t.Fatalf("request id %q", id)
		}
	})
}

func assertGraphQLError(t *testing.T, body, code string) {
	t.Helper()
	var resp struct {
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Errors) == 0 {
		t.Fatalf("not a GraphQL error response: %s", body)
	}
	if resp.Errors[0].Code() != code {
		t.Fatalf("code %q, want %q: %s", resp.Errors[0].Code(), code, body)
	}
}

// Every limit refuses the request with a clear error before any SQL runs.
func TestRequestLimitsDoNoDatabaseWork(t *testing.T) {
	srv := sqliteServer(t, map[string]string{
		"LANGRAN_MAX_DEPTH": "7", "LANGRAN_MAX_ALIASES": "3", "LANGRAN_MAX_COMPLEXITY": "500",
		"LANGRAN_MAX_TOKENS": "300", "LANGRAN_MAX_BODY_BYTES": "4096",
	})
	deep := `{ products(first: 1) { edges { node { category { parent { parent { parent { name } } } } } } } }`
	aliases := `{ a: products(first: 1) { totalCount } b: products(first: 1) { totalCount } c: products(first: 1) { totalCount } d: products(first: 1) { totalCount } }`
	costly := `{ products(first: 100) { edges { node { variants(first: 100) { edges { node { sku } } } } } } }`
	manyTokens := `{ nodes(ids: [` + strings.Repeat(`"x", `, 300) + `]) { id } }`
	wide := "{ products(first: 1) { " + strings.Repeat("totalCount ", 250) + "} }"
	cases := []struct {
		name, query, code, msg string
	}{
		{"depth", deep, "LIMIT_EXCEEDED", "levels deep"},
		{"aliases", aliases, "LIMIT_EXCEEDED", "aliases"},
		{"complexity", costly, "COMPLEXITY_LIMIT_EXCEEDED", "more than the limit of 500"},
		{"tokens", manyTokens, "GRAPHQL_PARSE_FAILED", "token limit"},
		{"validation work", wide, "LIMIT_EXCEEDED", "too much work to validate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := srv.statements()
			r := srv.post(t, c.query, nil)
			if len(r.Errors) == 0 || r.Errors[0].Code() != c.code || !strings.Contains(r.Errors[0].Message, c.msg) {
				t.Fatalf("want %s error mentioning %q; got %s", c.code, c.msg, r.Raw)
			}
			if r.Data != nil {
				t.Errorf("data returned with a limit error: %v", r.Data)
			}
			if n := srv.statements() - before; n != 0 {
				t.Errorf("%d SQL statements ran for a refused request", n)
			}
		})
	}
	t.Run("body size", func(t *testing.T) {
		before := srv.statements()
		big := fmt.Sprintf(`{"query":"{ products(first: 1) { totalCount } }","variables":{"x":%q}}`, strings.Repeat("x", 5000))
		r := rawRequest(t, "POST", srv.URL+"/graphql", "application/json", big)
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", r.StatusCode)
		}
		assertGraphQLError(t, readBody(t, r), "LIMIT_EXCEEDED")
		if n := srv.statements() - before; n != 0 {
			t.Errorf("%d SQL statements ran for a refused request", n)
		}
	})
	t.Run("cost is reported", func(t *testing.T) {
		r := srv.post(t, `{ products(first: 2) { edges { node { handle } } } }`, nil)
		r.mustData(t)
		cost, _ := r.Extensions["cost"].(map[string]any)
		if cost["requestedQueryCost"] == nil || cost["maxQueryCost"] != float64(500) {
			t.Fatalf("extensions: %v", r.Extensions)
		}
	})
}

// Automatic persisted queries: a hash alone is refused until the client
// registers the query with it; then the hash alone works, over GET too.
func TestAutomaticPersistedQueries(t *testing.T) {
	srv := sqliteServer(t, nil)
	query := `{ products(first: 1) { edges { node { handle } } } }`
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	send := func(body map[string]any) gqlResponse {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+"/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		return srv.do(t, req)
	}
	r := send(map[string]any{"extensions": ext})
	if len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %s", r.Raw)
	}
	send(map[string]any{"query": query, "extensions": ext}).mustData(t)
	send(map[string]any{"extensions": ext}).mustData(t)
	extJSON, _ := json.Marshal(ext)
	get := rawRequest(t, "GET", srv.URL+"/graphql?extensions="+url.QueryEscape(string(extJSON)), "", "")
	if body := readBody(t, get); get.StatusCode != 200 || !strings.Contains(body, "handle") {
		t.Fatalf("GET by hash: %d %s", get.StatusCode, body)
	}
	// Huge queries run but are not kept, so they cannot fill the cache.
	huge := "# " + strings.Repeat("padding ", 2100) + "\n" + query
	hsum := sha256.Sum256([]byte(huge))
	hext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(hsum[:])}}
	send(map[string]any{"query": huge, "extensions": hext}).mustData(t)
	if r := send(map[string]any{"extensions": hext}); len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("oversized query was cached: %s", r.Raw)
	}
	// A query that does not match its hash is refused.
	bad := send(map[string]any{"query": "{ categories(first: 1) { totalCount } }", "extensions": ext})
	if len(bad.Errors) == 0 {
		t.Fatalf("mismatched hash accepted: %s", bad.Raw)
	}
}

func TestDevelopmentAndProductionModes(t *testing.T) {
	intro := `{ __schema { queryType { name } } }`
	dev := sqliteServer(t, nil)
	if r := dev.post(t, intro, nil); len(r.Errors) > 0 {
		t.Fatalf("introspection off in development: %s", r.Raw)
	}
	page := rawRequest(t, "GET", dev.URL+"/", "", "")
	if body := readBody(t, page); page.StatusCode != 200 || !strings.Contains(body, "Langran admin") {
		t.Fatalf("GraphiQL in development: %d", page.StatusCode)
	}
	typo := dev.post(t, `{ produts(first: 1) { totalCount } }`, nil)
	if len(typo.Errors) == 0 || !strings.Contains(typo.Errors[0].Message, "Did you mean") {
		t.Errorf("no suggestion in development: %s", typo.Raw)
	}

	prod := sqliteServer(t, map[string]string{"LANGRAN_ENV": "production"})
	if r := prod.post(t, intro, nil); len(r.Errors) == 0 {
		t.Fatalf("introspection on in production: %s", r.Raw)
	}
	if r := rawRequest(t, "GET", prod.URL+"/", "", ""); r.StatusCode != 404 {
		t.Fatalf("GraphiQL served in production: %d", r.StatusCode)
	}
	if r := rawRequest(t, "GET", prod.URL+"/schema.graphql", "", ""); r.StatusCode != 404 {
		t.Fatalf("schema served in production without introspection: %d", r.StatusCode)
	}
	typo = prod.post(t, `{ produts(first: 1) { totalCount } }`, nil)
	if len(typo.Errors) == 0 || strings.Contains(typo.Errors[0].Message, "Did you mean") {
		t.Errorf("suggestion leaked in production: %s", typo.Raw)
	}
	// Explicitly enabled in production.
	opened := sqliteServer(t, map[string]string{"LANGRAN_ENV": "production", "LANGRAN_INTROSPECTION": "true", "LANGRAN_GRAPHIQL": "true"})
	if r := opened.post(t, intro, nil); len(r.Errors) > 0 {
		t.Fatalf("introspection not enabled: %s", r.Raw)
	}
	if r := rawRequest(t, "GET", opened.URL+"/", "", ""); r.StatusCode != 200 {
		t.Fatalf("GraphiQL not enabled: %d", r.StatusCode)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	srv := sqliteServer(t, map[string]string{"LANGRAN_METRICS_OPERATIONS": "ProductGrid"})
	srv.post(t, `query ProductGrid { products(first: 3) { edges { node { handle } } } }`, nil).mustData(t)
	srv.post(t, `{ product(id: "bad") { id } }`, nil)
	for path, want := range map[string]string{
		"/healthz": "ok", "/readyz": "ok", "/schema.graphql": "type Product implements Node",
	} { // (the schema is served because introspection is on in development)
		r := rawRequest(t, "GET", srv.URL+path, "", "")
		if body := readBody(t, r); r.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %.200s", path, r.StatusCode, body)
		}
	}
	r := rawRequest(t, "GET", srv.URL+"/metrics", "", "")
	body := readBody(t, r)
	for _, want := range []string{
		"langran_db_queries_total ",
		`langran_graphql_requests_total{operation="ProductGrid",status="200"} 1`,
		`langran_graphql_request_duration_seconds_bucket{operation="ProductGrid"`,
		`langran_graphql_errors_total{code="INVALID"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Readiness follows the database.
	srv.store.Close()
	if r := rawRequest(t, "GET", srv.URL+"/readyz", "", ""); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed database: %d", r.StatusCode)
	}
	if r := rawRequest(t, "GET", srv.URL+"/healthz", "", ""); r.StatusCode != 200 {
		t.Errorf("healthz with a closed database: %d", r.StatusCode)
	}
	// Database failure is an internal error, without details.
	res := srv.post(t, `{ products(first: 1) { edges { node { handle } } } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Message != "internal error" || res.Errors[0].Code() != "INTERNAL" ||
		strings.Contains(strings.ToLower(res.Raw), "sql") || res.Errors[0].Extensions["requestId"] == nil {
		t.Errorf("database failure shown as: %s", res.Raw)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	for k, v := range map[string]string{
		"LANGRAN_ENV": "staging", "LANGRAN_MAX_DEPTH": "zero", "LANGRAN_MAX_COMPLEXITY": "-5",
		"LANGRAN_REQUEST_TIMEOUT": "soon", "LANGRAN_INTROSPECTION": "maybe", "LANGRAN_MAX_UPLOAD_BYTES": "2G",
		"LANGRAN_VAT_RATES": "7%", "LANGRAN_ORDER_PAY_WITHIN": "an hour",
	} {
		if _, err := LoadConfig(func(name string) string {
			if name == k {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err %v", k, v, err)
		}
	}
	// Payment and receipt settings: each bad one is named, and its value
	// is not repeated when it may be a secret.
	for _, c := range []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{"LANGRAN_PROMPTPAY_ID": "12345"}, "LANGRAN_PROMPTPAY_ID"},
		{map[string]string{"LANGRAN_PROMPTPAY_WEBHOOK_SECRET": "short"}, "LANGRAN_PROMPTPAY_WEBHOOK_SECRET"},
		{map[string]string{"LANGRAN_BANK_TRANSFER_ACCOUNT": "KBank only"}, "LANGRAN_BANK_TRANSFER_ACCOUNT"},
		{map[string]string{"LANGRAN_STRIPE_SECRET_KEY": "sk_test_secretvalue"}, "LANGRAN_STRIPE_WEBHOOK_SECRET"},
		{map[string]string{"LANGRAN_STRIPE_CAPTURE": "later"}, "LANGRAN_STRIPE_CAPTURE"},
		{map[string]string{"LANGRAN_LINK_SECRET": "too short"}, "LANGRAN_LINK_SECRET"},
		{map[string]string{"LANGRAN_SELLER_TAX_ID": "0105558123450"}, "LANGRAN_SELLER_TAX_ID"},
		{map[string]string{"LANGRAN_SELLER_BRANCH": "1"}, "LANGRAN_SELLER_BRANCH"},
		{map[string]string{"LANGRAN_ENV": "production", "LANGRAN_SELLER_TAX_ID": "0105558123451"}, "LANGRAN_SELLER_NAME_TH"},
		{map[string]string{"LANGRAN_ENV": "production", "LANGRAN_SELLER_TAX_ID": "0105558123451", "LANGRAN_SELLER_NAME_TH": "ร้าน",
			"LANGRAN_SELLER_ADDRESS_TH": "กรุงเทพฯ"}, "LANGRAN_LINK_SECRET"},
		{map[string]string{"LANGRAN_ENV": "production", "LANGRAN_PROMPTPAY_ID": "0812345678"}, "LANGRAN_LINK_SECRET"},
	} {
		_, err := LoadConfig(func(name string) string { return c.env[name] })
		if err == nil || !strings.Contains(err.Error(), c.name) || strings.Contains(err.Error(), "secretvalue") {
			t.Errorf("%v: err %v, want one naming %s", c.env, err, c.name)
		}
	}
	prod, err := LoadConfig(func(name string) string { return map[string]string{"LANGRAN_ENV": "production"}[name] })
	if err != nil || prod.Seller != nil || prod.Payments.PromptPayID != "" || prod.Payments.BankAccount != nil || prod.Payments.CashOnDelivery {
		t.Errorf("production turns on no payment method or seller by itself: %+v %v", prod.Payments, err)
	}
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil || cfg.Addr != ":8080" || cfg.DatabaseURL != "sqlite:langran.db" || !cfg.GraphiQL || !cfg.SeedDemo ||
		cfg.MaxUploadBytes != 32<<20 || cfg.VAT.RateAt(time.Now()) != 700 || cfg.PayWithin != time.Hour {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

func TestCORS(t *testing.T) {
	srv := sqliteServer(t, map[string]string{"LANGRAN_CORS_ORIGINS": "https://shop.example.com, https://m.example.com"})
	pre := rawRequest(t, "OPTIONS", srv.URL+"/graphql", "", "", "Origin", "https://shop.example.com",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,authorization")
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	r := rawRequest(t, "POST", srv.URL+"/graphql", "application/json", `{"query":"{ categories(first: 1) { totalCount } }"}`,
		"Origin", "https://evil.example.net")
	if r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(r.Header.Get("Vary"), "Origin") {
		t.Fatalf("foreign origin allowed, or no Vary: %v", r.Header)
	}
	open := sqliteServer(t, nil)
	r = rawRequest(t, "POST", open.URL+"/graphql", "application/json", `{"query":"{ categories(first: 1) { totalCount } }"}`,
		"Origin", "https://anywhere.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("default CORS: %v", r.Header)
	}
}

func TestPublicCacheHeaders(t *testing.T) {
	q := "/graphql?query=" + url.QueryEscape("{ products(first: 1) { edges { node { handle } } } }")
	srv := sqliteServer(t, map[string]string{"LANGRAN_PUBLIC_CACHE_MAX_AGE": "30s"})
	if r := rawRequest(t, "GET", srv.URL+q, "", ""); r.Header.Get("Cache-Control") != "public, max-age=30" {
		t.Errorf("anonymous GET: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	if r := rawRequest(t, "GET", srv.URL+q, "", "", "Authorization", "Bearer x"); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET with credentials: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	if r := rawRequest(t, "POST", srv.URL+"/graphql", "application/json", `{"query":"{ categories(first: 1) { totalCount } }"}`); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	off := sqliteServer(t, nil)
	if r := rawRequest(t, "GET", off.URL+q, "", ""); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("default: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}
