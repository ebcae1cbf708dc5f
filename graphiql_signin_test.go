package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/graphiql"
	"github.com/langran/langran/internal/browsertest"
	"github.com/langran/langran/model"
)

// The playground's tabs must stay valid against the schema: the catalog
// query runs, and the sign-in mutation runs (refusing unknown credentials
// as a userError).
func TestGraphiQLSignInTabIsValid(t *testing.T) {
	srv := sqliteServer(t, nil)
	r := srv.post(t, graphiql.SignInQuery, map[string]any{"email": "owner@example.com", "password": "not the password"})
	codes := userErrorCodes(at(r.mustData(t), "staffAccessTokenCreate"))
	if len(codes) != 1 || codes[0] != "UNIDENTIFIED_CUSTOMER" {
		t.Fatalf("sign-in tab: %s", r.Raw)
	}
}

// A staff member signs in the way the playground tells them to: run the
// SignIn tab with their credentials, paste the token into Headers, and
// their staff queries answer.
func TestGraphiQLSignInAgainstRealServer(t *testing.T) {
	app := startAppFull(t, map[string]string{"LANGRAN_PASSWORD_HASH_MEMORY": "64"})
	accounts := auth.New(app.store, auth.Config{Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if _, err := accounts.CreateStaff(t.Context(), "owner@example.com", "Owner", model.RoleOwner, "owner password 1"); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Chromium(t)
	problems := browsertest.WatchProblems(t, ctx)
	defer problems.Check(t)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.graphiql-response') || {}).textContent || ''`))
			t.Fatalf("waiting for %s: %v; the response pane shows: %s", what, err, shown)
		}
	}
	queryEditor := `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	toolEditor := `document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror`
	response := `document.querySelector('.graphiql-response').textContent`
	if err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+app.Addr()+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
	); err != nil {
		t.Fatal(err)
	}
	poll("the sign-in tab", `[...document.querySelectorAll('.graphiql-tab')].some(t => t.textContent.includes('SignIn'))`)
	if err := chromedp.Do(ctx,
		chromedp.Click(`//li[contains(@class, "graphiql-tab")][contains(., "SignIn")]//button[contains(@class, "graphiql-tab-button")]`),
	); err != nil {
		t.Fatal(err)
	}
	poll("the sign-in mutation", queryEditor+`.getValue().includes('staffAccessTokenCreate')`)
	// Run sends the active tab's operation name: wait until the switch has
	// settled there too, or Run may ask for the previous tab's operation.
	poll("the sign-in tab to be active", `(document.querySelector('.graphiql-tab-active') || {textContent: ''}).textContent.includes('SignIn')`)
	if err := chromedp.Do(ctx,
		chromedp.Click(`//button[normalize-space()="Variables"]`),
	); err != nil {
		t.Fatal(err)
	}
	poll("the tab's variables", toolEditor+`.getValue().includes('owner@example.com')`)
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](toolEditor+`.setValue('{"email": "owner@example.com", "password": "owner password 1"}')`),
	); err != nil {
		t.Fatal(err)
	}
	// Right after a tab switch GraphiQL may still hold the previous tab's
	// operation name; the playground's fetcher leaves out a name the
	// document does not define, so the first Run signs in.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatal(err)
	}
	poll("a staff token in the result", response+`.includes('lgs_')`)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](response))
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`lgs_[A-Za-z0-9_-]{43}`).FindString(text)
	if err := chromedp.Do(ctx,
		chromedp.Click(`//button[normalize-space()="Headers"]`),
		chromedp.Evaluate[chromedp.Void](toolEditor+`.setValue('{"Authorization": "Bearer `+token+`"}')`),
		chromedp.Evaluate[chromedp.Void](queryEditor+`.setValue('query Me { currentStaffMember { email role } }')`),
	); err != nil {
		t.Fatal(err)
	}
	// GraphiQL takes the operation's name from the editor a moment later.
	poll("the tab to take the new operation's name", `[...document.querySelectorAll('.graphiql-tab')].some(t => t.textContent.includes('Me'))`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](response+`.includes('"role": "OWNER"')`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](response))
		hdr, _ := chromedp.Run(ctx, chromedp.Evaluate[string](toolEditor+`.getValue()`))
		t.Fatalf("the signed-in staff member: %v\nresponse: %s\nheaders: %s", err, got, hdr)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		_ = os.WriteFile(filepath.Join(t.ArtifactDir(), "graphiql-signed-in.png"), shot, 0o644)
	}
}
