package resolver

import (
	"strconv"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// pageArgs are the Relay arguments of a connection field, as given.
type pageArgs struct {
	First, Last   *int
	After, Before *string
}

// Cursor sort keys of the lists that are not products.
const (
	idCursorKey       = "ID" // lists in ID order: categories, addresses, staff, keys, the audit log
	categoryCursorKey = idCursorKey
	variantCursorKey  = "POSITION"
)

// idCursor is the cursor of an item in a list kept in ID order.
func idCursor(id int64) model.Cursor { return model.Cursor{SortKey: idCursorKey, ID: id} }

// decodePage validates Relay arguments and turns them into a store.Page:
// exactly one of first and last, at most MaxPageSize, no first with before or
// last with after, and cursors that decode and carry cursorKey, the sort key
// of this list's cursors. A cursor of another list or order is refused with
// the name of the argument it came in. Each connection field has its own
// decoder built on this one (decodeProductsPage, decodeCategoriesPage, …).
func decodePage(a pageArgs, cursorKey string) (store.Page, error) {
	var pg store.Page
	switch {
	case a.First == nil && a.Last == nil:
		return pg, model.InvalidField([]string{"first"}, "you must provide one of first or last")
	case a.First != nil && a.Last != nil:
		return pg, model.InvalidField([]string{"last"}, "provide first or last, not both")
	case a.First != nil && a.Before != nil:
		return pg, model.InvalidField([]string{"before"}, "before goes with last, not with first")
	case a.Last != nil && a.After != nil:
		return pg, model.InvalidField([]string{"after"}, "after goes with first, not with last")
	}
	n, field := a.First, "first"
	if a.Last != nil {
		n, field = a.Last, "last"
	}
	if *n < 0 || *n > MaxPageSize {
		return pg, model.InvalidField([]string{field}, "%s must be between 0 and %d", field, MaxPageSize)
	}
	pg.Limit = *n
	pg.Backward = a.Last != nil
	for _, c := range []struct {
		raw   *string
		dst   **model.Cursor
		field string
	}{{a.After, &pg.After, "after"}, {a.Before, &pg.Before, "before"}} {
		if c.raw == nil {
			continue
		}
		cur, err := model.DecodeCursor(*c.raw)
		if err != nil {
			return pg, model.InvalidField([]string{c.field}, "invalid cursor")
		}
		if cur.SortKey != cursorKey {
			return pg, model.InvalidField([]string{c.field}, "invalid cursor: it belongs to another list or sort order")
		}
		*c.dst = &cur
	}
	return pg, nil
}

// decodeCategoriesPage decodes the paging arguments of Query.categories.
func decodeCategoriesPage(a pageArgs) (store.Page, error) {
	pg, err := decodePage(a, categoryCursorKey)
	pg.Sort = store.SortByID
	return pg, err
}

// decodeVariantsPage decodes the paging arguments of Product.variants, whose
// cursors hold the variant's position.
func decodeVariantsPage(a pageArgs) (store.Page, error) {
	pg, err := decodePage(a, variantCursorKey)
	if err != nil {
		return pg, err
	}
	for _, c := range []struct {
		cur   *model.Cursor
		field string
	}{{pg.After, "after"}, {pg.Before, "before"}} {
		if c.cur == nil {
			continue
		}
		if _, err := strconv.ParseUint(c.cur.Value, 10, 31); err != nil {
			return pg, model.InvalidField([]string{c.field}, "invalid cursor")
		}
	}
	return pg, nil
}

// pageInfo answers PageInfo for a page read in pg's direction that found
// `more` items beyond it. The far side is known exactly (we read one extra
// row); the near side is inferred from the cursor: a page that starts after a
// cursor has something before it.
func pageInfo(pg store.Page, more bool, start, end *string) *gqlmodel.PageInfo {
	info := &gqlmodel.PageInfo{StartCursor: start, EndCursor: end}
	if pg.Backward {
		info.HasPreviousPage = more
		info.HasNextPage = pg.Before != nil
	} else {
		info.HasNextPage = more
		info.HasPreviousPage = pg.After != nil
	}
	return info
}

// paginateSlice returns the page of items selected by pg, where items are
// already in order and key gives each item's (position, id) ordering key;
// position reads the position back from a cursor. Cursors encode that key,
// so they survive other items being removed.
func paginateSlice[T any](items []T, key func(*T) (int, int64), position func(*model.Cursor) (int, bool), pg store.Page) (page []T, more bool) {
	less := func(p1 int, id1 int64, p2 int, id2 int64) bool {
		return p1 < p2 || (p1 == p2 && id1 < id2)
	}
	lo, hi := 0, len(items)
	if pg.After != nil {
		if p, ok := position(pg.After); ok {
			for lo < hi {
				ip, iid := key(&items[lo])
				if less(p, pg.After.ID, ip, iid) {
					break
				}
				lo++
			}
		}
	}
	if pg.Before != nil {
		if p, ok := position(pg.Before); ok {
			for hi > lo {
				ip, iid := key(&items[hi-1])
				if less(ip, iid, p, pg.Before.ID) {
					break
				}
				hi--
			}
		}
	}
	window := items[lo:hi]
	if len(window) <= pg.Limit {
		return window, false
	}
	if pg.Backward {
		return window[len(window)-pg.Limit:], true
	}
	return window[:pg.Limit], true
}

// positionValue reads a variant cursor's position. Cursor values were
// validated by the decoder; one that does not parse is treated as absent.
func positionValue(c *model.Cursor) (int, bool) {
	pos, err := strconv.ParseUint(c.Value, 10, 31)
	return int(pos), err == nil
}

// paginateByID pages items kept in ID order.
func paginateByID[T any](items []T, id func(*T) int64, pg store.Page) ([]T, bool) {
	return paginateSlice(items, func(t *T) (int, int64) { return 0, id(t) },
		func(*model.Cursor) (int, bool) { return 0, true }, pg)
}
