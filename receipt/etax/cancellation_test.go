package etax

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
)

// cancelAbbreviated is the case Langran has: the buyer asks two days
// later for a full tax invoice, so the abbreviated invoice is cancelled
// and a tax invoice replaces it.
func cancelAbbreviated() Cancellation {
	d := abbreviated()
	return Cancellation{
		Number:     d.Number + "-C",
		IssuedAt:   issued.AddDate(0, 0, 2),
		Reason:     "ผู้ซื้อขอใบกำกับภาษีเต็มรูป",
		ReplacedBy: "RT2612-000130",
	}
}

func encodeCancellation(t *testing.T, d *model.ReceiptDocument, c Cancellation) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := EncodeCancellation(&b, d, c); err != nil {
		t.Fatalf("EncodeCancellation: %v", err)
	}
	return b.Bytes()
}

func TestCancellationGolden(t *testing.T) {
	got := encodeCancellation(t, abbreviated(), cancelAbbreviated())
	if again := encodeCancellation(t, abbreviated(), cancelAbbreviated()); !bytes.Equal(got, again) {
		t.Fatal("two encodings of the same cancellation differ")
	}
	path := filepath.Join("testdata", "cancellation_note.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./receipt/etax -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update if the change is meant):\n%s", path, got)
	}
}

func TestCancellationNoteNamesTheCancelledDocument(t *testing.T) {
	d, c := abbreviated(), cancelAbbreviated()
	m := decode(t, encodeCancellation(t, d, c))

	rsm, _ := CancellationNamespaces()
	if m.XMLName.Space != rsm || m.XMLName.Local != "CancellationNote_CrossIndustryInvoice" ||
		rsm != "urn:etda:uncefact:data:standard:CancellationNote_CrossIndustryInvoice:2" {
		t.Errorf("root = {%s}%s", m.XMLName.Space, m.XMLName.Local)
	}
	doc := m.Document
	if doc.TypeCode != "T07" || doc.Name != "ใบแจ้งยกเลิก" || doc.ID != c.Number {
		t.Errorf("document = %+v", doc)
	}
	if doc.IssueDateTime != "2026-12-02T21:30:00+07:00" {
		t.Errorf("IssueDateTime = %q", doc.IssueDateTime)
	}
	if !strings.HasPrefix(doc.Purpose, c.Reason) || !strings.Contains(doc.Purpose, c.ReplacedBy) || doc.PurposeCode != "" {
		t.Errorf("purpose = %q %q", doc.PurposeCode, doc.Purpose)
	}
	ref := m.Transaction.Agreement.Additional
	if ref == nil || ref.ID != d.Number || ref.IssueDateTime != "2026-11-30T21:30:00+07:00" || ref.TypeCode != "T06" {
		t.Fatalf("referenced document = %+v", ref)
	}
	if got := m.Transaction.Agreement.Seller.TaxID; got.SchemeID != SchemeTaxID || got.Value != d.Seller.TaxID+model.HeadOffice {
		t.Errorf("seller registration = %+v", got)
	}
	if m.Transaction.Agreement.Order != d.OrderNumber {
		t.Errorf("order = %q", m.Transaction.Agreement.Order)
	}
	// The totals are the cancelled document's.
	s := m.Transaction.Settlement.Summary
	if satang(t, s.Grand) != d.Total || satang(t, s.TaxTotal) != d.VAT || satang(t, s.LineTotal) != d.VATBase {
		t.Errorf("summation = %+v", s)
	}
}

func TestCancellationOfACreditNoteReferencesTheNoteNotItsOriginal(t *testing.T) {
	d := creditNoteDoc()
	m := decode(t, encodeCancellation(t, d, Cancellation{Number: d.Number + "-C", IssuedAt: d.IssuedAt}))
	ref := m.Transaction.Agreement.Additional
	if ref == nil || ref.ID != d.Number || ref.TypeCode != "81" {
		t.Fatalf("referenced document = %+v", ref)
	}
	if m.Document.Purpose != "ยกเลิกเอกสารเลขที่ "+d.Number {
		t.Errorf("default purpose = %q", m.Document.Purpose)
	}
}

func TestRefusesCancellationsWithoutNumberOrDate(t *testing.T) {
	for name, spoil := range map[string]func(c *Cancellation){
		"empty number":        func(c *Cancellation) { c.Number = "" },
		"blank number":        func(c *Cancellation) { c.Number = "  " },
		"zero date":           func(c *Cancellation) { c.IssuedAt = time.Time{} },
		"cancelled's number":  func(c *Cancellation) { c.Number = abbreviated().Number },
		"before the document": func(c *Cancellation) { c.IssuedAt = issued.Add(-time.Minute) },
		"replaced by itself":  func(c *Cancellation) { c.ReplacedBy = abbreviated().Number },
	} {
		t.Run(name, func(t *testing.T) {
			c := cancelAbbreviated()
			spoil(&c)
			var out bytes.Buffer
			if err := EncodeCancellation(&out, abbreviated(), c); err == nil {
				t.Errorf("EncodeCancellation accepted it:\n%s", out.String())
			} else if out.Len() != 0 {
				t.Errorf("wrote %d bytes before refusing", out.Len())
			}
		})
	}
	d := abbreviated()
	d.VAT++
	if err := EncodeCancellation(&bytes.Buffer{}, d, cancelAbbreviated()); err == nil {
		t.Error("EncodeCancellation accepted a document whose VAT does not add up")
	}
	d = abbreviated()
	d.Seller.TaxID = "0105558123456"
	if err := EncodeCancellation(&bytes.Buffer{}, d, cancelAbbreviated()); err == nil {
		t.Error("EncodeCancellation accepted a bad seller tax ID")
	}
	if err := EncodeCancellation(&bytes.Buffer{}, nil, cancelAbbreviated()); err == nil {
		t.Error("EncodeCancellation accepted no document")
	}
}
