package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// CreateOrder inserts an order, its lines and its first event, in the
// transaction it is called in: three statements, written by hand (GORM's
// Create of the three, its statement building and reflection, was a tenth
// of a checkout's CPU). The order and the event get their IDs; the lines
// are inserted in one statement and do not (nothing reads them back).
func (s *Store) CreateOrder(ctx context.Context, o *model.Order, lines []model.OrderLine, ev *model.OrderEvent) error {
	id, err := s.insert(ctx, `INSERT INTO orders (access_key, customer_id, cart_id, idempotency_key, email, phone, status, currency,
			subtotal, discount, shipping, shipping_off, total, vat, vat_rate, discount_codes, delivery_address, delivery_option,
			delivery_title, note, carrier, tracking_number, created_at, updated_at, pay_by, paid_at, cancelled_at,
			financial_status, authorized, captured, refunded)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.AccessKey, o.CustomerID, o.CartID, o.IdempotencyKey, o.Email, o.Phone, string(o.Status), string(o.Currency),
		o.Subtotal, o.Discount, o.Shipping, o.ShippingOff, o.Total, o.VAT, int64(o.VATRate), o.DiscountCodes, o.DeliveryAddress,
		o.DeliveryOption, o.DeliveryTitle, o.Note, o.Carrier, o.TrackingNumber, o.CreatedAt, o.UpdatedAt, o.PayBy, o.PaidAt, o.CancelledAt,
		string(o.FinancialStatus), o.Authorized, o.Captured, o.Refunded)
	if err != nil {
		return err
	}
	o.ID = id
	if len(lines) > 0 {
		const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		args := make([]any, 0, 14*len(lines))
		for i := range lines {
			l := &lines[i]
			l.OrderID = o.ID
			args = append(args, l.OrderID, l.VariantID, l.ProductID, l.Title, l.VariantTitle, l.SKU, l.Quantity,
				l.UnitPrice, l.Subtotal, l.Discount, l.Total, l.VAT, l.RefundedQuantity, l.Restocked)
		}
		q := `INSERT INTO order_lines (order_id, variant_id, product_id, title, variant_title, sku, quantity, unit_price,
			subtotal, discount, total, vat, refunded_quantity, restocked) VALUES ` + row + strings.Repeat(", "+row, len(lines)-1)
		if err := s.db.WithContext(ctx).Exec(q, args...).Error; err != nil {
			return TranslateError(err)
		}
	}
	ev.OrderID = o.ID
	ev.ID, err = s.insert(ctx, `INSERT INTO order_events (order_id, kind, from_status, to_status, message, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.OrderID, ev.Kind, ev.FromStatus, ev.ToStatus, ev.Message, ev.Actor, ev.CreatedAt)
	return err
}

// FindOrderByIdempotencyKey returns the order a checkout with this key
// (hashed) made, or NotFound. It is a plain read: a locking read of a key
// that is not there would lock the gap in the unique index, and concurrent
// checkouts inserting their orders into that gap would deadlock. The unique
// index itself stops a second order with the key.
func (s *Store) FindOrderByIdempotencyKey(ctx context.Context, hash string) (*model.Order, error) {
	var o model.Order
	err := s.db.WithContext(ctx).Where("idempotency_key = ?", hash).Take(&o).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &o, nil
}

// FindOrdersByIDs returns the orders with these IDs.
func (s *Store) FindOrdersByIDs(ctx context.Context, ids []int64) ([]model.Order, error) {
	return findByIDs[model.Order](ctx, s, "orders", ids)
}

// FindOrderLinesByOrderIDs returns the lines of these orders, in order.
func (s *Store) FindOrderLinesByOrderIDs(ctx context.Context, ids []int64) ([]model.OrderLine, error) {
	var out []model.OrderLine
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("order_id IN ?", ids).Order("order_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// FindOrderLinesByIDs returns the order lines with these IDs.
func (s *Store) FindOrderLinesByIDs(ctx context.Context, ids []int64) ([]model.OrderLine, error) {
	return findByIDs[model.OrderLine](ctx, s, "order_lines", ids)
}

// FindOrderEventsByOrderIDs returns the history of these orders, oldest
// first.
func (s *Store) FindOrderEventsByOrderIDs(ctx context.Context, ids []int64) ([]model.OrderEvent, error) {
	var out []model.OrderEvent
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("order_id IN ?", ids).Order("order_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// OrderFilter narrows an order list; zero fields do not.
type OrderFilter struct {
	CustomerID *int64
	Status     []model.OrderStatus
	Since      *time.Time // created at or after
	Until      *time.Time // created before
	Email      string     // exactly, as stored (lower case)
	ID         int64      // one order, by number
}

// ListOrders returns a page of orders, newest last in ID order.
func (s *Store) ListOrders(ctx context.Context, f OrderFilter, pg Page) ([]model.Order, bool, error) {
	return pageByID[model.Order](f.apply(s.db.WithContext(ctx).Table("orders")), "id", pg)
}

// CountOrders counts the orders the filter passes.
func (s *Store) CountOrders(ctx context.Context, f OrderFilter) (int64, error) {
	var n int64
	err := f.apply(s.db.WithContext(ctx).Table("orders")).Count(&n).Error
	return n, TranslateError(err)
}

func (f OrderFilter) apply(q *gorm.DB) *gorm.DB {
	if f.CustomerID != nil {
		q = q.Where("customer_id = ?", *f.CustomerID)
	}
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", *f.Until)
	}
	if f.Email != "" {
		q = q.Where("email = ?", f.Email)
	}
	if f.ID != 0 {
		q = q.Where("id = ?", f.ID)
	}
	return q
}

// LockOrder reads the order for update in the transaction it is called in.
func (s *Store) LockOrder(ctx context.Context, id int64) (*model.Order, error) {
	var o model.Order
	err := s.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&o).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &o, nil
}

// MoveOrder changes the order's status from from to to with the given
// column changes, only if it is still from (a conditional update: a
// concurrent move makes this one a Conflict), and records the event.
func (s *Store) MoveOrder(ctx context.Context, id int64, from, to model.OrderStatus, set map[string]any, ev *model.OrderEvent) error {
	cols := map[string]any{"status": to, "updated_at": ev.CreatedAt}
	for k, v := range set {
		cols[k] = v
	}
	res := s.db.WithContext(ctx).Table("orders").Where("id = ? AND status = ?", id, from).Updates(cols)
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeConflict, Message: "the order changed meanwhile; read it again"}
	}
	ev.OrderID, ev.FromStatus, ev.ToStatus = id, string(from), string(to)
	return TranslateError(s.db.WithContext(ctx).Create(ev).Error)
}

// AddOrderEvent records an event without a status change (a note).
func (s *Store) AddOrderEvent(ctx context.Context, ev *model.OrderEvent) error {
	return TranslateError(s.db.WithContext(ctx).Create(ev).Error)
}

// FindExpiredOrders returns up to limit unpaid orders whose time to pay
// ended before now, oldest first. An order some of whose money is held
// or paid is not one: it waits for staff to capture or refund. One whose
// attempts were all called off is.
func (s *Store) FindExpiredOrders(ctx context.Context, now time.Time, limit int) ([]model.Order, error) {
	var out []model.Order
	err := s.db.WithContext(ctx).Where("status = ? AND pay_by < ? AND financial_status IN ?",
		model.OrderPendingPayment, now, []model.FinancialStatus{model.FinancialPending, model.FinancialVoided}).
		Order("pay_by, id").Limit(limit).Find(&out).Error
	return out, TranslateError(err)
}

// UseDiscount counts one use of the discount at checkout, only while it is
// under its usage limit: a conditional update, so concurrent checkouts can
// never use a limited code more often than the limit. It takes the
// discount's row lock, so the per-buyer count that follows (CountDiscountUses
// under this transaction) sees every use committed before. False when the
// code is used up.
func (s *Store) UseDiscount(ctx context.Context, discountID int64, buyerKey string, orderID int64, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE discounts SET used_count = used_count + 1, updated_at = ?
		WHERE id = ? AND active AND (usage_limit IS NULL OR used_count < usage_limit)`, now, discountID)
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	err := s.db.WithContext(ctx).Exec(`INSERT INTO discount_usages (discount_id, buyer_key, order_id, created_at) VALUES (?, ?, ?, ?)`,
		discountID, buyerKey, orderID, now).Error
	return true, TranslateError(err)
}

// CountDiscountUsesLocked is CountDiscountUses as a locking read, for the
// checkout's transaction: it sees uses committed by transactions that
// finished after this one began.
func (s *Store) CountDiscountUsesLocked(ctx context.Context, discountID int64, buyerKey string) (int, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Table("discount_usages").Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("discount_id = ? AND buyer_key = ?", discountID, buyerKey).Pluck("id", &ids).Error
	return len(ids), TranslateError(err)
}

// ReleaseDiscountUses gives back the uses an order made (when it is
// cancelled unpaid or expires).
func (s *Store) ReleaseDiscountUses(ctx context.Context, orderID int64) error {
	var ids []int64
	db := s.db.WithContext(ctx)
	if err := db.Table("discount_usages").Where("order_id = ?", orderID).Pluck("discount_id", &ids).Error; err != nil {
		return TranslateError(err)
	}
	for _, id := range ids {
		if err := db.Exec("UPDATE discounts SET used_count = used_count - 1 WHERE id = ? AND used_count > 0", id).Error; err != nil {
			return TranslateError(err)
		}
	}
	return TranslateError(db.Exec("DELETE FROM discount_usages WHERE order_id = ?", orderID).Error)
}

// MarkCartCompleted marks the cart checked out.
func (s *Store) MarkCartCompleted(ctx context.Context, cartID int64, now time.Time) error {
	return TranslateError(s.db.WithContext(ctx).Exec("UPDATE carts SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
		model.CartCompleted, now, cartID).Error)
}
