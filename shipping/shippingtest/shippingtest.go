// Package shippingtest has a configurable shipping provider for tests of
// code that uses shipping.Service (the cart, checkout): one that answers
// with fixed options, fails, panics or does not answer in time, so a test
// can show that the others' options still come back.
package shippingtest

import (
	"context"
	"sync/atomic"

	"github.com/langran/langran/shipping"
)

// Provider is a shipping.Provider whose answer the test decides. Its zero
// value answers no options; set at most one of Err, Panic and Hang.
type Provider struct {
	ID      string          // its Name
	Options []shipping.Rate // what it answers, with its own handles (no prefix)
	Err     error           // fail with this error
	Panic   any             // panic with this value
	Hang    bool            // answer nothing until the context ends (the service's timeout)
	calls   atomic.Int64
}

// Name implements shipping.Provider.
func (p *Provider) Name() string { return p.ID }

// Rates implements shipping.Provider.
func (p *Provider) Rates(ctx context.Context, _ shipping.Request) ([]shipping.Rate, error) {
	p.calls.Add(1)
	switch {
	case p.Panic != nil:
		panic(p.Panic)
	case p.Hang:
		<-ctx.Done()
		return nil, ctx.Err()
	case p.Err != nil:
		return nil, p.Err
	}
	return p.Options, nil
}

// Calls is how often the provider was asked.
func (p *Provider) Calls() int { return int(p.calls.Load()) }
