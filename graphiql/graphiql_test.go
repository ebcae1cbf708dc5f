package graphiql

import (
	"bytes"
	"compress/gzip"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func serve(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// srcOrHref finds the URLs the page would make the browser load.
var srcOrHref = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

func TestPage(t *testing.T) {
	h := Handler("/graphql")
	resp := serve(t, h, "GET", "/", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"Cache-Control":          "no-cache",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
		}
	}
	if strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy allows eval: %q", csp)
	}

	page := string(readAll(t, resp.Body))
	for _, want := range []string{
		"<title>Langran admin</title>",
		`data-endpoint="/graphql"`,
		"products(first: 10)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	// Every asset the page loads must be one of ours, served by this handler,
	// at its current version.
	urls := srcOrHref.FindAllStringSubmatch(page, -1)
	if len(urls) < 6 {
		t.Fatalf("page links %d assets, want at least 6:\n%s", len(urls), page)
	}
	linked := make(map[string]bool)
	for _, m := range urls {
		u := html.UnescapeString(m[1])
		if strings.Contains(u, "//") {
			t.Errorf("page loads %q from another origin", u)
			continue
		}
		name, version, ok := strings.Cut(strings.TrimPrefix(u, "graphiql/"), "?v=")
		a := assets[name]
		if !strings.HasPrefix(u, "graphiql/") || !ok || a == nil || version != a.version {
			t.Errorf("page links %q, not a current asset of ours", u)
			continue
		}
		linked[name] = true
		if r := serve(t, h, "GET", "/"+u, nil); r.StatusCode != http.StatusOK {
			t.Errorf("GET /%s = %d", u, r.StatusCode)
		}
	}
	for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "playground.js"} {
		if !linked[name] {
			t.Errorf("page does not load %s", name)
		}
	}
}

func TestPageEscapesEndpoint(t *testing.T) {
	for _, tc := range []struct{ endpoint, want string }{
		{"", `data-endpoint="/graphql"`},
		{"/api/graphql?x=1&y=2", `data-endpoint="/api/graphql?x=1&amp;y=2"`},
		{`/q"><script>alert(1)</script>`, `data-endpoint="/q&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`},
	} {
		page := string(readAll(t, serve(t, Handler(tc.endpoint), "GET", "/", nil).Body))
		if !strings.Contains(page, tc.want) {
			t.Errorf("Handler(%q): page lacks %s", tc.endpoint, tc.want)
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("Handler(%q): endpoint reached the page unescaped", tc.endpoint)
		}
	}
}

func TestAssets(t *testing.T) {
	h := Handler("")
	gzipOK := http.Header{"Accept-Encoding": {"gzip, deflate, br"}}
	for _, name := range []string{
		"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js",
		"playground.js", "playground.css", "favicon.svg", "LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom",
	} {
		t.Run(name, func(t *testing.T) {
			a := assets[name]
			if a == nil {
				t.Fatalf("asset %s not embedded", name)
			}
			plain := serve(t, h, "GET", "/graphiql/"+name, nil)
			if plain.StatusCode != http.StatusOK {
				t.Fatalf("GET = %d", plain.StatusCode)
			}
			if ce := plain.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding = %q for a client that accepts no gzip", ce)
			}
			plainBody := readAll(t, plain.Body)
			if cl := plain.Header.Get("Content-Length"); cl != strconv.Itoa(len(plainBody)) {
				t.Errorf("Content-Length = %s, body is %d bytes", cl, len(plainBody))
			}
			if len(plainBody) == 0 {
				t.Error("empty body")
			}

			zipped := serve(t, h, "GET", "/graphiql/"+name, gzipOK)
			body := readAll(t, zipped.Body)
			if a.gzipped {
				if ce := zipped.Header.Get("Content-Encoding"); ce != "gzip" {
					t.Fatalf("Content-Encoding = %q, want gzip", ce)
				}
				if len(body) >= len(plainBody) {
					t.Errorf("gzip body is %d bytes, plain %d", len(body), len(plainBody))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body = readAll(t, zr)
				if !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
					t.Error("Vary lacks Accept-Encoding")
				}
			}
			if !bytes.Equal(body, plainBody) {
				t.Error("gzip and plain responses decode to different bytes")
			}

			for _, r := range []*http.Response{plain, zipped} {
				if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
				if got := r.Header.Get("Content-Type"); got != a.contentType || got == "" {
					t.Errorf("Content-Type = %q, want %q", got, a.contentType)
				}
			}
			if a.gzipped && plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
				t.Error("gzip and plain responses share an ETag")
			}
		})
	}
	if got := assets["graphiql.min.js"].contentType; got != "text/javascript; charset=utf-8" {
		t.Errorf("graphiql.min.js served as %q", got)
	}
}

func TestAssetCaching(t *testing.T) {
	h := Handler("")
	a := assets["graphiql.min.js"]
	versioned := serve(t, h, "GET", "/graphiql/graphiql.min.js?v="+a.version, nil)
	if cc := versioned.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned URL: Cache-Control = %q, want immutable", cc)
	}
	for _, target := range []string{"/graphiql/graphiql.min.js", "/graphiql/graphiql.min.js?v=stale"} {
		if cc := serve(t, h, "GET", target, nil).Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control = %q, want no-cache", target, cc)
		}
	}

	etag := versioned.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := serve(t, h, "GET", "/graphiql/graphiql.min.js", http.Header{"If-None-Match": {inm}})
		if r.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match %s: status %d, want 304", inm, r.StatusCode)
		}
		if len(readAll(t, r.Body)) != 0 {
			t.Errorf("If-None-Match %s: 304 with a body", inm)
		}
	}
	// The plain ETag must not validate a cached gzip copy, and vice versa.
	r := serve(t, h, "GET", "/graphiql/graphiql.min.js", http.Header{"If-None-Match": {etag}, "Accept-Encoding": {"gzip"}})
	if r.StatusCode != http.StatusOK {
		t.Errorf("plain ETag, gzip request: status %d, want 200", r.StatusCode)
	}

	page := serve(t, h, "GET", "/", nil)
	if r := serve(t, h, "GET", "/", http.Header{"If-None-Match": {page.Header.Get("ETag")}}); r.StatusCode != http.StatusNotModified {
		t.Errorf("page revalidation: status %d, want 304", r.StatusCode)
	}
}

func TestHead(t *testing.T) {
	h := Handler("")
	for _, tc := range []struct {
		target string
		header http.Header
	}{
		{"/", nil},
		{"/graphiql/graphiql.min.js", nil},
		{"/graphiql/graphiql.min.js", http.Header{"Accept-Encoding": {"gzip"}}},
		{"/graphiql/playground.css", nil},
	} {
		get := serve(t, h, "GET", tc.target, tc.header)
		getBody := readAll(t, get.Body)
		head := serve(t, h, "HEAD", tc.target, tc.header)
		if head.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s = %d", tc.target, head.StatusCode)
		}
		if n := len(readAll(t, head.Body)); n != 0 {
			t.Errorf("HEAD %s has a %d-byte body", tc.target, n)
		}
		for _, name := range []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag"} {
			if head.Header.Get(name) != get.Header.Get(name) {
				t.Errorf("HEAD %s: %s = %q, GET has %q", tc.target, name, head.Header.Get(name), get.Header.Get(name))
			}
		}
		if head.Header.Get("Content-Length") != strconv.Itoa(len(getBody)) {
			t.Errorf("HEAD %s: Content-Length %s, GET body is %d bytes", tc.target, head.Header.Get("Content-Length"), len(getBody))
		}
	}
}

func TestNotFound(t *testing.T) {
	h := Handler("")
	for _, target := range []string{
		"/index.html", "/graphql", "/favicon.ico", "/graphiql/", "/graphiql/nope.js",
		"/graphiql/graphiql.min.js.gz", "/graphiql/assets/graphiql.min.js.gz", "/graphiql/graphiql.min.js/x",
	} {
		r := serve(t, h, "GET", target, nil)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, r.StatusCode)
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q", target, got)
		}
	}
	if r := serve(t, h, "POST", "/", nil); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", r.StatusCode)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"GZIP":                  true,
		"deflate, gzip;q=0.5":   true,
		"br, x-gzip":            true,
		"gzip;q=0":              false,
		"gzip; q=0.0, *":        false,
		"*":                     true,
		"*;q=0":                 false,
		"identity":              false,
		"br;q=1.0, gzip;q=0.1 ": true,
		"gzip;q=nonsense":       false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestUpdateScriptVendorsEveryServedBundle(t *testing.T) {
	// Each gzipped file must come from update-assets.sh, or the next upgrade
	// would silently leave it behind at an old version.
	raw, err := os.ReadFile("update-assets.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(raw)
	for name, a := range assets {
		if a.gzipped && !strings.Contains(script, " "+name+"\n") {
			t.Errorf("update-assets.sh does not produce %s.gz", name)
		}
	}
}
