package stripe

import (
	"encoding/json"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// The mappings from Stripe's answers to the ledger's words, fed with JSON
// as Stripe sends it and decoded by stripe-go, as in production.

func decodePI(t *testing.T, js string) *stripeapi.PaymentIntent {
	t.Helper()
	var pi stripeapi.PaymentIntent
	if err := json.Unmarshal([]byte(js), &pi); err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return &pi
}

func TestStartedStatus(t *testing.T) {
	cases := []struct {
		status string
		want   model.PaymentStatus
	}{
		{"requires_payment_method", model.PaymentPending},
		{"requires_confirmation", model.PaymentPending},
		{"requires_action", model.PaymentPending},
		{"processing", model.PaymentPending},
		{"requires_capture", model.PaymentAuthorized},
		{"succeeded", model.PaymentCaptured},
		{"canceled", model.PaymentVoided},
		{"some_future_status", model.PaymentPending},
	}
	for _, c := range cases {
		pi := decodePI(t, `{"id":"pi_1","object":"payment_intent","status":"`+c.status+`"}`)
		if got := startedStatus(pi.Status); got != c.want {
			t.Errorf("%s: got %s, want %s", c.status, got, c.want)
		}
	}
}

func TestCaptureOutcome(t *testing.T) {
	cases := []struct {
		name string
		js   string
		want payment.Outcome
	}{
		{"captured, charge named", `{"id":"pi_1","status":"succeeded","latest_charge":"ch_1"}`,
			payment.Outcome{Ref: "ch_1", Status: model.TxSuccess}},
		{"captured, charge expanded", `{"id":"pi_1","status":"succeeded","latest_charge":{"id":"ch_2","object":"charge"}}`,
			payment.Outcome{Ref: "ch_2", Status: model.TxSuccess}},
		{"captured, no charge", `{"id":"pi_1","status":"succeeded","latest_charge":null}`,
			payment.Outcome{Ref: "pi_1", Status: model.TxSuccess}},
		{"still processing", `{"id":"pi_1","status":"processing","latest_charge":"ch_1"}`,
			payment.Outcome{Ref: "ch_1", Status: model.TxPending}},
		{"canceled meanwhile", `{"id":"pi_1","status":"canceled","latest_charge":"ch_1"}`,
			payment.Outcome{Ref: "ch_1", Status: model.TxFailure, ErrorCode: "canceled"}},
	}
	for _, c := range cases {
		if got := captureOutcome(decodePI(t, c.js)); *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, *got, c.want)
		}
	}
}

func TestVoidOutcome(t *testing.T) {
	cases := []struct {
		js   string
		want payment.Outcome
	}{
		{`{"id":"pi_1","status":"canceled","latest_charge":"ch_1"}`, payment.Outcome{Ref: "pi_1", Status: model.TxSuccess}},
		{`{"id":"pi_1","status":"succeeded"}`, payment.Outcome{Ref: "pi_1", Status: model.TxFailure, ErrorCode: "already_captured"}},
		{`{"id":"pi_1","status":"processing"}`, payment.Outcome{Ref: "pi_1", Status: model.TxPending}},
	}
	for _, c := range cases {
		if got := voidOutcome(decodePI(t, c.js)); *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.js, *got, c.want)
		}
	}
}

func TestRefundOutcome(t *testing.T) {
	cases := []struct {
		js   string
		want payment.Outcome
	}{
		{`{"id":"re_1","object":"refund","status":"succeeded","amount":100}`, payment.Outcome{Ref: "re_1", Status: model.TxSuccess}},
		{`{"id":"re_1","object":"refund","status":"pending"}`, payment.Outcome{Ref: "re_1", Status: model.TxPending}},
		{`{"id":"re_1","object":"refund","status":"requires_action"}`, payment.Outcome{Ref: "re_1", Status: model.TxPending}},
		{`{"id":"re_1","object":"refund","status":"failed","failure_reason":"lost_or_stolen_card"}`,
			payment.Outcome{Ref: "re_1", Status: model.TxFailure, ErrorCode: "lost_or_stolen_card"}},
		{`{"id":"re_1","object":"refund","status":"canceled"}`, payment.Outcome{Ref: "re_1", Status: model.TxFailure, ErrorCode: "canceled"}},
	}
	for _, c := range cases {
		var rf stripeapi.Refund
		if err := json.Unmarshal([]byte(c.js), &rf); err != nil {
			t.Fatal(err)
		}
		if got := refundOutcome(&rf); *got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.js, *got, c.want)
		}
	}
}

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	for _, cfg := range []Config{
		{WebhookSecret: "whsec_x"},
		{SecretKey: "sk_test_x"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
