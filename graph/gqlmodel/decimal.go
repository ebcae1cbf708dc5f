package gqlmodel

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/langran/langran/model"
)

// maxDecimalInput bounds the Decimal strings clients may send.
const maxDecimalInput = 32

// MarshalDecimal writes a Decimal: money amounts are strings such as
// "1250.00" so that no client parses them as floats.
func MarshalDecimal(s string) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(s))
	})
}

// UnmarshalDecimal accepts only a string of digits with an optional sign and
// decimal point. Numbers, objects and lists are refused with a client-safe
// error (a JSON number would already have lost precision as a float).
func UnmarshalDecimal(v any) (string, error) {
	s, ok := v.(string)
	bad := &model.Error{Code: model.CodeInvalid, Message: `a Decimal must be a string such as "1250.00"`}
	if !ok || s == "" || len(s) > maxDecimalInput {
		return "", bad
	}
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case c == '-' && i == 0:
		default:
			return "", bad
		}
	}
	if digits == 0 || dots > 1 {
		return "", bad
	}
	return s, nil
}
