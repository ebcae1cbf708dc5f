package payment_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/store/storetest"
)

// Refunding a line unit by unit gives back its total exactly: the units'
// shares are taken by running total, so no satang is lost to rounding
// and the order ends REFUNDED.
func TestRefundByLinesAddsUpToTheLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		o := s.order(t, 3)
		// A line total that 3 does not divide, and an order of just it.
		for _, q := range []string{`UPDATE order_lines SET total = 10000 WHERE order_id = ?`, `UPDATE orders SET total = 10000 WHERE id = ?`} {
			if err := s.st.DB(ctx).Exec(q, o.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.pay.MarkReceived(ctx, p.ID, "BANK1", "m"); err != nil {
			t.Fatal(err)
		}
		lines, _ := s.st.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
		var sum int64
		for i := 0; i < 3; i++ {
			r, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Lines: []model.RefundLine{{LineID: lines[0].ID, Quantity: 1}},
				IdempotencyKey: fmt.Sprintf("r%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			sum += r.Amount
		}
		if after := s.reload(t, o.ID); sum != 10000 || after.Status != model.OrderRefunded {
			t.Errorf("three single units gave back %d of 10000; the order is %s %s", sum, after.Status, after.FinancialStatus)
		}
	})
}

// An order cannot be charged twice by starting another payment: while a
// card holds its total there is nothing to pay, another tab gets the same
// waiting attempt, and staff cannot capture more than the order owes.
func TestNoSecondCharge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{ManualCapture: true})
		o := s.order(t, 1)
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "tab-1"})
		if err != nil {
			t.Fatal(err)
		}
		tab2, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "tab-2"})
		if err != nil || tab2.ID != p.ID {
			t.Fatalf("a second tab: payment %+v (%v), want the waiting payment %d", tab2, err, p.ID)
		}
		auth := &payment.Event{ID: "evt_auth", Type: "payment_intent.amount_capturable_updated", PaymentID: p.ID, PaymentRef: p.ProviderRef,
			Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency, Ref: "ch_a"}
		if err := s.pay.ApplyEvent(ctx, "card", auth); err != nil {
			t.Fatal(err)
		}
		if _, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "tab-3"}); code(err) != model.CodeNothingToPay {
			t.Errorf("a new payment while a card holds the total: %v, want NOTHING_TO_PAY", err)
		}
		if _, err := s.pay.Capture(ctx, p.ID, ptr(p.Amount+1), "cap-too-much"); code(err) != model.CodeInvalid {
			t.Errorf("capturing more than is owed: %v", err)
		}
		if _, err := s.pay.Capture(ctx, p.ID, nil, "cap"); err != nil {
			t.Fatal(err)
		}
		if after := s.reload(t, o.ID); after.Captured != o.Total {
			t.Errorf("captured %d for an order of %d", after.Captured, o.Total)
		}
	})
}

// A hold on a cancelled order is not captured: staff void it.
func TestNoCaptureAfterCancel(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{ManualCapture: true})
	o := s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	auth := &payment.Event{ID: "evt_auth", Type: "payment_intent.amount_capturable_updated", PaymentID: p.ID,
		PaymentRef: p.ProviderRef, Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency, Ref: "ch_a"}
	if err := s.pay.ApplyEvent(ctx, "card", auth); err != nil {
		t.Fatal(err)
	}
	if _, err := s.co.Cancel(ctx, o.ID, "the buyer changed their mind"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pay.Capture(ctx, p.ID, nil, "cap"); code(err) != model.CodeNothingToPay {
		t.Errorf("capturing on a cancelled order: %v", err)
	}
	if p, err = s.pay.Void(ctx, p.ID, "void"); err != nil || p.Status != model.PaymentVoided {
		t.Errorf("voiding the hold: %+v %v", p, err)
	}
}

// bank stands for the shop's bank's notices in tests: events are handed
// to ApplyEvent directly.
type bank struct{}

func (bank) WebhookName() string { return "bank" }
func (bank) ParseWebhook(http.Header, []byte, time.Time) (*payment.Event, error) {
	return nil, nil
}

// Two transfers for one reference (the buyer paid in two parts) are both
// recorded, each by the bank's reference; the payment is captured when
// they reach its amount.
func TestTransfersAddUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{Webhooks: []payment.WebhookParser{bank{}}})
		o := s.order(t, 1)
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		part := o.Total / 3
		for i, amt := range []int64{part, o.Total - part} {
			ev := &payment.Event{ID: fmt.Sprint("notice-", i), Type: "transfer.received", PaymentRef: p.Reference, Kind: model.TxCapture,
				Status: model.TxSuccess, Amount: amt, Currency: p.Currency, Ref: fmt.Sprint("BANKREF-", i)}
			if err := s.pay.ApplyEvent(ctx, "bank", ev); err != nil {
				t.Fatal(err)
			}
			after, _ := s.st.FindPayment(ctx, p.ID)
			if want := map[int]model.PaymentStatus{0: model.PaymentPending, 1: model.PaymentCaptured}[i]; after.Status != want {
				t.Errorf("after transfer %d the payment is %s, want %s", i+1, after.Status, want)
			}
		}
		if after := s.reload(t, o.ID); after.Captured != o.Total || after.Status != model.OrderPaid {
			t.Errorf("two transfers adding up to %d: captured %d, %s", o.Total, after.Captured, after.Status)
		}
	})
}

// Webhooks racing with each other on one payment keep its sums equal to
// its ledger: every read in the transaction comes after the order's lock.
func TestConcurrentWebhooksKeepTheSums(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		for round := 0; round < 4; round++ {
			o := s.order(t, 1)
			p := s.payByCard(t, o, fmt.Sprint("k", round))
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ev := &payment.Event{ID: fmt.Sprintf("evt_re_%d_%d", round, i), Type: "refund.updated", PaymentID: p.ID, PaymentRef: p.ProviderRef,
						Kind: model.TxRefund, Status: model.TxSuccess, Amount: 100, Currency: p.Currency, Ref: fmt.Sprintf("re_%d_%d", round, i)}
					if err := s.pay.ApplyEvent(ctx, "card", ev); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			after, _ := s.st.FindPayment(ctx, p.ID)
			if ord := s.reload(t, o.ID); after.Refunded != 400 || ord.Refunded != 400 {
				t.Errorf("round %d: four refunds of 100 left the payment at %d and the order at %d", round, after.Refunded, ord.Refunded)
			}
		}
	})
}

// A refund reported before the capture it gives back is not acknowledged
// (the provider delivers it again), and counts once the capture is in.
func TestRefundEventBeforeItsCapture(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	refund := &payment.Event{ID: "evt_refund", Type: "refund.created", PaymentRef: p.ProviderRef,
		Kind: model.TxRefund, Status: model.TxSuccess, Amount: 1000, Currency: p.Currency, Ref: "re_dash"}
	capture := &payment.Event{ID: "evt_paid", Type: "payment_intent.succeeded", PaymentID: p.ID, PaymentRef: p.ProviderRef,
		Kind: model.TxCapture, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency, Ref: "ch_1"}
	if err := s.pay.ApplyEvent(ctx, "card", refund); err == nil {
		t.Fatal("a refund of a capture not yet seen was acknowledged")
	}
	for _, e := range []*payment.Event{capture, refund} {
		if err := s.pay.ApplyEvent(ctx, "card", e); err != nil {
			t.Fatal(err)
		}
	}
	if after := s.reload(t, o.ID); after.Refunded != 1000 || after.FinancialStatus != model.FinancialPartiallyRefunded {
		t.Errorf("after the capture and the redelivered refund: refunded %d, %s", after.Refunded, after.FinancialStatus)
	}
}

// A refund the provider reported done and then failed is undone on the
// ledger, and staff are told the money did not go back.
func TestRefundFailingAfterSuccess(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	p := s.payByCard(t, o, "k")
	r, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: ptr(p.Amount), IdempotencyKey: "r"})
	if err != nil || r.Status != model.TxSuccess {
		t.Fatalf("refund: %+v %v", r, err)
	}
	failed := &payment.Event{ID: "evt_refund_failed", Type: "refund.failed", PaymentID: p.ID, PaymentRef: p.ProviderRef,
		Kind: model.TxRefund, Status: model.TxFailure, Amount: p.Amount, Currency: p.Currency, Ref: *r.ProviderRef, ErrorCode: "expired_or_canceled_card"}
	if err := s.pay.ApplyEvent(ctx, "card", failed); err != nil {
		t.Fatal(err)
	}
	after := s.reload(t, o.ID)
	if after.Refunded != 0 || after.FinancialStatus != model.FinancialPaid {
		t.Errorf("after the refund failed: refunded %d, %s", after.Refunded, after.FinancialStatus)
	}
	evs, _ := s.st.FindOrderEventsByOrderIDs(ctx, []int64{o.ID})
	if last := evs[len(evs)-1]; last.Kind != model.OrderEventNote {
		t.Errorf("no note for staff: %+v", last)
	}
}

// A Stripe refund's webhook that arrives before the refund call returns
// settles the entry the call wrote, named by the key the provider carried
// back, even when another refund of the same amount waits.
func TestRefundWebhookNamesItsEntry(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	s.card.pending.Store(true) // refunds stay pending at the provider
	s.card.noRef.Store(true)   // and the entries do not know the provider's IDs yet
	o := s.order(t, 1)
	p := s.payByCard(t, o, "k")
	r1, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: ptr(int64(500)), IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: ptr(int64(500)), IdempotencyKey: "r2"})
	if err != nil || r1.Status != model.TxPending || r2.Status != model.TxPending {
		t.Fatalf("pending refunds: %+v %+v %v", r1, r2, err)
	}
	done := &payment.Event{ID: "evt_r2", Type: "refund.updated", PaymentID: p.ID, PaymentRef: p.ProviderRef, Kind: model.TxRefund,
		Status: model.TxSuccess, Amount: 500, Currency: p.Currency, Ref: "re_second", MovementKey: fmt.Sprintf("langran-tx-%d", r2.ID)}
	if err := s.pay.ApplyEvent(ctx, "card", done); err != nil {
		t.Fatal(err)
	}
	all, _ := s.st.FindPaymentTransactionsByIDs(ctx, []int64{r1.ID, r2.ID})
	for _, e := range all {
		want := map[int64]model.TransactionStatus{r1.ID: model.TxPending, r2.ID: model.TxSuccess}[e.ID]
		if e.Status != want {
			t.Errorf("refund %d is %s, want %s", e.ID, e.Status, want)
		}
	}
}

// panicking is a notification source with a bug.
type panicking struct{}

func (panicking) WebhookName() string { return "buggy" }
func (panicking) ParseWebhook(http.Header, []byte, time.Time) (*payment.Event, error) {
	panic("nil map")
}

// The webhook endpoint answers a panic with 500 (the provider delivers
// again) and shows nothing of it, a body over the limit with 413, an
// unknown provider with 404 and anything but POST with 405; a bad
// signature is 400.
func TestWebhookEndpointAnswers(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{Webhooks: []payment.WebhookParser{panicking{}}})
	srv := httptest.NewServer(s.pay.WebhookHandler())
	defer srv.Close()
	cases := []struct {
		method, path string
		body         string
		header       string
		want         int
	}{
		{"POST", "/webhooks/buggy", "{}", "", http.StatusInternalServerError},
		{"POST", "/webhooks/card", strings.Repeat("x", payment.MaxWebhookBody+1), "ok", http.StatusRequestEntityTooLarge},
		{"POST", "/webhooks/nobody", "{}", "", http.StatusNotFound},
		{"GET", "/webhooks/card", "", "ok", http.StatusMethodNotAllowed},
		{"POST", "/webhooks/card", "{}", "forged", http.StatusBadRequest},
		{"POST", "/webhooks/card", "{}", "ok", http.StatusOK},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Sig", c.header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.want || strings.Contains(string(body), "nil map") {
			t.Errorf("%s %s: %d %q, want %d", c.method, c.path, res.StatusCode, body, c.want)
		}
	}
}

// Paid twice (two transfers for one order), the order keeps both on the
// ledger and its history tells staff how much to give back.
func TestOverpaymentIsFlagged(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	var ps []*model.Payment
	for _, m := range []model.PaymentMethod{model.MethodBankTransfer, model.MethodStripeCard} {
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: m, IdempotencyKey: string(m)})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.pay.MarkReceived(ctx, ps[0].ID, "BANK-1", "m"); err != nil {
		t.Fatal(err)
	}
	paid := &payment.Event{ID: "evt_second", Type: "payment_intent.succeeded", PaymentID: ps[1].ID, PaymentRef: ps[1].ProviderRef,
		Kind: model.TxCapture, Status: model.TxSuccess, Amount: ps[1].Amount, Currency: ps[1].Currency, Ref: "ch_2"}
	if err := s.pay.ApplyEvent(ctx, "card", paid); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.Captured != 2*o.Total || got.Status != model.OrderPaid {
		t.Fatalf("paid twice: captured %d of %d, %s", got.Captured, o.Total, got.Status)
	}
	evs, _ := s.st.FindOrderEventsByOrderIDs(ctx, []int64{o.ID})
	last := evs[len(evs)-1]
	if last.Kind != model.OrderEventNote || !strings.Contains(last.Message, "refund the difference") ||
		!strings.Contains(last.Message, model.FormatMinor(o.Total, 2)) {
		t.Errorf("the order's last event: %+v", last)
	}
}
