// Package browsertest runs end-to-end tests of the pages we serve in a real,
// headless Chromium driven by chromedp.
//
// A test calls Chromium for a browser tab, WatchProblems before navigating,
// drives the page with chromedp actions and finishes with Problems.Check, so
// that a script error or an asset that failed to load fails the test even
// when the part of the page under test happens to work.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds a browser's whole life, from Chromium to the end of the
// test. A hung browser or a page that never settles then fails its test with
// a deadline error instead of stalling CI until go test's own timeout kills
// every package at once.
const Timeout = 60 * time.Second

// browserPathEnv names the variable that points at a browser binary other
// than the usual names in PATH, e.g. a Chrome for Testing build.
const browserPathEnv = "LANGRAN_CHROMIUM"

// Chromium starts a fresh headless Chromium for t and returns a chromedp
// context for one tab in it; pass it to chromedp.Do and chromedp.Run. The
// browser, its temporary profile and the tab are removed when t ends.
//
// The browser is LANGRAN_CHROMIUM if set, else the first of chromium,
// chromium-browser and google-chrome found in PATH. If there is none, t is
// skipped on a developer machine but fails when CI=true, so that CI can never
// pass by silently skipping every browser test.
func Chromium(t testing.TB) context.Context {
	t.Helper()
	execPath := findBrowser(t)
	// What the browser prints explains a browser that fails to start.
	output := new(tailBuffer)

	// The flags beyond chromedp's defaults keep Chromium from reaching for
	// the network on its own (updates, sync, QUIC probes): on a closed
	// network those attempts hang or clutter the log. --no-sandbox because
	// CI runs as root, where Chromium's sandbox refuses to start.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(output),
	)
	// No UserDataDir option: the allocator then makes a fresh temporary
	// profile per browser and deletes it once the browser has exited, which
	// t.TempDir cannot promise while Chromium may still be writing to it.

	// t.Logf panics once t has finished, and chromedp may still report
	// something while the browser shuts down, so logging stops first.
	var finished atomic.Bool
	logf := func(format string, args ...any) {
		if !finished.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}

	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		finished.Store(true)
		cancelTab()
		cancelAlloc() // also waits for the browser process to exit
		cancelTimeout()
	})

	// Start the browser now, so that a browser that cannot start is reported
	// as such and not as the first action of the test failing.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v\nbrowser output:\n%s", execPath, err, output.String())
	}
	return ctx
}

// findBrowser returns the browser to run, or ends t if there is none.
func findBrowser(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(browserPathEnv); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			// Set on purpose, so a wrong value is a mistake to report, not
			// a reason to skip.
			t.Fatalf("%s=%q: %v", browserPathEnv, p, err)
		}
		return found
	}
	// Debian installs /usr/bin/chromium, so PATH covers it.
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(name); err == nil {
			return found
		}
	}
	const howTo = "no Chromium found: install it (apt-get install chromium) or set " +
		browserPathEnv + " to a Chrome or Chromium binary"
	if os.Getenv("CI") == "true" {
		t.Fatal(howTo + "; CI must run the browser tests")
	}
	t.Skip(howTo)
	return ""
}

// tailBuffer is an io.Writer that keeps the last few kilobytes written to it.
// The browser writes from its own goroutine, hence the lock.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 8 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - tailSize; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
