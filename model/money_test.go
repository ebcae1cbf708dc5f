package model

import (
	"math"
	"testing"
)

func TestFormatMinor(t *testing.T) {
	tests := []struct {
		amount int64
		digits int
		want   string
	}{
		{0, 2, "0.00"},
		{5, 2, "0.05"},
		{50, 2, "0.50"},
		{125000, 2, "1250.00"},
		{-5, 2, "-0.05"},
		{-125099, 2, "-1250.99"},
		{1234, 0, "1234"},
		{math.MaxInt64, 2, "92233720368547758.07"},
		{math.MinInt64, 2, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := FormatMinor(tt.amount, tt.digits); got != tt.want {
			t.Errorf("FormatMinor(%d, %d) = %q, want %q", tt.amount, tt.digits, got, tt.want)
		}
	}
}

func TestMoneyAmount(t *testing.T) {
	if got := (Money{Minor: 39000, Currency: CurrencyTHB}).Amount(); got != "390.00" {
		t.Errorf("THB amount = %q", got)
	}
	if got := (Money{Minor: 390, Currency: CurrencyJPY}).Amount(); got != "390" {
		t.Errorf("JPY amount = %q", got)
	}
}

func TestParseMinor(t *testing.T) {
	tests := []struct {
		in      string
		digits  int
		want    int64
		wantErr bool
	}{
		{"1250", 2, 125000, false},
		{"1250.5", 2, 125050, false},
		{"1250.50", 2, 125050, false},
		{"0.05", 2, 5, false},
		{"-0.05", 2, -5, false},
		{"007", 2, 700, false},
		{"1250.505", 2, 0, true}, // more decimals than satang
		{"", 2, 0, true},
		{"-", 2, 0, true},
		{".5", 2, 0, true},
		{"5.", 2, 0, true},
		{"1e3", 2, 0, true},
		{"1,250.00", 2, 0, true},
		{"+5", 2, 0, true},
		{" 5", 2, 0, true},
		{"١٢", 2, 0, true}, // non-ASCII digits
		{"92233720368547758.07", 2, math.MaxInt64, false},
		{"92233720368547758.08", 2, 0, true}, // overflows int64
		{"99999999999999999999999", 2, 0, true},
		{"12.3", 0, 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMinor(tt.in, tt.digits)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseMinor(%q, %d) = %d, %v; want %d, err=%v", tt.in, tt.digits, got, err, tt.want, tt.wantErr)
		}
		if err != nil && ErrorCodeOf(err) != CodeInvalid {
			t.Errorf("ParseMinor(%q) error code = %s, want INVALID", tt.in, ErrorCodeOf(err))
		}
	}
}

// FuzzParseMinor checks that parsing never panics and that every accepted
// amount formats back to an equal amount.
func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"0", "1250.00", "-0.05", "1e3", "92233720368547758.07", ".", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMinor(s, 2)
		if err != nil {
			return
		}
		back, err := ParseMinor(FormatMinor(v, 2), 2)
		if err != nil || back != v {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, v, FormatMinor(v, 2), back, err)
		}
	})
}
