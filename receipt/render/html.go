package render

import (
	"html/template"
	"io"

	"github.com/langran/langran/model"
)

// HTML writes d as a complete, printable HTML page (A4, bilingual).
// Everything from the document is escaped by html/template, so a buyer
// named "<script>" is printed, not run. The page loads nothing: styles are
// inline and fonts come from the reader's system, Sarabun first.
func HTML(w io.Writer, d *model.ReceiptDocument) error {
	return htmlTemplate.Execute(w, newView(d))
}

var htmlTemplate = template.Must(template.New("receipt").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.TitleTH}} {{.Number}}</title>
<style>
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body {
  font-family: 'Sarabun', 'Noto Sans Thai', 'Thonburi', 'Leelawadee UI', 'Tahoma', 'Garuda', sans-serif;
  font-size: 10.5pt; line-height: 1.45; color: #111; margin: 0; background: #eee;
}
.page { width: 210mm; min-height: 297mm; margin: 10mm auto; padding: 15mm; background: #fff; }
header { display: flex; justify-content: space-between; gap: 8mm; border-bottom: 2px solid #111; padding-bottom: 4mm; }
.seller h2 { margin: 0; font-size: 13pt; }
.seller p { margin: 0; }
.logo { max-height: 18mm; max-width: 50mm; display: block; margin-bottom: 2mm; }
.seller { flex: 1; min-width: 0; }
.title { flex: none; text-align: right; }
.title h1 { margin: 0; font-size: 18pt; line-height: 1.2; white-space: nowrap; }
.title .en { font-size: 12pt; font-weight: 600; }
.title .copy { display: inline-block; margin-top: 2mm; border: 1px solid #111; padding: 0 3mm; font-weight: 600; }
.blocks { display: flex; gap: 8mm; margin: 4mm 0; }
.blocks > section { flex: 1; }
h3 { margin: 0 0 1mm; font-size: 10.5pt; }
dl { display: grid; grid-template-columns: fit-content(42mm) 1fr; gap: 0 3mm; margin: 0; }
dt { color: #444; }
dd { margin: 0; }
table.lines { width: 100%; border-collapse: collapse; margin: 3mm 0; }
table.lines th, table.lines td { border-bottom: 1px solid #bbb; padding: 1mm 1.5mm; vertical-align: top; }
table.lines th { background: #f0f0f0; font-size: 9pt; line-height: 1.25; text-align: left; }
table.lines thead { display: table-header-group; }
table.lines tr { break-inside: avoid; }
.num { text-align: right !important; white-space: nowrap; font-variant-numeric: tabular-nums; }
.summary { display: flex; gap: 8mm; justify-content: space-between; align-items: flex-start; break-inside: avoid; }
.summary .words { flex: 1; }
.summary .words p { margin: 0 0 1mm; }
table.totals { border-collapse: collapse; min-width: 85mm; }
table.totals td { padding: 0.5mm 1.5mm; }
table.totals tr.strong td { font-weight: 700; font-size: 12pt; border-top: 2px solid #111; border-bottom: 2px solid #111; }
.vat-included { font-weight: 600; }
.credit, .payment { margin-top: 4mm; break-inside: avoid; }
footer { margin-top: 8mm; border-top: 1px solid #bbb; padding-top: 2mm; font-size: 9pt; color: #444; white-space: pre-line; }
@media print {
  body { background: #fff; }
  .page { width: auto; min-height: 0; margin: 0; padding: 0; }
}
</style>
</head>
<body>
<div class="page">
<header>
  <div class="seller">
    {{with .LogoURL}}<img class="logo" src="{{.}}" alt="">{{end}}
    <h2>{{.SellerNameTH}}</h2>
    {{with .SellerNameEN}}<p>{{.}}</p>{{end}}
    {{with .SellerAddressTH}}<p>{{.}}</p>{{end}}
    {{with .SellerAddressEN}}<p>{{.}}</p>{{end}}
    <p>{{.SellerTaxID}}</p>
    <p>{{.SellerBranch}}</p>
    {{with .SellerContact}}<p>{{.}}</p>{{end}}
  </div>
  <div class="title">
    <h1>{{.TitleTH}}</h1>
    <div class="en">{{.TitleEN}}</div>
    <div class="copy">{{.Copy}}</div>
  </div>
</header>

<div class="blocks">
  <section class="meta">
    <dl>{{range .Meta}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
  </section>
  {{if .Buyer}}<section class="buyer">
    <h3>{{.BuyerTitle}}</h3>
    <dl>{{range .Buyer}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
  </section>{{end}}
</div>

<table class="lines">
  <thead><tr>{{range $i, $h := .Head}}<th{{if ge $i 3}} class="num"{{end}}>{{$h.TH}}<br>{{$h.EN}}</th>{{end}}</tr></thead>
  <tbody>
  {{range .Lines}}<tr>
    <td class="num">{{.No}}</td><td>{{.Title}}</td><td>{{.SKU}}</td>
    <td class="num">{{.Quantity}}</td><td class="num">{{.UnitPrice}}</td>
    <td class="num">{{.Discount}}</td><td class="num">{{.Amount}}</td>
  </tr>
  {{end}}</tbody>
</table>

<div class="summary">
  <div class="words">
    <h3>{{.WordsLabel}}</h3>
    <p>{{.WordsTH}}<br>{{.WordsEN}}</p>
    {{with .VATIncluded}}<p class="vat-included">{{.}}</p>{{end}}
  </div>
  <table class="totals">
    {{range .Totals}}<tr{{if .Strong}} class="strong"{{end}}><td>{{.Label}}</td><td class="num">{{.Value}}</td></tr>
    {{end}}
  </table>
</div>

{{if .Credit}}<section class="credit">
  <h3>{{.CreditTitle}}</h3>
  <dl>{{range .Credit}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
</section>{{end}}

{{if .Payment}}<section class="payment">
  <dl>{{range .Payment}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
</section>{{end}}

<footer>{{.SellerNameTH}}{{with .SellerNameEN}} · {{.}}{{end}}{{with .Footer}}
{{.}}{{end}}</footer>
</div>
</body>
</html>
`))
