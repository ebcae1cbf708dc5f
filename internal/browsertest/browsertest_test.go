package browsertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestProblemsSeesWhatGoesWrong checks that each kind of problem the package
// promises to catch is caught, on a page that commits all of them.
func TestProblemsSeesWhatGoesWrong(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "script-src 'self'")
		io.WriteString(w, `<!DOCTYPE html><title>broken</title>
<script src="/missing.js"></script>
<script src="/page.js"></script>
<script>/* inline, so the CSP refuses it */</script>
<p id="done">done</p>`)
	})
	mux.HandleFunc("GET /page.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, `console.log("fine"); console.error("bad thing"); setTimeout(() => { throw new Error("boom") });`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := Chromium(t)
	problems := WatchProblems(t, ctx)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("done")),
	); err != nil {
		t.Fatal(err)
	}
	// The exception is thrown from a timer; wait for it to be reported.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => setTimeout(() => r(true), 50))`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}

	all := strings.Join(problems.List(), "\n")
	for _, want := range []string{
		"HTTP 404", // the missing script
		"console.error: bad thing",
		"uncaught exception:", // boom
		"boom",
		"Content Security Policy", // the inline script
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q; got:\n%s", want, all)
		}
	}
	if strings.Contains(all, "fine") {
		t.Errorf("console.log reported as a problem:\n%s", all)
	}
}

// fakeTB records how findBrowser ends a test. Fatal and Skip stop the calling
// goroutine, as the real ones do.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatal(args ...any) {
	f.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any) {
	f.skip = fmt.Sprint(args...)
	runtime.Goexit()
}

func runFindBrowser(tb *fakeTB) (path string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = findBrowser(tb)
	}()
	<-done
	return path
}

func TestMissingBrowser(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // nothing to find
	t.Setenv(browserPathEnv, "")

	t.Setenv("CI", "")
	tb := &fakeTB{TB: t}
	runFindBrowser(tb)
	if tb.skip == "" || tb.fatal != "" || !strings.Contains(tb.skip, "apt-get install chromium") {
		t.Errorf("outside CI: skip %q, fatal %q; want a skip saying how to install", tb.skip, tb.fatal)
	}

	t.Setenv("CI", "true")
	tb = &fakeTB{TB: t}
	runFindBrowser(tb)
	if tb.fatal == "" || tb.skip != "" {
		t.Errorf("in CI: skip %q, fatal %q; want a failure", tb.skip, tb.fatal)
	}

	// A browser named on purpose but missing is a mistake, CI or not.
	t.Setenv("CI", "")
	t.Setenv(browserPathEnv, "/nonexistent/chromium")
	tb = &fakeTB{TB: t}
	runFindBrowser(tb)
	if tb.fatal == "" {
		t.Errorf("%s pointing nowhere: skip %q; want a failure", browserPathEnv, tb.skip)
	}
}
