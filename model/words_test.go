package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestBahtText(t *testing.T) {
	for _, c := range []struct {
		satang int64
		want   string
	}{
		// Every row of the reference table (Royal Institute reading).
		{0, "ศูนย์บาทถ้วน"},
		{25, "ยี่สิบห้าสตางค์"},
		{21_00, "ยี่สิบเอ็ดบาทถ้วน"},
		{101_00, "หนึ่งร้อยเอ็ดบาทถ้วน"}, // LibreOffice: หนึ่งร้อยหนึ่ง
		{120_50, "หนึ่งร้อยยี่สิบบาทห้าสิบสตางค์"},
		{10_000_001_00, "สิบล้านเอ็ดบาทถ้วน"},
		{20_000_021_00, "ยี่สิบล้านยี่สิบเอ็ดบาทถ้วน"},
		{501_741_221_00, "ห้าร้อยเอ็ดล้านเจ็ดแสนสี่หมื่นหนึ่งพันสองร้อยยี่สิบเอ็ดบาทถ้วน"},
		{1_000_000_000_000_00, "หนึ่งล้านล้านบาทถ้วน"},

		// Satang only, read as a number of their own.
		{1, "หนึ่งสตางค์"},
		{10, "สิบสตางค์"},
		{11, "สิบเอ็ดสตางค์"},
		{21, "ยี่สิบเอ็ดสตางค์"},
		{99, "เก้าสิบเก้าสตางค์"},
		{1_01, "หนึ่งบาทหนึ่งสตางค์"}, // the satang's 1 stands alone
		{1_21, "หนึ่งบาทยี่สิบเอ็ดสตางค์"},

		// A units 1 is หนึ่ง alone and เอ็ด after anything.
		{1_00, "หนึ่งบาทถ้วน"},
		{10_00, "สิบบาทถ้วน"},
		{11_00, "สิบเอ็ดบาทถ้วน"},
		{111_00, "หนึ่งร้อยสิบเอ็ดบาทถ้วน"},
		{1_001_00, "หนึ่งพันเอ็ดบาทถ้วน"},
		{120_000_00, "หนึ่งแสนสองหมื่นบาทถ้วน"},
		{1_000_000_00, "หนึ่งล้านบาทถ้วน"},
		{1_000_001_00, "หนึ่งล้านเอ็ดบาทถ้วน"}, // the higher group counts as before
		{1_000_010_00, "หนึ่งล้านสิบบาทถ้วน"},
		{11_000_000_00, "สิบเอ็ดล้านบาทถ้วน"},
		{2_000_000_021_00, "สองพันล้านยี่สิบเอ็ดบาทถ้วน"},
		{21_000_021_21, "ยี่สิบเอ็ดล้านยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"},

		// Groups of six recurse: ล้านล้าน, and เอ็ด inside the millions.
		{1_000_000_000_001_00, "หนึ่งล้านล้านเอ็ดบาทถ้วน"},
		{1_000_001_000_000_00, "หนึ่งล้านเอ็ดล้านบาทถ้วน"},

		// The int64 extremes: 92,233,720,368,547,758.07 baht, and .08 below.
		{math.MaxInt64, "เก้าหมื่นสองพันสองร้อยสามสิบสามล้าน" + "เจ็ดแสนสองหมื่นสามร้อยหกสิบแปดล้าน" +
			"ห้าแสนสี่หมื่นเจ็ดพันเจ็ดร้อยห้าสิบแปดบาทเจ็ดสตางค์"},
		{math.MinInt64, "ลบเก้าหมื่นสองพันสองร้อยสามสิบสามล้าน" + "เจ็ดแสนสองหมื่นสามร้อยหกสิบแปดล้าน" +
			"ห้าแสนสี่หมื่นเจ็ดพันเจ็ดร้อยห้าสิบแปดบาทแปดสตางค์"},

		// Negative amounts say ลบ first.
		{-5_00, "ลบห้าบาทถ้วน"},
		{-1, "ลบหนึ่งสตางค์"},
		{-120_50, "ลบหนึ่งร้อยยี่สิบบาทห้าสิบสตางค์"},
	} {
		if got := BahtText(c.satang); got != c.want {
			t.Errorf("BahtText(%s) = %s, want %s", FormatMinor(c.satang, 2), got, c.want)
		}
	}
}

// Every amount up to 200 baht, every whole baht up to 20,000 and around
// the first ล้าน, and a random sample of all int64 read back to themselves
// through the strict parser below, which accepts only the Royal
// Institute's forms: so no two amounts share a reading, and none is read
// in a form the table above did not think of.
func TestBahtTextRoundTrips(t *testing.T) {
	check := func(n int64) {
		t.Helper()
		s := BahtText(n)
		got, err := parseBahtText(s)
		if err != nil || got != n {
			t.Fatalf("BahtText(%d) = %s, which parses back as %d, %v", n, s, got, err)
		}
	}
	for n := int64(-20_000); n <= 20_000; n++ {
		check(n)
		check(n * 100)
		check((1_000_000 + n) * 100)
	}
	r := rand.New(rand.NewPCG(7, 107))
	for range 20_000 {
		check(int64(r.Uint64()))
	}
}

func TestAmountInWordsEN(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   CurrencyCode
		want  string
	}{
		{120_50, CurrencyTHB, "One hundred twenty baht and fifty satang"},
		{0, CurrencyTHB, "Zero baht"},
		{21_00, CurrencyTHB, "Twenty-one baht"},
		{25, CurrencyTHB, "Twenty-five satang"},
		{1, CurrencyTHB, "One satang"},
		{1_00, CurrencyTHB, "One baht"},
		{11_00, CurrencyTHB, "Eleven baht"},
		{101_00, CurrencyTHB, "One hundred one baht"},
		{111_00, CurrencyTHB, "One hundred eleven baht"},
		{1_010_00, CurrencyTHB, "One thousand ten baht"},
		{1_000_000_00, CurrencyTHB, "One million baht"},
		{1_000_001_00, CurrencyTHB, "One million one baht"},
		{2_000_000_021_00, CurrencyTHB, "Two billion twenty-one baht"},
		{1_000_000_000_000_00, CurrencyTHB, "One trillion baht"},
		{501_741_221_99, CurrencyTHB,
			"Five hundred one million seven hundred forty-one thousand two hundred twenty-one baht and ninety-nine satang"},
		{-536_00, CurrencyTHB, "Minus five hundred thirty-six baht"},
		{math.MaxInt64, CurrencyTHB, "Ninety-two quadrillion two hundred thirty-three trillion seven hundred twenty billion " +
			"three hundred sixty-eight million five hundred forty-seven thousand seven hundred fifty-eight baht and seven satang"},
		{1_01, CurrencyUSD, "One dollar and one cent"},
		{2_50, CurrencyUSD, "Two dollars and fifty cents"},
		{1_00, CurrencyEUR, "One euro"},
		{99, CurrencyEUR, "Ninety-nine cents"},
		{1000, CurrencyJPY, "One thousand yen"},
		{math.MinInt64, CurrencyJPY, "Minus nine quintillion two hundred twenty-three quadrillion three hundred seventy-two trillion " +
			"thirty-six billion eight hundred fifty-four million seven hundred seventy-five thousand eight hundred eight yen"},
		{12_50, "XYZ", "Twelve XYZ and fifty hundredths"},
		{1, "XYZ", "One hundredth"},
		{1_00, "", "One unit"},
		{2_00, " ", "Two units"},
		{2_00, "usd", "Two units"},
	} {
		if got := AmountInWordsEN(c.minor, c.cur); got != c.want {
			t.Errorf("AmountInWordsEN(%d, %q) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}

// FuzzBahtText checks that every int64 has a reading, made only of the
// words Thai amounts use, that ends the way a receipt's does and that the
// strict parser reads back to the same amount.
func FuzzBahtText(f *testing.F) {
	for _, n := range []int64{0, 1, 25, 101_00, 10_000_001_00, math.MaxInt64, math.MinInt64, -1} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		s := BahtText(n)
		if n >= 0 && !strings.HasSuffix(s, "บาทถ้วน") && !strings.HasSuffix(s, "สตางค์") {
			t.Fatalf("BahtText(%d) = %s: ends neither in บาทถ้วน nor in สตางค์", n, s)
		}
		if _, err := thaiTokens(s); err != nil {
			t.Fatalf("BahtText(%d) = %s: %v", n, s, err)
		}
		got, err := parseBahtText(s)
		if err != nil || got != n {
			t.Fatalf("BahtText(%d) = %s, which parses back as %d, %v", n, s, got, err)
		}
	})
}

// FuzzAmountInWordsEN checks that any amount in any currency code reads as
// one capitalised sentence of single-spaced words, and that THB's use only
// number words and baht/satang and read back to the amount.
func FuzzAmountInWordsEN(f *testing.F) {
	f.Add(int64(120_50), "THB")
	f.Add(int64(math.MinInt64), "JPY")
	f.Add(int64(-1), "")
	f.Add(int64(12_50), "ß")
	f.Fuzz(func(t *testing.T, n int64, cur string) {
		s := AmountInWordsEN(n, CurrencyCode(cur))
		if s == "" || strings.Contains(s, "  ") || strings.HasSuffix(s, " ") {
			t.Fatalf("AmountInWordsEN(%d, %q) = %q", n, cur, s)
		}
		if CurrencyCode(cur) != CurrencyTHB {
			return
		}
		if !unicode.IsUpper([]rune(s)[0]) {
			t.Fatalf("AmountInWordsEN(%d, THB) = %q: not capitalised", n, s)
		}
		got, err := parseEnglishBaht(s)
		if err != nil || got != n {
			t.Fatalf("AmountInWordsEN(%d, THB) = %q, which parses back as %d, %v", n, s, got, err)
		}
	})
}

func TestParsersReject(t *testing.T) {
	// The round trips above are only as strong as the parsers are strict:
	// these are readings of real amounts in forms BahtText must not use.
	for _, s := range []string{
		"หนึ่งร้อยหนึ่งบาทถ้วน",   // LibreOffice's 101
		"เอ็ดบาทถ้วน",             // เอ็ด with nothing before it
		"หนึ่งสิบบาทถ้วน",         // 10 is สิบ
		"สองสิบบาทถ้วน",           // 20 is ยี่สิบ
		"หนึ่งล้านหนึ่งบาทถ้วน",   // 1,000,001 is หนึ่งล้านเอ็ด
		"ร้อยบาทถ้วน",             // 100 is หนึ่งร้อย
		"สิบร้อยบาทถ้วน",          // places go down
		"หนึ่งบาท",                // no ถ้วน
		"ศูนย์บาทห้าสิบสตางค์",    // zero baht is left out
		"หนึ่งบาทหนึ่งร้อยสตางค์", // satang stop at 99
		"ลบศูนย์บาทถ้วน",
		"ยี่บาทถ้วน",
		"หนึ่งบาทถ้วนX",
	} {
		if n, err := parseBahtText(s); err == nil {
			t.Errorf("parseBahtText(%s) = %d, want an error", s, n)
		}
	}
	for _, s := range []string{"One hundred and one baht", "Zero baht and fifty satang", "One baht and zero satang",
		"One thousand thousand baht", "Twenty one baht", "Ten-one baht", "Fifty satang and one baht"} {
		if n, err := parseEnglishBaht(s); err == nil {
			t.Errorf("parseEnglishBaht(%q) = %d, want an error", s, n)
		}
	}
}

// thaiVocabulary is every word a Thai amount may contain.
var thaiVocabulary = []string{"ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า",
	"สิบ", "ร้อย", "พัน", "หมื่น", "แสน", "ล้าน", "ยี่", "เอ็ด", "บาท", "ถ้วน", "สตางค์", "ลบ"}

// thaiTokens splits s into words of thaiVocabulary (no word is a prefix of
// another, so the first match is the only one).
func thaiTokens(s string) ([]string, error) {
	var toks []string
next:
	for s != "" {
		for _, w := range thaiVocabulary {
			if rest, ok := strings.CutPrefix(s, w); ok {
				toks, s = append(toks, w), rest
				continue next
			}
		}
		return nil, fmt.Errorf("unexpected text at %q", s)
	}
	return toks, nil
}

// parseBahtText is a test-only reader of BahtText's output, written from
// the grammar rather than from BahtText's code, and strict: it accepts
// only the Royal Institute's forms.
func parseBahtText(s string) (int64, error) {
	toks, err := thaiTokens(s)
	if err != nil {
		return 0, err
	}
	neg := len(toks) > 0 && toks[0] == "ลบ"
	if neg {
		toks = toks[1:]
	}
	var baht, satang uint64
	last := len(toks) - 1
	switch {
	case strings.Join(toks, " ") == "ศูนย์ บาท ถ้วน" && !neg:
		return 0, nil
	case last >= 2 && toks[last] == "ถ้วน" && toks[last-1] == "บาท":
		if baht, err = parseThaiNumber(toks[:last-1]); err != nil {
			return 0, err
		}
	case last >= 1 && toks[last] == "สตางค์":
		words := toks[:last]
		for i, w := range words {
			if w == "บาท" {
				if baht, err = parseThaiNumber(words[:i]); err != nil {
					return 0, err
				}
				words = words[i+1:]
				break
			}
		}
		if satang, err = parseThaiNumber(words); err != nil {
			return 0, err
		}
		if satang > 99 {
			return 0, errors.New("more than 99 satang")
		}
	default:
		return 0, errors.New("ends neither in บาทถ้วน nor in สตางค์")
	}
	if baht > (1<<63-satang)/100 {
		return 0, errors.New("out of range")
	}
	u := baht*100 + satang
	if neg {
		return int64(-u), nil
	}
	if u > math.MaxInt64 {
		return 0, errors.New("out of range")
	}
	return int64(u), nil
}

// parseThaiNumber reads a number above zero: the part before the last
// ล้าน is a number of millions, read the same way.
func parseThaiNumber(toks []string) (uint64, error) {
	k := -1
	for i, w := range toks {
		if w == "ล้าน" {
			k = i
		}
	}
	if k < 0 {
		g, err := parseThaiGroup(toks, false)
		if err == nil && g == 0 {
			err = errors.New("no number")
		}
		return g, err
	}
	hi, err := parseThaiNumber(toks[:k])
	if err != nil {
		return 0, err
	}
	lo, err := parseThaiGroup(toks[k+1:], true)
	if err != nil {
		return 0, err
	}
	if hi > (math.MaxUint64-lo)/1_000_000 {
		return 0, errors.New("out of range")
	}
	return hi*1_000_000 + lo, nil
}

var thaiPlaceValues = map[string]int{"สิบ": 1, "ร้อย": 2, "พัน": 3, "หมื่น": 4, "แสน": 5}

// parseThaiGroup reads up to six digits, each as digit word then place
// word, places going down. สิบ stands alone for 10 and after ยี่ for 20;
// the units 1 is เอ็ด exactly when something was read before it.
func parseThaiGroup(toks []string, afterHigher bool) (uint64, error) {
	var v uint64
	lastPlace, readBefore := 6, afterHigher
	for i := 0; i < len(toks); {
		word, d := toks[i], -1
		for j := 1; j <= 9; j++ {
			if thaiVocabulary[j] == word {
				d = j
			}
		}
		if word == "ยี่" || word == "เอ็ด" {
			d = 0 // decided by the place
		}
		if d >= 0 {
			i++
		}
		place := 0
		if i < len(toks) {
			if p, ok := thaiPlaceValues[toks[i]]; ok {
				place = p
				i++
			}
		}
		switch {
		case place >= lastPlace:
			return 0, fmt.Errorf("place %d after place %d", place, lastPlace)
		case place == 1 && d < 0:
			d = 1 // สิบ
		case place == 1 && word == "ยี่":
			d = 2
		case place == 1 && (d == 1 || d == 2 || word == "เอ็ด"):
			return 0, fmt.Errorf("%s before สิบ", word)
		case d < 0:
			return 0, fmt.Errorf("%q is not a digit", word)
		case word == "ยี่":
			return 0, errors.New("ยี่ not before สิบ")
		case word == "เอ็ด" && place == 0 && readBefore:
			d = 1
		case word == "เอ็ด":
			return 0, errors.New("เอ็ด with nothing before it, or before a place")
		case place == 0 && d == 1 && readBefore:
			return 0, errors.New("หนึ่ง where เอ็ด belongs")
		}
		v += uint64(d) * []uint64{1, 10, 100, 1000, 10_000, 100_000}[place]
		lastPlace, readBefore = place, true
	}
	return v, nil
}

// parseEnglishBaht is a test-only reader of AmountInWordsEN's THB output.
func parseEnglishBaht(s string) (int64, error) {
	words := strings.Fields(strings.ToLower(s))
	neg := len(words) > 0 && words[0] == "minus"
	if neg {
		words = words[1:]
	}
	var baht, satang uint64
	var err error
	bahtWords, satangWords, hasAnd := joinedCut(words, "and")
	switch {
	case hasAnd:
		if baht, err = englishPart(bahtWords, "baht"); err == nil {
			satang, err = englishPart(satangWords, "satang")
		}
		if err == nil && (baht == 0 || satang == 0) {
			err = errors.New("zero on one side of and")
		}
	case len(words) > 0 && words[len(words)-1] == "satang":
		satang, err = englishPart(words, "satang")
		if err == nil && satang == 0 {
			err = errors.New("zero satang")
		}
	default:
		baht, err = englishPart(words, "baht")
	}
	if err != nil {
		return 0, err
	}
	if satang > 99 || baht > (1<<63-satang)/100 {
		return 0, errors.New("out of range")
	}
	u := baht*100 + satang
	if neg && u != 0 {
		return int64(-u), nil
	}
	if neg || u > math.MaxInt64 {
		return 0, errors.New("out of range")
	}
	return int64(u), nil
}

func joinedCut(words []string, sep string) (before, after []string, found bool) {
	for i, w := range words {
		if w == sep {
			return words[:i], words[i+1:], true
		}
	}
	return words, nil, false
}

// englishPart reads "<number> <unit>".
func englishPart(words []string, unit string) (uint64, error) {
	if len(words) < 2 || words[len(words)-1] != unit {
		return 0, fmt.Errorf("%q does not end in %s", strings.Join(words, " "), unit)
	}
	return parseEnglishNumber(words[:len(words)-1])
}

// parseEnglishNumber reads groups of "[digit hundred] [tens[-unit] | teen]
// [scale]" with scales going down.
func parseEnglishNumber(words []string) (uint64, error) {
	if len(words) == 1 && words[0] == "zero" {
		return 0, nil
	}
	small := map[string]uint64{}
	for i, w := range []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"} {
		small[w] = uint64(i + 1)
	}
	tens := map[string]uint64{"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
	scales := map[string]int{"thousand": 1, "million": 2, "billion": 3, "trillion": 4, "quadrillion": 5, "quintillion": 6}
	var total uint64
	lastScale := 7
	for len(words) > 0 {
		var g uint64
		if len(words) >= 2 && words[1] == "hundred" {
			h, ok := small[words[0]]
			if !ok || h > 9 {
				return 0, fmt.Errorf("%q hundred", words[0])
			}
			g, words = h*100, words[2:]
		}
		if len(words) > 0 {
			if n, ok := small[words[0]]; ok {
				g, words = g+n, words[1:]
			} else if t, u, hyphen := strings.Cut(words[0], "-"); tens[t] > 0 {
				if hyphen {
					n, ok := small[u]
					if !ok || n > 9 {
						return 0, fmt.Errorf("%q", words[0])
					}
					g += n
				}
				g, words = g+tens[t], words[1:]
			}
		}
		if g == 0 {
			return 0, fmt.Errorf("no number at %q", strings.Join(words, " "))
		}
		scale := 0
		if len(words) > 0 {
			if sc, ok := scales[words[0]]; ok {
				scale, words = sc, words[1:]
			}
		}
		if scale >= lastScale {
			return 0, fmt.Errorf("scales out of order at %q", strings.Join(words, " "))
		}
		lastScale = scale
		m := uint64(1)
		for range scale {
			m *= 1000
		}
		if g > (math.MaxUint64-total)/m {
			return 0, errors.New("out of range")
		}
		total += g * m
	}
	return total, nil
}
