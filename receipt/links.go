package receipt

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// LinkTTL is how long a document's link works: long enough to open it
// from an email or print it, short enough that a forwarded link dies.
const LinkTTL = time.Hour

// Paths the links point to.
const (
	DocumentPath = "/receipts/"
	ExportPath   = "/receipts/export.csv"
)

// Format is one way a document is drawn.
type Format struct {
	ContentType string
	Render      func(w io.Writer, d *model.ReceiptDocument) error
}

// CancellationExt is the link extension of a cancelled document's e-Tax
// cancellation note.
const CancellationExt = "cancel.xml"

// CancelFunc writes the e-Tax cancellation note of document d, cancelled
// at when it was replaced by the document numbered replacedBy.
type CancelFunc func(w io.Writer, d *model.ReceiptDocument, at time.Time, replacedBy string) error

// Links makes and answers the short-lived signed links to documents
// (/receipts/<id>.<pdf|html|xml>) and to the accountant's CSV export, so
// they open from an email or a browser without a token; an expired or
// altered link is refused.
type Links struct {
	Base    string // the service's public address
	Signer  *model.LinkSigner
	Store   *store.Store
	Formats map[string]Format // by extension: "pdf", "html", "xml"
	// Cancellation writes a cancelled document's cancellation note
	// (CancellationExt); nil serves none.
	Cancellation CancelFunc
	Now          func() time.Time
	Log          *slog.Logger
}

func (l *Links) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// URL returns a signed link to document id drawn as ext.
func (l *Links) URL(id int64, ext string) string {
	exp := l.now().Add(LinkTTL).Truncate(time.Second)
	name := strconv.FormatInt(id, 10) + "." + ext
	v := url.Values{"exp": {model.LinkExpiry(exp)}, "sig": {l.Signer.Sign(exp, "receipt", name)}}
	return l.Base + DocumentPath + name + "?" + v.Encode()
}

// ExportURL returns a signed link to the CSV of the documents f passes.
func (l *Links) ExportURL(f store.ReceiptFilter) string {
	exp := l.now().Add(15 * time.Minute).Truncate(time.Second)
	v := exportQuery(f)
	sig := l.Signer.Sign(exp, "receipts-export", v.Encode())
	v.Set("exp", model.LinkExpiry(exp))
	v.Set("sig", sig)
	return l.Base + ExportPath + "?" + v.Encode()
}

// exportQuery writes a filter as the export link's query, in a fixed order.
func exportQuery(f store.ReceiptFilter) url.Values {
	v := url.Values{}
	if f.Since != nil {
		v.Set("from", f.Since.UTC().Format(time.RFC3339))
	}
	if f.Until != nil {
		v.Set("to", f.Until.UTC().Format(time.RFC3339))
	}
	if len(f.Types) > 0 {
		var ts []string
		for _, t := range f.Types {
			ts = append(ts, string(t))
		}
		v.Set("types", strings.Join(ts, ","))
	}
	if f.Number != "" {
		v.Set("number", f.Number)
	}
	return v
}

// Handler answers both kinds of link.
func (l *Links) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ExportPath {
			l.export(w, r)
			return
		}
		l.document(w, r)
	})
}

func (l *Links) refuse(w http.ResponseWriter) {
	http.Error(w, "this link is not valid or has expired; ask for a new one", http.StatusForbidden)
}

func (l *Links) document(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, DocumentPath)
	idPart, ext, ok := strings.Cut(name, ".")
	id, err := strconv.ParseInt(idPart, 10, 64)
	format, known := l.Formats[ext]
	if ext == CancellationExt && l.Cancellation != nil {
		format, known = Format{ContentType: "application/xml; charset=utf-8"}, true
	}
	q := r.URL.Query()
	exp, expOK := model.ParseLinkExpiry(q.Get("exp"))
	if !ok || err != nil || id <= 0 || !known || !expOK || exp.IsZero() ||
		!l.Signer.Verify(q.Get("sig"), exp, l.now(), "receipt", name) {
		l.refuse(w)
		return
	}
	docs, err := l.Store.FindReceiptsByIDs(r.Context(), []int64{id})
	if err != nil || len(docs) == 0 {
		l.fail(w, r, err)
		return
	}
	d, err := docs[0].Doc()
	if err != nil {
		l.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if ext == CancellationExt {
		err = l.cancellation(r.Context(), &buf, &docs[0], d)
	} else {
		err = format.Render(&buf, d)
	}
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		http.Error(w, "the document stands: it has no cancellation note", http.StatusNotFound)
		return
	}
	if err != nil {
		l.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", format.ContentType)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.%s"`, d.Number, ext))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

func (l *Links) fail(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		http.Error(w, "no such document", http.StatusNotFound)
		return
	}
	if l.Log != nil {
		l.Log.ErrorContext(r.Context(), "drawing a document failed", "path", r.URL.Path, "err", err)
	}
	http.Error(w, "the document could not be drawn now; try again", http.StatusInternalServerError)
}

// CSVHeader is the export's first row.
var CSVHeader = []string{"number", "document_type", "status", "issued_at", "order_number", "buyer_name", "buyer_tax_id",
	"buyer_branch", "currency", "total", "vat_base", "vat", "vat_rate", "replaces", "original"}

func (l *Links) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	exp, expOK := model.ParseLinkExpiry(q.Get("exp"))
	sig := q.Get("sig")
	q.Del("exp")
	q.Del("sig")
	if !expOK || exp.IsZero() || !l.Signer.Verify(sig, exp, l.now(), "receipts-export", q.Encode()) {
		l.refuse(w)
		return
	}
	f, err := parseExportQuery(q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="receipts.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	// A byte-order mark, so spreadsheet programs read the Thai as UTF-8.
	_, _ = io.WriteString(w, "\ufeff")
	if err := WriteCSV(r.Context(), w, l.Store, f); err != nil && l.Log != nil {
		l.Log.ErrorContext(r.Context(), "receipts export failed", "err", err)
	}
}

func parseExportQuery(q url.Values) (store.ReceiptFilter, error) {
	var f store.ReceiptFilter
	for _, k := range []string{"from", "to"} {
		if s := q.Get(k); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return f, fmt.Errorf("%s is not a time", k)
			}
			if k == "from" {
				f.Since = &t
			} else {
				f.Until = &t
			}
		}
	}
	if s := q.Get("types"); s != "" {
		for _, t := range strings.Split(s, ",") {
			f.Types = append(f.Types, model.DocumentType(t))
		}
	}
	f.Number = q.Get("number")
	return f, nil
}

// WriteCSV writes the documents f passes as CSV rows, in issue order: one
// row per document, amounts as decimals, times in Bangkok.
func WriteCSV(ctx context.Context, w io.Writer, st *store.Store, f store.ReceiptFilter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	err := st.EachReceipt(ctx, f, func(r *model.Receipt) error {
		d, err := r.Doc()
		if err != nil {
			return err
		}
		digits := d.Currency.MinorDigits()
		var buyer, taxID, branch string
		if d.Buyer != nil {
			buyer, taxID, branch = d.Buyer.Name, d.Buyer.TaxID, d.Buyer.Branch
		}
		rate := ""
		if d.VATRate > 0 {
			rate = d.VATRate.String()
		}
		return cw.Write([]string{d.Number, string(d.Type), string(r.Status), d.IssuedAt.In(model.Bangkok).Format("2006-01-02 15:04:05"),
			d.OrderNumber, csvSafe(buyer), taxID, branch, string(d.Currency), model.FormatMinor(d.Total, digits),
			model.FormatMinor(d.VATBase, digits), model.FormatMinor(d.VAT, digits), rate, d.Replaces, d.Original})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a buyer's name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// cancellation writes the cancellation note of a cancelled document;
// NotFound for one that stands.
func (l *Links) cancellation(ctx context.Context, w io.Writer, rc *model.Receipt, d *model.ReceiptDocument) error {
	if rc.Status != model.ReceiptCancelled || rc.ReplacedByID == nil {
		return &model.Error{Code: model.CodeNotFound, Message: "the document stands"}
	}
	by, err := l.Store.FindReceiptsByIDs(ctx, []int64{*rc.ReplacedByID})
	if err != nil || len(by) == 0 {
		if err == nil {
			err = fmt.Errorf("receipt %d: its replacement %d is missing", rc.ID, *rc.ReplacedByID)
		}
		return err
	}
	return l.Cancellation(w, d, by[0].CreatedAt, by[0].Number)
}
