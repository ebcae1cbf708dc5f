package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// reportMeta is what the report says about the run besides the figures.
type reportMeta struct {
	Command    string
	Revision   string
	Started    time.Time
	Options    options
	GoVersion  string
	CPUs       int
	CPUModel   string
	Memory     string
	DBVersion  string
	Bytes      map[string]int   // response size per server
	PeakRSS    map[string]int64 // most resident memory per server, bytes
	Profiles   []string
	TotalTime  time.Duration
	DBCPUKnown bool
}

// ms2 renders a duration in milliseconds with two decimals.
func ms2(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// perRequest renders a CPU time divided over n requests, in milliseconds.
func perRequest(d time.Duration, n int, known bool) string {
	if !known || n == 0 {
		return "n/a"
	}
	return ms2(d / time.Duration(n))
}

// writeReport writes the run as Markdown: the setup, one row per round and
// server, a summary per server and the throughput ratio a/b.
func writeReport(w io.Writer, meta reportMeta, ms []measurement, a, b string) {
	o := meta.Options
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## Storefront page: %s vs %s\n\n", a, b)
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
	p("- Load: %d closed-loop clients over keep-alive connections; rounds: %d × %s per server, alternating (%s, then %s); warm-up %s each\n",
		o.concurrency, o.rounds, o.duration, a, b, o.warmup)
	p("- Page: products(first: %d) of %d seeded products; response %d bytes (%s), %d bytes (%s)\n",
		o.first, o.products, meta.Bytes[a], a, meta.Bytes[b], b)
	if ra, rb := meta.PeakRSS[a], meta.PeakRSS[b]; ra > 0 && rb > 0 {
		p("- Peak resident memory: %.0f MiB (%s), %.0f MiB (%s)\n", float64(ra)/(1<<20), a, float64(rb)/(1<<20), b)
	}
	p("\n")

	p("| Round | Server | Requests/s | p50 | p99 | Errors | SQL/request | CPU/request: server | MySQL | load generator | Other load |\n")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range ms {
		n := m.load.Requests + m.load.Errors
		other := "n/a"
		if m.CPUKnown {
			other = fmt.Sprintf("%.2f CPUs", m.OtherCores())
		}
		p("| %d | %s | %.1f | %s | %s | %d | %.2f | %s | %s | %s | %s |\n", m.Round, m.Target,
			m.load.RequestsPerSecond(), ms2(percentile(m.load.Latencies, 50)), ms2(percentile(m.load.Latencies, 99)),
			m.load.Errors, m.statementsPerRequest(), perRequest(m.ServerCPU, n, m.CPUKnown),
			perRequest(m.DBCPU, n, m.CPUKnown && meta.DBCPUKnown), perRequest(m.SelfCPU, n, m.CPUKnown), other)
	}

	p("\n| Server | Requests/s (median of rounds) | p50 | p99 | Errors | SQL/request | CPU/request: server | MySQL |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	rps := map[string][]float64{}
	cpuPerReq := map[string]time.Duration{} // server + MySQL + load generator
	for _, name := range []string{a, b} {
		var lat []time.Duration
		var stmts float64
		var n, errs int
		var server, db, self time.Duration
		cpuKnown := true
		for _, m := range ms {
			if m.Target != name {
				continue
			}
			rps[name] = append(rps[name], m.load.RequestsPerSecond())
			lat = append(lat, m.load.Latencies...)
			stmts += m.Statements
			n += m.load.Requests + m.load.Errors
			errs += m.load.Errors
			server += m.ServerCPU
			db += m.DBCPU
			self += m.SelfCPU
			cpuKnown = cpuKnown && m.CPUKnown
		}
		slices.Sort(lat)
		if cpuKnown && meta.DBCPUKnown && n > 0 {
			cpuPerReq[name] = (server + db + self) / time.Duration(n)
		}
		perReq := 0.0
		if n > 0 {
			perReq = stmts / float64(n)
		}
		p("| %s | %.1f | %s | %s | %d | %.2f | %s | %s |\n", name, median(rps[name]),
			ms2(percentile(lat, 50)), ms2(percentile(lat, 99)), errs, perReq,
			perRequest(server, n, cpuKnown), perRequest(db, n, cpuKnown && meta.DBCPUKnown))
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
	p("\nThroughput %s/%s by round: %s; **median %.2f**.\n", a, b, strings.Join(ratios, ", "), median(rs))
	if ca, cb := cpuPerReq[a], cpuPerReq[b]; ca > 0 && cb > 0 {
		// When the machine is CPU-bound, throughput is inversely proportional
		// to the CPU a request costs everyone involved, whatever else ran.
		p("CPU per request, server + MySQL + load generator: %s for %s, %s for %s; their inverse ratio, %.2f, is what throughput tends to on a CPU-bound machine and is not disturbed by other load.\n",
			ms2(ca), a, ms2(cb), b, float64(cb)/float64(ca))
	}
	p("\np50 and p99 pool the latencies of all rounds; SQL and CPU per request divide the round's totals by its requests.\n")
	p("Other load is the CPU used by processes outside the benchmark during the round; above about 0.1 CPUs the round was disturbed.\n")
	if len(meta.Profiles) > 0 {
		p("CPU profiles (%ds each, taken after the rounds under the same load):\n", o.profileSeconds)
		for _, path := range meta.Profiles {
			p("`go tool pprof -top -cum %s`\n", path)
		}
	}
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}
