package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Amounts in words, as Thai receipts print them under the figures. Both
// readers work on the uint64 magnitude of the amount, so every int64
// (math.MinInt64 included) is read exactly, with no float and no overflow.

// magnitude returns |v| as uint64 and whether v is negative. In uint64 the
// negation of math.MinInt64 is 2^63, which int64 cannot hold.
func magnitude(v int64) (u uint64, neg bool) {
	u = uint64(v)
	if v < 0 {
		u = -u
	}
	return u, v < 0
}

// thaiDigits are the digit words; index 0 is never read inside a number
// (zero places are silent), only alone as ศูนย์.
var thaiDigits = [10]string{"ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"}

// thaiPlaces name the places of a six-digit group, units first.
var thaiPlaces = [6]string{"", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"}

// BahtText returns an amount of satang in Thai words, as printed on a
// receipt: 120.50 baht is หนึ่งร้อยยี่สิบบาทห้าสิบสตางค์, 21.00 is
// ยี่สิบเอ็ดบาทถ้วน ("baht even"), 0.25 is ยี่สิบห้าสตางค์ and zero is
// ศูนย์บาทถ้วน.
//
// It follows the Royal Institute's reading, which says เอ็ด for a units
// digit 1 that follows other digits: 101 is หนึ่งร้อยเอ็ด and 1,000,001 is
// หนึ่งล้านเอ็ด, while 1 alone is หนึ่ง. LibreOffice's BAHTTEXT reads 101 as
// หนึ่งร้อยหนึ่ง instead; both are heard, and we keep the Royal Institute's
// as the official one. Tens read สิบ for 1 and ยี่สิบ for 2; places go up
// in groups of six digits joined by ล้าน, so 10^12 is หนึ่งล้านล้าน.
//
// The satang are read as a number of their own, so 1.01 is
// หนึ่งบาทหนึ่งสตางค์ but 1.21 is หนึ่งบาทยี่สิบเอ็ดสตางค์.
//
// A negative amount (a credit note's difference, say) is the reading of its
// magnitude after ลบ ("minus"): −5.00 is ลบห้าบาทถ้วน. Documents usually
// print the magnitude and say in the title which way the money goes; ลบ is
// for the caller that does not.
func BahtText(satang int64) string {
	u, neg := magnitude(satang)
	if u == 0 {
		return "ศูนย์บาทถ้วน"
	}
	var b strings.Builder
	if neg {
		b.WriteString("ลบ")
	}
	baht, st := u/100, u%100
	if baht > 0 {
		writeThaiNumber(&b, baht)
		b.WriteString("บาท")
		if st == 0 {
			b.WriteString("ถ้วน")
			return b.String()
		}
	}
	writeThaiNumber(&b, st)
	b.WriteString("สตางค์")
	return b.String()
}

// writeThaiNumber writes n > 0 in Thai words: the millions first (read
// the same way, recursively, which is what makes ล้านล้าน), then the last
// six digits.
func writeThaiNumber(b *strings.Builder, n uint64) {
	const million = 1_000_000
	hi, lo := n/million, n%million
	if hi > 0 {
		writeThaiNumber(b, hi)
		b.WriteString("ล้าน")
	}
	writeThaiGroup(b, lo, hi > 0)
}

// writeThaiGroup writes a group g < 10^6; zero writes nothing. A units
// digit 1 is เอ็ด when anything is read before it, in this group or in
// the higher ones (afterHigher): that is the Royal Institute's rule, and
// why 10,000,001 is สิบล้านเอ็ด.
func writeThaiGroup(b *strings.Builder, g uint64, afterHigher bool) {
	var digits [6]uint64
	for i := range digits {
		digits[i] = g % 10
		g /= 10
	}
	readBefore := afterHigher
	for place := 5; place >= 0; place-- {
		d := digits[place]
		switch {
		case d == 0:
			continue
		case place == 1 && d == 1:
			// สิบ, never หนึ่งสิบ.
		case place == 1 && d == 2:
			b.WriteString("ยี่")
		case place == 0 && d == 1 && readBefore:
			b.WriteString("เอ็ด")
		default:
			b.WriteString(thaiDigits[d])
		}
		b.WriteString(thaiPlaces[place])
		readBefore = true
	}
}

// currencyWords are the English names of a currency's major and minor
// units, singular and plural. Only the currencies the store prices in are
// listed; others are read with their code and "hundredths".
type currencyWords struct {
	major, majorPlural, minor, minorPlural string
}

var currencyWordsEN = map[CurrencyCode]currencyWords{
	// Baht and satang do not change in the plural.
	CurrencyTHB: {"baht", "baht", "satang", "satang"},
	CurrencyUSD: {"dollar", "dollars", "cent", "cents"},
	CurrencyEUR: {"euro", "euros", "cent", "cents"},
	CurrencyJPY: {"yen", "yen", "", ""}, // no minor unit in use
}

// AmountInWordsEN returns an amount of minor units in English words for
// the English side of a receipt, capitalised as a sentence: 120.50 THB is
// "One hundred twenty baht and fifty satang", 21.00 THB "Twenty-one baht",
// 0.25 THB "Twenty-five satang" and zero "Zero baht".
//
// Numbers are read the American way, without "and" inside them (the "and"
// joins the major and minor parts), with short-scale names: million,
// billion, trillion, and on to quintillion, which the int64 range needs.
// THB, USD, EUR and JPY have their unit names. Any other currency is read
// by its code, with its minor units as fractions ("hundredths" for the
// usual two digits): 12.50 XYZ is "Twelve XYZ and fifty hundredths"; a
// code that is not three letters A to Z reads as "units".
// A negative amount starts with "Minus".
func AmountInWordsEN(minor int64, cur CurrencyCode) string {
	u, neg := magnitude(minor)
	digits := cur.MinorDigits()
	words, known := currencyWordsEN[cur]
	if !known {
		words = currencyWords{string(cur), string(cur), "minor unit", "minor units"}
		if !isISOCodeShape(cur) {
			// Whatever it is, it is no word to print on a receipt.
			words.major, words.majorPlural = "unit", "units"
		}
		if frac := [...]string{"", "tenth", "hundredth", "thousandth"}; digits > 0 && digits < len(frac) {
			words.minor, words.minorPlural = frac[digits], frac[digits]+"s"
		}
	}
	scale := uint64(1)
	for range digits {
		scale *= 10
	}
	major, rest := u/scale, u%scale

	var parts []string
	if neg {
		parts = append(parts, "minus")
	}
	if major > 0 || rest == 0 {
		parts = append(parts, englishNumber(major), plural(major, words.major, words.majorPlural))
	}
	if rest > 0 {
		if major > 0 {
			parts = append(parts, "and")
		}
		parts = append(parts, englishNumber(rest), plural(rest, words.minor, words.minorPlural))
	}
	return capitalise(strings.Join(parts, " "))
}

// isISOCodeShape reports whether c looks like an ISO 4217 code: three
// letters A to Z.
func isISOCodeShape(c CurrencyCode) bool {
	if len(c) != 3 {
		return false
	}
	for i := range len(c) {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

var (
	englishSmall = [20]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	englishTens = [10]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	// englishScales name the groups of three digits, units first; uint64
	// has at most seven groups (up to 18 quintillion).
	englishScales = [7]string{"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"}
)

// englishNumber reads n in lower-case English words.
func englishNumber(n uint64) string {
	if n == 0 {
		return englishSmall[0]
	}
	var groups []string
	for scale := 0; n > 0; scale++ {
		g := n % 1000
		n /= 1000
		if g == 0 {
			continue
		}
		w := englishHundreds(g)
		if englishScales[scale] != "" {
			w += " " + englishScales[scale]
		}
		groups = append(groups, w)
	}
	// The groups were collected units first.
	for i, j := 0, len(groups)-1; i < j; i, j = i+1, j-1 {
		groups[i], groups[j] = groups[j], groups[i]
	}
	return strings.Join(groups, " ")
}

// englishHundreds reads 0 < g < 1000.
func englishHundreds(g uint64) string {
	var parts []string
	if h := g / 100; h > 0 {
		parts = append(parts, englishSmall[h], "hundred")
	}
	switch r := g % 100; {
	case r == 0:
	case r < 20:
		parts = append(parts, englishSmall[r])
	case r%10 == 0:
		parts = append(parts, englishTens[r/10])
	default:
		parts = append(parts, englishTens[r/10]+"-"+englishSmall[r%10])
	}
	return strings.Join(parts, " ")
}

// capitalise upper-cases the first letter, leaving a currency code such as
// "XYZ" in the middle untouched.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
