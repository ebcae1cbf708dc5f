package model

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckDiscountCode(t *testing.T) {
	f := []string{"input", "code"}
	for in, want := range map[string]ErrorCode{
		"WELCOME10":             "",
		"  summer-26 ":          "",
		"ลดราคา":                "",
		strings.Repeat("A", 64): "",
		strings.Repeat("A", 65): CodeTooLong,
		strings.Repeat("ก", 22): CodeTooLong, // 66 bytes
		"":                      CodeBlank,
		"   ":                   CodeBlank,
		"TWO WORDS":             CodeInvalid,
		"TAB\tS":                CodeInvalid,
		"NB\u00a0SP":            CodeInvalid,
		"CTRL\x01":              CodeInvalid,
		"BAD\xff":               CodeInvalid,
	} {
		got, err := CheckDiscountCode(f, in)
		if ErrorCodeOf(err) != want {
			t.Errorf("%q: %v, want %q", in, err, want)
			continue
		}
		if err != nil {
			if e, _ := AsError(err); fmt.Sprint(e.Field) != fmt.Sprint(f) {
				t.Errorf("%q: field %v", in, e.Field)
			}
		} else if got != strings.TrimSpace(in) {
			t.Errorf("%q: kept as %q", in, got)
		}
	}
}

func TestParsePercentage(t *testing.T) {
	for in, want := range map[string]RateBasisPoints{
		"10": 1000, "12.5": 1250, "0.01": 1, "100": 10000, " 7 ": 700, "100.00": 10000,
		"0": -1, "0.001": -1, "100.01": -1, "-5": -1, "": -1, "ten": -1, "1e2": -1,
	} {
		got, err := ParsePercentage([]string{"input", "percentage"}, in)
		switch {
		case want < 0 && ErrorCodeOf(err) != CodeInvalid:
			t.Errorf("%q: %v, %v; want INVALID", in, got, err)
		case want >= 0 && (err != nil || got != want):
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestDiscountCheck(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	n := func(v int) *int { return &v }
	ok := Discount{Kind: DiscountPercentage, Value: 1000}
	many := strings.TrimSpace(strings.Repeat("7 ", MaxDiscountRestrictions+1))
	for _, c := range []struct {
		name  string
		edit  func(d *Discount)
		field string // "" when valid
	}{
		{"a percentage", func(*Discount) {}, ""},
		{"100%", func(d *Discount) { d.Value = 10000 }, ""},
		{"over 100%", func(d *Discount) { d.Value = 10001 }, "percentage"},
		{"0%", func(d *Discount) { d.Value = 0 }, "percentage"},
		{"a fixed amount", func(d *Discount) { d.Kind, d.Value = DiscountFixedAmount, 5000 }, ""},
		{"a fixed nothing", func(d *Discount) { d.Kind, d.Value = DiscountFixedAmount, 0 }, "amount"},
		{"a fixed fortune", func(d *Discount) { d.Kind, d.Value = DiscountFixedAmount, MaxPriceMinor+1 }, "amount"},
		{"free shipping", func(d *Discount) { d.Kind, d.Value = DiscountFreeShipping, 0 }, ""},
		{"free shipping with a value", func(d *Discount) { d.Kind = DiscountFreeShipping }, "kind"},
		{"an unknown kind", func(d *Discount) { d.Kind = "BOGO" }, "kind"},
		{"a negative minimum", func(d *Discount) { d.MinSubtotal = -1 }, "minSubtotal"},
		{"dates in order", func(d *Discount) { d.StartsAt, d.EndsAt = &now, &later }, ""},
		{"an end without a start", func(d *Discount) { d.EndsAt = &now }, ""},
		{"an end at the start", func(d *Discount) { d.StartsAt, d.EndsAt = &now, &now }, "endsAt"},
		{"an end before the start", func(d *Discount) { d.StartsAt, d.EndsAt = &later, &now }, "endsAt"},
		{"a usage limit of 1", func(d *Discount) { d.UsageLimit = n(1) }, ""},
		{"a usage limit of 0", func(d *Discount) { d.UsageLimit = n(0) }, "usageLimit"},
		{"a per-customer limit of 0", func(d *Discount) { d.PerCustomerLimit = n(0) }, "perCustomerLimit"},
		{"a limit at the uses", func(d *Discount) { d.UsageLimit, d.UsedCount = n(3), 3 }, ""},
		{"a limit below the uses", func(d *Discount) { d.UsageLimit, d.UsedCount = n(2), 3 }, "usageLimit"},
		{"100 products", func(d *Discount) { d.ProductIDs = strings.TrimSpace(strings.Repeat("7 ", 100)) }, ""},
		{"101 products", func(d *Discount) { d.ProductIDs = many }, "productIds"},
		{"101 categories", func(d *Discount) { d.CategoryIDs = many }, "categoryIds"},
	} {
		d := ok
		c.edit(&d)
		err := d.Check(func(name string) []string { return []string{"input", name} })
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e, isErr := AsError(err)
		if !isErr || e.Code != CodeInvalid || fmt.Sprint(e.Field) != fmt.Sprint([]string{"input", c.field}) {
			t.Errorf("%s: %v, want INVALID on input.%s", c.name, err, c.field)
		}
	}
}

func TestJoinIDsRoundTrips(t *testing.T) {
	ids := []int64{3, 14, 159}
	d := Discount{ProductIDs: JoinIDs(ids)}
	if got := d.ProductIDList(); fmt.Sprint(got) != fmt.Sprint(ids) || JoinIDs(nil) != "" {
		t.Errorf("%q -> %v", d.ProductIDs, got)
	}
}
