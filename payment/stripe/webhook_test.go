package stripe

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

const testWebhookSecret = "whsec_test_langran"

func newWebhookProvider(t testing.TB) *Provider {
	t.Helper()
	p, err := New(Config{SecretKey: "sk_test_webhooks", WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signed(secret string, t time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(SignatureHeader, SignPayload(secret, t, body))
	return h
}

func TestParseWebhookDecodesTheEventsTheLedgerUses(t *testing.T) {
	p := newWebhookProvider(t)
	at := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	cases := []struct {
		file string
		want *payment.Event // nil: acknowledged and ignored
	}{
		{"payment_intent.succeeded", &payment.Event{
			ID: "evt_3Succeeded", Type: "payment_intent.succeeded", PaymentID: 42, PaymentRef: "pi_3Succeeded",
			Kind: model.TxCapture, Status: model.TxSuccess, Amount: 125000, Currency: model.CurrencyTHB,
			Ref: "ch_3Succeeded", Created: at(1764510000),
		}},
		{"payment_intent.amount_capturable_updated", &payment.Event{
			ID: "evt_3Capturable", Type: "payment_intent.amount_capturable_updated", PaymentID: 43, PaymentRef: "pi_3Held",
			Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: 99000, Currency: model.CurrencyTHB,
			Ref: "ch_3Held", Created: at(1764510100),
		}},
		{"payment_intent.payment_failed", &payment.Event{
			ID: "evt_3Failed", Type: "payment_intent.payment_failed", PaymentID: 44, PaymentRef: "pi_3Failed",
			Kind: model.TxAuthorization, Status: model.TxFailure, Amount: 5000, Currency: model.CurrencyTHB,
			Ref: "ch_3FailedAttempt", ErrorCode: "card_declined", Created: at(1764510200),
		}},
		{"payment_intent.canceled", &payment.Event{
			ID: "evt_3Canceled", Type: "payment_intent.canceled", PaymentID: 0, PaymentRef: "pi_3Canceled",
			Kind: model.TxVoid, Status: model.TxSuccess, Amount: 99000, Currency: model.CurrencyTHB,
			Ref: "pi_3Canceled", Created: at(1764510300),
		}},
		{"refund.created", &payment.Event{
			ID: "evt_3RefundCreated", Type: "refund.created", PaymentID: 42, PaymentRef: "pi_3Succeeded",
			Kind: model.TxRefund, Status: model.TxPending, Amount: 25000, Currency: model.CurrencyTHB,
			Ref: "re_3Partial", Created: at(1764510400),
		}},
		{"refund.updated", &payment.Event{
			ID: "evt_3RefundUpdated", Type: "refund.updated", PaymentID: 42, PaymentRef: "pi_3Succeeded",
			Kind: model.TxRefund, Status: model.TxSuccess, Amount: 25000, Currency: model.CurrencyTHB,
			Ref: "re_3Partial", Created: at(1764510500),
		}},
		{"refund.failed", &payment.Event{ // made in the Dashboard: no metadata, expanded payment_intent
			ID: "evt_3RefundFailed", Type: "refund.failed", PaymentID: 0, PaymentRef: "pi_3Succeeded",
			Kind: model.TxRefund, Status: model.TxFailure, Amount: 125000, Currency: model.CurrencyTHB,
			Ref: "re_3Dashboard", ErrorCode: "expired_or_canceled_card", Created: at(1764510600),
		}},
		{"charge.refunded", nil},
		{"customer.created", nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			body := readEvent(t, c.file)
			now := time.Unix(1764510000, 0)
			got, err := p.ParseWebhook(signed(testWebhookSecret, now, body), body, now.Add(time.Minute))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if c.want == nil {
				if got != nil {
					t.Fatalf("got %+v, want the event ignored", got)
				}
				return
			}
			if got == nil {
				t.Fatal("got nil, want an event")
			}
			if *got != *c.want {
				t.Fatalf("got\n%+v\nwant\n%+v", *got, *c.want)
			}
		})
	}
}

func TestParseWebhookIgnoresAnEmptiedHold(t *testing.T) {
	// amount_capturable_updated also reports a hold dropping to nothing;
	// the capture or cancel event says what became of it.
	body := bytes.Replace(readEvent(t, "payment_intent.amount_capturable_updated"),
		[]byte(`"amount_capturable": 99000`), []byte(`"amount_capturable": 0`), 1)
	p := newWebhookProvider(t)
	now := time.Now()
	got, err := p.ParseWebhook(signed(testWebhookSecret, now, body), body, now)
	if err != nil || got != nil {
		t.Fatalf("got %+v, %v; want nil, nil", got, err)
	}
}

func TestParseWebhookFallsBackToThePaymentIntent(t *testing.T) {
	// Without a charge (a failure before any attempt reached the card
	// network, a capture reported without latest_charge) the movement is
	// keyed by the PaymentIntent, and an unknown failure still has a code.
	p := newWebhookProvider(t)
	now := time.Now()
	cases := []struct {
		file, from, to string
		ref, code      string
	}{
		{"payment_intent.succeeded", `"latest_charge": "ch_3Succeeded"`, `"latest_charge": null`, "pi_3Succeeded", ""},
		{"payment_intent.payment_failed", `"last_payment_error": {`, `"last_payment_error": null, "x": {`, "pi_3Failed", "payment_failed"},
	}
	for _, c := range cases {
		body := bytes.Replace(readEvent(t, c.file), []byte(c.from), []byte(c.to), 1)
		got, err := p.ParseWebhook(signed(testWebhookSecret, now, body), body, now)
		if err != nil || got == nil {
			t.Fatalf("%s: got %+v, %v", c.file, got, err)
		}
		if got.Ref != c.ref || got.ErrorCode != c.code {
			t.Errorf("%s: Ref %q ErrorCode %q, want %q %q", c.file, got.Ref, got.ErrorCode, c.ref, c.code)
		}
	}
}

func TestParseWebhookRefusesWhatStripeDidNotSign(t *testing.T) {
	p := newWebhookProvider(t)
	body := readEvent(t, "payment_intent.succeeded")
	now := time.Unix(1764510000, 0)
	good := SignPayload(testWebhookSecret, now, body)
	ts := strconv.FormatInt(now.Unix(), 10)
	goodSig := strings.TrimPrefix(good, "t="+ts+",v1=")
	other := SignPayload("whsec_someone_else", now, body)
	otherSig := strings.TrimPrefix(other, "t="+ts+",v1=")
	tampered := bytes.Replace(body, []byte(`"amount_received": 125000`), []byte(`"amount_received": 999999`), 1)

	cases := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"signed", good, body, now, true},
		{"signed, spaces after commas", "t=" + ts + ", v1=" + goodSig, body, now, true},
		{"one of several v1 signatures matches (secret being rolled)", "t=" + ts + ",v1=" + otherSig + ",v1=" + goodSig, body, now, true},
		{"v0 alongside", "t=" + ts + ",v0=" + otherSig + ",v1=" + goodSig, body, now, true},
		{"just within the tolerance", good, body, now.Add(DefaultWebhookTolerance), true},
		{"just within the tolerance ahead", good, body, now.Add(-DefaultWebhookTolerance), true},

		{"no header", "", body, now, false},
		{"garbage", "not a signature", body, now, false},
		{"no timestamp", "v1=" + goodSig, body, now, false},
		{"no v1", "t=" + ts, body, now, false},
		{"only v0 matches", "t=" + ts + ",v0=" + goodSig, body, now, false},
		{"another secret", other, body, now, false},
		{"tampered body", good, tampered, now, false},
		{"empty body", good, nil, now, false},
		{"timestamp changed", "t=" + strconv.FormatInt(now.Unix()+1, 10) + ",v1=" + goodSig, body, now, false},
		{"two timestamps", "t=" + ts + ",t=" + ts + ",v1=" + goodSig, body, now, false},
		{"timestamp not a number", "t=abc,v1=" + goodSig, body, now, false},
		{"signature truncated", "t=" + ts + ",v1=" + goodSig[:40], body, now, false},
		{"stale", good, body, now.Add(DefaultWebhookTolerance + time.Second), false},
		{"replayed a day later", good, body, now.Add(24 * time.Hour), false},
		{"from the future", good, body, now.Add(-DefaultWebhookTolerance - time.Second), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set(SignatureHeader, c.header)
			}
			ev, err := p.ParseWebhook(h, c.body, c.now)
			if c.ok {
				if err != nil || ev == nil {
					t.Fatalf("got %+v, %v; want the event", ev, err)
				}
				return
			}
			if !errors.Is(err, payment.ErrBadSignature) {
				t.Fatalf("got %+v, %v; want ErrBadSignature", ev, err)
			}
			if ev != nil {
				t.Fatalf("an unverified webhook returned an event: %+v", ev)
			}
		})
	}
}

func TestWebhookToleranceIsConfigurable(t *testing.T) {
	p, err := New(Config{SecretKey: "sk_test_x", WebhookSecret: testWebhookSecret, WebhookTolerance: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	body := readEvent(t, "payment_intent.succeeded")
	now := time.Now()
	h := signed(testWebhookSecret, now, body)
	if _, err := p.ParseWebhook(h, body, now.Add(9*time.Second)); err != nil {
		t.Fatalf("within 10s: %v", err)
	}
	if _, err := p.ParseWebhook(h, body, now.Add(11*time.Second)); !errors.Is(err, payment.ErrBadSignature) {
		t.Fatalf("after 11s: got %v, want ErrBadSignature", err)
	}
}

func TestParseWebhookSignedButMalformed(t *testing.T) {
	// Stripe never sends these, but a signed body that does not decode
	// must be an error (answered 500, so Stripe retries and someone looks),
	// not an acknowledged no-op and not a bad signature.
	p := newWebhookProvider(t)
	now := time.Now()
	for _, body := range []string{
		`not json`,
		`{"type":"payment_intent.succeeded","created":1}`,
		`{"id":"evt_1","type":"payment_intent.succeeded","created":1}`,
		`{"id":"evt_1","type":"payment_intent.succeeded","created":1,"data":{"object":{"amount":"many"}}}`,
		`{"id":"evt_1","type":"refund.updated","created":1,"data":{"object":{"amount":1}}}`,
	} {
		ev, err := p.ParseWebhook(signed(testWebhookSecret, now, []byte(body)), []byte(body), now)
		if err == nil || errors.Is(err, payment.ErrBadSignature) || ev != nil {
			t.Errorf("%s: got %+v, %v; want a decoding error", body, ev, err)
		}
	}
}

func TestSignPayloadMatchesStripesScheme(t *testing.T) {
	// Stripe's documented scheme, computed independently: HMAC-SHA256 of
	// "<timestamp>.<body>" keyed by the endpoint secret, hex encoded.
	body := []byte(`{"id":"evt_1"}`)
	mac := hmac.New(sha256.New, []byte("whsec_abc"))
	mac.Write([]byte("1700000000." + string(body)))
	want := "t=1700000000,v1=" + hex.EncodeToString(mac.Sum(nil))
	if got := SignPayload("whsec_abc", time.Unix(1700000000, 0), body); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestWebhookName(t *testing.T) {
	if got := newWebhookProvider(t).WebhookName(); got != "stripe" {
		t.Fatalf("WebhookName() = %q", got)
	}
}
