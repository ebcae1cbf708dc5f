package resolver

import (
	"context"
	"strconv"
	"strings"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/store"
)

// loadPayment returns the payment with id if the caller may read its
// order, nil otherwise.
func loadPayment(ctx context.Context, id int64) (*model.Payment, error) {
	p, err := store.LoadersFrom(ctx).PaymentByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if o, err := loadOrder(ctx, p.OrderID, ""); o == nil {
		return nil, err
	}
	return p, nil
}

// loadPaymentTx returns the ledger entry with id if the caller may read
// its order, nil otherwise.
func loadPaymentTx(ctx context.Context, id int64) (*model.PaymentTransaction, error) {
	t, err := store.LoadersFrom(ctx).PaymentTxByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if o, err := loadOrder(ctx, t.OrderID, ""); o == nil {
		return nil, err
	}
	return t, nil
}

// decodeAmount parses an optional Decimal input in the currency.
func decodeAmount(path []string, d *string, cur model.CurrencyCode) (*int64, error) {
	if d == nil {
		return nil, nil
	}
	v, err := model.ParseMinor(*d, cur.MinorDigits())
	if err != nil {
		return nil, model.InvalidField(path, "%s must be an amount such as \"120.50\" with at most %d decimals", path[len(path)-1], cur.MinorDigits())
	}
	return &v, nil
}

// paymentPayload answers a staff change to a payment, with its order.
func paymentPayload(ctx context.Context, p *model.Payment, err error) (*gqlmodel.PaymentPayload, error) {
	ue, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	store.LoadersFrom(ctx).ClearAll()
	out := &gqlmodel.PaymentPayload{UserErrors: ue}
	if p != nil {
		out.Payment = p
		o, err := loadOrder(ctx, p.OrderID, "")
		if err != nil {
			return nil, err
		}
		out.Order = o
	}
	return out, nil
}

// changePayment decodes a staff mutation's payment ID, runs the change and
// answers it.
func (r *mutationResolver) changePayment(ctx context.Context, id string, change func(pid int64, p *model.Payment) (*model.Payment, error)) (*gqlmodel.PaymentPayload, error) {
	pid, err := decodeID([]string{"input", "paymentId"}, id, model.TypePayment)
	if err != nil {
		return paymentPayload(ctx, nil, err)
	}
	p, err := r.Store.FindPayment(ctx, pid)
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return paymentPayload(ctx, nil, &model.Error{Code: model.CodeNotFound, Field: []string{"input", "paymentId"}, Message: "no such payment"})
	}
	if err != nil {
		return nil, err
	}
	after, err := change(pid, p)
	return paymentPayload(ctx, after, err)
}

// refundInput decodes refundCreate's input against the order's currency.
func refundInput(in gqlmodel.RefundCreateInput, oid int64, cur model.CurrencyCode) (payment.RefundInput, error) {
	out := payment.RefundInput{OrderID: oid, Reason: deref(in.Reason), IdempotencyKey: in.IdempotencyKey}
	if in.Restock != nil {
		out.Restock = *in.Restock
	}
	amount, err := decodeAmount([]string{"input", "amount"}, in.Amount, cur)
	if err != nil {
		return out, err
	}
	out.Amount = amount
	for i, l := range in.Lines {
		id, err := decodeID([]string{"input", "lines", strconv.Itoa(i), "lineId"}, l.LineID, model.TypeOrderLine)
		if err != nil {
			return out, err
		}
		out.Lines = append(out.Lines, model.RefundLine{LineID: id, Quantity: l.Quantity})
	}
	return out, nil
}

// receiptFilter converts the staff's document filter.
func receiptFilter(in *gqlmodel.ReceiptFilter) store.ReceiptFilter {
	var f store.ReceiptFilter
	if in == nil {
		return f
	}
	f.Since, f.Until, f.Types = in.IssuedAfter, in.IssuedBefore, in.DocumentType
	if in.Number != nil {
		f.Number = strings.TrimSpace(*in.Number)
	}
	return f
}

// loadReceipt returns the document with id if the caller may read its
// order, nil otherwise.
func loadReceipt(ctx context.Context, id int64) (*model.Receipt, error) {
	rc, err := store.LoadersFrom(ctx).ReceiptByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if o, err := loadOrder(ctx, rc.OrderID, ""); o == nil {
		return nil, err
	}
	return rc, nil
}

// receiptDocKey names a document's decoded content in the request's memo.
type receiptDocKey int64

// receiptDoc decodes a document's content once per request, however many
// of its fields the query selects.
func receiptDoc(ctx context.Context, r *model.Receipt) (*model.ReceiptDocument, error) {
	l := store.LoadersFrom(ctx)
	if l == nil {
		return r.Doc()
	}
	v, err := l.Memo(receiptDocKey(r.ID), func() (any, error) { return r.Doc() })
	if err != nil {
		return nil, err
	}
	return v.(*model.ReceiptDocument), nil
}
