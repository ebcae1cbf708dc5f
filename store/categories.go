package store

import (
	"context"

	"github.com/langran/langran/model"
)

// ListCategoriesPage returns one page of all categories in ID order, and
// whether more lie beyond it in the direction of reading.
func (s *Store) ListCategoriesPage(ctx context.Context, pg Page) ([]model.Category, bool, error) {
	return pageByID[model.Category](s.db.WithContext(ctx).Table("categories"), "id", pg)
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
