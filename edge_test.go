package main

// Tests of the GraphQL edge: each covers one class of defect an outside audit
// found (a hostile client, a storefront developer) and failed before the fix.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// introspectionQuery is the query GraphiQL and codegen tools send.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`

// realisticGrid is what a storefront's product grid asks for: prices and
// compare-at prices, options, breadcrumbs, and ten variants with their
// selected options and prices.
const realisticGrid = `query ProductGrid($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: PRICE) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ...ProductCard } }
  }
}
fragment ProductCard on Product {
  id handle title availableForSale tags
  featuredImage { url altText width height }
  priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
  compareAtPriceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
  options { id name values }
  category { id name ancestors { id name handle } }
  variants(first: 10) { nodes { id title sku availableForSale quantityAvailable
    selectedOptions { name value } price { amount currencyCode } compareAtPrice { amount currencyCode } } }
}`

// repeated returns n copies of s joined by spaces.
func repeated(s string, n int) string { return strings.TrimSpace(strings.Repeat(s+" ", n)) }

// The work validation can be asked to do is bounded before it runs: fields
// repeated under one name across fragments are counted as validation merges
// them, whatever fragments hide them, and documents within the limits pass.
func TestValidationWorkIsBoundedBeforeValidation(t *testing.T) {
	srv := sqliteServer(t, nil)
	inline := "{ products(first: 1) { " + repeated("... on ProductConnection { "+repeated("totalCount", 200)+" }", 24) + " } }"
	named := "{ products(first: 1) { " + repeated("...F", 24) + " } } fragment F on ProductConnection { " + repeated("totalCount", 200) + " }"
	var spreads strings.Builder
	spreads.WriteString("{ products(first: 1) { ...F0 } }")
	for i := range 12 {
		fmt.Fprintf(&spreads, " fragment F%d on ProductConnection { ...F%d ...F%d totalCount }", i, i+1, i+1)
	}
	spreads.WriteString(" fragment F12 on ProductConnection { totalCount }")
	nested := "{ " + repeated("products(first: 1) { nodes { "+repeated("variants(first: 1) { totalCount }", 20)+" } }", 20) + " }"
	manyOps := repeated("query Q { ...G }", 10) + " fragment G on Query { products(first: 1) { " + repeated("totalCount", 60) + " } }"
	var ops strings.Builder
	for i := range 400 {
		fmt.Fprintf(&ops, "query Q%d { ...G } ", i)
	}
	ops.WriteString("fragment G on Query { products(first: 1) { nodes { id handle title description createdAt updatedAt } } }")
	for name, q := range map[string]string{
		"inline fragments repeating a field": inline, "named fragments repeating a field": named,
		"fragments spreading fragments": spreads.String(), "nested repeats": nested,
		"operations sharing a wide fragment": ops.String(), "duplicate fields in many operations": manyOps,
	} {
		t.Run(name, func(t *testing.T) {
			before := srv.statements()
			r := srv.post(t, q, nil)
			if len(r.Errors) == 0 || r.Errors[0].Code() != "LIMIT_EXCEEDED" || !strings.Contains(r.Errors[0].Message, "validate") {
				t.Fatalf("not refused by the validation budget (%d bytes): %.300s", len(q), r.Raw)
			}
			if n := srv.statements() - before; n != 0 {
				t.Errorf("%d statements for a refused document", n)
			}
		})
	}
	// What real clients send passes.
	for name, q := range map[string]string{"storefront page": storefrontPageQuery, "introspection": introspectionQuery,
		"realistic grid": realisticGrid} {
		r := srv.post(t, q, map[string]any{"first": 50})
		if len(r.Errors) > 0 {
			t.Errorf("%s refused: %.300s", name, r.Raw)
		}
	}
}

// The budget's count is what validation does: a document's work grows with
// the square of the fields sharing a response name in one merged set.
func TestValidationWorkCountsMergedFields(t *testing.T) {
	parse := func(q string) int {
		t.Helper()
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		return web.ValidationWork(doc, 1<<30)
	}
	distinct := parse("{ a b c d e f g h i j }")
	same := parse("{ " + repeated("a", 10) + " }")
	split := parse("{ " + repeated("... on Query { a }", 10) + " }")
	if distinct != 10 || same != 10+45 || split != same {
		t.Fatalf("work: distinct %d, same %d, same through fragments %d", distinct, same, split)
	}
	// Merged subselections are compared too.
	if got := parse("{ a { x y } a { x y } }"); got != 2+1+4+2 {
		t.Fatalf("merged subselections: %d", got)
	}
	// What real clients send stays far below the budget (docs/API.md quotes these).
	for name, c := range map[string]struct {
		query string
		most  int
	}{"storefront page": {storefrontPageQuery, 20}, "product grid": {realisticGrid, 150}, "introspection": {introspectionQuery, 450}} {
		if got := parse(c.query); got > c.most || got > maxValidationWork/5 {
			t.Errorf("%s costs %d units of validation work; docs/API.md says at most about %d", name, got, c.most)
		}
	}
}

// With introspection off, an introspection query is a client error with its
// own code, never INTERNAL, and nothing is logged as an error.
func TestIntrospectionOffIsAClientError(t *testing.T) {
	prod := sqliteServer(t, map[string]string{"LANGRAN_ENV": "production"})
	for _, q := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Product") { name } }`,
		`{ ...I } fragment I on Query { __schema { types { name } } }`} {
		r := prod.post(t, q, nil)
		if r.Status != 200 || len(r.Errors) != 1 || r.Errors[0].Code() != web.CodeIntrospectionDisabled || r.Data != nil {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
		}
		r = prod.post(t, q, nil, "Accept", web.MediaGraphQLResponse)
		if r.Status != 400 || r.Errors[0].Code() != web.CodeIntrospectionDisabled {
			t.Errorf("%s as graphql-response+json: %d %s", q, r.Status, r.Raw)
		}
	}
	if strings.Contains(prod.logs.String(), "level=ERROR") {
		t.Errorf("introspection refusal logged as an error:\n%s", prod.logs.String())
	}
	// __typename is not introspection: clients add it everywhere.
	prod.post(t, `{ __typename products(first: 1) { __typename } }`, nil).mustData(t)
}

// In production no validation message suggests names: not for fields,
// arguments, enum values, input fields or types.
func TestNoSuggestionsInProduction(t *testing.T) {
	cases := map[string]string{
		"field":       `{ products(first: 1) { totalCont } }`,
		"argument":    `{ products(frist: 1) { totalCount } }`,
		"enum value":  `{ products(first: 1, sortKey: PRCE) { totalCount } }`,
		"input field": `{ products(first: 1, filter: { quer: "x" }) { totalCount } }`,
		"type":        `query($f: ProductFiltr) { products(first: 1, filter: $f) { totalCount } }`,
		"variable":    `query($s: ProductSortKeys) { products(first: 1, sortKey: $s) { totalCount } }`,
	}
	dev, prod := sqliteServer(t, nil), sqliteServer(t, map[string]string{"LANGRAN_ENV": "production"})
	suggested := 0
	for name, q := range cases {
		vars := map[string]any{"s": "PRCE"}
		if r := dev.post(t, q, vars); strings.Contains(r.Raw, "Did you mean") {
			suggested++
		}
		r := prod.post(t, q, vars)
		if len(r.Errors) == 0 {
			t.Errorf("%s: no error", name)
		}
		if strings.Contains(r.Raw, "Did you mean") || strings.Contains(r.Raw, "PRICE") {
			t.Errorf("%s: suggestion in production: %s", name, r.Raw)
		}
	}
	if suggested < 4 {
		t.Errorf("development suggests in only %d cases; the test would prove nothing", suggested)
	}
}

// A small document cannot produce a huge error response: at most 20 errors,
// then one that says how many were left out, with the usual status.
func TestErrorsPerResponseAreCapped(t *testing.T) {
	srv := sqliteServer(t, nil)
	q := "{ products(first: 1) { totalCount " + repeated("@nope", 400) + " } }"
	for _, accept := range []string{"", web.MediaGraphQLResponse} {
		r := srv.post(t, q, nil, "Accept", accept)
		if len(r.Errors) != 21 || r.Errors[20].Code() != "TOO_MANY_ERRORS" || !strings.Contains(r.Errors[20].Message, "more were left out") {
			t.Fatalf("Accept %q: %d errors, last %v", accept, len(r.Errors), r.Errors[len(r.Errors)-1])
		}
		if len(r.Raw) > 8<<10 {
			t.Errorf("Accept %q: %d bytes of errors for a %d-byte document", accept, len(r.Raw), len(q))
		}
		want := 200
		if accept != "" {
			want = 400
		}
		if r.Status != want {
			t.Errorf("Accept %q: status %d, want %d", accept, r.Status, want)
		}
	}
}

// Operation names are labels only when configured: junk names from clients
// cannot grow /metrics or push real operations out.
func TestMetricsLabelOnlyConfiguredOperations(t *testing.T) {
	srv := sqliteServer(t, map[string]string{"LANGRAN_METRICS_OPERATIONS": "ProductGrid,ProductPage"})
	for i := range 500 {
		srv.post(t, fmt.Sprintf(`query Junk%d { __typename }`, i), nil).mustData(t)
	}
	srv.post(t, `query ProductGrid { products(first: 1) { totalCount } }`, nil).mustData(t)
	srv.post(t, `{ __typename }`, nil).mustData(t)
	r := rawRequest(t, "GET", srv.URL+"/metrics", "", "")
	body := readBody(t, r)
	for _, want := range []string{`operation="ProductGrid",status="200"} 1`, `operation="other",status="200"} 500`,
		`operation="anonymous",status="200"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "Junk") {
		t.Error("a client's operation name became a label")
	}
	if len(body) > 64<<10 {
		t.Errorf("/metrics is %d bytes", len(body))
	}
}

// LANGRAN_METRICS_ADDR moves /metrics off the public port.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	app := startAppFull(t, map[string]string{"LANGRAN_METRICS_ADDR": "127.0.0.1:0"})
	if r := rawRequest(t, "GET", "http://"+app.Addr()+"/metrics", "", ""); r.StatusCode != 404 {
		t.Errorf("/metrics on the public port: %d", r.StatusCode)
	}
	r := rawRequest(t, "GET", "http://"+app.MetricsAddr()+"/metrics", "", "")
	if body := readBody(t, r); r.StatusCode != 200 || !strings.Contains(body, "langran_db_queries_total") {
		t.Errorf("/metrics on the metrics listener: %d %.200s", r.StatusCode, body)
	}
}

// Only a successful, error-free, anonymous GET query may be cached publicly:
// a CDN must never keep an unknown persisted query, a refusal or an error.
func TestOnlyErrorFreeAnonymousReadsArePublic(t *testing.T) {
	srv := sqliteServer(t, map[string]string{"LANGRAN_PUBLIC_CACHE_MAX_AGE": "60s"})
	get := func(params url.Values, headers ...string) (*http.Response, string) {
		r := rawRequest(t, "GET", srv.URL+"/graphql?"+params.Encode(), "", "", headers...)
		return r, readBody(t, r)
	}
	q := `{ products(first: 2) { nodes { handle } } }`
	r, body := get(url.Values{"query": {q}})
	if r.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("successful anonymous GET: Cache-Control %q (%s)", r.Header.Get("Cache-Control"), body)
	}
	sum := sha256.Sum256([]byte("{ categories(first: 1) { totalCount } }"))
	unknownHash := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
	for name, c := range map[string]struct {
		params  url.Values
		headers []string
	}{
		"persisted query not found": {url.Values{"extensions": {unknownHash}}, nil},
		"validation failure":        {url.Values{"query": {`{ products(first: 1) { nope } }`}}, nil},
		"parse failure":             {url.Values{"query": {`{ products(`}}, nil},
		"field error":               {url.Values{"query": {`{ products(first: 500) { nodes { handle } } }`}}, nil},
		"cost refused":              {url.Values{"query": {`{ products(first: 100) { nodes { variants(first: 100) { nodes { product { variants(first: 100) { totalCount } } } } } } }`}}, nil},
		"signed in":                 {url.Values{"query": {q}}, []string{"Authorization", "Bearer abc"}},
	} {
		r, body := get(c.params, c.headers...)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q (%d %.200s)", name, cc, r.StatusCode, body)
		}
	}
	post := rawRequest(t, "POST", srv.URL+"/graphql", "application/json", `{"query":"`+q+`"}`)
	if cc := post.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("POST: Cache-Control %q", cc)
	}
}

// Apollo Client 3 sends Accept: */*; a request it gets wrong must come back
// as 200 with the errors, which Apollo only reads from a 2xx.
func TestWildcardAcceptGetsErrorsWith200(t *testing.T) {
	srv := sqliteServer(t, nil)
	for _, accept := range []string{"*/*", "application/json", "", "application/*", "application/graphql-response+json;q=0.5, application/json"} {
		r := srv.post(t, `{ products(first: 1) { nope } }`, nil, "Accept", accept)
		if r.Status != 200 || len(r.Errors) == 0 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("Accept %q: %d %s %s", accept, r.Status, r.Header.Get("Content-Type"), r.Raw)
		}
	}
	r := srv.post(t, `{ products(first: 1) { nope } }`, nil, "Accept", "application/json;q=0.5, application/graphql-response+json")
	if r.Status != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), web.MediaGraphQLResponse) {
		t.Errorf("preferring graphql-response+json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	// Limit and cost refusals are request errors like any other.
	var aliases []string
	for i := range 40 {
		aliases = append(aliases, fmt.Sprintf("a%d: __typename", i))
	}
	for _, q := range []string{
		`{ products(first: 100) { nodes { variants(first: 100) { nodes { product { variants(first: 100) { totalCount } } } } } } }`,
		"{ " + strings.Join(aliases, " ") + " }",
	} {
		r := srv.post(t, q, nil, "Accept", web.MediaGraphQLResponse)
		if r.Status != 400 || r.Data != nil || len(r.Errors) == 0 {
			t.Errorf("refusal under graphql-response+json: %d %.200s", r.Status, r.Raw)
		}
	}
}

// Browsers preflight the headers real clients add; they must be allowed.
func TestCORSAllowsWhatClientsSend(t *testing.T) {
	srv := sqliteServer(t, map[string]string{"LANGRAN_CORS_ORIGINS": "https://shop.example", "LANGRAN_CORS_HEADERS": "X-Shop-Region"})
	r := rawRequest(t, "OPTIONS", srv.URL+"/graphql", "", "", "Origin", "https://shop.example",
		"Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "content-type,apollographql-client-name,apollographql-client-version,traceparent,x-shop-region")
	allowed := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"content-type", "apollographql-client-name", "apollographql-client-version", "traceparent",
		"tracestate", "baggage", "x-shop-region", "authorization"} {
		if !slices.Contains(strings.Split(strings.ReplaceAll(allowed, " ", ""), ","), h) {
			t.Errorf("preflight does not allow %s: %q", h, allowed)
		}
	}
	if r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
}

// Every INVALID error about an input names it the same way: extensions.field
// is the path of the argument or input field, as a list of names.
func TestInvalidErrorsNameTheirInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		priceCursor := model.EncodeCursor(model.Cursor{SortKey: "PRICE", ID: 1, Value: "100"})
		product := model.EncodeGlobalID(model.TypeProduct, 1)
		cases := []struct {
			name, query string
			vars        map[string]any
			field       []string
		}{
			{"first over max", `{ products(first: 101) { totalCount } }`, nil, []string{"first"}},
			{"last over max", `{ categories(last: 500) { totalCount } }`, nil, []string{"last"}},
			{"bad after", `{ products(first: 1, after: "zz") { totalCount } }`, nil, []string{"after"}},
			{"bad before", `{ products(last: 1, before: "zz") { totalCount } }`, nil, []string{"before"}},
			{"after of another sort", `query($c: String) { products(first: 1, after: $c) { totalCount } }`, map[string]any{"c": priceCursor}, []string{"after"}},
			{"before of another sort", `query($c: String) { products(last: 1, before: $c) { totalCount } }`, map[string]any{"c": priceCursor}, []string{"before"}},
			{"before of another list", `query($c: String) { categories(last: 1, before: $c) { totalCount } }`, map[string]any{"c": priceCursor}, []string{"before"}},
			{"variants cursor", `query($c: String) { products(first: 1) { nodes { variants(last: 1, before: $c) { totalCount } } } }`, map[string]any{"c": priceCursor}, []string{"before"}},
			{"bad decimal literal", `{ products(first: 1, filter: { price: { min: "1e3" } }) { totalCount } }`, nil, []string{"filter", "price", "min"}},
			{"decimal as number", `query($m: Decimal) { products(first: 1, filter: { price: { max: $m } }) { totalCount } }`, map[string]any{"m": 5.5}, []string{"filter", "price", "max"}},
			{"negative price", `{ products(first: 1, filter: { price: { min: "-5" } }) { totalCount } }`, nil, []string{"filter", "price", "min"}},
			{"min over max", `{ products(first: 1, filter: { price: { min: "9", max: "5" } }) { totalCount } }`, nil, []string{"filter", "price"}},
			{"category id", `{ products(first: 1, filter: { categoryId: "x" }) { totalCount } }`, nil, []string{"filter", "categoryId"}},
			{"NUL in query", `query($q: String) { products(first: 1, filter: { query: $q }) { totalCount } }`, map[string]any{"q": "co\x00ffee"}, []string{"filter", "query"}},
			{"NUL in tag", `query($q: String) { products(first: 1, filter: { tag: $q }) { totalCount } }`, map[string]any{"q": "\x00"}, []string{"filter", "tag"}},
			{"NUL in handle", `query($h: String) { product(handle: $h) { id } }`, map[string]any{"h": "batik\x00"}, []string{"handle"}},
			{"product id", `{ product(id: "x") { id } }`, nil, []string{"id"}},
			{"node id", `{ node(id: "x") { id } }`, nil, []string{"id"}},
			{"nodes id", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{product, "x"}}, []string{"ids", "1"}},
		}
		for _, c := range cases {
			r := srv.post(t, c.query, c.vars)
			if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID" {
				t.Errorf("%s: %s", c.name, r.Raw)
				continue
			}
			var got []string
			raw, _ := json.Marshal(r.Errors[0].Extensions["field"])
			_ = json.Unmarshal(raw, &got)
			if !slices.Equal(got, c.field) {
				t.Errorf("%s: field %v, want %v (%s)", c.name, got, c.field, r.Raw)
			}
			if p := r.Errors[0].Path; len(p) == 0 || p[len(p)-1] == "min" || p[len(p)-1] == "price" {
				t.Errorf("%s: path %v is not the field's response path", c.name, p)
			}
		}
	})
}

// The language comes from @inContext on the operation when given, over the
// Accept-Language header, so one client cache can keep languages apart.
func TestInContextLanguage(t *testing.T) {
	srv := sqliteServer(t, nil)
	thai := srv.post(t, `query P @inContext(language: TH) { product(handle: "organic-cotton-tee") { title category { name } } }`, nil).mustData(t)
	if at(thai, "product", "title") != "เสื้อยืดคอตตอนออร์แกนิก" || at(thai, "product", "category", "name") != "เสื้อยืด" {
		t.Errorf("@inContext(language: TH): %v", thai)
	}
	en := srv.post(t, `query P @inContext(language: EN) { product(handle: "organic-cotton-tee") { title } }`, nil,
		"Accept-Language", "th").mustData(t)
	if at(en, "product", "title") != "Organic Cotton Tee" {
		t.Errorf("@inContext(language: EN) over Accept-Language: th: %v", en)
	}
	q := srv.post(t, `{ product(handle: "organic-cotton-tee") { title } }`, nil, "Accept-Language", "en;q=0.1, th;q=0.9").mustData(t)
	if at(q, "product", "title") != "เสื้อยืดคอตตอนออร์แกนิก" {
		t.Errorf("Accept-Language q-values: %v", q)
	}
}

// The cost of what storefronts really send fits the default limit; nested
// lists that multiply into thousands of rows do not.
func TestStorefrontQueriesFitTheCostLimit(t *testing.T) {
	srv := sqliteServer(t, nil)
	// docs/API.md works these figures out by hand.
	for first, want := range map[int]float64{20: 441, 50: 1101, 100: 2201} {
		r := srv.post(t, realisticGrid, map[string]any{"first": first})
		r.mustData(t)
		if got := at(r.Extensions, "cost", "requestedQueryCost"); got != want {
			t.Errorf("realistic grid, first %d: cost %v, want %v", first, got, want)
		}
	}
	page := srv.post(t, `query ProductPage($handle: String!) { product(handle: $handle) { id title description tags
		images { url altText } options { name values } category { name ancestors { name } }
		variants(first: 100) { nodes { id title sku price { amount } compareAtPrice { amount } quantityAvailable selectedOptions { name value } } } } }`,
		map[string]any{"handle": "organic-cotton-tee"})
	page.mustData(t)
	category := srv.post(t, `{ category(handle: "clothing") { name children { name products(first: 8) { nodes { title priceRange { minVariantPrice { amount } } } } } } }`, nil)
	category.mustData(t)
	for name, q := range map[string]string{
		"variants of variants":          `{ products(first: 100) { nodes { variants(first: 100) { nodes { product { variants(first: 100) { totalCount } } } } } } }`,
		"category products of products": `{ products(first: 100) { nodes { category { products(first: 100) { nodes { variants(first: 50) { nodes { id } } } } } } } }`,
		"nodes of everything":           `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Category { products(first: 100) { nodes { variants(first: 100) { nodes { id } } } } } } }`,
	} {
		r := srv.post(t, q, map[string]any{"ids": slices.Repeat([]any{model.EncodeGlobalID(model.TypeCategory, 1)}, 50)})
		if len(r.Errors) == 0 || r.Errors[0].Code() != web.CodeCostExceeded {
			t.Errorf("%s was not refused: %.300s", name, r.Raw)
		}
	}
}

// Images are nodes, with the visibility of their product.
func TestImageIsANode(t *testing.T) {
	srv := newTestServer(t, storetest.SQLite, 0, nil)
	d := srv.post(t, `{ product(handle: "organic-cotton-tee") { featuredImage { id url } } }`, nil).mustData(t)
	id := at(d, "product", "featuredImage", "id").(string)
	n := srv.post(t, `query($id: ID!) { node(id: $id) { id ... on Image { url } } }`, map[string]any{"id": id}).mustData(t)
	if at(n, "node", "id") != id || at(n, "node", "url") != at(d, "product", "featuredImage", "url") {
		t.Fatalf("node(image id): %v", n)
	}
	// An image of an archived product.
	db := srv.store.DB(t.Context())
	var product int64
	if err := db.Raw("SELECT id FROM products WHERE status = ? LIMIT 1", model.ProductArchived).Scan(&product).Error; err != nil || product == 0 {
		t.Fatalf("no archived product: %v", err)
	}
	img := model.ProductImage{ProductID: product, URL: "https://cdn.example/archived.jpg"}
	if err := db.Table("product_images").Create(&img).Error; err != nil {
		t.Fatal(err)
	}
	archived := img.ID
	hidden := srv.post(t, `query($id: ID!) { node(id: $id) { id } }`,
		map[string]any{"id": model.EncodeGlobalID(model.TypeProductImage, archived)}).mustData(t)
	if hidden["node"] != nil {
		t.Errorf("image of an archived product: %v", hidden)
	}
}

// categories pages backward with last/before like every connection.
func TestCategoriesPageBothWays(t *testing.T) {
	srv := sqliteServer(t, nil)
	q := `query($first: Int, $after: String, $last: Int, $before: String) { categories(first: $first, after: $after, last: $last, before: $before) {
		nodes { handle } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	handles := func(d map[string]any) []string {
		var out []string
		for _, n := range at(d, "categories", "nodes").([]any) {
			out = append(out, at(n, "handle").(string))
		}
		return out
	}
	all := handles(srv.post(t, q, map[string]any{"first": 100}).mustData(t))
	var back []string
	var before any
	for {
		d := srv.post(t, q, map[string]any{"last": 7, "before": before}).mustData(t)
		back = append(handles(d), back...)
		if at(d, "categories", "pageInfo", "hasPreviousPage") != true {
			break
		}
		before = at(d, "categories", "pageInfo", "startCursor")
	}
	if len(all) < 15 || !slices.Equal(back, all) {
		t.Fatalf("backward %v\nforward %v", back, all)
	}
}

// sortKey: TITLE follows the request's language: Thai readers get the Thai
// titles in order, and a Thai cursor is refused in the English order.
func TestTitleSortFollowsTheLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, nil)
		q := `query($after: String) { products(first: 100, after: $after, sortKey: TITLE) { nodes { title } pageInfo { endCursor } } }`
		titles := func(d map[string]any) []string {
			var out []string
			for _, n := range at(d, "products", "nodes").([]any) {
				out = append(out, at(n, "title").(string))
			}
			return out
		}
		th := srv.post(t, q, nil, "Accept-Language", "th").mustData(t)
		en := srv.post(t, q, nil).mustData(t)
		thTitles, enTitles := titles(th), titles(en)
		if slices.Equal(thTitles, enTitles) || len(thTitles) != len(enTitles) {
			t.Fatalf("Thai and English orders are the same list:\n%v", thTitles)
		}
		keys := make([]string, len(thTitles))
		for i, title := range thTitles {
			keys[i] = model.TitleSortKey(title)
		}
		if !slices.IsSorted(keys) {
			t.Errorf("Thai titles out of order: %v", thTitles)
		}
		r := srv.post(t, q, map[string]any{"after": at(th, "products", "pageInfo", "endCursor")})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID" || fmt.Sprint(r.Errors[0].Extensions["field"]) != "[after]" {
			t.Errorf("a Thai TITLE cursor in the English order: %s", r.Raw)
		}
	})
}
