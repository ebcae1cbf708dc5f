package model

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// LinkSigner signs links the service hands out to be opened without a
// token (a QR code's image, a receipt's PDF): HMAC-SHA256 over what the
// link names and until when it works, so a link cannot be changed to name
// something else or to live longer.
type LinkSigner struct {
	key []byte
}

// MinLinkKey is the shortest key a LinkSigner takes, in bytes.
const MinLinkKey = 32

// NewLinkSigner returns a signer with key, which must be at least
// MinLinkKey bytes and the same on every replica.
func NewLinkSigner(key []byte) *LinkSigner {
	if len(key) < MinLinkKey {
		panic("model.NewLinkSigner: key shorter than MinLinkKey")
	}
	return &LinkSigner{key: append([]byte(nil), key...)}
}

// Sign returns the signature of parts valid until expires (the zero time:
// for ever), base64url without padding.
func (s *LinkSigner) Sign(expires time.Time, parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	exp := "0"
	if !expires.IsZero() {
		exp = strconv.FormatInt(expires.Unix(), 10)
	}
	m.Write([]byte(exp))
	for _, p := range parts {
		// Lengths first, so ("ab", "c") and ("a", "bc") sign differently.
		m.Write([]byte("\x00" + strconv.Itoa(len(p)) + ":" + p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig signs parts until expires and expires is not
// before now.
func (s *LinkSigner) Verify(sig string, expires, now time.Time, parts ...string) bool {
	if !expires.IsZero() && now.After(expires) {
		return false
	}
	want := s.Sign(expires, parts...)
	return len(sig) == len(want) && hmac.Equal([]byte(sig), []byte(want))
}

// ParseLinkExpiry reads a link's expiry as written by LinkExpiry: Unix
// seconds, or "0" for none.
func ParseLinkExpiry(s string) (time.Time, bool) {
	if s == "0" {
		return time.Time{}, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strings.HasPrefix(s, "+") {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// LinkExpiry writes an expiry for a link's query.
func LinkExpiry(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}
