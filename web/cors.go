package web

import (
	"net/http"
	"slices"
	"strings"
)

// DefaultCORSHeaders are the request headers browsers may send cross-origin
// by default: the ones this API reads, and the ones common GraphQL clients
// and tracing libraries add (Apollo Client's client awareness headers, W3C
// trace context, Sentry), so that a storefront using them is not blocked by
// its own preflight.
var DefaultCORSHeaders = []string{
	"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Langran-Api-Key", "X-Request-ID",
	"apollographql-client-name", "apollographql-client-version", "apollo-require-preflight", "GraphQL-Require-Preflight",
	"x-apollo-operation-name", "traceparent", "tracestate", "baggage", "sentry-trace",
}

// CORSOptions configure CORS.
type CORSOptions struct {
	// Origins lists exact origins ("https://shop.example.com"); "*" allows
	// any origin.
	Origins []string
	// Headers are the request headers allowed besides DefaultCORSHeaders.
	Headers []string
}

// CORS lets browser storefronts on other origins call the API. "*" as an
// origin is safe here because credentials travel in the Authorization
// header, never in cookies. Preflight requests are answered here with 204.
func CORS(o CORSOptions) func(http.Handler) http.Handler {
	anyOrigin := slices.Contains(o.Origins, "*")
	allowHeaders := strings.Join(append(slices.Clone(DefaultCORSHeaders), o.Headers...), ", ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if !anyOrigin {
				// The answer depends on Origin: shared caches must key on it.
				w.Header().Add("Vary", "Origin")
			}
			if origin == "" || (!anyOrigin && !slices.Contains(o.Origins, origin)) {
				if r.Method == http.MethodOptions {
					w.Header().Set("Allow", "GET, POST, OPTIONS")
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			if anyOrigin {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", allowHeaders)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
