// Package stripetest runs stripe-mock, Stripe's own server that answers
// the API from its OpenAPI description, for tests that make real HTTP
// requests through stripe-go.
//
// stripe-mock validates every request (unknown or malformed parameters are
// refused as Stripe would) and answers with fixtures: it keeps no state,
// enforces no idempotency and never declines a card, so what it proves is
// that our requests are well formed and that we read Stripe's responses.
package stripetest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Module and Version are the stripe-mock Start installs when it finds no
// binary; CI installs the same one (.ci/run).
const (
	Module  = "github.com/stripe/stripe-mock"
	Version = "v0.203.0"
)

// EnvBinary names an environment variable holding the path of the
// stripe-mock binary to run.
const EnvBinary = "LANGRAN_STRIPE_MOCK"

// startTimeout bounds how long stripe-mock may take to load its spec and
// listen; it usually takes about a second.
const startTimeout = time.Minute

var (
	findOnce sync.Once
	binary   string
	findErr  error
)

// Start runs a stripe-mock listening on loopback only, on ports the system
// chooses, and returns its base URL (http://127.0.0.1:<port>) for
// Config.APIBase. The process is stopped when the test ends. A test that
// cannot get stripe-mock fails, saying how to install it: a skipped test
// would hide that the Stripe provider went untested.
func Start(t testing.TB) string {
	t.Helper()
	findOnce.Do(func() { binary, findErr = find() })
	if findErr != nil {
		t.Fatalf("stripetest: %v\n\nInstall stripe-mock with\n\tgo install %s@%s\nor set %s to its path.", findErr, Module, Version, EnvBinary)
	}

	// Both listeners on loopback with system-chosen ports: stripe-mock
	// otherwise binds HTTPS on :12112 on every interface, which collides
	// between test packages running in parallel. Reading the chosen address
	// back from its output avoids the race of picking a free port first.
	cmd := exec.Command(binary, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stripetest: %v", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("stripetest: start %s: %v", binary, err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})

	addr := make(chan string, 1)
	var seen strings.Builder
	var seenMu sync.Mutex
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			seenMu.Lock()
			seen.WriteString(line + "\n")
			seenMu.Unlock()
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok {
				addr <- strings.TrimSpace(a)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
	}()

	select {
	case a := <-addr:
		return "http://" + a
	case <-done:
	case <-time.After(startTimeout):
	}
	seenMu.Lock()
	defer seenMu.Unlock()
	t.Fatalf("stripetest: %s did not report an HTTP address\nstdout:\n%s\nstderr:\n%s", binary, seen.String(), stderr.String())
	return ""
}

// find looks for stripe-mock in $LANGRAN_STRIPE_MOCK, on PATH and in
// $(go env GOPATH)/bin, and installs it with go install when it is in none.
func find() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	gobin, err := goEnvBin()
	if err != nil {
		return "", err
	}
	p := filepath.Join(gobin, "stripe-mock")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, "go", "install", Module+"@"+Version)
	install.Env = append(os.Environ(), "GOBIN="+gobin)
	if msg, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("stripe-mock is not installed and go install %s@%s failed: %v\n%s", Module, Version, err, msg)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("go install %s@%s did not produce %s: %w", Module, Version, p, err)
	}
	return p, nil
}

// goEnvBin is where go install puts binaries: GOBIN, else GOPATH's bin.
func goEnvBin() (string, error) {
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("stripe-mock not found and go env failed: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) >= 1 && lines[0] != "" {
		return lines[0], nil
	}
	if len(lines) >= 2 && lines[1] != "" {
		// GOPATH may list several directories; go install uses the first.
		return filepath.Join(filepath.SplitList(lines[1])[0], "bin"), nil
	}
	return "", errors.New("stripe-mock not found and go env names neither GOBIN nor GOPATH")
}
