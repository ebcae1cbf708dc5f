package etax

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The fixtures are fixed documents, one per kind. Their VAT is split the
// way issuing splits it (model.VATIn, once per document), so the goldens
// show real figures.

var shopVAT = model.Seller{
	NameTH:        "บริษัท หลังร้าน จำกัด",
	NameEN:        "Langran Co., Ltd.",
	AddressTH:     "99/9 ถนนสุขุมวิท แขวงคลองเตยเหนือ เขตวัฒนา กรุงเทพมหานคร 10110",
	AddressEN:     "99/9 Sukhumvit Road, Khlong Toei Nuea, Watthana, Bangkok 10110",
	TaxID:         "0105558123451",
	Branch:        model.HeadOffice,
	VATRegistered: true,
	Phone:         "02-123-4567",
	Email:         "shop@example.com",
}

var shopNoVAT = model.Seller{
	NameTH:    "ร้านป้าแดง",
	NameEN:    "Auntie Daeng's",
	AddressTH: "12 หมู่ 3 ตำบลช้างเผือก อำเภอเมืองเชียงใหม่ เชียงใหม่ 50300",
	TaxID:     "3100600445635",
	Branch:    model.HeadOffice,
}

var companyBuyer = &model.ReceiptBuyer{
	Name:    "บริษัท ผู้ซื้อ จำกัด",
	Address: "1 ถนนนิมมานเหมินท์ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ เชียงใหม่ 50200",
	TaxID:   "1234567890121",
	Branch:  "00001",
}

// issued is 21:30 in Bangkok on 30 November 2026, given in UTC.
var issued = time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC)

func withVAT(d model.ReceiptDocument) *model.ReceiptDocument {
	if d.Seller.VATRegistered {
		d.VATRate = 700
		d.VAT = model.VATIn(d.Total, d.VATRate)
		d.VATBase = d.Total - d.VAT
	}
	return &d
}

func taxInvoice() *model.ReceiptDocument {
	return withVAT(model.ReceiptDocument{
		Type: model.DocTaxInvoice, Number: "RT2611-000123", IssuedAt: issued,
		Seller: shopVAT, Buyer: companyBuyer, OrderNumber: "100042", Currency: model.CurrencyTHB,
		Lines: []model.ReceiptLine{
			{Title: "เสื้อยืดคอกลม สีขาว ไซซ์ M", SKU: "TS-WHT-M", Quantity: 2, UnitPrice: 35000, Discount: 5000, Amount: 65000},
			{Title: "ถุงผ้าหลังร้าน", SKU: "BAG-01", Quantity: 1, UnitPrice: 19900, Amount: 19900},
		},
		Subtotal: 89900, Discount: 5000, Shipping: 5000, Total: 89900,
		PaymentMethod: model.MethodPromptPay,
	})
}

func abbreviated() *model.ReceiptDocument {
	return withVAT(model.ReceiptDocument{
		Type: model.DocAbbreviatedTaxInvoice, Number: "RA2611-000456", IssuedAt: issued,
		Seller: shopVAT, OrderNumber: "100043", Currency: model.CurrencyTHB,
		Lines: []model.ReceiptLine{
			{Title: "กาแฟดริป 250 กรัม", SKU: "COF-250", Quantity: 3, UnitPrice: 10700, Amount: 32100},
		},
		Subtotal: 32100, Total: 32100,
		PaymentMethod: model.MethodStripeCard,
	})
}

func creditNoteDoc() *model.ReceiptDocument {
	return withVAT(model.ReceiptDocument{
		Type: model.DocCreditNote, Number: "CN2612-000007", IssuedAt: issued.AddDate(0, 0, 3),
		Seller: shopVAT, Buyer: companyBuyer, OrderNumber: "100042", Currency: model.CurrencyTHB,
		Lines: []model.ReceiptLine{
			{Title: "ถุงผ้าหลังร้าน", SKU: "BAG-01", Quantity: 1, UnitPrice: 19900, Amount: 19900},
		},
		Subtotal: 19900, Total: 19900,
		Original: "RT2611-000123", OriginalType: model.DocTaxInvoice, OriginalIssuedAt: &issued,
		OriginalTotal: 89900, CorrectedTotal: 70000,
		Reason: "ลูกค้าคืนสินค้า",
	})
}

func plainReceipt() *model.ReceiptDocument {
	return withVAT(model.ReceiptDocument{
		Type: model.DocReceipt, Number: "R2611-000089", IssuedAt: issued,
		Seller: shopNoVAT, Buyer: &model.ReceiptBuyer{Name: "คุณสมชาย ใจดี"},
		OrderNumber: "100044", Currency: model.CurrencyTHB,
		Lines: []model.ReceiptLine{
			{Title: "แคบหมู", Quantity: 4, UnitPrice: 5000, Amount: 20000},
			{Title: "น้ำพริกหนุ่ม", SKU: "NPN-1", Quantity: 2, UnitPrice: 6000, Discount: 1000, Amount: 11000},
		},
		Subtotal: 32000, Discount: 1000, Shipping: 4000, Total: 35000,
	})
}

var fixtures = []struct {
	name string
	doc  func() *model.ReceiptDocument
}{
	{"tax_invoice", taxInvoice},
	{"abbreviated_tax_invoice", abbreviated},
	{"credit_note", creditNoteDoc},
	{"receipt", plainReceipt},
}

func encode(t *testing.T, d *model.ReceiptDocument) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, d); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			got := encode(t, f.doc())
			if again := encode(t, f.doc()); !bytes.Equal(got, again) {
				t.Fatal("two encodings of the same document differ")
			}
			path := filepath.Join("testdata", f.name+".xml")
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
		})
	}
}

// The decoded* types read the message back by namespace and local name,
// independently of the structs that wrote it.

type decodedParty struct {
	Name  string `xml:"Name"`
	TaxID struct {
		SchemeID string `xml:"schemeID,attr"`
		Value    string `xml:",chardata"`
	} `xml:"SpecifiedTaxRegistration>ID"`
	Postcode string `xml:"PostalTradeAddress>PostcodeCode"`
	LineOne  string `xml:"PostalTradeAddress>LineOne"`
	Country  string `xml:"PostalTradeAddress>CountryID"`
}

type decodedTax struct {
	TypeCode         string `xml:"TypeCode"`
	CalculatedRate   string `xml:"CalculatedRate"`
	BasisAmount      string `xml:"BasisAmount"`
	CalculatedAmount string `xml:"CalculatedAmount"`
}

type decoded struct {
	XMLName   xml.Name
	Guideline string `xml:"ExchangedDocumentContext>GuidelineSpecifiedDocumentContextParameter>ID"`
	Document  struct {
		ID            string `xml:"ID"`
		Name          string `xml:"Name"`
		TypeCode      string `xml:"TypeCode"`
		IssueDateTime string `xml:"IssueDateTime"`
		Purpose       string `xml:"Purpose"`
		PurposeCode   string `xml:"PurposeCode"`
	} `xml:"ExchangedDocument"`
	Transaction struct {
		Agreement struct {
			Seller     decodedParty  `xml:"SellerTradeParty"`
			Buyer      *decodedParty `xml:"BuyerTradeParty"`
			Order      string        `xml:"BuyerOrderReferencedDocument>IssuerAssignedID"`
			Additional *struct {
				ID            string `xml:"IssuerAssignedID"`
				IssueDateTime string `xml:"IssueDateTime"`
				TypeCode      string `xml:"ReferenceTypeCode"`
			} `xml:"AdditionalReferencedDocument"`
		} `xml:"ApplicableHeaderTradeAgreement"`
		Settlement struct {
			Currency string       `xml:"InvoiceCurrencyCode"`
			Tax      []decodedTax `xml:"ApplicableTradeTax"`
			Summary  struct {
				Original   string `xml:"OriginalInformationAmount"`
				LineTotal  string `xml:"LineTotalAmount"`
				Difference string `xml:"DifferenceInformationAmount"`
				TaxBasis   string `xml:"TaxBasisTotalAmount"`
				TaxTotal   string `xml:"TaxTotalAmount"`
				Grand      string `xml:"GrandTotalAmount"`
			} `xml:"SpecifiedTradeSettlementHeaderMonetarySummation"`
		} `xml:"ApplicableHeaderTradeSettlement"`
		Lines []struct {
			LineID   int          `xml:"AssociatedDocumentLineDocument>LineID"`
			Name     string       `xml:"SpecifiedTradeProduct>Name"`
			Price    string       `xml:"SpecifiedLineTradeAgreement>GrossPriceProductTradePrice>ChargeAmount"`
			Quantity int          `xml:"SpecifiedLineTradeDelivery>BilledQuantity"`
			Tax      []decodedTax `xml:"SpecifiedLineTradeSettlement>ApplicableTradeTax"`
			Discount string       `xml:"SpecifiedLineTradeSettlement>SpecifiedTradeAllowanceCharge>ActualAmount"`
			TaxTotal string       `xml:"SpecifiedLineTradeSettlement>SpecifiedTradeSettlementLineMonetarySummation>TaxTotalAmount"`
			Net      string       `xml:"SpecifiedLineTradeSettlement>SpecifiedTradeSettlementLineMonetarySummation>NetLineTotalAmount"`
			Gross    string       `xml:"SpecifiedLineTradeSettlement>SpecifiedTradeSettlementLineMonetarySummation>NetIncludingTaxesLineTotalAmount"`
		} `xml:"IncludedSupplyChainTradeLineItem"`
	} `xml:"SupplyChainTradeTransaction"`
}

func decode(t *testing.T, b []byte) decoded {
	t.Helper()
	var m decoded
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not well-formed XML: %v", err)
	}
	return m
}

// satang parses an amount the way a receiver would, back to minor units.
func satang(t *testing.T, s string) int64 {
	t.Helper()
	if !regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`).MatchString(s) {
		t.Fatalf("amount %q is not a decimal with two places", s)
	}
	v, err := model.ParseMinor(s, 2)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return v
}

var taxID18 = regexp.MustCompile(`^[0-9]{18}$`)

func TestDecodedMessageAddsUp(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			d := f.doc()
			m := decode(t, encode(t, d))

			rsm, ram := Namespaces(d.Type)
			if m.XMLName.Space != rsm || m.XMLName.Local != RootName(d.Type) {
				t.Errorf("root = {%s}%s, want {%s}%s", m.XMLName.Space, m.XMLName.Local, rsm, RootName(d.Type))
			}
			if !strings.Contains(ram, "_ReusableAggregateBusinessInformationEntity:2") {
				t.Errorf("ram namespace %q", ram)
			}
			if m.Guideline != Guideline {
				t.Errorf("guideline = %q", m.Guideline)
			}
			if m.Document.ID != d.Number || m.Document.Name != d.TitleTH() || m.Document.TypeCode != TypeCode(d.Type) {
				t.Errorf("document = %+v", m.Document)
			}
			if want := "2026-11-30T21:30:00+07:00"; d.Type != model.DocCreditNote && m.Document.IssueDateTime != want {
				t.Errorf("IssueDateTime = %q, want %q", m.Document.IssueDateTime, want)
			}

			seller := m.Transaction.Agreement.Seller
			if seller.TaxID.SchemeID != SchemeTaxID || !taxID18.MatchString(seller.TaxID.Value) ||
				seller.TaxID.Value != d.Seller.TaxID+d.Seller.Branch {
				t.Errorf("seller tax registration = %+v", seller.TaxID)
			}
			if len(seller.Postcode) != 5 || seller.Country != "TH" || seller.LineOne == "" {
				t.Errorf("seller address = %q %q %q", seller.Postcode, seller.LineOne, seller.Country)
			}
			if buyer := m.Transaction.Agreement.Buyer; d.Buyer == nil {
				if buyer != nil {
					t.Errorf("buyer %+v on a document without one", buyer)
				}
			} else if buyer == nil {
				t.Error("buyer missing")
			} else if d.Buyer.TaxID != "" {
				if buyer.TaxID.SchemeID != SchemeTaxID || !taxID18.MatchString(buyer.TaxID.Value) ||
					buyer.TaxID.Value[:13] != d.Buyer.TaxID || buyer.TaxID.Value[13:] != d.Buyer.Branch {
					t.Errorf("buyer tax registration = %+v", buyer.TaxID)
				}
			} else if buyer.TaxID.SchemeID != SchemeOther || buyer.TaxID.Value != NoTaxID {
				t.Errorf("buyer without a tax ID = %+v", buyer.TaxID)
			}
			if m.Transaction.Agreement.Order != d.OrderNumber {
				t.Errorf("order = %q", m.Transaction.Agreement.Order)
			}

			set := m.Transaction.Settlement
			if set.Currency != "THB" {
				t.Errorf("currency = %q", set.Currency)
			}
			sum := set.Summary
			lineTotal, taxBasis, taxTotal, grand := satang(t, sum.LineTotal), satang(t, sum.TaxBasis), satang(t, sum.TaxTotal), satang(t, sum.Grand)
			if grand != d.Total || taxTotal != d.VAT || grand != taxBasis+taxTotal {
				t.Errorf("grand %d, basis %d, tax %d for total %d, VAT %d", grand, taxBasis, taxTotal, d.Total, d.VAT)
			}
			if d.Seller.VATRegistered {
				if len(set.Tax) != 1 || set.Tax[0].TypeCode != "VAT" || set.Tax[0].CalculatedRate != "7.00" ||
					satang(t, set.Tax[0].BasisAmount) != d.VATBase || satang(t, set.Tax[0].CalculatedAmount) != d.VAT {
					t.Errorf("header tax = %+v", set.Tax)
				}
			} else if len(set.Tax) != 0 {
				t.Errorf("tax %+v from a seller outside VAT", set.Tax)
			}

			var nets, vats, grosses int64
			for i, l := range m.Transaction.Lines {
				if l.LineID != i+1 {
					t.Errorf("line %d has LineID %d", i+1, l.LineID)
				}
				net, vat, gross := satang(t, l.Net), satang(t, l.TaxTotal), satang(t, l.Gross)
				if net+vat != gross {
					t.Errorf("line %d: net %d + VAT %d != %d", i+1, net, vat, gross)
				}
				disc := int64(0)
				if l.Discount != "" {
					disc = satang(t, l.Discount)
				}
				if satang(t, l.Price)*int64(l.Quantity)-disc != gross {
					t.Errorf("line %d: %s × %d − %d != %d", i+1, l.Price, l.Quantity, disc, gross)
				}
				nets, vats, grosses = nets+net, vats+vat, grosses+gross
			}
			if grosses != grand || vats != taxTotal {
				t.Errorf("lines add up to %d with VAT %d; document says %d with %d", grosses, vats, grand, taxTotal)
			}
			if d.Type == model.DocCreditNote {
				// The lines are what the note gives back: they add up to the
				// difference, and the original less the right value is the
				// difference.
				orig, diff := satang(t, sum.Original), satang(t, sum.Difference)
				if nets != diff || orig-lineTotal != diff || taxBasis != diff {
					t.Errorf("lines %d, original %d, line total %d, difference %d, basis %d", nets, orig, lineTotal, diff, taxBasis)
				}
			} else if nets != lineTotal {
				t.Errorf("line net amounts add up to %d, LineTotalAmount is %d", nets, lineTotal)
			}
		})
	}
}

func TestCreditNoteReferencesItsOriginal(t *testing.T) {
	d := creditNoteDoc()
	m := decode(t, encode(t, d))
	ref := m.Transaction.Agreement.Additional
	if ref == nil || ref.ID != d.Original || ref.TypeCode != "T03" {
		t.Fatalf("referenced document = %+v", ref)
	}
	if m.Document.PurposeCode != "CDNG99" || m.Document.Purpose != d.Reason {
		t.Errorf("purpose = %q %q", m.Document.PurposeCode, m.Document.Purpose)
	}
	// The original said 899.00 with VAT: 840.19 before it; the note takes
	// 199.00 back, 185.98 before VAT.
	s := m.Transaction.Settlement.Summary
	if s.Original != "840.19" || s.Difference != "185.98" || s.LineTotal != "654.21" || s.TaxTotal != "13.02" || s.Grand != "199.00" {
		t.Errorf("summation = %+v", s)
	}
}

func TestReplacementNamesTheReplacedDocument(t *testing.T) {
	d := taxInvoice()
	d.Replaces = "RA2611-000455"
	m := decode(t, encode(t, d))
	ref := m.Transaction.Agreement.Additional
	if ref == nil || ref.ID != d.Replaces {
		t.Fatalf("referenced document = %+v", ref)
	}
	if m.Document.PurposeCode != "TIVC99" || !strings.Contains(m.Document.Purpose, d.Replaces) {
		t.Errorf("purpose = %q %q", m.Document.PurposeCode, m.Document.Purpose)
	}
}

func TestNamesAreEscaped(t *testing.T) {
	d := taxInvoice()
	d.Seller.NameTH = `ร้าน <A&B> "ดี" 'มาก'`
	d.Buyer = &model.ReceiptBuyer{Name: "<&> Trading </ram:Name>", Address: "1 & 2 <Soi> Bangkok 10110", TaxID: companyBuyer.TaxID, Branch: "00000"}
	d.Lines[0].Title = "Tee <M> & cap"
	b := encode(t, d)
	for _, raw := range []string{"<A&B>", "<&>", "</ram:Name> Trading", "<Soi>", "<M>"} {
		if bytes.Contains(b, []byte(raw)) {
			t.Errorf("output contains %q unescaped", raw)
		}
	}
	if !bytes.Contains(b, []byte("&lt;&amp;&gt; Trading &lt;/ram:Name&gt;")) {
		t.Errorf("buyer name not escaped as expected:\n%s", b)
	}
	m := decode(t, b)
	if got := m.Transaction.Agreement.Seller.Name; got != d.Seller.NameTH {
		t.Errorf("seller name read back as %q", got)
	}
	if got := m.Transaction.Agreement.Buyer.Name; got != d.Buyer.Name {
		t.Errorf("buyer name read back as %q", got)
	}
	if got := m.Transaction.Lines[0].Name; got != d.Lines[0].Title {
		t.Errorf("line name read back as %q", got)
	}
}

func TestTypeCode(t *testing.T) {
	for typ, want := range map[model.DocumentType]string{
		model.DocTaxInvoice:            "T03",
		model.DocAbbreviatedTaxInvoice: "T06",
		model.DocReceipt:               "T01",
		model.DocCreditNote:            "81",
		"DEBIT_NOTE":                   "",
	} {
		if got := TypeCode(typ); got != want {
			t.Errorf("TypeCode(%s) = %q, want %q", typ, got, want)
		}
	}
}

func TestIssueDateIsBangkokTime(t *testing.T) {
	d := abbreviated()
	d.IssuedAt = time.Date(2026, 12, 31, 17, 5, 9, 0, time.UTC) // already 2027 in Bangkok
	if got := decode(t, encode(t, d)).Document.IssueDateTime; got != "2027-01-01T00:05:09+07:00" {
		t.Errorf("IssueDateTime = %q", got)
	}
}

func TestRefusesDocumentsThatContradictThemselves(t *testing.T) {
	for name, spoil := range map[string]func(d *model.ReceiptDocument){
		"bad seller tax ID":    func(d *model.ReceiptDocument) { d.Seller.TaxID = "0105558123456" },
		"short seller branch":  func(d *model.ReceiptDocument) { d.Seller.Branch = "1" },
		"bad buyer tax ID":     func(d *model.ReceiptDocument) { d.Buyer.TaxID = "123456789012" },
		"lines off the total":  func(d *model.ReceiptDocument) { d.Lines[1].Amount--; d.Lines[1].UnitPrice-- },
		"line arithmetic":      func(d *model.ReceiptDocument) { d.Lines[0].Amount++ },
		"VAT split off":        func(d *model.ReceiptDocument) { d.VAT++ },
		"tax invoice no buyer": func(d *model.ReceiptDocument) { d.Buyer = nil },
		"unknown type":         func(d *model.ReceiptDocument) { d.Type = "DEBIT_NOTE" },
		"no lines":             func(d *model.ReceiptDocument) { d.Lines = nil; d.Shipping = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			d := taxInvoice()
			b := *d.Buyer
			d.Buyer = &b
			spoil(d)
			var out bytes.Buffer
			if err := Encode(&out, d); err == nil {
				t.Errorf("Encode accepted it:\n%s", out.String())
			}
		})
	}
	d := creditNoteDoc()
	d.CorrectedTotal++
	if err := Encode(&bytes.Buffer{}, d); err == nil {
		t.Error("Encode accepted a credit note whose original less corrected is not its total")
	}
}
