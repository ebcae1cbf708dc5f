// Package shipping prices delivery. Providers quote delivery options for a
// cart's goods and destination: the built-in Table (zones and rates staff
// configure, kept in the database) and any other Provider, such as a
// carrier's API. The Service asks every provider at once, each with its
// own time limit, and returns what came back: a provider that fails, panics
// or is too slow is left out and named as degraded, so a cart always gets
// the options of the others and never an error. docs/SHIPPING.md explains
// the zones, the rates and how to add a provider.
package shipping

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// Request is what a provider prices: the destination, the goods (with
// their weights and VAT-inclusive unit prices), their subtotal after
// discounts (VAT included) and the currency.
type Request = model.ShippingRequest

// Rate is a delivery option a provider offers. Amount is VAT-inclusive, at
// the standard rate, like every price: the order's VAT is extracted from a
// total that includes it.
type Rate = model.DeliveryOption

// Provider quotes delivery options. Name is short, stable and unique among
// the providers (it prefixes the handles of its rates, which carts keep),
// lowercase letters, digits and hyphens. Rates returns the options for
// req, each with a Handle unique among this provider's rates (and stable,
// so a chosen option can be found again at checkout); no options is not
// an error. Rates must honour ctx: the Service stops waiting when ctx is
// done, and a provider that goes on anyway only wastes its own work.
type Provider interface {
	Name() string
	Rates(ctx context.Context, req Request) ([]Rate, error)
}

// LocalProvider is a provider that prices from the shop's own database
// (the built-in table rates). The timeout is for carriers' APIs: a local
// provider waits as long as the request may, like every other query of
// the request, so a busy database delays a cart instead of taking its
// delivery options away.
type LocalProvider interface {
	Provider
	Local() bool
}

// DefaultTimeout is how long a provider may take to answer unless Options
// say otherwise (LANGRAN_SHIPPING_TIMEOUT).
const DefaultTimeout = 2 * time.Second

// Options configure a Service.
type Options struct {
	// Timeout is how long each provider may take; DefaultTimeout when 0.
	Timeout time.Duration
	// Log receives a warning for every degraded provider and every rate
	// refused as malformed; slog.Default() when nil.
	Log *slog.Logger
}

// Service asks the providers for delivery options.
type Service struct {
	providers []Provider
	timeout   time.Duration
	log       *slog.Logger
}

// New returns a service over providers, asked in this order (which also
// orders options of equal price). It panics when two providers share a
// name or a name is not a handle: that is a wiring mistake.
func New(o Options, providers ...Provider) *Service {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	seen := map[string]bool{}
	for _, p := range providers {
		n := p.Name()
		if !model.ValidHandle(n) || seen[n] {
			panic(fmt.Sprintf("shipping: provider name %q is not a unique handle", n))
		}
		seen[n] = true
	}
	return &Service{providers: providers, timeout: o.Timeout, log: o.Log}
}

// Snapshotter is a LocalProvider that can read what it prices from (the
// table's zones and rates) once, and then price from memory.
type Snapshotter interface {
	LocalProvider
	Snapshot(ctx context.Context) (Provider, error)
}

// PrepareRate returns a Rate that prices from every provider's tables as
// they are now, reading nothing more, so that checkout can price delivery
// inside its transaction without waiting on a carrier or another database
// connection. It returns nil when a provider cannot (a carrier's API):
// then checkout prices delivery before its transaction.
func (s *Service) PrepareRate(ctx context.Context) (func(context.Context, Request, string) (Rate, bool), error) {
	snaps := make([]Provider, len(s.providers))
	for i, p := range s.providers {
		sn, ok := p.(Snapshotter)
		if !ok || !sn.Local() {
			return nil, nil
		}
		snap, err := sn.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		snaps[i] = snap
	}
	prepared := &Service{providers: snaps, timeout: s.timeout, log: s.log}
	return prepared.Rate, nil
}

// Options returns the delivery options for req from every provider, the
// cheapest first, and the names of the providers that failed to answer in
// time (degraded): their failures are logged, never returned, so the cart
// goes on with the options the others gave. Each option's Handle is
// "<provider>:<the provider's handle>", e.g. "table:bkk-standard"; keep
// it as the chosen option and check it again with Rate at checkout.
//
// The cart's quote calls it with the delivery address and the priced
// lines:
//
//	rates, degraded := svc.Options(ctx, shipping.Request{
//		Destination: model.ShippingDestination{Country: a.Country, Province: a.Province, Zip: a.Zip},
//		Lines:       lines,          // variant, quantity, weight in grams, unit price
//		Subtotal:    goodsAfterDiscounts,
//		Currency:    model.CurrencyTHB,
//	})
//
// It takes at most the configured timeout (plus scheduling), whatever the
// providers do.
func (s *Service) Options(ctx context.Context, req Request) (rates []Rate, degraded []string) {
	if len(s.providers) == 1 {
		// One provider (the table, as shipped): nothing to wait for side
		// by side.
		p := s.providers[0]
		rates, failed := s.ask(ctx, p, req)
		if failed {
			return nil, []string{p.Name()}
		}
		slices.SortStableFunc(rates, func(a, b Rate) int { return cmp.Compare(a.Amount, b.Amount) })
		return rates, nil
	}
	answers := make([][]Rate, len(s.providers))
	failed := make([]bool, len(s.providers))
	done := make(chan int, len(s.providers))
	for i, p := range s.providers {
		go func() {
			answers[i], failed[i] = s.ask(ctx, p, req)
			done <- i
		}()
	}
	for range s.providers {
		<-done
	}
	for i, p := range s.providers {
		if failed[i] {
			degraded = append(degraded, p.Name())
			continue
		}
		rates = append(rates, answers[i]...)
	}
	// Stable: equal prices keep the providers' order and each provider's.
	slices.SortStableFunc(rates, func(a, b Rate) int { return cmp.Compare(a.Amount, b.Amount) })
	return rates, degraded
}

// Rate returns the option with handle (as Options gave it) for req, asking
// only the provider the handle names: what checkout calls to confirm the
// chosen option and its price now. ok is false when the provider is
// unknown or degraded, or no longer offers the option for req (the
// address, weight or subtotal changed, or staff changed the rates); the
// buyer must then choose again.
func (s *Service) Rate(ctx context.Context, req Request, handle string) (rate Rate, ok bool) {
	name, _, found := strings.Cut(handle, ":")
	if !found {
		return Rate{}, false
	}
	i := slices.IndexFunc(s.providers, func(p Provider) bool { return p.Name() == name })
	if i < 0 {
		return Rate{}, false
	}
	rates, failed := s.ask(ctx, s.providers[i], req)
	if failed {
		return Rate{}, false
	}
	j := slices.IndexFunc(rates, func(r Rate) bool { return r.Handle == handle })
	if j < 0 {
		return Rate{}, false
	}
	return rates[j], true
}

// ask gets p's rates within the timeout, with their handles prefixed and
// malformed ones dropped; failed is true when p erred, panicked or did not
// answer in time. A provider that does not return is left running (its
// answer goes to a buffered channel nobody reads), never waited for.
func (s *Service) ask(ctx context.Context, p Provider, req Request) (rates []Rate, failed bool) {
	type answer struct {
		rates []Rate
		err   error
	}
	if l, ok := p.(LocalProvider); ok && l.Local() {
		// The request's own deadline bounds a local provider, which
		// honours ctx in its reads: it is asked on this goroutine.
		start := time.Now()
		a := func() (a answer) {
			defer func() {
				if v := recover(); v != nil {
					a.err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				}
			}()
			r, err := p.Rates(ctx, req)
			return answer{r, err}
		}()
		return s.answered(ctx, p, req, a.rates, a.err, start)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ch := make(chan answer, 1)
	start := time.Now()
	go func() {
		defer func() {
			if v := recover(); v != nil {
				ch <- answer{err: fmt.Errorf("panic: %v\n%s", v, debug.Stack())}
			}
		}()
		r, err := p.Rates(ctx, req)
		ch <- answer{r, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		a.err = fmt.Errorf("no answer within %s: %w", s.timeout, ctx.Err())
	}
	return s.answered(ctx, p, req, a.rates, a.err, start)
}

// answered logs a provider that failed (and reports it degraded), or
// cleans its rates.
func (s *Service) answered(ctx context.Context, p Provider, req Request, rates []Rate, err error, start time.Time) ([]Rate, bool) {
	if err != nil {
		s.log.WarnContext(ctx, "shipping provider degraded: its options are left out",
			"provider", p.Name(), "error", err.Error(), "duration_ms", time.Since(start).Milliseconds())
		return nil, true
	}
	return s.clean(ctx, p.Name(), req, rates), false
}

// clean prefixes the handles of a provider's rates and drops the rates no
// cart could use: without a handle, with a handle given twice, with a
// negative amount or in another currency.
func (s *Service) clean(ctx context.Context, name string, req Request, rates []Rate) []Rate {
	out := make([]Rate, 0, len(rates))
	seen := map[string]bool{}
	for _, r := range rates {
		if r.Currency == "" {
			r.Currency = req.Currency
		}
		problem := ""
		switch {
		case r.Handle == "" || seen[r.Handle]:
			problem = "missing or repeated handle"
		case r.Amount < 0:
			problem = "negative amount"
		case req.Currency != "" && r.Currency != req.Currency:
			problem = "currency " + string(r.Currency) + " instead of " + string(req.Currency)
		}
		if problem != "" {
			s.log.WarnContext(ctx, "shipping provider gave a malformed rate; it is left out",
				"provider", name, "handle", r.Handle, "problem", problem)
			continue
		}
		seen[r.Handle] = true
		r.Handle = name + ":" + r.Handle
		out = append(out, r)
	}
	return out
}
