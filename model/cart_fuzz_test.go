package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A cart ID comes from the shopper: any string either decodes to a key of
// the right form, which encodes back to the same ID, or is INVALID.
func FuzzDecodeCartID(f *testing.F) {
	f.Add(EncodeCartID(NewCartKey()))
	f.Add("")
	f.Add("Z2lkOi8vbGFuZ3Jhbi9DYXJ0Lw")
	f.Add(EncodeGlobalID(TypeProduct, 1))
	f.Add(strings.Repeat("A", 300))
	f.Fuzz(func(t *testing.T, id string) {
		key, err := DecodeCartID(id)
		if err != nil {
			if ErrorCodeOf(err) != CodeInvalid {
				t.Fatalf("DecodeCartID(%q): %v, want INVALID", id, err)
			}
			return
		}
		if len(key) != cartKeyEncodedLen || EncodeCartID(key) != id {
			t.Fatalf("DecodeCartID(%q) = %q, which encodes to %q", id, key, EncodeCartID(key))
		}
	})
}

// Order numbers come from staff filters and customers' messages: a number
// parses to an ID whose number it is, or not at all.
func FuzzParseOrderNumber(f *testing.F) {
	for _, s := range []string{"1001", "#1001", " 1042 ", "1000", "-1", "#", "99999999999999999999", "１００１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseOrderNumber(s)
		if !ok {
			if id != 0 {
				t.Fatalf("ParseOrderNumber(%q) = %d but not ok", s, id)
			}
			return
		}
		o := Order{ID: id}
		if back, ok := ParseOrderNumber(o.Number()); id <= 0 || !ok || back != id {
			t.Fatalf("ParseOrderNumber(%q) = %d, whose number %s parses to %d, %v", s, id, o.Number(), back, ok)
		}
	})
}

// Discount codes come from shoppers: normalising is idempotent and keeps
// valid UTF-8.
func FuzzNormalizeDiscountCode(f *testing.F) {
	for _, s := range []string{"welcome10", " FreeShip ", "ส่วนลด", "\x00", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NormalizeDiscountCode(s)
		if NormalizeDiscountCode(k) != k {
			t.Fatalf("NormalizeDiscountCode is not idempotent on %q: %q then %q", s, k, NormalizeDiscountCode(k))
		}
		if utf8.ValidString(s) && !utf8.ValidString(k) {
			t.Fatalf("NormalizeDiscountCode(%q) = %q, not UTF-8", s, k)
		}
	})
}

// Provinces and postcodes come from shoppers' addresses and staff's zones:
// what normalises, normalises to itself.
func FuzzNormalizeShippingPlaces(f *testing.F) {
	for _, s := range []string{"Bangkok", "กรุงเทพมหานคร", "TH-10", "จ.เชียงใหม่", "10110", "10-12", "50*", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if code, ok := NormalizeThaiProvince(s); ok {
			if again, ok2 := NormalizeThaiProvince(code); !ok2 || again != code {
				t.Fatalf("province %q -> %q -> %q, %v", s, code, again, ok2)
			}
		}
		if p, ok := ParsePostcodePattern(s); ok {
			if again, ok2 := ParsePostcodePattern(p); !ok2 || again != p {
				t.Fatalf("postcode pattern %q -> %q -> %q, %v", s, p, again, ok2)
			}
		}
	})
}
