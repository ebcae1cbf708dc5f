package shipping_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/shipping/shippingtest"
)

// fake is a provider whose answer is a function.
type fake struct {
	name  string
	rates func(ctx context.Context, req shipping.Request) ([]shipping.Rate, error)
}

func (f fake) Name() string { return f.name }
func (f fake) Rates(ctx context.Context, req shipping.Request) ([]shipping.Rate, error) {
	return f.rates(ctx, req)
}

func fixed(name string, rates ...shipping.Rate) fake {
	return fake{name, func(context.Context, shipping.Request) ([]shipping.Rate, error) { return rates, nil }}
}

// syncBuffer is a log destination safe for the providers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var thb = shipping.Request{Destination: model.ShippingDestination{Country: "TH", Province: "Bangkok", Zip: "10110"},
	Subtotal: 50000, Currency: model.CurrencyTHB}

func handles(rates []shipping.Rate) []string {
	var out []string
	for _, r := range rates {
		out = append(out, r.Handle)
	}
	return out
}

// Providers that fail, panic, hang past the timeout (ignoring their
// context) or give malformed rates are left out and named; the others'
// options come back, cheapest first, with prefixed handles.
func TestOptionsDegradeFailingProviders(t *testing.T) {
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	logs := &syncBuffer{}
	slow := &shippingtest.Provider{ID: "slow", Hang: true}
	svc := shipping.New(shipping.Options{Timeout: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(logs, nil))},
		fixed("courier", shipping.Rate{Handle: "express", Title: "Express", Amount: 9000},
			shipping.Rate{Handle: "standard", Title: "Standard", Amount: 4000, Currency: model.CurrencyTHB}),
		&shippingtest.Provider{ID: "broken", Err: errors.New("carrier API answered 502")},
		&shippingtest.Provider{ID: "panics", Panic: "nil map"},
		fake{"hangs", func(context.Context, shipping.Request) ([]shipping.Rate, error) {
			<-hang // ignores its context: the service must not wait for it
			return []shipping.Rate{{Handle: "late", Amount: 1}}, nil
		}},
		slow, // honours its context, which the timeout ends
		fixed("sloppy", shipping.Rate{Handle: "ok", Amount: 4000}, shipping.Rate{Handle: "ok", Amount: 1},
			shipping.Rate{Handle: "", Amount: 1}, shipping.Rate{Handle: "neg", Amount: -100},
			shipping.Rate{Handle: "usd", Amount: 500, Currency: model.CurrencyUSD}),
		fixed("empty"),
	)
	rates, degraded := svc.Options(t.Context(), thb)
	if got, want := handles(rates), []string{"courier:standard", "sloppy:ok", "courier:express"}; !slices.Equal(got, want) {
		t.Errorf("options %v, want %v", got, want)
	}
	for _, r := range rates {
		if r.Currency != model.CurrencyTHB {
			t.Errorf("%s: currency %q, want the request's", r.Handle, r.Currency)
		}
	}
	if want := []string{"broken", "panics", "hangs", "slow"}; !slices.Equal(degraded, want) {
		t.Errorf("degraded %v, want %v", degraded, want)
	}
	for _, want := range []string{"provider=broken", "502", "provider=panics", "nil map", "provider=hangs", "no answer within 50ms",
		"provider=sloppy", "negative amount", "currency USD"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not mention %q:\n%s", want, logs.String())
		}
	}

	// Rate confirms one option by asking its provider only.
	asked := slow.Calls()
	if r, ok := svc.Rate(t.Context(), thb, "courier:standard"); !ok || r.Amount != 4000 || r.Handle != "courier:standard" {
		t.Errorf("Rate(courier:standard) = %+v, %v", r, ok)
	}
	for _, h := range []string{"courier:gone", "hangs:late", "broken:x", "unknown:standard", "standard", ""} {
		if r, ok := svc.Rate(t.Context(), thb, h); ok {
			t.Errorf("Rate(%q) = %+v, want not offered", h, r)
		}
	}
	if slow.Calls() != asked {
		t.Error("Rate asked a provider other than the handle's")
	}
}

// A request whose context has ended gets no options and no error.
func TestOptionsAfterTheRequestEnded(t *testing.T) {
	svc := shipping.New(shipping.Options{Log: slog.New(slog.DiscardHandler)},
		fake{"waits", func(ctx context.Context, _ shipping.Request) ([]shipping.Rate, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rates, degraded := svc.Options(ctx, thb)
	if len(rates) != 0 || !slices.Equal(degraded, []string{"waits"}) {
		t.Errorf("options %v, degraded %v", rates, degraded)
	}
}

func TestNewRefusesAmbiguousProviders(t *testing.T) {
	for _, names := range [][]string{{"a", "a"}, {"Bad Name"}, {""}, {"x:y"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("providers %q accepted", names)
				}
			}()
			var ps []shipping.Provider
			for _, n := range names {
				ps = append(ps, fixed(n))
			}
			shipping.New(shipping.Options{}, ps...)
		}()
	}
}

// local is a provider that reads the shop's own database.
type local struct{ fake }

func (local) Local() bool { return true }

// A local provider (the table rates) slower than the timeout still
// answers: a busy database delays the cart instead of taking its options
// away. A carrier as slow is left out.
func TestLocalProvidersAreNotTimedOut(t *testing.T) {
	slow := func(ctx context.Context, _ shipping.Request) ([]shipping.Rate, error) {
		select {
		case <-time.After(120 * time.Millisecond):
			return []shipping.Rate{{Handle: "std", Title: "Standard", Amount: 5000, Currency: model.CurrencyTHB}}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	svc := shipping.New(shipping.Options{Timeout: 30 * time.Millisecond, Log: slog.New(slog.DiscardHandler)},
		local{fake{"table", slow}}, fake{"carrier", slow})
	rates, degraded := svc.Options(t.Context(), thb)
	if len(rates) != 1 || rates[0].Handle != "table:std" || !slices.Equal(degraded, []string{"carrier"}) {
		t.Errorf("options %v, degraded %v", rates, degraded)
	}
}

// A local provider is asked on the caller's goroutine; alone, it still
// degrades rather than fails the cart when it errs or panics, and its
// options come back cheapest first.
func TestALoneLocalProviderDegrades(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	panics := func(context.Context, shipping.Request) ([]shipping.Rate, error) { panic("nil map") }
	fails := func(context.Context, shipping.Request) ([]shipping.Rate, error) {
		return nil, errors.New("table unreadable")
	}
	for name, fn := range map[string]func(context.Context, shipping.Request) ([]shipping.Rate, error){"panics": panics, "fails": fails} {
		svc := shipping.New(shipping.Options{Log: log}, local{fake{"table", fn}})
		rates, degraded := svc.Options(t.Context(), thb)
		if len(rates) != 0 || !slices.Equal(degraded, []string{"table"}) {
			t.Errorf("%s: options %v, degraded %v", name, rates, degraded)
		}
		if _, ok := svc.Rate(t.Context(), thb, "table:std"); ok {
			t.Errorf("%s: a rate from a provider that %s", name, name)
		}
	}
	for _, want := range []string{"nil map", "table unreadable"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logs.String())
		}
	}
	two := func(context.Context, shipping.Request) ([]shipping.Rate, error) {
		return []shipping.Rate{{Handle: "express", Title: "Express", Amount: 9000, Currency: model.CurrencyTHB},
			{Handle: "std", Title: "Standard", Amount: 5000, Currency: model.CurrencyTHB}}, nil
	}
	rates, degraded := shipping.New(shipping.Options{Log: log}, local{fake{"table", two}}).Options(t.Context(), thb)
	if len(rates) != 2 || rates[0].Handle != "table:std" || rates[1].Handle != "table:express" || degraded != nil {
		t.Errorf("options %v, degraded %v; want table:std then table:express", rates, degraded)
	}
}
