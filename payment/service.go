package payment

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// DefaultProviderTimeout bounds each call to a provider.
const DefaultProviderTimeout = 20 * time.Second

// PaidFunc is called in the transaction that makes an order paid, with the
// order as it was before the move; an error rolls the payment back. The
// receipts workflow hooks in here.
type PaidFunc func(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment) error

// RefundedFunc is called in the transaction that records a successful
// refund t of order o; an error rolls it back. Credit notes hook in here.
type RefundedFunc func(ctx context.Context, tx *store.Store, o *model.Order, t *model.PaymentTransaction) error

// Options configure a Service.
type Options struct {
	// ManualCapture holds card payments for staff to capture later
	// instead of taking the money at once.
	ManualCapture   bool
	ProviderTimeout time.Duration
	// Webhooks are notification sources that are not providers (a bank's
	// transfer notices); providers that send webhooks are added as well.
	Webhooks []WebhookParser
	Now      func() time.Time
	Logger   *slog.Logger
	OnPaid   PaidFunc
	// OnRefunded is called for each successful refund, in its transaction.
	OnRefunded RefundedFunc
}

// Service takes payments for orders and keeps their ledger.
type Service struct {
	st        *store.Store
	providers map[model.PaymentMethod]Provider
	webhooks  map[string]WebhookParser
	opts      Options
}

// NewService returns a service taking payments by the given providers'
// methods; methods without a provider are refused.
func NewService(st *store.Store, opts Options, providers ...Provider) *Service {
	if opts.ProviderTimeout <= 0 {
		opts.ProviderTimeout = DefaultProviderTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{st: st, providers: map[model.PaymentMethod]Provider{}, webhooks: map[string]WebhookParser{}, opts: opts}
	for _, w := range opts.Webhooks {
		s.webhooks[w.WebhookName()] = w
	}
	for _, p := range providers {
		s.providers[p.Method()] = p
		if w, ok := p.(WebhookParser); ok {
			s.webhooks[w.WebhookName()] = w
		}
	}
	return s
}

// Methods returns the methods the shop takes, in a stable order.
func (s *Service) Methods() []model.PaymentMethod {
	out := make([]model.PaymentMethod, 0, len(s.providers))
	for m := range s.providers {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Webhook returns the provider whose webhooks arrive at /webhooks/<name>.
func (s *Service) Webhook(name string) (WebhookParser, bool) {
	w, ok := s.webhooks[name]
	return w, ok
}

// WebhookNames returns the names of the webhook endpoints to serve.
func (s *Service) WebhookNames() []string {
	out := make([]string, 0, len(s.webhooks))
	for n := range s.webhooks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// actorOf names the caller for the ledger and the order's history.
func actorOf(ctx context.Context) string {
	v := model.ViewerFrom(ctx)
	if v == nil || v.Kind == model.ViewerAnonymous {
		return "guest"
	}
	return model.ActorOf(v)
}

func notFound(field ...string) error {
	return &model.Error{Code: model.CodeNotFound, Field: field, Message: "no such " + field[len(field)-1]}
}

// providerFailed is what a caller sees when a provider could not be
// reached or failed: the details are logged, and the same request with
// the same idempotency key may be sent again.
func (s *Service) providerFailed(ctx context.Context, what string, id int64, err error) error {
	s.opts.Logger.ErrorContext(ctx, "payment provider failed", "call", what, "id", id, "err", err)
	return &model.Error{Code: model.CodeProviderError, Cause: err,
		Message: "the payment provider could not be reached; send the same request with the same idempotencyKey again"}
}

// CreateInput asks to start paying an order.
type CreateInput struct {
	OrderID        int64
	Method         model.PaymentMethod
	IdempotencyKey string
}

// Create starts paying the order's outstanding amount by the method and
// returns the payment with what the client needs next. The caller has
// checked that the viewer may pay the order. The same key for the same
// order returns the same payment (finishing its start if the provider did
// not answer before); with another method it is IDEMPOTENCY_KEY_REUSED. A
// declined start returns the failed payment and PAYMENT_DECLINED.
func (s *Service) Create(ctx context.Context, in CreateInput) (*model.Payment, error) {
	if e := model.CheckIdempotencyKey([]string{"input", "idempotencyKey"}, in.IdempotencyKey); e != nil {
		return nil, e
	}
	prov, ok := s.providers[in.Method]
	if !ok {
		return nil, &model.Error{Code: model.CodeMethodUnavailable, Field: []string{"input", "method"},
			Message: fmt.Sprintf("this shop does not take %s", in.Method)}
	}
	keyHash := model.IdempotencyKeyHash(fmt.Sprintf("order:%d", in.OrderID), in.IdempotencyKey)
	reqHash := model.RequestHash(struct{ Method model.PaymentMethod }{in.Method})
	var p *model.Payment
	var o *model.Order
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		var err error
		o, err = tx.LockOrder(ctx, in.OrderID)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return notFound("input", "orderId")
		}
		if err != nil {
			return err
		}
		nothing := &model.Error{Code: model.CodeNothingToPay, Field: []string{"input", "orderId"},
			Message: fmt.Sprintf("the order is %s with nothing to pay", o.Status)}
		p, err = tx.FindPaymentByIdempotencyKey(ctx, keyHash)
		if err == nil {
			if p.RequestHash != reqHash {
				return &model.Error{Code: model.CodeIdempotencyKeyReused, Field: []string{"input", "idempotencyKey"},
					Message: "this idempotencyKey started a payment by another method; make a new key"}
			}
			if !started(p) && o.Status != model.OrderPendingPayment {
				return nothing // paid or called off since: do not start it now
			}
			return nil
		}
		if model.ErrorCodeOf(err) != model.CodeNotFound {
			return err
		}
		// What is owed: the total less what was taken and what cards
		// hold, so a second attempt cannot charge the order twice.
		owed := o.Total - o.Captured - o.Authorized
		if o.Status != model.OrderPendingPayment || owed <= 0 {
			return nothing
		}
		// An attempt by the same method for the same amount still
		// waiting (a second tab, a retry with a new key) is the answer:
		// one QR code, one PaymentIntent.
		open, err := tx.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
		if err != nil {
			return err
		}
		for i := range open {
			if q := &open[i]; q.Method == in.Method && q.Status == model.PaymentPending && q.Amount == owed && q.Captured == 0 {
				p = q
				return nil
			}
		}
		now := s.now()
		p = &model.Payment{OrderID: o.ID, Method: in.Method, Status: model.PaymentPending, Amount: owed,
			Currency: o.Currency, IdempotencyKey: keyHash, RequestHash: reqHash,
			ManualCapture: s.opts.ManualCapture && in.Method == model.MethodStripeCard, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreatePayment(ctx, p); err != nil {
			return err
		}
		if o.FinancialStatus == model.FinancialVoided {
			// A new attempt after one was called off: waiting again.
			m := o.Money()
			m.Voided = false
			return tx.SetOrderMoney(ctx, o.ID, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.Status == model.PaymentFailed {
		return p, &model.Error{Code: model.CodePaymentDeclined, Message: "this payment failed: " + p.ErrorCode + "; start another with a new key"}
	}
	if p.Status != model.PaymentPending || started(p) {
		return p, nil // started before: the same answer again
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.ProviderTimeout)
	started, err := prov.Start(pctx, StartRequest{PaymentID: p.ID, OrderID: o.ID, OrderNumber: o.Number(),
		Amount: p.Amount, Currency: p.Currency, Email: o.Email, ManualCapture: p.ManualCapture,
		IdempotencyKey: fmt.Sprintf("langran-payment-%d", p.ID)})
	cancel()
	if d := IsDeclined(err); d != nil {
		_, err := s.st.UpdatePaymentIf(ctx, p.ID, model.PaymentPending, map[string]any{
			"status": model.PaymentFailed, "error_code": clip(d.Code, 64), "error_message": clip(d.Message, 255)})
		if err != nil {
			return nil, err
		}
		p, err = s.st.FindPayment(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		return p, &model.Error{Code: model.CodePaymentDeclined, Message: d.Message}
	}
	if err != nil {
		if e, ok := model.AsError(err); ok {
			// The provider refused the request itself (a currency it
			// cannot take): the attempt is over.
			if _, err := s.st.UpdatePaymentIf(ctx, p.ID, model.PaymentPending, map[string]any{
				"status": model.PaymentFailed, "error_code": string(e.Code), "error_message": clip(e.Message, 255)}); err != nil {
				return nil, err
			}
			return nil, e
		}
		return nil, s.providerFailed(ctx, "start", p.ID, err)
	}
	_, err = s.st.StartPayment(ctx, p.ID, started.Ref, map[string]any{
		"client_secret": started.ClientSecret, "payload": started.Payload, "reference": clip(started.Reference, 64),
		"instructions": started.Instructions})
	if err != nil {
		return nil, err
	}
	return s.st.FindPayment(ctx, p.ID)
}

// started reports whether a provider has answered the payment's start.
func started(p *model.Payment) bool {
	return p.ClientSecret != "" || p.Payload != "" || p.Reference != "" || p.Instructions != ""
}

// clip cuts s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// confirmedByStaff reports whether money by method m is confirmed by
// people (paymentMarkReceived) rather than captured through a provider.
func confirmedByStaff(m model.PaymentMethod) bool {
	return m == model.MethodPromptPay || m == model.MethodBankTransfer || m == model.MethodCashOnDelivery
}

// MarkReceived records that the money of a payment staff confirm by hand
// (PromptPay, bank transfer, cash on delivery) arrived, with the bank's or
// courier's reference. The same key again returns the same result.
func (s *Service) MarkReceived(ctx context.Context, paymentID int64, reference, key string) (*model.Payment, error) {
	if e := model.CheckIdempotencyKey([]string{"input", "idempotencyKey"}, key); e != nil {
		return nil, e
	}
	if e := model.CheckLine([]string{"input", "reference"}, reference, 64, true); e != nil {
		return nil, e
	}
	keyHash := model.IdempotencyKeyHash(fmt.Sprintf("payment:%d", paymentID), key)
	var out *model.Payment
	err := s.inOrderTx(ctx, paymentID, func(tx *store.Store, o *model.Order, p *model.Payment) error {
		if t, err := tx.FindPaymentTransactionByKey(ctx, keyHash); err == nil {
			if t.Kind != model.TxCapture || t.ProviderRef == nil || *t.ProviderRef != reference {
				return reused()
			}
			out = p
			return nil
		} else if model.ErrorCodeOf(err) != model.CodeNotFound {
			return err
		}
		if !confirmedByStaff(p.Method) {
			return &model.Error{Code: model.CodeConflict, Field: []string{"input", "paymentId"},
				Message: "a card payment is captured through its provider, not marked received"}
		}
		// A voided attempt may still be paid (the buyer scanned the code
		// anyway): the money arrived, so it is recorded, and staff refund
		// it if the order needs no more.
		if p.Status != model.PaymentPending && p.Status != model.PaymentVoided {
			return &model.Error{Code: model.CodeConflict, Field: []string{"input", "paymentId"},
				Message: fmt.Sprintf("the payment is %s already", p.Status)}
		}
		ref := reference
		if _, err := tx.FindPaymentTransactionByRef(ctx, p.ID, model.TxCapture, ref); err == nil {
			return &model.Error{Code: model.CodeConflict, Field: []string{"input", "reference"},
				Message: "money with this reference was recorded already"}
		}
		// What is left of the payment (a transfer may have come short).
		t := &model.PaymentTransaction{PaymentID: p.ID, OrderID: o.ID, Kind: model.TxCapture, Status: model.TxSuccess,
			Amount: p.Amount - p.Captured, Currency: p.Currency, ProviderRef: &ref, IdempotencyKey: &keyHash,
			RefundLines: "[]", Actor: actorOf(ctx)}
		if err := tx.AddPaymentTransaction(ctx, t); err != nil {
			return err
		}
		var err error
		out, err = s.apply(ctx, tx, o, p, t)
		return err
	})
	return out, err
}

func reused() error {
	return &model.Error{Code: model.CodeIdempotencyKeyReused, Field: []string{"input", "idempotencyKey"},
		Message: "this idempotencyKey was used for another request; make a new key"}
}

// inOrderTx runs fn in a transaction holding the lock of the payment's
// order, with the payment read under that lock.
func (s *Service) inOrderTx(ctx context.Context, paymentID int64, fn func(tx *store.Store, o *model.Order, p *model.Payment) error) error {
	p0, err := s.st.FindPayment(ctx, paymentID)
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return notFound("input", "paymentId")
	}
	if err != nil {
		return err
	}
	return s.st.RetryTx(ctx, func(tx *store.Store) error {
		o, err := tx.LockOrder(ctx, p0.OrderID)
		if err != nil {
			return err
		}
		p, err := tx.FindPayment(ctx, paymentID)
		if err != nil {
			return err
		}
		return fn(tx, o, p)
	})
}

// apply brings payment p and its order o (both read under the order's
// lock) up to date with ledger entry t, already written: the payment's
// status and sums, the order's sums and financial status, and the order's
// status when it became paid or refunded. It returns the payment after.
func (s *Service) apply(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment, t *model.PaymentTransaction) (*model.Payment, error) {
	set := map[string]any{}
	switch {
	case t.Status == model.TxFailure && (t.Kind == model.TxAuthorization || t.Kind == model.TxCapture):
		// A declined card may be retried with another on the same
		// attempt: the payment keeps waiting, with the reason.
		set["error_code"] = clip(t.ErrorCode, 64)
	case t.Status != model.TxSuccess:
	case t.Kind == model.TxAuthorization:
		if p.Status.Advances(model.PaymentAuthorized) {
			set["status"] = model.PaymentAuthorized
			set["amount"] = t.Amount
		}
	case t.Kind == model.TxCapture:
		set["captured"] = p.Captured + t.Amount
		// A card's capture ends its payment; transfers add up until they
		// reach the payment's amount.
		if p.Status != model.PaymentCaptured && (!confirmedByStaff(p.Method) || p.Captured+t.Amount >= p.Amount) {
			set["status"] = model.PaymentCaptured
		}
	case t.Kind == model.TxVoid:
		if p.Status.Advances(model.PaymentVoided) && p.Captured == 0 {
			set["status"] = model.PaymentVoided
		}
	case t.Kind == model.TxRefund:
		set["refunded"] = p.Refunded + t.Amount
	}
	if len(set) > 0 {
		if err := tx.UpdatePayment(ctx, p.ID, set); err != nil {
			return nil, err
		}
	}
	after, err := tx.FindPayment(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if t.Status == model.TxSuccess && t.Kind == model.TxRefund {
		if err := s.refundLines(ctx, tx, o, t); err != nil {
			return nil, err
		}
		if s.opts.OnRefunded != nil {
			if err := s.opts.OnRefunded(ctx, tx, o, t); err != nil {
				return nil, err
			}
		}
	}
	if err := s.syncOrder(ctx, tx, o, after, t); err != nil {
		return nil, err
	}
	return after, nil
}

// syncOrder recomputes what the order's payments add up to and moves the
// order: paid once the captured money covers its total, refunded once
// everything captured went back.
func (s *Service) syncOrder(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment, t *model.PaymentTransaction) error {
	payments, err := tx.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return err
	}
	m := model.OrderMoney{Total: o.Total}
	voided, waiting := false, false
	for _, q := range payments {
		m.Captured += q.Captured
		m.Refunded += q.Refunded
		switch q.Status {
		case model.PaymentAuthorized:
			m.Authorized += q.Amount
		case model.PaymentVoided:
			voided = true
		case model.PaymentPending:
			waiting = true
		}
	}
	// VOIDED: nothing was taken and nothing more is coming, because the
	// holds were released (and no other attempt waits) or the order was
	// called off.
	m.Voided = m.Captured == 0 && m.Authorized == 0 && (voided && !waiting || o.Status == model.OrderCancelled)
	if err := tx.SetOrderMoney(ctx, o.ID, m); err != nil {
		return err
	}
	now := s.now()
	actor := actorOf(ctx)
	amount := fmt.Sprintf("%s %s", model.Money{Minor: t.Amount, Currency: t.Currency}.Amount(), t.Currency)
	switch {
	case o.Status == model.OrderPendingPayment && m.Captured >= o.Total && t.Kind == model.TxCapture:
		ev := &model.OrderEvent{Kind: model.OrderEventStatus, Actor: actor, CreatedAt: now,
			Message: fmt.Sprintf("paid %s by %s", amount, p.Method)}
		if err := tx.MoveOrder(ctx, o.ID, o.Status, model.OrderPaid, map[string]any{"paid_at": now}, ev); err != nil {
			return err
		}
		if s.opts.OnPaid != nil {
			return s.opts.OnPaid(ctx, tx, o, p)
		}
	case t.Kind == model.TxCapture && t.Status == model.TxSuccess && o.Status != model.OrderCancelled && m.Captured > o.Total:
		// Paid twice (two transfers, a second card): keep the money on
		// the ledger and tell staff to give the difference back.
		return tx.AddOrderEvent(ctx, &model.OrderEvent{OrderID: o.ID, Kind: model.OrderEventNote, Actor: actor, CreatedAt: now,
			Message: fmt.Sprintf("%s received by %s, %s more than the total: refund the difference", amount, p.Method,
				model.Money{Minor: m.Captured - o.Total, Currency: o.Currency}.Amount())})
	case o.Status == model.OrderCancelled && t.Kind == model.TxCapture && t.Status == model.TxSuccess:
		// The money came after the order was called off (it expired
		// while the buyer paid): keep it on the ledger and tell staff,
		// who refund it or take the order back by hand. Money received
		// is owed a receipt all the same; its refund gets a credit note.
		if err := tx.AddOrderEvent(ctx, &model.OrderEvent{OrderID: o.ID, Kind: model.OrderEventNote, Actor: actor, CreatedAt: now,
			Message: fmt.Sprintf("%s received by %s for a cancelled order: refund it", amount, p.Method)}); err != nil {
			return err
		}
		if s.opts.OnPaid != nil && m.Captured >= o.Total {
			return s.opts.OnPaid(ctx, tx, o, p)
		}
	case t.Kind == model.TxRefund && t.Status == model.TxSuccess:
		msg := fmt.Sprintf("refunded %s", amount)
		if t.Reason != "" {
			msg += ": " + t.Reason
		}
		if m.Refunded >= m.Captured && o.Status.CanMove(model.OrderRefunded) {
			if o.Status.HoldsStock() {
				// Paid but never shipped: what the order still holds
				// goes back.
				if err := releaseHeld(ctx, tx, o.ID); err != nil {
					return err
				}
			}
			ev := &model.OrderEvent{Kind: model.OrderEventStatus, Actor: actor, CreatedAt: now, Message: msg}
			return tx.MoveOrder(ctx, o.ID, o.Status, model.OrderRefunded, nil, ev)
		}
		return tx.AddOrderEvent(ctx, &model.OrderEvent{OrderID: o.ID, Kind: model.OrderEventNote, Actor: actor, CreatedAt: now, Message: msg})
	}
	return nil
}

// releaseHeld gives back the stock the order's lines still hold.
func releaseHeld(ctx context.Context, tx *store.Store, orderID int64) error {
	lines, err := tx.FindOrderLinesByOrderIDs(ctx, []int64{orderID})
	if err != nil {
		return err
	}
	var stock []store.StockLine
	for _, l := range lines {
		if n := l.Held(); n > 0 {
			stock = append(stock, store.StockLine{VariantID: l.VariantID, Quantity: n})
		}
	}
	if len(stock) == 0 {
		return nil
	}
	return tx.ReleaseStock(ctx, stock)
}
