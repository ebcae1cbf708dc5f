package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/payment/stripe/stripetest"
)

// stripe-mock never declines and never fails, so Stripe's error answers are
// served here by an httptest server: stripe-go still makes the request and
// decodes the answer as it would from api.stripe.com.

const secretKey = "sk_test_4eC39HqLyjWDarjtT1zdp7dcSecretKeyUnderTest"

type answer struct {
	status int
	header map[string]string
	body   string
}

func errorServer(t *testing.T, a answer) (url string, hits *atomic.Int32) {
	t.Helper()
	hits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}

func providerAt(t *testing.T, base string, logs *bytes.Buffer, retries int) *stripe.Provider {
	t.Helper()
	cfg := stripe.Config{
		SecretKey:         secretKey,
		WebhookSecret:     "whsec_errors",
		APIBase:           base,
		Timeout:           10 * time.Second,
		MaxNetworkRetries: retries,
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))
	}
	p, err := stripe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

var held = &model.Payment{ID: 42, OrderID: 7, ProviderRef: "pi_3Held", Amount: 50000, Currency: model.CurrencyTHB}

func start(p *stripe.Provider) error {
	_, err := p.Start(context.Background(), payment.StartRequest{
		PaymentID: 42, OrderID: 7, OrderNumber: "1001", Amount: 50000,
		Currency: model.CurrencyTHB, IdempotencyKey: "k",
	})
	return err
}

func TestStripeSaysNo(t *testing.T) {
	cases := []struct {
		name string
		call func(*stripe.Provider) error
		a    answer
		want payment.Declined
	}{
		{"card declined on start", start,
			answer{402, nil, `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","charge":"ch_1"}}`},
			payment.Declined{Code: "card_declined", Message: "Your card has insufficient funds."}},
		{"card error without a message", start,
			answer{402, nil, `{"error":{"type":"card_error","code":"expired_card"}}`},
			payment.Declined{Code: "expired_card", Message: "Your card was declined."}},
		{"card error with only a decline code", start,
			answer{402, nil, `{"error":{"type":"card_error","decline_code":"do_not_honor","message":"Your card was declined."}}`},
			payment.Declined{Code: "do_not_honor", Message: "Your card was declined."}},
		{"capture after the hold expired", func(p *stripe.Provider) error {
			_, err := p.Capture(context.Background(), held, 50000, "k")
			return err
		}, answer{400, nil, `{"error":{"type":"invalid_request_error","code":"charge_expired_for_capture","message":"This PaymentIntent could not be captured because it has a status of canceled."}}`},
			payment.Declined{Code: "charge_expired_for_capture", Message: "Stripe refused this request for the payment in its current state."}},
		{"refund of a refunded charge", func(p *stripe.Provider) error {
			_, err := p.Refund(context.Background(), held, 100, "k")
			return err
		}, answer{400, nil, `{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}`},
			payment.Declined{Code: "charge_already_refunded", Message: "Stripe refused this request for the payment in its current state."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, hits := errorServer(t, c.a)
			err := c.call(providerAt(t, base, nil, 0))
			d := payment.IsDeclined(err)
			if d == nil {
				t.Fatalf("got %v, want *payment.Declined", err)
			}
			if *d != c.want {
				t.Fatalf("got %+v, want %+v", *d, c.want)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("%d requests; a refusal is not retried", n)
			}
		})
	}
}

func TestStripeFailsWithoutLeakingSecrets(t *testing.T) {
	piWithSecret := `"payment_intent":{"id":"pi_1","object":"payment_intent","client_secret":"pi_1_secret_TopSecretClientSecret"}`
	cases := []struct {
		name     string
		a        answer
		contains []string // what the log of the error needs
	}{
		{"bad API key", answer{401, map[string]string{"Request-Id": "req_auth"},
			`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****************************************Test"}}`},
			[]string{"start", "invalid_request_error", "401", "req_auth", "refused the secret key"}},
		{"restricted key without permission", answer{403, nil,
			`{"error":{"type":"invalid_request_error","message":"The provided key 'rk_test_***Test' does not have the required permissions"}}`},
			[]string{"403", "may not"}},
		{"Stripe's outage", answer{500, map[string]string{"Request-Id": "req_500"},
			`{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`},
			[]string{"api_error", "500", "req_500", "Something went wrong"}},
		{"rate limited", answer{429, nil,
			`{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`},
			[]string{"rate_limit", "429"}},
		{"a message quoting the key", answer{400, nil,
			`{"error":{"type":"invalid_request_error","code":"parameter_invalid_string","message":"Key ` + secretKey + ` is odd",` + piWithSecret + `}}`},
			[]string{"parameter_invalid_string", "is odd"}},
		{"an idempotency clash", answer{400, nil,
			`{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with.",` + piWithSecret + `}}`},
			[]string{"idempotency_error"}},
		{"not JSON at all", answer{502, nil, `<html>Bad Gateway</html>`}, []string{"start"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, _ := errorServer(t, c.a)
			var logs bytes.Buffer
			err := start(providerAt(t, base, &logs, -1))
			if err == nil {
				t.Fatal("no error")
			}
			if d := payment.IsDeclined(err); d != nil {
				t.Fatalf("an outage reported as a refusal: %v", d)
			}
			assertNoSecrets(t, err.Error()+logs.String())
			for _, s := range c.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestRetriesAreLoggedWithoutSecrets(t *testing.T) {
	// A lock timeout is one of the answers stripe-go retries, with the same
	// idempotency key; the warning reaches the provider's logger, the key
	// does not.
	base, hits := errorServer(t, answer{429, nil, `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"lock timeout for ` + secretKey + `"}}`})
	var logs bytes.Buffer
	err := start(providerAt(t, base, &logs, 1))
	if err == nil {
		t.Fatal("no error")
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("%d requests, want the first and one retry", n)
	}
	if !strings.Contains(logs.String(), "retry") {
		t.Errorf("no retry warning in the log: %q", logs.String())
	}
	assertNoSecrets(t, err.Error()+logs.String())
}

func TestNetworkFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now

	err := start(providerAt(t, base, nil, -1))
	if err == nil || payment.IsDeclined(err) != nil {
		t.Fatalf("got %v, want a plain error", err)
	}
	assertNoSecrets(t, err.Error())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := providerAt(t, base, nil, -1)
	_, err = p.Capture(ctx, held, 1, "k")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled in the chain", err)
	}
}

func TestStripeMockRefusingTheKey(t *testing.T) {
	// stripe-mock refuses a key that does not look like sk_test_<letters
	// and digits>, and its message quotes the Authorization header whole:
	// the error that reaches us must not.
	base := stripetest.Start(t)
	const badKey = "sk_test_Under_Scores_Are_Refused_By_The_Mock"
	p, err := stripe.New(stripe.Config{SecretKey: badKey, WebhookSecret: "whsec_x", APIBase: base, MaxNetworkRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	err = start(p)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("got %v, want a 401 from stripe-mock", err)
	}
	if strings.Contains(err.Error(), badKey) || strings.Contains(err.Error(), "sk_test") {
		t.Fatalf("the error quotes the key: %v", err)
	}
}

func TestProvidersKeepTheirOwnKeys(t *testing.T) {
	// No stripe-go globals: two providers in one process each send their
	// own key to their own base URL.
	seen := make(chan string, 2)
	serve := func() string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen <- r.Host + " " + r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"pi_1","object":"payment_intent","status":"requires_payment_method","client_secret":"pi_1_secret_x"}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	baseA, baseB := serve(), serve()
	a, _ := stripe.New(stripe.Config{SecretKey: "sk_test_ShopA", WebhookSecret: "whsec_a", APIBase: baseA})
	b, _ := stripe.New(stripe.Config{SecretKey: "sk_test_ShopB", WebhookSecret: "whsec_b", APIBase: baseB})
	if err := start(a); err != nil {
		t.Fatal(err)
	}
	if err := start(b); err != nil {
		t.Fatal(err)
	}
	want := []string{strings.TrimPrefix(baseA, "http://") + " Bearer sk_test_ShopA", strings.TrimPrefix(baseB, "http://") + " Bearer sk_test_ShopB"}
	for _, w := range want {
		if got := <-seen; got != w {
			t.Errorf("got %q, want %q", got, w)
		}
	}
}

func TestRequestsNeedAnIdempotencyKeyAndAnIntent(t *testing.T) {
	base, hits := errorServer(t, answer{500, nil, `{}`})
	p := providerAt(t, base, nil, -1)
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["start without key"] = p.Start(ctx, payment.StartRequest{Amount: 1, Currency: model.CurrencyTHB})
	_, checks["start of nothing"] = p.Start(ctx, payment.StartRequest{Amount: 0, Currency: model.CurrencyTHB, IdempotencyKey: "k"})
	_, checks["start in an unknown currency"] = p.Start(ctx, payment.StartRequest{Amount: 1, Currency: "XXX", IdempotencyKey: "k"})
	_, checks["capture without key"] = p.Capture(ctx, held, 1, "")
	_, checks["capture without intent"] = p.Capture(ctx, &model.Payment{ID: 1}, 1, "k")
	_, checks["capture of nothing"] = p.Capture(ctx, held, 0, "k")
	_, checks["void without key"] = p.Void(ctx, held, "")
	_, checks["refund without key"] = p.Refund(ctx, held, 1, "")
	_, checks["refund of nothing"] = p.Refund(ctx, held, -5, "k")
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached Stripe", n)
	}
}

func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{secretKey, "sk_test", "rk_test", "TopSecretClientSecret", "whsec_errors"} {
		if strings.Contains(s, secret) {
			t.Fatalf("%q leaks %q", s, secret)
		}
	}
}
