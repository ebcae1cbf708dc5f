package main

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckoutBenchmark runs the checkout benchmark briefly against both
// servers on MariaDB, with plenty of stock and then with 50 scarce units,
// and asserts what the checks found (no timing): every round's orders,
// units, stock and ledger add up, and the scarce units are sold exactly
// once. It builds both servers, seeds a small catalog in a database of its
// own and drops it afterwards.
func TestCheckoutBenchmark(t *testing.T) {
	raw := os.Getenv("LANGRAN_TEST_MYSQL_URL")
	if raw == "" {
		t.Skip("set LANGRAN_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test) to run the checkout benchmark on MariaDB")
	}
	if testing.Short() {
		t.Skip("builds both servers and runs load for seconds")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	statSources(t)
	u.Path = fmt.Sprintf("/langran_bench_test_%08x", rand.Uint32())
	db, err := parseBenchDatabase(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		server, err := db.openServer()
		if err != nil {
			t.Error(err)
			return
		}
		defer server.Close()
		if _, err := server.Exec("DROP DATABASE IF EXISTS `" + db.Name + "`"); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	for i, tc := range []struct {
		name     string
		scarce   int
		duration time.Duration
	}{
		{"plenty", 0, 2 * time.Second},
		// The scarce round ends after its 200 attempts; the duration is
		// only a bound, long enough for a machine busy with other work.
		{"scarce", 50, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options{scenario: "checkout", mysqlURL: u.String(), products: 200, reuse: i > 0, concurrency: 32,
				duration: tc.duration, rounds: 1, profileSeconds: 1, resultsDir: t.TempDir(),
				checkout: checkoutOptions{pool: 50, scarce: tc.scarce, stepsFlag: defaultSteps, payWithin: 720 * time.Hour}}
			if err := o.checkout.validate(o); err != nil {
				t.Fatal(err)
			}
			res, err := runCheckout(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rounds) != 2 {
				t.Fatalf("%d rounds measured, want one per server", len(res.Rounds))
			}
			for _, m := range res.Rounds {
				if len(m.Check.Problems) > 0 {
					t.Errorf("%s: %s", m.Target, strings.Join(m.Check.Problems, "; "))
				}
				if m.res.Purchases == 0 || m.Check.Orders != int64(m.res.Purchases) && m.res.Errors == 0 {
					t.Errorf("%s: %d purchases, %d orders, %d errors (first: %v)", m.Target, m.res.Purchases, m.Check.Orders, m.res.Errors, m.res.FirstErr)
				}
				// Every order went through the delivery step and most paid
				// for it (the checks hold their figures to their lines and
				// shipping).
				if m.Check.Delivered != m.Check.Orders || m.Check.PaidShipping == 0 {
					t.Errorf("%s: %d orders, %d with a delivery option, %d paid for delivery", m.Target, m.Check.Orders, m.Check.Delivered, m.Check.PaidShipping)
				}
				if tc.scarce == 0 {
					continue
				}
				if m.Check.ScarceSold != int64(tc.scarce) || m.res.Purchases != tc.scarce || m.res.Attempts() != 4*tc.scarce {
					t.Errorf("%s: %d tried, %d bought, %d OUT_OF_STOCK, %d errors, %d scarce units sold; want %d tried and exactly %d sold",
						m.Target, m.res.Attempts(), m.res.Purchases, m.res.OutOfStock, m.res.Errors, m.Check.ScarceSold, 4*tc.scarce, tc.scarce)
				}
			}
		})
	}
	t.Run("checks catch damage", func(t *testing.T) { checkFindsDamage(ctx, t, db) })
}

// checkFindsDamage breaks the database the way the checks exist to catch,
// and asserts that they do: an oversold variant (committed above on hand,
// with no order to show for it), stock on hand changed around the ledger,
// an order whose shipping is not in its total, and one without a
// delivery option.
func checkFindsDamage(ctx context.Context, t *testing.T, db *benchDatabase) {
	cdb, err := openCheckoutDB(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer cdb.Close()
	pool, _, err := cdb.choosePool(ctx, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	if err := cdb.sql.QueryRowContext(ctx, "SELECT MAX(id) FROM orders").Scan(&last); err != nil {
		t.Fatal(err)
	}
	before, err := cdb.snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The last two orders (of the runs above) count as this round's.
	before.MaxOrderID = last - 2
	for _, q := range []struct {
		query string
		arg   int64
	}{
		{"UPDATE product_variants SET inventory_committed = inventory_quantity + 1 WHERE id = ?", pool[0]},
		{"UPDATE product_variants SET inventory_quantity = inventory_quantity + 5, inventory_committed = inventory_committed + 5 WHERE id = ?", pool[0]},
		{"UPDATE orders SET shipping = shipping + 100 WHERE id = ?", last},
		{"UPDATE orders SET delivery_option = '' WHERE id = ?", last - 1},
	} {
		if _, err := cdb.sql.ExecContext(ctx, q.query, q.arg); err != nil {
			t.Fatal(err)
		}
	}
	r, err := cdb.check(ctx, before, purchaseResult{Purchases: 2}, 0, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(r.Problems, "; ")
	for _, want := range []string{"1 variants oversold", "committed stock grew by", "the ledger does not add up for 1 variants",
		"1 orders whose figures do not add up", "1 of 2 orders have no delivery option"} {
		if !strings.Contains(got, want) {
			t.Errorf("the checks missed %q; they found: %s", want, got)
		}
	}
}

// statSources stats every Go file of the module. The test builds the
// servers from the source with go build, which go test's cache does not
// see; files the test stats it does, so a change anywhere runs it again
// rather than answering from the cache.
func statSources(t *testing.T) {
	root, err := moduleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "results") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseSteps(t *testing.T) {
	steps, err := parseSteps(defaultSteps)
	if err != nil || len(steps) != 4 || steps[2].op != "CartSelectedDeliveryOptionUpdate" || steps[3].op != "CheckoutComplete" {
		t.Fatalf("default steps: %v, %v", steps, err)
	}
	if _, err := parseSteps("create,buyer,checkout"); err != nil {
		t.Errorf("a purchase without delivery: %v", err)
	}
	for _, bad := range []string{"", "create", "buyer,checkout", "create,checkout,buyer", "create,delivery,checkout", "create,delivery,buyer,checkout", "create,buyer,delivery"} {
		if _, err := parseSteps(bad); err == nil {
			t.Errorf("steps %q accepted", bad)
		}
	}
}

func TestPickFromPool(t *testing.T) {
	pool := []int64{1, 2, 3, 4}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, scarce := range []int64{0, 99} {
		pick := pickFromPool(pool, scarce)
		for range 200 {
			lines := pick(rng)
			if len(lines) < 2 || len(lines) > 3 {
				t.Fatalf("%d lines", len(lines))
			}
			seen := map[int64]bool{}
			for i, l := range lines {
				if seen[l.VariantID] || l.Quantity < 1 || l.Quantity > 2 && l.VariantID != scarce {
					t.Fatalf("lines %v", lines)
				}
				seen[l.VariantID] = true
				if scarce != 0 && (i == 0) != (l.VariantID == scarce) {
					t.Fatalf("the scarce variant is not the first line alone: %v", lines)
				}
			}
		}
	}
}
