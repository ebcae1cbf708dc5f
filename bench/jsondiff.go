package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
)

// decodeJSON decodes one JSON document, keeping numbers exact.
func decodeJSON(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON document")
	}
	return v, nil
}

// jsonDiff compares two JSON values as decoded by decodeJSON and describes
// the first difference found, "" when they are semantically equal: object
// key order and number spelling (1, 1.0, 1e0) do not matter, array order and
// everything else does. path names the root in the description.
func jsonDiff(path string, a, b any) string {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object vs %s", path, kind(b))
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			bv, ok := b[k]
			if !ok {
				return fmt.Sprintf("%s.%s: present vs missing", path, k)
			}
			if d := jsonDiff(path+"."+k, a[k], bv); d != "" {
				return d
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				return fmt.Sprintf("%s.%s: missing vs present", path, k)
			}
		}
		return ""
	case []any:
		b, ok := b.([]any)
		if !ok {
			return fmt.Sprintf("%s: array vs %s", path, kind(b))
		}
		for i := range min(len(a), len(b)) {
			if d := jsonDiff(path+"["+strconv.Itoa(i)+"]", a[i], b[i]); d != "" {
				return d
			}
		}
		if len(a) != len(b) {
			return fmt.Sprintf("%s: %d items vs %d", path, len(a), len(b))
		}
		return ""
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: number %s vs %s", path, a, kind(b))
		}
		ra, oka := new(big.Rat).SetString(a.String())
		rb, okb := new(big.Rat).SetString(b.String())
		if !oka || !okb || ra.Cmp(rb) != 0 {
			return fmt.Sprintf("%s: %s vs %s", path, a, b)
		}
		return ""
	case string:
		if bs, ok := b.(string); !ok || a != bs {
			return fmt.Sprintf("%s: %q vs %s", path, a, show(b))
		}
		return ""
	case bool:
		if bb, ok := b.(bool); !ok || a != bb {
			return fmt.Sprintf("%s: %t vs %s", path, a, show(b))
		}
		return ""
	case nil:
		if b != nil {
			return fmt.Sprintf("%s: null vs %s", path, show(b))
		}
		return ""
	}
	return fmt.Sprintf("%s: unexpected %T", path, a)
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case json.Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// show renders a scalar for a diff message, or names a composite's kind.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return kind(v)
}
