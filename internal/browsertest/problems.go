package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Problems records what went wrong in a tab: uncaught exceptions, console
// errors, browser log errors (which is where Content-Security-Policy
// violations show up), requests that failed and responses with an HTTP error
// status. It is safe for concurrent use.
type Problems struct {
	mu   sync.Mutex
	list []string
	// urls maps request IDs to URLs, because a failed-load event names only
	// the request ID.
	urls map[network.RequestID]string
}

// WatchProblems starts recording the problems of the tab of ctx, a context
// from Chromium. Call it before navigating, or the problems of the page load
// are missed.
func WatchProblems(t testing.TB, ctx context.Context) *Problems {
	t.Helper()
	p := &Problems{urls: make(map[network.RequestID]string)}
	// chromedp.Listen runs the callback in the tab's event loop before any
	// later command returns, so everything that happened before the test's
	// last action is recorded by the time the test calls Check; an iterator
	// from chromedp.Events would be read by another goroutine and could lag.
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatalf("watching the browser's console and network: %v", err)
	}
	return p
}

// record must be quick and must not call back into chromedp: it runs inside
// the loop that reads the browser's messages.
func (p *Problems) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		p.add("uncaught exception: %s", exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p.add("console.%s: %s", ev.Type, argsText(ev.Args))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError {
			p.add("browser log (%s): %s", e.Source, withURL(e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			p.urls[ev.RequestID] = ev.Request.URL
		}
	case *network.EventResponseReceived:
		if r := ev.Response; r != nil && r.Status >= 400 {
			p.add("HTTP %d %s for %s", r.Status, r.StatusText, r.URL)
		}
	case *network.EventLoadingFailed:
		// A request the page itself aborted (navigation, AbortController)
		// is not a failure of the thing under test.
		if ev.Canceled {
			return
		}
		msg := ev.ErrorText
		if ev.BlockedReason != "" {
			msg += ", blocked: " + string(ev.BlockedReason)
		}
		p.add("request failed (%s): %s %s", ev.Type, msg, p.urls[ev.RequestID])
	}
}

func (p *Problems) add(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// List returns the problems recorded so far, oldest first.
func (p *Problems) List() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

// Check reports each problem recorded so far as an error of t.
func (p *Problems) Check(t testing.TB) {
	t.Helper()
	for _, problem := range p.List() {
		t.Errorf("browser: %s", problem)
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	text := d.Text
	// Text is often just "Uncaught"; the message is in the exception object.
	if d.Exception != nil && d.Exception.Description != "" {
		text += " " + d.Exception.Description
	}
	where := fmt.Sprintf("%s:%d:%d", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	if strings.Contains(text, where) { // already in the stack trace
		return text
	}
	return withURL(text, where)
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if a == nil {
			continue
		}
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if err := json.Unmarshal(a.Value, &s); err == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.UnserializableValue != "":
			parts = append(parts, string(a.UnserializableValue))
		default:
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

func withURL(text, url string) string {
	if url == "" || strings.HasPrefix(url, ":") {
		return text
	}
	return text + " (" + url + ")"
}
