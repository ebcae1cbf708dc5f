package etax

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// The cancellation note (ใบแจ้งยกเลิก) has its own root, namespaces and
// type code; it is not a model.DocumentType, since Langran keeps no
// separate document for it.
const (
	CancellationTypeCode = "T07"
	CancellationName     = "ใบแจ้งยกเลิก"
	cancellationSchema   = "CancellationNote"
)

// CancellationRootName is the root element of a cancellation note.
const CancellationRootName = cancellationSchema + "_CrossIndustryInvoice"

// CancellationNamespaces returns the rsm (root) and ram (reusable
// aggregates) namespaces of a cancellation note.
func CancellationNamespaces() (rsm, ram string) { return namespaces(cancellationSchema) }

// Cancellation is what a cancellation note says beyond the document it
// cancels.
type Cancellation struct {
	// Number is the note's own ID, e.g. the cancelled number + "-C".
	Number string
	// IssuedAt is when the document was cancelled; not before its issue.
	IssuedAt time.Time
	// Reason is written as Purpose; "" writes a standard sentence.
	Reason string
	// ReplacedBy is the number of the document issued in its place, if any.
	ReplacedBy string
}

// EncodeCancellation writes the ETDA cancellation note (T07) that cancels
// the issued document d, as Encode writes d itself. The note carries d's
// parties, lines and totals, as d states them, and names d (number, date,
// type code) as its AdditionalReferencedDocument. It refuses what Encode
// refuses of d, and a note with no number or date, one numbered as d, or
// one dated before d.
func EncodeCancellation(w io.Writer, d *model.ReceiptDocument, c Cancellation) error {
	m, err := cancellationNote(d, c)
	if err != nil {
		return err
	}
	return write(w, m)
}

// cancellationNote is d's own message, validated as Encode validates it,
// given the note's root, ExchangedDocument and reference. Only the
// reference to d replaces what d referred to (a credit note's original, a
// replacement's predecessor); the order reference stays.
func cancellationNote(d *model.ReceiptDocument, c Cancellation) (*message, error) {
	m, err := build(d)
	if err != nil {
		return nil, err
	}
	number := strings.TrimSpace(c.Number)
	switch {
	case number == "":
		return nil, invalid("cancellation of %s has no number", d.Number)
	case number == d.Number:
		return nil, invalid("cancellation of %s has the cancelled document's number", d.Number)
	case c.IssuedAt.IsZero():
		return nil, invalid("cancellation %s has no date of issue", number)
	case c.IssuedAt.Before(d.IssuedAt):
		return nil, invalid("cancellation %s is dated before the document %s it cancels", number, d.Number)
	case c.ReplacedBy == d.Number:
		return nil, invalid("cancellation %s: %s cannot replace itself", number, d.Number)
	}

	purpose := strings.TrimSpace(c.Reason)
	if purpose == "" {
		purpose = "ยกเลิกเอกสารเลขที่ " + d.Number
	}
	if r := strings.TrimSpace(c.ReplacedBy); r != "" && !strings.Contains(purpose, r) {
		purpose += " ออกเอกสารเลขที่ " + r + " แทน"
	}

	rsm, ram := CancellationNamespaces()
	m.XMLName = xml.Name{Local: "rsm:" + CancellationRootName}
	m.XMLNSRsm, m.XMLNSRam = rsm, ram
	// No PurposeCode: ETDA's purpose code lists (TIVC, RCTC, CDNG/CDNS,
	// DBNG/DBNS) have none for T07, and its CancellationNote Schematron
	// asks for none.
	m.Document = exchangedDocument{
		ID:            number,
		Name:          CancellationName,
		TypeCode:      CancellationTypeCode,
		IssueDateTime: dateTime(c.IssuedAt),
		Purpose:       purpose,
	}
	m.Transaction.Agreement.Additional = &referencedDocument{
		IssuerAssignedID:  d.Number,
		IssueDateTime:     dateTime(d.IssuedAt),
		ReferenceTypeCode: TypeCode(d.Type),
	}
	return m, nil
}
