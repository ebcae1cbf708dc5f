package stripe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/payment"
)

// FuzzParseWebhook feeds the parser arbitrary headers and bodies. It must
// never panic; it must accept a header only when it carries the body's
// true signature (checked here independently of the parser); a body
// signed with SignPayload must pass verification; and that body with any
// one byte changed must be refused.
func FuzzParseWebhook(f *testing.F) {
	now := time.Unix(1764510000, 0)
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(SignPayload(testWebhookSecret, now, body), body, uint16(17))
		f.Add("t=1764510000,v1=00", body, uint16(0))
	}
	f.Add("", []byte(nil), uint16(0))
	f.Add("t=,v1=,v1=zz,,,=", []byte("{}"), uint16(1))

	p, err := New(Config{SecretKey: "sk_test_fuzz", WebhookSecret: testWebhookSecret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header string, body []byte, flip uint16) {
		// Arbitrary input: refused unless truly signed.
		h := http.Header{}
		h.Set(SignatureHeader, header)
		_, err := p.ParseWebhook(h, body, now)
		if !errors.Is(err, payment.ErrBadSignature) && !carriesSignature(header, body) {
			t.Fatalf("accepted a header without the body's signature: %q (err %v)", header, err)
		}

		// The body signed properly: verified (it may still not decode).
		good := http.Header{}
		good.Set(SignatureHeader, SignPayload(testWebhookSecret, now, body))
		if _, err := p.ParseWebhook(good, body, now); errors.Is(err, payment.ErrBadSignature) {
			t.Fatalf("refused a signed body: %v", err)
		}

		// One byte changed: refused.
		if len(body) == 0 {
			return
		}
		tampered := append([]byte(nil), body...)
		i := int(flip) % len(tampered)
		tampered[i] ^= byte(flip>>8) | 1
		ev, err := p.ParseWebhook(good, tampered, now)
		if !errors.Is(err, payment.ErrBadSignature) || ev != nil {
			t.Fatalf("accepted a tampered body: %+v, %v", ev, err)
		}
	})
}

// carriesSignature reports whether header has a t= and a v1= that is the
// HMAC of "<t>.<body>" under the test secret.
func carriesSignature(header string, body []byte) bool {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	mac := hmac.New(sha256.New, []byte(testWebhookSecret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if b, err := hex.DecodeString(s); err == nil && hmac.Equal(b, want) {
			return true
		}
	}
	return false
}
