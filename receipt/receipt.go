// Package receipt issues the documents a Thai shop owes its buyers: a
// receipt and tax invoice (full or abbreviated) when an order is paid, a
// credit note when money goes back, and a full tax invoice replacing an
// abbreviated one when the buyer asks later. Each document is an
// immutable snapshot (model.ReceiptDocument) numbered without gaps in its
// series, issued inside the transaction that pays or refunds, so it is
// never lost and never issued twice.
package receipt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Service issues documents for one seller.
type Service struct {
	st     *store.Store
	seller model.Seller
	now    func() time.Time
}

// New returns a service issuing documents as seller.
func New(st *store.Store, seller model.Seller, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, seller: seller, now: now}
}

// Seller is who the documents are issued by.
func (s *Service) Seller() model.Seller { return s.seller }

// saleSource names the document issued when order id was paid.
func saleSource(orderID int64) string { return fmt.Sprintf("paid:%d", orderID) }

// IssueForPaid issues the document for an order that became paid, in the
// transaction that paid it (payment.PaidFunc): a receipt and tax invoice
// from a VAT-registered seller (full when the buyer gave a tax ID,
// abbreviated otherwise), a plain receipt from one that is not. An order
// gets one such document, however often this is called.
func (s *Service) IssueForPaid(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment) error {
	if _, err := tx.FindReceiptBySource(ctx, saleSource(o.ID)); err == nil {
		return nil
	} else if model.ErrorCodeOf(err) != model.CodeNotFound {
		return err
	}
	lines, err := tx.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return err
	}
	buyer := buyerOf(o)
	typ := model.DocReceipt
	if s.seller.VATRegistered {
		typ = model.DocAbbreviatedTaxInvoice
		if buyer != nil && buyer.TaxID != "" {
			typ = model.DocTaxInvoice
		}
	}
	if typ == model.DocAbbreviatedTaxInvoice && buyer != nil {
		// An abbreviated invoice names no buyer; keep the email so the
		// buyer can be found when they ask for a full one.
		buyer = &model.ReceiptBuyer{Name: buyer.Name, Email: buyer.Email}
	}
	d := &model.ReceiptDocument{
		Type: typ, IssuedAt: s.now().UTC().Truncate(time.Second), Seller: s.seller, Buyer: buyer,
		OrderNumber: o.Number(), Currency: o.Currency,
		Subtotal: o.Subtotal, Discount: o.Discount, Shipping: o.Shipping - o.ShippingOff, Total: o.Total,
		PaymentMethod: p.Method,
	}
	if d.PaymentReference, err = paymentReference(ctx, tx, p); err != nil {
		return err
	}
	for _, l := range lines {
		title := l.Title
		if l.VariantTitle != "" && l.VariantTitle != "Default Title" {
			title += " — " + l.VariantTitle
		}
		d.Lines = append(d.Lines, model.ReceiptLine{Title: title, SKU: l.SKU, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, Discount: l.Discount, Amount: l.Total})
	}
	s.price(d, o.VATRate)
	_, err = s.issue(ctx, tx, o.ID, saleSource(o.ID), d, nil, nil)
	return err
}

// price fills in the VAT split and the total in words. VAT is taken out
// of the document's total once, half up (model.VATIn), so the base and
// the VAT add up to the total exactly.
func (s *Service) price(d *model.ReceiptDocument, rate model.RateBasisPoints) {
	d.VATRate, d.VAT, d.VATBase = 0, 0, 0
	if s.seller.VATRegistered && d.Type != model.DocReceipt {
		d.VATRate = rate
		d.VAT = model.VATIn(d.Total, rate)
		d.VATBase = d.Total - d.VAT
	}
	d.TotalInWordsTH = model.BahtText(d.Total)
	d.TotalInWordsEN = model.AmountInWordsEN(d.Total, d.Currency)
}

// issue numbers the document in its series and stores it.
func (s *Service) issue(ctx context.Context, tx *store.Store, orderID int64, source string, d *model.ReceiptDocument,
	replaces, original *int64) (*model.Receipt, error) {
	series := model.ReceiptSeries(d.Type, s.seller.Branch, s.now())
	seq, err := tx.NextReceiptSeq(ctx, series)
	if err != nil {
		return nil, err
	}
	d.Number = model.ReceiptNumber(series, seq)
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	r := &model.Receipt{OrderID: orderID, Source: source, Type: d.Type, Series: series, Seq: seq, Number: d.Number,
		Status: model.ReceiptIssued, IssuedAt: d.IssuedAt, Currency: d.Currency, Total: d.Total, VAT: d.VAT,
		ReplacesID: replaces, OriginalID: original, Document: string(body), CreatedAt: s.now().UTC().Truncate(time.Second)}
	if err := tx.CreateReceipt(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// paymentReference is what names the money on a document: the reference
// of the payment's last capture (the bank's, the card's charge), else the
// provider's ID for the payment or the reference the buyer quoted.
func paymentReference(ctx context.Context, tx *store.Store, p *model.Payment) (string, error) {
	if p == nil {
		return "", nil
	}
	ledger, err := tx.FindPaymentTransactionsByPaymentIDs(ctx, []int64{p.ID})
	if err != nil {
		return "", err
	}
	for i := len(ledger) - 1; i >= 0; i-- {
		if e := ledger[i]; e.Kind == model.TxCapture && e.Status == model.TxSuccess && e.ProviderRef != nil {
			return *e.ProviderRef, nil
		}
	}
	if p.ProviderRef != "" {
		return p.ProviderRef, nil
	}
	return p.Reference, nil
}

// buyerOf is the buyer as the order names them: the delivery address's
// name, company, address, tax ID and branch, and the order's email.
func buyerOf(o *model.Order) *model.ReceiptBuyer {
	var a model.MailingAddress
	if o.DeliveryAddress == "" || json.Unmarshal([]byte(o.DeliveryAddress), &a) != nil {
		if o.Email == "" {
			return nil
		}
		return &model.ReceiptBuyer{Email: o.Email}
	}
	name := strings.TrimSpace(a.FirstName + " " + a.LastName)
	if a.Company != "" && a.TaxID != "" {
		name = a.Company
	}
	b := &model.ReceiptBuyer{Name: name, Address: strings.Join(model.FormatAddress(&a, false), ", "),
		TaxID: a.TaxID, Email: o.Email, Phone: a.Phone}
	if a.TaxID != "" {
		b.Branch = a.Branch
		if b.Branch == "" {
			b.Branch = model.HeadOffice
		}
	}
	return b
}

// refundSource names the credit note for refund transaction id.
func refundSource(txID int64) string { return fmt.Sprintf("refund:%d", txID) }

// IssueCreditNote issues a credit note (ใบลดหนี้) for a refund that
// succeeded, in the transaction that recorded it (payment.RefundedFunc):
// it names the order's standing document, what that said, what is right
// now and why. A refund gets one credit note. An order with no document
// (paid before receipts were issued) gets none.
func (s *Service) IssueCreditNote(ctx context.Context, tx *store.Store, o *model.Order, t *model.PaymentTransaction) error {
	if _, err := tx.FindReceiptBySource(ctx, refundSource(t.ID)); err == nil {
		return nil
	} else if model.ErrorCodeOf(err) != model.CodeNotFound {
		return err
	}
	docs, err := tx.FindReceiptsByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return err
	}
	var orig *model.Receipt
	credited := int64(0)
	for i := range docs {
		switch {
		case docs[i].Type == model.DocCreditNote && docs[i].Status == model.ReceiptIssued:
			credited += docs[i].Total
		case docs[i].Status == model.ReceiptIssued:
			orig = &docs[i]
		}
	}
	if orig == nil {
		return nil
	}
	od, err := orig.Doc()
	if err != nil {
		return err
	}
	d := &model.ReceiptDocument{Type: model.DocCreditNote, IssuedAt: s.now().UTC().Truncate(time.Second), Seller: s.seller,
		Buyer: od.Buyer, OrderNumber: od.OrderNumber, Currency: t.Currency, Total: t.Amount,
		Original: od.Number, OriginalType: od.Type, OriginalIssuedAt: &od.IssuedAt,
		OriginalTotal: od.Total - credited, CorrectedTotal: od.Total - credited - t.Amount,
		Reason: t.Reason, PaymentMethod: od.PaymentMethod, PaymentReference: deref(t.ProviderRef)}
	if d.Reason == "" {
		d.Reason = "คืนเงิน / Refund"
	}
	d.Lines = creditLines(od, t)
	d.Subtotal = t.Amount
	s.price(d, od.VATRate)
	_, err = s.issue(ctx, tx, o.ID, refundSource(t.ID), d, nil, &orig.ID)
	return err
}

// creditLines are the lines a refund gives money back for, or one line
// for the amount when it named none.
func creditLines(od *model.ReceiptDocument, t *model.PaymentTransaction) []model.ReceiptLine {
	var ls []model.RefundLine
	_ = json.Unmarshal([]byte(t.RefundLines), &ls)
	if len(ls) == 0 {
		return []model.ReceiptLine{{Title: "คืนเงิน / Refund", Quantity: 1, UnitPrice: t.Amount, Amount: t.Amount}}
	}
	// The refund's lines name order lines by ID, which the document's
	// snapshot does not keep: say how many units, for the amount.
	units := 0
	for _, l := range ls {
		units += l.Quantity
	}
	return []model.ReceiptLine{{Title: fmt.Sprintf("คืนสินค้า %d ชิ้น / %d item(s) returned", units, units),
		Quantity: 1, UnitPrice: t.Amount, Amount: t.Amount}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// FullTaxInvoiceInput is the buyer's details for a full tax invoice.
type FullTaxInvoiceInput struct {
	OrderID int64
	Name    string
	Address string
	TaxID   string
	Branch  string // 5 digits; the head office when empty
}

// RequestFullTaxInvoice replaces the abbreviated tax invoice of a paid
// order with a full one naming the buyer: the original is cancelled and
// kept, and the new document has a new number, the original's date and a
// note naming the number it replaces. Asking again returns the same
// document.
func (s *Service) RequestFullTaxInvoice(ctx context.Context, in FullTaxInvoiceInput) (*model.Receipt, error) {
	name, address := strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	taxID, branch := strings.TrimSpace(in.TaxID), strings.TrimSpace(in.Branch)
	if branch == "" {
		branch = model.HeadOffice
	}
	if e := model.CheckLine([]string{"input", "name"}, name, 255, true); e != nil {
		return nil, e
	}
	if e := model.CheckLine([]string{"input", "address"}, address, 500, true); e != nil {
		return nil, e
	}
	if !model.ValidThaiTaxID(taxID) {
		return nil, model.InvalidField([]string{"input", "taxId"}, "taxId must be a 13-digit Thai tax ID with its check digit")
	}
	if len(branch) != 5 || strings.Trim(branch, "0123456789") != "" {
		return nil, model.InvalidField([]string{"input", "branch"}, "branch must be 5 digits, 00000 for a head office")
	}
	if !s.seller.VATRegistered {
		return nil, &model.Error{Code: model.CodeConflict, Field: []string{"input", "orderId"},
			Message: "the shop is not registered for VAT: it issues receipts, not tax invoices"}
	}
	var out *model.Receipt
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		o, err := tx.LockOrder(ctx, in.OrderID)
		if err != nil {
			return err
		}
		docs, err := tx.FindReceiptsByOrderIDs(ctx, []int64{o.ID})
		if err != nil {
			return err
		}
		var orig *model.Receipt
		for i := range docs {
			if docs[i].Type == model.DocTaxInvoice && docs[i].Status == model.ReceiptIssued {
				out = &docs[i] // asked before (or issued full at once)
				return nil
			}
			if docs[i].Type == model.DocAbbreviatedTaxInvoice && docs[i].Status == model.ReceiptIssued {
				orig = &docs[i]
			}
		}
		if orig == nil {
			return &model.Error{Code: model.CodeConflict, Field: []string{"input", "orderId"},
				Message: "the order has no tax invoice yet: it is issued when the order is paid"}
		}
		od, err := orig.Doc()
		if err != nil {
			return err
		}
		d := *od
		d.Type = model.DocTaxInvoice
		d.Buyer = &model.ReceiptBuyer{Name: name, Address: address, TaxID: taxID, Branch: branch}
		if od.Buyer != nil {
			d.Buyer.Email = od.Buyer.Email
		}
		d.Replaces, d.ReplacesType = od.Number, od.Type
		s.price(&d, od.VATRate)
		r, err := s.issue(ctx, tx, o.ID, fmt.Sprintf("replaces:%d", orig.ID), &d, &orig.ID, nil)
		if err != nil {
			return err
		}
		if ok, err := tx.CancelReceipt(ctx, orig.ID, r.ID); err != nil || !ok {
			if err == nil {
				err = &model.Error{Code: model.CodeConflict, Message: "the document changed meanwhile; try again"}
			}
			return err
		}
		out = r
		return nil
	})
	return out, err
}
