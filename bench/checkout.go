package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// The checkout scenario: complete purchases per second, against Langran
// and against the baseline's hand-written checkout (bench/baseline,
// checkout.go), on one migrated MariaDB database. A purchase is the steps
// of -steps (by default cartCreate with 2 or 3 lines, cartBuyerIdentityUpdate
// with an email and a Thai address answering the delivery options,
// cartSelectedDeliveryOptionUpdate choosing the cheapest, checkoutComplete
// with a new idempotency key). After every round the database is checked
// (checkoutDB.check) and the run fails if any check does.

// defaultBuyers is -concurrency for the checkout scenario unless given.
const defaultBuyers = 32

// defaultCheckoutDatabase is -mysql for the checkout scenario unless given.
const defaultCheckoutDatabase = "mysql://root@127.0.0.1:3306/langran_checkout_bench"

// checkoutOptions are the checkout scenario's flags.
type checkoutOptions struct {
	pool      int
	scarce    int
	attempts  int
	stepsFlag string
	steps     []purchaseStep
	payWithin time.Duration
}

func checkoutFlags(o *checkoutOptions) {
	flag.IntVar(&o.pool, "pool", 500, "checkout: how many variants purchases choose from (each stocked with plenty)")
	flag.IntVar(&o.scarce, "scarce", 0, "checkout: when above 0, every purchase also wants 1 unit of one variant that has only this many; rounds stop after -attempts purchases")
	flag.IntVar(&o.attempts, "attempts", 0, "checkout: purchases per round at most (0: as many as -duration allows; with -scarce, 4 × scarce)")
	flag.StringVar(&o.stepsFlag, "steps", defaultSteps, "checkout: the steps of a purchase, in order")
	flag.DurationVar(&o.payWithin, "pay-within", 720*time.Hour, "checkout: LANGRAN_ORDER_PAY_WITHIN of both servers; long, so no order expires and releases stock during a run")
}

func (o *checkoutOptions) validate(all options) error {
	var err error
	if o.steps, err = parseSteps(o.stepsFlag); err != nil {
		return err
	}
	switch {
	case o.pool < 3:
		return errors.New("-pool must be at least 3")
	case o.scarce < 0 || o.attempts < 0:
		return errors.New("-scarce and -attempts must not be negative")
	case all.products < 1:
		return errors.New("-products must be at least 1")
	}
	if o.scarce > 0 && o.attempts == 0 {
		o.attempts = 4 * o.scarce
	}
	return nil
}

// checkoutRound is one measured round of one target.
type checkoutRound struct {
	Target     string
	Round      int
	res        purchaseResult
	Statements float64          // as the server counts them (Langran: langran_db_queries_total)
	MySQL      map[string]int64 // deltas of the server-wide counters
	ServerCPU  time.Duration
	DBCPU      time.Duration
	SelfCPU    time.Duration
	OtherCPU   time.Duration
	CPUKnown   bool
	Check      roundCheck
}

// OtherCores is the CPUs processes outside the benchmark kept busy.
func (m checkoutRound) OtherCores() float64 {
	if m.res.Elapsed <= 0 {
		return 0
	}
	return m.OtherCPU.Seconds() / m.res.Elapsed.Seconds()
}

// checkoutResult is the whole run, for the report and the test.
type checkoutResult struct {
	Rounds []checkoutRound
	Report string
}

func runCheckout(ctx context.Context, o options) (*checkoutResult, error) {
	started := time.Now()
	co := o.checkout
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	if o.resultsDir == "" {
		o.resultsDir = filepath.Join(root, "bench", "results")
	}
	db, err := parseBenchDatabase(o.mysqlURL)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "langran-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	logf("building langran and the baseline")
	langranBin, baselineBin := filepath.Join(tmp, "langran"), filepath.Join(tmp, "baseline")
	if err := goBuild(ctx, root, langranBin, "."); err != nil {
		return nil, err
	}
	if err := goBuild(ctx, root, baselineBin, "./bench/baseline"); err != nil {
		return nil, err
	}
	if err := db.prepare(ctx, langranBin, o.products, o.reuse); err != nil {
		return nil, err
	}
	cdb, err := openCheckoutDB(ctx, db)
	if err != nil {
		return nil, err
	}
	defer cdb.Close()
	if err := cdb.configureShipping(ctx); err != nil {
		return nil, fmt.Errorf("the benchmark's shipping zone: %w", err)
	}
	pool, scarceID, err := cdb.choosePool(ctx, co.pool, co.scarce > 0)
	if err != nil {
		return nil, err
	}
	logf("%d variants in the pool, each with at least %d available", len(pool), plentiful/2)

	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        4 * o.concurrency,
		MaxIdleConnsPerHost: 2 * o.concurrency,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	langranEnv := []string{"LANGRAN_ORDER_PAY_WITHIN=" + co.payWithin.String()}
	baselineArgs := []string{"-pay-within", co.payWithin.String()}
	if !hasStep(co.steps, "delivery") {
		// Purchases without a delivery step (-steps without it) need shops
		// that require none: both check out without shipping.
		langranEnv = append(langranEnv, "LANGRAN_DELIVERY_REQUIRED=false")
		baselineArgs = append(baselineArgs, "-delivery-required=false")
	}
	langran, baseline, err := startTargets(db, langranBin, baselineBin, o.pprof, client, nil, langranEnv, baselineArgs)
	if err != nil {
		return nil, err
	}
	for _, t := range []*target{langran, baseline} {
		defer t.proc.stop()
	}
	for _, t := range []*target{langran, baseline} {
		if err := waitReady(ctx, t.proc, client, t.base+"/readyz"); err != nil {
			return nil, err
		}
	}
	buyers := map[string]*buyerClient{}
	for _, t := range []*target{langran, baseline} {
		buyers[t.name] = &buyerClient{http: client, url: t.base + "/graphql", steps: co.steps}
	}
	if err := verifySamePurchase(ctx, cdb, buyers, pool, hasStep(co.steps, "delivery"), langran, baseline); err != nil {
		return nil, err
	}
	pick := pickFromPool(pool, scarceID)

	if busy, err := otherLoad(ctx, time.Second); err == nil && busy > 0.2 {
		logf("warning: before the rounds, other processes kept %.2f CPUs busy; the figures will be noisy (see the Other load column)", busy)
	}
	dbPid, err := db.serverPid(ctx)
	if err != nil {
		logf("the database server's CPU time will not be reported: %v", err)
		dbPid = 0
	}
	if o.warmup > 0 {
		for _, t := range []*target{langran, baseline} {
			logf("warming up %s for %s", t.name, o.warmup)
			// Warm-up buys from the pool only: the scarce units are for the rounds.
			if r := runPurchases(ctx, buyers[t.name], o.concurrency, o.warmup, 0, pickFromPool(pool, 0)); r.Errors > 0 {
				logf("warm-up of %s: %d errors, first: %v", t.name, r.Errors, r.FirstErr)
			}
		}
	}

	var rounds []checkoutRound
	var failures []string
	for round := 1; round <= o.rounds; round++ {
		for _, t := range []*target{langran, baseline} {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err := cdb.restock(ctx, pool); err != nil {
				return nil, err
			}
			if scarceID != 0 {
				if err := cdb.setAvailable(ctx, scarceID, co.scarce); err != nil {
					return nil, err
				}
			}
			m, err := measureCheckout(ctx, cdb, t, buyers[t.name], dbPid, round, o.concurrency, o.duration, co, pick, scarceID)
			if err != nil {
				return nil, err
			}
			r := m.res
			logf("round %d %-8s %7.1f purchases/s  p50 %s  p99 %s  checkout p50 %s  out of stock %d  errors %d  SQL/purchase %.2f  other load %.2f CPUs",
				round, t.name, r.PurchasesPerSecond(), ms2(percentile(r.Latencies, 50)), ms2(percentile(r.Latencies, 99)),
				ms2(percentile(r.CheckoutLatencies, 50)), r.OutOfStock, r.Errors, m.statementsPerPurchase(), m.OtherCores())
			if r.FirstErr != nil {
				logf("round %d %s: first error: %v", round, t.name, r.FirstErr)
			}
			if len(m.Check.Problems) > 0 {
				for _, p := range m.Check.Problems {
					logf("round %d %s: CHECK FAILED: %s", round, t.name, p)
					failures = append(failures, fmt.Sprintf("round %d %s: %s", round, t.name, p))
				}
			} else {
				logf("round %d %s: checks passed: %d orders, %d units committed, none oversold, ledger adds up", round, t.name, m.Check.Orders, m.Check.Units)
			}
			rounds = append(rounds, m)
		}
	}

	if err := os.MkdirAll(o.resultsDir, 0o755); err != nil {
		return nil, err
	}
	stamp := started.UTC().Format("20060102-150405")
	var profiles []string
	if o.pprof {
		for _, t := range []*target{langran, baseline} {
			path := filepath.Join(o.resultsDir, stamp+"-checkout-"+t.name+".cpu.pprof")
			logf("profiling %s for %ds under the same load (not part of the figures)", t.name, o.profileSeconds)
			if err := profilePurchases(ctx, client, t, buyers[t.name], o.concurrency, o.profileSeconds, pickFromPool(pool, 0), path); err != nil {
				return nil, err
			}
			profiles = append(profiles, path)
		}
	}
	meta := reportMeta{
		Command:    commandLine(),
		Revision:   revision(ctx, root),
		Started:    started,
		Options:    o,
		GoVersion:  runtime.Version(),
		CPUs:       runtime.NumCPU(),
		CPUModel:   cpuModel(),
		Memory:     memTotal(),
		PeakRSS:    map[string]int64{},
		Profiles:   profiles,
		TotalTime:  time.Since(started),
		DBCPUKnown: dbPid != 0,
	}
	for _, t := range []*target{langran, baseline} {
		if rss, err := peakRSS(t.proc.Pid()); err == nil {
			meta.PeakRSS[t.name] = rss
		}
	}
	if v, err := db.serverVersion(ctx); err == nil {
		meta.DBVersion = v
	}
	var report strings.Builder
	writeCheckoutReport(&report, meta, rounds, len(pool), langran.name, baseline.name)
	fmt.Print(report.String())
	path := filepath.Join(o.resultsDir, stamp+"-checkout-report.md")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		return nil, err
	}
	logf("report saved to %s", path)
	out := &checkoutResult{Rounds: rounds, Report: report.String()}
	if len(failures) > 0 {
		return out, fmt.Errorf("%w:\n  %s", errChecksFailed, strings.Join(failures, "\n  "))
	}
	return out, nil
}

// verifySamePurchase makes the same purchase (three pool variants) on both
// servers and fails unless their orders hold the same figures, lines and
// event, column by column: the proof that the baseline does the same work.
//
// The purchase is of the pool's three cheapest variants, well under the
// free-shipping threshold, so with a delivery step both orders must also
// carry the same delivery option, the one chosen on the cart, and charge
// for it.
func verifySamePurchase(ctx context.Context, cdb *checkoutDB, buyers map[string]*buyerClient, pool []int64, delivery bool, targets ...*target) error {
	cheap, err := cdb.cheapest(ctx, pool, 3)
	if err != nil {
		return err
	}
	lines := []purchaseLine{{cheap[0], 2}, {cheap[1], 1}, {cheap[2], 3}}
	orders := map[string]*purchase{}
	for _, t := range targets {
		before, err := t.counter(ctx)
		if err != nil {
			return err
		}
		p := &purchase{lines: lines, email: "Verify@Example.com", key: fmt.Sprintf("verify-%s-%d", t.name, rand.Int64())}
		if _, err := buyers[t.name].purchase(ctx, p, &bytes.Buffer{}); err != nil {
			return fmt.Errorf("%s: a purchase failed: %w", t.name, err)
		}
		after, err := t.counter(ctx)
		if err != nil {
			return err
		}
		logf("%s: one purchase, order %s, total %s, %g SQL statements", t.name, p.orderID, p.total, after-before)
		orders[t.name] = p
	}
	a, b := orders[targets[0].name], orders[targets[1].name]
	if a.total != b.total {
		return fmt.Errorf("the same purchase costs %s on %s and %s on %s", a.total, targets[0].name, b.total, targets[1].name)
	}
	if err := cdb.compareOrders(ctx, a.orderID, b.orderID); err != nil {
		return fmt.Errorf("%s and %s wrote different orders for the same purchase (%s vs %s): %w; the comparison would not be fair",
			targets[0].name, targets[1].name, targets[0].name, targets[1].name, err)
	}
	if delivery {
		for _, t := range targets {
			d, err := cdb.orderDelivery(ctx, orders[t.name].orderID)
			if err != nil {
				return err
			}
			if d.Option == "" || d.Title == "" || d.Option != d.CartOption || d.Shipping <= 0 {
				return fmt.Errorf("%s: the verifying purchase's delivery is not as chosen and charged: order %q (%q, %d), cart %q",
					t.name, d.Option, d.Title, d.Shipping, d.CartOption)
			}
			logf("%s: delivery %s (%s) charged %d satang", t.name, d.Option, d.Title, d.Shipping)
		}
	}
	logf("verified: langran and the baseline write the same order for the same purchase")
	return nil
}

// measureCheckout runs one round against t, collects the counters around it
// and checks the database after it.
func measureCheckout(ctx context.Context, cdb *checkoutDB, t *target, c *buyerClient, dbPid, round, buyers int, d time.Duration,
	co checkoutOptions, pick linePicker, scarceID int64) (checkoutRound, error) {
	m := checkoutRound{Target: t.name, Round: round}
	snap, err := cdb.snapshot(ctx, scarceID)
	if err != nil {
		return m, err
	}
	status0, err := cdb.mysqlStatus(ctx)
	if err != nil {
		return m, err
	}
	before, err := t.counter(ctx)
	if err != nil {
		return m, err
	}
	cpu0, cpuErr := cpuTimes(t.proc.Pid(), dbPid)
	m.res = runPurchases(ctx, c, buyers, d, co.attempts, pick)
	cpu1, cpuErr1 := cpuTimes(t.proc.Pid(), dbPid)
	after, err := t.counter(ctx)
	if err != nil {
		return m, err
	}
	status1, err := cdb.mysqlStatus(ctx)
	if err != nil {
		return m, err
	}
	m.Statements = after - before
	m.MySQL = map[string]int64{}
	for k, v := range status1 {
		m.MySQL[k] = v - status0[k]
	}
	if cpuErr == nil && cpuErr1 == nil {
		m.CPUKnown = true
		m.ServerCPU = cpu1[0] - cpu0[0]
		m.DBCPU = cpu1[1] - cpu0[1]
		m.SelfCPU = cpu1[2] - cpu0[2]
		m.OtherCPU = max(0, cpu1[3]-cpu0[3]-m.ServerCPU-m.DBCPU-m.SelfCPU)
	}
	if ctx.Err() != nil {
		return m, ctx.Err()
	}
	m.Check, err = cdb.check(ctx, snap, m.res, scarceID, co.scarce, hasStep(co.steps, "delivery"))
	return m, err
}

// statementsPerPurchase divides the server's statements over every attempt.
func (m checkoutRound) statementsPerPurchase() float64 {
	if n := m.res.Attempts(); n > 0 {
		return m.Statements / float64(n)
	}
	return 0
}

// profilePurchases captures a CPU profile of t while it serves purchases.
func profilePurchases(ctx context.Context, client *http.Client, t *target, c *buyerClient, buyers, seconds int, pick linePicker, path string) error {
	if t.debug == "" {
		return fmt.Errorf("%s has no pprof listener", t.name)
	}
	done := make(chan purchaseResult, 1)
	go func() {
		done <- runPurchases(ctx, c, buyers, time.Duration(seconds)*time.Second+1500*time.Millisecond, 0, pick)
	}()
	select {
	case <-time.After(500 * time.Millisecond):
	case <-ctx.Done():
	}
	pc := &http.Client{Transport: client.Transport, Timeout: time.Duration(seconds+30) * time.Second}
	prof, err := fetch(ctx, pc, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", t.debug, seconds))
	<-done
	if err != nil {
		return fmt.Errorf("profile %s: %w", t.name, err)
	}
	if err := os.WriteFile(path, prof, 0o644); err != nil {
		return err
	}
	logf("CPU profile of %s saved: go tool pprof -top %s", t.name, path)
	return nil
}
