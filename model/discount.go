package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// Limits on the discount codes staff write.
const (
	// MaxDiscountRestrictions bounds the products, and the categories, a
	// code may be restricted to.
	MaxDiscountRestrictions = 100
	// MaxDiscountUses bounds a usage limit (an INT column).
	MaxDiscountUses = 1_000_000_000
)

// Valid reports whether k is a known discount kind.
func (k DiscountKind) Valid() bool {
	return k == DiscountPercentage || k == DiscountFixedAmount || k == DiscountFreeShipping
}

// ProductIDList returns the products the discount is restricted to.
func (d *Discount) ProductIDList() []int64 { return parseIDs(d.ProductIDs) }

// CategoryIDList returns the categories the discount is restricted to.
func (d *Discount) CategoryIDList() []int64 { return parseIDs(d.CategoryIDs) }

// JoinIDs writes IDs as the discount's columns keep them: space-separated.
func JoinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}

// CheckDiscountCode checks a code staff give and returns it trimmed. A code
// is what a buyer types into a cart, so it keeps the cart's rule: 1 to
// MaxDiscountCode bytes (a Latin letter or digit is one, a Thai letter
// three) once upper-cased, printable, without spaces.
func CheckDiscountCode(field []string, code string) (string, error) {
	code = strings.TrimSpace(code)
	key := NormalizeDiscountCode(code)
	if code == "" {
		return "", &Error{Code: CodeBlank, Field: field, Message: "code is required"}
	}
	if !utf8.ValidString(code) || strings.ContainsFunc(code, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == utf8.RuneError
	}) {
		return "", InvalidField(field, "a code is printable and has no spaces")
	}
	if len(code) > MaxDiscountCode || len(key) > MaxDiscountCode {
		return "", &Error{Code: CodeTooLong, Field: field,
			Message: fmt.Sprintf("a code is at most %d characters (a Thai letter counts as three)", MaxDiscountCode)}
	}
	return code, nil
}

// ParsePercentage reads a percentage such as "10" or "12.5" as basis
// points: from 0.01 to 100, with at most two decimals.
func ParsePercentage(field []string, s string) (RateBasisPoints, error) {
	v, err := ParseMinor(strings.TrimSpace(s), 2)
	if err != nil || v < 1 || v > int64(MaxRate) {
		return 0, InvalidField(field, "percentage must be from 0.01 to 100, with at most two decimals, e.g. \"12.5\"")
	}
	return RateBasisPoints(v), nil
}

// Check checks the rules a discount keeps as a whole, after a write has
// set its fields; field names the input each rule is about. A percentage
// is 0.01% to 100%, a fixed amount more than nothing, a free-shipping code
// has no value; the end comes after the start; limits are at least 1, and
// the usage limit is not below the uses counted already.
func (d *Discount) Check(field func(name string) []string) error {
	switch d.Kind {
	case DiscountPercentage:
		if d.Value < 1 || d.Value > int64(MaxRate) {
			return InvalidField(field("percentage"), "percentage must be from 0.01 to 100")
		}
	case DiscountFixedAmount:
		if d.Value < 1 || d.Value > MaxPriceMinor {
			return InvalidField(field("amount"), "amount must be more than 0 and at most 1,000,000,000")
		}
	case DiscountFreeShipping:
		if d.Value != 0 {
			return InvalidField(field("kind"), "a FREE_SHIPPING code takes no percentage or amount")
		}
	default:
		return InvalidField(field("kind"), "kind must be PERCENTAGE, FIXED_AMOUNT or FREE_SHIPPING")
	}
	if d.MinSubtotal < 0 || d.MinSubtotal > MaxPriceMinor {
		return InvalidField(field("minSubtotal"), "minSubtotal must be from 0 to 1,000,000,000")
	}
	if d.StartsAt != nil && d.EndsAt != nil && !d.EndsAt.After(*d.StartsAt) {
		return InvalidField(field("endsAt"), "endsAt must be after startsAt")
	}
	for _, l := range []struct {
		name  string
		limit *int
	}{{"usageLimit", d.UsageLimit}, {"perCustomerLimit", d.PerCustomerLimit}} {
		if l.limit != nil && (*l.limit < 1 || *l.limit > MaxDiscountUses) {
			return InvalidField(field(l.name), "%s must be from 1 to %d; null for no limit", l.name, MaxDiscountUses)
		}
	}
	if d.UsageLimit != nil && *d.UsageLimit < d.UsedCount {
		return InvalidField(field("usageLimit"), "the code has been used %d times already; the usage limit cannot be lower", d.UsedCount)
	}
	for _, l := range []struct {
		name string
		ids  string
	}{{"productIds", d.ProductIDs}, {"categoryIds", d.CategoryIDs}} {
		if len(strings.Fields(l.ids)) > MaxDiscountRestrictions {
			return InvalidField(field(l.name), "a code is restricted to at most %d products and %d categories",
				MaxDiscountRestrictions, MaxDiscountRestrictions)
		}
	}
	return nil
}
