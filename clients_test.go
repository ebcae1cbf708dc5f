package main

// The GraphQL clients that storefront teams use, run against the real
// server: the graphql-http conformance audit, Apollo Client 3, urql and
// graphql-request from Node (clients/*.mjs), graphql-codegen and tsc over
// the schema and the storefront documents, @graphql-eslint over the schema,
// and Apollo Client, urql and fetch in headless Chromium on another origin.
// The Node side lives in clients/ (see clients/README.md); CI installs it
// with `npm ci --prefix clients`.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/langran/langran/internal/browsertest"
)

// clientsDir holds the Node project; go test runs in the repository root.
const clientsDir = "clients"

// nodeScriptTimeout bounds one Node script. Each takes about a second; a
// hung one fails its test with its output instead of stalling the run.
const nodeScriptTimeout = 90 * time.Second

// serverModes are the two ways the server runs. Production has
// introspection and GraphiQL off; the demo catalog is seeded anyway so
// that the clients have products to page through, and anonymous GET answers
// are publicly cacheable as they would be behind a CDN.
var serverModes = []struct {
	name string
	env  map[string]string
}{
	{"development", nil},
	{"production", map[string]string{
		"LANGRAN_ENV":                  "production",
		"LANGRAN_SEED_DEMO":            "true",
		"LANGRAN_PUBLIC_CACHE_MAX_AGE": "60s",
		// Production takes only the payment methods it is given.
		"LANGRAN_PROMPTPAY_ID": "0812345678",
		"LANGRAN_LINK_SECRET":  "a link secret of at least 32 characters",
	}},
}

// requireClients returns the node binary, or ends t when Node or the
// clients' packages are missing: a skip on a developer machine, a failure
// under CI=true, so that CI cannot pass by skipping every client test.
func requireClients(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatal(why + "; CI must run the client tests")
		}
		t.Skip(why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node in PATH: install Node.js 20 or later, then run npm ci --prefix clients")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		missing(fmt.Sprintf("%s --version: %v", node, err))
	}
	version := strings.TrimSpace(string(out))
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(version, "v"), ".", 2)[0])
	if major < 20 {
		missing(fmt.Sprintf("node %s is too old: the clients need Node.js 20 or later", version))
	}
	// npm ci writes this file last, so it marks a finished install.
	if _, err := os.Stat(filepath.Join(clientsDir, "node_modules", ".package-lock.json")); err != nil {
		missing("clients/node_modules is not installed: run npm ci --prefix clients")
	}
	return node
}

// runNode runs a script of clients/ with the given extra environment and
// returns its combined output; err is non-nil when it exits non-zero.
func runNode(t *testing.T, node string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), nodeScriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = clientsDir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w after %s", ctx.Err(), nodeScriptTimeout)
	}
	return out.String(), err
}

// runClientScript runs one script and fails t with everything it printed,
// which names each failed check and what the server answered.
func runClientScript(t *testing.T, node string, env map[string]string, args ...string) {
	t.Helper()
	out, err := runNode(t, node, env, args...)
	if err != nil {
		t.Errorf("node %s: %v\n%s", strings.Join(args, " "), err, out)
		return
	}
	t.Logf("node %s:\n%s", strings.Join(args, " "), out)
}

// The clients from Node against the real server in both modes.
func TestClientsAgainstRealServer(t *testing.T) {
	node := requireClients(t)
	for _, mode := range serverModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			base, _ := startApp(t, mode.env)
			env := map[string]string{"LANGRAN_URL": base, "LANGRAN_ENV": mode.name}
			for _, script := range []string{"audit.mjs", "apollo.mjs", "urql.mjs", "graphql-request.mjs"} {
				t.Run(strings.TrimSuffix(script, ".mjs"), func(t *testing.T) {
					runClientScript(t, node, env, script)
				})
			}
			if mode.name == "development" {
				// The SDL partners download is what codegen reads.
				t.Run("codegen-from-schema.graphql", func(t *testing.T) {
					runClientScript(t, node, map[string]string{
						"LANGRAN_SCHEMA":      base + schemaPath,
						"LANGRAN_CODEGEN_OUT": t.TempDir() + "/",
					}, codegenCLI, "--config", "codegen.ts")
				})
			}
		})
	}
}

// codegenCLI is graphql-codegen's entry point, run with node directly so
// that no shell or npx is involved.
const codegenCLI = "node_modules/@graphql-codegen/cli/cjs/bin.js"

// graphql-codegen over the schema files and the storefront documents, then
// tsc over the generated code and a storefront module that uses it.
func TestClientCodegenTypeChecks(t *testing.T) {
	node := requireClients(t)
	out, err := runNode(t, node, nil, codegenCLI, "--config", "codegen.ts")
	if err != nil {
		t.Fatalf("graphql-codegen: %v\n%s", err, out)
	}
	out, err = runNode(t, node, nil, "node_modules/typescript/bin/tsc", "-p", "tsconfig.json")
	if err != nil {
		t.Fatalf("tsc over the generated code and src/storefront.ts: %v\n%s", err, out)
	}
}

// @graphql-eslint's schema and Relay rules over graph/schema, and its
// operation rules over the storefront documents (clients/eslint.config.mjs
// documents each exception).
func TestSchemaLint(t *testing.T) {
	node := requireClients(t)
	out, err := runNode(t, node, nil, "lint.mjs")
	if err != nil {
		t.Errorf("@graphql-eslint findings (fix the schema, or add a documented exception to clients/eslint.config.mjs): %v\n%s", err, out)
	}
}

// clientHeaders are the request headers browser storefronts send beyond
// the CORS-safelisted ones: the JSON body, Apollo's client awareness pair
// (Apollo Client sets them from clientAwareness; Apollo's tooling reads
// them), W3C trace context from browser tracing, the shopper's language and
// credentials.
var clientHeaders = []string{
	"content-type",
	"apollographql-client-name",
	"apollographql-client-version",
	"traceparent",
	"tracestate",
	"accept-language",
	"authorization",
}

// A browser asks before it sends those headers across origins; the answer
// must allow each of them, for POST and for GET (urql and Apollo's
// persisted queries send GET).
func TestCORSPreflightAllowsClientHeaders(t *testing.T) {
	const storefront = "https://shop.example.com"
	for _, mode := range []struct {
		name    string
		origins string
	}{{"any origin", "*"}, {"listed origin", storefront + ",https://m.shop.example.com"}} {
		t.Run(mode.name, func(t *testing.T) {
			base, _ := startApp(t, map[string]string{"LANGRAN_CORS_ORIGINS": mode.origins, "LANGRAN_SEED_DEMO": "false"})
			for _, method := range []string{"POST", "GET"} {
				req, _ := http.NewRequest(http.MethodOptions, base+graphqlPath, nil)
				req.Header.Set("Origin", storefront)
				req.Header.Set("Access-Control-Request-Method", method)
				req.Header.Set("Access-Control-Request-Headers", strings.Join(clientHeaders, ","))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				h := resp.Header
				if resp.StatusCode/100 != 2 {
					t.Errorf("%s preflight: status %d", method, resp.StatusCode)
				}
				if o := h.Get("Access-Control-Allow-Origin"); o != "*" && o != storefront {
					t.Errorf("%s preflight: Access-Control-Allow-Origin %q", method, o)
				}
				if !listHas(h.Values("Access-Control-Allow-Methods"), method) {
					t.Errorf("%s preflight: Access-Control-Allow-Methods %q lacks %s", method, h.Values("Access-Control-Allow-Methods"), method)
				}
				var refused []string
				for _, name := range clientHeaders {
					if !listHas(h.Values("Access-Control-Allow-Headers"), name) {
						refused = append(refused, name)
					}
				}
				if len(refused) > 0 {
					t.Errorf("%s preflight refuses request headers %s; Access-Control-Allow-Headers: %q",
						method, strings.Join(refused, ", "), h.Get("Access-Control-Allow-Headers"))
				}
			}
		})
	}
}

// listHas reports whether a comma-separated header list names want,
// ignoring case. A "*" in Access-Control-Allow-Headers does not count: it
// never covers Authorization, and browsers ignore it for requests with
// credentials, so the answer should name the headers.
func listHas(values []string, want string) bool {
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), want) {
				return true
			}
		}
	}
	return false
}

// A storefront page on another origin calls the API from headless Chromium
// with fetch, Apollo Client and urql (bundled from clients/node_modules by
// esbuild, no CDN), sending the headers real clients send.
func TestBrowserClientsFromAnotherOrigin(t *testing.T) {
	node := requireClients(t)
	bundle := filepath.Join(t.TempDir(), "app.js")
	if out, err := runNode(t, node, nil, "browser/build.mjs", bundle); err != nil {
		t.Fatalf("bundling clients/browser/app.mjs: %v\n%s", err, out)
	}
	script, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html lang="th"><meta charset="utf-8"><title>Storefront</title>
<link rel="icon" href="data:,">
<script type="module" src="/app.js"></script>
<p>storefront</p>`)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(script)
	})
	page := httptest.NewServer(mux)
	t.Cleanup(page.Close)

	for _, mode := range serverModes {
		t.Run(mode.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range mode.env {
				env[k] = v
			}
			if mode.name == "production" {
				// A strict production setup lists its storefronts.
				env["LANGRAN_CORS_ORIGINS"] = page.URL
			}
			base, _ := startApp(t, env)
			if strings.TrimPrefix(page.URL, "http://") == strings.TrimPrefix(base, "http://") {
				t.Fatal("the page and the API share an origin")
			}
			ctx := browsertest.Chromium(t)
			problems := browsertest.WatchProblems(t, ctx)
			defer problems.Check(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(page.URL+"/?api="+url.QueryEscape(base+graphqlPath))); err != nil {
				t.Fatal(err)
			}
			type attempt struct {
				Name   string `json:"name"`
				OK     bool   `json:"ok"`
				Detail string `json:"detail"`
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.langranClients !== undefined`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("the page's script did not start: %v", err)
			}
			results, err := chromedp.Run(ctx, chromedp.Evaluate[[]attempt](`window.langranClients`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("waiting for the page's clients: %v", err)
			}
			var names []string
			for _, a := range results {
				names = append(names, a.Name)
				if a.OK {
					t.Logf("%s: %s", a.Name, a.Detail)
				} else {
					t.Errorf("%s from %s to %s: %s", a.Name, page.URL, base, a.Detail)
				}
			}
			if want := []string{"fetch", "Apollo Client", "urql", "purchase"}; !slices.Equal(names, want) {
				t.Errorf("the page ran %q, want %q", names, want)
			}
		})
	}
}
