package model

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Shipping: what a delivery costs. The built-in table rates are zones (the
// places a destination can fall in) and, per zone, rates (what delivery
// there costs). This file holds the pure rules: which zone a destination
// falls in, and what a rate charges for a weight and a subtotal. The
// shipping package asks providers (the table, or a carrier's API) for
// DeliveryOptions.
//
// Shipping amounts are VAT-inclusive, like prices: the amount a rate
// charges is what the buyer pays, and the order's VAT is extracted from a
// total that includes it (pricing.go), at the standard rate.

// ShippingRequest is what a provider prices delivery for.
type ShippingRequest struct {
	Destination ShippingDestination
	Lines       []ShippingLine
	// Subtotal is the goods' amount after discounts, VAT included, in
	// minor units of Currency: what free-shipping thresholds and subtotal
	// conditions compare with.
	Subtotal int64
	Currency CurrencyCode
}

// ShippingDestination is where the goods go.
type ShippingDestination struct {
	Country  string // ISO 3166-1 alpha-2, e.g. "TH"
	Province string // for Thailand, any spelling NormalizeThaiProvince reads
	Zip      string
}

// ShippingLine is one line of the goods.
type ShippingLine struct {
	VariantID   int64
	Quantity    int
	WeightGrams int   // of one unit; 0 when the variant has no weight
	UnitPrice   int64 // VAT-inclusive, minor units
}

// TotalWeightGrams is the weight of all the goods.
func (r ShippingRequest) TotalWeightGrams() int64 {
	var g int64
	for _, l := range r.Lines {
		g += int64(max(l.WeightGrams, 0)) * int64(max(l.Quantity, 0))
	}
	return g
}

// DeliveryOption is one way to deliver, with its price: what a provider
// offers and the buyer picks.
type DeliveryOption struct {
	// Handle identifies the option: the shipping service gives it as
	// "<provider>:<the provider's own handle>", e.g. "table:bkk-standard",
	// and a cart keeps the chosen one.
	Handle      string
	Title       string
	Description string
	// Code is the carrier's or provider's service code, e.g. "EMS".
	Code string
	// Amount is the price, VAT included (at the standard rate), in minor
	// units of Currency.
	Amount   int64
	Currency CurrencyCode
	// MinDays and MaxDays estimate the delivery time in days; nil when
	// unknown.
	MinDays *int
	MaxDays *int
}

// Price is the option's price as Money.
func (o DeliveryOption) Price() Money { return Money{Minor: o.Amount, Currency: o.Currency} }

// ShippingAreaKind is what a zone's area names.
type ShippingAreaKind string

// The kinds of area, from the most specific to the least. A destination
// falls in the zone whose matching area is of the most specific kind.
const (
	AreaPostcode    ShippingAreaKind = "POSTCODE"      // a Thai postcode prefix ("10") or range ("10100-10599")
	AreaProvince    ShippingAreaKind = "PROVINCE"      // a Thai province, by ISO 3166-2 code ("TH-10")
	AreaCountry     ShippingAreaKind = "COUNTRY"       // a whole country ("TH", "JP")
	AreaRestOfWorld ShippingAreaKind = "REST_OF_WORLD" // everywhere no other zone takes; value "*"
)

// Limits of the shipping configuration.
const (
	MaxShippingZones    = 100
	MaxZoneAreas        = 1000 // countries, provinces and postcodes of one zone
	MaxRatesPerZone     = 20
	MaxWeightBrackets   = 50
	MaxShippingHandle   = 48 // with the provider prefix it fits a cart's 64
	MaxShippingTitle    = 255
	MaxShippingDesc     = 1000
	MaxDeliveryDays     = 365
	MaxShippingWeight   = MaxWeightGrams
	thaiPostcodeDigits  = 5
	restOfWorldAreaText = "*"
)

// ShippingZone is a named set of places that share delivery rates.
type ShippingZone struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName names the zones table.
func (ShippingZone) TableName() string { return "shipping_zones" }

// GID returns the zone's opaque global ID.
func (z *ShippingZone) GID() string { return EncodeGlobalID(TypeShippingZone, z.ID) }

// ShippingZoneArea is one place in a zone. A place belongs to one zone at
// most: (Kind, Value) is unique across zones.
type ShippingZoneArea struct {
	ZoneID int64
	Kind   ShippingAreaKind
	Value  string // normalised: "TH", "TH-10", "10", "10100-10599", "*"
}

// TableName names the areas table.
func (ShippingZoneArea) TableName() string { return "shipping_zone_areas" }

// RestOfWorldArea is the area of the rest-of-the-world zone.
var RestOfWorldArea = ShippingZoneArea{Kind: AreaRestOfWorld, Value: restOfWorldAreaText}

// ShippingRateKind is how a rate is priced.
type ShippingRateKind string

// The kinds of rate.
const (
	RateFlat   ShippingRateKind = "FLAT"   // one price
	RateWeight ShippingRateKind = "WEIGHT" // a price per bracket of total weight
)

// Valid reports whether k is a known kind.
func (k ShippingRateKind) Valid() bool { return k == RateFlat || k == RateWeight }

// WeightBracket prices goods weighing up to UpToGrams (inclusive); nil is
// open-ended (any weight above the brackets before it).
type WeightBracket struct {
	UpToGrams *int  `json:"upToGrams,omitempty"`
	Amount    int64 `json:"amount"`
}

// ShippingRate is a configured rate of a zone.
type ShippingRate struct {
	ID          int64 `gorm:"primaryKey"`
	ZoneID      int64
	Handle      string // unique, lowercase letters, digits and hyphens
	Title       string
	Description string
	Code        string // a service code for the carrier, e.g. "EMS"; may be ""
	Kind        ShippingRateKind
	Amount      int64 // FLAT: the price, VAT included
	// Brackets are a WEIGHT rate's []WeightBracket as JSON, in ascending
	// order of weight.
	Brackets    string
	Currency    CurrencyCode
	MinSubtotal *int64 // offered only from this subtotal on (inclusive)
	MaxSubtotal *int64 // offered only up to this subtotal (inclusive)
	FreeOver    *int64 // free from this subtotal on (inclusive)
	MinDays     *int
	MaxDays     *int
	Active      bool
	Position    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// parsed is Brackets decoded by ParseBrackets, for rates priced many
	// times from memory (the shipping table's cache); nil otherwise.
	parsed []WeightBracket
}

// TableName names the rates table.
func (ShippingRate) TableName() string { return "shipping_rates" }

// GID returns the rate's opaque global ID.
func (r *ShippingRate) GID() string { return EncodeGlobalID(TypeShippingRate, r.ID) }

// WeightBrackets returns the brackets of a WEIGHT rate.
func (r *ShippingRate) WeightBrackets() []WeightBracket {
	if r.parsed != nil {
		return r.parsed
	}
	var out []WeightBracket
	if r.Brackets != "" {
		_ = json.Unmarshal([]byte(r.Brackets), &out)
	}
	return out
}

// ParseBrackets decodes the brackets once, so that pricing the rate again
// does not: for rates kept in memory and only read from then on.
func (r *ShippingRate) ParseBrackets() { r.parsed = r.WeightBrackets() }

// SetWeightBrackets stores bs as the rate's brackets.
func (r *ShippingRate) SetWeightBrackets(bs []WeightBracket) {
	r.parsed = nil
	if len(bs) == 0 {
		r.Brackets = ""
		return
	}
	b, _ := json.Marshal(bs)
	r.Brackets = string(b)
}

// PriceFor returns what the rate charges for goods of weightGrams with a
// subtotal (after discounts, VAT included), and whether it is offered at
// all: the subtotal must lie within MinSubtotal and MaxSubtotal (both
// inclusive), and a WEIGHT rate needs a bracket that takes the weight. A
// subtotal of FreeOver or more ships free.
func (r *ShippingRate) PriceFor(weightGrams, subtotal int64) (amount int64, ok bool) {
	if !r.Active || (r.MinSubtotal != nil && subtotal < *r.MinSubtotal) || (r.MaxSubtotal != nil && subtotal > *r.MaxSubtotal) {
		return 0, false
	}
	switch r.Kind {
	case RateFlat:
		amount = r.Amount
	case RateWeight:
		found := false
		for _, b := range r.WeightBrackets() {
			if b.UpToGrams == nil || weightGrams <= int64(*b.UpToGrams) {
				amount, found = b.Amount, true
				break
			}
		}
		if !found {
			return 0, false
		}
	default:
		return 0, false
	}
	if r.FreeOver != nil && subtotal >= *r.FreeOver {
		amount = 0
	}
	return amount, true
}

// MatchShippingZone returns the zone of areas that destination d falls in:
// the zone with the most specific matching area. A postcode beats a
// province, a province a country, a country the rest of the world; between
// postcode areas the narrower wins (a prefix "101" covers fewer postcodes
// than "10"), and between equals the zone with the lower ID. Provinces and
// postcodes are Thai: they match destinations in Thailand only. A
// destination without a valid country matches no zone.
func MatchShippingZone(areas []ShippingZoneArea, d ShippingDestination) (zoneID int64, ok bool) {
	country, valid := NormalizeCountry(d.Country)
	if !valid {
		return 0, false
	}
	var province, zip string
	if country == "TH" {
		province, _ = NormalizeThaiProvince(d.Province)
		zip = strings.ReplaceAll(strings.TrimSpace(d.Zip), " ", "")
		if len(zip) != thaiPostcodeDigits || !allDigits(zip) {
			zip = ""
		}
	}
	type score struct {
		level int
		width int64 // how many postcodes the area covers; fewer is more specific
		zone  int64
	}
	var best *score
	for _, a := range areas {
		s := score{zone: a.ZoneID}
		switch a.Kind {
		case AreaPostcode:
			w, in := postcodeCovers(a.Value, zip)
			if zip == "" || !in {
				continue
			}
			s.level, s.width = 3, w
		case AreaProvince:
			if province == "" || a.Value != province {
				continue
			}
			s.level = 2
		case AreaCountry:
			if a.Value != country {
				continue
			}
			s.level = 1
		case AreaRestOfWorld:
			s.level = 0
		default:
			continue
		}
		if best == nil || s.level > best.level || s.level == best.level &&
			(s.width < best.width || s.width == best.width && s.zone < best.zone) {
			best = &s
		}
	}
	if best == nil {
		return 0, false
	}
	return best.zone, true
}

// postcodeCovers reports whether the normalised postcode pattern p
// covers zip, and how many postcodes p covers.
func postcodeCovers(p, zip string) (width int64, in bool) {
	if lo, hi, isRange := strings.Cut(p, "-"); isRange {
		l, _ := strconv.ParseInt(lo, 10, 64)
		h, _ := strconv.ParseInt(hi, 10, 64)
		z, err := strconv.ParseInt(zip, 10, 64)
		return h - l + 1, err == nil && len(zip) == thaiPostcodeDigits && z >= l && z <= h
	}
	width = 1
	for range thaiPostcodeDigits - len(p) {
		width *= 10
	}
	return width, strings.HasPrefix(zip, p)
}

// ParsePostcodePattern reads a Thai postcode area: a prefix of 1 to 5
// digits ("10" is every Bangkok postcode) or an inclusive range of two
// 5-digit postcodes ("10100-10599"), spaces ignored. It returns the
// normalised form.
func ParsePostcodePattern(s string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if lo, hi, isRange := strings.Cut(s, "-"); isRange {
		if len(lo) != thaiPostcodeDigits || len(hi) != thaiPostcodeDigits || !allDigits(lo) || !allDigits(hi) || lo > hi {
			return "", false
		}
		return lo + "-" + hi, true
	}
	if len(s) < 1 || len(s) > thaiPostcodeDigits || !allDigits(s) {
		return "", false
	}
	return s, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// CheckShippingRate checks a rate as it would be saved. field gives the
// path of an input field by its GraphQL name.
func CheckShippingRate(field func(name string) []string, r *ShippingRate) *Error {
	if err := CheckHandle(field("handle"), r.Handle); err != nil {
		return err
	}
	if len(r.Handle) > MaxShippingHandle {
		return &Error{Code: CodeTooLong, Field: field("handle"), Message: "handle must be at most " + strconv.Itoa(MaxShippingHandle) + " characters"}
	}
	if err := CheckLine(field("title"), r.Title, MaxShippingTitle, true); err != nil {
		return err
	}
	if err := CheckLine(field("description"), r.Description, MaxShippingDesc, false); err != nil {
		return err
	}
	if err := CheckLine(field("code"), r.Code, 64, false); err != nil {
		return err
	}
	money := []struct {
		name string
		v    *int64
	}{{"price", &r.Amount}, {"minSubtotal", r.MinSubtotal}, {"maxSubtotal", r.MaxSubtotal}, {"freeShippingThreshold", r.FreeOver}}
	for _, m := range money {
		if m.v != nil && (*m.v < 0 || *m.v > MaxPriceMinor) {
			return &Error{Code: CodeInvalid, Field: field(m.name), Message: m.name + " must be from 0 to the largest price"}
		}
	}
	switch r.Kind {
	case RateFlat:
		if r.Brackets != "" {
			return &Error{Code: CodeInvalid, Field: field("weightBrackets"), Message: "a FLAT rate has no weight brackets; use kind WEIGHT"}
		}
	case RateWeight:
		if err := CheckWeightBrackets(field("weightBrackets"), r.WeightBrackets()); err != nil {
			return err
		}
	default:
		return &Error{Code: CodeInvalid, Field: field("kind"), Message: "kind must be FLAT or WEIGHT"}
	}
	if r.MinSubtotal != nil && r.MaxSubtotal != nil && *r.MinSubtotal > *r.MaxSubtotal {
		return &Error{Code: CodeInvalid, Field: field("maxSubtotal"), Message: "maxSubtotal must not be below minSubtotal"}
	}
	for _, d := range []struct {
		name string
		v    *int
	}{{"minDeliveryDays", r.MinDays}, {"maxDeliveryDays", r.MaxDays}} {
		if d.v != nil && (*d.v < 0 || *d.v > MaxDeliveryDays) {
			return &Error{Code: CodeInvalid, Field: field(d.name), Message: d.name + " must be from 0 to " + strconv.Itoa(MaxDeliveryDays)}
		}
	}
	if r.MinDays != nil && r.MaxDays != nil && *r.MinDays > *r.MaxDays {
		return &Error{Code: CodeInvalid, Field: field("maxDeliveryDays"), Message: "maxDeliveryDays must not be below minDeliveryDays"}
	}
	return nil
}

// CheckWeightBrackets checks a WEIGHT rate's brackets, given at field:
// at least one; weights rising strictly from one bracket to the next, so
// that no two brackets overlap; only the last open-ended; amounts from 0
// to the largest price.
func CheckWeightBrackets(field []string, bs []WeightBracket) *Error {
	at := func(i int, name string) []string {
		return append(append(append([]string{}, field...), strconv.Itoa(i)), name)
	}
	if len(bs) == 0 {
		return &Error{Code: CodeBlank, Field: field, Message: "a WEIGHT rate needs at least one weight bracket"}
	}
	if len(bs) > MaxWeightBrackets {
		return &Error{Code: CodeInvalid, Field: field, Message: "at most " + strconv.Itoa(MaxWeightBrackets) + " weight brackets"}
	}
	prev := 0
	for i, b := range bs {
		if b.Amount < 0 || b.Amount > MaxPriceMinor {
			return &Error{Code: CodeInvalid, Field: at(i, "price"), Message: "price must be from 0 to the largest price"}
		}
		if b.UpToGrams == nil {
			if i != len(bs)-1 {
				return &Error{Code: CodeInvalid, Field: at(i, "upToGrams"), Message: "only the last bracket may be open-ended"}
			}
			continue
		}
		w := *b.UpToGrams
		if w < 1 || w > MaxShippingWeight {
			return &Error{Code: CodeInvalid, Field: at(i, "upToGrams"), Message: "upToGrams must be from 1 to 10,000,000"}
		}
		if i > 0 && w <= prev {
			return &Error{Code: CodeInvalid, Field: at(i, "upToGrams"),
				Message: "brackets overlap: upToGrams must be more than the bracket before's (" + strconv.Itoa(prev) + ")"}
		}
		prev = w
	}
	return nil
}
