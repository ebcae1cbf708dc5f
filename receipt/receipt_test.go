package receipt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/receipt"
	"github.com/langran/langran/receipt/etax"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

var ctx = context.Background()

// transfer is a payment method staff confirm, as bank transfer works.
type transfer struct{}

func (transfer) Method() model.PaymentMethod { return model.MethodBankTransfer }
func (transfer) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	return &payment.Started{Status: model.PaymentPending, Reference: fmt.Sprintf("%s-%d", r.OrderNumber, r.PaymentID)}, nil
}
func (transfer) Capture(context.Context, *model.Payment, int64, string) (*payment.Outcome, error) {
	return nil, errors.New("confirmed by staff")
}
func (transfer) Void(context.Context, *model.Payment, string) (*payment.Outcome, error) {
	return &payment.Outcome{Status: model.TxSuccess}, nil
}
func (transfer) Refund(context.Context, *model.Payment, int64, string) (*payment.Outcome, error) {
	return &payment.Outcome{Status: model.TxSuccess}, nil
}

var seller = model.Seller{NameTH: "บริษัท หลังร้าน จำกัด", NameEN: "Langran Co., Ltd.", AddressTH: "99 ถนนสุขุมวิท กรุงเทพมหานคร 10110",
	AddressEN: "99 Sukhumvit Rd, Bangkok 10110", TaxID: "0105558123451", Branch: model.HeadOffice, VATRegistered: true}

type shop struct {
	st       *store.Store
	co       *checkout.Service
	pay      *payment.Service
	receipts *receipt.Service
}

func newShop(t *testing.T, b storetest.Backend, s model.Seller) *shop {
	t.Helper()
	st := storetest.Open(t, b, store.Options{MaxOpenConns: 32})
	if err := st.Seed(ctx, store.SeedOptions{Products: 10}); err != nil {
		t.Fatal(err)
	}
	sh := &shop{st: st, co: checkout.New(st, checkout.Options{}), receipts: receipt.New(st, s, nil)}
	sh.pay = payment.NewService(st, payment.Options{OnPaid: sh.receipts.IssueForPaid, OnRefunded: sh.receipts.IssueCreditNote}, transfer{})
	return sh
}

// order checks out qty units of a variant in stock, for a buyer with or
// without a tax ID.
func (s *shop) order(t *testing.T, qty int, taxID string) *model.Order {
	t.Helper()
	var variant int64
	if err := s.st.DB(ctx).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? AND v.inventory_quantity - v.inventory_committed >= ? ORDER BY v.id LIMIT 1`,
		model.ProductActive, qty).Scan(&variant).Error; err != nil || variant == 0 {
		t.Fatalf("no variant: %v", err)
	}
	email := "nok@example.com"
	addr := model.MailingAddress{FirstName: "Nok", LastName: "Saetang", Company: "นกแก้ว จำกัด", Address1: "7 ถนนนิมมานเหมินท์",
		City: "เชียงใหม่", Province: "เชียงใหม่", Zip: "50200", Country: "TH", TaxID: taxID}
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

func (s *shop) pay1(t *testing.T, o *model.Order) *model.Payment {
	t.Helper()
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = s.pay.MarkReceived(ctx, p.ID, fmt.Sprint("BANK-", o.ID), "m"); err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *shop) docs(t *testing.T, orderID int64) []model.Receipt {
	t.Helper()
	rs, err := s.st.FindReceiptsByOrderIDs(ctx, []int64{orderID})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func doc(t *testing.T, r *model.Receipt) *model.ReceiptDocument {
	t.Helper()
	d, err := r.Doc()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Paying issues one document in the paying transaction: an abbreviated
// tax invoice for a buyer without a tax ID, a full one for a buyer with
// one, a plain receipt from a seller not registered for VAT; each with
// the VAT split, the words and the payment, and valid e-Tax XML.
func TestPayingIssuesTheDocument(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name   string
		seller model.Seller
		taxID  string
		want   model.DocumentType
	}{
		{"no tax ID", seller, "", model.DocAbbreviatedTaxInvoice},
		{"with a tax ID", seller, "0994000165382", model.DocTaxInvoice},
		{"not VAT-registered", func() model.Seller { s := seller; s.VATRegistered = false; return s }(), "", model.DocReceipt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newShop(t, storetest.SQLite, c.seller)
			o := s.order(t, 2, c.taxID)
			if len(s.docs(t, o.ID)) != 0 {
				t.Fatal("a document before payment")
			}
			s.pay1(t, o)
			rs := s.docs(t, o.ID)
			if len(rs) != 1 {
				t.Fatalf("%d documents after payment, want 1", len(rs))
			}
			d := doc(t, &rs[0])
			wantNumber := model.ReceiptNumber(model.ReceiptSeries(c.want, model.HeadOffice, now), 1)
			if d.Type != c.want || rs[0].Number != wantNumber || d.Number != wantNumber || d.Total != o.Total {
				t.Errorf("document %s %s total %d, want %s %s %d", d.Type, d.Number, d.Total, c.want, wantNumber, o.Total)
			}
			if d.TotalInWordsTH != model.BahtText(o.Total) || d.TotalInWordsEN == "" {
				t.Errorf("words: %q %q", d.TotalInWordsTH, d.TotalInWordsEN)
			}
			var lines int64
			for _, l := range d.Lines {
				lines += l.Amount
			}
			if lines+d.Shipping != d.Total {
				t.Errorf("lines %d + shipping %d != total %d", lines, d.Shipping, d.Total)
			}
			if c.seller.VATRegistered {
				if d.VAT != model.VATIn(o.Total, d.VATRate) || d.VATBase+d.VAT != d.Total || d.VATRate != 700 {
					t.Errorf("VAT split: base %d VAT %d rate %d of %d", d.VATBase, d.VAT, d.VATRate, d.Total)
				}
			} else if d.VAT != 0 || d.VATBase != 0 {
				t.Errorf("a plain receipt with VAT: %d %d", d.VAT, d.VATBase)
			}
			if c.want == model.DocTaxInvoice && (d.Buyer == nil || d.Buyer.TaxID != c.taxID || d.Buyer.Name != "นกแก้ว จำกัด" || d.Buyer.Address == "") {
				t.Errorf("the full tax invoice's buyer: %+v", d.Buyer)
			}
			if d.PaymentMethod != model.MethodBankTransfer || d.PaymentReference != fmt.Sprint("BANK-", o.ID) {
				t.Errorf("payment on the document: %s %q", d.PaymentMethod, d.PaymentReference)
			}
			var xml bytes.Buffer
			if err := etax.Encode(&xml, d); err != nil {
				t.Errorf("e-Tax XML of the issued document: %v", err)
			}
		})
	}
}

// Documents are numbered without gaps or duplicates in their series,
// however many payments arrive at once; a transaction that rolls back
// gives its number back.
func TestNumbersAreGaplessUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := newShop(t, b, seller)
		n := 40
		if b.Name != storetest.SQLite.Name {
			n = 200 // the proof the issue asks for, on MariaDB
		}
		orders := make([]*model.Order, n)
		payments := make([]*model.Payment, n)
		for i := range orders {
			orders[i] = s.order(t, 1, "")
			p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: orders[i].ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			payments[i] = p
			if i%50 == 49 {
				// Keep the seeded stock from running out.
				if err := s.st.DB(ctx).Exec(`UPDATE product_variants SET inventory_quantity = inventory_quantity + 100`).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range payments {
			wg.Add(1)
			go func(p *model.Payment) {
				defer wg.Done()
				_, err := s.pay.MarkReceived(ctx, p.ID, fmt.Sprint("BANK-", p.ID), "m")
				errs <- err
			}(payments[i])
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var seqs []int64
		series := map[string]bool{}
		for _, o := range orders {
			rs := s.docs(t, o.ID)
			if len(rs) != 1 {
				t.Fatalf("order %d has %d documents", o.ID, len(rs))
			}
			seqs = append(seqs, rs[0].Seq)
			series[rs[0].Series] = true
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for i, q := range seqs {
			if q != int64(i+1) {
				t.Fatalf("numbers %v…: want 1 to %d without gaps or repeats", seqs[:min(len(seqs), i+3)], n)
			}
		}
		if len(series) != 1 {
			t.Errorf("one month's documents in %d series", len(series))
		}
		// A transaction that takes a number and rolls back gives it back.
		var only string
		for k := range series {
			only = k
		}
		boom := errors.New("boom")
		if err := s.st.InTx(ctx, func(tx *store.Store) error {
			if _, err := tx.NextReceiptSeq(ctx, only); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var next int64
		if err := s.st.InTx(ctx, func(tx *store.Store) (err error) { next, err = tx.NextReceiptSeq(ctx, only); return err }); err != nil {
			t.Fatal(err)
		}
		if next != int64(n+1) {
			t.Errorf("after a rolled-back transaction the next number is %d, want %d", next, n+1)
		}
	})
}

// A refund issues a credit note naming the document it reduces, what that
// said and what is right now; asking for a full tax invoice later
// cancels the abbreviated one and issues a full one with a new number,
// the original's date and the number it replaces.
func TestCreditNotesAndReplacements(t *testing.T) {
	s := newShop(t, storetest.SQLite, seller)
	o := s.order(t, 2, "")
	s.pay1(t, o)
	sale := s.docs(t, o.ID)[0]
	part := o.Total / 4
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: &part, Reason: "สินค้าชำรุด", IdempotencyKey: "r1"}); err != nil {
		t.Fatal(err)
	}
	rs := s.docs(t, o.ID)
	if len(rs) != 2 || rs[1].Type != model.DocCreditNote {
		t.Fatalf("documents after a refund: %+v", rs)
	}
	cn := doc(t, &rs[1])
	if cn.Original != sale.Number || cn.OriginalTotal != o.Total || cn.CorrectedTotal != o.Total-part || cn.Total != part ||
		cn.Reason != "สินค้าชำรุด" || cn.VAT != model.VATIn(part, 700) {
		t.Errorf("credit note: %+v", cn)
	}
	var xml bytes.Buffer
	if err := etax.Encode(&xml, cn); err != nil {
		t.Errorf("e-Tax XML of the credit note: %v", err)
	}

	bad := []struct {
		in   receipt.FullTaxInvoiceInput
		want model.ErrorCode
	}{
		{receipt.FullTaxInvoiceInput{OrderID: o.ID, Name: "นกแก้ว จำกัด", Address: "7 ถนนนิมมานเหมินท์", TaxID: "0994000165383"}, model.CodeInvalid},
		{receipt.FullTaxInvoiceInput{OrderID: o.ID, Name: "", Address: "7 ถนนนิมมานเหมินท์", TaxID: "0994000165382"}, model.CodeBlank},
		{receipt.FullTaxInvoiceInput{OrderID: o.ID, Name: "x", Address: "y", TaxID: "0994000165382", Branch: "1"}, model.CodeInvalid},
	}
	for _, c := range bad {
		if _, err := s.receipts.RequestFullTaxInvoice(ctx, c.in); model.ErrorCodeOf(err) != c.want {
			t.Errorf("%+v: %v, want %s", c.in, err, c.want)
		}
	}
	in := receipt.FullTaxInvoiceInput{OrderID: o.ID, Name: "นกแก้ว จำกัด", Address: "7 ถนนนิมมานเหมินท์ เชียงใหม่ 50200", TaxID: "0994000165382", Branch: "00001"}
	full, err := s.receipts.RequestFullTaxInvoice(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.receipts.RequestFullTaxInvoice(ctx, in)
	if err != nil || again.ID != full.ID {
		t.Errorf("asking again: %+v %v", again, err)
	}
	fd := doc(t, full)
	if full.Type != model.DocTaxInvoice || fd.Replaces != sale.Number || !fd.IssuedAt.Equal(doc(t, &sale).IssuedAt) ||
		full.Number == sale.Number || fd.Buyer.TaxID != in.TaxID || fd.Buyer.Branch != "00001" || fd.Total != o.Total {
		t.Errorf("the full tax invoice: %s %+v", full.Number, fd)
	}
	rs = s.docs(t, o.ID)
	if len(rs) != 3 || rs[0].Status != model.ReceiptCancelled || rs[0].ReplacedByID == nil || *rs[0].ReplacedByID != full.ID {
		t.Errorf("the original after replacement: %+v", rs[0])
	}
	if doc(t, &rs[0]).Number != sale.Number || rs[0].Document != sale.Document {
		t.Error("the cancelled original changed")
	}
}

// Money that arrives for an order cancelled meanwhile (it expired while
// the buyer paid) is owed a receipt all the same, and its refund a credit
// note.
func TestMoneyForACancelledOrderGetsItsDocuments(t *testing.T) {
	s := newShop(t, storetest.SQLite, seller)
	o := s.order(t, 1, "")
	p, err := s.pay.Create(ctx, payment.CreateInput{OrderID: o.ID, Method: model.MethodBankTransfer, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.co.Cancel(ctx, o.ID, "expired"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pay.MarkReceived(ctx, p.ID, "BANK-late", "m"); err != nil {
		t.Fatal(err)
	}
	if rs := s.docs(t, o.ID); len(rs) != 1 || rs[0].Type != model.DocAbbreviatedTaxInvoice {
		t.Fatalf("documents after money for a cancelled order: %+v", rs)
	}
	if _, err := s.pay.Refund(ctx, payment.RefundInput{OrderID: o.ID, Amount: &o.Total, IdempotencyKey: "r"}); err != nil {
		t.Fatal(err)
	}
	if rs := s.docs(t, o.ID); len(rs) != 2 || rs[1].Type != model.DocCreditNote || rs[1].Total != o.Total {
		t.Errorf("documents after the refund: %+v", rs)
	}
}
