package stripe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/payment/stripe/stripetest"
)

// These tests talk HTTP to a real stripe-mock through stripe-go. The mock
// validates each request against Stripe's OpenAPI description (so a
// parameter Stripe would refuse fails the test) and answers with fixtures
// that ignore most of what we sent. The tests therefore check what we
// sent, as recorded on the way out, and that the provider's answer is
// what the mapping makes of the response actually received.

// exchange is one request and response as they crossed the wire.
type exchange struct {
	method, path string
	header       http.Header
	form         url.Values
	status       int
	response     map[string]any
}

// recorder is a RoundTripper that keeps every exchange.
type recorder struct {
	mu   sync.Mutex
	next http.RoundTripper
	log  []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	form, _ := url.ParseQuery(string(reqBody))
	var decoded map[string]any
	_ = json.Unmarshal(respBody, &decoded)
	r.mu.Lock()
	r.log = append(r.log, exchange{req.Method, req.URL.Path, req.Header.Clone(), form, resp.StatusCode, decoded})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) last(t *testing.T) exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.log) == 0 {
		t.Fatal("no request reached stripe-mock")
	}
	return r.log[len(r.log)-1]
}

const mockKey = "sk_test_LangranStripeMock42"

func newMockProvider(t *testing.T) (*stripe.Provider, *recorder) {
	t.Helper()
	base := stripetest.Start(t)
	rec := &recorder{next: http.DefaultTransport}
	p, err := stripe.New(stripe.Config{
		SecretKey:         mockKey,
		WebhookSecret:     "whsec_unused",
		APIBase:           base,
		HTTPClient:        &http.Client{Transport: rec, Timeout: 30 * time.Second},
		MaxNetworkRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, rec
}

func TestStartAgainstStripeMock(t *testing.T) {
	p, rec := newMockProvider(t)
	cases := []struct {
		name          string
		manual        bool
		email         string
		captureMethod string
	}{
		{"automatic capture with a receipt email", false, "buyer@example.com", "automatic"},
		{"manual capture without email", true, "", "manual"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := "start-key-" + c.captureMethod
			started, err := p.Start(context.Background(), payment.StartRequest{
				PaymentID: 42 + int64(i), OrderID: 7, OrderNumber: "1001",
				Amount: 125050, Currency: model.CurrencyTHB, Email: c.email,
				ManualCapture: c.manual, IdempotencyKey: key,
			})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			x := rec.last(t)
			if x.method != http.MethodPost || x.path != "/v1/payment_intents" {
				t.Fatalf("request %s %s, want POST /v1/payment_intents", x.method, x.path)
			}
			if got := x.header.Get("Idempotency-Key"); got != key {
				t.Errorf("Idempotency-Key %q, want %q", got, key)
			}
			if got := x.header.Get("Authorization"); got != "Bearer "+mockKey {
				t.Errorf("Authorization %q, want this provider's key", got)
			}
			want := map[string]string{
				"amount":                       "125050",
				"currency":                     "thb",
				"capture_method":               c.captureMethod,
				"payment_method_types[0]":      "card",
				"description":                  "Order #1001",
				"metadata[langran_payment_id]": itoa(42 + i),
				"metadata[langran_order_id]":   "7",
				"metadata[order_number]":       "1001",
				"receipt_email":                c.email,
			}
			for k, v := range want {
				if got := x.form.Get(k); got != v {
					t.Errorf("form %s = %q, want %q", k, got, v)
				}
			}
			if _, sent := x.form["receipt_email"]; sent != (c.email != "") {
				t.Errorf("receipt_email sent %v with email %q", sent, c.email)
			}

			if x.status != http.StatusOK {
				t.Fatalf("stripe-mock answered %d: %v", x.status, x.response)
			}
			if !strings.HasPrefix(started.Ref, "pi_") || started.Ref != x.response["id"] {
				t.Errorf("Ref %q, response id %v", started.Ref, x.response["id"])
			}
			if started.ClientSecret == "" || started.ClientSecret != x.response["client_secret"] {
				t.Errorf("ClientSecret %q, response %v", started.ClientSecret, x.response["client_secret"])
			}
			// stripe-mock answers every new intent requires_payment_method,
			// which is what a real new intent says too.
			if x.response["status"] != "requires_payment_method" || started.Status != model.PaymentPending {
				t.Errorf("Status %s from response status %v, want PENDING", started.Status, x.response["status"])
			}
		})
	}
}

func TestCaptureVoidRefundAgainstStripeMock(t *testing.T) {
	p, rec := newMockProvider(t)
	ctx := context.Background()
	pay := &model.Payment{ID: 42, OrderID: 7, ProviderRef: "pi_3Langran", Amount: 125050, Currency: model.CurrencyTHB}

	t.Run("capture", func(t *testing.T) {
		out, err := p.Capture(ctx, pay, 100000, "capture-key")
		if err != nil {
			t.Fatalf("Capture: %v", err)
		}
		x := rec.last(t)
		if x.method != http.MethodPost || x.path != "/v1/payment_intents/pi_3Langran/capture" {
			t.Fatalf("request %s %s", x.method, x.path)
		}
		if x.form.Get("amount_to_capture") != "100000" || x.header.Get("Idempotency-Key") != "capture-key" {
			t.Errorf("form %v, key %q", x.form, x.header.Get("Idempotency-Key"))
		}
		// The Ref is the response's latest charge, or the intent when it
		// names none; the status is what its status maps to.
		wantRef, _ := x.response["latest_charge"].(string)
		if wantRef == "" {
			wantRef, _ = x.response["id"].(string)
		}
		if out.Ref == "" || out.Ref != wantRef {
			t.Errorf("Ref %q, want %q", out.Ref, wantRef)
		}
		wantStatus := model.TxPending
		switch x.response["status"] {
		case "succeeded":
			wantStatus = model.TxSuccess
		case "canceled":
			wantStatus = model.TxFailure
		}
		if out.Status != wantStatus {
			t.Errorf("Status %s for response status %v, want %s", out.Status, x.response["status"], wantStatus)
		}
	})

	t.Run("void", func(t *testing.T) {
		out, err := p.Void(ctx, pay, "void-key")
		if err != nil {
			t.Fatalf("Void: %v", err)
		}
		x := rec.last(t)
		if x.method != http.MethodPost || x.path != "/v1/payment_intents/pi_3Langran/cancel" {
			t.Fatalf("request %s %s", x.method, x.path)
		}
		if x.header.Get("Idempotency-Key") != "void-key" {
			t.Errorf("Idempotency-Key %q", x.header.Get("Idempotency-Key"))
		}
		if out.Ref != x.response["id"] || out.Ref == "" {
			t.Errorf("Ref %q, response id %v", out.Ref, x.response["id"])
		}
		wantStatus := model.TxPending
		switch x.response["status"] {
		case "canceled":
			wantStatus = model.TxSuccess
		case "succeeded":
			wantStatus = model.TxFailure
		}
		if out.Status != wantStatus {
			t.Errorf("Status %s for response status %v, want %s", out.Status, x.response["status"], wantStatus)
		}
	})

	t.Run("refund", func(t *testing.T) {
		out, err := p.Refund(ctx, pay, 25000, "refund-key")
		if err != nil {
			t.Fatalf("Refund: %v", err)
		}
		x := rec.last(t)
		if x.method != http.MethodPost || x.path != "/v1/refunds" {
			t.Fatalf("request %s %s", x.method, x.path)
		}
		want := map[string]string{
			"payment_intent":               "pi_3Langran",
			"amount":                       "25000",
			"metadata[langran_payment_id]": "42",
			"metadata[langran_order_id]":   "7",
		}
		for k, v := range want {
			if got := x.form.Get(k); got != v {
				t.Errorf("form %s = %q, want %q", k, got, v)
			}
		}
		if x.header.Get("Idempotency-Key") != "refund-key" {
			t.Errorf("Idempotency-Key %q", x.header.Get("Idempotency-Key"))
		}
		if !strings.HasPrefix(out.Ref, "re_") || out.Ref != x.response["id"] {
			t.Errorf("Ref %q, response id %v", out.Ref, x.response["id"])
		}
		wantStatus := map[any]model.TransactionStatus{
			"succeeded": model.TxSuccess, "pending": model.TxPending, "requires_action": model.TxPending,
			"failed": model.TxFailure, "canceled": model.TxFailure,
		}[x.response["status"]]
		if wantStatus == "" || out.Status != wantStatus {
			t.Errorf("Status %s for response status %v", out.Status, x.response["status"])
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
