package store

import (
	"context"
	"slices"

	"github.com/langran/langran/model"
)

// ListCategoriesPage returns one page of all categories in ID order, forward
// (first/after) or backward (last/before), and whether more lie beyond it in
// the direction of reading.
func (s *Store) ListCategoriesPage(ctx context.Context, pg Page) ([]model.Category, bool, error) {
	q := s.db.WithContext(ctx).Table("categories")
	for _, b := range []struct {
		cur *model.Cursor
		op  string
	}{{pg.After, ">"}, {pg.Before, "<"}} {
		if b.cur == nil {
			continue
		}
		if b.cur.SortKey != string(SortByID) {
			return nil, false, model.Errorf(model.CodeInvalid, "invalid cursor: it belongs to another list")
		}
		q = q.Where("id "+b.op+" ?", b.cur.ID)
	}
	order := "id"
	if pg.Backward {
		order = "id DESC"
	}
	var out []model.Category
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

// CategoryTree returns every category and every ancestor link (the closure
// rows of depth 1 and more, nearest ancestor last), in two statements. The
// look-ahead loads the whole tree this way when a query walks it (parent,
// children, ancestors), so that walking costs two statements whatever the
// depth and shape of the query. Category trees are small: tens to a few
// thousand rows.
func (s *Store) CategoryTree(ctx context.Context) ([]model.Category, []model.CategoryClosure, error) {
	var cats []model.Category
	if err := s.db.WithContext(ctx).Table("categories").Order("parent_id, position, id").Find(&cats).Error; err != nil {
		return nil, nil, TranslateError(err)
	}
	var links []model.CategoryClosure
	if err := s.db.WithContext(ctx).Table("category_closure").Where("depth > 0").
		Order("descendant_id, depth DESC").Find(&links).Error; err != nil {
		return nil, nil, TranslateError(err)
	}
	return cats, links, nil
}
