package store

import (
	"context"
	"time"

	"github.com/langran/langran/model"
)

// Payments. Every write to an order's payments and their ledger runs in
// a transaction that first locks the order's row (LockOrder), so writes
// to one order's money queue one behind another: a check such as "no
// refund beyond what was captured" reads, then writes, under that lock.
// The unique indexes (idempotency keys, provider references, webhook
// event IDs) stop a second entry should a caller forget the lock.

// CreatePayment inserts a payment, in the transaction it is called in.
// A payment with the same idempotency key is a Conflict.
func (s *Store) CreatePayment(ctx context.Context, p *model.Payment) error {
	return TranslateError(s.db.WithContext(ctx).Create(p).Error)
}

// FindPaymentByIdempotencyKey returns the payment created with this
// (hashed) key, or NotFound. A plain read, for the reason
// FindOrderByIdempotencyKey gives.
func (s *Store) FindPaymentByIdempotencyKey(ctx context.Context, hash string) (*model.Payment, error) {
	var p model.Payment
	if err := s.db.WithContext(ctx).Where("idempotency_key = ?", hash).Take(&p).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &p, nil
}

// FindPayment returns the payment with this ID, or NotFound.
func (s *Store) FindPayment(ctx context.Context, id int64) (*model.Payment, error) {
	var p model.Payment
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &p, nil
}

// FindPaymentByProviderRef returns the payment of this method whose
// provider knows it as ref, or NotFound.
func (s *Store) FindPaymentByProviderRef(ctx context.Context, method model.PaymentMethod, ref string) (*model.Payment, error) {
	var p model.Payment
	if ref == "" {
		return nil, &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	err := s.db.WithContext(ctx).Where("method = ? AND provider_ref = ?", method, ref).Order("id").Take(&p).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &p, nil
}

// FindPaymentByReference returns the newest payment of one of these
// methods that the buyer was told to quote reference for, or NotFound.
func (s *Store) FindPaymentByReference(ctx context.Context, methods []model.PaymentMethod, reference string) (*model.Payment, error) {
	var p model.Payment
	if reference == "" || len(methods) == 0 {
		return nil, &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	err := s.db.WithContext(ctx).Where("method IN ? AND reference = ?", methods, reference).Order("id DESC").Take(&p).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &p, nil
}

// FindPaymentsByIDs returns the payments with these IDs.
func (s *Store) FindPaymentsByIDs(ctx context.Context, ids []int64) ([]model.Payment, error) {
	return findByIDs[model.Payment](ctx, s, "payments", ids)
}

// FindPaymentsByOrderIDs returns these orders' payments, oldest first.
func (s *Store) FindPaymentsByOrderIDs(ctx context.Context, ids []int64) ([]model.Payment, error) {
	var out []model.Payment
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("order_id IN ?", ids).Order("order_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// UpdatePayment changes the payment's columns in set.
func (s *Store) UpdatePayment(ctx context.Context, id int64, set map[string]any) error {
	set["updated_at"] = s.now()
	return TranslateError(s.db.WithContext(ctx).Table("payments").Where("id = ?", id).Updates(set).Error)
}

// UpdatePaymentIf changes the payment's columns in set only if its status
// is still status; it reports whether it was.
func (s *Store) UpdatePaymentIf(ctx context.Context, id int64, status model.PaymentStatus, set map[string]any) (bool, error) {
	set["updated_at"] = s.now()
	res := s.db.WithContext(ctx).Table("payments").Where("id = ? AND status = ?", id, status).Updates(set)
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// StartPayment records what the provider answered to a payment's start
// (ref is the provider's ID for it, "" when it has none), only if no
// answer was recorded yet: a concurrent retry may have been first. A
// webhook may have told the provider's ID already; that does not count as
// an answer. It reports whether this answer was the one recorded.
func (s *Store) StartPayment(ctx context.Context, id int64, ref string, set map[string]any) (bool, error) {
	set["updated_at"] = s.now()
	if ref != "" {
		set["provider_ref"] = ref
	}
	res := s.db.WithContext(ctx).Table("payments").
		Where("id = ? AND (provider_ref = '' OR provider_ref = ?) AND client_secret = '' AND payload = '' AND reference = '' AND instructions = ''", id, ref).
		Updates(set)
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// AddPaymentTransaction inserts a ledger entry, in the transaction it is
// called in. One with the same idempotency key, or the same provider
// reference for the same payment and kind, is a Conflict.
func (s *Store) AddPaymentTransaction(ctx context.Context, t *model.PaymentTransaction) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	t.UpdatedAt = t.CreatedAt
	return TranslateError(s.db.WithContext(ctx).Create(t).Error)
}

// FindPaymentTransactionByKey returns the ledger entry made with this
// (hashed) idempotency key, or NotFound.
func (s *Store) FindPaymentTransactionByKey(ctx context.Context, hash string) (*model.PaymentTransaction, error) {
	var t model.PaymentTransaction
	if err := s.db.WithContext(ctx).Where("idempotency_key = ?", hash).Take(&t).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &t, nil
}

// FindPaymentTransactionByRef returns the payment's ledger entry of this
// kind that the provider knows as ref, or NotFound.
func (s *Store) FindPaymentTransactionByRef(ctx context.Context, paymentID int64, kind model.TransactionKind, ref string) (*model.PaymentTransaction, error) {
	var t model.PaymentTransaction
	err := s.db.WithContext(ctx).Where("payment_id = ? AND kind = ? AND provider_ref = ?", paymentID, kind, ref).Take(&t).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &t, nil
}

// FindPaymentTransactionsByPaymentIDs returns these payments' ledger
// entries, oldest first.
func (s *Store) FindPaymentTransactionsByPaymentIDs(ctx context.Context, ids []int64) ([]model.PaymentTransaction, error) {
	var out []model.PaymentTransaction
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("payment_id IN ?", ids).Order("payment_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// FindPaymentTransactionsByIDs returns the ledger entries with these IDs.
func (s *Store) FindPaymentTransactionsByIDs(ctx context.Context, ids []int64) ([]model.PaymentTransaction, error) {
	return findByIDs[model.PaymentTransaction](ctx, s, "payment_transactions", ids)
}

// SettlePaymentTransaction records the provider's answer to a pending
// ledger entry, only if it is still pending; it reports whether it was.
func (s *Store) SettlePaymentTransaction(ctx context.Context, id int64, status model.TransactionStatus, ref, errorCode string) (bool, error) {
	set := map[string]any{"status": status, "error_code": errorCode, "updated_at": s.now()}
	if ref != "" {
		set["provider_ref"] = ref
	}
	res := s.db.WithContext(ctx).Table("payment_transactions").Where("id = ? AND status = ?", id, model.TxPending).Updates(set)
	if res.Error != nil && isDuplicateKey(res.Error) {
		// Another entry holds this reference: the provider's webhook
		// recorded the movement already.
		return false, nil
	}
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FailPaymentTransaction marks a ledger entry failed after it had
// succeeded (a refund the provider could not complete after all).
func (s *Store) FailPaymentTransaction(ctx context.Context, id int64, errorCode string) error {
	return TranslateError(s.db.WithContext(ctx).Table("payment_transactions").Where("id = ?", id).
		Updates(map[string]any{"status": model.TxFailure, "error_code": errorCode, "updated_at": s.now()}).Error)
}

// SetOrderMoney records what the order's ledger adds up to.
func (s *Store) SetOrderMoney(ctx context.Context, orderID int64, m model.OrderMoney) error {
	return TranslateError(s.db.WithContext(ctx).Table("orders").Where("id = ?", orderID).Updates(map[string]any{
		"authorized": m.Authorized, "captured": m.Captured, "refunded": m.Refunded,
		"financial_status": m.Status(), "updated_at": s.now(),
	}).Error)
}

// RefundOrderLine counts quantity more of the line's units as refunded,
// and restock of them as back in stock, if the line has that many left;
// it reports whether it had.
func (s *Store) RefundOrderLine(ctx context.Context, lineID int64, quantity, restock int) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE order_lines
		SET refunded_quantity = refunded_quantity + ?, restocked = restocked + ?
		WHERE id = ? AND refunded_quantity + ? <= quantity AND restocked + ? <= quantity`,
		quantity, restock, lineID, quantity, restock)
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RecordWebhookEvent notes that the provider's event was received, in
// the transaction that applies it, and reports whether it is new: false
// means it was applied before (a redelivery), and the caller should only
// acknowledge it. Two deliveries of one event at once queue on the unique
// index; the second sees the first's row once it commits.
func (s *Store) RecordWebhookEvent(ctx context.Context, provider, eventID, typ string, at time.Time) (bool, error) {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO webhook_events (provider, event_id, type, received_at) VALUES (?, ?, ?, ?)`,
		provider, eventID, typ, at).Error
	if err != nil && isDuplicateKey(err) {
		// A failed statement does not end the transaction on either
		// database: the caller goes on to acknowledge and commit.
		return false, nil
	}
	return err == nil, TranslateError(err)
}
