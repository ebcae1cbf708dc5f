package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The catalog compares text by rules written here, in Go, rather than by a
// database collation: MySQL's utf8mb4_unicode_ci ignores case, accents and
// trailing spaces while SQLite compares bytes, so leaving it to the database
// gave different answers on each. The store keeps the keys computed here in
// columns compared byte for byte (utf8mb4_bin on MySQL) and, where a column
// still has the old collation, checks the answer in Go.

// foldRune maps one rune for comparison: control characters and whitespace
// become a space, invisible format characters (zero-width space, joiners,
// soft hyphen, byte order mark: Unicode category Cf) are dropped (-1), and
// anything else becomes its Unicode lower case (Go's unicode.ToLower;
// accents and other marks are kept).
func foldRune(r rune) rune {
	switch {
	case unicode.IsControl(r) || unicode.IsSpace(r):
		return ' '
	case unicode.Is(unicode.Cf, r):
		return -1
	}
	return unicode.ToLower(r)
}

// FoldText is the form both sides of a text search are compared in: s
// lower-cased, with control characters, whitespace and bytes that are not
// valid UTF-8 turned into spaces and invisible format characters dropped.
// So a NUL or a tab separates words exactly as a space does, and a zero-width
// space between Thai words does not separate them, whatever the database.
func FoldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			r = ' '
		}
		if f := foldRune(r); f >= 0 {
			b.WriteRune(f)
		}
	}
	return b.String()
}

// SearchWords splits a text query into the words a product must all
// contain: the query is folded (FoldText) and split at spaces; repeated
// words count once. Each word matches as a substring of a product's
// English or Thai title or description, folded the same way.
func SearchWords(query string) []string {
	var out []string
	for _, w := range strings.Fields(FoldText(query)) {
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TagKey is the form in which tags are compared: a filter tag matches a
// product tag when their keys are equal byte for byte. The key is the tag
// with surrounding whitespace trimmed and lower-cased by Go's Unicode rules;
// accents are significant ("café" is not "cafe"), so "Thai", "THAI" and
// " thai " are one tag and "Café" and "cafe" are two.
func TagKey(tag string) string {
	return strings.ToLower(strings.TrimSpace(tag))
}

// MaxSortKeyBytes bounds a title sort key, so that it fits its column and a
// cursor carrying it stays short. Titles that agree in their first
// MaxSortKeyBytes bytes of key are ordered by product ID.
const MaxSortKeyBytes = 255

// Thai vowels written before the consonant they are pronounced after.
func isThaiLeadingVowel(r rune) bool { return r >= 'เ' && r <= 'ไ' }

func isThaiConsonant(r rune) bool { return r >= 'ก' && r <= 'ฮ' }

// TitleSortKey returns the key titles are sorted by, compared byte for byte
// (which for UTF-8 is code point order):
//
//   - lower-cased by Go's Unicode rules, so "apple" and "Apple" sort together
//     and before "banana"; accented letters are kept and sort by code point
//     ("éclair" after "zebra");
//   - control characters and runs of whitespace become one space, and
//     surrounding spaces are dropped;
//   - a Thai leading vowel (เ แ โ ใ ไ) is moved after the consonant it
//     precedes, as Thai dictionaries order words: "เก" sorts under ก, after
//     "กา" and before "ขา". Thai code points are otherwise in dictionary
//     order (consonants, then vowels), so "ขวด" < "เขียว" < "ไข่";
//   - cut to at most MaxSortKeyBytes bytes at a character boundary.
//
// Tone marks and other Thai signs keep their code point order.
//
// The store keeps these keys in columns (with a binary collation on MySQL)
// and computes the same keys for cursors. Changing this function changes
// every stored key: it needs a migration that recomputes them.
func TitleSortKey(title string) string {
	rs := []rune(strings.Join(strings.Fields(FoldText(title)), " "))
	for i := 0; i+1 < len(rs); i++ {
		if isThaiLeadingVowel(rs[i]) && isThaiConsonant(rs[i+1]) {
			rs[i], rs[i+1] = rs[i+1], rs[i]
			i++
		}
	}
	key := string(rs)
	if len(key) > MaxSortKeyBytes {
		cut := MaxSortKeyBytes
		for cut > 0 && !utf8.RuneStart(key[cut]) {
			cut--
		}
		key = strings.TrimRight(key[:cut], " ")
	}
	return key
}
