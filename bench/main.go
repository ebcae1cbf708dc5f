// Command bench measures Langran against a baseline written with plain
// net/http, database/sql and encoding/json (bench/baseline), in one of two
// scenarios:
//
//		go run ./bench -mysql mysql://root@127.0.0.1:3306/langran_bench -concurrency 16 -duration 10s -rounds 3 -pprof
//		go run ./bench -scenario checkout -duration 10s -rounds 3 -pprof
//
//	  - storefront (the default): the storefront page, a read. It seeds a
//	    MySQL/MariaDB catalog, builds and starts both servers on loopback
//	    ports, checks that they answer the page identically, then drives them
//	    in alternating rounds of closed-loop load and prints a Markdown report
//	    for docs/BENCHMARKS.md.
//
//	  - checkout (-scenario checkout, checkout.go): whole purchases, writes:
//	    a cart with lines, its buyer, checkoutComplete; the same structure,
//	    and after every round the stock, orders and ledger are checked.
//
// LANGRAN_* variables in the environment (LANGRAN_DATALOADER_WAIT, …) reach
// the Langran server, except those the benchmark sets itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pageQuery is the storefront page of the issue; %d is the page size.
const pageQuery = `query StorefrontPage { products(first: %d) { edges { node { category { name } images { url } variants(first: 10) { edges { node { sku price { amount } quantityAvailable } } } } } } }`

type options struct {
	scenario       string
	mysqlURL       string
	products       int
	reuse          bool
	concurrency    int
	duration       time.Duration
	warmup         time.Duration
	rounds         int
	first          int
	pprof          bool
	profileSeconds int
	resultsDir     string
	checkout       checkoutOptions
}

func main() {
	var o options
	flag.StringVar(&o.scenario, "scenario", "storefront", "what to measure: storefront (the page) or checkout (whole purchases)")
	flag.StringVar(&o.mysqlURL, "mysql", "mysql://root@127.0.0.1:3306/langran_bench", "MySQL/MariaDB database to (re)create and seed; its name must contain \"bench\" (checkout: "+defaultCheckoutDatabase+" unless set)")
	flag.IntVar(&o.products, "products", 10000, "products to seed")
	flag.BoolVar(&o.reuse, "reuse", false, "keep the database if it already holds -products products")
	flag.IntVar(&o.concurrency, "concurrency", 16, "requests in flight (closed loop: each worker sends its next request when the last is answered); checkout: buyers, 32 unless set")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured round")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured load on each server before the first round")
	flag.IntVar(&o.rounds, "rounds", 3, "measured rounds; each runs Langran, then the baseline")
	flag.IntVar(&o.first, "first", 50, "products per page (1 to 100)")
	flag.BoolVar(&o.pprof, "pprof", false, "after the rounds, capture a CPU profile of each server under the same load into -results")
	flag.IntVar(&o.profileSeconds, "profile-seconds", 10, "length of each CPU profile")
	flag.StringVar(&o.resultsDir, "results", "", "where reports and profiles go (default bench/results in the module)")
	checkoutFlags(&o.checkout)
	flag.Parse()
	if o.scenario == "checkout" {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["concurrency"] {
			o.concurrency = defaultBuyers
		}
		if !set["mysql"] {
			// Not the storefront's database: purchases add orders to it.
			o.mysqlURL = defaultCheckoutDatabase
		}
		if err := o.checkout.validate(o); err != nil {
			fail(err)
		}
	} else if o.scenario != "storefront" {
		fail(errors.New("-scenario must be storefront or checkout"))
	}
	switch {
	case o.concurrency < 1 || o.concurrency > 1024:
		fail(errors.New("-concurrency must be between 1 and 1024"))
	case o.first < 1 || o.first > 100:
		fail(errors.New("-first must be between 1 and 100"))
	case o.rounds < 1:
		fail(errors.New("-rounds must be at least 1"))
	case o.duration < time.Second:
		fail(errors.New("-duration must be at least 1s"))
	case o.products < o.first:
		fail(errors.New("-products must be at least -first"))
	case o.profileSeconds < 1:
		fail(errors.New("-profile-seconds must be at least 1"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var err error
	if o.scenario == "checkout" {
		_, err = runCheckout(ctx, o)
	} else {
		err = run(ctx, o)
	}
	interrupted := ctx.Err() != nil
	stop()
	if err != nil && interrupted {
		err = errors.New("interrupted; the servers were stopped")
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// target is one server under test.
type target struct {
	name     string
	proc     *process
	base     string // http://127.0.0.1:port
	debug    string // pprof base URL, "" when off
	page     *pageClient
	counter  func(ctx context.Context) (float64, error) // SQL statements run so far
	respSize int
}

func run(ctx context.Context, o options) error {
	started := time.Now()
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if o.resultsDir == "" {
		o.resultsDir = filepath.Join(root, "bench", "results")
	}
	db, err := parseBenchDatabase(o.mysqlURL)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "langran-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	logf("building langran and the baseline")
	langranBin, baselineBin := filepath.Join(tmp, "langran"), filepath.Join(tmp, "baseline")
	if err := goBuild(ctx, root, langranBin, "."); err != nil {
		return err
	}
	if err := goBuild(ctx, root, baselineBin, "./bench/baseline"); err != nil {
		return err
	}
	if err := db.prepare(ctx, langranBin, o.products, o.reuse); err != nil {
		return err
	}

	// Every connection the benchmark opens goes to 127.0.0.1; no proxy.
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        4 * o.concurrency,
		MaxIdleConnsPerHost: 2 * o.concurrency,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	body, err := json.Marshal(map[string]string{"query": fmt.Sprintf(pageQuery, o.first)})
	if err != nil {
		return err
	}

	langran, baseline, err := startTargets(db, langranBin, baselineBin, o.pprof, client, body, nil, nil)
	if err != nil {
		return err
	}
	for _, t := range []*target{langran, baseline} {
		defer t.proc.stop()
	}
	for _, t := range []*target{langran, baseline} {
		if err := waitReady(ctx, t.proc, client, t.base+"/readyz"); err != nil {
			return err
		}
	}
	if err := verifySamePage(ctx, client, body, o.first, langran, baseline); err != nil {
		return err
	}

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
			if r := runLoad(ctx, t.page, o.concurrency, o.warmup); r.Errors > 0 {
				logf("warm-up of %s: %d errors, first: %v", t.name, r.Errors, r.FirstErr)
			}
		}
	}

	var ms []measurement
	for round := 1; round <= o.rounds; round++ {
		for _, t := range []*target{langran, baseline} {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			m, err := measure(ctx, t, dbPid, round, o.concurrency, o.duration)
			if err != nil {
				return err
			}
			logf("round %d %-8s %8.1f req/s  p50 %s  p99 %s  errors %d  SQL/req %.2f  other load %.2f CPUs",
				round, t.name, m.load.RequestsPerSecond(), ms2(percentile(m.load.Latencies, 50)),
				ms2(percentile(m.load.Latencies, 99)), m.load.Errors, m.statementsPerRequest(), m.OtherCores())
			if m.load.FirstErr != nil {
				logf("round %d %s: first error: %v", round, t.name, m.load.FirstErr)
			}
			ms = append(ms, m)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	if err := os.MkdirAll(o.resultsDir, 0o755); err != nil {
		return err
	}
	stamp := started.UTC().Format("20060102-150405")
	var profiles []string
	if o.pprof {
		for _, t := range []*target{langran, baseline} {
			path := filepath.Join(o.resultsDir, stamp+"-"+t.name+".cpu.pprof")
			logf("profiling %s for %ds under the same load (not part of the figures)", t.name, o.profileSeconds)
			if err := profileUnderLoad(ctx, client, t, o.concurrency, o.profileSeconds, path); err != nil {
				return err
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
		Bytes:      map[string]int{langran.name: langran.respSize, baseline.name: baseline.respSize},
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
	writeReport(&report, meta, ms, langran.name, baseline.name)
	fmt.Print(report.String())
	path := filepath.Join(o.resultsDir, stamp+"-report.md")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		return err
	}
	logf("report saved to %s", path)
	return nil
}

// startTargets starts Langran and the baseline on free loopback ports;
// langranEnv and baselineArgs add to their settings.
func startTargets(db *benchDatabase, langranBin, baselineBin string, pprof bool, client *http.Client, body []byte,
	langranEnv, baselineArgs []string) (langran, baseline *target, err error) {
	addrs := make([]string, 4)
	for i := range addrs {
		if addrs[i], err = freeLoopbackAddr(); err != nil {
			return nil, nil, err
		}
	}
	langran = &target{name: "langran", base: "http://" + addrs[0]}
	env := []string{
		"LANGRAN_ENV=production",
		"LANGRAN_DATABASE_URL=" + db.URL,
		"LANGRAN_ADDR=" + addrs[0],
		"LANGRAN_SEED_DEMO=false",
		"LANGRAN_LOG_LEVEL=warn",
		// The load comes from one address, far above any caller's budget.
		"LANGRAN_RATE_LIMIT_BUCKET=0",
		"LANGRAN_DEBUG_ADDR=",
	}
	if pprof {
		env[len(env)-1] = "LANGRAN_DEBUG_ADDR=" + addrs[1]
		langran.debug = "http://" + addrs[1]
	}
	env = append(env, langranEnv...)
	if langran.proc, err = startProcess("langran", langranBin, nil, env); err != nil {
		return nil, nil, err
	}
	langran.counter = func(ctx context.Context) (float64, error) {
		return scrapeCounter(ctx, client, langran.base+"/metrics", "langran_db_queries_total")
	}

	baseline = &target{name: "baseline", base: "http://" + addrs[2]}
	// The DSN goes through the environment so that a password does not
	// show in the process list.
	args := append([]string{"-addr", addrs[2]}, baselineArgs...)
	if pprof {
		args = append(args, "-debug-addr", addrs[3])
		baseline.debug = "http://" + addrs[3]
	}
	if baseline.proc, err = startProcess("baseline", baselineBin, args, []string{"BASELINE_DSN=" + db.DSN}); err != nil {
		langran.proc.stop()
		return nil, nil, err
	}
	baseline.counter = func(ctx context.Context) (float64, error) {
		b, err := fetch(ctx, client, baseline.base+"/stats")
		if err != nil {
			return 0, err
		}
		var s struct{ Statements int64 }
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, fmt.Errorf("baseline /stats: %w", err)
		}
		return float64(s.Statements), nil
	}
	for _, t := range []*target{langran, baseline} {
		t.page = &pageClient{http: client, url: t.base + "/graphql", body: body}
	}
	return langran, baseline, nil
}

// scrapeCounter reads one unlabelled counter from a Prometheus text page.
func scrapeCounter(ctx context.Context, client *http.Client, url, name string) (float64, error) {
	b, err := fetch(ctx, client, url)
	if err != nil {
		return 0, err
	}
	v, err := counterValue(string(b), name)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", url, err)
	}
	return v, nil
}

// counterValue finds an unlabelled sample in the Prometheus text format.
func counterValue(page, name string) (float64, error) {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no %s", name)
}

// verifySamePage fetches the page from both servers and fails unless their
// data is semantically equal and full: the proof that the baseline does the
// same work. Langran may add top-level extensions (the query cost); only
// "data" is compared, and neither may return errors.
func verifySamePage(ctx context.Context, client *http.Client, body []byte, first int, langran, baseline *target) error {
	data := map[string]any{}
	for _, t := range []*target{langran, baseline} {
		before, err := t.counter(ctx)
		if err != nil {
			return err
		}
		raw, err := postOnce(ctx, client, t.page.url, body)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		after, err := t.counter(ctx)
		if err != nil {
			return err
		}
		doc, err := decodeJSON(raw)
		if err != nil {
			return fmt.Errorf("%s answered with invalid JSON: %w", t.name, err)
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			return fmt.Errorf("%s answered with %s, not an object", t.name, kind(doc))
		}
		if errs, ok := obj["errors"]; ok {
			return fmt.Errorf("%s answered with errors: %v", t.name, errs)
		}
		edges, _ := dig(obj, "data", "products", "edges").([]any)
		if len(edges) != first {
			return fmt.Errorf("%s returned %d products, want %d: is the database seeded?", t.name, len(edges), first)
		}
		var extra []string
		for k := range obj {
			if k != "data" {
				extra = append(extra, k)
			}
		}
		logf("%s: %d bytes, %g SQL statements, top-level keys besides data: %v", t.name, len(raw), after-before, extra)
		data[t.name] = obj["data"]
		t.respSize = len(raw)
		t.page.wantLen = len(raw)
	}
	if d := jsonDiff("data", data[langran.name], data[baseline.name]); d != "" {
		return fmt.Errorf("langran and the baseline disagree (langran vs baseline) at %s; the comparison would not be fair", d)
	}
	logf("verified: langran and the baseline return the same data")
	return nil
}

// dig walks nested JSON objects by key, nil when a step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func postOnce(ctx context.Context, client *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return raw, nil
}

// measurement is one measured round of one target.
type measurement struct {
	Target     string
	Round      int
	load       loadResult
	Statements float64
	ServerCPU  time.Duration // the server process
	DBCPU      time.Duration // mysqld, when known
	SelfCPU    time.Duration // this load generator
	OtherCPU   time.Duration // everything else on the machine: noise
	CPUKnown   bool
}

// OtherCores is the average number of CPUs that processes outside the
// benchmark kept busy during the round.
func (m measurement) OtherCores() float64 {
	if m.load.Elapsed <= 0 {
		return 0
	}
	return m.OtherCPU.Seconds() / m.load.Elapsed.Seconds()
}

func (m measurement) statementsPerRequest() float64 {
	n := m.load.Requests + m.load.Errors
	if n == 0 {
		return 0
	}
	return m.Statements / float64(n)
}

// measure runs one round against t and collects the counters around it.
func measure(ctx context.Context, t *target, dbPid, round, concurrency int, d time.Duration) (measurement, error) {
	m := measurement{Target: t.name, Round: round}
	before, err := t.counter(ctx)
	if err != nil {
		return m, err
	}
	cpu0, cpuErr := cpuTimes(t.proc.Pid(), dbPid)
	m.load = runLoad(ctx, t.page, concurrency, d)
	cpu1, cpuErr1 := cpuTimes(t.proc.Pid(), dbPid)
	after, err := t.counter(ctx)
	if err != nil {
		return m, err
	}
	m.Statements = after - before
	if cpuErr == nil && cpuErr1 == nil {
		m.CPUKnown = true
		m.ServerCPU = cpu1[0] - cpu0[0]
		m.DBCPU = cpu1[1] - cpu0[1]
		m.SelfCPU = cpu1[2] - cpu0[2]
		m.OtherCPU = max(0, cpu1[3]-cpu0[3]-m.ServerCPU-m.DBCPU-m.SelfCPU)
	}
	return m, nil
}

// cpuTimes returns the CPU time used so far by the server, the database
// (zero when dbPid is 0), this process and the whole machine.
func cpuTimes(serverPid, dbPid int) ([4]time.Duration, error) {
	var out [4]time.Duration
	var err error
	if out[3], err = machineBusy(); err != nil {
		return out, err
	}
	if out[0], err = processCPU(serverPid); err != nil {
		return out, err
	}
	if dbPid != 0 {
		if out[1], err = processCPU(dbPid); err != nil {
			return out, err
		}
	}
	out[2], err = processCPU(os.Getpid())
	return out, err
}

// profileUnderLoad captures a CPU profile of t while it serves the same
// closed-loop load as in the rounds, and writes it to path.
func profileUnderLoad(ctx context.Context, client *http.Client, t *target, concurrency, seconds int, path string) error {
	if t.debug == "" {
		return fmt.Errorf("%s has no pprof listener", t.name)
	}
	done := make(chan loadResult, 1)
	go func() {
		done <- runLoad(ctx, t.page, concurrency, time.Duration(seconds)*time.Second+1500*time.Millisecond)
	}()
	// Let the load settle before the profile starts.
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

// commandLine reconstructs how the benchmark was started, with the LANGRAN_*
// variables that reach the Langran server, for the report.
func commandLine() string {
	set := map[string]bool{"LANGRAN_ENV": true, "LANGRAN_DATABASE_URL": true, "LANGRAN_ADDR": true,
		"LANGRAN_SEED_DEMO": true, "LANGRAN_LOG_LEVEL": true, "LANGRAN_DEBUG_ADDR": true}
	var parts []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LANGRAN_") && !set[k] {
			parts = append(parts, kv)
		}
	}
	parts = append(parts, "go run ./bench")
	parts = append(parts, os.Args[1:]...)
	return strings.Join(parts, " ")
}

// cpuModel and memTotal describe the machine for the report (Linux; empty elsewhere).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				return ""
			}
			if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
				return fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	return ""
}

// otherLoad measures how many CPUs the machine keeps busy over d while the
// benchmark itself is idle.
func otherLoad(ctx context.Context, d time.Duration) (float64, error) {
	b0, err := machineBusy()
	if err != nil {
		return 0, err
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	b1, err := machineBusy()
	if err != nil {
		return 0, err
	}
	return (b1 - b0).Seconds() / d.Seconds(), nil
}

// revision names the code under test: the commit, and whether the working
// tree has uncommitted changes (the benchmark builds the working tree).
func revision(ctx context.Context, root string) string {
	head, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(head))
	status, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(bytes.TrimSpace(status)) > 0 {
		rev += " with uncommitted changes"
	}
	return rev
}
