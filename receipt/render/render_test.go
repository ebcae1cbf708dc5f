package render

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tdewolff/canvas"

	"github.com/langran/langran/model"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/")

// issued is a fixed moment: 30 November 2026, 10:00 in Bangkok.
var issued = time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)

func seller(vat bool) model.Seller {
	return model.Seller{
		NameTH:        "บริษัท หลังร้าน จำกัด",
		NameEN:        "Langran Co., Ltd.",
		AddressTH:     "99/9 ถนนพระราม 4 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110",
		AddressEN:     "99/9 Rama IV Road, Khlong Toei, Bangkok 10110",
		TaxID:         "0105566012345",
		Branch:        model.HeadOffice,
		VATRegistered: vat,
		Phone:         "02-123-4567",
		Email:         "shop@langran.example",
		Footer:        "ขอบคุณที่อุดหนุน / Thank you for shopping with us\nเปลี่ยนหรือคืนสินค้าได้ภายใน 7 วัน / Returns within 7 days",
	}
}

// taxInvoice is the fixed sample the golden image is drawn from: a full tax
// invoice to a company buyer, with Thai that needs stacking in a line.
func taxInvoice() *model.ReceiptDocument {
	return &model.ReceiptDocument{
		Type:     model.DocTaxInvoice,
		Number:   "TI2611-000123",
		IssuedAt: issued,
		Seller:   seller(true),
		Buyer: &model.ReceiptBuyer{
			Name:    "บริษัท ผู้ใหญ่ใจดี จำกัด",
			Address: "12 ซอยสุขุมวิท 21 แขวงคลองเตยเหนือ เขตวัฒนา กรุงเทพมหานคร 10110",
			TaxID:   "0105561098765",
			Branch:  "00001",
		},
		OrderNumber: "LR-2611-004211",
		Lines: []model.ReceiptLine{
			{Title: "แจกันปั้นมือ ลายน้ำไหล รุ่นผู้ใหญ่", SKU: "VASE-01", Quantity: 2, UnitPrice: 45000, Discount: 5000, Amount: 85000},
			{Title: "ชาไทย ที่นี่ Thai tea 250 g", SKU: "TEA-250", Quantity: 3, UnitPrice: 12000, Amount: 36000},
		},
		Currency:         model.CurrencyTHB,
		Subtotal:         126000,
		Discount:         5000,
		Shipping:         5000,
		Total:            126000,
		VATRate:          700,
		VATBase:          117757,
		VAT:              8243,
		TotalInWordsTH:   "หนึ่งพันสองร้อยหกสิบบาทถ้วน",
		TotalInWordsEN:   "One thousand two hundred sixty baht only",
		PaymentMethod:    model.MethodPromptPay,
		PaymentReference: "PP-20261130-0042",
	}
}

func plainReceipt() *model.ReceiptDocument {
	return &model.ReceiptDocument{
		Type:           model.DocReceipt,
		Number:         "RT2611-000007",
		IssuedAt:       issued,
		Seller:         seller(false),
		OrderNumber:    "LR-2611-004212",
		Lines:          []model.ReceiptLine{{Title: "สบู่ใบเตย", SKU: "SOAP-1", Quantity: 1, UnitPrice: 10700, Amount: 10700}},
		Currency:       model.CurrencyTHB,
		Subtotal:       10700,
		Total:          10700,
		TotalInWordsTH: "หนึ่งร้อยเจ็ดบาทถ้วน",
		TotalInWordsEN: "One hundred seven baht only",
		PaymentMethod:  model.MethodCashOnDelivery,
	}
}

func abbreviated() *model.ReceiptDocument {
	d := plainReceipt()
	d.Type = model.DocAbbreviatedTaxInvoice
	d.Number = "AT2611-000031"
	d.Seller = seller(true)
	d.VATRate, d.VATBase, d.VAT = 700, 10000, 700
	return d
}

func creditNote() *model.ReceiptDocument {
	d := taxInvoice()
	d.Type = model.DocCreditNote
	d.Number = "CN2611-000002"
	d.Lines = d.Lines[1:]
	d.Subtotal, d.Discount, d.Shipping = 36000, 0, 0
	d.Total, d.VATBase, d.VAT = 36000, 33645, 2355
	d.TotalInWordsTH = "สามร้อยหกสิบบาทถ้วน"
	d.TotalInWordsEN = "Three hundred sixty baht only"
	d.Original = "TI2611-000123"
	d.OriginalTotal = 126000
	d.CorrectedTotal = 90000
	d.Reason = "คืนสินค้า ชาไทย 3 ถุง / Returned 3 bags of Thai tea"
	return d
}

// long has 60 lines: more than one page holds.
func long() *model.ReceiptDocument {
	d := taxInvoice()
	d.Lines = nil
	for i := range 60 {
		d.Lines = append(d.Lines, model.ReceiptLine{
			Title: fmt.Sprintf("สินค้าที่ %d น้ำพริกเผา", i+1), SKU: fmt.Sprintf("SKU-%03d", i+1),
			Quantity: 1, UnitPrice: 2100, Amount: 2100,
		})
	}
	d.Subtotal, d.Discount, d.Shipping, d.Total = 126000, 0, 0, 126000
	return d
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		cur    model.CurrencyCode
		want   string
	}{
		{0, model.CurrencyTHB, "0.00"},
		{5, model.CurrencyTHB, "0.05"},
		{99999, model.CurrencyTHB, "999.99"},
		{100000, model.CurrencyTHB, "1,000.00"},
		{123456789, model.CurrencyTHB, "1,234,567.89"},
		{-123456, model.CurrencyTHB, "-1,234.56"},
		{-50, model.CurrencyTHB, "-0.50"},
		{1234567, model.CurrencyJPY, "1,234,567"},
		{-9223372036854775808, model.CurrencyTHB, "-92,233,720,368,547,758.08"},
	} {
		if got := money(tc.amount, tc.cur); got != tc.want {
			t.Errorf("money(%d, %s) = %q, want %q", tc.amount, tc.cur, got, tc.want)
		}
	}
}

func TestDates(t *testing.T) {
	for _, tc := range []struct {
		at     time.Time
		th, en string
	}{
		{issued, "30 พฤศจิกายน 2569", "30 November 2026"},
		// 20:00 UTC on New Year's Eve is already 1 January in Bangkok.
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), "1 มกราคม 2570", "1 January 2027"},
		{time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), "29 กุมภาพันธ์ 2567", "29 February 2024"},
	} {
		if got := thaiDate(tc.at); got != tc.th {
			t.Errorf("thaiDate(%v) = %q, want %q", tc.at, got, tc.th)
		}
		if got := englishDate(tc.at); got != tc.en {
			t.Errorf("englishDate(%v) = %q, want %q", tc.at, got, tc.en)
		}
	}
}

func TestBranch(t *testing.T) {
	if got := branch("00000"); got != "สำนักงานใหญ่ / Head office" {
		t.Errorf("head office: %q", got)
	}
	if got := branch("00001"); got != "สาขาที่ 00001 / Branch 00001" {
		t.Errorf("branch: %q", got)
	}
}

func renderHTML(t *testing.T, d *model.ReceiptDocument) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTML(t *testing.T) {
	vatLines := []string{"มูลค่าสินค้าก่อนภาษี / Value before VAT", "ภาษีมูลค่าเพิ่ม 7% / VAT 7%"}
	included := "ราคานี้รวมภาษีมูลค่าเพิ่มแล้ว / Price includes VAT"
	for _, tc := range []struct {
		name    string
		doc     *model.ReceiptDocument
		want    []string
		notWant []string
	}{
		{"tax invoice", taxInvoice(), append([]string{
			"ใบเสร็จรับเงิน/ใบกำกับภาษี", "Receipt / Tax Invoice", "ต้นฉบับ / Original",
			"TI2611-000123", "30 พฤศจิกายน 2569 / 30 November 2026", "LR-2611-004211",
			"บริษัท หลังร้าน จำกัด", "Langran Co., Ltd.", "0105566012345", "สำนักงานใหญ่ / Head office",
			"บริษัท ผู้ใหญ่ใจดี จำกัด", "0105561098765", "สาขาที่ 00001 / Branch 00001",
			"แจกันปั้นมือ ลายน้ำไหล รุ่นผู้ใหญ่", "VASE-01", "450.00", "850.00",
			"1,260.00", "1,177.57", "82.43",
			"หนึ่งพันสองร้อยหกสิบบาทถ้วน", "One thousand two hundred sixty baht only",
			"พร้อมเพย์ / PromptPay", "PP-20261130-0042", "Thank you for shopping with us",
			"@page", "@media print", "'Sarabun'",
		}, vatLines...), []string{included, "Replaces", "Original document", "@font-face", "<script"}},
		{"plain receipt", plainReceipt(), []string{
			"ใบเสร็จรับเงิน", "RT2611-000007", "107.00", "หนึ่งร้อยเจ็ดบาทถ้วน", "เก็บเงินปลายทาง / Cash on delivery",
		}, append([]string{"ใบกำกับภาษี", included, "ผู้ซื้อ / Buyer"}, vatLines...)},
		{"abbreviated", abbreviated(), append([]string{
			"ใบเสร็จรับเงิน/ใบกำกับภาษีอย่างย่อ", "AT2611-000031", included, "100.00", "7.00",
		}, vatLines...), []string{"ผู้ซื้อ / Buyer"}},
		{"credit note", creditNote(), []string{
			"ใบลดหนี้", "Credit Note", "CN2611-000002",
			"อ้างถึงเอกสารเลขที่ / Original document", "TI2611-000123",
			"มูลค่าตามเอกสารเดิม / Original total", "1,260.00",
			"มูลค่าที่ถูกต้อง / Corrected total", "900.00",
			"ผลต่าง / Difference", "360.00",
			"คืนสินค้า ชาไทย 3 ถุง / Returned 3 bags of Thai tea", "สามร้อยหกสิบบาทถ้วน",
		}, []string{included}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html := renderHTML(t, tc.doc)
			for _, s := range tc.want {
				if !strings.Contains(html, s) {
					t.Errorf("HTML lacks %q", s)
				}
			}
			for _, s := range tc.notWant {
				if strings.Contains(html, s) {
					t.Errorf("HTML has %q", s)
				}
			}
		})
	}
}

func TestWrap(t *testing.T) {
	family := canvas.NewFontFamily("Sarabun")
	if err := family.LoadFont(sarabunRegular, 0, canvas.FontRegular); err != nil {
		t.Fatal(err)
	}
	face := family.Face(9, canvas.Black, canvas.FontRegular, canvas.FontNormal)
	for _, tc := range []struct {
		name string
		s    string
		w    float64
		want []string // nil: only check every line fits and nothing is lost
	}{
		{"fits", "ชาไทย ที่นี่", 100, []string{"ชาไทย ที่นี่"}},
		{"at spaces, not inside Thai words", "12 ซอยสุขุมวิท 21 แขวงคลองเตยเหนือ เขตวัฒนา", 45,
			[]string{"12 ซอยสุขุมวิท 21", "แขวงคลองเตยเหนือ เขตวัฒนา"}},
		{"at the slash between languages", "30 พฤศจิกายน 2569 / 30 November 2026", 40,
			[]string{"30 พฤศจิกายน 2569 /", "30 November 2026"}},
		{"paragraphs", "บรรทัดแรก\nline two", 100, []string{"บรรทัดแรก", "line two"}},
		{"an amount in words, cut between clusters",
			"ห้าร้อยเอ็ดล้านเจ็ดแสนสี่หมื่นหนึ่งพันสองร้อยยี่สิบเอ็ดบาทถ้วน", 30, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := wrap(face, tc.s, tc.w)
			t.Logf("%q", lines)
			if tc.want != nil && !slices.Equal(lines, tc.want) {
				t.Errorf("wrap = %q, want %q", lines, tc.want)
			}
			for _, l := range lines {
				if face.TextWidth(l) > tc.w {
					t.Errorf("line %q is %.1f mm wide, more than %.1f", l, face.TextWidth(l), tc.w)
				}
				r := []rune(l)
				if first, last := r[0], r[len(r)-1]; unicode.Is(unicode.Mn, first) ||
					strings.ContainsRune("ะาำ", first) || last >= 'เ' && last <= 'ไ' {
					t.Errorf("line %q starts with a mark or following vowel, or ends with a leading vowel", l)
				}
			}
			if tc.want == nil && strings.Join(lines, "") != tc.s {
				t.Errorf("cutting lost text: %q", lines)
			}
		})
	}
}

func TestHTMLReplacement(t *testing.T) {
	d := taxInvoice()
	d.Replaces = "AT2611-000031"
	html := renderHTML(t, d)
	if !strings.Contains(html, "ออกแทนฉบับเลขที่ AT2611-000031 / Replaces AT2611-000031") {
		t.Error("a replacement does not name the document it replaces")
	}
}

func TestHTMLEscapes(t *testing.T) {
	d := taxInvoice()
	d.Buyer.Name = `<script>alert("x")</script>`
	d.Lines[0].Title = `<img src=x onerror=alert(1)>`
	d.Seller.LogoURL = `javascript:alert(1)`
	html := renderHTML(t, d)
	for _, s := range []string{"<script>", "<img src=x", "javascript:alert"} {
		if strings.Contains(html, s) {
			t.Errorf("HTML carries %q unescaped", s)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the buyer's name is not printed escaped")
	}
}

func renderPDF(t *testing.T, d *model.ReceiptDocument) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := PDF(&b, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	return b.Bytes()
}

var pageObject = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

func TestPDFPages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   *model.ReceiptDocument
		pages int
	}{
		{"tax invoice", taxInvoice(), 1},
		{"plain receipt", plainReceipt(), 1},
		{"credit note", creditNote(), 1},
		{"60 lines", long(), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf := renderPDF(t, tc.doc)
			if got := len(pageObject.FindAll(pdf, -1)); got != tc.pages {
				t.Errorf("%d pages, want %d", got, tc.pages)
			}
			if !bytes.Contains(pdf, []byte("/ToUnicode")) {
				t.Error("no ToUnicode map: text could not be copied")
			}
			if hasTool(t, "pdfinfo") {
				out := run(t, "pdfinfo", "-")(pdf)
				if want := regexp.MustCompile(fmt.Sprintf(`(?m)^Pages:\s+%d$`, tc.pages)); !want.MatchString(out) {
					t.Errorf("pdfinfo says\n%s\nwant %d pages", out, tc.pages)
				}
			}
		})
	}
}

func TestPDFText(t *testing.T) {
	requireTool(t, "pdftotext")
	for _, tc := range []struct {
		name string
		doc  *model.ReceiptDocument
		want []string
	}{
		{"tax invoice", taxInvoice(), []string{
			"ใบเสร็จรับเงิน/ใบกำกับภาษี", "TI2611-000123", "1,260.00",
			"หนึ่งพันสองร้อยหกสิบบาทถ้วน", "30 พฤศจิกายน 2569",
			// Marks the shaper repositions must still copy as written.
			"แจกันปั้นมือ", "ลายน้ำไหล", "รุ่นผู้ใหญ่", "ที่นี่",
			"ภาษีมูลค่าเพิ่ม 7%", "82.43",
		}},
		{"60 lines", long(), []string{
			"ใบเสร็จรับเงิน/ใบกำกับภาษี", "TI2611-000123", "1,260.00",
			"สินค้าที่ 1 น้ำพริกเผา", "สินค้าที่ 60 น้ำพริกเผา", "หน้า 2/2 / Page 2 of 2", "(ต่อ / continued)",
		}},
		{"credit note", creditNote(), []string{"ใบลดหนี้", "CN2611-000002", "360.00", "TI2611-000123"}},
		{"abbreviated", abbreviated(), []string{
			"ใบเสร็จรับเงิน/ใบกำกับภาษีอย่างย่อ", "AT2611-000031", "107.00",
			"ราคานี้รวมภาษีมูลค่าเพิ่มแล้ว / Price includes VAT",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := run(t, "pdftotext", "-layout", "-", "-")(renderPDF(t, tc.doc))
			for _, s := range tc.want {
				if !strings.Contains(text, s) {
					t.Errorf("extracted text lacks %q:\n%s", s, text)
				}
			}
		})
	}
}

// TestPDFLongRepeatsHeader checks the second page of a long document starts
// with the table's header again.
func TestPDFLongRepeatsHeader(t *testing.T) {
	requireTool(t, "pdftotext")
	text := run(t, "pdftotext", "-f", "2", "-l", "2", "-", "-")(renderPDF(t, long()))
	for _, s := range []string{"รายการ", "Description", "Unit price", "Amount"} {
		if !strings.Contains(text, s) {
			t.Errorf("page 2 lacks the header %q:\n%s", s, text)
		}
	}
}

// TestPDFGolden compares page 1 of the sample tax invoice, rasterised at
// 60 dpi, with the image a person looked at and approved. Run with -update
// to rewrite it after a deliberate change, and look at it before
// committing.
func TestPDFGolden(t *testing.T) {
	requireTool(t, "pdftoppm")
	got := run(t, "pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-")(renderPDF(t, taxInvoice()))
	golden := filepath.Join("testdata", "golden-tax-invoice.png")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestPDFGolden -update to create it)", err)
	}
	if err := matchGolden(t, []byte(got), want); err != nil {
		actual := filepath.Join(os.TempDir(), "golden-tax-invoice.actual.png")
		os.WriteFile(actual, []byte(got), 0o644)
		t.Fatalf("page 1 differs from %s: %v; this rendering is in %s", golden, err, actual)
	}
}

// TestPDFGoldenSeesMarks makes sure the golden comparison is sharp enough
// to notice what it is for: the same page with the tone marks and vowels of
// one line left out must not pass.
func TestPDFGoldenSeesMarks(t *testing.T) {
	requireTool(t, "pdftoppm")
	want, err := os.ReadFile(filepath.Join("testdata", "golden-tax-invoice.png"))
	if err != nil {
		t.Skip("no golden image yet")
	}
	d := taxInvoice()
	d.Lines[0].Title = "แจกนปนมอ ลายนาไหล รนผใหญ" // marks removed
	got := run(t, "pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-")(renderPDF(t, d))
	if matchGolden(t, []byte(got), want) == nil {
		t.Error("a line without its marks matches the golden image")
	}
}

// matchGolden compares two PNGs. A shaping mistake, one mark out of place,
// changes only a dozen pixels of a page at 60 dpi, so the tolerance is not
// a share of the page (1% would let whole words through) but a handful of
// pixels: 1 in 100,000, about 3 on an A4 page, for the odd pixel of
// anti-aliasing a different poppler may round the other way.
func matchGolden(t *testing.T, got, want []byte) error {
	t.Helper()
	gotImg, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return err
	}
	wantImg, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return err
	}
	differ, total, err := compareImages(gotImg, wantImg)
	if err != nil {
		return err
	}
	if differ*100000 > total {
		return fmt.Errorf("%d of %d pixels differ", differ, total)
	}
	return nil
}

// compareImages counts the pixels where any channel differs by more than
// 48 of 255: anti-aliasing may shift a little between poppler versions,
// a misplaced mark or a moved line does not.
func compareImages(a, b image.Image) (differ, total int, err error) {
	if a.Bounds() != b.Bounds() {
		return 0, 0, fmt.Errorf("size %v, want %v", a.Bounds(), b.Bounds())
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				differ++
			}
		}
	}
	return differ, r.Dx() * r.Dy(), nil
}

func far(a, b uint32) bool {
	const threshold = 48 << 8 // RGBA() is 16-bit
	if a > b {
		return a-b > threshold
	}
	return b-a > threshold
}

// The poppler tools read PDFs and write text and images; CI installs them
// (.ci/run). A machine without them skips these tests, but CI must not
// pass by skipping.
func hasTool(t *testing.T, name string) bool {
	t.Helper()
	_, err := exec.LookPath(name)
	return err == nil
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	if hasTool(t, name) {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (apt-get install poppler-utils); CI must run this test", name)
	}
	t.Skipf("%s is not installed (apt-get install poppler-utils)", name)
}

// run returns a function feeding its input to the command and returning
// what it writes.
func run(t *testing.T, name string, args ...string) func([]byte) string {
	return func(in []byte) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Stdin = bytes.NewReader(in)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, errb.String())
		}
		return out.String()
	}
}

// TestPDFConcurrent renders documents at once, as a busy server does; run
// under -race it catches state shared between renderings.
func TestPDFConcurrent(t *testing.T) {
	docs := []*model.ReceiptDocument{taxInvoice(), creditNote(), plainReceipt(), abbreviated()}
	errs := make(chan error, len(docs))
	for _, d := range docs {
		go func() {
			var b bytes.Buffer
			errs <- PDF(&b, d)
		}()
	}
	for range docs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	d := taxInvoice()
	for b.Loop() {
		if err := PDF(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	d := taxInvoice()
	for b.Loop() {
		if err := HTML(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}
