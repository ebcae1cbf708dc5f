package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// NextReceiptSeq takes the next number of a series, in the transaction it
// is called in, and holds the series' row lock until that transaction
// ends: documents of one series are numbered one after another, a number
// is used only if the transaction that took it commits, and a rolled-back
// transaction gives its number back. That makes the numbers gapless and
// unique, as the Revenue Code asks.
func (s *Store) NextReceiptSeq(ctx context.Context, series string) (int64, error) {
	db := s.db.WithContext(ctx)
	res := db.Exec(`UPDATE receipt_counters SET last_seq = last_seq + 1 WHERE series = ?`, series)
	if res.Error != nil {
		return 0, TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		// The series' first document: make its row, unless a concurrent
		// transaction just did (then this one waits for it), and count.
		ins := `INSERT OR IGNORE INTO receipt_counters (series, last_seq) VALUES (?, 0)`
		if s.Dialect() == MySQL {
			ins = `INSERT IGNORE INTO receipt_counters (series, last_seq) VALUES (?, 0)`
		}
		if err := db.Exec(ins, series).Error; err != nil {
			return 0, TranslateError(err)
		}
		if err := db.Exec(`UPDATE receipt_counters SET last_seq = last_seq + 1 WHERE series = ?`, series).Error; err != nil {
			return 0, TranslateError(err)
		}
	}
	var seq int64
	err := db.Raw(`SELECT last_seq FROM receipt_counters WHERE series = ?`, series).Scan(&seq).Error
	return seq, TranslateError(err)
}

// CreateReceipt inserts an issued document, in the transaction it is
// called in. A second document for the same source is a Conflict.
func (s *Store) CreateReceipt(ctx context.Context, r *model.Receipt) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	return TranslateError(s.db.WithContext(ctx).Create(r).Error)
}

// FindReceiptBySource returns the document issued for source, or NotFound.
func (s *Store) FindReceiptBySource(ctx context.Context, source string) (*model.Receipt, error) {
	var r model.Receipt
	if err := s.db.WithContext(ctx).Where("source = ?", source).Take(&r).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &r, nil
}

// LockReceipt reads a document for update.
func (s *Store) LockReceipt(ctx context.Context, id int64) (*model.Receipt, error) {
	var r model.Receipt
	err := s.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &r, nil
}

// FindReceiptsByIDs returns the documents with these IDs.
func (s *Store) FindReceiptsByIDs(ctx context.Context, ids []int64) ([]model.Receipt, error) {
	return findByIDs[model.Receipt](ctx, s, "receipts", ids)
}

// FindReceiptsByOrderIDs returns these orders' documents, oldest first.
func (s *Store) FindReceiptsByOrderIDs(ctx context.Context, ids []int64) ([]model.Receipt, error) {
	var out []model.Receipt
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("order_id IN ?", ids).Order("order_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// CancelReceipt marks an issued document cancelled, replaced by another,
// only if it still stands; it reports whether it did.
func (s *Store) CancelReceipt(ctx context.Context, id, replacedBy int64) (bool, error) {
	res := s.db.WithContext(ctx).Table("receipts").Where("id = ? AND status = ?", id, model.ReceiptIssued).
		Updates(map[string]any{"status": model.ReceiptCancelled, "replaced_by_id": replacedBy})
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReceiptFilter narrows a list of documents; zero fields do not narrow.
type ReceiptFilter struct {
	Since, Until *time.Time // issued at or after, before
	Types        []model.DocumentType
	Number       string
}

func (f ReceiptFilter) apply(q *gorm.DB) *gorm.DB {
	if f.Since != nil {
		q = q.Where("issued_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("issued_at < ?", *f.Until)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if f.Number != "" {
		q = q.Where("number = ?", f.Number)
	}
	return q
}

// ListReceipts returns a page of documents by ID, narrowed by f.
func (s *Store) ListReceipts(ctx context.Context, f ReceiptFilter, pg Page) ([]model.Receipt, bool, error) {
	return pageByID[model.Receipt](f.apply(s.db.WithContext(ctx).Table("receipts")), "id", pg)
}

// CountReceipts counts the documents f passes.
func (s *Store) CountReceipts(ctx context.Context, f ReceiptFilter) (int64, error) {
	var n int64
	err := f.apply(s.db.WithContext(ctx).Table("receipts")).Count(&n).Error
	return n, TranslateError(err)
}

// EachReceipt calls fn with the documents f passes, in issue order, in
// batches, for exports of any size.
func (s *Store) EachReceipt(ctx context.Context, f ReceiptFilter, fn func(*model.Receipt) error) error {
	var after int64
	for {
		var batch []model.Receipt
		err := f.apply(s.db.WithContext(ctx).Table("receipts")).Where("id > ?", after).Order("id").Limit(500).Find(&batch).Error
		if err != nil {
			return TranslateError(err)
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		if len(batch) < 500 {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}
