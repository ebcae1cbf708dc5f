package gqlmodel

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/langran/langran/model"
)

func TestUnmarshalDecimal(t *testing.T) {
	for _, ok := range []string{"0", "1250", "1250.00", "-0.05", "007"} {
		if got, err := UnmarshalDecimal(ok); err != nil || got != ok {
			t.Errorf("UnmarshalDecimal(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []any{"", "1e3", "1,000", "1.2.3", ".", "-", "--1", " 1", "1 ", "๑๒", 5.5, 12, nil,
		map[string]any{"a": 1}, []any{1}, true, "123456789012345678901234567890123"} {
		if _, err := UnmarshalDecimal(bad); model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Errorf("UnmarshalDecimal(%#v) err = %v, want INVALID", bad, err)
		}
	}
	var buf bytes.Buffer
	MarshalDecimal("390.00").MarshalGQL(&buf)
	if buf.String() != `"390.00"` {
		t.Errorf("MarshalDecimal = %s", buf.String())
	}
}

// FuzzUnmarshalDecimal checks that any accepted Decimal is a plain decimal
// the money parser can read, and that nothing panics.
func FuzzUnmarshalDecimal(f *testing.F) {
	for _, s := range []string{"0", "1250.00", "-0.05", "1e3", ".5", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := UnmarshalDecimal(s)
		if err != nil {
			return
		}
		if got != s {
			t.Fatalf("changed %q to %q", s, got)
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("accepted %q, which is not a number", s)
		}
	})
}
