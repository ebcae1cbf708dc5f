package model

import (
	"strings"
	"testing"
)

func TestHandles(t *testing.T) {
	for _, c := range []struct {
		title, handle string
	}{
		{"Organic Cotton Tee", "organic-cotton-tee"},
		{"  USB-C Charging Cable!! ", "usb-c-charging-cable"},
		{"Men's Shirt (XL)", "men-s-shirt-xl"},
		{"Power Bank 10000 mAh", "power-bank-10000-mah"},
		{"ผ้าไหม Silk", "silk"},
		{"ผ้าไหม", ""},
		{"Café crème", "caf-cr-me"},
		{"---", ""},
	} {
		got := HandleFrom(c.title)
		if got != c.handle {
			t.Errorf("HandleFrom(%q) = %q, want %q", c.title, got, c.handle)
		}
		if got != "" && (!ValidHandle(got) || !ValidHandle(HandleWithSuffix(got, 99999))) {
			t.Errorf("HandleFrom(%q) = %q is not a valid handle (with a suffix)", c.title, got)
		}
	}
	for h, ok := range map[string]bool{
		"batik-shirt": true, "t-shirts": true, "a": true, "2026": true,
		"": false, "Batik-Shirt": false, "batik shirt": false, "batik-shirt ": false, "ผ้า": false,
		"a_b": false, "a/b": false, strings.Repeat("a", 255): true, strings.Repeat("a", 256): false,
	} {
		if ValidHandle(h) != ok {
			t.Errorf("ValidHandle(%q) = %v", h, !ok)
		}
		if err := CheckHandle([]string{"input", "handle"}, h); (err == nil) != ok || (err != nil && err.Field[1] != "handle") {
			t.Errorf("CheckHandle(%q) = %v", h, err)
		}
	}
	if long := HandleFrom(strings.Repeat("ab ", 200)); len(long) > MaxHandleLen-handleRoom || len(long) < MaxHandleLen-handleRoom-2 || !strings.HasPrefix(long, "ab-ab-") {
		t.Errorf("a long title gives %q", long)
	}
	if HandleWithSuffix("tee", 1) != "tee" || HandleWithSuffix("tee", 3) != "tee-3" {
		t.Error("HandleWithSuffix")
	}
}

func TestCatalogTextChecks(t *testing.T) {
	f := []string{"input", "title"}
	for _, c := range []struct {
		s         string
		max       int
		required  bool
		multiline bool
		code      ErrorCode
	}{
		{"Silk Dress", 255, true, false, ""},
		{"ชุดเดรสผ้าไหม", 6, true, false, CodeTooLong},
		{"ชุดเดรส", 7, true, false, ""},
		{"  ", 255, true, false, CodeBlank},
		{"", 255, false, false, ""},
		{"a\x00b", 255, true, false, CodeInvalid},
		{"line one\nline two\ttab", 255, false, false, CodeInvalid},
		{"line one\nline two\ttab", 255, false, true, ""},
		{"bell\a", 255, false, true, CodeInvalid},
		{"\xff", 255, false, true, CodeInvalid},
	} {
		var err *Error
		if c.multiline {
			err = CheckMultiline(f, c.s, c.max)
		} else {
			err = CheckLine(f, c.s, c.max, c.required)
		}
		if got := codeOf(err); got != c.code {
			t.Errorf("%q: code %q, want %q (%v)", c.s, got, c.code, err)
		}
		if err != nil && strings.Join(err.Field, ".") != "input.title" {
			t.Errorf("%q: field %v", c.s, err.Field)
		}
	}
	if codeOf(CheckTag(f, "a,b")) != CodeInvalid || CheckTag(f, "ของขวัญ") != nil || codeOf(CheckSKU(f, strings.Repeat("x", 65))) != CodeTooLong {
		t.Error("tag or SKU checks")
	}
	if SKUKey(" AB-1 ") != "ab-1" || SKUKey("Ünï") != "ünï" {
		t.Error("SKUKey")
	}
}

func codeOf(err *Error) ErrorCode {
	if err == nil {
		return ""
	}
	return err.Code
}

func TestParsePrice(t *testing.T) {
	f := []string{"variants", "0", "price"}
	for s, want := range map[string]int64{"1250": 125000, "1250.5": 125050, "0.01": 1, " 99.00 ": 9900, "0": 0,
		"1000000000": MaxPriceMinor, "-1": -1, "1.001": -1, "1e3": -1, "": -1, "1,000": -1, "1000000000.01": -1} {
		got, err := ParsePrice(f, s, CurrencyTHB)
		switch {
		case want < 0 && err == nil:
			t.Errorf("ParsePrice(%q) = %d, want an error", s, got)
		case want >= 0 && (err != nil || got != want):
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", s, got, err, want)
		case err != nil && (err.Code != CodeInvalid || err.Field[2] != "price"):
			t.Errorf("ParsePrice(%q): %+v", s, err)
		}
	}
	if _, err := ParsePrice(f, "-5.00", CurrencyTHB); err == nil || !strings.Contains(err.Message, "negative") {
		t.Errorf("negative: %v", err)
	}
}

func TestWeightAndInventory(t *testing.T) {
	f := []string{"weight"}
	for _, c := range []struct {
		v    float64
		unit WeightUnit
		g    int
		ok   bool
	}{
		{250, WeightGrams, 250, true}, {0.25, WeightKilograms, 250, true}, {1.2345, WeightKilograms, 0, false},
		{-1, WeightGrams, 0, false}, {0.5, WeightGrams, 0, false}, {10_001, WeightKilograms, 0, false},
		{1, "STONES", 0, false},
	} {
		g, err := WeightInGrams(f, c.v, c.unit)
		if (err == nil) != c.ok || g != c.g {
			t.Errorf("WeightInGrams(%v %s) = %d, %v", c.v, c.unit, g, err)
		}
	}
	if CheckInventory(f, -1) == nil || CheckInventory(f, 5) != nil {
		t.Error("CheckInventory")
	}
}

func TestCheckImageURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://cdn.example.com/a.jpg": true, "http://cdn.example.com/a b.jpg": false, "ftp://x/y": false,
		"https:///nohost": false, "javascript:alert(1)": false, "//cdn.example.com/a.jpg": false,
		"https://user@evil.example/a.jpg": false, "https://cdn.example.com/ผ้า.jpg": true,
		"https://cdn.example.com/" + strings.Repeat("a", 2048): false,
	} {
		if err := CheckImageURL([]string{"url"}, u); (err == nil) != ok {
			t.Errorf("CheckImageURL(%q) = %v", u, err)
		}
	}
}

func TestVariantTitleAndStatus(t *testing.T) {
	if VariantTitle(nil) != DefaultVariantTitle ||
		VariantTitle([]SelectedOption{{"Size", "M"}, {"Colour", "Indigo"}}) != "M / Indigo" {
		t.Error("VariantTitle")
	}
	if s, ok := ParseProductStatus(" draft "); !ok || s != ProductDraft {
		t.Error("ParseProductStatus")
	}
	if _, ok := ParseProductStatus("HIDDEN"); ok {
		t.Error("ParseProductStatus accepted HIDDEN")
	}
}
