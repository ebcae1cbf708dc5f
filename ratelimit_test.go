package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// rateLimitEnv is a small budget (two operations of the cost limit) that
// refills in seconds; 127.0.0.1 is a trusted proxy, so tests can play
// clients at other addresses with X-Forwarded-For.
var rateLimitEnv = map[string]string{
	"LANGRAN_PASSWORD_HASH_MEMORY":    "64",
	"LANGRAN_MAX_COMPLEXITY":          "100",
	"LANGRAN_RATE_LIMIT_BUCKET":       "200",
	"LANGRAN_RATE_LIMIT_RESTORE_RATE": "40",
	"LANGRAN_TRUSTED_PROXIES":         "127.0.0.1",
}

// costsEleven is a query of cost 11: the connection and ten products.
const costsEleven = `{ products(first: 10) { nodes { id } } }`

func throttleStatus(t testing.TB, r gqlResponse) (available, maximum, rate int) {
	t.Helper()
	st, ok := at(r.Extensions, "cost", "throttleStatus").(map[string]any)
	if !ok {
		t.Fatalf("no extensions.cost.throttleStatus: %s", r.Raw)
	}
	return int(st["currentlyAvailable"].(float64)), int(st["maximumAvailable"].(float64)), int(st["restoreRate"].(float64))
}

// A client hammering from many goroutines gets 429s with THROTTLED and
// Retry-After, under both media types, and nothing runs for them; another
// client (another address, or a credential) keeps its whole budget; the
// budget refills; every answer reports it.
func TestRateLimitByCost(t *testing.T) {
	srv := newTestServer(t, storetest.SQLite, 20, rateLimitEnv)
	send := func(query, addr, accept string, headers ...string) (gqlResponse, error) {
		body, _ := json.Marshal(map[string]any{"query": query})
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		if err != nil {
			return gqlResponse{}, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", addr)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return srv.roundTrip(req)
	}

	first, err := send(costsEleven, "203.0.113.1", "")
	if err != nil {
		t.Fatal(err)
	}
	first.mustData(t)
	if avail, maximum, rate := throttleStatus(t, first); avail != 189 || maximum != 200 || rate != 40 {
		t.Errorf("first answer: %d of %d, +%d/s", avail, maximum, rate)
	}

	const workers, each = 16, 10
	var mu sync.Mutex
	statuses := map[int]int{}
	var problems []string
	var wg sync.WaitGroup
	statementsBefore := srv.statements()
	for w := range workers {
		accept := ""
		if w%2 == 1 {
			accept = web.MediaGraphQLResponse
		}
		wg.Go(func() {
			for range each {
				r, err := send(costsEleven, "203.0.113.1", accept)
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, err.Error())
				case r.Status == http.StatusTooManyRequests:
					retry, _ := strconv.Atoi(r.Header.Get("Retry-After"))
					if retry < 1 || len(r.Errors) != 1 || r.Errors[0].Code() != "THROTTLED" || r.Data != nil ||
						at(r.Extensions, "cost", "throttleStatus") == nil {
						problems = append(problems, "429: Retry-After "+r.Header.Get("Retry-After")+" "+r.Raw)
					}
				case r.Status == http.StatusOK:
					if len(r.Errors) > 0 || r.Data["products"] == nil {
						problems = append(problems, "200: "+r.Raw)
					}
				default:
					problems = append(problems, r.Raw)
				}
				statuses[r.Status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	// 160 operations of 11 against 189 left and 40 a second: most wait.
	if statuses[http.StatusTooManyRequests] < workers*each/2 || statuses[http.StatusOK] == 0 {
		t.Errorf("statuses %v", statuses)
	}
	// Refused operations do no database work: only the ones that ran
	// (one statement each) count.
	if ran := srv.statements() - statementsBefore; ran > statuses[http.StatusOK] {
		t.Errorf("%d statements for %d operations that ran", ran, statuses[http.StatusOK])
	}

	// Another address and a signed-in customer have their own budgets.
	other, err := send(costsEleven, "203.0.113.2", "")
	if err != nil {
		t.Fatal(err)
	}
	other.mustData(t)
	if avail, _, _ := throttleStatus(t, other); avail != 189 {
		t.Errorf("another client: %d available", avail)
	}
	signUp(t, srv, "shopper@example.com", "correct horse battery")
	token := signIn(t, srv, "customerAccessTokenCreate", "shopper@example.com", "correct horse battery")
	me, err := send(`{ customer { email } }`, "203.0.113.1", "", as(token)...)
	if err != nil {
		t.Fatal(err)
	}
	me.mustData(t)
	if avail, _, _ := throttleStatus(t, me); avail != 199 {
		t.Errorf("a customer's own budget: %d", avail)
	}

	// The hammering client's budget comes back with time.
	var last gqlResponse
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if last, err = send(costsEleven, "203.0.113.1", ""); err != nil {
			t.Fatal(err)
		}
		if last.Status == http.StatusOK {
			break
		}
	}
	last.mustData(t)
	time.Sleep(500 * time.Millisecond)
	later, err := send(`{ __typename }`, "203.0.113.1", "")
	if err != nil {
		t.Fatal(err)
	}
	before, _, _ := throttleStatus(t, last)
	if after, _, _ := throttleStatus(t, later); after <= before {
		t.Errorf("after half a second the budget went from %d to %d", before, after)
	}
}

// The limit is on by default (twice the cost limit, a tenth of it back each
// second), 0 turns it off, and a bucket smaller than the cost limit is
// refused because an allowed operation could never run.
func TestRateLimitConfig(t *testing.T) {
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil || cfg.RateLimit.Bucket != 10_000 || cfg.RateLimit.RestorePerSecond != 500 || cfg.RateLimit.MaxClients != 100_000 {
		t.Errorf("defaults: %+v, %v", cfg.RateLimit, err)
	}
	for _, off := range []string{"LANGRAN_RATE_LIMIT_BUCKET", "LANGRAN_RATE_LIMIT_RESTORE_RATE"} {
		cfg, err := LoadConfig(func(k string) string { return map[string]string{off: "0"}[k] })
		if err != nil || cfg.RateLimit.Bucket != 0 {
			t.Errorf("%s=0: %+v, %v", off, cfg.RateLimit, err)
		}
	}
	if _, err := LoadConfig(func(k string) string { return map[string]string{"LANGRAN_RATE_LIMIT_BUCKET": "4000"}[k] }); err == nil {
		t.Error("a bucket below the cost limit was accepted")
	}
	// Off, nothing is reported or refused.
	srv := sqliteServer(t, map[string]string{"LANGRAN_RATE_LIMIT_BUCKET": "0"})
	r := srv.post(t, costsEleven, nil)
	if r.mustData(t); at(r.Extensions, "cost", "throttleStatus") != nil {
		t.Errorf("throttleStatus with the limit off: %s", r.Raw)
	}
}
