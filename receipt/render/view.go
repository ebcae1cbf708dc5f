// Package render draws an issued document (model.ReceiptDocument) as a
// printable bilingual Thai/English page: HTML for the browser and e-mail,
// PDF (A4, Thai shaped with Sarabun) for download and archiving.
//
// Both renderers draw the same view, built once from the document by
// newView, so the HTML and the PDF cannot say different things. Labels are
// Thai first and English second, as Thai documents are read.
package render

import (
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// bangkok is Thailand's time (UTC+7, no daylight saving): a document's date
// is the date in Thailand, whatever zone IssuedAt carries. A fixed zone
// needs no tz database on the server.
var bangkok = time.FixedZone("ICT", 7*60*60)

var thaiMonths = [...]string{
	"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
	"กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
}

// thaiDate writes a date as Thai documents do, with the Buddhist Era year
// (Gregorian + 543): 30 พฤศจิกายน 2569.
func thaiDate(t time.Time) string {
	t = t.In(bangkok)
	return itoa(t.Day()) + " " + thaiMonths[t.Month()-1] + " " + itoa(t.Year()+543)
}

// englishDate writes the same day in English: 30 November 2026.
func englishDate(t time.Time) string {
	return t.In(bangkok).Format("2 January 2006")
}

func itoa(n int) string {
	return model.FormatMinor(int64(n), 0)
}

// money writes minor units with the currency's decimals and thousands
// separators: 123456 THB -> "1,234.56", -500 -> "-5.00".
func money(amount int64, c model.CurrencyCode) string {
	s := model.FormatMinor(amount, c.MinorDigits())
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(frac)
	return b.String()
}

// branch names a place of business as the Revenue Code asks: the head
// office by name, any other branch by its five-digit number.
func branch(code string) string {
	if code == "" || code == model.HeadOffice {
		return "สำนักงานใหญ่ / Head office"
	}
	return "สาขาที่ " + code + " / Branch " + code
}

// paymentMethod names a payment method in both languages; an unknown
// method is shown as stored rather than hidden.
func paymentMethod(m model.PaymentMethod) string {
	switch m {
	case model.MethodStripeCard:
		return "บัตรเครดิต/เดบิต / Credit or debit card"
	case model.MethodPromptPay:
		return "พร้อมเพย์ / PromptPay"
	case model.MethodBankTransfer:
		return "โอนเงินผ่านธนาคาร / Bank transfer"
	case model.MethodCashOnDelivery:
		return "เก็บเงินปลายทาง / Cash on delivery"
	}
	return string(m)
}

// field is a labelled value: a row of the header, buyer or totals blocks.
type field struct {
	Label string
	Value string
	// Strong marks the row a reader looks for first (the total).
	Strong bool
}

// line is one row of the lines table, already formatted.
type line struct {
	No, Title, SKU, Quantity, UnitPrice, Discount, Amount string
}

// view is everything a document shows, formatted, in reading order.
type view struct {
	Lang             string
	TitleTH, TitleEN string
	Copy             string // ต้นฉบับ / Original
	Number           string
	SellerNameTH     string
	SellerNameEN     string
	SellerAddressTH  string
	SellerAddressEN  string
	SellerTaxID      string
	SellerBranch     string
	SellerContact    string
	LogoURL          string
	Meta             []field // number, date, order, replacement
	BuyerTitle       string
	Buyer            []field // nil when the document names no buyer
	Currency         string
	Lines            []line
	Totals           []field
	VATIncluded      string // the abbreviated tax invoice's statement, "" otherwise
	CreditTitle      string
	Credit           []field // a credit note's reference to what it corrects
	WordsTH, WordsEN string
	Payment          []field
	Footer           string
	Head             []heading // the lines table's columns
	WordsLabel       string
}

// heading is a column of the lines table, named in both languages.
type heading struct{ TH, EN string }

func newView(d *model.ReceiptDocument) *view {
	cur := d.Currency
	if cur == "" {
		cur = model.CurrencyTHB
	}
	m := func(v int64) string { return money(v, cur) }
	v := &view{
		Lang:            "th",
		TitleTH:         d.TitleTH(),
		TitleEN:         d.TitleEN(),
		Copy:            "ต้นฉบับ / Original",
		Number:          d.Number,
		SellerNameTH:    d.Seller.NameTH,
		SellerNameEN:    d.Seller.NameEN,
		SellerAddressTH: d.Seller.AddressTH,
		SellerAddressEN: d.Seller.AddressEN,
		SellerTaxID:     "เลขประจำตัวผู้เสียภาษี / Tax ID " + d.Seller.TaxID,
		SellerBranch:    branch(d.Seller.Branch),
		LogoURL:         d.Seller.LogoURL,
		Currency:        string(cur),
		Footer:          d.Seller.Footer,
		Head: []heading{
			{"ลำดับ", "No."}, {"รายการ", "Description"}, {"รหัสสินค้า", "SKU"},
			{"จำนวน", "Qty"}, {"ราคาต่อหน่วย", "Unit price"}, {"ส่วนลด", "Discount"},
			{"จำนวนเงิน", "Amount"},
		},
		WordsLabel: "จำนวนเงินตัวอักษร / Amount in words",
		WordsTH:    d.TotalInWordsTH,
		WordsEN:    d.TotalInWordsEN,
	}
	var contact []string
	if d.Seller.Phone != "" {
		contact = append(contact, "โทร / Tel. "+d.Seller.Phone)
	}
	if d.Seller.Email != "" {
		contact = append(contact, "อีเมล / E-mail "+d.Seller.Email)
	}
	v.SellerContact = strings.Join(contact, "  ")

	v.Meta = []field{
		{Label: "เลขที่ / No.", Value: d.Number},
		{Label: "วันที่ / Date", Value: thaiDate(d.IssuedAt) + " / " + englishDate(d.IssuedAt)},
	}
	if d.OrderNumber != "" {
		v.Meta = append(v.Meta, field{Label: "เลขที่คำสั่งซื้อ / Order", Value: d.OrderNumber})
	}
	if d.Replaces != "" {
		v.Meta = append(v.Meta, field{Label: "หมายเหตุ / Note",
			Value: "ออกแทนฉบับเลขที่ " + d.Replaces + " / Replaces " + d.Replaces})
	}

	if b := d.Buyer; b != nil {
		v.BuyerTitle = "ผู้ซื้อ / Buyer"
		v.Buyer = append(v.Buyer, field{Label: "ชื่อ / Name", Value: b.Name})
		if b.Address != "" {
			v.Buyer = append(v.Buyer, field{Label: "ที่อยู่ / Address", Value: b.Address})
		}
		if b.TaxID != "" {
			v.Buyer = append(v.Buyer, field{Label: "เลขประจำตัวผู้เสียภาษี / Tax ID",
				Value: b.TaxID + "  " + branch(b.Branch)})
		}
	}

	for i, l := range d.Lines {
		v.Lines = append(v.Lines, line{
			No:        itoa(i + 1),
			Title:     l.Title,
			SKU:       l.SKU,
			Quantity:  itoa(l.Quantity),
			UnitPrice: m(l.UnitPrice),
			Discount:  m(l.Discount),
			Amount:    m(l.Amount),
		})
	}

	v.Totals = []field{
		{Label: "รวมเป็นเงิน / Subtotal", Value: m(d.Subtotal)},
		{Label: "ส่วนลด / Discount", Value: m(d.Discount)},
		{Label: "ค่าจัดส่ง / Shipping", Value: m(d.Shipping)},
	}
	total := "จำนวนเงินรวมทั้งสิ้น / Total"
	if d.Type == model.DocCreditNote {
		total = "มูลค่าที่ลดหนี้ / Total credited"
	}
	if d.Seller.VATRegistered {
		rate := d.VATRate.String()
		v.Totals = append(v.Totals,
			field{Label: "มูลค่าสินค้าก่อนภาษี / Value before VAT", Value: m(d.VATBase)},
			field{Label: "ภาษีมูลค่าเพิ่ม " + rate + " / VAT " + rate, Value: m(d.VAT)},
		)
	}
	v.Totals = append(v.Totals, field{Label: total + " (" + string(cur) + ")", Value: m(d.Total), Strong: true})
	if d.Type == model.DocAbbreviatedTaxInvoice {
		v.VATIncluded = "ราคานี้รวมภาษีมูลค่าเพิ่มแล้ว / Price includes VAT"
	}

	if d.Type == model.DocCreditNote {
		v.CreditTitle = "เอกสารที่ลดหนี้ / Document credited"
		v.Credit = []field{
			{Label: "อ้างถึงเอกสารเลขที่ / Original document", Value: d.Original},
			{Label: "มูลค่าตามเอกสารเดิม / Original total", Value: m(d.OriginalTotal)},
			{Label: "มูลค่าที่ถูกต้อง / Corrected total", Value: m(d.CorrectedTotal)},
			// Total is the difference: what goes back to the buyer.
			{Label: "ผลต่าง / Difference", Value: m(d.Total)},
			{Label: "เหตุผล / Reason", Value: d.Reason},
		}
	}

	if d.PaymentMethod != "" {
		v.Payment = append(v.Payment, field{Label: "ชำระโดย / Paid by", Value: paymentMethod(d.PaymentMethod)})
	}
	if d.PaymentReference != "" {
		v.Payment = append(v.Payment, field{Label: "อ้างอิง / Reference", Value: d.PaymentReference})
	}
	return v
}
