package promptpay

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// The example in Notifications' doc comment and docs/PAYMENTS.md, whose
// signature was made with openssl as the docs show:
//
//	printf '%s' "1796026805.$body" | openssl dgst -sha256 -hmac example-secret-0123456789
const (
	exampleSecret    = "example-secret-0123456789"
	exampleBody      = `{"id":"evt-20261130-0001","reference":"1001-7","transactionRef":"202611301234567","amount":"100.00","currency":"THB","paidAt":"2026-11-30T15:20:00+07:00"}`
	exampleSigned    = 1796026805
	exampleSignature = "t=1796026805,v1=b7299e2aa6d8c67c64cc35610fac7d03453e94f9e03fabf016190e89f2360cb0"
)

func signed(header string) http.Header {
	h := http.Header{}
	if header != "" {
		h.Set(SignatureHeader, header)
	}
	return h
}

func TestSignMatchesOpenSSL(t *testing.T) {
	if got := Sign([]byte(exampleSecret), time.Unix(exampleSigned, 0), []byte(exampleBody)); got != exampleSignature {
		t.Errorf("Sign = %s, want %s", got, exampleSignature)
	}
}

func TestParseWebhook(t *testing.T) {
	n, err := NewNotifications([]byte(exampleSecret))
	if err != nil {
		t.Fatal(err)
	}
	if n.WebhookName() != "promptpay" {
		t.Errorf("WebhookName() = %q", n.WebhookName())
	}
	now := time.Unix(exampleSigned, 0).Add(42 * time.Second)
	ev, err := n.ParseWebhook(signed(exampleSignature), []byte(exampleBody), now)
	if err != nil {
		t.Fatal(err)
	}
	want := payment.Event{
		ID: "evt-20261130-0001", Type: "transfer.received", PaymentRef: "1001-7",
		Kind: model.TxCapture, Status: model.TxSuccess, Amount: 10000, Currency: model.CurrencyTHB,
		Ref: "202611301234567", Created: time.Date(2026, 11, 30, 8, 20, 0, 0, time.UTC),
	}
	if !ev.Created.Equal(want.Created) {
		t.Errorf("Created = %s, want %s", ev.Created, want.Created)
	}
	ev.Created = want.Created
	if *ev != want {
		t.Errorf("ParseWebhook = %+v, want %+v", *ev, want)
	}
}

func TestParseWebhookSignatures(t *testing.T) {
	secret, old := []byte(exampleSecret), []byte("the-previous-secret-0000")
	n, _ := NewNotifications(secret, old)
	signedAt := time.Unix(exampleSigned, 0)
	body := []byte(exampleBody)
	v1 := func(secret []byte) string { return strings.TrimPrefix(Sign(secret, signedAt, body), "t=1796026805,") }
	other := v1([]byte("someone-else-entirely-000"))
	for _, c := range []struct {
		name   string
		header string
		body   string
		now    time.Time
		ok     bool
	}{
		{"signed now", exampleSignature, exampleBody, signedAt, true},
		{"five minutes later", exampleSignature, exampleBody, signedAt.Add(Tolerance), true},
		{"five minutes early", exampleSignature, exampleBody, signedAt.Add(-Tolerance), true},
		{"the previous secret", Sign(old, signedAt, body), exampleBody, signedAt, true},
		{"several v1, the second right", "t=1796026805," + other + "," + v1(secret), exampleBody, signedAt, true},
		{"spaces and a future scheme", " t=1796026805 , v2=abc, " + v1(secret), exampleBody, signedAt, true},
		{"no header", "", exampleBody, signedAt, false},
		{"stale", exampleSignature, exampleBody, signedAt.Add(Tolerance + time.Second), false},
		{"from the future", exampleSignature, exampleBody, signedAt.Add(-Tolerance - time.Second), false},
		{"body changed", exampleSignature, strings.Replace(exampleBody, "100.00", "900.00", 1), signedAt, false},
		{"time changed", "t=1796026806," + v1(secret), exampleBody, signedAt, false},
		{"other secret", "t=1796026805," + other, exampleBody, signedAt, false},
		{"no t", v1(secret), exampleBody, signedAt, false},
		{"two t", "t=1796026805,t=1796026805," + v1(secret), exampleBody, signedAt, false},
		{"t not digits", "t=+1796026805," + v1(secret), exampleBody, signedAt, false},
		{"t too long", "t=0001796026805," + v1(secret), exampleBody, signedAt, false},
		{"no v1", "t=1796026805", exampleBody, signedAt, false},
		{"v1 short", "t=1796026805,v1=abcd", exampleBody, signedAt, false},
		{"v1 not hex", "t=1796026805,v1=" + strings.Repeat("zz", 32), exampleBody, signedAt, false},
		{"not key=value", "t=1796026805,garbage," + v1(secret), exampleBody, signedAt, false},
		{"too many v1", "t=1796026805" + strings.Repeat(","+other, maxSignatures) + "," + v1(secret), exampleBody, signedAt, false},
		{"uppercase key", "T=1796026805,V1=" + strings.TrimPrefix(v1(secret), "v1="), exampleBody, signedAt, false},
	} {
		ev, err := n.ParseWebhook(signed(c.header), []byte(c.body), c.now)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: ParseWebhook: %v", c.name, err)
		case !c.ok && !errors.Is(err, payment.ErrBadSignature):
			t.Errorf("%s: ParseWebhook = %+v, %v; want ErrBadSignature", c.name, ev, err)
		}
	}
}

func TestNewNotificationsRefusesWeakSecrets(t *testing.T) {
	for _, secrets := range [][][]byte{nil, {[]byte("")}, {[]byte("short")}, {[]byte(exampleSecret), []byte("short")}} {
		if _, err := NewNotifications(secrets...); model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Errorf("NewNotifications(%q) = %v, want INVALID", secrets, err)
		}
	}
}

func TestParseWebhookRefusesMalformedBodies(t *testing.T) {
	n, _ := NewNotifications([]byte(exampleSecret))
	now := time.Unix(exampleSigned, 0)
	body := func(replace ...string) string { return strings.NewReplacer(replace...).Replace(exampleBody) }
	for _, c := range []struct {
		name, body, says string
	}{
		{"not JSON", "id=1&amount=100", "malformed JSON"},
		{"truncated", exampleBody[:50], "malformed JSON"},
		{"trailing data", exampleBody + "{}", "malformed JSON"},
		{"an array", "[]", "malformed JSON"},
		{"id a number", body(`"evt-20261130-0001"`, `17`), "malformed JSON"},
		{"no id", body(`"id":"evt-20261130-0001",`, ``), "id is missing"},
		{"no reference", body(`"1001-7"`, `""`), "reference is missing"},
		{"no transfer", body(`"202611301234567"`, `null`), "transactionRef is missing"},
		{"reference too long", body(`"1001-7"`, `"`+strings.Repeat("1", 65)+`"`), "longer than 64"},
		{"control character", body(`"1001-7"`, `"1001-7\n"`), "control characters"},
		{"dollars", body(`"THB"`, `"USD"`), `currency "USD"`},
		{"no currency", body(`,"currency":"THB"`, ``), `currency ""`},
		{"amount a number", body(`"100.00"`, `100.00`), "not a JSON number"},
		{"amount a float", body(`"100.00"`, `1e2`), "not a JSON number"},
		{"no amount", body(`"amount":"100.00",`, ``), "amount: missing"},
		{"amount null", body(`"100.00"`, `null`), "amount: missing"},
		{"amount empty", body(`"100.00"`, `""`), "empty"},
		{"three decimals", body(`"100.00"`, `"100.001"`), "too many decimal places"},
		{"negative", body(`"100.00"`, `"-100.00"`), "sign"},
		{"plus", body(`"100.00"`, `"+100.00"`), "sign"},
		{"zero", body(`"100.00"`, `"0.00"`), "zero"},
		{"thousands", body(`"100.00"`, `"1,000.00"`), "unexpected character"},
		{"exponent", body(`"100.00"`, `"1e2"`), "unexpected character"},
		{"too much", body(`"100.00"`, `"10000000000.00"`), "more than"},
		{"no paidAt", body(`,"paidAt":"2026-11-30T15:20:00+07:00"`, ``), "paidAt is missing"},
		{"paidAt no zone", body(`+07:00`, ``), "not an RFC 3339 time"},
	} {
		b := []byte(c.body)
		ev, err := n.ParseWebhook(signed(Sign([]byte(exampleSecret), now, b)), b, now)
		if errors.Is(err, payment.ErrBadSignature) || model.ErrorCodeOf(err) != model.CodeInvalid || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: ParseWebhook(%s) = %+v, %v; want INVALID saying %q", c.name, c.body, ev, err, c.says)
		}
	}
	// Amounts read exactly, however written.
	for in, want := range map[string]int64{`"100"`: 10000, `"100.5"`: 10050, `"0.01"`: 1, `"0.10"`: 10, `"9999999999.99"`: maxAmount, `"19.99"`: 1999} {
		b := []byte(body(`"100.00"`, in))
		ev, err := n.ParseWebhook(signed(Sign([]byte(exampleSecret), now, b)), b, now)
		if err != nil || ev.Amount != want {
			t.Errorf("amount %s read as %+v, %v; want %d satang", in, ev, err, want)
		}
	}
}
