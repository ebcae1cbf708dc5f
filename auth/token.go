package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Secrets (access tokens and API keys) are 32 random bytes, base64url, behind
// a prefix that says what they are, so that a leaked one is recognisable
// (secret scanners match prefixes) and so that authentication knows which
// table to look in. Only their SHA-256 is stored: they carry 256 bits of
// entropy, so a fast hash is enough to make a stolen table useless.
const (
	PrefixCustomerToken = "lgc_"
	PrefixStaffToken    = "lgs_"
	PrefixAPIKey        = "lgk_"
	PrefixResetToken    = "lgr_"
	PrefixInvitation    = "lgi_"
)

// secretLen is the length of a secret after its prefix.
const secretLen = 43

// NewSecret returns a new secret with prefix and the hash to store.
func NewSecret(prefix string) (secret, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret), nil
}

// HashSecret is the stored form of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WellFormedSecret reports whether s has the shape of a secret with prefix,
// so that garbage is refused without touching the database.
func WellFormedSecret(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != secretLen {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// BearerToken extracts the credential from an Authorization header
// ("Bearer <token>", scheme case-insensitive). ok is false when the header
// is present but not a bearer credential.
func BearerToken(header string) (token string, ok bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", true
	}
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}
