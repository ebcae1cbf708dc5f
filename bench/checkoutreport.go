package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// writeCheckoutReport writes the checkout run as Markdown: the setup, one
// row per round and server, a summary per server, the ratio a/b, and what
// the checks found.
func writeCheckoutReport(w io.Writer, meta reportMeta, rounds []checkoutRound, pool int, a, b string) {
	o := meta.Options
	co := o.checkout
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## Checkout: %s vs %s\n\n", a, b)
	p("- Command: `%s`\n", meta.Command)
	p("- Run: %s, %s in all; code: %s\n", meta.Started.UTC().Format("2006-01-02 15:04 MST"),
		meta.TotalTime.Round(time.Second), orNA(meta.Revision))
	machine := fmt.Sprintf("%d CPUs", meta.CPUs)
	if meta.CPUModel != "" {
		machine += " (" + meta.CPUModel + ")"
	}
	if meta.Memory != "" {
		machine += ", " + meta.Memory + " RAM"
	}
	p("- Machine: %s; %s; MySQL server %s; load generator, both servers and the database share it\n",
		machine, meta.GoVersion, orNA(meta.DBVersion))
	var names []string
	for _, s := range co.steps {
		names = append(names, s.op)
	}
	p("- Purchase: %s; 2 or 3 lines of 1 or 2 units from %d variants with plenty of stock", strings.Join(names, " → "), pool)
	if co.scarce > 0 {
		p(", one of the lines always 1 unit of a variant with only %d available", co.scarce)
	}
	p("\n- Load: %d buyers in a closed loop over keep-alive connections; rounds: %d × %s per server", o.concurrency, o.rounds, o.duration)
	if co.attempts > 0 {
		p(" or %d purchases, whichever ends first", co.attempts)
	}
	p(", alternating (%s, then %s); warm-up %s each\n", a, b, o.warmup)
	if ra, rb := meta.PeakRSS[a], meta.PeakRSS[b]; ra > 0 && rb > 0 {
		p("- Peak resident memory: %.0f MiB (%s), %.0f MiB (%s)\n", float64(ra)/(1<<20), a, float64(rb)/(1<<20), b)
	}
	p("\n")

	p("| Round | Server | Purchases/s | p50 purchase | p99 purchase | p50 checkout | p99 checkout | Out of stock | Errors | SQL/purchase | MariaDB statements/purchase | CPU/purchase: server | MySQL | load generator | Other load |\n")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range rounds {
		n := m.res.Attempts()
		other := "n/a"
		if m.CPUKnown {
			other = fmt.Sprintf("%.2f CPUs", m.OtherCores())
		}
		p("| %d | %s | %.1f | %s | %s | %s | %s | %d | %d | %.2f | %s | %s | %s | %s | %s |\n", m.Round, m.Target,
			m.res.PurchasesPerSecond(), ms2(percentile(m.res.Latencies, 50)), ms2(percentile(m.res.Latencies, 99)),
			ms2(percentile(m.res.CheckoutLatencies, 50)), ms2(percentile(m.res.CheckoutLatencies, 99)),
			m.res.OutOfStock, m.res.Errors, m.statementsPerPurchase(), perAttempt(m.MySQL["questions"], n),
			perRequest(m.ServerCPU, n, m.CPUKnown), perRequest(m.DBCPU, n, m.CPUKnown && meta.DBCPUKnown),
			perRequest(m.SelfCPU, n, m.CPUKnown), other)
	}

	p("\n| Server | Purchases/s (median of rounds) | p50 purchase | p99 purchase | p50 checkout | p99 checkout | SQL/purchase | MariaDB statements/purchase | commits, rollbacks, savepoints, deadlocks per 100 purchases | CPU/purchase: server | MySQL | load generator |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	rps := map[string][]float64{}
	cpuPer := map[string]time.Duration{}
	for _, name := range []string{a, b} {
		var lat, colat []time.Duration
		var stmts float64
		var n int
		var server, db, self time.Duration
		my := map[string]int64{}
		cpuKnown := true
		for _, m := range rounds {
			if m.Target != name {
				continue
			}
			rps[name] = append(rps[name], m.res.PurchasesPerSecond())
			lat = append(lat, m.res.Latencies...)
			colat = append(colat, m.res.CheckoutLatencies...)
			stmts += m.Statements
			n += m.res.Attempts()
			server += m.ServerCPU
			db += m.DBCPU
			self += m.SelfCPU
			cpuKnown = cpuKnown && m.CPUKnown
			for k, v := range m.MySQL {
				my[k] += v
			}
		}
		slices.Sort(lat)
		slices.Sort(colat)
		if cpuKnown && meta.DBCPUKnown && n > 0 {
			cpuPer[name] = (server + db + self) / time.Duration(n)
		}
		per := 0.0
		if n > 0 {
			per = stmts / float64(n)
		}
		per100 := func(k string) string {
			if n == 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.0f", float64(my[k])*100/float64(n))
		}
		p("| %s | %.1f | %s | %s | %s | %s | %.2f | %s | %s, %s, %s, %s | %s | %s | %s |\n", name, median(rps[name]),
			ms2(percentile(lat, 50)), ms2(percentile(lat, 99)), ms2(percentile(colat, 50)), ms2(percentile(colat, 99)),
			per, perAttempt(my["questions"], n), per100("com_commit"), per100("com_rollback"), per100("com_savepoint"), per100("innodb_deadlocks"),
			perRequest(server, n, cpuKnown), perRequest(db, n, cpuKnown && meta.DBCPUKnown), perRequest(self, n, cpuKnown))
	}

	var ratios []string
	var rs []float64
	for i := range min(len(rps[a]), len(rps[b])) {
		if rps[b][i] > 0 {
			r := rps[a][i] / rps[b][i]
			rs = append(rs, r)
			ratios = append(ratios, fmt.Sprintf("%.2f", r))
		}
	}
	p("\nPurchases per second %s/%s by round: %s; **median %.2f**.\n", a, b, strings.Join(ratios, ", "), median(rs))
	if ca, cb := cpuPer[a], cpuPer[b]; ca > 0 && cb > 0 {
		p("CPU per purchase, server + MySQL + load generator: %s for %s, %s for %s; their inverse ratio, %.2f, is what throughput tends to on a CPU-bound machine.\n",
			ms2(ca), a, ms2(cb), b, float64(cb)/float64(ca))
	}
	if co.scarce > 0 {
		p("\nScarce stock, %d units per round:\n\n| Round | Server | Purchases tried | Bought | OUT_OF_STOCK | Errors | Units of the scarce variant sold |\n|---:|---|---:|---:|---:|---:|---:|\n", co.scarce)
		for _, m := range rounds {
			p("| %d | %s | %d | %d | %d | %d | %d |\n", m.Round, m.Target, m.res.Attempts(), m.res.Purchases, m.res.OutOfStock, m.res.Errors, m.Check.ScarceSold)
		}
	}
	p("\nChecks after every round (orders = purchases, order units = committed increase, none oversold, subtotal, total and VAT = lines plus shipping by model.Price's rules, a delivery option on every order when the purchase chooses one, one PLACED event each, ledger = on hand):")
	failed := false
	for _, m := range rounds {
		if len(m.Check.Problems) > 0 {
			failed = true
			p("\n- round %d %s: **FAILED**: %s", m.Round, m.Target, strings.Join(m.Check.Problems, "; "))
		}
	}
	if !failed {
		p(" **all passed** in every round.")
	}
	p("\n\np50 and p99 pool the latencies of all rounds: a purchase from cartCreate sent to checkoutComplete answered, and checkoutComplete alone, of completed purchases.\n")
	p("SQL/purchase is each server's own count of the statements it ran (Langran: langran_db_queries_total; neither counts BEGIN, COMMIT or SAVEPOINT); MariaDB statements/purchase is the server-wide Questions counter, which counts those too, and counts any other client of the server.\n")
	p("CPU per purchase divides the round's CPU time by the purchases tried. Other load is the CPU used by processes outside the benchmark during the round; above about 0.1 CPUs the round was disturbed.\n")
	if len(meta.Profiles) > 0 {
		p("CPU profiles (%ds each, taken after the rounds under the same load):\n", o.profileSeconds)
		for _, path := range meta.Profiles {
			p("`go tool pprof -top -cum %s`\n", path)
		}
	}
}

// perAttempt renders a count divided over n purchases.
func perAttempt(v int64, n int) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", float64(v)/float64(n))
}
