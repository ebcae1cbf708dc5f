package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/langran/langran/model"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// A bucket spends what fits, refuses what does not with the wait until it
// would, and refills at the restore rate up to its size.
func TestRateLimitBucket(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := NewRateLimit(RateLimitOptions{Bucket: 1000, RestorePerSecond: 50, Now: clock.now})
	for i, c := range []struct {
		cost      int64
		available int
		retry     time.Duration
	}{
		{400, 600, 0}, {600, 0, 0}, {1, 0, 20 * time.Millisecond}, {0, 0, 0},
	} {
		st := l.Take("a", c.cost)
		if st.CurrentlyAvailable != c.available || st.RetryAfter != c.retry || st.MaximumAvailable != 1000 || st.RestoreRate != 50 {
			t.Errorf("take %d (cost %d): %+v", i, c.cost, st)
		}
	}
	if st := l.Take("b", 1000); st.RetryAfter != 0 || st.CurrentlyAvailable != 0 {
		t.Errorf("another key: %+v", st)
	}
	clock.advance(2 * time.Second)
	if st := l.Take("a", 150); st.RetryAfter != time.Second || st.CurrentlyAvailable != 100 {
		t.Errorf("after 2 s: %+v", st)
	}
	clock.advance(time.Hour)
	if st := l.Take("a", 0); st.CurrentlyAvailable != 1000 {
		t.Errorf("after an hour the bucket holds %d, want its size", st.CurrentlyAvailable)
	}
}

// Whatever keys clients send, at most MaxClients buckets are held, and
// buckets that have refilled are forgotten as new ones come.
func TestRateLimitMemoryIsBounded(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := NewRateLimit(RateLimitOptions{Bucket: 100, RestorePerSecond: 10, MaxClients: 50, Now: clock.now})
	for i := range 10_000 {
		l.Take(fmt.Sprint("addr:", i), 5)
	}
	if n := l.Len(); n != 50 {
		t.Fatalf("%d buckets held, want 50", n)
	}
	// Ten seconds later every bucket is full again: new callers replace
	// them one for one, and nobody loses anything.
	clock.advance(10 * time.Second)
	for i := range 10 {
		l.Take(fmt.Sprint("late:", i), 5)
	}
	if n := l.Len(); n > 50 || n < 10 {
		t.Fatalf("%d buckets held", n)
	}
	// The most recent callers keep their spent budgets.
	if st := l.Take("late:9", 0); st.CurrentlyAvailable != 95 {
		t.Errorf("a recent caller's bucket: %+v", st)
	}
}

// Credentials have their own budgets; anonymous callers share their
// address's, and an IPv6 subscriber's /64.
func TestRateKey(t *testing.T) {
	anon := func(addr string) context.Context { return model.WithClientAddr(context.Background(), addr) }
	for _, c := range []struct {
		ctx  context.Context
		want string
	}{
		{anon("203.0.113.7"), "addr:203.0.113.7"},
		{anon("2001:db8:1:2:aaaa::1"), "addr:2001:db8:1:2::/64"},
		{anon("2001:db8:1:2:bbbb::9"), "addr:2001:db8:1:2::/64"},
		{anon(""), "addr:"},
		{model.WithViewer(anon("203.0.113.7"), &model.Viewer{Kind: model.ViewerCustomer, ID: 3, TokenID: 41}), "CUSTOMER:41"},
		{model.WithViewer(anon("203.0.113.7"), &model.Viewer{Kind: model.ViewerPartner, ID: 5, TokenID: 5}), "PARTNER:5"},
		{model.WithViewer(anon("203.0.113.7"), model.Anonymous), "addr:203.0.113.7"},
	} {
		if got := RateKey(c.ctx); got != c.want {
			t.Errorf("%s, want %s", got, c.want)
		}
	}
}
