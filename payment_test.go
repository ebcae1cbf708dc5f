package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment/promptpay"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/payment/stripe/stripetest"
	"github.com/langran/langran/store/storetest"
)

const paymentFields = `id method status amount { amount currencyCode } capturedAmount { amount } refundedAmount { amount }
	clientSecret providerReference reference instructions errorCode promptPay { payload qrImageUrl }
	transactions { id kind status amount { amount } providerReference reason }`

const payOrderFields = `id status financialStatus total { amount } totalCaptured { amount } totalRefunded { amount }
	totalOutstanding { amount } payments { ` + paymentFields + ` } lines(first: 10) { nodes { id quantity } }`

const paymentCreateMutation = `mutation($i: PaymentCreateInput!) { paymentCreate(input: $i) {
	payment { ` + paymentFields + ` } userErrors { field code message } } }`

// guestOrder checks out a cart of one unit as a guest and returns the
// order's ID, access key and total.
func guestOrder(t *testing.T, srv *testServer, variant string, key string) (id, accessKey, total string) {
	t.Helper()
	p := checkoutCart(t, srv, readyCart(t, srv, map[string]int{variant: 1}, nil), key)
	id, _ = at(p, "order", "id").(string)
	accessKey, _ = at(p, "order", "accessKey").(string)
	total, _ = at(p, "order", "total", "amount").(string)
	if id == "" || accessKey == "" {
		t.Fatalf("checkout: %v", p)
	}
	return id, accessKey, total
}

func payload(t *testing.T, r gqlResponse, field string) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %s", field, r.Raw)
	}
	p, _ := r.Data[field].(map[string]any)
	return p
}

// A guest pays by PromptPay: the QR code is for the order's exact amount
// and its image opens from the signed link only; staff confirm the money,
// the order becomes PAID, and staff refund part of it. No one without the
// order's access key may start a payment, and buyers may not confirm one.
func TestPromptPayPurchaseThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 5)
		manager := staffToken(t, srv, model.RoleOrderManager)
		id, accessKey, total := guestOrder(t, srv, vs[0].GID, "pp-1")

		methods := srv.post(t, `{ paymentMethods }`, nil).mustData(t)["paymentMethods"]
		if fmt.Sprint(methods) != "[BANK_TRANSFER CASH_ON_DELIVERY PROMPTPAY]" {
			t.Errorf("development's methods: %v", methods)
		}
		for _, key := range []any{nil, "wrong-key-0000000000"} {
			in := map[string]any{"orderId": id, "method": "PROMPTPAY", "idempotencyKey": "p1"}
			if key != nil {
				in["accessKey"] = key
			}
			p := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")
			if !slicesEqual(userErrorCodes(p), []string{"NOT_FOUND"}) || p["payment"] != nil {
				t.Errorf("paying someone's order with access key %v: %v", key, p)
			}
		}
		in := map[string]any{"orderId": id, "method": "PROMPTPAY", "idempotencyKey": "p1", "accessKey": accessKey}
		p := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")
		pay, _ := p["payment"].(map[string]any)
		if pay == nil || pay["status"] != "PENDING" || at(pay, "amount", "amount") != total || pay["reference"] == nil {
			t.Fatalf("paymentCreate: %v", p)
		}
		again := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")
		if at(again, "payment", "id") != pay["id"] {
			t.Errorf("the same key made another payment: %v", again)
		}
		fields, err := promptpay.Parse(at(pay, "promptPay", "payload").(string))
		if err != nil || model.FormatMinor(fields.Amount, 2) != total {
			t.Fatalf("the QR payload: %+v %v, want %s", fields, err, total)
		}
		// The link is on LANGRAN_PUBLIC_URL; the test server listens elsewhere.
		img := at(pay, "promptPay", "qrImageUrl").(string)
		if !strings.HasPrefix(img, "http://localhost:8080"+promptpay.QRPath+"?") {
			t.Fatalf("the QR link %s is not on the public URL", img)
		}
		img = srv.URL + strings.TrimPrefix(img, "http://localhost:8080")
		res, err := http.Get(img)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the QR image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != promptpay.QRImageSize {
			t.Errorf("the QR image: %+v %v", cfg, err)
		}
		tampered := strings.Replace(img, "payload=", "payload=0", 1)
		if res, err := http.Get(tampered); err != nil || res.StatusCode != 404 {
			t.Errorf("a tampered QR link: %v %v", res, err)
		}

		mark := `mutation($i: PaymentMarkReceivedInput!) { paymentMarkReceived(input: $i) {
			payment { status } order { ` + payOrderFields + ` } userErrors { field code message } } }`
		mi := map[string]any{"i": map[string]any{"paymentId": pay["id"], "reference": "KBANK-20261130-001", "idempotencyKey": "m1"}}
		if r := srv.post(t, mark, mi); len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" && r.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("a guest confirmed their own payment: %s", r.Raw)
		}
		m := payload(t, srv.post(t, mark, mi, as(manager)...), "paymentMarkReceived")
		o, _ := m["order"].(map[string]any)
		if at(m, "payment", "status") != "CAPTURED" || o["status"] != "PAID" || o["financialStatus"] != "PAID" ||
			at(o, "totalCaptured", "amount") != total || at(o, "totalOutstanding", "amount") != "0.00" {
			t.Fatalf("after paymentMarkReceived: %v", m)
		}
		// Stock stays taken: the order still holds it.
		if n := countRows(t, srv, `SELECT inventory_committed FROM product_variants WHERE id = ?`, vs[0].ID); n < 1 {
			t.Errorf("committed %d after payment", n)
		}

		refund := `mutation($i: RefundCreateInput!) { refundCreate(input: $i) {
			refund { kind status amount { amount } reason } order { financialStatus status totalRefunded { amount } } userErrors { field code message } } }`
		var whole int64
		whole, _ = model.ParseMinor(total, 2)
		too := model.FormatMinor(whole+1, 2)
		r := payload(t, srv.post(t, refund, map[string]any{"i": map[string]any{"orderId": id, "amount": too, "idempotencyKey": "r0"}}, as(manager)...), "refundCreate")
		if !slicesEqual(userErrorCodes(r), []string{"REFUND_EXCEEDS_CAPTURED"}) {
			t.Errorf("refunding more than was paid: %v", r)
		}
		half := model.FormatMinor(whole/2, 2)
		r = payload(t, srv.post(t, refund, map[string]any{"i": map[string]any{"orderId": id, "amount": half, "reason": "late delivery",
			"idempotencyKey": "r1"}}, as(manager)...), "refundCreate")
		if at(r, "refund", "status") != "SUCCESS" || at(r, "order", "financialStatus") != "PARTIALLY_REFUNDED" || at(r, "order", "totalRefunded", "amount") != half {
			t.Errorf("a partial refund: %v", r)
		}
		// The buyer reads it all with the order's link.
		got := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { `+payOrderFields+` } }`,
			map[string]any{"id": id, "k": accessKey}).mustData(t)
		txs := at(got, "order", "payments", 0, "transactions").([]any)
		if len(txs) != 2 || at(txs[0], "kind") != "CAPTURE" || at(txs[1], "kind") != "REFUND" || at(txs[1], "reason") != "late delivery" {
			t.Errorf("the ledger the buyer sees: %v", txs)
		}
		if n := countRows(t, srv, `SELECT COUNT(*) FROM payment_transactions`); n != 2 {
			t.Errorf("%d ledger rows, want 2", n)
		}
	})
}

// stripeEvent is a Stripe webhook body for a payment intent.
func stripeEvent(id, typ, pi string, paymentID int64, amount int64, created time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id": %q, "object": "event", "api_version": "2025-07-30.basil", "created": %d, "type": %q,
		"data": {"object": {"id": %q, "object": "payment_intent", "amount": %d, "amount_received": %d, "amount_capturable": 0,
		"currency": "thb", "latest_charge": "ch_%s", "status": "succeeded",
		"metadata": {"langran_payment_id": "%d"}}}}`, id, created.Unix(), typ, pi, amount, amount, id, paymentID))
}

// A card payment through Stripe (stripe-mock): the buyer gets a client
// secret, and the signed payment_intent.succeeded webhook pays the order
// once, however often it comes. Unsigned, tampered and stale webhooks are
// refused with 400 and change nothing.
func TestStripePurchaseThroughTheAPI(t *testing.T) {
	base := stripetest.Start(t)
	const whsec = "whsec_langran_test_secret"
	srv := newTestServer(t, storetest.SQLite, 10, map[string]string{
		"LANGRAN_STRIPE_SECRET_KEY": "sk_test_langran", "LANGRAN_STRIPE_WEBHOOK_SECRET": whsec, "LANGRAN_STRIPE_API_BASE": base,
		"LANGRAN_STRIPE_PUBLISHABLE_KEY": "pk_test_langran"})
	vs := saleVariants(t, srv, 1, 5)
	if pk := srv.post(t, `{ stripePublishableKey paymentMethods }`, nil).mustData(t); pk["stripePublishableKey"] != "pk_test_langran" ||
		!strings.Contains(fmt.Sprint(pk["paymentMethods"]), "STRIPE_CARD") {
		t.Errorf("Stripe's settings for storefronts: %v", pk)
	}
	id, accessKey, total := guestOrder(t, srv, vs[0].GID, "st-1")
	in := map[string]any{"orderId": id, "method": "STRIPE_CARD", "idempotencyKey": "card-1", "accessKey": accessKey}
	p := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")
	pay, _ := p["payment"].(map[string]any)
	if pay == nil || pay["clientSecret"] == nil || pay["providerReference"] == nil || at(pay, "amount", "amount") != total {
		t.Fatalf("paymentCreate: %v", p)
	}
	pid, _ := model.DecodeGlobalIDOf(pay["id"].(string), model.TypePayment)
	amount, _ := model.ParseMinor(total, 2)
	pi := pay["providerReference"].(string)
	// Staff who may read the order see the payment, never its secret.
	support := staffToken(t, srv, model.RoleSupport)
	seen := srv.post(t, `query($id: ID!) { order(id: $id) { payments { clientSecret providerReference } } }`, map[string]any{"id": id}, as(support)...).mustData(t)
	if at(seen, "order", "payments", 0, "providerReference") != pi || at(seen, "order", "payments", 0, "clientSecret") != nil {
		t.Errorf("what support staff see of the payment: %v", seen)
	}
	if again := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { payments { clientSecret } } }`,
		map[string]any{"id": id, "k": accessKey}).mustData(t); at(again, "order", "payments", 0, "clientSecret") != pay["clientSecret"] {
		t.Errorf("the buyer's order page lost the client secret: %v", again)
	}

	send := func(body []byte, sig string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/webhooks/stripe", bytes.NewReader(body))
		if sig != "" {
			req.Header.Set("Stripe-Signature", sig)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	status := func() string {
		r := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { status financialStatus } }`,
			map[string]any{"id": id, "k": accessKey}).mustData(t)
		return fmt.Sprint(at(r, "order", "status"), " ", at(r, "order", "financialStatus"))
	}
	now := time.Now()
	good := stripeEvent("evt_paid", "payment_intent.succeeded", pi, pid, amount, now)
	tampered := bytes.Replace(good, []byte(fmt.Sprintf(`"amount_received": %d`, amount)), []byte(`"amount_received": 1`), 1)
	bad := []struct {
		name string
		body []byte
		sig  string
	}{
		{"unsigned", good, ""},
		{"signed with another secret", good, stripe.SignPayload("whsec_other", now, good)},
		{"tampered after signing", tampered, stripe.SignPayload(whsec, now, good)},
		{"stale", good, stripe.SignPayload(whsec, now.Add(-time.Hour), good)},
	}
	for _, c := range bad {
		if code := send(c.body, c.sig); code != 400 {
			t.Errorf("%s webhook: %d, want 400", c.name, code)
		}
	}
	if s := status(); s != "PENDING_PAYMENT PENDING" {
		t.Fatalf("after refused webhooks the order is %s", s)
	}
	for i := 0; i < 3; i++ {
		if code := send(good, stripe.SignPayload(whsec, time.Now(), good)); code != 200 {
			t.Fatalf("the webhook: %d", code)
		}
	}
	if s := status(); s != "PAID PAID" {
		t.Errorf("after the webhook the order is %s", s)
	}
	if n := countRows(t, srv, `SELECT COUNT(*) FROM payment_transactions WHERE kind = 'CAPTURE'`); n != 1 {
		t.Errorf("%d captures after three deliveries, want 1", n)
	}
	if n := countRows(t, srv, `SELECT COUNT(*) FROM webhook_events`); n != 1 {
		t.Errorf("%d webhook events recorded, want 1", n)
	}
	// Secrets never reach the log.
	if logs := srv.logs.String(); strings.Contains(logs, "sk_test_langran") || strings.Contains(logs, whsec) {
		t.Error("a Stripe secret was logged")
	}
}

// The shop's bank confirms a PromptPay transfer with a signed notice to
// /webhooks/promptpay: the order becomes PAID once, however often the
// notice comes; a notice signed with another secret changes nothing.
func TestPromptPayBankNotification(t *testing.T) {
	const secret = "bank notification secret 0123456789"
	srv := newTestServer(t, storetest.SQLite, 10, map[string]string{"LANGRAN_PROMPTPAY_WEBHOOK_SECRET": secret})
	vs := saleVariants(t, srv, 1, 5)
	id, accessKey, total := guestOrder(t, srv, vs[0].GID, "bank-1")
	in := map[string]any{"orderId": id, "method": "PROMPTPAY", "idempotencyKey": "p1", "accessKey": accessKey}
	pay := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")["payment"].(map[string]any)
	notice := []byte(fmt.Sprintf(`{"id": "bank-evt-1", "reference": %q, "transactionRef": "KBANK-77", "amount": %q, "currency": "THB", "paidAt": %q}`,
		pay["reference"], total, time.Now().UTC().Format(time.RFC3339)))
	send := func(sig string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/webhooks/promptpay", bytes.NewReader(notice))
		req.Header.Set(promptpay.SignatureHeader, sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	financial := func() any {
		r := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { financialStatus } }`,
			map[string]any{"id": id, "k": accessKey}).mustData(t)
		return at(r, "order", "financialStatus")
	}
	if code := send(promptpay.Sign([]byte("another secret of the right length"), time.Now(), notice)); code != 400 || financial() != "PENDING" {
		t.Fatalf("a notice signed with another secret: %d, order %v", code, financial())
	}
	for i := 0; i < 2; i++ {
		if code := send(promptpay.Sign([]byte(secret), time.Now(), notice)); code != 200 {
			t.Fatalf("the notice: %d", code)
		}
	}
	if f := financial(); f != "PAID" {
		t.Errorf("after the bank's notice the order is %v", f)
	}
	if n := countRows(t, srv, `SELECT COUNT(*) FROM payment_transactions`); n != 1 {
		t.Errorf("%d ledger rows after two deliveries, want 1", n)
	}
}

// The buyer reads the documents of their paid order with its access key
// and opens them by short-lived signed links; altered and expired links
// are refused; another customer sees nothing; the accountant lists them
// and downloads the CSV; the buyer asks for a full tax invoice later.
func TestReceiptsThroughTheAPI(t *testing.T) {
	const linkSecret = "receipt link secret of at least 32 chars"
	srv := newTestServer(t, storetest.SQLite, 10, map[string]string{"LANGRAN_LINK_SECRET": linkSecret})
	vs := saleVariants(t, srv, 1, 5)
	manager := staffToken(t, srv, model.RoleOrderManager)
	analyst := staffToken(t, srv, model.RoleAnalyst)
	id, accessKey, total := guestOrder(t, srv, vs[0].GID, "rc-1")
	in := map[string]any{"orderId": id, "method": "BANK_TRANSFER", "idempotencyKey": "p1", "accessKey": accessKey}
	pay := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate")["payment"].(map[string]any)
	payload(t, srv.post(t, `mutation($i: PaymentMarkReceivedInput!) { paymentMarkReceived(input: $i) { userErrors { code } } }`,
		map[string]any{"i": map[string]any{"paymentId": pay["id"], "reference": "BBL-1", "idempotencyKey": "m"}}, as(manager)...), "paymentMarkReceived")

	const receiptFields = `id number documentType status total { amount } vatAmount { amount } vatBase { amount } totalInWords
		totalInWordsEnglish orderNumber replaces pdfUrl htmlUrl xmlUrl`
	got := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { receipts { `+receiptFields+` } } }`,
		map[string]any{"id": id, "k": accessKey}).mustData(t)
	rs := at(got, "order", "receipts").([]any)
	if len(rs) != 1 {
		t.Fatalf("receipts: %v", got)
	}
	rc := rs[0].(map[string]any)
	minor, _ := model.ParseMinor(total, 2)
	if rc["documentType"] != "ABBREVIATED_TAX_INVOICE" || at(rc, "total", "amount") != total || rc["totalInWords"] != model.BahtText(minor) {
		t.Errorf("the receipt: %v", rc)
	}
	fetch := func(u string) (int, string, []byte) {
		t.Helper()
		u = srv.URL + strings.TrimPrefix(u, "http://localhost:8080")
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	code, ctype, body := fetch(rc["xmlUrl"].(string))
	if code != 200 || !strings.HasPrefix(ctype, "application/xml") || !bytes.Contains(body, []byte(rc["number"].(string))) {
		t.Errorf("the XML link: %d %s %.200s", code, ctype, body)
	}
	code, ctype, body = fetch(rc["htmlUrl"].(string))
	if code != 200 || !strings.HasPrefix(ctype, "text/html") || !bytes.Contains(body, []byte(rc["number"].(string))) ||
		!bytes.Contains(body, []byte("ใบกำกับภาษีอย่างย่อ")) {
		t.Errorf("the HTML link: %d %s", code, ctype)
	}
	code, ctype, body = fetch(rc["pdfUrl"].(string))
	if code != 200 || ctype != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("the PDF link: %d %s %.20q", code, ctype, body)
	}
	rid, _ := model.DecodeGlobalIDOf(rc["id"].(string), model.TypeReceipt)
	signer := model.NewLinkSigner([]byte(linkSecret))
	past := time.Now().Add(-time.Minute).Truncate(time.Second)
	name := fmt.Sprintf("%d.xml", rid)
	refused := []string{
		strings.Replace(rc["xmlUrl"].(string), "sig=", "sig=A", 1),
		strings.Replace(rc["xmlUrl"].(string), fmt.Sprintf("/%d.xml", rid), fmt.Sprintf("/%d.xml", rid+1), 1),
		fmt.Sprintf("http://localhost:8080/receipts/%s?exp=%s&sig=%s", name, model.LinkExpiry(past), signer.Sign(past, "receipt", name)),
	}
	for i, u := range refused {
		if code, _, _ := fetch(u); code != http.StatusForbidden {
			t.Errorf("link %d %s: %d, want 403 (the good one is %s)", i, u, code, rc["xmlUrl"])
		}
	}
	// Another customer, and a guest without the key, see no receipt.
	signUp(t, srv, "other@example.com", "another long password")
	other := signIn(t, srv, "customerAccessTokenCreate", "other@example.com", "another long password")
	for _, h := range [][]string{as(other), nil} {
		d := srv.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": rc["id"]}, h...).mustData(t)
		if d["node"] != nil {
			t.Errorf("someone else read the receipt: %v", d)
		}
	}
	// The buyer asks for a full tax invoice.
	full := payload(t, srv.post(t, `mutation($i: ReceiptRequestFullTaxInvoiceInput!) { receiptRequestFullTaxInvoice(input: $i) {
		receipt { `+receiptFields+` } userErrors { field code message } } }`, map[string]any{"i": map[string]any{
		"orderId": id, "accessKey": accessKey, "name": "บริษัท มาลี จำกัด", "address": "12 ซอยสุขุมวิท 11 กรุงเทพมหานคร 10110",
		"taxId": "0994000165382"}}), "receiptRequestFullTaxInvoice")
	if at(full, "receipt", "documentType") != "TAX_INVOICE" || at(full, "receipt", "replaces") != rc["number"] {
		t.Errorf("the full tax invoice: %v", full)
	}
	// The cancelled original has its e-Tax cancellation note (T07); the
	// document that stands has none.
	both := srv.post(t, `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { receipts { number status cancellationXmlUrl } } }`,
		map[string]any{"id": id, "k": accessKey}).mustData(t)
	orig, now := at(both, "order", "receipts", 0).(map[string]any), at(both, "order", "receipts", 1).(map[string]any)
	if orig["status"] != "CANCELLED" || orig["cancellationXmlUrl"] == nil || now["cancellationXmlUrl"] != nil {
		t.Fatalf("cancellation links: %v", both)
	}
	code, ctype, body = fetch(orig["cancellationXmlUrl"].(string))
	if code != 200 || !strings.HasPrefix(ctype, "application/xml") || !bytes.Contains(body, []byte("T07")) ||
		!bytes.Contains(body, []byte(rc["number"].(string))) {
		t.Errorf("the cancellation note: %d %s %.300s", code, ctype, body)
	}
	// The accountant lists them and downloads the CSV.
	list := srv.post(t, `{ receipts(first: 10) { totalCount nodes { number status documentType } } receiptsExportUrl }`, nil, as(analyst)...).mustData(t)
	if at(list, "receipts", "totalCount") != 2.0 || at(list, "receipts", "nodes", 0, "status") != "CANCELLED" {
		t.Errorf("the accountant's list: %v", list)
	}
	code, ctype, body = fetch(list["receiptsExportUrl"].(string))
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(body), "\ufeff")), "\n")
	if code != 200 || !strings.HasPrefix(ctype, "text/csv") || len(lines) != 3 || !strings.Contains(lines[2], "บริษัท มาลี จำกัด") {
		t.Errorf("the CSV: %d %s %q", code, ctype, body)
	}
	if r := srv.post(t, `{ receipts(first: 1) { totalCount } }`, nil, as(manager)...); len(r.Errors) == 0 {
		t.Errorf("an order manager without VIEW_REPORTS listed receipts: %s", r.Raw)
	}
}

// An order the codes made free is paid at checkout: there is nothing to
// pay, so it must not wait for a payment and expire.
func TestFreeOrderIsPaidAtCheckout(t *testing.T) {
	srv := newTestServer(t, storetest.SQLite, 10, nil)
	vs := saleVariants(t, srv, 1, 5)
	staff := staffToken(t, srv, model.RoleCatalogManager)
	for _, in := range []map[string]any{{"code": "ALLFREE", "kind": "PERCENTAGE", "percentage": "100"}, {"code": "SHIPFREE", "kind": "FREE_SHIPPING"}} {
		noUserErrors(t, payloadOf(t, srv, staff, "discountCodeCreate", createDiscount, map[string]any{"i": in}))
	}
	p := checkoutCart(t, srv, readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"ALLFREE", "SHIPFREE"}), "free-1")
	o := at(p, "order").(map[string]any)
	if at(o, "total", "amount") != "0.00" || o["status"] != "PAID" || o["financialStatus"] != "PAID" || o["payBy"] != nil {
		t.Fatalf("a free order: %v", p)
	}
	in := map[string]any{"orderId": o["id"], "method": "BANK_TRANSFER", "idempotencyKey": "p", "accessKey": o["accessKey"]}
	if r := payload(t, srv.post(t, paymentCreateMutation, map[string]any{"i": in}), "paymentCreate"); !slicesEqual(userErrorCodes(r), []string{"NOTHING_TO_PAY"}) {
		t.Errorf("paying a free order: %v", r)
	}
}
