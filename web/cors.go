package web

import (
	"net/http"
	"slices"
	"strings"
)

// CORS lets browser storefronts on other origins call the API. allowed lists
// exact origins ("https://shop.example.com"); "*" allows any origin, which is
// safe here because credentials travel in the Authorization header, never in
// cookies. Preflight requests are answered here with 204; the allowed
// headers are the ones clients of this API send.
func CORS(allowed []string) func(http.Handler) http.Handler {
	anyOrigin := slices.Contains(allowed, "*")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if !anyOrigin {
				// The answer depends on Origin: shared caches must key on it.
				w.Header().Add("Vary", "Origin")
			}
			if origin == "" || (!anyOrigin && !slices.Contains(allowed, origin)) {
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
			h.Set("Access-Control-Expose-Headers", "X-Request-ID")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", strings.Join([]string{
					"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Langran-Api-Key", "X-Request-ID",
				}, ", "))
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
