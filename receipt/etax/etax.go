// Package etax writes a receipt document as the XML of Thailand's e-Tax
// Invoice & e-Receipt: the ETDA recommendation ขมธอ. 3-2560 (Trade Services
// Message Standard, version 2), a profile of UN/CEFACT's Cross Industry
// Invoice. It writes the unsigned message only: signing (XAdES) and
// submission to the Revenue Department are other work. docs/ETAX.md maps
// every element to the document and lists what is not covered.
// EncodeCancellation writes the cancellation note (T07) for a document
// that has been cancelled.
package etax

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// Guideline is the ID of the ETDA standard the messages follow, as
// ExchangedDocumentContext names it.
const (
	Guideline        = "ER3-2560"
	GuidelineAgency  = "ETDA"
	GuidelineVersion = "v2.0"
)

// The values of a tax registration's schemeID: a 13-digit tax ID followed
// by a 5-digit branch, or "N/A" for a buyer who gave no tax ID.
const (
	SchemeTaxID = "TXID"
	SchemeOther = "OTHR"
	NoTaxID     = "N/A"
)

// ShippingLineName names the line that carries shipping, which the XML has
// no separate place for in a VAT-inclusive document.
const ShippingLineName = "ค่าจัดส่ง"

// unitCode is UN/ECE Recommendation 20's "one": every line is counted in
// pieces.
const unitCode = "C62"

// bangkok is Thailand's time, UTC+7 all year (no daylight saving), fixed
// here so that the output does not depend on the machine's tz database.
var bangkok = time.FixedZone("ICT", 7*60*60)

// dateTimeLayout is xs:dateTime with the +07:00 offset spelled out.
const dateTimeLayout = "2006-01-02T15:04:05-07:00"

// kind is what differs between the four messages.
type kind struct {
	typeCode string
	schema   string // the prefix of the root element and both namespaces
}

var kinds = map[model.DocumentType]kind{
	model.DocTaxInvoice:            {"T03", "TaxInvoice"},
	model.DocAbbreviatedTaxInvoice: {"T06", "AbbreviatedTaxInvoice"},
	model.DocReceipt:               {"T01", "Receipt"},
	model.DocCreditNote:            {"81", "DebitCreditNote"},
}

// TypeCode returns the ETDA document type code (ThaiDocumentNameCode) of a
// document type: T03 receipt/tax invoice, T06 receipt/abbreviated tax
// invoice, T01 receipt, 81 credit note; "" for a type it does not know.
func TypeCode(t model.DocumentType) string {
	return kinds[t].typeCode
}

// RootName is the root element of the message for t, e.g.
// "TaxInvoice_CrossIndustryInvoice"; "" for a type it does not know.
func RootName(t model.DocumentType) string {
	k, ok := kinds[t]
	if !ok {
		return ""
	}
	return k.schema + "_CrossIndustryInvoice"
}

// Namespaces returns the rsm (root) and ram (reusable aggregates)
// namespaces of the message for t.
func Namespaces(t model.DocumentType) (rsm, ram string) {
	k, ok := kinds[t]
	if !ok {
		return "", ""
	}
	return namespaces(k.schema)
}

func namespaces(schema string) (rsm, ram string) {
	return "urn:etda:uncefact:data:standard:" + schema + "_CrossIndustryInvoice:2",
		"urn:etda:uncefact:data:standard:" + schema + "_ReusableAggregateBusinessInformationEntity:2"
}

// Encode writes d as an indented, UTF-8 e-Tax message. The output depends
// on d alone, byte for byte. It refuses a document whose figures do not add
// up or whose tax IDs are malformed rather than write a message that
// contradicts itself.
func Encode(w io.Writer, d *model.ReceiptDocument) error {
	m, err := build(d)
	if err != nil {
		return err
	}
	return write(w, m)
}

// write writes m as indented UTF-8 XML after the XML declaration.
func write(w io.Writer, m *message) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("etax: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("etax: "+format, args...)
}

func build(d *model.ReceiptDocument) (*message, error) {
	if d == nil {
		return nil, errors.New("etax: no document")
	}
	k, ok := kinds[d.Type]
	if !ok {
		return nil, invalid("unknown document type %q", d.Type)
	}
	if strings.TrimSpace(d.Number) == "" {
		return nil, invalid("document has no number")
	}
	if d.IssuedAt.IsZero() {
		return nil, invalid("document %s has no date of issue", d.Number)
	}
	if d.Currency == "" {
		return nil, invalid("document %s has no currency", d.Number)
	}
	digits := d.Currency.MinorDigits()
	amount := func(minor int64) string { return model.FormatMinor(minor, digits) }
	vat := d.Seller.VATRegistered

	if vat {
		if d.VATBase+d.VAT != d.Total {
			return nil, invalid("document %s: VAT base %d and VAT %d do not add up to the total %d", d.Number, d.VATBase, d.VAT, d.Total)
		}
	} else if d.VAT != 0 {
		return nil, invalid("document %s: a seller not registered for VAT charges no VAT", d.Number)
	}

	seller, err := sellerParty(d.Seller)
	if err != nil {
		return nil, err
	}
	var buyer *tradeParty
	if d.Buyer != nil {
		if buyer, err = buyerParty(d.Buyer); err != nil {
			return nil, err
		}
	} else if d.Type == model.DocTaxInvoice {
		return nil, invalid("tax invoice %s names no buyer", d.Number)
	}

	lines, err := lineItems(d, amount)
	if err != nil {
		return nil, err
	}

	rsm, ram := Namespaces(d.Type)
	m := &message{
		XMLName:  xml.Name{Local: "rsm:" + RootName(d.Type)},
		XMLNSRsm: rsm,
		XMLNSRam: ram,
		Context: documentContext{Guideline: guideline{ID: schemeID{
			SchemeAgencyID: GuidelineAgency, SchemeVersionID: GuidelineVersion, Value: Guideline,
		}}},
		Document: exchangedDocument{
			ID:            d.Number,
			Name:          d.TitleTH(),
			TypeCode:      k.typeCode,
			IssueDateTime: dateTime(d.IssuedAt),
		},
	}
	tx := &m.Transaction
	tx.Agreement.Seller = seller
	tx.Agreement.Buyer = buyer
	if d.OrderNumber != "" {
		tx.Agreement.BuyerOrder = &referencedDocument{IssuerAssignedID: d.OrderNumber}
	}
	tx.Settlement.Currency = listCode{ListID: "ISO 4217 3A", Value: string(d.Currency)}
	tx.Lines = lines

	base := d.Total // what the tax is figured on: all of it without VAT
	if vat {
		base = d.VATBase
		tx.Settlement.Tax = &tradeTax{
			TypeCode:         "VAT",
			CalculatedRate:   model.FormatMinor(int64(d.VATRate), 2),
			BasisAmount:      amount(d.VATBase),
			CalculatedAmount: amount(d.VAT),
		}
	}
	sum := &tx.Settlement.Summary
	sum.LineTotalAmount = amount(base)
	sum.TaxBasisTotalAmount = amount(base)
	sum.TaxTotalAmount = amount(d.VAT)
	sum.GrandTotalAmount = amount(d.Total)

	switch d.Type {
	case model.DocCreditNote:
		if err := creditNote(m, d, amount); err != nil {
			return nil, err
		}
	default:
		if d.Replaces != "" {
			replacement(m, d)
		}
	}
	return m, nil
}

// creditNote fills in what section 86/10 asks of a credit note: the
// document it reduces, its value, the right value, the difference and the
// tax on the difference. ETDA checks Difference = Original − LineTotal and
// Grand = Difference + Tax; the difference and its tax are the credit
// note's own VAT split, so the printed and the electronic document agree,
// and the right value is derived from them.
func creditNote(m *message, d *model.ReceiptDocument, amount func(int64) string) error {
	if d.Original == "" {
		return invalid("credit note %s names no original document", d.Number)
	}
	if d.OriginalTotal-d.CorrectedTotal != d.Total {
		return invalid("credit note %s: original %d less corrected %d is not its total %d", d.Number, d.OriginalTotal, d.CorrectedTotal, d.Total)
	}
	originalBase, difference := d.OriginalTotal, d.Total
	if d.Seller.VATRegistered {
		originalBase -= model.VATIn(d.OriginalTotal, d.VATRate)
		difference = d.VATBase
	}
	sum := &m.Transaction.Settlement.Summary
	sum.OriginalInformationAmount = amount(originalBase)
	sum.LineTotalAmount = amount(originalBase - difference)
	sum.DifferenceInformationAmount = amount(difference)

	reason := strings.TrimSpace(d.Reason)
	if reason == "" {
		reason = "ลดหนี้ตามเอกสารเลขที่ " + d.Original
	}
	// CDNG99 ("another reason, stated") because the document carries its
	// reason as text only; ETDA then requires Purpose.
	m.Document.PurposeCode = "CDNG99"
	m.Document.Purpose = reason
	ref := &referencedDocument{
		IssuerAssignedID:  d.Original,
		ReferenceTypeCode: originalTypeCode(d),
	}
	if d.OriginalIssuedAt != nil {
		ref.IssueDateTime = dateTime(*d.OriginalIssuedAt)
	}
	m.Transaction.Agreement.Additional = ref
	return nil
}

// originalTypeCode is the type of the document a credit note reduces: as
// the note records it, else inferred (documents issued before it was
// recorded): a named buyer means a full tax invoice, none an abbreviated
// one, and a seller outside VAT issues plain receipts.
func originalTypeCode(d *model.ReceiptDocument) string {
	switch {
	case d.OriginalType != "":
		return TypeCode(d.OriginalType)
	case !d.Seller.VATRegistered:
		return TypeCode(model.DocReceipt)
	case d.Buyer != nil:
		return TypeCode(model.DocTaxInvoice)
	}
	return TypeCode(model.DocAbbreviatedTaxInvoice)
}

// replacement records the document this one replaces. A replacement keeps
// its original's date, so IssuedAt is the replaced document's date too.
// No ReferenceTypeCode: ETDA's tax invoice rules accept only 388, T02, T03
// and T04 there, none of which is the abbreviated invoice replaced.
func replacement(m *message, d *model.ReceiptDocument) {
	m.Document.Purpose = "ออกแทนเอกสารเลขที่ " + d.Replaces
	switch d.Type {
	case model.DocTaxInvoice:
		m.Document.PurposeCode = "TIVC99"
	case model.DocReceipt:
		m.Document.PurposeCode = "RCTC99"
	}
	m.Transaction.Agreement.Additional = &referencedDocument{
		IssuerAssignedID: d.Replaces,
		IssueDateTime:    dateTime(d.IssuedAt),
	}
}

func dateTime(t time.Time) string { return t.In(bangkok).Format(dateTimeLayout) }

var (
	digits13 = regexp.MustCompile(`^[0-9]{13}$`)
	digits5  = regexp.MustCompile(`^[0-9]{5}$`)
	// postcode is a Thai postcode closing an address, as Thai addresses
	// are written ("... กรุงเทพมหานคร 10110").
	postcode = regexp.MustCompile(`(?:^|\s)([1-9][0-9]{4})\s*$`)
)

// registration is a tax ID and branch as ETDA writes them: 18 digits.
func registration(who, taxID, branch string) (*taxRegistration, error) {
	if !model.ValidThaiTaxID(taxID) {
		return nil, invalid("%s tax ID %q is not a valid 13-digit Thai tax ID", who, taxID)
	}
	if branch == "" {
		branch = model.HeadOffice
	}
	if !digits5.MatchString(branch) {
		return nil, invalid("%s branch %q is not 5 digits", who, branch)
	}
	return &taxRegistration{ID: schemeID{SchemeID: SchemeTaxID, Value: taxID + branch}}, nil
}

func address(s string) *tradeAddress {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	a := &tradeAddress{LineOne: s, CountryID: schemeID{SchemeID: "3166-1 alpha-2", Value: "TH"}}
	if m := postcode.FindStringSubmatch(s); m != nil {
		a.PostcodeCode = m[1]
	}
	return a
}

func sellerParty(s model.Seller) (tradeParty, error) {
	name := strings.TrimSpace(s.NameTH)
	if name == "" {
		name = strings.TrimSpace(s.NameEN)
	}
	if name == "" {
		return tradeParty{}, invalid("seller has no name")
	}
	reg, err := registration("seller", s.TaxID, s.Branch)
	if err != nil {
		return tradeParty{}, err
	}
	addr := s.AddressTH
	if strings.TrimSpace(addr) == "" {
		addr = s.AddressEN
	}
	return tradeParty{Name: name, Tax: reg, Address: address(addr)}, nil
}

func buyerParty(b *model.ReceiptBuyer) (*tradeParty, error) {
	name := strings.TrimSpace(b.Name)
	if name == "" {
		return nil, invalid("buyer has no name")
	}
	p := &tradeParty{Name: name, Address: address(b.Address)}
	if b.TaxID == "" {
		// ETDA wants a registration on every buyer it is given; "N/A"
		// under OTHR is its way of saying there is none.
		p.Tax = &taxRegistration{ID: schemeID{SchemeID: SchemeOther, Value: NoTaxID}}
		return p, nil
	}
	reg, err := registration("buyer", b.TaxID, b.Branch)
	if err != nil {
		return nil, err
	}
	p.Tax = reg
	return p, nil
}

// lineItems turns the document's lines, and its shipping as one more
// line, into line items whose VAT-inclusive amounts add up to the total.
// The document's VAT, extracted once from the total, is shared out over
// the lines by largest remainder (model.Allocate), as the order's lines
// share it, so the lines' net amounts add up to the VAT base exactly.
func lineItems(d *model.ReceiptDocument, amount func(int64) string) ([]lineItem, error) {
	ls := make([]model.ReceiptLine, 0, len(d.Lines)+1)
	ls = append(ls, d.Lines...)
	if d.Shipping != 0 {
		ls = append(ls, model.ReceiptLine{Title: ShippingLineName, Quantity: 1, UnitPrice: d.Shipping, Amount: d.Shipping})
	}
	if len(ls) == 0 {
		return nil, invalid("document %s has no lines", d.Number)
	}
	var sum int64
	weights := make([]int64, len(ls))
	for i, l := range ls {
		if strings.TrimSpace(l.Title) == "" {
			return nil, invalid("document %s: line %d has no title", d.Number, i+1)
		}
		if l.Quantity <= 0 || l.UnitPrice < 0 || l.Discount < 0 || l.Amount < 0 {
			return nil, invalid("document %s: line %d has a negative or zero figure", d.Number, i+1)
		}
		if l.UnitPrice*int64(l.Quantity)-l.Discount != l.Amount {
			return nil, invalid("document %s: line %d: %d × %d − %d is not its amount %d", d.Number, i+1, l.UnitPrice, l.Quantity, l.Discount, l.Amount)
		}
		sum += l.Amount
		weights[i] = l.Amount
	}
	if sum != d.Total {
		return nil, invalid("document %s: lines and shipping add up to %d, not the total %d", d.Number, sum, d.Total)
	}
	vats := model.Allocate(d.VAT, weights)

	items := make([]lineItem, len(ls))
	for i, l := range ls {
		it := lineItem{
			Document:  lineDocument{LineID: i + 1},
			Product:   product{ID: l.SKU, Name: l.Title},
			Agreement: lineAgreement{GrossPrice: tradePrice{ChargeAmount: amount(l.UnitPrice)}},
			Delivery:  lineDelivery{BilledQuantity: quantity{UnitCode: unitCode, Value: l.Quantity}},
			Settlement: lineSettlement{Summary: lineSummation{
				TaxTotalAmount:                   amount(vats[i]),
				NetLineTotalAmount:               amount(l.Amount - vats[i]),
				NetIncludingTaxesLineTotalAmount: amount(l.Amount),
			}},
		}
		if d.Seller.VATRegistered {
			it.Settlement.Tax = &tradeTax{
				TypeCode:         "VAT",
				CalculatedRate:   model.FormatMinor(int64(d.VATRate), 2),
				BasisAmount:      amount(l.Amount - vats[i]),
				CalculatedAmount: amount(vats[i]),
			}
		}
		if l.Discount != 0 {
			it.Settlement.Allowance = &allowanceCharge{ChargeIndicator: false, ActualAmount: amount(l.Discount)}
		}
		items[i] = it
	}
	return items, nil
}
