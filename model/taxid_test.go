package model

import "testing"

func TestValidThaiTaxID(t *testing.T) {
	for id, want := range map[string]bool{
		"0105558123451":  true,  // a company's registration number
		"1234567890121":  true,  // check digit of 352: (11 - 0) mod 10 = 1
		"3100600445635":  true,  // sum 193, 193 mod 11 = 6, 11 - 6 = 5
		"1234567890123":  false, // wrong check digit
		"0105558123456":  false,
		"010555812345":   false, // 12 digits
		"01055581234510": false, // 14 digits
		"010555812345a":  false,
		"":               false,
	} {
		if got := ValidThaiTaxID(id); got != want {
			t.Errorf("ValidThaiTaxID(%q) = %v, want %v", id, got, want)
		}
	}
}
