package graphiql

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/langran/langran/internal/browsertest"
)

// greeting is non-ASCII on purpose: it has to survive JSON, fetch and
// GraphiQL's result pane intact.
const greeting = "สวัสดี"

const testToken = "Bearer test-token"

// helloIntrospection is the introspection result for the schema
// `type Query { hello: String }`, written out by hand: GraphiQL will not run
// a query until it has a schema, and this is the least the graphql-js client
// accepts. Built-in scalars other than String need not be listed.
const helloIntrospection = `{"data": {"__schema": {
	"description": null,
	"queryType": {"name": "Query"},
	"mutationType": null,
	"subscriptionType": null,
	"directives": [],
	"types": [
		{"kind": "OBJECT", "name": "Query", "description": null,
		 "fields": [{"name": "hello", "description": "A greeting.", "args": [],
		             "type": {"kind": "SCALAR", "name": "String", "ofType": null},
		             "isDeprecated": false, "deprecationReason": null}],
		 "inputFields": null, "interfaces": [], "enumValues": null, "possibleTypes": null},
		{"kind": "SCALAR", "name": "String", "description": null, "specifiedByURL": null,
		 "fields": null, "inputFields": null, "interfaces": null, "enumValues": null, "possibleTypes": null}
	]
}}}`

// fakeGraphQL answers GraphiQL's introspection with helloIntrospection and
// any other query with the greeting, but only for a caller that sent the
// staff token, which proves the headers editor reaches the server.
func fakeGraphQL(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query string `json:"query"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, "want a POSTed GraphQL request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.Contains(req.Query, "__schema"):
		io.WriteString(w, helloIntrospection)
	case r.Header.Get("Authorization") != testToken:
		io.WriteString(w, `{"errors": [{"message": "no staff token"}]}`)
	default:
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]string{"hello": greeting}})
	}
}

// TestPlaygroundInBrowser loads the playground in Chromium against a fake
// endpoint and runs a query through it the way staff do: token in the headers
// editor, query in the editor, execute button. Any script error, CSP
// violation or failed asset fails the test.
func TestPlaygroundInBrowser(t *testing.T) {
	// A non-default endpoint checks that Handler's argument reaches the page.
	const endpoint = "/api/graphql"
	mux := http.NewServeMux()
	mux.Handle("/", Handler(endpoint))
	mux.HandleFunc(endpoint, fakeGraphQL)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := browsertest.Chromium(t)
	problems := browsertest.WatchProblems(t, ctx)
	defer problems.Check(t)

	// Evaluate on the page is exempt from its CSP (it comes from the
	// debugger), so these small scripts need no 'unsafe-eval' in the policy.
	queryEditor := `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	toolEditor := `document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror`
	poll := func(what, expr string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
	); err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "Langran admin" {
		t.Errorf("title = %q, %v; want %q", title, err, "Langran admin")
	}
	// A fresh profile has nothing saved, so the editor shows our default,
	// which says how to sign in, beside a tab that does it.
	poll("the default query", queryEditor+`.getValue().includes('products(first: 10)') && `+
		queryEditor+`.getValue().includes('Authorization": "Bearer')`)
	poll("the sign-in tab", `[...document.querySelectorAll('.graphiql-tab')].some(t => t.textContent.includes('SignIn'))`)
	if err := chromedp.Do(ctx,
		chromedp.Click(`//li[contains(@class, "graphiql-tab")][contains(., "SignIn")]//button[contains(@class, "graphiql-tab-button")]`),
	); err != nil {
		t.Fatal(err)
	}
	poll("the sign-in mutation in the editor", queryEditor+`.getValue().includes('staffAccessTokenCreate')`)
	if err := chromedp.Do(ctx,
		chromedp.Click(`//li[contains(@class, "graphiql-tab")][not(contains(., "SignIn"))]//button[contains(@class, "graphiql-tab-button")]`),
	); err != nil {
		t.Fatal(err)
	}
	poll("the catalog tab again", queryEditor+`.getValue().includes('products(first: 10)')`)
	// The schema has arrived once the docs explorer can show the root type.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
	); err != nil {
		t.Fatal(err)
	}
	poll("the schema in the docs explorer", `document.querySelector('.graphiql-doc-explorer') !== null &&
		document.querySelector('.graphiql-doc-explorer').textContent.includes('Query')`)

	if err := chromedp.Do(ctx,
		chromedp.Click(`//button[normalize-space()="Headers"]`),
		chromedp.Evaluate[chromedp.Void](toolEditor+`.setValue('{"Authorization": "`+testToken+`"}')`),
		chromedp.Evaluate[chromedp.Void](queryEditor+`.setValue('{ hello }')`),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
	); err != nil {
		t.Fatal(err)
	}
	poll("the greeting in the result pane",
		`document.querySelector('.graphiql-response').textContent.includes('`+greeting+`')`)

	// Dialogs inject <style> elements at run time, the one thing that needs
	// 'unsafe-inline' in the CSP; opening one proves the policy allows it
	// (a violation would show up in problems).
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Open settings dialog"]`)),
	); err != nil {
		t.Fatal(err)
	}
	poll("the settings dialog", `document.querySelector('[role=dialog]') !== null`)

	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	poll("the settings dialog to close", `document.querySelector('[role=dialog]') === null`)

	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	// Kept with `go test -artifacts`, for a human to look at.
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "graphiql.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
