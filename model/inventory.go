package model

import (
	"fmt"
	"time"
)

// Inventory. A variant's stock has two numbers: on hand
// (ProductVariant.InventoryQuantity), the units in the warehouse, and
// committed, the units promised to orders that are not yet fulfilled. What
// can still be sold is on hand minus committed: Available. Taking stock at
// checkout commits units and leaves on hand alone; fulfilling an order
// ships them (both go down); cancelling an unfulfilled order releases them
// (committed goes down). A variant that is not tracked can always be sold
// and its on hand is whatever staff last said; a tracked one that allows
// backorders can be sold beyond its stock, committed then exceeding on
// hand. Every change of on hand is an InventoryMovement, so the movements
// of a variant add up to its on hand.

// Error codes of inventory writes.
const (
	// CodeOutOfStock: fewer units are available than asked for.
	CodeOutOfStock ErrorCode = "OUT_OF_STOCK"
	// CodeStockChanged: a compare-and-set found another quantity on hand
	// than the one it was given; the error's StockConflict says which.
	CodeStockChanged ErrorCode = "STOCK_CHANGED"
	// CodeInsufficientStock: the change would take on hand below zero, or
	// below what is committed to orders (for a tracked variant without
	// backorders).
	CodeInsufficientStock ErrorCode = "INSUFFICIENT_STOCK"
	// CodeIdempotencyKeyReused: an idempotency key came back with other
	// arguments than the first time.
	CodeIdempotencyKeyReused ErrorCode = "IDEMPOTENCY_KEY_REUSED"
)

// Inventory limits.
const (
	MaxInventoryReference = 255 // characters of a movement's reference
	MaxIdempotencyKey     = 255 // characters of an idempotency key
)

// Available is on hand minus committed: the units that can still be
// promised. It is negative when a backordered variant has sold more than
// it has.
func (v *ProductVariant) Available() int { return v.InventoryQuantity - v.InventoryCommitted }

// QuantityAvailable is what the storefront is told it can buy: the
// available units, never below zero, or nil for a variant whose stock is
// not tracked (there is no limit to tell).
func (v *ProductVariant) QuantityAvailable() *int {
	if !v.InventoryTracked {
		return nil
	}
	q := max(v.Available(), 0)
	return &q
}

// AvailableForSale reports whether the variant can be bought now: its
// stock is not tracked, it allows backorders, or a unit is available.
func (v *ProductVariant) AvailableForSale() bool {
	return !v.InventoryTracked || v.AllowBackorder || v.Available() > 0
}

// CanSell reports whether q more units of the variant can be sold now. The
// store's TakeStock applies the same rule in its conditional UPDATE; this
// is for showing it (cart problems) before trying.
func (v *ProductVariant) CanSell(q int) bool {
	return !v.InventoryTracked || v.AllowBackorder || q <= v.Available()
}

// LowStock reports whether a tracked variant with a threshold has no more
// than the threshold available.
func (v *ProductVariant) LowStock() bool {
	return v.InventoryTracked && v.LowStockThreshold != nil && v.Available() <= *v.LowStockThreshold
}

// InventoryLevel is a variant's stock as staff see it.
type InventoryLevel struct {
	OnHand            int
	Committed         int
	Available         int
	Tracked           bool
	AllowBackorder    bool
	LowStockThreshold *int
	LowStock          bool
}

// InventoryLevel returns the variant's stock figures.
func (v *ProductVariant) InventoryLevel() *InventoryLevel {
	return &InventoryLevel{OnHand: v.InventoryQuantity, Committed: v.InventoryCommitted, Available: v.Available(),
		Tracked: v.InventoryTracked, AllowBackorder: v.AllowBackorder, LowStockThreshold: v.LowStockThreshold,
		LowStock: v.LowStock()}
}

// InventoryReason says why stock on hand changed.
type InventoryReason string

// Inventory reasons. Staff give the first six; the system records the others.
const (
	ReasonReceived   InventoryReason = "RECEIVED"   // goods arrived from a supplier
	ReasonCorrection InventoryReason = "CORRECTION" // a count found another number (inventorySet's default)
	ReasonDamaged    InventoryReason = "DAMAGED"    // broken or spoilt, written off
	ReasonShrinkage  InventoryReason = "SHRINKAGE"  // lost or stolen
	ReasonReturned   InventoryReason = "RETURNED"   // a customer's return, back on the shelf
	ReasonRestock    InventoryReason = "RESTOCK"    // units put back, e.g. from a cancelled shipment
	ReasonInitial    InventoryReason = "INITIAL"    // the stock a variant was created (or migrated) with
	ReasonSold       InventoryReason = "SOLD"       // shipped to a customer: an order fulfilled
)

var staffReasons = map[InventoryReason]bool{ReasonReceived: true, ReasonCorrection: true, ReasonDamaged: true,
	ReasonShrinkage: true, ReasonReturned: true, ReasonRestock: true}

// Valid reports whether r is one of the reasons.
func (r InventoryReason) Valid() bool {
	return staffReasons[r] || r == ReasonInitial || r == ReasonSold
}

// StaffMay reports whether staff may give r themselves: INITIAL and SOLD
// are recorded by the system only.
func (r InventoryReason) StaffMay() bool { return staffReasons[r] }

// InventoryMovement is one change of a variant's stock on hand: the ledger
// entry. QuantityAfter is the stock on hand the change left.
type InventoryMovement struct {
	ID            int64 `gorm:"primaryKey"`
	VariantID     int64
	Delta         int
	QuantityAfter int
	Reason        InventoryReason
	// Reference names what caused it: an order number, a delivery note,
	// the catalog write ("product.import"). At most 255 characters.
	Reference string
	// Actor is who made it: "staff:12", "partner:3", "customer:5" or
	// "system" (see ActorOf).
	Actor     string
	CreatedAt time.Time
}

// GID returns the movement's opaque global ID.
func (m *InventoryMovement) GID() string { return EncodeGlobalID(TypeInventoryMovement, m.ID) }

// VariantGID returns the global ID of the movement's variant.
func (m *InventoryMovement) VariantGID() string {
	return EncodeGlobalID(TypeProductVariant, m.VariantID)
}

// ActorSystem is the actor of movements no person made.
const ActorSystem = "system"

// ActorOf names who v is in the inventory ledger: "staff:12", "partner:3",
// "customer:5", or "system" for anonymous callers and background work.
func ActorOf(v *Viewer) string {
	if v == nil {
		return ActorSystem
	}
	switch v.Kind {
	case ViewerStaff:
		return fmt.Sprintf("staff:%d", v.ID)
	case ViewerPartner:
		return fmt.Sprintf("partner:%d", v.ID)
	case ViewerCustomer:
		return fmt.Sprintf("customer:%d", v.ID)
	}
	return ActorSystem
}

// StockConflict is the cause of a STOCK_CHANGED or INSUFFICIENT_STOCK
// error: the variant's stock as the failed write found it, for the
// client to try again from.
type StockConflict struct {
	VariantID int64
	OnHand    int
	Committed int
}

func (c *StockConflict) Error() string {
	return fmt.Sprintf("variant %d has %d on hand, %d committed", c.VariantID, c.OnHand, c.Committed)
}

// CheckInventoryDelta checks an adjustment of stock: not zero, and no
// larger than the largest stock.
func CheckInventoryDelta(field []string, delta int) *Error {
	if delta == 0 || delta < -MaxInventoryQuantity || delta > MaxInventoryQuantity {
		return InvalidField(field, "delta must be a non-zero whole number from -%d to %d", MaxInventoryQuantity, MaxInventoryQuantity)
	}
	return nil
}

// CheckInventoryReference checks a movement's reference: one line of at
// most MaxInventoryReference characters, empty allowed.
func CheckInventoryReference(field []string, ref string) *Error {
	return CheckLine(field, ref, MaxInventoryReference, false)
}

// CheckIdempotencyKey checks a client's idempotency key: one line of 1 to
// MaxIdempotencyKey characters.
func CheckIdempotencyKey(field []string, key string) *Error {
	return CheckLine(field, key, MaxIdempotencyKey, true)
}
