package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is what one closed-loop run against one target measured.
type loadResult struct {
	Requests  int             // successful requests
	Errors    int             // failed requests (transport, status, body)
	FirstErr  error           // the first failure, for the log
	Elapsed   time.Duration   // from the first request sent to the last answer read
	Latencies []time.Duration // of the successful requests, sorted
}

// RequestsPerSecond is the throughput of successful requests.
func (r loadResult) RequestsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// pageClient sends the page query to one target and checks each answer
// against the one verified before the load started.
type pageClient struct {
	http    *http.Client
	url     string
	body    []byte
	wantLen int // length of the verified response; the data does not change during a run
}

// do sends one request and reads the whole answer into buf.
func (c *pageClient) do(ctx context.Context, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	if buf.Len() != c.wantLen {
		return fmt.Errorf("answer of %d bytes, the verified one had %d: %.200s", buf.Len(), c.wantLen, buf.Bytes())
	}
	return nil
}

// runLoad keeps concurrency requests in flight, each worker sending its next
// request as soon as the previous answer is read, until d has passed. Work in
// flight at the deadline is finished and counted, so no request is cut off.
func runLoad(ctx context.Context, c *pageClient, concurrency int, d time.Duration) loadResult {
	type workerResult struct {
		latencies []time.Duration
		errors    int
		firstErr  error
	}
	results := make([]workerResult, concurrency)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			res.latencies = make([]time.Duration, 0, 4096)
			var buf bytes.Buffer
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				if err := c.do(ctx, &buf); err != nil {
					if ctx.Err() != nil {
						return
					}
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
					continue
				}
				res.latencies = append(res.latencies, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	out := loadResult{Elapsed: time.Since(start)}
	for _, r := range results {
		out.Latencies = append(out.Latencies, r.latencies...)
		out.Errors += r.errors
		if out.FirstErr == nil {
			out.FirstErr = r.firstErr
		}
	}
	out.Requests = len(out.Latencies)
	slices.Sort(out.Latencies)
	return out
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted latencies
// by the nearest-rank method: the smallest value with at least p% of the
// values at or below it. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// median returns the middle value of xs (the mean of the two middle ones for
// an even count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// fetch GETs url and returns the body, failing on any status but 200.
func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", url, resp.StatusCode, body)
	}
	return body, nil
}
