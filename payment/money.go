package payment

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// movementKeyPrefix begins the idempotency key a capture, void or refund
// is asked for with; the ledger entry's ID follows.
const movementKeyPrefix = "langran-tx-"

func movementKey(t *model.PaymentTransaction) string {
	return fmt.Sprintf("%s%d", movementKeyPrefix, t.ID)
}

// Capture takes amount (all it holds when nil) of a card payment that
// holds money (manual capture), through its provider. The same key again
// returns the same result, and finishes the capture if the provider did
// not answer the first time.
func (s *Service) Capture(ctx context.Context, paymentID int64, amount *int64, key string) (*model.Payment, error) {
	return s.move(ctx, paymentID, model.TxCapture, amount, key)
}

// Void releases what a card payment holds, or calls off a payment that
// has taken nothing yet (a QR code the buyer will not scan).
func (s *Service) Void(ctx context.Context, paymentID int64, key string) (*model.Payment, error) {
	return s.move(ctx, paymentID, model.TxVoid, nil, key)
}

// move writes a pending capture or void, asks the provider outside any
// transaction, and records the answer.
func (s *Service) move(ctx context.Context, paymentID int64, kind model.TransactionKind, amount *int64, key string) (*model.Payment, error) {
	if e := model.CheckIdempotencyKey([]string{"input", "idempotencyKey"}, key); e != nil {
		return nil, e
	}
	if amount != nil && *amount <= 0 {
		return nil, model.InvalidField([]string{"input", "amount"}, "amount must be more than 0")
	}
	keyHash := model.IdempotencyKeyHash(fmt.Sprintf("payment:%d", paymentID), key)
	var t *model.PaymentTransaction
	var p *model.Payment
	local := false // a void of an attempt the provider never started
	err := s.inOrderTx(ctx, paymentID, func(tx *store.Store, o *model.Order, pay *model.Payment) error {
		p = pay
		if old, err := tx.FindPaymentTransactionByKey(ctx, keyHash); err == nil {
			if old.Kind != kind || old.PaymentID != p.ID || (amount != nil && old.Amount != *amount) {
				return reused()
			}
			t = old
			return nil
		} else if model.ErrorCodeOf(err) != model.CodeNotFound {
			return err
		}
		if _, ok := s.providers[p.Method]; !ok {
			return &model.Error{Code: model.CodeMethodUnavailable, Field: []string{"input", "paymentId"},
				Message: fmt.Sprintf("%s is not configured", p.Method)}
		}
		amt := p.Amount
		switch kind {
		case model.TxCapture:
			if p.Status != model.PaymentAuthorized {
				return &model.Error{Code: model.CodePaymentNotCapturable, Field: []string{"input", "paymentId"},
					Message: fmt.Sprintf("the payment is %s: only a payment that holds money can be captured", p.Status)}
			}
			// Never take more than the order still owes: a second hold
			// (another tab, another card) is voided, not captured.
			owed := o.Total - o.Captured
			if o.Status == model.OrderCancelled || o.Status == model.OrderRefunded || owed <= 0 {
				return &model.Error{Code: model.CodeNothingToPay, Field: []string{"input", "paymentId"},
					Message: fmt.Sprintf("the order is %s with nothing owed: void this hold instead", o.Status)}
			}
			amt = min(p.Amount, owed)
			if amount != nil {
				if *amount > amt {
					return &model.Error{Code: model.CodeInvalid, Field: []string{"input", "amount"},
						Message: fmt.Sprintf("at most %s may be captured: what the payment holds and the order owes",
							model.Money{Minor: amt, Currency: p.Currency}.Amount())}
				}
				amt = *amount
			}
		case model.TxVoid:
			if p.Status != model.PaymentAuthorized && p.Status != model.PaymentPending {
				return &model.Error{Code: model.CodePaymentNotCapturable, Field: []string{"input", "paymentId"},
					Message: fmt.Sprintf("the payment is %s: there is nothing to void", p.Status)}
			}
			amt = 0
			local = p.Method == model.MethodStripeCard && p.ProviderRef == ""
		}
		t = &model.PaymentTransaction{PaymentID: p.ID, OrderID: o.ID, Kind: kind, Status: model.TxPending,
			Amount: amt, Currency: p.Currency, IdempotencyKey: &keyHash, RefundLines: "[]", Actor: actorOf(ctx)}
		return tx.AddPaymentTransaction(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	if t.Status != model.TxPending {
		return s.st.FindPayment(ctx, p.ID)
	}
	prov, ok := s.providers[p.Method]
	if !ok {
		return nil, &model.Error{Code: model.CodeMethodUnavailable, Message: fmt.Sprintf("%s is not configured", p.Method)}
	}
	if local {
		return s.settle(ctx, t, &Outcome{Status: model.TxSuccess})
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.ProviderTimeout)
	var out *Outcome
	if kind == model.TxCapture {
		out, err = prov.Capture(pctx, p, t.Amount, movementKey(t))
	} else {
		out, err = prov.Void(pctx, p, movementKey(t))
	}
	cancel()
	if d := IsDeclined(err); d != nil {
		out, err = &Outcome{Status: model.TxFailure, ErrorCode: d.Code}, nil
	}
	if err != nil {
		if e, ok := model.AsError(err); ok {
			// The provider refused the request itself: the entry is over.
			_, _ = s.settle(ctx, t, &Outcome{Status: model.TxFailure, ErrorCode: string(e.Code)})
			return nil, err
		}
		return nil, s.providerFailed(ctx, string(kind), t.ID, err)
	}
	return s.settle(ctx, t, out)
}

// settle records a provider's answer to pending ledger entry t and
// applies it, unless a webhook settled it meanwhile.
func (s *Service) settle(ctx context.Context, t *model.PaymentTransaction, out *Outcome) (*model.Payment, error) {
	var after *model.Payment
	err := s.inOrderTx(ctx, t.PaymentID, func(tx *store.Store, o *model.Order, p *model.Payment) error {
		after = p
		ok, err := tx.SettlePaymentTransaction(ctx, t.ID, out.Status, out.Ref, clip(out.ErrorCode, 64))
		if err != nil || !ok {
			return err
		}
		settled := *t
		settled.Status, settled.ErrorCode = out.Status, out.ErrorCode
		if out.Ref != "" {
			ref := out.Ref
			settled.ProviderRef = &ref
		}
		after, err = s.apply(ctx, tx, o, p, &settled)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Status == model.TxFailure {
		return after, &model.Error{Code: model.CodePaymentDeclined, Message: "the payment provider refused: " + out.ErrorCode}
	}
	return after, nil
}

// RefundInput asks to give money of an order back.
type RefundInput struct {
	OrderID int64
	// Amount is what to give back; nil gives back the lines' amounts.
	Amount *int64
	// Lines say which units the money is for (and which go back to stock
	// when Restock is set).
	Lines          []model.RefundLine
	Reason         string
	Restock        bool
	IdempotencyKey string
}

// Refund gives money of an order back through the provider that took it
// and returns the refund's ledger entry. A refund never exceeds what was
// captured and not yet refunded, counting refunds still pending, even
// when two race: both are written under the order's lock. The same key
// again returns the same refund (finishing it if the provider did not
// answer before).
func (s *Service) Refund(ctx context.Context, in RefundInput) (*model.PaymentTransaction, error) {
	if e := model.CheckIdempotencyKey([]string{"input", "idempotencyKey"}, in.IdempotencyKey); e != nil {
		return nil, e
	}
	if e := model.CheckMultiline([]string{"input", "reason"}, in.Reason, 500); e != nil {
		return nil, e
	}
	if in.Amount != nil && *in.Amount <= 0 {
		return nil, model.InvalidField([]string{"input", "amount"}, "amount must be more than 0")
	}
	if in.Amount == nil && len(in.Lines) == 0 {
		return nil, model.InvalidField([]string{"input", "amount"}, "give an amount, lines, or both")
	}
	if len(in.Lines) > 250 {
		return nil, model.InvalidField([]string{"input", "lines"}, "at most 250 lines")
	}
	seen := map[int64]bool{}
	for i, l := range in.Lines {
		if l.Quantity <= 0 {
			return nil, model.InvalidField([]string{"input", "lines", fmt.Sprint(i), "quantity"}, "quantity must be more than 0")
		}
		if seen[l.LineID] {
			return nil, model.InvalidField([]string{"input", "lines", fmt.Sprint(i), "lineId"}, "each line once")
		}
		seen[l.LineID] = true
	}
	if in.Restock && len(in.Lines) == 0 {
		return nil, model.InvalidField([]string{"input", "restock"}, "restock needs the lines that go back")
	}
	linesJSON, _ := json.Marshal(in.Lines)
	if len(in.Lines) == 0 {
		linesJSON = []byte("[]")
	}
	keyHash := model.IdempotencyKeyHash(fmt.Sprintf("refund:%d", in.OrderID), in.IdempotencyKey)
	var t *model.PaymentTransaction
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		o, err := tx.LockOrder(ctx, in.OrderID)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return notFound("input", "orderId")
		}
		if err != nil {
			return err
		}
		if old, err := tx.FindPaymentTransactionByKey(ctx, keyHash); err == nil {
			if old.Kind != model.TxRefund || old.OrderID != o.ID || old.RefundLines != string(linesJSON) ||
				(in.Amount != nil && old.Amount != *in.Amount) || old.Restock != in.Restock {
				return reused()
			}
			t = old
			return nil
		} else if model.ErrorCodeOf(err) != model.CodeNotFound {
			return err
		}
		payments, err := tx.FindPaymentsByOrderIDs(ctx, []int64{o.ID})
		if err != nil {
			return err
		}
		ids := make([]int64, len(payments))
		for i, p := range payments {
			ids[i] = p.ID
		}
		ledger, err := tx.FindPaymentTransactionsByPaymentIDs(ctx, ids)
		if err != nil {
			return err
		}
		amount, err := refundAmount(ctx, tx, o, in, ledger)
		if err != nil {
			return err
		}
		// What each payment may still give back: captured, less refunded
		// and less refunds asked for and not answered yet.
		pending := map[int64]int64{}
		for _, e := range ledger {
			if e.Kind == model.TxRefund && e.Status == model.TxPending {
				pending[e.PaymentID] += e.Amount
			}
		}
		var from *model.Payment
		var most, all int64
		for i := range payments {
			left := payments[i].Refundable() - pending[payments[i].ID]
			all += max(left, 0)
			if left > most {
				most, from = left, &payments[i]
			}
		}
		if from != nil {
			if _, ok := s.providers[from.Method]; !ok {
				return &model.Error{Code: model.CodeMethodUnavailable, Field: []string{"input", "orderId"},
					Message: fmt.Sprintf("the money came by %s, which is not configured now", from.Method)}
			}
		}
		if from == nil || amount > most {
			msg := fmt.Sprintf("at most %s can be refunded", model.Money{Minor: most, Currency: o.Currency}.Amount())
			if all > most {
				msg += " in one refund (the money came in several payments: refund each)"
			}
			return &model.Error{Code: model.CodeRefundExceeds, Field: []string{"input", "amount"}, Message: msg}
		}
		t = &model.PaymentTransaction{PaymentID: from.ID, OrderID: o.ID, Kind: model.TxRefund, Status: model.TxPending,
			Amount: amount, Currency: from.Currency, IdempotencyKey: &keyHash, Reason: in.Reason,
			RefundLines: string(linesJSON), Restock: in.Restock, Actor: actorOf(ctx)}
		return tx.AddPaymentTransaction(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	if t.Status != model.TxPending || (t.ProviderRef != nil && *t.ProviderRef != "") {
		return t, nil
	}
	p, err := s.st.FindPayment(ctx, t.PaymentID)
	if err != nil {
		return nil, err
	}
	prov, ok := s.providers[p.Method]
	if !ok {
		return nil, &model.Error{Code: model.CodeMethodUnavailable, Message: fmt.Sprintf("%s is not configured", p.Method)}
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.ProviderTimeout)
	out, err := prov.Refund(pctx, p, t.Amount, movementKey(t))
	cancel()
	if d := IsDeclined(err); d != nil {
		out, err = &Outcome{Status: model.TxFailure, ErrorCode: d.Code}, nil
	}
	if e, ok := model.AsError(err); ok {
		out, err = &Outcome{Status: model.TxFailure, ErrorCode: string(e.Code)}, nil
	}
	if err != nil {
		return nil, s.providerFailed(ctx, "refund", t.ID, err)
	}
	if out.Status == model.TxPending {
		// The provider will tell by webhook; keep its reference.
		if out.Ref != "" {
			if err := s.st.InTx(ctx, func(tx *store.Store) error {
				_, err := tx.SettlePaymentTransaction(ctx, t.ID, model.TxPending, out.Ref, "")
				return err
			}); err != nil {
				return nil, err
			}
		}
	} else if _, err := s.settle(ctx, t, out); err != nil && model.ErrorCodeOf(err) != model.CodePaymentDeclined {
		return nil, err
	}
	all, err := s.st.FindPaymentTransactionsByIDs(ctx, []int64{t.ID})
	if err != nil || len(all) == 0 {
		return nil, err
	}
	if all[0].Status == model.TxFailure {
		return &all[0], &model.Error{Code: model.CodePaymentDeclined, Message: "the payment provider refused the refund: " + all[0].ErrorCode}
	}
	return &all[0], nil
}

// refundAmount checks the refund's lines against the order's and returns
// what the refund gives back: the amount asked, or the lines' share of
// what was paid for them.
func refundAmount(ctx context.Context, tx *store.Store, o *model.Order, in RefundInput, ledger []model.PaymentTransaction) (int64, error) {
	lines, err := tx.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return 0, err
	}
	byID := map[int64]*model.OrderLine{}
	for i := range lines {
		byID[lines[i].ID] = &lines[i]
	}
	// Units named by refunds not answered yet count as taken.
	asked := map[int64]int{}
	for _, e := range ledger {
		if e.Kind != model.TxRefund || e.Status != model.TxPending {
			continue
		}
		var ls []model.RefundLine
		_ = json.Unmarshal([]byte(e.RefundLines), &ls)
		for _, l := range ls {
			asked[l.LineID] += l.Quantity
		}
	}
	var sum int64
	for i, l := range in.Lines {
		ol := byID[l.LineID]
		if ol == nil {
			return 0, &model.Error{Code: model.CodeNotFound, Field: []string{"input", "lines", fmt.Sprint(i), "lineId"},
				Message: "the order has no such line"}
		}
		done := ol.RefundedQuantity + asked[l.LineID]
		if left := ol.Quantity - done; l.Quantity > left {
			return 0, model.InvalidField([]string{"input", "lines", fmt.Sprint(i), "quantity"},
				"%d of the line's units are left to refund", max(left, 0))
		}
		// Shares by running total, so the units' shares add up to the
		// line's total exactly: the last unit takes the remainder.
		share := func(n int) int64 { return ol.Total * int64(n) / int64(ol.Quantity) }
		sum += share(done+l.Quantity) - share(done)
	}
	if in.Amount != nil {
		return *in.Amount, nil
	}
	if sum <= 0 {
		return 0, model.InvalidField([]string{"input", "lines"}, "the lines were free: give an amount")
	}
	return sum, nil
}

// refundLines counts a successful refund's lines as refunded and puts
// them back in stock when it asked: units the order still holds are
// released, units that shipped come back on hand as a return.
func (s *Service) refundLines(ctx context.Context, tx *store.Store, o *model.Order, t *model.PaymentTransaction) error {
	var ls []model.RefundLine
	if err := json.Unmarshal([]byte(t.RefundLines), &ls); err != nil || len(ls) == 0 {
		return nil
	}
	lines, err := tx.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return err
	}
	byID := map[int64]*model.OrderLine{}
	for i := range lines {
		byID[lines[i].ID] = &lines[i]
	}
	var release []store.StockLine
	for _, l := range ls {
		ol := byID[l.LineID]
		if ol == nil {
			continue
		}
		restock := 0
		if t.Restock {
			restock = min(l.Quantity, ol.Held())
		}
		ok, err := tx.RefundOrderLine(ctx, ol.ID, l.Quantity, restock)
		if err != nil {
			return err
		}
		if !ok || restock == 0 {
			continue
		}
		if o.Status.HoldsStock() {
			release = append(release, store.StockLine{VariantID: ol.VariantID, Quantity: restock})
			continue
		}
		if o.Status == model.OrderCancelled {
			continue // its stock went back when it was cancelled
		}
		if _, err := tx.AdjustInventory(ctx, ol.VariantID, restock, model.ReasonReturned,
			fmt.Sprintf("refund %d of order %s", t.ID, o.Number()), t.Actor); err != nil &&
			model.ErrorCodeOf(err) != model.CodeNotFound {
			return err
		}
	}
	if len(release) > 0 {
		return tx.ReleaseStock(ctx, release)
	}
	return nil
}
