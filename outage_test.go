package main

import (
	"strings"
	"testing"

	"github.com/langran/langran/store/storetest"
	"github.com/langran/langran/web"
)

// When the database goes away, requests answer a retryable
// SERVICE_UNAVAILABLE (503 under application/graphql-response+json, 200 with
// the error under application/json, Retry-After either way), logged as a
// warning, never as an internal error; when it comes back, so does service.
// The test stops a MariaDB server it started itself.
func TestDatabaseOutageIsRetryable(t *testing.T) {
	db := storetest.StartMariaDB(t)
	srv := newTestServer(t, storetest.Backend{Name: "own-mariadb", URL: func(testing.TB) string { return db.URL }}, 10, nil)
	const q = `query Grid { products(first: 3) { nodes { handle category { name } } } }`
	srv.post(t, q, nil).mustData(t)

	db.Stop()
	r := srv.post(t, q, nil)
	if r.Status != 200 || len(r.Errors) == 0 || r.Errors[0].Code() != "SERVICE_UNAVAILABLE" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("application/json during the outage: %d %v %s", r.Status, r.Header, r.Raw)
	}
	if strings.Contains(strings.ToLower(r.Raw), "dial") || strings.Contains(r.Raw, "127.0.0.1") || r.Errors[0].Extensions["requestId"] != nil {
		t.Errorf("outage details leaked: %s", r.Raw)
	}
	r = srv.post(t, q, nil, "Accept", web.MediaGraphQLResponse)
	if r.Status != 503 || r.Data != nil || len(r.Errors) == 0 || r.Errors[0].Code() != "SERVICE_UNAVAILABLE" {
		t.Fatalf("graphql-response+json during the outage: %d %s", r.Status, r.Raw)
	}
	if ready := rawRequest(t, "GET", srv.URL+"/readyz", "", ""); ready.StatusCode != 503 {
		t.Errorf("readyz during the outage: %d", ready.StatusCode)
	}
	logs := srv.logs.String()
	if strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "dependency unavailable") {
		t.Errorf("the outage should be logged as a warning, not an error:\n%s", logs)
	}

	db.Start()
	srv.post(t, q, nil).mustData(t)
}
