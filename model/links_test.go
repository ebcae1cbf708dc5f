package model

import (
	"strings"
	"testing"
	"time"
)

func TestLinkSigner(t *testing.T) {
	s := NewLinkSigner([]byte(strings.Repeat("k", MinLinkKey)))
	other := NewLinkSigner([]byte(strings.Repeat("x", MinLinkKey)))
	now := time.Unix(1_800_000_000, 0)
	exp := now.Add(time.Hour)
	sig := s.Sign(exp, "receipt", "42")
	cases := []struct {
		name string
		ok   bool
	}{
		{"as signed", s.Verify(sig, exp, now, "receipt", "42")},
		{"another thing", !s.Verify(sig, exp, now, "receipt", "43")},
		{"parts split otherwise", !s.Verify(sig, exp, now, "receipt4", "2")},
		{"a later expiry", !s.Verify(sig, exp.Add(time.Second), now, "receipt", "42")},
		{"after it expired", !s.Verify(sig, exp, exp.Add(time.Second), "receipt", "42")},
		{"another key", !other.Verify(sig, exp, now, "receipt", "42")},
		{"a tampered signature", !s.Verify(sig[:len(sig)-1]+"A", exp, now, "receipt", "42") || strings.HasSuffix(sig, "A")},
		{"no signature", !s.Verify("", exp, now, "receipt", "42")},
		{"never expires", s.Verify(s.Sign(time.Time{}, "qr"), time.Time{}, now.Add(100*365*24*time.Hour), "qr")},
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("%s: wrong answer", c.name)
		}
	}
	for _, in := range []string{"", "-5", "+5", "x", "1e9"} {
		if _, ok := ParseLinkExpiry(in); ok {
			t.Errorf("ParseLinkExpiry(%q) accepted", in)
		}
	}
	if got, ok := ParseLinkExpiry(LinkExpiry(exp)); !ok || !got.Equal(exp) {
		t.Errorf("expiry round trip: %v %v", got, ok)
	}
}
