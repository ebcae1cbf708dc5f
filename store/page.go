package store

import (
	"slices"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// idCursorKey is the cursor sort key of lists kept in ID order.
const idCursorKey = "ID"

// pageByID reads one page of q's rows in ID order, forward (first/after) or
// backward (last/before), and whether more lie beyond it in the direction
// of reading. Every list ordered by ID (categories, staff, API keys, the
// audit log) pages this way; column is the qualified ID column.
func pageByID[T any](q *gorm.DB, column string, pg Page) ([]T, bool, error) {
	for _, b := range []struct {
		cur *model.Cursor
		op  string
	}{{pg.After, ">"}, {pg.Before, "<"}} {
		if b.cur == nil {
			continue
		}
		if b.cur.SortKey != idCursorKey {
			return nil, false, model.Errorf(model.CodeInvalid, "invalid cursor: it belongs to another list")
		}
		q = q.Where(column+" "+b.op+" ?", b.cur.ID)
	}
	order := column
	if pg.Backward {
		order += " DESC"
	}
	var out []T
	if err := q.Order(order).Limit(pg.Limit + 1).Find(&out).Error; err != nil {
		return nil, false, TranslateError(err)
	}
	more := len(out) > pg.Limit
	if more {
		out = out[:pg.Limit]
	}
	if pg.Backward {
		slices.Reverse(out)
	}
	return out, more, nil
}
