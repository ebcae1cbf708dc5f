package model

import (
	"encoding/base64"
	"math"
	"testing"
)

func TestGlobalIDRoundTrip(t *testing.T) {
	for _, typ := range []NodeType{TypeProduct, TypeProductVariant, TypeCategory, TypeProductOption, TypeProductImage} {
		for _, id := range []int64{1, 42, math.MaxInt64} {
			g, err := DecodeGlobalID(EncodeGlobalID(typ, id))
			if err != nil || g.Type != typ || g.ID != id {
				t.Errorf("round trip %s/%d = %+v, %v", typ, id, g, err)
			}
		}
	}
}

func TestDecodeGlobalIDRejects(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	bad := []string{
		"", "not base64!", enc("gid://langran/Product/"), enc("gid://langran/Product/0"),
		enc("gid://langran/Product/-1"), enc("gid://langran/Product/01"), enc("gid://langran/Product/+1"),
		enc("gid://langran/Product/1x"), enc("gid://langran/Product/99999999999999999999"),
		enc("gid://langran/Invoice/1"), enc("gid://other/Product/1"), enc("Product/1"),
		base64.StdEncoding.EncodeToString([]byte("gid://langran/Product/1")), // padded form is not ours
		enc("gid://langran/Product/1/2"),
	}
	for _, s := range bad {
		if g, err := DecodeGlobalID(s); err == nil {
			t.Errorf("DecodeGlobalID(%q) = %+v, want error", s, g)
		} else if ErrorCodeOf(err) != CodeInvalid {
			t.Errorf("DecodeGlobalID(%q) code = %s", s, ErrorCodeOf(err))
		}
	}
}

func TestDecodeGlobalIDOfChecksType(t *testing.T) {
	if _, err := DecodeGlobalIDOf(EncodeGlobalID(TypeCategory, 3), TypeProduct); err == nil {
		t.Fatal("a Category ID was accepted as a Product ID")
	}
	if id, err := DecodeGlobalIDOf(EncodeGlobalID(TypeProduct, 3), TypeProduct); err != nil || id != 3 {
		t.Fatalf("got %d, %v", id, err)
	}
}

// FuzzDecodeGlobalID checks that decoding never panics and that whatever it
// accepts is canonical: encoding the result gives back the input.
func FuzzDecodeGlobalID(f *testing.F) {
	f.Add(EncodeGlobalID(TypeProduct, 1))
	f.Add(EncodeGlobalID(TypeCategory, math.MaxInt64))
	f.Add("")
	f.Add("Z2lkOi8v")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := DecodeGlobalID(s)
		if err != nil {
			return
		}
		if g.ID <= 0 {
			t.Fatalf("accepted non-positive id %d from %q", g.ID, s)
		}
		if again := EncodeGlobalID(g.Type, g.ID); again != s {
			t.Fatalf("non-canonical ID %q accepted (canonical %q)", s, again)
		}
	})
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{
		{SortKey: "ID", ID: 1},
		{SortKey: "TITLE", ID: 7, Value: "กางเกง: with colons : and | pipes"},
		{SortKey: "PRICE", ID: math.MaxInt64, Value: "39000"},
	} {
		got, err := DecodeCursor(EncodeCursor(c))
		if err != nil || got != c {
			t.Errorf("round trip %+v = %+v, %v", c, got, err)
		}
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{"", "%%%", enc("c1:"), enc("c1:ID"), enc("c1:ID:0:"), enc("c1:id:1:"),
		enc("c2:ID:1:"), enc("c1::1:"), enc("c1:ID:-1:"), enc("c1:ID:x:")} {
		if c, err := DecodeCursor(s); err == nil {
			t.Errorf("DecodeCursor(%q) = %+v, want error", s, c)
		}
	}
}

// FuzzDecodeCursor checks that decoding never panics and accepted cursors
// re-encode to themselves.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(Cursor{SortKey: "ID", ID: 1}))
	f.Add(EncodeCursor(Cursor{SortKey: "TITLE", ID: 5, Value: "ชา"}))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := DecodeCursor(s)
		if err != nil {
			return
		}
		if c.ID <= 0 || c.SortKey == "" {
			t.Fatalf("accepted bad cursor %+v from %q", c, s)
		}
		if again := EncodeCursor(c); again != s {
			t.Fatalf("non-canonical cursor %q accepted (canonical %q)", s, again)
		}
	})
}

// FuzzParseAcceptLanguage: any header yields one of the two languages and
// never panics.
func FuzzParseAcceptLanguage(f *testing.F) {
	for _, s := range []string{"th", "en;q=0.1, th;q=0.9", "*;q=", ";;;,", "th;q=1e309"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if l := ParseAcceptLanguage(h); l != LanguageEN && l != LanguageTH {
			t.Fatalf("ParseAcceptLanguage(%q) = %q", h, l)
		}
	})
}

func TestParseAcceptLanguage(t *testing.T) {
	for in, want := range map[string]Language{
		"": LanguageEN, "th": LanguageTH, "th-TH,th;q=0.9,en;q=0.8": LanguageTH,
		"en-US,en;q=0.9,th;q=0.8": LanguageEN, "fr-FR, th;q=0.5": LanguageTH, "de": LanguageEN,
		// Quality values decide, not the order they are listed in.
		"en;q=0.1, th;q=0.9": LanguageTH, "th;q=0.2,en": LanguageEN, "TH ; Q=0.7, en;q=0.3": LanguageTH,
		"th;q=0, en;q=0.1": LanguageEN, "th;q=0": LanguageEN, "th;q=abc, en;q=0.5": LanguageEN,
		"*;q=0.5, th;q=0.4": LanguageEN, "en;q=0.5, th;q=0.5": LanguageEN, "th;q=0.5, en;q=0.5": LanguageTH,
	} {
		if got := ParseAcceptLanguage(in); got != want {
			t.Errorf("ParseAcceptLanguage(%q) = %s, want %s", in, got, want)
		}
	}
}

// Every type with a global ID decodes: a type left out of nodeTypes
// would make its IDs "invalid" everywhere (node, mutations' inputs).
func TestEveryNodeTypeDecodes(t *testing.T) {
	for _, typ := range []NodeType{TypeProduct, TypeProductVariant, TypeCategory, TypeProductImage, TypeProductOption,
		TypeCustomer, TypeMailingAddress, TypeStaffMember, TypeAPIKey, TypeAuditEntry, TypeCartLine, TypeDiscountCode,
		TypeOrder, TypeOrderLine, TypeShippingZone, TypeShippingRate, TypeInventoryMovement, TypePayment,
		TypePaymentTransaction, TypeReceipt} {
		if id, err := DecodeGlobalIDOf(EncodeGlobalID(typ, 42), typ); err != nil || id != 42 {
			t.Errorf("%s: %d %v", typ, id, err)
		}
	}
}
