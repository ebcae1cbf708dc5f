package model

import "time"

// DocumentType is the kind of a document issued for a payment or refund.
type DocumentType string

// The document types.
const (
	// DocReceipt is a plain receipt (ใบเสร็จรับเงิน), from a seller not
	// registered for VAT.
	DocReceipt DocumentType = "RECEIPT"
	// DocTaxInvoice is a receipt and full tax invoice
	// (ใบเสร็จรับเงิน/ใบกำกับภาษี) naming a buyer who gave tax details.
	DocTaxInvoice DocumentType = "TAX_INVOICE"
	// DocAbbreviatedTaxInvoice is a receipt and abbreviated tax invoice
	// (ใบเสร็จรับเงิน/ใบกำกับภาษีอย่างย่อ), for a buyer without tax details.
	DocAbbreviatedTaxInvoice DocumentType = "ABBREVIATED_TAX_INVOICE"
	// DocCreditNote is a credit note (ใบลดหนี้) for a refund, referencing
	// the document it reduces.
	DocCreditNote DocumentType = "CREDIT_NOTE"
)

// Seller is who issues documents: the shop, as configured.
type Seller struct {
	NameTH    string `json:"nameTh"`
	NameEN    string `json:"nameEn"`
	AddressTH string `json:"addressTh"`
	AddressEN string `json:"addressEn"`
	// TaxID is the 13-digit tax identification number.
	TaxID string `json:"taxId"`
	// Branch is "00000" for the head office (สำนักงานใหญ่) or a 5-digit
	// branch number (สาขาที่ 00001).
	Branch        string `json:"branch"`
	VATRegistered bool   `json:"vatRegistered"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`
	// LogoURL is an image to show on the HTML document, "" for none.
	LogoURL string `json:"logoUrl,omitempty"`
	// Footer is printed at the foot of every document.
	Footer string `json:"footer,omitempty"`
}

// HeadOffice is the branch code of a head office.
const HeadOffice = "00000"

// ReceiptBuyer is the buyer as a document names them.
type ReceiptBuyer struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	// TaxID and Branch are set for a full tax invoice to a buyer who gave
	// them; Branch "00000" is a head office.
	TaxID  string `json:"taxId,omitempty"`
	Branch string `json:"branch,omitempty"`
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
}

// ReceiptLine is a line of a document. Amounts are VAT-inclusive minor
// units, as the order's lines are.
type ReceiptLine struct {
	Title     string `json:"title"`
	SKU       string `json:"sku,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unitPrice"`
	Discount  int64  `json:"discount"` // the line's share of the discounts
	Amount    int64  `json:"amount"`   // UnitPrice × Quantity − Discount
}

// ReceiptDocument is everything a document says, fixed when it is issued:
// renderers (HTML, PDF, e-Tax XML) draw it and nothing else, and it is
// never changed afterwards. A correction is a new document.
type ReceiptDocument struct {
	Type     DocumentType `json:"type"`
	Number   string       `json:"number"`
	IssuedAt time.Time    `json:"issuedAt"` // the date of issue (a replacement keeps its original's)
	Seller   Seller       `json:"seller"`
	// Buyer is who the document is for; nil on an abbreviated tax invoice
	// or a receipt to a buyer who gave no details.
	Buyer       *ReceiptBuyer `json:"buyer,omitempty"`
	OrderNumber string        `json:"orderNumber"`
	Lines       []ReceiptLine `json:"lines"`
	Currency    CurrencyCode  `json:"currency"`
	// Subtotal is the lines before discounts; Discount what codes took off
	// the lines; Shipping the delivery after free-shipping codes; Total
	// what was paid (or, on a credit note, what goes back), VAT included.
	Subtotal int64 `json:"subtotal"`
	Discount int64 `json:"discount"`
	Shipping int64 `json:"shipping"`
	Total    int64 `json:"total"`
	// VATRate, VATBase and VAT split Total: VAT = Total × rate / (1 +
	// rate), half up, once per document; VATBase = Total − VAT. Zero when
	// the seller is not VAT-registered.
	VATRate RateBasisPoints `json:"vatRate"`
	VATBase int64           `json:"vatBase"`
	VAT     int64           `json:"vat"`
	// TotalInWordsTH is Total in Thai words (BahtText); TotalInWordsEN in
	// English.
	TotalInWordsTH string `json:"totalInWordsTh"`
	TotalInWordsEN string `json:"totalInWordsEn"`
	// PaymentMethod and PaymentReference say how the money moved.
	PaymentMethod    PaymentMethod `json:"paymentMethod,omitempty"`
	PaymentReference string        `json:"paymentReference,omitempty"`
	// Replaces is the number of the document this one replaces (a full
	// tax invoice asked for later), "" otherwise.
	Replaces string `json:"replaces,omitempty"`
	// A credit note names the document it reduces (Original), what that
	// document said (OriginalTotal), what is right now (CorrectedTotal),
	// and why (Reason); Total is the difference.
	Original       string `json:"original,omitempty"`
	OriginalTotal  int64  `json:"originalTotal,omitempty"`
	CorrectedTotal int64  `json:"correctedTotal,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// TitleTH is the document's title in Thai, as the Revenue Code names it.
func (d *ReceiptDocument) TitleTH() string {
	switch d.Type {
	case DocTaxInvoice:
		return "ใบเสร็จรับเงิน/ใบกำกับภาษี"
	case DocAbbreviatedTaxInvoice:
		return "ใบเสร็จรับเงิน/ใบกำกับภาษีอย่างย่อ"
	case DocCreditNote:
		return "ใบลดหนี้"
	}
	return "ใบเสร็จรับเงิน"
}

// TitleEN is the document's title in English.
func (d *ReceiptDocument) TitleEN() string {
	switch d.Type {
	case DocTaxInvoice:
		return "Receipt / Tax Invoice"
	case DocAbbreviatedTaxInvoice:
		return "Receipt / Abbreviated Tax Invoice"
	case DocCreditNote:
		return "Credit Note"
	}
	return "Receipt"
}
