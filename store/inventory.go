package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Inventory. A variant row holds its stock on hand (inventory_quantity)
// and the units committed to unfulfilled orders (inventory_committed); the
// inventory_movements table is the ledger of on hand.
//
// The ledger invariant: for every variant, the deltas of its movements add
// up to its inventory_quantity. Every statement that changes
// inventory_quantity inserts its movement in the same transaction:
// AdjustInventory, SetInventory and FulfilStock here, SaveProducts for the
// catalog's writes (mutations and CSV import), Seed, and migration 8, which
// started the ledger with one INITIAL movement per variant. TakeStock and
// ReleaseStock change committed only: units promised and unpromised are
// the orders' business, and on hand does not move until they ship.
// CheckInventoryLedger finds variants where the invariant does not hold.
//
// Every change is one conditional UPDATE whose WHERE holds the rule it
// must keep, so concurrent writers cannot break it between a read and a
// write: the database checks and changes the row at once, under its row
// lock. When the UPDATE matches no row, a read afterwards says why. The
// rules:
//
//   - on hand never goes below zero, nor committed below zero;
//   - for a tracked variant without backorders, committed never exceeds
//     on hand: what is promised is on the shelf. Taking more is
//     OUT_OF_STOCK; an adjustment, a set or a catalog write that would
//     take on hand below committed is INSUFFICIENT_STOCK (release or
//     cancel orders first). Allowing backorders lifts the rule, and
//     turning them off again leaves existing promises alone.
//   - an untracked variant always sells; its on hand moves only when
//     staff change it (fulfilling its orders ships units nobody counts).
//
// Functions that run more than one statement run them in a transaction
// of their own (InTx), which is a savepoint when the caller is already in
// one; the callers that must retry on deadlocks wrap the whole unit of
// work in RetryTx.

// lockForUpdate makes a MySQL read a locking one (SELECT ... FOR UPDATE).
var lockForUpdate = clause.Locking{Strength: "UPDATE"}

// StockLine is a quantity of one variant, as checkout takes it.
type StockLine struct {
	VariantID int64
	Quantity  int
}

// availableForSaleSQL is model.ProductVariant.AvailableForSale in SQL, for
// the variants table under alias.
func availableForSaleSQL(alias string) string {
	return "(" + alias + ".inventory_tracked = FALSE OR " + alias + ".allow_backorder = TRUE OR " +
		alias + ".inventory_quantity - " + alias + ".inventory_committed > 0)"
}

// AdjustInventory changes the stock on hand of variant variantID by delta
// and records the movement, which it returns. The new stock must be from 0
// to model.MaxInventoryQuantity, and a decrease must leave at least what is
// committed (for a tracked variant without backorders); otherwise nothing
// changes and the error is INSUFFICIENT_STOCK (or INVALID over the
// maximum), its StockConflict cause holding the stock found. A variant
// that does not exist is NOT_FOUND.
func (s *Store) AdjustInventory(ctx context.Context, variantID int64, delta int, reason model.InventoryReason,
	reference, actor string) (*model.InventoryMovement, error) {
	var out *model.InventoryMovement
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.db.WithContext(ctx).Exec(`UPDATE product_variants
			SET inventory_quantity = inventory_quantity + ?, updated_at = ?
			WHERE id = ? AND inventory_quantity + ? >= 0 AND inventory_quantity + ? <= ?
			AND (? > 0 OR inventory_tracked = FALSE OR allow_backorder = TRUE OR inventory_quantity + ? >= inventory_committed)`,
			delta, tx.now(), variantID, delta, delta, model.MaxInventoryQuantity, delta, delta)
		if res.Error != nil {
			return TranslateError(res.Error)
		}
		if res.RowsAffected == 0 {
			v, err := tx.stockOf(ctx, variantID)
			if err != nil {
				return err
			}
			if v.InventoryQuantity+delta > model.MaxInventoryQuantity {
				return stockError(model.CodeInvalid, v, "the stock would be over %d", model.MaxInventoryQuantity)
			}
			return stockError(model.CodeInsufficientStock, v,
				"the variant has %d on hand, %d of them committed to orders: it cannot lose %d", v.InventoryQuantity, v.InventoryCommitted, -delta)
		}
		ms, err := tx.recordMovements(ctx, []StockLine{{variantID, delta}}, reason, reference, actor)
		if err != nil {
			return err
		}
		out = &ms[0]
		return nil
	})
	return out, err
}

// SetInventory sets the stock on hand of variant variantID to quantity if
// it is compareQuantity now (a compare-and-set: a count taken while stock
// moved must not overwrite the move), and records the difference as a
// movement, which it returns (nil when quantity is compareQuantity:
// nothing moved). When the stock is not compareQuantity, nothing changes
// and the error is STOCK_CHANGED, its StockConflict cause holding the stock
// found; a quantity below what is committed (tracked, no backorders) is
// INSUFFICIENT_STOCK; a variant that does not exist is NOT_FOUND.
func (s *Store) SetInventory(ctx context.Context, variantID int64, quantity, compareQuantity int,
	reason model.InventoryReason, reference, actor string) (*model.InventoryMovement, error) {
	var out *model.InventoryMovement
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.db.WithContext(ctx).Exec(`UPDATE product_variants SET inventory_quantity = ?, updated_at = ?
			WHERE id = ? AND inventory_quantity = ?
			AND (? >= inventory_committed OR inventory_tracked = FALSE OR allow_backorder = TRUE)`,
			quantity, tx.now(), variantID, compareQuantity, quantity)
		if res.Error != nil {
			return TranslateError(res.Error)
		}
		if res.RowsAffected == 0 {
			v, err := tx.stockOf(ctx, variantID)
			if err != nil {
				return err
			}
			if v.InventoryQuantity != compareQuantity {
				return stockError(model.CodeStockChanged, v, "the stock on hand is %d, not %d: it changed meanwhile", v.InventoryQuantity, compareQuantity)
			}
			return stockError(model.CodeInsufficientStock, v,
				"%d of the variant's units are committed to orders: the stock cannot be less", v.InventoryCommitted)
		}
		if quantity == compareQuantity {
			return nil
		}
		ms, err := tx.recordMovements(ctx, []StockLine{{variantID, quantity - compareQuantity}}, reason, reference, actor)
		if err != nil {
			return err
		}
		out = &ms[0]
		return nil
	})
	return out, err
}

// TakeStock commits the lines' units to an order (checkout): for each
// variant, in ID order so that concurrent takes lock rows in one order and
// cannot deadlock each other, one conditional UPDATE that adds to committed
// only while the variant is untracked, allows backorders, or has the units
// available. Lines of one variant are taken together. When a variant has
// too few, nothing is taken and the error is OUT_OF_STOCK naming it (its
// StockConflict cause holds the stock found); a variant that does not
// exist is NOT_FOUND, naming it too. On hand does not change, so the
// ledger records nothing: the order holding the lines is the record.
//
// Inside a transaction (checkout's) it runs in the caller's transaction
// without a savepoint of its own, which would cost every checkout a
// statement: on a failure it gives back, on rows this transaction holds
// locked, what it had taken, so "nothing is taken" still holds.
func (s *Store) TakeStock(ctx context.Context, lines []StockLine) error {
	merged, err := mergeLines(lines)
	if err != nil {
		return err
	}
	if _, inTx := s.db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return s.takeStock(ctx, merged)
	}
	return s.InTx(ctx, func(tx *Store) error { return tx.takeStock(ctx, merged) })
}

// takeStock is TakeStock in the transaction s is bound to.
func (s *Store) takeStock(ctx context.Context, merged []StockLine) error {
	for i, l := range merged {
		res := s.db.WithContext(ctx).Exec(`UPDATE product_variants
			SET inventory_committed = inventory_committed + ?, updated_at = ?
			WHERE id = ? AND (inventory_tracked = FALSE OR allow_backorder = TRUE
				OR inventory_quantity - inventory_committed >= ?)`,
			l.Quantity, s.now(), l.VariantID, l.Quantity)
		if res.Error == nil && res.RowsAffected == 1 {
			continue
		}
		err := TranslateError(res.Error)
		if err == nil {
			v, serr := s.stockOf(ctx, l.VariantID)
			err = serr
			if serr == nil {
				err = stockError(model.CodeOutOfStock, v, "only %d of %s are available, not %d",
					max(v.Available(), 0), model.EncodeGlobalID(model.TypeProductVariant, l.VariantID), l.Quantity)
			}
		}
		// Give back what this call took. Should that fail too, the
		// transaction is broken and the caller, which has an error, rolls
		// it back.
		for _, t := range merged[:i] {
			if uerr := s.db.WithContext(ctx).Exec(`UPDATE product_variants SET inventory_committed = inventory_committed - ?
				WHERE id = ?`, t.Quantity, t.VariantID).Error; uerr != nil {
				break
			}
		}
		return err
	}
	return nil
}

// TakeStockAtOnce is TakeStock in one statement, for a caller in a
// transaction that it rolls back on any error (checkout): one UPDATE adds
// every line's units to committed, on the same conditions as TakeStock,
// row by row in ID order (the IN list is read along the primary key), so
// concurrent takes still lock rows in one order. When a line is short, or
// its variant is gone, it returns OUT_OF_STOCK without naming the variant,
// and the other lines may have been taken: the transaction must be rolled
// back. TakeStock's per-variant statements, which give back what they took
// and name the variant, are for everyone else.
func (s *Store) TakeStockAtOnce(ctx context.Context, lines []StockLine) error {
	if _, inTx := s.db.Statement.ConnPool.(gorm.TxCommitter); !inTx {
		return errors.New("TakeStockAtOnce needs a transaction the caller rolls back on error")
	}
	merged, err := mergeLines(lines)
	if err != nil {
		return err
	}
	var add strings.Builder
	var addArgs, ids []any
	for _, l := range merged {
		add.WriteString(" WHEN ? THEN ?")
		addArgs = append(addArgs, l.VariantID, l.Quantity)
		ids = append(ids, l.VariantID)
	}
	in := "?" + strings.Repeat(", ?", len(ids)-1)
	args := append(append(append(append([]any{}, addArgs...), s.now()), ids...), addArgs...)
	res := s.db.WithContext(ctx).Exec(`UPDATE product_variants
		SET inventory_committed = inventory_committed + CASE id`+add.String()+` END, updated_at = ?
		WHERE id IN (`+in+`) AND (inventory_tracked = FALSE OR allow_backorder = TRUE
			OR inventory_quantity - inventory_committed >= CASE id`+add.String()+` END)`, args...)
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected != int64(len(merged)) {
		return model.Errorf(model.CodeOutOfStock, "%d of %d variants have too few units available", len(merged)-int(res.RowsAffected), len(merged))
	}
	return nil
}

// ReleaseStock gives back units TakeStock committed (an order cancelled
// or expired before it shipped): committed goes down, on hand stays. A
// variant deleted meanwhile is skipped; releasing more than is committed
// is CONFLICT and releases nothing.
func (s *Store) ReleaseStock(ctx context.Context, lines []StockLine) error {
	merged, err := mergeLines(lines)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		for _, l := range merged {
			res := tx.db.WithContext(ctx).Exec(`UPDATE product_variants
				SET inventory_committed = inventory_committed - ?, updated_at = ?
				WHERE id = ? AND inventory_committed >= ?`, l.Quantity, tx.now(), l.VariantID, l.Quantity)
			if res.Error != nil {
				return TranslateError(res.Error)
			}
			if res.RowsAffected == 0 {
				v, err := tx.stockOf(ctx, l.VariantID)
				if model.ErrorCodeOf(err) == model.CodeNotFound {
					continue
				}
				if err != nil {
					return err
				}
				return stockError(model.CodeConflict, v, "only %d units are committed, not %d", v.InventoryCommitted, l.Quantity)
			}
		}
		return nil
	})
}

// FulfilStock ships units TakeStock committed (an order fulfilled): both
// committed and on hand go down, and each tracked variant's movement is
// recorded with reason SOLD; untracked variants only lose the commitment.
// It returns the movements. A variant deleted meanwhile is skipped;
// shipping more than is committed is CONFLICT, more than is on hand
// INSUFFICIENT_STOCK, and either ships nothing.
func (s *Store) FulfilStock(ctx context.Context, lines []StockLine, reference, actor string) ([]model.InventoryMovement, error) {
	merged, err := mergeLines(lines)
	if err != nil {
		return nil, err
	}
	var out []model.InventoryMovement
	err = s.InTx(ctx, func(tx *Store) error {
		var shipped []int64
		for _, l := range merged {
			res := tx.db.WithContext(ctx).Exec(`UPDATE product_variants
				SET inventory_committed = inventory_committed - ?,
					inventory_quantity = inventory_quantity - CASE WHEN inventory_tracked = TRUE THEN ? ELSE 0 END,
					updated_at = ?
				WHERE id = ? AND inventory_committed >= ? AND (inventory_tracked = FALSE OR inventory_quantity >= ?)`,
				l.Quantity, l.Quantity, tx.now(), l.VariantID, l.Quantity, l.Quantity)
			if res.Error != nil {
				return TranslateError(res.Error)
			}
			if res.RowsAffected == 1 {
				shipped = append(shipped, l.VariantID)
				continue
			}
			v, err := tx.stockOf(ctx, l.VariantID)
			if model.ErrorCodeOf(err) == model.CodeNotFound {
				continue
			}
			if err != nil {
				return err
			}
			if v.InventoryCommitted < l.Quantity {
				return stockError(model.CodeConflict, v, "only %d units are committed, not %d", v.InventoryCommitted, l.Quantity)
			}
			return stockError(model.CodeInsufficientStock, v, "only %d units are on hand, not %d", v.InventoryQuantity, l.Quantity)
		}
		if len(shipped) == 0 {
			return nil
		}
		var tracked []int64
		if err := tx.db.WithContext(ctx).Table("product_variants").
			Where("id IN ? AND inventory_tracked = TRUE", shipped).Pluck("id", &tracked).Error; err != nil {
			return TranslateError(err)
		}
		var moves []StockLine
		for _, l := range merged {
			if slices.Contains(tracked, l.VariantID) {
				moves = append(moves, StockLine{l.VariantID, -l.Quantity})
			}
		}
		out, err = tx.recordMovements(ctx, moves, model.ReasonSold, reference, actor)
		return err
	})
	return out, err
}

// mergeLines adds up the lines of each variant and sorts them by variant
// ID. Quantities must be positive.
func mergeLines(lines []StockLine) ([]StockLine, error) {
	sum := map[int64]int{}
	for _, l := range lines {
		if l.Quantity <= 0 || l.Quantity > model.MaxInventoryQuantity {
			return nil, model.Errorf(model.CodeInvalid, "quantities must be from 1 to %d", model.MaxInventoryQuantity)
		}
		sum[l.VariantID] += l.Quantity
	}
	out := make([]StockLine, 0, len(sum))
	for id, q := range sum {
		out = append(out, StockLine{id, q})
	}
	slices.SortFunc(out, func(a, b StockLine) int { return cmp.Compare(a.VariantID, b.VariantID) })
	return out, nil
}

// stockOf reads a variant's stock after a conditional UPDATE matched
// nothing, to say why. On MySQL it is a locking read: it sees the latest
// committed row, not the transaction's snapshot.
func (s *Store) stockOf(ctx context.Context, variantID int64) (*model.ProductVariant, error) {
	q := "SELECT " + variantColumns + " FROM product_variants WHERE id = ?"
	if s.dialect == MySQL {
		q += " LOCK IN SHARE MODE"
	}
	vs, err := scanAll(s.db.WithContext(ctx).Raw(q, variantID), scanVariant)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, &model.Error{Code: model.CodeNotFound, Message: "no such variant: " +
			model.EncodeGlobalID(model.TypeProductVariant, variantID)}
	}
	return &vs[0], nil
}

func stockError(code model.ErrorCode, v *model.ProductVariant, format string, args ...any) *model.Error {
	return &model.Error{Code: code, Message: fmt.Sprintf(format, args...),
		Cause: &model.StockConflict{VariantID: v.ID, OnHand: v.InventoryQuantity, Committed: v.InventoryCommitted}}
}

// recordMovements inserts the movements of changes the caller has just
// made to the variants' stock on hand (each line's Quantity is the delta),
// reading the stock they left. The caller's UPDATE holds the rows' locks,
// so what is read is what its change left.
func (s *Store) recordMovements(ctx context.Context, deltas []StockLine, reason model.InventoryReason,
	reference, actor string) ([]model.InventoryMovement, error) {
	if len(deltas) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(deltas))
	for i, d := range deltas {
		ids[i] = d.VariantID
	}
	after := make(map[int64]int, len(ids))
	for start := 0; start < len(ids); start += refreshBatch {
		var rows []struct {
			ID                int64
			InventoryQuantity int
		}
		q := s.db.WithContext(ctx).Table("product_variants").Select("id, inventory_quantity").
			Where("id IN ?", ids[start:min(start+refreshBatch, len(ids))])
		if s.dialect == MySQL {
			q = q.Clauses(lockForUpdate)
		}
		if err := q.Find(&rows).Error; err != nil {
			return nil, TranslateError(err)
		}
		for _, r := range rows {
			after[r.ID] = r.InventoryQuantity
		}
	}
	if actor == "" {
		actor = model.ActorSystem
	}
	now := s.now()
	out := make([]model.InventoryMovement, len(deltas))
	for i, d := range deltas {
		q, ok := after[d.VariantID]
		if !ok {
			return nil, fmt.Errorf("database: variant %d changed but cannot be read back", d.VariantID)
		}
		out[i] = model.InventoryMovement{VariantID: d.VariantID, Delta: d.Quantity, QuantityAfter: q,
			Reason: reason, Reference: reference, Actor: actor, CreatedAt: now}
	}
	if err := s.db.WithContext(ctx).CreateInBatches(&out, refreshBatch).Error; err != nil {
		return nil, TranslateError(err)
	}
	return out, nil
}

// recordInitialStock starts the ledger of variants: one INITIAL movement
// each, holding its stock on hand. It covers the variants of productIDs,
// or every variant when productIDs is nil (migration 8).
func (s *Store) recordInitialStock(ctx context.Context, productIDs []int64) error {
	const insert = `INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, reference, actor, created_at)
		SELECT id, inventory_quantity, inventory_quantity, ?, '', ?, ? FROM product_variants`
	db := s.db.WithContext(ctx)
	if productIDs == nil {
		return TranslateError(db.Exec(insert, model.ReasonInitial, model.ActorSystem, s.now()).Error)
	}
	for start := 0; start < len(productIDs); start += refreshBatch {
		batch := productIDs[start:min(start+refreshBatch, len(productIDs))]
		if err := db.Exec(insert+" WHERE product_id IN ? ORDER BY id", model.ReasonInitial, model.ActorSystem, s.now(), batch).Error; err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// InventoryItemChange changes how a variant's stock is kept; nil fields
// stay as they are.
type InventoryItemChange struct {
	Tracked        *bool
	AllowBackorder *bool
	// LowStockThreshold: Set with a nil Value clears it.
	LowStockThresholdSet bool
	LowStockThreshold    *int
}

// UpdateInventoryItem applies change to variant variantID and returns the
// variant as it now is; NOT_FOUND when there is none. Stock is not
// touched: turning tracking or backorders off leaves what is committed as
// it is.
func (s *Store) UpdateInventoryItem(ctx context.Context, variantID int64, change InventoryItemChange) (*model.ProductVariant, error) {
	var out *model.ProductVariant
	err := s.InTx(ctx, func(tx *Store) error {
		set := map[string]any{"updated_at": tx.now()}
		if change.Tracked != nil {
			set["inventory_tracked"] = *change.Tracked
		}
		if change.AllowBackorder != nil {
			set["allow_backorder"] = *change.AllowBackorder
		}
		if change.LowStockThresholdSet {
			set["low_stock_threshold"] = change.LowStockThreshold
		}
		if err := rowsOrNotFound(tx.db.WithContext(ctx).Table("product_variants").Where("id = ?", variantID).Updates(set)); err != nil {
			return err
		}
		v, err := tx.stockOf(ctx, variantID)
		out = v
		return err
	})
	return out, err
}

// InventoryMovementFilter narrows ListInventoryMovements.
type InventoryMovementFilter struct {
	VariantID int64 // 0: every variant
}

// ListInventoryMovements returns one page of the ledger in ID order (the
// order the movements were made), of one variant or of all.
func (s *Store) ListInventoryMovements(ctx context.Context, f InventoryMovementFilter, pg Page) ([]model.InventoryMovement, bool, error) {
	q := s.db.WithContext(ctx).Table("inventory_movements")
	if f.VariantID != 0 {
		q = q.Where("variant_id = ?", f.VariantID)
	}
	return pageByID[model.InventoryMovement](q, "id", pg)
}

// FindInventoryMovementsByIDs returns the movements with these IDs.
func (s *Store) FindInventoryMovementsByIDs(ctx context.Context, ids []int64) ([]model.InventoryMovement, error) {
	return findByIDs[model.InventoryMovement](ctx, s, "inventory_movements", ids)
}

// lowStockCondition selects model.ProductVariant.LowStock variants.
const lowStockCondition = "low_stock_threshold IS NOT NULL AND inventory_tracked = TRUE AND " +
	"inventory_quantity - inventory_committed <= low_stock_threshold"

// ListLowStockVariants returns one page, in ID order, of the variants low
// on stock (model.ProductVariant.LowStock), of products in any status.
func (s *Store) ListLowStockVariants(ctx context.Context, pg Page) ([]model.ProductVariant, bool, error) {
	q := s.db.WithContext(ctx).Table("product_variants").Select(variantColumns).Where(lowStockCondition)
	return pageByID[model.ProductVariant](q, "id", pg)
}

// CountLowStockVariants counts the variants ListLowStockVariants lists.
func (s *Store) CountLowStockVariants(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("product_variants").Where(lowStockCondition).Count(&n).Error
	return n, TranslateError(err)
}

// LedgerMismatch is a variant whose movements do not add up to its stock.
type LedgerMismatch struct {
	VariantID   int64
	OnHand      int64
	LedgerTotal int64
}

// CheckInventoryLedger returns the variants whose ledger does not add up
// to their stock on hand: none, unless something wrote stock around this
// file's functions.
func (s *Store) CheckInventoryLedger(ctx context.Context) ([]LedgerMismatch, error) {
	var out []LedgerMismatch
	err := s.db.WithContext(ctx).Raw(`SELECT v.id AS variant_id, v.inventory_quantity AS on_hand,
			COALESCE(SUM(m.delta), 0) AS ledger_total
		FROM product_variants v LEFT JOIN inventory_movements m ON m.variant_id = v.id
		GROUP BY v.id, v.inventory_quantity
		HAVING COALESCE(SUM(m.delta), 0) <> v.inventory_quantity
		ORDER BY v.id`).Scan(&out).Error
	return out, TranslateError(err)
}

// ClaimIdempotencyKey claims a client's idempotency key (stored as
// keyHash, see model.IdempotencyKeyHash) within scope for a request with
// requestHash. Call it first in the transaction of the write it guards,
// then do the write and SaveIdempotencyResult in the same transaction, so
// the key, the write and its result commit or vanish together.
//
// A new key returns (nil, nil): go ahead. A key claimed before returns the
// result saved with it, when the request is the same, or
// IDEMPOTENCY_KEY_REUSED when it is not. A claim racing another of the
// same key waits for the other's transaction (on the unique index's lock;
// SQLite has one writer): when that commits, this one gets its result;
// when it rolls back, this one claims the key.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope, keyHash, requestHash string) (*string, error) {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO idempotency_keys (scope, key_hash, request_hash, result, created_at)
		VALUES (?, ?, ?, '', ?)`, scope, keyHash, requestHash, s.now()).Error
	if err == nil {
		return nil, nil
	}
	if model.ErrorCodeOf(TranslateError(err)) != model.CodeConflict {
		return nil, TranslateError(err)
	}
	// Taken: read what the first request left. A locking read sees the
	// latest committed row whatever this transaction's snapshot.
	q := "SELECT request_hash, result FROM idempotency_keys WHERE scope = ? AND key_hash = ?"
	if s.dialect == MySQL {
		q += " LOCK IN SHARE MODE"
	}
	var rows []struct{ RequestHash, Result string }
	if err := s.db.WithContext(ctx).Raw(q, scope, keyHash).Scan(&rows).Error; err != nil {
		return nil, TranslateError(err)
	}
	if len(rows) == 0 {
		// Pruned between the two statements: as good as a conflict.
		return nil, &model.Error{Code: model.CodeConflict, Message: "the idempotency key changed meanwhile; try again"}
	}
	if rows[0].RequestHash != requestHash {
		return nil, &model.Error{Code: model.CodeIdempotencyKeyReused,
			Message: "this idempotency key was used for a request with other arguments"}
	}
	return &rows[0].Result, nil
}

// SaveIdempotencyResult stores the result of the write a claimed key
// guards, for the key's repeats to return.
func (s *Store) SaveIdempotencyResult(ctx context.Context, scope, keyHash, result string) error {
	return rowsOrNotFound(s.db.WithContext(ctx).Exec("UPDATE idempotency_keys SET result = ? WHERE scope = ? AND key_hash = ?",
		result, scope, keyHash))
}

// PruneIdempotencyKeys deletes up to limit keys claimed before before, and
// returns how many it deleted. A key is honoured at least as long as it
// is kept: clients retry within minutes, keys are kept for a day.
func (s *Store) PruneIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Table("idempotency_keys").Where("created_at < ?", before).
		Order("created_at").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, TranslateError(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := s.db.WithContext(ctx).Exec("DELETE FROM idempotency_keys WHERE id IN ?", ids)
	return res.RowsAffected, TranslateError(res.Error)
}
