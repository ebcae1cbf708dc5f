package render

import (
	"bytes"
	_ "embed"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"
	"unicode"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"

	"github.com/langran/langran/model"
)

// Sarabun (SIL Open Font License 1.1, fonts/OFL.txt) is a Thai document
// font with Latin glyphs, so one family covers both languages. It is
// embedded so a PDF looks the same on every server, fonts installed or not.
var (
	//go:embed fonts/Sarabun-Regular.ttf
	sarabunRegular []byte
	//go:embed fonts/Sarabun-Bold.ttf
	sarabunBold []byte
)

// A4 in millimetres, canvas's unit.
const (
	pageW, pageH = 210.0, 297.0
	marginX      = 15.0
	marginTop    = 15.0
	contentW     = pageW - 2*marginX
	// footerTop is where the footer starts; content stops above it.
	footerTop     = pageH - 20.0
	contentBottom = footerTop - 3.0
)

// The lines table's columns, in millimetres; they add up to contentW.
var columnWidths = [7]float64{11, 65, 24, 14, 22, 20, 24}

var (
	ink      = color.RGBA{0x11, 0x11, 0x11, 0xff}
	muted    = color.RGBA{0x55, 0x55, 0x55, 0xff}
	ruleInk  = color.RGBA{0xbb, 0xbb, 0xbb, 0xff}
	headFill = color.RGBA{0xee, 0xee, 0xee, 0xff}
)

// PDF writes d as an A4 PDF with the same content as HTML. Thai is shaped
// by HarfBuzz (through tdewolff/canvas), so marks stack as they should; a
// long document flows onto more pages, each repeating the table's header.
// Every run of text carries its original characters as /ActualText, so
// copying or extracting the text gives the Thai that was written, not the
// glyphs the shaper chose.
func PDF(w io.Writer, d *model.ReceiptDocument) error {
	// The family is loaded per document: canvas does not promise a Font may
	// be shared between goroutines, and loading (about 2 ms) is small next
	// to drawing a page (about 25 ms).
	family := canvas.NewFontFamily("Sarabun")
	if err := family.LoadFont(sarabunRegular, 0, canvas.FontRegular); err != nil {
		return fmt.Errorf("render: load Sarabun Regular: %w", err)
	}
	if err := family.LoadFont(sarabunBold, 0, canvas.FontBold); err != nil {
		return fmt.Errorf("render: load Sarabun Bold: %w", err)
	}
	l := &layout{v: newView(d), family: family}
	l.draw()

	var raw bytes.Buffer
	p := pdf.New(&raw, pageW, pageH, &pdf.Options{SubsetFonts: true})
	p.SetInfo(d.TitleTH()+" "+d.Number, d.TitleEN()+" "+d.Number, "", d.Seller.NameEN, "Langran")
	rec := &textRecorder{PDF: p}
	for i, c := range l.pages {
		if i > 0 {
			p.NewPage(pageW, pageH)
		}
		c.RenderTo(rec)
	}
	if err := p.Close(); err != nil {
		return fmt.Errorf("render: write PDF: %w", err)
	}
	out, err := addActualText(raw.Bytes(), rec.spans)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// layout places the view on pages. y runs down from the top of the page
// in millimetres; canvas's y runs up, and the drawing helpers convert.
type layout struct {
	v      *view
	family *canvas.FontFamily
	pages  []*canvas.Canvas
	ctx    *canvas.Context
	y      float64
}

func (l *layout) face(size float64, bold bool, c color.RGBA) *canvas.FontFace {
	style := canvas.FontRegular
	if bold {
		style = canvas.FontBold
	}
	return l.family.Face(size, c, style, canvas.FontNormal)
}

func (l *layout) body() *canvas.FontFace  { return l.face(9, false, ink) }
func (l *layout) label() *canvas.FontFace { return l.face(9, false, muted) }
func (l *layout) small() *canvas.FontFace { return l.face(8, false, muted) }
func (l *layout) strong() *canvas.FontFace {
	return l.face(9, true, ink)
}

func (l *layout) newPage() {
	c := canvas.New(pageW, pageH)
	l.pages = append(l.pages, c)
	l.ctx = canvas.NewContext(c)
	l.y = marginTop
}

// wrap breaks s into lines no wider than w. canvas would break Thai
// between any two characters (even after a leading vowel, "เ|ขต"), so we
// break where the writer put a space, preferring the " / " between the Thai
// and the English of a label. Thai writes no spaces between words, so a
// "word" may be a whole phrase (an amount in words); one wider than w is
// cut between syllable clusters by cutWord.
func wrap(face *canvas.FontFace, s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		if face.TextWidth(para) <= w {
			lines = append(lines, para)
			continue
		}
		segments := strings.Split(para, " / ")
		cur := ""
		for i, seg := range segments {
			if i < len(segments)-1 {
				seg += " /"
			}
			if cur != "" && face.TextWidth(cur+" "+seg) <= w {
				cur += " " + seg
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
			}
			cur = ""
			for _, word := range strings.Fields(seg) {
				if cur != "" && face.TextWidth(cur+" "+word) <= w {
					cur += " " + word
					continue
				}
				if cur != "" {
					lines = append(lines, cur)
				}
				pieces := cutWord(face, word, w)
				lines = append(lines, pieces[:len(pieces)-1]...)
				cur = pieces[len(pieces)-1]
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// cutWord cuts a word wider than w into pieces that fit, as late as it can
// and only where a Thai reader would accept it: never before a mark above
// or below, never after a leading vowel (เ แ โ ใ ไ), never before a
// following vowel (ะ า ำ) or ๆ. A piece that cannot be cut stays whole.
func cutWord(face *canvas.FontFace, word string, w float64) []string {
	var pieces []string
	for face.TextWidth(word) > w {
		rs := []rune(word)
		cut := 0
		for i := 1; i < len(rs); i++ {
			if !canCut(rs[i-1], rs[i]) {
				continue
			}
			if face.TextWidth(string(rs[:i])) > w {
				break
			}
			cut = i
		}
		if cut == 0 {
			break
		}
		pieces = append(pieces, string(rs[:cut]))
		word = string(rs[cut:])
	}
	return append(pieces, word)
}

func canCut(before, after rune) bool {
	switch {
	case unicode.Is(unicode.Mn, after):
		return false
	case before >= 'เ' && before <= 'ไ':
		return false
	case after == 'ะ' || after == 'า' || after == 'ำ' || after == 'ๅ' || after == 'ๆ':
		return false
	}
	return true
}

// text draws s in a box of width w whose top-left corner is (x, y) and
// returns the box's height.
func (l *layout) text(face *canvas.FontFace, s string, x, y, w float64, align canvas.TextAlign) float64 {
	if s == "" {
		return 0
	}
	m := face.Metrics()
	lines := wrap(face, s, w)
	for i, ln := range lines {
		// The glyphs' ascent and descent centred in the line's height.
		base := y + float64(i)*m.LineHeight + (m.LineHeight+m.Ascent-m.Descent)/2
		// Aligned here, not by canvas: its TextLine aligns each run of one
		// script on its own, so mixed Thai and English would overlap.
		ax := x
		switch align {
		case canvas.Right:
			ax = x + w - face.TextWidth(ln)
		case canvas.Center:
			ax = x + (w-face.TextWidth(ln))/2
		}
		l.ctx.DrawText(ax, pageH-base, canvas.NewTextLine(face, ln, canvas.Left))
	}
	return float64(len(lines)) * m.LineHeight
}

// measure is the height text would take without drawing it.
func measure(face *canvas.FontFace, s string, w float64) float64 {
	if s == "" {
		return 0
	}
	return float64(len(wrap(face, s, w))) * face.Metrics().LineHeight
}

func (l *layout) rule(x0, x1, y, width float64, c color.RGBA) {
	l.ctx.SetStrokeColor(c)
	l.ctx.SetStrokeWidth(width)
	l.ctx.MoveTo(x0, pageH-y)
	l.ctx.LineTo(x1, pageH-y)
	l.ctx.Stroke()
}

func (l *layout) fillRect(x, y, w, h float64, c color.RGBA) {
	l.ctx.SetFillColor(c)
	l.ctx.SetStrokeColor(canvas.Transparent)
	l.ctx.DrawPath(x, pageH-y-h, canvas.Rectangle(w, h))
}

func (l *layout) strokeRect(x, y, w, h float64, c color.RGBA) {
	l.ctx.SetFillColor(canvas.Transparent)
	l.ctx.SetStrokeColor(c)
	l.ctx.SetStrokeWidth(0.3)
	l.ctx.DrawPath(x, pageH-y-h, canvas.Rectangle(w, h))
}

// ensure starts a new page when h more millimetres do not fit on this one,
// and reports whether it did.
func (l *layout) ensure(h float64) bool {
	if l.y+h <= contentBottom {
		return false
	}
	l.newPage()
	l.continuationHeader()
	return true
}

// fields draws label/value rows in two columns and returns their height.
func (l *layout) fields(fs []field, x, y, labelW, valueW float64) float64 {
	top := y
	for _, f := range fs {
		face := l.body()
		if f.Strong {
			face = l.strong()
		}
		h := math.Max(l.text(l.label(), f.Label, x, y, labelW-2, canvas.Left),
			l.text(face, f.Value, x+labelW, y, valueW, canvas.Left))
		y += h + 0.6
	}
	return y - top
}

func (l *layout) draw() {
	v := l.v
	l.newPage()

	// Header: the seller on the left, the title on the right.
	// The title is the one thing the Revenue Code wants prominent: it takes
	// the width it needs on one line, the seller's block wraps beside it.
	titleFace := l.face(16, true, ink)
	titleW := math.Min(math.Max(80, titleFace.TextWidth(v.TitleTH)+1), contentW-70)
	sellerW := contentW - titleW - 5
	y := l.y
	y += l.text(l.face(12, true, ink), v.SellerNameTH, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerNameEN, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerAddressTH, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerAddressEN, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerTaxID, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerBranch, marginX, y, sellerW, canvas.Left)
	y += l.text(l.body(), v.SellerContact, marginX, y, sellerW, canvas.Left)

	tx := pageW - marginX - titleW
	ty := l.y
	ty += l.text(titleFace, v.TitleTH, tx, ty, titleW, canvas.Right)
	ty += l.text(l.face(11, true, ink), v.TitleEN, tx, ty, titleW, canvas.Right)
	ty += 1.5
	copyFace := l.face(9, true, ink)
	copyW := copyFace.TextWidth(v.Copy) + 6
	copyH := copyFace.Metrics().LineHeight + 1
	l.strokeRect(pageW-marginX-copyW, ty, copyW, copyH, ink)
	l.text(copyFace, v.Copy, pageW-marginX-copyW, ty+0.5, copyW, canvas.Center)
	ty += copyH

	l.y = math.Max(y, ty) + 2
	l.rule(marginX, pageW-marginX, l.y, 0.6, ink)
	l.y += 3

	// The document's number and date beside the buyer.
	half := (contentW - 6) / 2
	metaH := l.fields(v.Meta, marginX, l.y, 34, half-34)
	buyerH := 0.0
	if v.Buyer != nil {
		bx := marginX + half + 6
		buyerH = l.text(l.strong(), v.BuyerTitle, bx, l.y, half, canvas.Left)
		buyerH += l.fields(v.Buyer, bx, l.y+buyerH, 34, half-34)
	}
	l.y += math.Max(metaH, buyerH) + 3

	l.tableHeader()
	for _, ln := range v.Lines {
		l.tableRow(ln)
	}
	l.y += 3

	l.summary()
	if v.Credit != nil {
		h := measure(l.strong(), v.CreditTitle, contentW) + l.measureFields(v.Credit, 62, contentW-62)
		l.ensure(h + 3)
		l.y += 2
		l.y += l.text(l.strong(), v.CreditTitle, marginX, l.y, contentW, canvas.Left)
		l.y += l.fields(v.Credit, marginX, l.y, 62, contentW-62)
	}
	if v.Payment != nil {
		h := l.measureFields(v.Payment, 34, contentW-34)
		l.ensure(h + 3)
		l.y += 3
		l.y += l.fields(v.Payment, marginX, l.y, 34, contentW-34)
	}
	l.footers()
}

func (l *layout) measureFields(fs []field, labelW, valueW float64) float64 {
	h := 0.0
	for _, f := range fs {
		h += math.Max(measure(l.label(), f.Label, labelW-2), measure(l.body(), f.Value, valueW)) + 0.6
	}
	return h
}

// columnX is the left edge of each column of the lines table.
func columnX() [7]float64 {
	var xs [7]float64
	x := marginX
	for i, w := range columnWidths {
		xs[i] = x
		x += w
	}
	return xs
}

// Columns from the quantity on are numbers, aligned right.
func columnAlign(i int) canvas.TextAlign {
	if i == 0 || i >= 3 {
		return canvas.Right
	}
	return canvas.Left
}

const cellPad = 1.2

func (l *layout) tableHeader() {
	xs := columnX()
	th, en := l.face(8, true, ink), l.face(7.5, false, muted)
	h := th.Metrics().LineHeight + en.Metrics().LineHeight + 1.2
	l.ensure(h + 8) // a header alone at the foot of a page helps nobody
	l.fillRect(marginX, l.y, contentW, h, headFill)
	for i, col := range l.v.Head {
		x, w := xs[i]+cellPad, columnWidths[i]-2*cellPad
		y := l.y + 0.6
		y += l.text(th, col.TH, x, y, w, columnAlign(i))
		l.text(en, col.EN, x, y, w, columnAlign(i))
	}
	l.y += h
	l.rule(marginX, pageW-marginX, l.y, 0.4, ink)
}

func (l *layout) tableRow(ln line) {
	xs := columnX()
	cells := [7]string{ln.No, ln.Title, ln.SKU, ln.Quantity, ln.UnitPrice, ln.Discount, ln.Amount}
	face := l.body()
	h := 0.0
	for i, s := range cells {
		h = math.Max(h, measure(face, s, columnWidths[i]-2*cellPad))
	}
	h += 1.2
	if l.ensure(h) {
		l.tableHeader()
	}
	for i, s := range cells {
		l.text(face, s, xs[i]+cellPad, l.y+0.6, columnWidths[i]-2*cellPad, columnAlign(i))
	}
	l.y += h
	l.rule(marginX, pageW-marginX, l.y, 0.2, ruleInk)
}

// summary draws the amount in words (left) beside the totals (right); the
// two stay together on one page.
func (l *layout) summary() {
	v := l.v
	const totalsW, valueW = 88.0, 28.0
	wordsW := contentW - totalsW - 6
	tx := pageW - marginX - totalsW

	wordsH := measure(l.strong(), v.WordsLabel, wordsW) + measure(l.body(), v.WordsTH, wordsW) +
		measure(l.body(), v.WordsEN, wordsW) + measure(l.strong(), v.VATIncluded, wordsW) + 2
	totalsH := 0.0
	for _, f := range v.Totals {
		totalsH += measure(l.face(11, true, ink), f.Label, totalsW-valueW) + 1
	}
	l.ensure(math.Max(wordsH, totalsH) + 2)

	y := l.y
	y += l.text(l.strong(), v.WordsLabel, marginX, y, wordsW, canvas.Left)
	y += l.text(l.body(), v.WordsTH, marginX, y, wordsW, canvas.Left)
	y += l.text(l.body(), v.WordsEN, marginX, y, wordsW, canvas.Left)
	if v.VATIncluded != "" {
		y += 1.5
		y += l.text(l.strong(), v.VATIncluded, marginX, y, wordsW, canvas.Left)
	}

	ty := l.y
	for _, f := range v.Totals {
		labelFace, valueFace := l.label(), l.body()
		if f.Strong {
			labelFace, valueFace = l.face(11, true, ink), l.face(11, true, ink)
			l.rule(tx, pageW-marginX, ty, 0.6, ink)
			ty += 0.6
		}
		h := math.Max(l.text(labelFace, f.Label, tx, ty, totalsW-valueW, canvas.Left),
			l.text(valueFace, f.Value, tx+totalsW-valueW, ty, valueW, canvas.Right))
		ty += h + 0.4
		if f.Strong {
			l.rule(tx, pageW-marginX, ty, 0.6, ink)
		}
	}
	l.y = math.Max(y, ty) + 2
}

// continuationHeader names the document at the top of a following page, so
// a loose page can be put back where it belongs.
func (l *layout) continuationHeader() {
	s := l.v.TitleTH + " / " + l.v.TitleEN + "  เลขที่ / No. " + l.v.Number + "  (ต่อ / continued)"
	l.y += l.text(l.strong(), s, marginX, l.y, contentW, canvas.Left) + 2
}

// footers writes the seller's footer and the page number on every page,
// once the number of pages is known.
func (l *layout) footers() {
	v := l.v
	n := len(l.pages)
	for i, c := range l.pages {
		l.ctx = canvas.NewContext(c)
		l.rule(marginX, pageW-marginX, footerTop, 0.2, ruleInk)
		y := footerTop + 1
		page := fmt.Sprintf("หน้า %d/%d / Page %d of %d", i+1, n, i+1, n)
		l.text(l.small(), page, pageW-marginX-40, y, 40, canvas.Right)
		seller := v.SellerNameTH
		if v.SellerNameEN != "" {
			seller += " · " + v.SellerNameEN
		}
		y += l.text(l.small(), seller, marginX, y, contentW-42, canvas.Left)
		l.text(l.small(), v.Footer, marginX, y, contentW-42, canvas.Left)
	}
}
