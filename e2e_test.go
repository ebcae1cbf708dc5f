package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/langran/langran/graphiql"
	"github.com/langran/langran/internal/browsertest"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/payment/stripe/stripetest"
	"github.com/langran/langran/store"
)

// startApp runs the real program (config from env, migrations, demo seed,
// HTTP server) on a free port and stops it when the test ends.
func startApp(t *testing.T, env map[string]string) (base string, stop func() error) {
	t.Helper()
	app, stop := startAppWithStop(t, env)
	return "http://" + app.Addr(), stop
}

// startAppFull is startApp returning the running App.
func startAppFull(t *testing.T, env map[string]string) *App {
	t.Helper()
	app, _ := startAppWithStop(t, env)
	return app
}

func startAppWithStop(t *testing.T, env map[string]string) (*App, func() error) {
	t.Helper()
	full := map[string]string{
		"LANGRAN_RATE_LIMIT_BUCKET": "0", // see testEnv
		"LANGRAN_ADDR":              "127.0.0.1:0",
		"LANGRAN_DATABASE_URL":      "sqlite:" + filepath.Join(t.TempDir(), "e2e.db"),
		"LANGRAN_LOG_LEVEL":         "warn",
	}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return full[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := openApp(ctx, cfg, newLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx) }()
	var once bool
	stop := func() error {
		if once {
			return nil
		}
		once = true
		cancel()
		err := <-done
		app.Close()
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return app, stop
}

// End to end: the real server on port 0, real HTTP, the seeded demo catalog.
func TestEndToEndStorefront(t *testing.T) {
	base, stop := startApp(t, nil)
	body := `{"query":"query Home { products(first: 5, sortKey: PRICE, filter: {available: true}) { totalCount edges { node { title priceRange { minVariantPrice { amount currencyCode } } } } } }","operationName":"Home"}`
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Products struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Title      string
						PriceRange struct {
							MinVariantPrice struct{ Amount, CurrencyCode string }
						}
					}
				}
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("decode: %v, errors %v", err, out.Errors)
	}
	edges := out.Data.Products.Edges
	if len(edges) != 5 || out.Data.Products.TotalCount < 40 {
		t.Fatalf("got %d products of %d", len(edges), out.Data.Products.TotalCount)
	}
	prev := ""
	for _, e := range edges {
		m := e.Node.PriceRange.MinVariantPrice
		if m.CurrencyCode != "THB" || !strings.Contains(m.Amount, ".") {
			t.Errorf("price %+v", m)
		}
		if prev != "" && len(m.Amount) < len(prev) {
			t.Errorf("not sorted by price: %s after %s", m.Amount, prev)
		}
		prev = m.Amount
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

// Shutdown lets a request that is in flight finish before the server stops.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	base, stop := startApp(t, nil)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/graphql", pr)
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	// The handler is now reading a body that has not finished arriving.
	if _, err := io.WriteString(pw, `{"query":"{ products(first: 1) `); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("server stopped with a request in flight: %v", err)
	default:
	}
	io.WriteString(pw, `{ edges { node { handle } } } }"}`)
	pw.Close()
	r := <-got
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, "handle") {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LANGRAN_DATABASE_URL": "sqlite:" + filepath.Join(dir, "cmd.db"), "LANGRAN_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"migrate"}, getenv, strings.NewReader(""), io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"seed", "--products", "250"}, getenv, strings.NewReader(""), io.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, env["LANGRAN_DATABASE_URL"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int64
	if err := st.DB(ctx).Table("products").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 250 {
		t.Fatalf("seeded %d products, want 250", n)
	}
	if err := run(ctx, []string{"seed"}, getenv, strings.NewReader(""), io.Discard); err == nil {
		t.Error("seeding a full catalog again succeeded")
	}
	for _, args := range [][]string{{"frobnicate"}, {"seed", "--products", "0"}, {"seed", "--products", "x"}} {
		if err := run(ctx, args, getenv, strings.NewReader(""), io.Discard); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	bad := func(k string) string {
		if k == "LANGRAN_DATABASE_URL" {
			return "postgres://nope"
		}
		return ""
	}
	if err := run(ctx, []string{"migrate"}, bad, strings.NewReader(""), io.Discard); err == nil || !strings.Contains(err.Error(), "mysql://") {
		t.Errorf("bad database URL: %v", err)
	}
}

// The admin playground, in a real browser, against the real server: the page
// loads from embedded assets, the default query runs against the demo
// catalog, and the result shows.
func TestGraphiQLAgainstRealServer(t *testing.T) {
	base, _ := startApp(t, nil)
	ctx := browsertest.Chromium(t)
	problems := browsertest.WatchProblems(t, ctx)
	defer problems.Check(t)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
	); err != nil {
		t.Fatal(err)
	}
	queryEditor := `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	poll("the default query", queryEditor+`.getValue().includes('products(first: 10)')`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatal(err)
	}
	poll("the demo catalog in the result", `document.querySelector('.graphiql-response').textContent.includes('Organic Cotton Tee')`)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.graphiql-response').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, `"currencyCode": "THB"`) || strings.Contains(text, `"errors"`) {
		t.Errorf("result pane: %.500s", text)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		_ = os.WriteFile(filepath.Join(t.ArtifactDir(), "graphiql-real.png"), shot, 0o644)
	}
}

// The playground's default query must stay valid against the schema.
func TestGraphiQLDefaultQueryIsValid(t *testing.T) {
	srv := sqliteServer(t, nil)
	r := srv.post(t, graphiql.DefaultQuery, nil)
	if len(r.Errors) > 0 || r.Status != 200 {
		t.Fatalf("default playground query fails: %s", r.Raw)
	}
	if !strings.Contains(r.Raw, "THB") {
		t.Fatalf("default query shows no prices: %s", r.Raw)
	}
}

// A whole purchase through the real program on its demo data: find a
// product, fill a cart, say who and where, choose the cheapest delivery,
// enter the demo code, check out, and read the order back as a guest with
// its access key.
func TestEndToEndPurchase(t *testing.T) {
	// Stripe is stripe-mock; PromptPay, bank transfer and cash on
	// delivery are development's demo methods.
	const whsec = "whsec_e2e_secret"
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "purchase.db")
	env := map[string]string{"LANGRAN_DATABASE_URL": dbURL, "LANGRAN_STRIPE_SECRET_KEY": "sk_test_e2e",
		"LANGRAN_STRIPE_WEBHOOK_SECRET": whsec, "LANGRAN_STRIPE_API_BASE": stripetest.Start(t)}
	base, _ := startApp(t, env)
	var token string
	gql := func(query string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data   map[string]any
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, %v, errors %v", query, resp.StatusCode, err, out.Errors)
		}
		return out.Data
	}
	noUserErrors := func(payload any) map[string]any {
		t.Helper()
		if errs, _ := at(payload, "userErrors").([]any); len(errs) > 0 {
			t.Fatalf("userErrors: %v", errs)
		}
		return payload.(map[string]any)
	}
	d := gql(`{ products(first: 1, sortKey: PRICE, reverse: true, filter: { available: true }) { nodes { title variants(first: 1) { nodes { id price { amount } } } } } }`, nil)
	variant := at(d, "products", "nodes", 0, "variants", "nodes", 0, "id").(string)

	const cartFields = `id cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } totalTaxAmount { amount } totalAmount { amount } }
		deliveryOptions { handle title estimatedCost { amount } } discountCodes { code applicable reason } problems { code }`
	c := noUserErrors(at(gql(`mutation($v: ID!) { cartCreate(input: { lines: [{ merchandiseId: $v, quantity: 2 }] }) { cart { `+cartFields+` } userErrors { code message } } }`,
		map[string]any{"v": variant}), "cartCreate"))
	id := at(c, "cart", "id").(string)
	c = noUserErrors(at(gql(`mutation($c: ID!) { cartBuyerIdentityUpdate(cartId: $c, buyerIdentity: { email: "nid@example.com", phone: "0812345678",
		deliveryAddress: { firstName: "Nid", address1: "88 Nimmanhaemin Rd", city: "Mueang Chiang Mai", province: "เชียงใหม่", zip: "50200", country: "TH" } }) {
		cart { `+cartFields+` } userErrors { code message } } }`, map[string]any{"c": id}), "cartBuyerIdentityUpdate"))
	handle, _ := at(c, "cart", "deliveryOptions", 0, "handle").(string)
	if handle == "" {
		t.Fatalf("no delivery options for Chiang Mai: %v", c)
	}
	noUserErrors(at(gql(`mutation($c: ID!, $h: String!) { cartSelectedDeliveryOptionUpdate(cartId: $c, handle: $h) { cart { id } userErrors { code message } } }`,
		map[string]any{"c": id, "h": handle}), "cartSelectedDeliveryOptionUpdate"))
	c = noUserErrors(at(gql(`mutation($c: ID!) { cartDiscountCodesUpdate(cartId: $c, discountCodes: ["welcome10"]) { cart { `+cartFields+` } userErrors { code message } } }`,
		map[string]any{"c": id}), "cartDiscountCodesUpdate"))
	if at(c, "cart", "discountCodes", 0, "applicable") != true || at(c, "cart", "cost", "discountAmount", "amount") == "0.00" {
		t.Errorf("the demo code does not apply: %v", at(c, "cart"))
	}
	if p, _ := at(c, "cart", "problems").([]any); len(p) != 0 {
		t.Fatalf("problems before checkout: %v", p)
	}
	total := at(c, "cart", "cost", "totalAmount", "amount")

	o := noUserErrors(at(gql(`mutation($c: ID!) { checkoutComplete(cartId: $c, idempotencyKey: "e2e-1") {
		order { id number status total { amount } accessKey shippingMethod discountCodes } userErrors { code message } } }`,
		map[string]any{"c": id}), "checkoutComplete"))
	order := at(o, "order").(map[string]any)
	if order["status"] != "PENDING_PAYMENT" || at(order, "total", "amount") != total || order["shippingMethod"] == nil {
		t.Errorf("order %v, cart total %v", order, total)
	}
	d = gql(`query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { number lines(first: 5) { nodes { quantity title } } } }`,
		map[string]any{"id": order["id"], "k": order["accessKey"]})
	if at(d, "order", "number") != order["number"] || at(d, "order", "lines", "nodes", 0, "quantity") != 2.0 {
		t.Errorf("the guest's order: %v", d)
	}
	committed := func() string {
		d := gql(`query($id: ID!) { node(id: $id) { ... on ProductVariant { quantityAvailable } } }`, map[string]any{"id": variant})
		return fmt.Sprint(at(d, "node", "quantityAvailable"))
	}
	availableAfterCheckout := committed()
	if availableAfterCheckout == "<nil>" {
		t.Fatal("the variant's quantityAvailable is not readable")
	}

	// The guest pays by PromptPay; staff confirm the transfer.
	p := noUserErrors(at(gql(`mutation($i: PaymentCreateInput!) { paymentCreate(input: $i) { payment { id status amount { amount }
		promptPay { payload qrImageUrl } reference } userErrors { code message } } }`, map[string]any{"i": map[string]any{
		"orderId": order["id"], "accessKey": order["accessKey"], "method": "PROMPTPAY", "idempotencyKey": "e2e-pay-1"}}), "paymentCreate"))
	if at(p, "payment", "amount", "amount") != total || at(p, "payment", "promptPay", "payload") == nil {
		t.Fatalf("the PromptPay payment: %v", p)
	}
	var out bytes.Buffer
	err := run(t.Context(), []string{"staff", "create", "--email", "owner@example.com", "--name", "Owner"},
		func(k string) string {
			return map[string]string{"LANGRAN_DATABASE_URL": dbURL, "LANGRAN_LOG_LEVEL": "warn"}[k]
		},
		strings.NewReader("an owner's long password\n"), &out)
	if err != nil {
		t.Fatalf("staff create: %v %s", err, out.String())
	}
	tok := gql(`mutation { staffAccessTokenCreate(input: { email: "owner@example.com", password: "an owner's long password" }) {
		staffAccessToken { accessToken } userErrors { code } } }`, nil)
	token = at(tok, "staffAccessTokenCreate", "staffAccessToken", "accessToken").(string)
	m := noUserErrors(at(gql(`mutation($i: PaymentMarkReceivedInput!) { paymentMarkReceived(input: $i) { payment { status }
		order { status financialStatus totalOutstanding { amount } } userErrors { code message } } }`, map[string]any{"i": map[string]any{
		"paymentId": at(p, "payment", "id"), "reference": "SCB 2026113012345", "idempotencyKey": "e2e-mark-1"}}), "paymentMarkReceived"))
	if at(m, "order", "status") != "PAID" || at(m, "order", "financialStatus") != "PAID" || at(m, "order", "totalOutstanding", "amount") != "0.00" {
		t.Errorf("after the transfer was confirmed: %v", m)
	}
	if got := committed(); got != availableAfterCheckout {
		t.Errorf("available %s after payment, %s after checkout: paying must keep the stock taken", got, availableAfterCheckout)
	}

	// A second buyer pays by card through Stripe; the webhook marks it paid.
	token = ""
	c2 := noUserErrors(at(gql(`mutation($v: ID!) { cartCreate(input: { lines: [{ merchandiseId: $v, quantity: 1 }], buyerIdentity: {
		email: "som@example.com", deliveryAddress: { firstName: "Som", address1: "1 Rama IV Rd", city: "Pathum Wan", province: "Bangkok",
		zip: "10330", country: "TH" } } }) { cart { `+cartFields+` } userErrors { code message } } }`, map[string]any{"v": variant}), "cartCreate"))
	noUserErrors(at(gql(`mutation($c: ID!, $h: String!) { cartSelectedDeliveryOptionUpdate(cartId: $c, handle: $h) { cart { id } userErrors { code message } } }`,
		map[string]any{"c": at(c2, "cart", "id"), "h": at(c2, "cart", "deliveryOptions", 0, "handle")}), "cartSelectedDeliveryOptionUpdate"))
	o2 := at(noUserErrors(at(gql(`mutation($c: ID!) { checkoutComplete(cartId: $c, idempotencyKey: "e2e-2") { order { id accessKey total { amount } }
		userErrors { code message } } }`, map[string]any{"c": at(c2, "cart", "id")}), "checkoutComplete")), "order").(map[string]any)
	cp := noUserErrors(at(gql(`mutation($i: PaymentCreateInput!) { paymentCreate(input: $i) { payment { id clientSecret providerReference amount { amount } }
		userErrors { code message } } }`, map[string]any{"i": map[string]any{"orderId": o2["id"], "accessKey": o2["accessKey"],
		"method": "STRIPE_CARD", "idempotencyKey": "e2e-card-1"}}), "paymentCreate"))
	if at(cp, "payment", "clientSecret") == nil {
		t.Fatalf("the card payment: %v", cp)
	}
	pid, _ := model.DecodeGlobalIDOf(at(cp, "payment", "id").(string), model.TypePayment)
	amount, _ := model.ParseMinor(at(cp, "payment", "amount", "amount").(string), 2)
	ev := stripeEvent("evt_e2e", "payment_intent.succeeded", at(cp, "payment", "providerReference").(string), pid, amount, time.Now())
	req, _ := http.NewRequest("POST", base+"/webhooks/stripe", bytes.NewReader(ev))
	req.Header.Set("Stripe-Signature", stripe.SignPayload(whsec, time.Now(), ev))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the Stripe webhook: %v %v", res, err)
	}
	res.Body.Close()
	d = gql(`query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { status financialStatus totalCaptured { amount } } }`,
		map[string]any{"id": o2["id"], "k": o2["accessKey"]})
	if at(d, "order", "status") != "PAID" || at(d, "order", "totalCaptured", "amount") != at(o2, "total", "amount") {
		t.Errorf("the card order after Stripe's webhook: %v", d)
	}
}
