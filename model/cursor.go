package model

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Cursor is the decoded position of an item in a keyset-paginated list: the
// sort key it was produced under, the item's sort value and its ID, which
// breaks ties. Keyset cursors stay correct when rows are inserted or deleted
// between pages, unlike offsets.
type Cursor struct {
	SortKey string // e.g. "ID", "TITLE", "PRICE", "CREATED_AT"
	ID      int64
	Value   string // the sort value in text form; empty for ID order
}

const cursorPrefix = "c1:"

// maxCursorLen bounds the encoded cursors DecodeCursor accepts.
const maxCursorLen = 1024

// EncodeCursor returns the opaque form of c.
func EncodeCursor(c Cursor) string {
	raw := cursorPrefix + c.SortKey + ":" + strconv.FormatInt(c.ID, 10) + ":" + c.Value
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor parses an opaque cursor. Malformed input yields a CodeInvalid
// error and never a panic. The caller checks that SortKey matches its order.
func DecodeCursor(s string) (Cursor, error) {
	bad := &Error{Code: CodeInvalid, Message: "invalid cursor"}
	if s == "" || len(s) > maxCursorLen || !isBase64URL(s) {
		return Cursor{}, bad
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	rest, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return Cursor{}, bad
	}
	key, rest, ok := strings.Cut(rest, ":")
	if !ok || key == "" {
		return Cursor{}, bad
	}
	for i := 0; i < len(key); i++ {
		if (key[i] < 'A' || key[i] > 'Z') && key[i] != '_' {
			return Cursor{}, bad
		}
	}
	num, value, ok := strings.Cut(rest, ":")
	if !ok || num == "" || num[0] < '1' || num[0] > '9' {
		return Cursor{}, bad
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{SortKey: key, ID: id, Value: value}, nil
}
