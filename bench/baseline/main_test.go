package main

import "testing"

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		want     string
	}{
		{39000, "THB", "390.00"},
		{125050, "THB", "1250.50"},
		{5, "THB", "0.05"},
		{0, "THB", "0.00"},
		{-5, "THB", "-0.05"},
		{500, "JPY", "500"},
		{-9223372036854775808, "THB", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := formatAmount(tt.minor, tt.currency); got != tt.want {
			t.Errorf("formatAmount(%d, %s) = %q, want %q", tt.minor, tt.currency, got, tt.want)
		}
	}
}

func TestRequestedFirst(t *testing.T) {
	const page = `query StorefrontPage { products(first: 50) { edges { node { images { url } variants(first: 10) { edges { node { sku } } } } } } }`
	tests := []struct {
		name    string
		req     pageRequest
		want    int
		wantErr bool
	}{
		{"literal", pageRequest{Query: page}, 50, false},
		{"literal without spaces", pageRequest{Query: `{products(first:7){edges{node{images{url}}}}}`}, 7, false},
		{"variable wins", pageRequest{Query: page, Variables: map[string]any{"first": float64(20)}}, 20, false},
		{"default", pageRequest{Query: `{ products { edges { node { images { url } } } } }`}, 50, false},
		{"over the maximum", pageRequest{Query: `{ products(first: 101) { edges { node { images { url } } } } }`}, 0, true},
		{"fractional variable", pageRequest{Variables: map[string]any{"first": 2.5}}, 0, true},
		{"string variable", pageRequest{Variables: map[string]any{"first": "10"}}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := requestedFirst(tt.req)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Fatalf("first = %d, want %d", got, tt.want)
			}
		})
	}
}
