package model

import (
	"strconv"
	"strings"
)

// CurrencyCode is an ISO 4217 currency code such as "THB".
type CurrencyCode string

// Currencies the store can price in. THB is the default.
const (
	CurrencyTHB CurrencyCode = "THB"
	CurrencyUSD CurrencyCode = "USD"
	CurrencyEUR CurrencyCode = "EUR"
	CurrencyJPY CurrencyCode = "JPY"
)

// minorDigits is the number of decimal places of each currency's minor unit.
var minorDigits = map[CurrencyCode]int{
	CurrencyTHB: 2, CurrencyUSD: 2, CurrencyEUR: 2, CurrencyJPY: 0,
}

// MinorDigits returns the number of decimals in c's minor unit (2 for THB: satang).
// Unknown currencies are treated as having 2, the common case.
func (c CurrencyCode) MinorDigits() int {
	if d, ok := minorDigits[c]; ok {
		return d
	}
	return 2
}

// Valid reports whether c is a currency the store knows.
func (c CurrencyCode) Valid() bool {
	_, ok := minorDigits[c]
	return ok
}

// Money is an amount in integer minor units (satang for THB) of one currency.
// There is no float anywhere near money: all arithmetic is on int64.
type Money struct {
	Minor    int64
	Currency CurrencyCode
}

// Amount renders the amount as a plain decimal string with exactly the
// currency's minor digits, e.g. 125000 THB -> "1250.00", -5 THB -> "-0.05".
func (m Money) Amount() string {
	return FormatMinor(m.Minor, m.Currency.MinorDigits())
}

// CurrencyCode returns the money's currency.
func (m Money) CurrencyCode() CurrencyCode { return m.Currency }

// FormatMinor renders minor units with the given number of decimals.
func FormatMinor(amount int64, digits int) string {
	neg := amount < 0
	// Work on uint64 so that the most negative int64 does not overflow on negation.
	u := uint64(amount)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// maxDecimalLen bounds the input ParseMinor accepts; no real price is longer,
// and the bound keeps hostile input cheap to reject.
const maxDecimalLen = 32

// ParseMinor parses a decimal string such as "1250", "1250.5" or "1250.50" into
// minor units with the given number of decimals. It rejects signs other than a
// leading '-', exponents, thousands separators, more decimals than the currency
// has, and values that do not fit in int64.
func ParseMinor(s string, digits int) (int64, error) {
	bad := func(why string) error {
		return &Error{Code: CodeInvalid, Message: "invalid decimal amount: " + why}
	}
	if s == "" {
		return 0, bad("empty")
	}
	if len(s) > maxDecimalLen {
		return 0, bad("too long")
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, bad("missing digits")
	}
	if len(frac) > digits {
		return 0, bad("too many decimal places")
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, bad("unexpected character")
			}
		}
	}
	digitsStr := whole + frac + strings.Repeat("0", digits-len(frac))
	u, err := strconv.ParseUint(digitsStr, 10, 64)
	if err != nil || u > 1<<63-1 {
		return 0, bad("out of range")
	}
	v := int64(u)
	if neg {
		v = -v
	}
	return v, nil
}
