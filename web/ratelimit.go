package web

import (
	"container/list"
	"context"
	"math"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/langran/langran/model"
)

// CodeThrottled is the error code of an operation refused because its
// caller's budget is spent (HTTP 429, with Retry-After).
const CodeThrottled = string(model.CodeThrottled)

// RateLimitOptions configure RateLimit.
type RateLimitOptions struct {
	// Bucket is the most cost a caller can spend at once; 0 turns the
	// limit off. It must be at least the cost limit, or an operation the
	// cost limit allows could never run.
	Bucket int
	// RestorePerSecond is the cost each caller gets back every second.
	RestorePerSecond int
	// MaxClients bounds the buckets kept in memory (see RateLimit).
	MaxClients int
	// Now is the clock; tests move it. Defaults to time.Now.
	Now func() time.Time
}

// RateLimit spends each operation's computed cost (CostLimit's, which must
// be installed before it) from a budget that refills at a steady rate, as
// Shopify's calculated query cost does: a token bucket per credential (the
// access token or API key the request came with) and, for anonymous callers,
// per client address (an IPv6 address counts by its /64, which one
// subscriber usually holds whole). An operation that costs more than is
// left is refused before it runs, with code THROTTLED and the wait in
// Retry-After; every answer reports the budget in extensions.cost.
//
// Buckets live in this process's memory: with several instances behind a
// load balancer each has its own budgets, so a caller spread over n
// instances gets up to n times the rate. Memory stays bounded whatever
// clients send: at most MaxClients buckets are kept, least recently used
// first out, and a bucket idle long enough to have refilled is dropped
// (forgetting it changes nothing). Evicting a bucket that is not full can
// only favour its caller, which takes more than MaxClients other callers
// within one refill time.
type RateLimit struct {
	opts RateLimitOptions
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket; front is most recent
	order   *list.List
}

type bucket struct {
	key       string
	available float64
	at        time.Time
}

// NewRateLimit returns a limiter with options o.
func NewRateLimit(o RateLimitOptions) *RateLimit {
	if o.MaxClients <= 0 {
		o.MaxClients = 100_000
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &RateLimit{opts: o, now: now, buckets: map[string]*list.Element{}, order: list.New()}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*RateLimit)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*RateLimit) ExtensionName() string { return "RateLimit" }

// Validate implements graphql.HandlerExtension.
func (*RateLimit) Validate(graphql.ExecutableSchema) error { return nil }

// throttleStatsKey is where the caller's budget is kept in the operation's
// stats, for ReportCost and the transport.
const throttleStatsKey = "langran.throttle"

// ThrottleStatus is a caller's budget after an operation, as Shopify
// reports it in extensions.cost.throttleStatus.
type ThrottleStatus struct {
	MaximumAvailable   int
	CurrentlyAvailable int
	RestoreRate        int
	// RetryAfter, when positive, is how long until the refused operation
	// would fit.
	RetryAfter time.Duration
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l *RateLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if l.opts.Bucket <= 0 || l.opts.RestorePerSecond <= 0 {
		return nil
	}
	var cost int64
	if stats, _ := op.Stats.GetExtension(costStatsKey).(*CostStats); stats != nil {
		cost = stats.Requested
	}
	st := l.Take(RateKey(ctx), cost)
	op.Stats.SetExtension(throttleStatsKey, &st)
	if st.RetryAfter <= 0 {
		return nil
	}
	err := gqlerror.Errorf("throttled: the operation costs %d and %d of %d is available, restoring %d a second; retry in %d s",
		cost, st.CurrentlyAvailable, st.MaximumAvailable, st.RestoreRate, retrySeconds(st.RetryAfter))
	err.Extensions = map[string]any{"code": CodeThrottled}
	return err
}

// Take spends cost from key's bucket when it holds that much, and returns
// the bucket's state; RetryAfter is positive when it did not.
func (l *RateLimit) Take(key string, cost int64) ThrottleStatus {
	size, rate := float64(l.opts.Bucket), float64(l.opts.RestorePerSecond)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *bucket
	if e, ok := l.buckets[key]; ok {
		b = e.Value.(*bucket)
		b.available = math.Min(size, b.available+rate*now.Sub(b.at).Seconds())
		l.order.MoveToFront(e)
	} else {
		l.forgetIdle(now, size, rate)
		b = &bucket{key: key, available: size}
		l.buckets[key] = l.order.PushFront(b)
	}
	b.at = now
	st := ThrottleStatus{MaximumAvailable: l.opts.Bucket, RestoreRate: l.opts.RestorePerSecond}
	if c := float64(cost); c <= b.available {
		b.available -= c
	} else {
		st.RetryAfter = time.Duration((c - b.available) / rate * float64(time.Second))
	}
	st.CurrentlyAvailable = int(math.Floor(b.available))
	return st
}

// forgetIdle makes room for one more bucket: it drops the least recently
// used buckets that have refilled (a few at a time, so each call stays
// cheap), and the least recently used one of all when still full.
func (l *RateLimit) forgetIdle(now time.Time, size, rate float64) {
	for range 4 {
		e := l.order.Back()
		if e == nil {
			break
		}
		b := e.Value.(*bucket)
		if b.available+rate*now.Sub(b.at).Seconds() < size {
			break
		}
		l.drop(e)
	}
	if l.order.Len() >= l.opts.MaxClients {
		l.drop(l.order.Back())
	}
}

func (l *RateLimit) drop(e *list.Element) {
	delete(l.buckets, e.Value.(*bucket).key)
	l.order.Remove(e)
}

// Len is the number of buckets held.
func (l *RateLimit) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// RateKey is whose budget a request spends: its credential's (kind and
// token or key ID), or for anonymous requests its client address, IPv6 by
// /64.
func RateKey(ctx context.Context) string {
	if v := model.ViewerFrom(ctx); v.Kind != model.ViewerAnonymous && v.TokenID != 0 {
		return string(v.Kind) + ":" + strconv.FormatInt(v.TokenID, 10)
	}
	addr := model.ClientAddrFrom(ctx)
	if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
		addr = ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return "addr:" + addr
}

// throttleOf returns the budget an operation was checked against, nil when
// there was no check.
func throttleOf(op *graphql.OperationContext) *ThrottleStatus {
	if op == nil {
		return nil
	}
	st, _ := op.Stats.GetExtension(throttleStatsKey).(*ThrottleStatus)
	return st
}

// retrySeconds rounds a wait up to whole seconds, at least one, for
// Retry-After.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
