package model

import (
	"strings"
	"testing"
)

func TestNormalizeThaiProvince(t *testing.T) {
	cases := map[string]string{
		"Bangkok": "TH-10", "bangkok": "TH-10", " BANGKOK ": "TH-10", "กรุงเทพมหานคร": "TH-10", "กรุงเทพฯ": "TH-10",
		"กทม.": "TH-10", "TH-10": "TH-10", "th-10": "TH-10", "10": "TH-10", "Krung Thep Maha Nakhon": "TH-10",
		"Chiang Mai": "TH-50", "chiangmai": "TH-50", "Chiang-Mai Province": "TH-50", "เชียงใหม่": "TH-50",
		"จังหวัดเชียงใหม่": "TH-50", "จ.เชียงใหม่": "TH-50", "จ. เชียงใหม่": "TH-50",
		"Chon Buri": "TH-20", "Chonburi": "TH-20", "ชลบุรี": "TH-20", "Pattaya": "TH-20",
		"Ayutthaya": "TH-14", "Phra Nakhon Si Ayutthaya": "TH-14", "พระนครศรีอยุธยา": "TH-14",
		"Nakhon Ratchasima": "TH-30", "Korat": "TH-30", "Si Sa Ket": "TH-33", "Sisaket": "TH-33",
		"Phang Nga": "TH-82", "Phangnga": "TH-82", "Bueng Kan": "TH-38", "บึงกาฬ": "TH-38",
		"Narathiwat": "TH-96", "TH-96": "TH-96", "สุราษฎร์ธานี": "TH-84", "จันทบุรี": "TH-22",
	}
	for in, want := range cases {
		if got, ok := NormalizeThaiProvince(in); !ok || got != want {
			t.Errorf("NormalizeThaiProvince(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Atlantis", "TH-99", "TH-S", "99", "Bangkok Bangkok", "จ.", "Tokyo", "ไม่มี"} {
		if got, ok := NormalizeThaiProvince(in); ok {
			t.Errorf("NormalizeThaiProvince(%q) = %q, want no province", in, got)
		}
	}
}

// The table holds 77 provinces, each code and each name once, and every
// one reads back from its English name, its Thai name and its code.
func TestThaiProvincesAreComplete(t *testing.T) {
	if len(ThaiProvinces) != 77 {
		t.Fatalf("%d provinces, want 77", len(ThaiProvinces))
	}
	seen := map[string]bool{}
	for _, p := range ThaiProvinces {
		for _, k := range []string{p.Code, provinceKey(p.Name), provinceKey(p.NameTH)} {
			if seen[k] {
				t.Errorf("%s: %q twice", p.Code, k)
			}
			seen[k] = true
		}
		for _, s := range []string{p.Code, p.Name, p.NameTH, strings.ToUpper(p.Name), "จังหวัด" + p.NameTH} {
			if got, ok := NormalizeThaiProvince(s); !ok || got != p.Code {
				t.Errorf("NormalizeThaiProvince(%q) = %q, %v; want %s", s, got, ok, p.Code)
			}
		}
	}
	for code := range provinceAliases {
		if _, ok := ThaiProvinceByCode(code); !ok {
			t.Errorf("alias for unknown code %s", code)
		}
	}
}

func TestNormalizeCountry(t *testing.T) {
	for in, want := range map[string]string{"TH": "TH", "th": "TH", " jp ": "JP", "US": "US", "XK": "XK"} {
		if got, ok := NormalizeCountry(in); !ok || got != want {
			t.Errorf("NormalizeCountry(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "T", "THA", "XX", "ZZ", "UK", "EU", "1A"} {
		if _, ok := NormalizeCountry(in); ok {
			t.Errorf("NormalizeCountry(%q) accepted", in)
		}
	}
	if n := len(strings.Fields(countryCodes)); n != 250 {
		t.Errorf("%d country codes, want 249 ISO codes and XK", n)
	}
}

func TestParsePostcodePattern(t *testing.T) {
	good := map[string]string{"10": "10", "1": "1", "10110": "10110", " 101 ": "101",
		"10100-10599": "10100-10599", "10100 - 10599": "10100-10599", "10100-10100": "10100-10100"}
	for in, want := range good {
		if got, ok := ParsePostcodePattern(in); !ok || got != want {
			t.Errorf("ParsePostcodePattern(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "101100", "1O1", "10599-10100", "101-105", "10100-", "-10100", "10100-10599-10600", "๑๐"} {
		if got, ok := ParsePostcodePattern(in); ok {
			t.Errorf("ParsePostcodePattern(%q) = %q, want refused", in, got)
		}
	}
}

func TestMatchShippingZonePrecedence(t *testing.T) {
	areas := []ShippingZoneArea{
		{ZoneID: 1, Kind: AreaRestOfWorld, Value: "*"},
		{ZoneID: 2, Kind: AreaCountry, Value: "TH"},
		{ZoneID: 3, Kind: AreaProvince, Value: "TH-10"},
		{ZoneID: 3, Kind: AreaProvince, Value: "TH-12"},
		{ZoneID: 4, Kind: AreaPostcode, Value: "50"},
		{ZoneID: 5, Kind: AreaPostcode, Value: "502"},
		{ZoneID: 6, Kind: AreaPostcode, Value: "50200-50202"},
		{ZoneID: 7, Kind: AreaCountry, Value: "JP"},
		{ZoneID: 8, Kind: AreaPostcode, Value: "10"},
		{ZoneID: 9, Kind: AreaPostcode, Value: "20150-20150"},
	}
	cases := []struct {
		name string
		d    ShippingDestination
		want int64 // 0: no zone
	}{
		{"Bangkok by English name", ShippingDestination{"TH", "Bangkok", ""}, 3},
		{"Bangkok by Thai name, lower-case country", ShippingDestination{"th", "กรุงเทพมหานคร", ""}, 3},
		{"Bangkok by code", ShippingDestination{"TH", "TH-10", ""}, 3},
		{"a Bangkok postcode beats the Bangkok province", ShippingDestination{"TH", "Bangkok", "10110"}, 8},
		{"Nonthaburi, no postcode zone for 11000", ShippingDestination{"TH", "Nonthaburi", "11000"}, 3},
		{"an unknown province falls back to the country", ShippingDestination{"TH", "Atlantis", ""}, 2},
		{"Chiang Mai postcode, prefix 50", ShippingDestination{"TH", "Chiang Mai", "50100"}, 4},
		{"narrower prefix 502 beats 50", ShippingDestination{"TH", "Chiang Mai", "50230"}, 5},
		{"range of 3 beats prefix 502 (10 postcodes)", ShippingDestination{"TH", "Chiang Mai", "50201"}, 6},
		{"range upper bound inclusive", ShippingDestination{"TH", "", "50202"}, 6},
		{"just past the range", ShippingDestination{"TH", "", "50203"}, 5},
		{"single-postcode range", ShippingDestination{"TH", "Chon Buri", "20150"}, 9},
		{"postcode with a space", ShippingDestination{"TH", "", "50 100"}, 4},
		{"a malformed Thai postcode is ignored", ShippingDestination{"TH", "Phuket", "5010"}, 2},
		{"Thai postcode areas do not match abroad", ShippingDestination{"JP", "", "10110"}, 7},
		{"Thai provinces do not match abroad", ShippingDestination{"US", "Bangkok", ""}, 1},
		{"international country", ShippingDestination{"JP", "Tokyo", "100-0001"}, 7},
		{"rest of world", ShippingDestination{"DE", "", "10115"}, 1},
		{"no country", ShippingDestination{"", "Bangkok", "10110"}, 0},
		{"unknown country", ShippingDestination{"XX", "", ""}, 0},
	}
	for _, c := range cases {
		got, ok := MatchShippingZone(areas, c.d)
		if !ok {
			got = 0
		}
		if got != c.want {
			t.Errorf("%s: zone %d, want %d", c.name, got, c.want)
		}
	}
	// Without a rest-of-the-world zone, an unlisted country gets nothing.
	if z, ok := MatchShippingZone(areas[1:], ShippingDestination{Country: "DE"}); ok {
		t.Errorf("DE without rest of world: zone %d", z)
	}
	// Equal areas in two zones (which the store's unique key prevents, but
	// ranges can overlap): the lower zone ID wins, whatever the order.
	tie := []ShippingZoneArea{{ZoneID: 12, Kind: AreaPostcode, Value: "10100-10199"}, {ZoneID: 11, Kind: AreaPostcode, Value: "10150-10249"}}
	if z, _ := MatchShippingZone(tie, ShippingDestination{Country: "TH", Zip: "10160"}); z != 11 {
		t.Errorf("tie: zone %d, want 11", z)
	}
}

func ptr[T any](v T) *T { return &v }

func TestShippingRatePriceFor(t *testing.T) {
	flat := ShippingRate{Kind: RateFlat, Amount: 5000, Active: true, FreeOver: ptr[int64](150000)}
	weight := ShippingRate{Kind: RateWeight, Active: true}
	weight.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(1000), Amount: 4500}, {UpToGrams: ptr(5000), Amount: 9000}, {UpToGrams: ptr(10000), Amount: 15000}})
	open := ShippingRate{Kind: RateWeight, Active: true}
	open.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(2000), Amount: 80000}, {Amount: 150000}})
	window := ShippingRate{Kind: RateFlat, Amount: 3000, Active: true, MinSubtotal: ptr[int64](50000), MaxSubtotal: ptr[int64](99999)}
	inactive := flat
	inactive.Active = false
	cases := []struct {
		name             string
		r                ShippingRate
		weight, subtotal int64
		want             int64
		ok               bool
	}{
		{"flat", flat, 0, 10000, 5000, true},
		{"flat, one satang under the threshold", flat, 0, 149999, 5000, true},
		{"flat, exactly the threshold ships free", flat, 0, 150000, 0, true},
		{"flat, over the threshold", flat, 0, 900000, 0, true},
		{"inactive", inactive, 0, 10000, 0, false},
		{"weight 0 g is in the first bracket", weight, 0, 10000, 4500, true},
		{"weight at the first bracket's limit", weight, 1000, 10000, 4500, true},
		{"weight one gram over", weight, 1001, 10000, 9000, true},
		{"weight at the last limit", weight, 10000, 10000, 15000, true},
		{"heavier than every bracket: not offered", weight, 10001, 10000, 0, false},
		{"open-ended last bracket", open, 25000, 10000, 150000, true},
		{"below the open bracket", open, 2000, 10000, 80000, true},
		{"subtotal below the minimum", window, 0, 49999, 0, false},
		{"subtotal at the minimum", window, 0, 50000, 3000, true},
		{"subtotal at the maximum", window, 0, 99999, 3000, true},
		{"subtotal over the maximum", window, 0, 100000, 0, false},
	}
	for _, c := range cases {
		got, ok := c.r.PriceFor(c.weight, c.subtotal)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestShippingRequestWeight(t *testing.T) {
	r := ShippingRequest{Lines: []ShippingLine{{Quantity: 3, WeightGrams: 250}, {Quantity: 2, WeightGrams: 0}, {Quantity: 1, WeightGrams: 1200}}}
	if g := r.TotalWeightGrams(); g != 1950 {
		t.Errorf("weight %d, want 1950", g)
	}
}

func TestCheckShippingRate(t *testing.T) {
	field := func(n string) []string { return []string{"input", n} }
	valid := func() ShippingRate {
		return ShippingRate{Handle: "standard", Title: "Standard", Kind: RateFlat, Amount: 5000, Active: true}
	}
	if err := CheckShippingRate(field, ptr(valid())); err != nil {
		t.Fatalf("valid rate: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(r *ShippingRate)
		code  ErrorCode
		field string
	}{
		{"blank title", func(r *ShippingRate) { r.Title = " " }, CodeBlank, "input.title"},
		{"bad handle", func(r *ShippingRate) { r.Handle = "Bad Handle" }, CodeInvalid, "input.handle"},
		{"long handle", func(r *ShippingRate) { r.Handle = strings.Repeat("a", 49) }, CodeTooLong, "input.handle"},
		{"negative price", func(r *ShippingRate) { r.Amount = -1 }, CodeInvalid, "input.price"},
		{"negative threshold", func(r *ShippingRate) { r.FreeOver = ptr[int64](-100) }, CodeInvalid, "input.freeShippingThreshold"},
		{"min over max", func(r *ShippingRate) { r.MinSubtotal, r.MaxSubtotal = ptr[int64](1000), ptr[int64](999) }, CodeInvalid, "input.maxSubtotal"},
		{"days reversed", func(r *ShippingRate) { r.MinDays, r.MaxDays = ptr(3), ptr(1) }, CodeInvalid, "input.maxDeliveryDays"},
		{"days negative", func(r *ShippingRate) { r.MinDays = ptr(-1) }, CodeInvalid, "input.minDeliveryDays"},
		{"unknown kind", func(r *ShippingRate) { r.Kind = "CARRIER" }, CodeInvalid, "input.kind"},
		{"flat with brackets", func(r *ShippingRate) { r.SetWeightBrackets([]WeightBracket{{Amount: 1}}) }, CodeInvalid, "input.weightBrackets"},
		{"weight without brackets", func(r *ShippingRate) { r.Kind = RateWeight }, CodeBlank, "input.weightBrackets"},
		{"overlapping brackets", func(r *ShippingRate) {
			r.Kind = RateWeight
			r.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(1000), Amount: 1}, {UpToGrams: ptr(1000), Amount: 2}})
		}, CodeInvalid, "input.weightBrackets.1.upToGrams"},
		{"descending brackets", func(r *ShippingRate) {
			r.Kind = RateWeight
			r.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(5000), Amount: 1}, {UpToGrams: ptr(1000), Amount: 2}})
		}, CodeInvalid, "input.weightBrackets.1.upToGrams"},
		{"open bracket not last", func(r *ShippingRate) {
			r.Kind = RateWeight
			r.SetWeightBrackets([]WeightBracket{{Amount: 1}, {UpToGrams: ptr(1000), Amount: 2}})
		}, CodeInvalid, "input.weightBrackets.0.upToGrams"},
		{"zero-gram bracket", func(r *ShippingRate) {
			r.Kind = RateWeight
			r.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(0), Amount: 1}})
		}, CodeInvalid, "input.weightBrackets.0.upToGrams"},
		{"negative bracket price", func(r *ShippingRate) {
			r.Kind = RateWeight
			r.SetWeightBrackets([]WeightBracket{{UpToGrams: ptr(10), Amount: -1}})
		}, CodeInvalid, "input.weightBrackets.0.price"},
	}
	for _, c := range cases {
		r := valid()
		c.edit(&r)
		err := CheckShippingRate(field, &r)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if err.Code != c.code || strings.Join(err.Field, ".") != c.field {
			t.Errorf("%s: %s at %v, want %s at %s", c.name, err.Code, err.Field, c.code, c.field)
		}
	}
}
