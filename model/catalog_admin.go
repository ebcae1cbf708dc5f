package model

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rules staff writes to the catalog must keep, whichever way they come
// in (the GraphQL mutations or a CSV import). Each check takes the field
// path of the value it checks, so that a refusal names the input it is
// about: ["input", "variants", "2", "price"] in a mutation, the column name
// in a CSV file.

// Limits on catalog input. Text limits count characters; each fits its
// database column on MySQL and SQLite alike.
const (
	MaxHandleLen          = 255
	MaxTitleLen           = 255
	MaxDescriptionLen     = 20000 // 60,000 bytes of Thai: a TEXT column holds 65,535
	MaxTagLen             = 255
	MaxTagsPerProduct     = 250
	MaxSKULen             = 64
	MaxVariantsPerProduct = 100
	MaxOptionsPerProduct  = 3
	MaxOptionTextLen      = 255 // an option's name or one of its values
	MaxImagesPerProduct   = 100
	MaxImageURLLen        = 2048
	MaxAltTextLen         = 512
	MaxImagePixels        = 100_000 // the largest width or height we record
	MaxCategoryNameLen    = 255
	MaxCategoryDepth      = 10 // a root has depth 0
	MaxInventoryQuantity  = 1_000_000_000
	MaxWeightGrams        = 10_000_000      // ten tonnes
	MaxPriceMinor         = 100_000_000_000 // one billion baht
)

// Catalog error codes, beyond the shared ones.
const (
	// CodeInUse: the object is still used (a category with products or
	// subcategories) and cannot go.
	CodeInUse ErrorCode = "IN_USE"
)

// DefaultVariantTitle is the title of a variant of a product without options.
const DefaultVariantTitle = "Default Title"

// ParseProductStatus reads a status name, ignoring case and surrounding spaces.
func ParseProductStatus(s string) (ProductStatus, bool) {
	st := ProductStatus(strings.ToUpper(strings.TrimSpace(s)))
	return st, st.Valid()
}

// Valid reports whether s is a known product status.
func (s ProductStatus) Valid() bool {
	return s == ProductActive || s == ProductDraft || s == ProductArchived
}

// ValidHandle reports whether h may be a product's or category's handle: 1
// to MaxHandleLen lowercase ASCII letters, digits and hyphens. Handles are
// part of storefront URLs and compared byte for byte, so there is one
// spelling of each.
func ValidHandle(h string) bool {
	if h == "" || len(h) > MaxHandleLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CheckHandle refuses a handle that is not ValidHandle.
func CheckHandle(field []string, h string) *Error {
	switch {
	case h == "":
		return &Error{Code: CodeBlank, Field: field, Message: "handle must not be empty"}
	case len(h) > MaxHandleLen:
		return &Error{Code: CodeTooLong, Field: field, Message: "handle must be at most 255 characters"}
	case !ValidHandle(h):
		return &Error{Code: CodeInvalid, Field: field, Message: "handle may only hold lowercase letters (a-z), digits and hyphens"}
	}
	return nil
}

// handleRoom is what HandleFrom leaves free for a numeric suffix ("-12").
const handleRoom = 12

// HandleFrom makes a handle from a title: ASCII letters lower-cased and
// digits kept, every other run of characters a single hyphen, no hyphen at
// either end, short enough to take a "-N" suffix. It returns "" when the
// title has no ASCII letter or digit (a Thai title); callers then use a
// fixed word such as "product".
func HandleFrom(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range title {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		default:
			hyphen = b.Len() > 0
			continue
		}
		if b.Len()+2 > MaxHandleLen-handleRoom {
			break
		}
		if hyphen {
			b.WriteByte('-')
			hyphen = false
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), "-")
}

// HandleWithSuffix returns the n-th candidate handle made from base: base
// itself for n <= 1, then base-2, base-3, …
func HandleWithSuffix(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + "-" + strconv.Itoa(n)
}

// SKUKey is the form in which SKUs are compared for uniqueness: trimmed and
// lower-cased by Go's Unicode rules, so "AB-1" and "ab-1" are one SKU on
// every database (MySQL's collation would otherwise also equate "é" and
// "e", and SQLite nothing at all).
func SKUKey(sku string) string { return strings.ToLower(strings.TrimSpace(sku)) }

// CheckLine checks one line of catalog text (a title, a name, a tag): valid
// UTF-8 without control characters, at most max characters, and not blank
// when required. Callers trim it first.
func CheckLine(field []string, s string, max int, required bool) *Error {
	return checkText(field, s, max, required, false)
}

// CheckMultiline checks catalog text that may span lines (a description):
// as CheckLine, but newlines and tabs are allowed.
func CheckMultiline(field []string, s string, max int) *Error {
	return checkText(field, s, max, false, true)
}

func checkText(field []string, s string, max int, required, multiline bool) *Error {
	name := field[len(field)-1]
	if !utf8.ValidString(s) {
		return &Error{Code: CodeInvalid, Field: field, Message: name + " must be valid UTF-8 text"}
	}
	if required && strings.TrimSpace(s) == "" {
		return &Error{Code: CodeBlank, Field: field, Message: name + " must not be blank"}
	}
	if utf8.RuneCountInString(s) > max {
		return &Error{Code: CodeTooLong, Field: field, Message: name + " must be at most " + strconv.Itoa(max) + " characters"}
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return &Error{Code: CodeInvalid, Field: field, Message: name + " must not contain control characters"}
		}
	}
	return nil
}

// CheckTag checks one tag: a line of text without commas (lists of tags
// are written comma-separated, in CSV files and elsewhere).
func CheckTag(field []string, tag string) *Error {
	if err := CheckLine(field, tag, MaxTagLen, true); err != nil {
		return err
	}
	if strings.Contains(tag, ",") {
		return &Error{Code: CodeInvalid, Field: field, Message: "a tag must not contain a comma"}
	}
	return nil
}

// CheckSKU checks a SKU: a line of at most MaxSKULen characters, not blank.
func CheckSKU(field []string, sku string) *Error {
	return CheckLine(field, sku, MaxSKULen, true)
}

// ParsePrice reads a price given as a decimal string ("1250.00") into minor
// units of currency c: non-negative, at most MaxPriceMinor, with no more
// decimals than the currency has.
func ParsePrice(field []string, s string, c CurrencyCode) (int64, *Error) {
	v, err := ParseMinor(strings.TrimSpace(s), c.MinorDigits())
	name := field[len(field)-1]
	if err != nil {
		return 0, &Error{Code: CodeInvalid, Field: field,
			Message: name + " must be an amount such as \"1250.00\" with at most " + strconv.Itoa(c.MinorDigits()) + " decimals"}
	}
	if v < 0 {
		return 0, &Error{Code: CodeInvalid, Field: field, Message: name + " must not be negative"}
	}
	if v > MaxPriceMinor {
		return 0, &Error{Code: CodeInvalid, Field: field, Message: name + " is too large"}
	}
	return v, nil
}

// CheckInventory checks a stock quantity.
func CheckInventory(field []string, n int) *Error {
	if n < 0 || n > MaxInventoryQuantity {
		return &Error{Code: CodeInvalid, Field: field, Message: field[len(field)-1] + " must be between 0 and 1000000000"}
	}
	return nil
}

// WeightInGrams converts a weight given in unit to whole grams. It refuses
// negative, non-finite and too large weights and fractions of a gram.
func WeightInGrams(field []string, value float64, unit WeightUnit) (int, *Error) {
	factor := 1.0
	switch unit {
	case WeightGrams, "":
	case WeightKilograms:
		factor = 1000
	default:
		return 0, &Error{Code: CodeInvalid, Field: field, Message: "unknown weight unit"}
	}
	g := value * factor
	if math.IsNaN(g) || g < 0 || g > MaxWeightGrams {
		return 0, &Error{Code: CodeInvalid, Field: field, Message: "weight must be between 0 and 10 tonnes"}
	}
	whole := math.Round(g)
	if math.Abs(g-whole) > 1e-6 {
		return 0, &Error{Code: CodeInvalid, Field: field, Message: "weight must be a whole number of grams"}
	}
	return int(whole), nil
}

// CheckImageURL checks the address of an image: an absolute http or https
// URL without spaces or control characters, at most MaxImageURLLen bytes.
func CheckImageURL(field []string, u string) *Error {
	bad := &Error{Code: CodeInvalid, Field: field, Message: "url must be an absolute http or https URL"}
	if len(u) > MaxImageURLLen {
		return &Error{Code: CodeTooLong, Field: field, Message: "url must be at most 2048 characters"}
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "http://"); !ok {
			return bad
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" || strings.ContainsAny(host, "@?#") || !utf8.ValidString(u) {
		return bad
	}
	for _, r := range u {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) {
			return bad
		}
	}
	return nil
}

// VariantTitle is a variant's title made from its option values, in option
// order ("M / Indigo"), or DefaultVariantTitle without options.
func VariantTitle(opts []SelectedOption) string {
	if len(opts) == 0 {
		return DefaultVariantTitle
	}
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.Value
	}
	return strings.Join(parts, " / ")
}

// VisibleTo reports whether viewer v may see product p: everyone sees the
// products in StorefrontStatus, and staff and partner keys that may read
// products see every product, drafts and archived ones included. Every
// path to one product (typed fields, node, nodes, the product of a variant,
// image or option) applies it; lists choose their statuses in SQL (the
// storefront's lists StorefrontStatus only).
func (p *Product) VisibleTo(v *Viewer) bool {
	return p != nil && (p.VisibleInStorefront() || v.Can(PermReadProducts))
}
