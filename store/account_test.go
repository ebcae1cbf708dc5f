package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// Branches number their migrations apart and are merged in any order: a
// database that already recorded a later version (here a made-up 99, as if
// from a branch merged first) still gets every migration it lacks.
func TestMigrationsApplyEveryMissingVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, err := store.Open(ctx, b.URL(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.MigrateTo(ctx, 5); err != nil {
			t.Fatal(err)
		}
		if err := st.DB(ctx).Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'another branch', ?)",
			time.Now().UTC().Truncate(time.Second)).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		want := append(store.MigrationVersions(), 99)
		if got := migrationsApplied(t, st); !slices.Equal(got, want) {
			t.Fatalf("applied = %v, want %v", got, want)
		}
		// Running again applies nothing twice.
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func newCustomer(t *testing.T, st *store.Store, email string) *model.Customer {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	c := &model.Customer{Email: email, EmailKey: email, PasswordHash: "$argon2id$x", FirstName: "Somchai",
		Phone: "0812345678", AcceptsMarketing: true, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// Closing anonymises the row in place, deletes the addresses and frees the
// email; many closes at once close it exactly once.
func TestCloseCustomerOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		c := newCustomer(t, st, "close@example.com")
		other := newCustomer(t, st, "stay@example.com")
		now := time.Now().UTC().Truncate(time.Second)
		for _, id := range []int64{c.ID, c.ID, other.ID} {
			a := &model.MailingAddress{CustomerID: id, Address1: "99 Sukhumvit", Country: "TH", Zip: "10110", CreatedAt: now, UpdatedAt: now}
			if err := st.CreateAddress(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = st.CloseCustomer(ctx, c.ID, now) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch model.ErrorCodeOf(err) {
			case "":
				won++
			case model.CodeNotFound:
			default:
				t.Errorf("close: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d closes succeeded, want 1", won)
		}
		got, err := st.FindCustomersByIDs(ctx, []int64{c.ID})
		if err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		g := got[0]
		if g.Email != store.ClosedEmail(c.ID) || g.EmailKey != store.ClosedEmail(c.ID) || g.PasswordHash != "" ||
			g.FirstName != "" || g.Phone != "" || g.AcceptsMarketing || g.DefaultAddressID != nil || g.ClosedAt == nil {
			t.Errorf("closed row: %+v", g)
		}
		if _, ok := model.NormalizeEmail(g.Email); ok {
			t.Errorf("the placeholder %q is an address", g.Email)
		}
		addrs, err := st.FindAddressesByCustomerIDs(ctx, []int64{c.ID, other.ID})
		if err != nil || len(addrs) != 1 || addrs[0].CustomerID != other.ID {
			t.Errorf("addresses after closing: %v, %v", addrs, err)
		}
		if _, err := st.FindCustomerByEmailKey(ctx, "close@example.com"); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("closed account found by its old email: %v", err)
		}
		// The address is free again.
		newCustomer(t, st, "close@example.com")
		if err := st.UpdateCustomer(ctx, c.ID, map[string]any{"first_name": "x"}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("updating a closed account: %v", err)
		}
	})
}

// A one-time token is consumed exactly once however many use it at once,
// and EndOneTimeTokens ends the subject's other tokens of that purpose only.
func TestOneTimeTokensAreUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		now := time.Now().UTC().Truncate(time.Second)
		mk := func(hash, purpose string, subject int64) {
			t.Helper()
			if err := st.CreateOneTimeToken(ctx, &store.OneTimeToken{Purpose: purpose, SubjectID: subject, TokenHash: hash,
				ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		mk("a", store.PurposePasswordReset, 7)
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = st.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, "a", now) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch model.ErrorCodeOf(err) {
			case "":
				won++
			case model.CodeNotFound:
			default:
				t.Errorf("consume: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d uses succeeded, want 1", won)
		}
		if _, err := st.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, "a", now); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("used again: %v", err)
		}

		mk("b", store.PurposePasswordReset, 7)
		mk("c", store.PurposePasswordReset, 8)
		mk("d", store.PurposeStaffInvitation, 7)
		if err := st.EndOneTimeTokens(ctx, store.PurposePasswordReset, 7, now); err != nil {
			t.Fatal(err)
		}
		for hash, live := range map[string]bool{"b": false, "c": true} {
			_, err := st.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, hash, now)
			if (err == nil) != live {
				t.Errorf("token %s after ending subject 7's: %v", hash, err)
			}
		}
		if _, err := st.ConsumeOneTimeToken(ctx, store.PurposeStaffInvitation, "d", now); err != nil {
			t.Errorf("another purpose's token was ended: %v", err)
		}
		// Expired tokens are refused.
		mk("e", store.PurposePasswordReset, 9)
		if _, err := st.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, "e", now.Add(2*time.Hour)); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("expired token: %v", err)
		}
	})
}

// Pruning deletes expired one-time tokens and throttle counts that are old
// and block nobody; it keeps live tokens, fresh counts and live blocks.
func TestPruneAuthRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		now := time.Now().UTC().Truncate(time.Second)
		for hash, expires := range map[string]time.Time{"old": now.Add(-48 * time.Hour), "recent": now.Add(-time.Hour), "live": now.Add(time.Hour)} {
			if err := st.CreateOneTimeToken(ctx, &store.OneTimeToken{Purpose: store.PurposePasswordReset, TokenHash: hash,
				ExpiresAt: expires, CreatedAt: expires.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		day := store.Throttle{Window: time.Hour, Failures: 2, Block: 72 * time.Hour}
		for subject, at := range map[string]time.Time{"addr:old": now.Add(-48 * time.Hour), "addr:fresh": now.Add(-time.Minute)} {
			if err := st.ThrottleFailure(ctx, subject, day, at); err != nil {
				t.Fatal(err)
			}
		}
		// Blocked two days ago for three days: still blocking.
		for range 2 {
			if err := st.ThrottleFailure(ctx, "addr:blocked", day, now.Add(-48*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := st.PruneAuthRecords(ctx, now.Add(-24*time.Hour), now)
		if err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want the old token and the old count", n, err)
		}
		var hashes, subjects []string
		if err := st.DB(ctx).Table("one_time_tokens").Order("token_hash").Pluck("token_hash", &hashes).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB(ctx).Table("auth_throttle").Order("subject").Pluck("subject", &subjects).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(hashes, []string{"live", "recent"}) || !slices.Equal(subjects, []string{"addr:blocked", "addr:fresh"}) {
			t.Errorf("left tokens %v, throttle %v", hashes, subjects)
		}
	})
}
