// Package graphiql serves the GraphiQL playground that staff use to explore
// and call the API from a browser.
//
// React, ReactDOM and GraphiQL are embedded in the binary (see
// update-assets.sh for their versions) because admin machines sit on closed
// networks where a CDN is out of reach. The page loads nothing from any other
// origin, and its Content-Security-Policy makes sure of that.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
)

// DefaultEndpoint is where the playground sends queries when Handler is given
// an empty endpoint.
const DefaultEndpoint = "/graphql"

// DefaultQuery is what the first tab holds on a browser's first visit
// (GraphiQL remembers the editors' contents after that). It and the sign-in
// tab are exported so that a test beside the schema can check they still
// validate.
const DefaultQuery = `# Langran admin playground. To act as staff, sign in first:
# run the "SignIn" tab (above), copy its accessToken, open "Headers"
# (below) and paste {"Authorization": "Bearer <accessToken>"}.
# Storefront queries such as this one need no token.

query Products {
  products(first: 10) {
    edges {
      node {
        id
        title
        priceRange {
          minVariantPrice {
            amount
            currencyCode
          }
        }
      }
    }
  }
}
`

// SignInQuery is the second tab: how staff get a token, and where to put it.
const SignInQuery = `# Sign in as staff: put your email and password in "Variables"
# (below) and run this. The first owner is created on the server with
# "langran staff create"; others accept an emailed invitation.
#
# Then copy staffAccessToken.accessToken from the result, open
# "Headers" (below) and paste, for every tab:
#
#   {"Authorization": "Bearer lgs_..."}
#
# A staff token lasts 12 hours; staffAccessTokenDelete signs it out.
# Partner API keys go in the same header, or in X-Langran-Api-Key.
mutation SignIn($email: String!, $password: String!) {
  staffAccessTokenCreate(input: { email: $email, password: $password }) {
    staffAccessToken {
      accessToken
      expiresAt
    }
    userErrors {
      field
      code
      message
    }
  }
}
`

// SignInVariables are the sign-in tab's variables, to fill in.
const SignInVariables = `{
  "email": "owner@example.com",
  "password": ""
}
`

// tab is one of GraphiQL's defaultTabs.
type tab struct {
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"`
}

// defaultTabs are the tabs of a first visit: the catalog query (active) and
// the sign-in mutation.
var defaultTabs = []tab{{Query: DefaultQuery}, {Query: SignInQuery, Variables: SignInVariables}}

// contentSecurityPolicy lets the page run only the scripts served by this
// handler and talk only to its own origin; inline and eval'd scripts are
// refused, which is what stands between an XSS and the staff token in the
// headers editor. Styles need 'unsafe-inline': GraphiQL's dialogs (via
// react-remove-scroll) inject <style> elements whose text depends on the
// scrollbar width, so no hash can allow them in advance. Fonts and a few
// images are data: URLs inside graphiql.min.css. browser_test.go opens a
// dialog and fails on any violation, so tightening this is safe to try.
const contentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; " +
	"font-src 'self' data:; " +
	"connect-src 'self'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

//go:embed index.html
var indexHTML string

var pageTemplate = template.Must(template.New("index.html").
	Funcs(template.FuncMap{"asset": assetURL}).
	Parse(indexHTML))

// Handler returns the playground: the page at exactly "/" and its assets
// under "/graphiql/"; every other path is 404. The page sends queries to
// endpoint, DefaultEndpoint if empty. Give a path on the same origin (such as
// "/graphql"): the page's connect-src 'self' blocks any other origin.
//
// Asset URLs in the page are relative, so the handler can also be mounted
// below a prefix with http.StripPrefix, as long as the page itself is reached
// with a trailing slash ("/admin/", not "/admin").
//
// Handler panics if the embedded page template cannot be rendered, which only
// a broken build can cause.
func Handler(endpoint string) http.Handler {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	tabs, err := json.Marshal(defaultTabs)
	if err != nil {
		panic("graphiql: " + err.Error())
	}
	var page bytes.Buffer
	// The tabs travel as JSON in a data attribute (html/template escapes
	// it), so the page needs no inline script.
	err = pageTemplate.Execute(&page, struct{ Endpoint, DefaultQuery, DefaultTabs string }{endpoint, DefaultQuery, string(tabs)})
	if err != nil {
		panic("graphiql: rendering index.html: " + err.Error())
	}
	body := page.Bytes()
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`

	mux := http.NewServeMux()
	// "GET" patterns also answer HEAD; other methods get 405 from the mux.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The page names asset versions, so it must be revalidated on every
		// load for an upgrade to reach browsers; the ETag keeps that cheap.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		// Older browsers ignore frame-ancestors; this is their equivalent.
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
	mux.HandleFunc("GET /graphiql/{name}", serveAsset)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// On every response, 404s included, so no browser ever guesses a
		// type for what we send.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	})
}
