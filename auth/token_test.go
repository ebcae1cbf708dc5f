package auth

import (
	"strings"
	"testing"
)

var prefixes = []string{PrefixCustomerToken, PrefixStaffToken, PrefixAPIKey, PrefixResetToken, PrefixInvitation}

// Every secret NewSecret makes is well formed for its own prefix only, and
// its hash is 64 hex digits that differ between secrets.
func TestNewSecretRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range prefixes {
		for range 50 {
			s, h, err := NewSecret(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range prefixes {
				if WellFormedSecret(s, q) != (p == q) {
					t.Fatalf("%s well formed for %s: %v", s, q, !(p == q))
				}
			}
			if h != HashSecret(s) || len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" || seen[h] {
				t.Fatalf("hash %q of %s", h, s)
			}
			seen[h] = true
		}
	}
}

// Whatever is sent as a secret, checking it never panics, and what passes
// has the prefix and exactly secretLen characters of base64url after it.
func FuzzWellFormedSecret(f *testing.F) {
	s, _, _ := NewSecret(PrefixCustomerToken)
	for _, seed := range []string{s, s + "=", s[:len(s)-1], "lgc_", "", "lgc_" + strings.Repeat("é", 22), strings.ToUpper(s)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range prefixes {
			if !WellFormedSecret(s, p) {
				continue
			}
			rest := strings.TrimPrefix(s, p)
			if !strings.HasPrefix(s, p) || len(rest) != secretLen ||
				strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Fatalf("%q accepted for %s", s, p)
			}
		}
	})
}

// Whatever arrives in Authorization, parsing never panics; a token it
// returns has no surrounding space, and sending it again as a bearer
// credential gives it back (a round trip); an empty header is anonymous.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"", "Bearer lgc_x", "bearer  lgc_x ", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "BEARER a b", "\tBearer\tx"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, h string) {
		token, ok := BearerToken(h)
		if strings.TrimSpace(h) == "" {
			if !ok || token != "" {
				t.Fatalf("empty header %q: %q %v", h, token, ok)
			}
			return
		}
		if !ok {
			if token != "" {
				t.Fatalf("%q refused but returned %q", h, token)
			}
			return
		}
		if token != strings.TrimSpace(token) {
			t.Fatalf("%q gave %q with spaces around it", h, token)
		}
		if again, ok := BearerToken("Bearer " + token); !ok || again != token {
			t.Fatalf("%q -> %q -> %q %v", h, token, again, ok)
		}
	})
}

// The token in a reset link comes back out of it, and whatever is sent as
// a link, taking the token out never panics.
func FuzzResetTokenFromURL(f *testing.F) {
	tok, _, _ := NewSecret(PrefixResetToken)
	for _, seed := range []string{link("https://shop.example.com", "/account/reset", tok), "::", "https://x/?token=a&token=b", "%zz", "?token=%"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, u string) {
		got := ResetTokenFromURL(u)
		if WellFormedSecret(got, PrefixResetToken) {
			if ResetTokenFromURL(link("https://shop.example.com", "/account/reset", got)) != got {
				t.Fatalf("%q does not round-trip", got)
			}
		}
	})
}

func TestResetTokenFromURL(t *testing.T) {
	tok, _, _ := NewSecret(PrefixResetToken)
	for u, want := range map[string]string{
		link("https://shop.example.com/th", "/account/reset", tok):           tok,
		" " + link("https://shop.example.com", "/account/reset", tok) + "\n": tok,
		"https://shop.example.com/account/reset":                             "",
		"::not a url::":                                                      "",
	} {
		if got := ResetTokenFromURL(u); got != want {
			t.Errorf("%q: %q, want %q", u, got, want)
		}
	}
}
