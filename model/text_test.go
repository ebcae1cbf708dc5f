package model

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Organic COTTON Tee", "organic cotton tee"},
		{"Café", "café"},             // accents are kept
		{"ÉCLAIR", "éclair"},         // and lower-cased
		{"a\x00b\tc\nd", "a b c d"},  // controls separate words
		{"กาแฟ\u200bดอย", "กาแฟดอย"}, // a zero-width space does not
		{"soft\u00adhyphen", "softhyphen"},
		{"bad\xffbyte", "bad byte"},
		{"100%_!", "100%_!"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"}, // rune by rune: no final-sigma rule
	} {
		if got := FoldText(c.in); got != c.want {
			t.Errorf("FoldText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"\x00", nil},
		{"Dried  MANGO dried", []string{"dried", "mango"}},
		{"coff\x00ee", []string{"coff", "ee"}},
		{"กาแฟ ดอยช้าง", []string{"กาแฟ", "ดอยช้าง"}},
	} {
		if got := SearchWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SearchWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTagKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"thai", "thai"},
		{"THAI", "thai"},
		{" Thai\t", "thai"},
		{"Café", "café"},
		{"cafe", "cafe"},
		{"ผ้าไหม", "ผ้าไหม"},
		{"two  words", "two  words"},
	} {
		if got := TagKey(c.in); got != c.want {
			t.Errorf("TagKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTitleSortKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Organic Cotton Tee", "organic cotton tee"},
		{"  Linen\t\tShirt \x00", "linen shirt"},
		{"เสื้อยืด", "สเื้อยืด"}, // เ moves after ส
		{"แก้ว", "กแ้ว"},         // แ after ก
		{"ไก่ย่าง", "กไ่ย่าง"},   // ไ after ก
		{"กาแฟ", "กาฟแ"},         // within a word too
		{"เ", "เ"},               // no consonant to follow: kept
		{"Doi Chaang", "doi chaang"},
	} {
		if got := TitleSortKey(c.in); got != c.want {
			t.Errorf("TitleSortKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Thai words in dictionary order (after the first consonant, consonants
	// before vowels), English words ignoring case, and accented letters after
	// z, by code point.
	for _, order := range [][]string{
		{"กา", "เก", "ขา", "แข", "โค", "ใจ", "ไฟ"},
		{"กก", "กา", "เก"},
		{"ไก่", "ขวด", "เขียว", "ไข่"},
		{"apple", "Banana", "cherry", "Zebra", "éclair"},
		{"Tee", "tee 2", "Tee shirt"},
	} {
		sorted := slices.Clone(order)
		slices.SortStableFunc(sorted, func(a, b string) int { return strings.Compare(TitleSortKey(a), TitleSortKey(b)) })
		if !slices.Equal(sorted, order) {
			t.Errorf("sorted by key: %q, want %q", sorted, order)
		}
	}
}

// The keys' invariants are what let MySQL's PAD SPACE binary collation order
// them exactly as SQLite's byte comparison does: valid UTF-8, no character
// below a space, no trailing space, and short enough for the column.
func FuzzTitleSortKey(f *testing.F) {
	for _, s := range []string{"Organic Cotton Tee", "เสื้อยืด", " a\x00b ", strings.Repeat("ไก่", 200), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := TitleSortKey(s)
		if !utf8.ValidString(k) || len(k) > MaxSortKeyBytes || strings.HasSuffix(k, " ") || strings.HasPrefix(k, " ") {
			t.Fatalf("TitleSortKey(%q) = %q", s, k)
		}
		for _, r := range k {
			if r < ' ' {
				t.Fatalf("TitleSortKey(%q) = %q has %U", s, k, r)
			}
		}
		if TitleSortKey(k) != k && !strings.ContainsAny(s, "เแโใไ") {
			t.Fatalf("TitleSortKey is not idempotent on %q", s)
		}
	})
}
