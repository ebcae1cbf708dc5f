package payment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

var ctx = context.Background()

// fakeCard is a card provider as Stripe behaves, in memory: idempotent in
// its keys, counting the calls that reached it, and failing on demand.
type fakeCard struct {
	mu       sync.Mutex
	starts   map[string]string // idempotency key -> attempt ID
	refunds  map[string]string
	calls    atomic.Int64
	failNext atomic.Int64 // calls to fail with a network error
	decline  atomic.Bool
	pending  atomic.Bool // refunds answer PENDING
	noRef    atomic.Bool // pending refunds answer without their ID, as if the webhook came first
}

func newFakeCard() *fakeCard {
	return &fakeCard{starts: map[string]string{}, refunds: map[string]string{}}
}

func (f *fakeCard) Method() model.PaymentMethod { return model.MethodStripeCard }

func (f *fakeCard) fail() error {
	f.calls.Add(1)
	if f.failNext.Load() > 0 {
		f.failNext.Add(-1)
		return errors.New("connection reset by peer")
	}
	if f.decline.Load() {
		return &payment.Declined{Code: "card_declined", Message: "Your card was declined."}
	}
	return nil
}

func (f *fakeCard) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.starts[r.IdempotencyKey]
	if !ok {
		id = fmt.Sprintf("pi_%d", len(f.starts)+1)
		f.starts[r.IdempotencyKey] = id
	}
	return &payment.Started{Ref: id, ClientSecret: id + "_secret", Status: model.PaymentPending}, nil
}

func (f *fakeCard) Capture(_ context.Context, p *model.Payment, amount int64, key string) (*payment.Outcome, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return &payment.Outcome{Ref: "ch_" + p.ProviderRef, Status: model.TxSuccess}, nil
}

func (f *fakeCard) Void(_ context.Context, p *model.Payment, key string) (*payment.Outcome, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return &payment.Outcome{Status: model.TxSuccess}, nil
}

func (f *fakeCard) Refund(_ context.Context, p *model.Payment, amount int64, key string) (*payment.Outcome, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.refunds[key]
	if !ok {
		id = fmt.Sprintf("re_%d", len(f.refunds)+1)
		f.refunds[key] = id
	}
	st := model.TxSuccess
	if f.pending.Load() {
		st = model.TxPending
		if f.noRef.Load() {
			id = ""
		}
	}
	return &payment.Outcome{Ref: id, Status: st}, nil
}

func (f *fakeCard) WebhookName() string { return "card" }

// ParseWebhook trusts the test: the signature is the header "ok".
func (f *fakeCard) ParseWebhook(h http.Header, body []byte, now time.Time) (*payment.Event, error) {
	if h.Get("Sig") != "ok" {
		return nil, payment.ErrBadSignature
	}
	return nil, nil
}

// fakeTransfer is a method staff confirm, as bank transfer works.
type fakeTransfer struct{}

func (fakeTransfer) Method() model.PaymentMethod { return model.MethodBankTransfer }
func (fakeTransfer) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	return &payment.Started{Status: model.PaymentPending, Reference: fmt.Sprintf("LR%s-%d", r.OrderNumber, r.PaymentID),
		Instructions: "Transfer to the shop"}, nil
}
func (fakeTransfer) Capture(context.Context, *model.Payment, int64, string) (*payment.Outcome, error) {
	return nil, &model.Error{Code: model.CodeConflict, Message: "confirmed by staff"}
}
func (fakeTransfer) Void(context.Context, *model.Payment, string) (*payment.Outcome, error) {
	return &payment.Outcome{Status: model.TxSuccess}, nil
}
func (fakeTransfer) Refund(context.Context, *model.Payment, int64, string) (*payment.Outcome, error) {
	return &payment.Outcome{Status: model.TxSuccess}, nil
}

// shop is a seeded store with checkout and payments over it.
type shop struct {
	st   *store.Store
	co   *checkout.Service
	pay  *payment.Service
	card *fakeCard
	paid atomic.Int64 // OnPaid calls
}

func newShop(t *testing.T, b storetest.Backend, opts payment.Options) *shop {
	t.Helper()
	st := storetest.Open(t, b, store.Options{MaxOpenConns: 32})
	if err := st.Seed(ctx, store.SeedOptions{Products: 10}); err != nil {
		t.Fatal(err)
	}
	s := &shop{st: st, co: checkout.New(st, checkout.Options{}), card: newFakeCard()}
	opts.OnPaid = func(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment) error {
		s.paid.Add(1)
		return nil
	}
	s.pay = payment.NewService(st, opts, s.card, fakeTransfer{})
	return s
}

// order checks out a cart of qty units of the first variant in stock.
func (s *shop) order(t *testing.T, qty int) *model.Order {
	t.Helper()
	var variant int64
	if err := s.st.DB(ctx).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? AND v.inventory_quantity - v.inventory_committed >= ? ORDER BY v.id LIMIT 1`,
		model.ProductActive, qty).Scan(&variant).Error; err != nil || variant == 0 {
		t.Fatalf("no variant: %v", err)
	}
	email := "fon@example.com"
	addr := model.MailingAddress{FirstName: "Fon", Address1: "5 Sathorn Rd", City: "Bangkok", Zip: "10120", Country: "TH"}
	c, err := s.co.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: variant, Quantity: qty}},
		Buyer: &checkout.BuyerInput{Email: &email, DeliveryAddress: &addr}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.co.Complete(ctx, c.CartKey, fmt.Sprintf("checkout-%d", c.ID))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (s *shop) reload(t *testing.T, id int64) *model.Order {
	t.Helper()
	os, err := s.st.FindOrdersByIDs(ctx, []int64{id})
	if err != nil || len(os) != 1 {
		t.Fatalf("order %d: %v", id, err)
	}
	return &os[0]
}

func (s *shop) ledger(t *testing.T, orderID int64) []model.PaymentTransaction {
	t.Helper()
	ps, err := s.st.FindPaymentsByOrderIDs(ctx, []int64{orderID})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	ts, err := s.st.FindPaymentTransactionsByPaymentIDs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func committed(t *testing.T, st *store.Store, orderID int64) int {
	t.Helper()
	var n int
	if err := st.DB(ctx).Raw(`SELECT COALESCE(SUM(v.inventory_committed), 0) FROM product_variants v
		WHERE v.id IN (SELECT variant_id FROM order_lines WHERE order_id = ?)`, orderID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func code(err error) model.ErrorCode { return model.ErrorCodeOf(err) }

// A transfer confirmed by staff pays the order once: the order becomes
// PAID in the same transaction, the receipt hook runs once, the same key
// again changes nothing, and another confirmation is refused.
func TestMarkReceivedPaysTheOrderOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		o := s.order(t, 2)
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Amount != o.Total || p.Status != model.PaymentPending || p.Reference == "" {
			t.Fatalf("payment %+v for an order of %d", p, o.Total)
		}
		for i := 0; i < 2; i++ {
			p, err = s.pay.MarkReceived(ctx, p.ID, "SCB-778812", "confirm-1")
			if err != nil {
				t.Fatal(err)
			}
		}
		if p.Status != model.PaymentCaptured || p.Captured != o.Total {
			t.Fatalf("payment after confirmation: %+v", p)
		}
		after := s.reload(t, o.ID)
		if after.Status != model.OrderPaid || after.FinancialStatus != model.FinancialPaid || after.Captured != o.Total || after.PaidAt == nil {
			t.Fatalf("order after payment: status %s financial %s captured %d", after.Status, after.FinancialStatus, after.Captured)
		}
		if n := len(s.ledger(t, o.ID)); n != 1 {
			t.Errorf("%d ledger entries, want 1", n)
		}
		if n := s.paid.Load(); n != 1 {
			t.Errorf("OnPaid ran %d times, want 1", n)
		}
		if _, err := s.pay.MarkReceived(ctx, p.ID, "SCB-1", "confirm-2"); code(err) != model.CodeConflict {
			t.Errorf("a second confirmation: %v, want CONFLICT", err)
		}
		if _, err := s.pay.MarkReceived(ctx, p.ID, "SCB-other", "confirm-1"); code(err) != model.CodeIdempotencyKeyReused {
			t.Errorf("the key with another reference: %v, want IDEMPOTENCY_KEY_REUSED", err)
		}
		if _, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k2"}); code(err) != model.CodeNothingToPay {
			t.Errorf("paying a paid order: %v, want NOTHING_TO_PAY", err)
		}
	})
}

// Bad requests change nothing.
func TestPaymentBadInput(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	cases := []struct {
		name string
		in   payment.CreateInput
		want model.ErrorCode
	}{
		{"no key", payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer}, model.CodeBlank},
		{"unknown order", payment.CreateInput{OrderID: 99999, Method: model.MethodBankTransfer, IdempotencyKey: "a"}, model.CodeNotFound},
		{"method not taken", payment.CreateInput{OrderID: o.ID, Method: model.MethodPromptPay, IdempotencyKey: "a"}, model.CodeMethodUnavailable},
	}
	for _, c := range cases {
		if _, err := s.pay.Create(ctx, c.in); code(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if _, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "same"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "same"}); code(err) != model.CodeIdempotencyKeyReused {
		t.Errorf("the key with another method: %v", err)
	}
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: ptr(int64(100)), IdempotencyKey: "r"}); code(err) != model.CodeRefundExceeds {
		t.Errorf("refunding an unpaid order: %v, want REFUND_EXCEEDS_CAPTURED", err)
	}
	ps, _ := s.st.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
	if len(ps) != 1 || len(s.ledger(t, o.ID)) != 0 {
		t.Errorf("%d payments and %d ledger entries after bad input, want 1 and 0", len(ps), len(s.ledger(t, o.ID)))
	}
}

func ptr[T any](v T) *T { return &v }

// The same paymentCreate sent by many goroutines at once makes one
// payment and asks the provider to start it under one key.
func TestConcurrentPaymentCreateWithOneKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		o := s.order(t, 1)
		const n = 24
		var wg sync.WaitGroup
		ids := make([]int64, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "pay-once"})
				errs[i] = err
				if p != nil {
					ids[i] = p.ID
				}
			}(i)
		}
		wg.Wait()
		for i := range errs {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("call %d got payment %d, call 0 got %d", i, ids[i], ids[0])
			}
		}
		ps, _ := s.st.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
		if len(ps) != 1 || ps[0].ProviderRef == "" || ps[0].ClientSecret == "" {
			t.Fatalf("payments: %+v", ps)
		}
		if len(s.card.starts) != 1 {
			t.Errorf("the provider saw %d idempotency keys, want 1", len(s.card.starts))
		}
	})
}

// A provider that cannot be reached leaves the payment to be finished by
// the same request again; a declined card fails the payment.
func TestProviderFailuresAreRetriedWithTheSameKey(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	s.card.failNext.Store(1)
	in := payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"}
	if _, err := s.pay.Create(ctx, in); code(err) != model.CodeProviderError {
		t.Fatalf("provider down: %v, want PAYMENT_PROVIDER_ERROR", err)
	}
	p, err := s.pay.Create(ctx, in)
	if err != nil || p.ClientSecret == "" {
		t.Fatalf("retry: %+v %v", p, err)
	}
	ps, _ := s.st.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
	if len(ps) != 1 {
		t.Errorf("%d payments after a retry, want 1", len(ps))
	}

	o2 := s.order(t, 1)
	s.card.decline.Store(true)
	p, err = s.pay.Create(ctx, payment.CreateInput{OrderID: o2.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if code(err) != model.CodePaymentDeclined || p == nil || p.Status != model.PaymentFailed || p.ErrorCode != "card_declined" {
		t.Fatalf("declined: %+v %v", p, err)
	}
}

// payByCard pays the order by card as a webhook would report it.
func (s *shop) payByCard(t *testing.T, o *model.Order, key string) *model.Payment {
	t.Helper()
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ev := &payment.Event{ID: "evt_paid_" + key + p.ProviderRef, Type: "payment_intent.succeeded", PaymentID: p.ID, PaymentRef: p.ProviderRef,
		Kind: model.TxCapture, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency, Ref: "ch_" + p.ProviderRef}
	if err := s.pay.ApplyEvent(ctx, "card", ev); err != nil {
		t.Fatal(err)
	}
	return p
}

// The same webhook delivered many times, at once and later, writes one
// ledger entry; events out of order never move a payment backwards.
func TestWebhookDeliveredManyTimesAppliesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		o := s.order(t, 1)
		p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		ev := &payment.Event{ID: "evt_1", Type: "payment_intent.succeeded", PaymentID: p.ID, PaymentRef: p.ProviderRef,
			Kind: model.TxCapture, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency, Ref: "ch_1"}
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := *ev
				errs <- s.pay.ApplyEvent(ctx, "card", &e)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// The same movement under another event ID (Stripe sends
		// charge and intent events for one capture) is one entry too.
		again := *ev
		again.ID = "evt_2"
		if err := s.pay.ApplyEvent(ctx, "card", &again); err != nil {
			t.Fatal(err)
		}
		// A late authorization and a late cancellation change nothing.
		late := &payment.Event{ID: "evt_0", Type: "payment_intent.amount_capturable_updated", PaymentID: p.ID, PaymentRef: p.ProviderRef,
			Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency}
		cancel := &payment.Event{ID: "evt_3", Type: "payment_intent.canceled", PaymentID: p.ID, PaymentRef: p.ProviderRef,
			Kind: model.TxVoid, Status: model.TxSuccess, Currency: p.Currency}
		for _, e := range []*payment.Event{late, cancel} {
			if err := s.pay.ApplyEvent(ctx, "card", e); err != nil {
				t.Fatal(err)
			}
		}
		ledger := s.ledger(t, o.ID)
		if len(ledger) != 1 || ledger[0].Kind != model.TxCapture {
			t.Fatalf("ledger: %+v, want one capture", ledger)
		}
		after := s.reload(t, o.ID)
		if after.Status != model.OrderPaid || after.Captured != o.Total {
			t.Errorf("order: %s captured %d", after.Status, after.Captured)
		}
		if n := s.paid.Load(); n != 1 {
			t.Errorf("OnPaid ran %d times", n)
		}
	})
}

// Many refunds racing on one order never give back more than was
// captured; the same refund key sent at once makes one refund.
func TestRacingRefundsNeverExceedTheCapture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, payment.Options{})
		o := s.order(t, 1)
		p := s.payByCard(t, o, "k")
		part := p.Amount / 4
		const n = 12
		var wg sync.WaitGroup
		var ok, exceeded atomic.Int64
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: &part, Reason: "goodwill",
					IdempotencyKey: fmt.Sprintf("refund-%d", i)})
				switch code(err) {
				case "":
					ok.Add(1)
				case model.CodeRefundExceeds:
					exceeded.Add(1)
				default:
					t.Errorf("refund %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		if ok.Load() != 4 || exceeded.Load() != n-4 {
			t.Fatalf("%d refunds went through and %d were refused, want 4 and %d", ok.Load(), exceeded.Load(), n-4)
		}
		after := s.reload(t, o.ID)
		if after.Refunded != 4*part || after.Refunded > after.Captured {
			t.Errorf("refunded %d of %d captured", after.Refunded, after.Captured)
		}

		// One key, many goroutines: one refund.
		o2 := s.order(t, 1)
		p2 := s.payByCard(t, o2, "k2")
		var ids sync.Map
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o2.ID, Amount: ptr(p2.Amount / 2), IdempotencyKey: "once"})
				if err != nil {
					t.Errorf("refund: %v", err)
					return
				}
				ids.Store(r.ID, true)
			}()
		}
		wg.Wait()
		count := 0
		ids.Range(func(any, any) bool { count++; return true })
		refunds := 0
		for _, e := range s.ledger(t, o2.ID) {
			if e.Kind == model.TxRefund {
				refunds++
			}
		}
		if count != 1 || refunds != 1 {
			t.Errorf("%d refund IDs returned and %d in the ledger, want 1 and 1", count, refunds)
		}
		if got := s.reload(t, o2.ID); got.Refunded != p2.Amount/2 || got.FinancialStatus != model.FinancialPartiallyRefunded {
			t.Errorf("order 2: refunded %d, %s", got.Refunded, got.FinancialStatus)
		}
	})
}

// A full refund of a paid order that never shipped gives its stock back
// and moves it to REFUNDED; a refund of lines with restock puts those
// units back on the shelf after it shipped.
func TestRefundsMoveTheOrderAndTheStock(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 3)
	s.payByCard(t, o, "k")
	before := committed(t, s.st, o.ID)
	lines, _ := s.st.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
	r, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Lines: []model.RefundLine{{LineID: lines[0].ID, Quantity: 1}},
		Restock: true, Reason: "one was broken", IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := lines[0].Total / 3; r.Amount != want || r.Status != model.TxSuccess {
		t.Fatalf("refund of one of three: %d %s, want %d SUCCESS", r.Amount, r.Status, want)
	}
	if got := committed(t, s.st, o.ID); got != before-1 {
		t.Errorf("committed %d after restocking one unit of an unshipped order, want %d", got, before-1)
	}
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Lines: []model.RefundLine{{LineID: lines[0].ID, Quantity: 3}},
		IdempotencyKey: "r2"}); code(err) != model.CodeInvalid {
		t.Errorf("refunding more units than are left: %v", err)
	}
	rest := o.Total - r.Amount
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: &rest, IdempotencyKey: "r3"}); err != nil {
		t.Fatal(err)
	}
	after := s.reload(t, o.ID)
	if after.Status != model.OrderRefunded || after.FinancialStatus != model.FinancialRefunded {
		t.Errorf("after refunding all: %s %s", after.Status, after.FinancialStatus)
	}
	if got := committed(t, s.st, o.ID); got != before-3 {
		t.Errorf("committed %d after a full refund, want %d", got, before-3)
	}

	// Shipped, then returned.
	o2 := s.order(t, 2)
	s.payByCard(t, o2, "k2")
	if _, err := s.co.Fulfil(ctx, o2.ID, "Kerry", "KER123"); err != nil {
		t.Fatal(err)
	}
	lines2, _ := s.st.FindOrderLinesByOrderIDs(ctx, []int64{o2.ID})
	var onHand int
	readOnHand := func() int {
		var n int
		s.st.DB(ctx).Raw(`SELECT inventory_quantity FROM product_variants WHERE id = ?`, lines2[0].VariantID).Scan(&n)
		return n
	}
	onHand = readOnHand()
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o2.ID, Lines: []model.RefundLine{{LineID: lines2[0].ID, Quantity: 2}},
		Restock: true, IdempotencyKey: "r4"}); err != nil {
		t.Fatal(err)
	}
	if got := readOnHand(); got != onHand+2 {
		t.Errorf("on hand %d after a return of 2, want %d", got, onHand+2)
	}
	if bad, err := s.st.CheckInventoryLedger(ctx); err != nil || len(bad) > 0 {
		t.Errorf("the inventory ledger does not add up: %v %v", bad, err)
	}
}

// A card held for manual capture is captured (or voided) by staff, once.
func TestManualCaptureAndVoid(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{ManualCapture: true})
	o := s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if err != nil || !p.ManualCapture {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := s.pay.Capture(ctx, p.ID, nil, "c0"); code(err) != model.CodePaymentNotCapturable {
		t.Errorf("capturing before the card was authorized: %v", err)
	}
	auth := &payment.Event{ID: "evt_auth", Type: "payment_intent.amount_capturable_updated", PaymentID: p.ID, PaymentRef: p.ProviderRef,
		Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency}
	if err := s.pay.ApplyEvent(ctx, "card", auth); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.FinancialStatus != model.FinancialAuthorized || got.Authorized != p.Amount {
		t.Fatalf("after authorization: %s %d", got.FinancialStatus, got.Authorized)
	}
	s.card.failNext.Store(1)
	if _, err := s.pay.Capture(ctx, p.ID, nil, "c1"); code(err) != model.CodeProviderError {
		t.Fatalf("capture with the provider down: %v", err)
	}
	calls := s.card.calls.Load()
	for i := 0; i < 2; i++ {
		if p, err = s.pay.Capture(ctx, p.ID, nil, "c1"); err != nil {
			t.Fatal(err)
		}
	}
	if s.card.calls.Load() != calls+1 {
		t.Errorf("the retried capture reached the provider %d times, want 1", s.card.calls.Load()-calls)
	}
	if got := s.reload(t, o.ID); p.Status != model.PaymentCaptured || got.Status != model.OrderPaid || got.Authorized != 0 {
		t.Errorf("after capture: payment %s, order %s authorized %d", p.Status, got.Status, got.Authorized)
	}

	o2 := s.order(t, 1)
	p2, _ := s.pay.Create(ctx, payment.CreateInput{OrderID: o2.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if p2, err = s.pay.Void(ctx, p2.ID, "v"); err != nil || p2.Status != model.PaymentVoided {
		t.Fatalf("void: %+v %v", p2, err)
	}
	if got := s.reload(t, o2.ID); got.FinancialStatus != model.FinancialVoided {
		t.Errorf("after void: %s", got.FinancialStatus)
	}
}

// Money that arrives after the order expired stays on the ledger and is
// flagged for a refund; the order stays cancelled.
func TestPaymentAfterExpiry(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.co.Cancel(ctx, o.ID, "expired"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pay.MarkReceived(ctx, p.ID, "BBL-1", "m"); err != nil {
		t.Fatal(err)
	}
	after := s.reload(t, o.ID)
	if after.Status != model.OrderCancelled || after.Captured != o.Total || after.FinancialStatus != model.FinancialPaid {
		t.Errorf("order: %s captured %d %s", after.Status, after.Captured, after.FinancialStatus)
	}
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: &after.Captured, IdempotencyKey: "r"}); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.FinancialStatus != model.FinancialRefunded || got.Status != model.OrderCancelled {
		t.Errorf("after refunding it: %s %s", got.Status, got.FinancialStatus)
	}
}

// An unpaid order expires, but not while a card holds its money: staff
// capture or void that first.
func TestHeldOrdersDoNotExpire(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{ManualCapture: true})
	held, unpaid := s.order(t, 1), s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: held.ID, Method: model.MethodStripeCard, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	auth := &payment.Event{ID: "evt_auth", Type: "payment_intent.amount_capturable_updated", PaymentID: p.ID, PaymentRef: p.ProviderRef,
		Kind: model.TxAuthorization, Status: model.TxSuccess, Amount: p.Amount, Currency: p.Currency}
	if err := s.pay.ApplyEvent(ctx, "card", auth); err != nil {
		t.Fatal(err)
	}
	later := checkout.New(s.st, checkout.Options{Now: func() time.Time { return time.Now().Add(48 * time.Hour) }})
	n, err := later.ExpireUnpaid(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expired %d orders (%v), want 1", n, err)
	}
	if got := s.reload(t, unpaid.ID); got.Status != model.OrderCancelled || got.FinancialStatus != model.FinancialVoided {
		t.Errorf("the unpaid order: %s %s", got.Status, got.FinancialStatus)
	}
	if got := s.reload(t, held.ID); got.Status != model.OrderPendingPayment || got.FinancialStatus != model.FinancialAuthorized {
		t.Errorf("the held order: %s %s", got.Status, got.FinancialStatus)
	}
}

// A transfer called off and then paid anyway is recorded, not lost; an
// order whose only attempt was called off is VOIDED only until another
// attempt starts, and still expires.
func TestVoidedTransfers(t *testing.T) {
	s := newShop(t, storetest.SQLite, payment.Options{})
	o := s.order(t, 1)
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pay.Void(ctx, p.ID, "v"); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.FinancialStatus != model.FinancialVoided {
		t.Errorf("after its only attempt was voided: %s", got.FinancialStatus)
	}
	p2, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.FinancialStatus != model.FinancialPending {
		t.Errorf("after another attempt started: %s", got.FinancialStatus)
	}
	// The buyer paid the voided attempt anyway.
	if _, err := s.pay.MarkReceived(ctx, p.ID, "SCB-late", "late"); err != nil {
		t.Fatalf("recording money for a voided transfer: %v", err)
	}
	got := s.reload(t, o.ID)
	if got.Status != model.OrderPaid || got.Captured != o.Total {
		t.Errorf("after the late transfer: %s captured %d", got.Status, got.Captured)
	}
	if _, err := s.pay.MarkReceived(ctx, p2.ID, "SCB-2", "second"); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o.ID); got.Captured != 2*o.Total || got.Status != model.OrderPaid {
		t.Errorf("paid twice: captured %d of %d, %s", got.Captured, o.Total, got.Status)
	}

	// Voided and abandoned: it expires.
	o2 := s.order(t, 1)
	p3, _ := s.pay.Create(ctx, payment.CreateInput{OrderID: o2.ID, Method: model.MethodBankTransfer, IdempotencyKey: "c"})
	if _, err := s.pay.Void(ctx, p3.ID, "v"); err != nil {
		t.Fatal(err)
	}
	later := checkout.New(s.st, checkout.Options{Now: func() time.Time { return time.Now().Add(48 * time.Hour) }})
	if _, err := later.ExpireUnpaid(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.reload(t, o2.ID); got.Status != model.OrderCancelled {
		t.Errorf("a voided, abandoned order: %s", got.Status)
	}
}
