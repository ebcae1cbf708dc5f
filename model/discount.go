package model

import (
	"strconv"
	"strings"
	"time"
)

// Discount is a code staff hand out: what it takes off (DiscountKind and
// Value: basis points for a percentage, minor units for a fixed amount),
// when it applies (dates, a minimum subtotal, products or categories) and
// how often (in total and per customer). Usage is counted at checkout, in
// the checkout's transaction, with a conditional update, so a limited code
// is never used more often than its limit.
type Discount struct {
	ID               int64 `gorm:"primaryKey"`
	Code             string
	CodeKey          string // NormalizeDiscountCode(Code), unique
	Kind             DiscountKind
	Value            int64
	MinSubtotal      int64
	StartsAt         *time.Time
	EndsAt           *time.Time
	UsageLimit       *int
	PerCustomerLimit *int
	UsedCount        int
	ProductIDs       string // space-separated product IDs it is restricted to
	CategoryIDs      string // space-separated category IDs (with their descendants)
	Active           bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// GID returns the discount's opaque global ID.
func (d *Discount) GID() string { return EncodeGlobalID(TypeDiscountCode, d.ID) }

// Why a code does not apply, beyond the pricing reasons.
const (
	ReasonUnknownCode  = "UNKNOWN_CODE"
	ReasonInactive     = "INACTIVE"
	ReasonNotStarted   = "NOT_STARTED"
	ReasonExpired      = "EXPIRED"
	ReasonUsedUp       = "USAGE_LIMIT_REACHED"
	ReasonCustomerUsed = "ALREADY_USED_BY_CUSTOMER"
)

// UnusableReason says why the code cannot be used at now, "" when it can.
// customerUses is how often the buyer used it already (0 for guests, whose
// use is counted by email at checkout).
func (d *Discount) UnusableReason(now time.Time, customerUses int) string {
	switch {
	case !d.Active:
		return ReasonInactive
	case d.StartsAt != nil && now.Before(*d.StartsAt):
		return ReasonNotStarted
	case d.EndsAt != nil && !now.Before(*d.EndsAt):
		return ReasonExpired
	case d.UsageLimit != nil && d.UsedCount >= *d.UsageLimit:
		return ReasonUsedUp
	case d.PerCustomerLimit != nil && customerUses >= *d.PerCustomerLimit:
		return ReasonCustomerUsed
	}
	return ""
}

// Priced returns what pricing needs of the discount.
func (d *Discount) Priced() PricedDiscount {
	return PricedDiscount{Code: d.Code, Kind: d.Kind, Value: d.Value, MinSubtotal: d.MinSubtotal,
		ProductIDs: parseIDs(d.ProductIDs), CategoryIDs: parseIDs(d.CategoryIDs)}
}

func parseIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}
