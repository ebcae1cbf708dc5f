package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{7}, 99, 7},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"tiny p is the minimum", hundred, 0.001, time.Millisecond},
		// Nearest rank: the 50th percentile of four values is the 2nd, not
		// an interpolation between the 2nd and 3rd.
		{"p50 of four", []time.Duration{10, 20, 30, 40}, 50, 20},
		{"p99 of four", []time.Duration{10, 20, 30, 40}, 99, 40},
		{"p99 of 1000 ignores the slowest 1%", append(repeat(1, 990), repeat(500, 10)...), 99, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Fatalf("percentile(p%g) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median of 3 values = %g, want 2", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of 4 values = %g, want 2.5", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median of none = %g, want 0", got)
	}
}

func TestJSONDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string // "" for equal, else a substring of the difference
	}{
		{"key order does not matter", `{"a":1,"b":{"c":[1,2]}}`, `{"b":{"c":[1,2]},"a":1}`, ""},
		{"number spelling does not matter", `{"n":[1, 1.0, 10, 0.5]}`, `{"n":[1e0, 1, 1e1, 5e-1]}`, ""},
		{"large integers stay exact", `{"n":9007199254740993}`, `{"n":9007199254740992}`, "data.n: 9007199254740993 vs 9007199254740992"},
		{"array order matters", `[1,2]`, `[2,1]`, "data[0]: 1 vs 2"},
		{"array length", `[1,2]`, `[1]`, "data: 2 items vs 1"},
		{"missing key", `{"a":1,"b":2}`, `{"a":1}`, "data.b: present vs missing"},
		{"extra key", `{"a":1}`, `{"a":1,"b":2}`, "data.b: missing vs present"},
		{"null is not absent", `{"a":null}`, `{}`, "data.a: present vs missing"},
		{"null vs object", `{"category":null}`, `{"category":{"name":"Tea"}}`, "data.category: null vs object"},
		{"decimal strings compare as text", `{"amount":"390.00"}`, `{"amount":"390.0"}`, `data.amount: "390.00" vs "390.0"`},
		{"string vs number", `{"q":"1"}`, `{"q":1}`, `data.q: "1" vs 1`},
		{"bool", `[true]`, `[false]`, "data[0]: true vs false"},
		{"deep path", `{"e":[{"n":{"v":{"x":[1,{"sku":"A"}]}}}]}`, `{"e":[{"n":{"v":{"x":[1,{"sku":"B"}]}}}]}`, `data.e[0].n.v.x[1].sku: "A" vs "B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := decodeJSON([]byte(tt.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := decodeJSON([]byte(tt.b))
			if err != nil {
				t.Fatal(err)
			}
			got := jsonDiff("data", a, b)
			if tt.want == "" && got != "" {
				t.Fatalf("want equal, got difference %q", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("difference = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestDecodeJSONRejectsTrailingData(t *testing.T) {
	if _, err := decodeJSON([]byte(`{"a":1} {"b":2}`)); err == nil {
		t.Fatal("two documents decoded as one")
	}
	if _, err := decodeJSON([]byte(`{"a":`)); err == nil {
		t.Fatal("truncated document decoded")
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name may hold spaces and parentheses; utime (250 ticks) and
	// stime (50 ticks) are the 14th and 15th fields.
	stat := "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 9 0 1000 0 0"
	got, err := parseProcStat(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * time.Second; got != want {
		t.Fatalf("CPU = %v, want %v", got, want)
	}
	if _, err := parseProcStat("4242 (short) S 1"); err == nil {
		t.Fatal("a truncated stat line parsed without error")
	}
}

func TestParseCPULine(t *testing.T) {
	// user 100, nice 10, system 50, idle 5000, iowait 40, irq 5, softirq 5, steal 30, guest 7, guest_nice 0
	got, err := parseCPULine("cpu  100 10 50 5000 40 5 5 30 7 0")
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * time.Second; got != want { // 200 busy ticks at 100 per second
		t.Fatalf("busy = %v, want %v", got, want)
	}
	if _, err := parseCPULine("cpu0 1 2 3 4 5 6 7 8"); err == nil {
		t.Fatal("a per-CPU line was taken for the aggregate")
	}
}

func TestCounterValue(t *testing.T) {
	page := `# HELP langran_db_queries_total SQL statements executed.
# TYPE langran_db_queries_total counter
langran_db_queries_total_created 1.7e+09
langran_db_queries_total 1.234567e+06
langran_graphql_requests_total{operation="StorefrontPage",status="200"} 42
`
	got, err := counterValue(page, "langran_db_queries_total")
	if err != nil {
		t.Fatal(err)
	}
	if got != 1234567 {
		t.Fatalf("value = %g, want 1234567", got)
	}
	if _, err := counterValue(page, "langran_graphql_requests_total"); err == nil {
		t.Fatal("a labelled series was read as the unlabelled counter")
	}
}
