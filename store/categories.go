package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm/clause"

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

// LockCategoryTree reads every category, in ID order. On MySQL it locks
// them all: writes to the tree (new categories, moves, deletions) take
// turns, so two moves at once cannot make a cycle that neither saw. Call it
// first in the transaction. Category trees are small.
func (s *Store) LockCategoryTree(ctx context.Context) ([]model.Category, error) {
	q := s.db.WithContext(ctx).Table("categories").Order("id")
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var out []model.Category
	return out, TranslateError(q.Find(&out).Error)
}

// FindCategoriesByHandles returns the categories whose handles are exactly
// these, byte for byte.
func (s *Store) FindCategoriesByHandles(ctx context.Context, handles []string) ([]model.Category, error) {
	var cs []model.Category
	if len(handles) == 0 {
		return cs, nil
	}
	if err := s.db.WithContext(ctx).Table("categories").Where("handle IN ?", handles).Find(&cs).Error; err != nil {
		return nil, TranslateError(err)
	}
	out := cs[:0]
	for _, c := range cs {
		if slices.Contains(handles, c.Handle) {
			out = append(out, c)
		}
	}
	return out, nil
}

// InsertCategory inserts c under c.ParentID with its closure rows: itself
// at depth 0 and every ancestor of its parent one level further. It sets
// c.ID and c.Depth. A taken handle is a Conflict.
func (s *Store) InsertCategory(ctx context.Context, c *model.Category) error {
	db := s.db.WithContext(ctx)
	c.Depth = 0
	if c.ParentID != nil {
		var parent model.Category
		if err := db.Table("categories").Where("id = ?", *c.ParentID).Take(&parent).Error; err != nil {
			return TranslateError(err)
		}
		c.Depth = parent.Depth + 1
	}
	if err := db.Table("categories").Create(c).Error; err != nil {
		return TranslateError(err)
	}
	rows := [][]any{{c.ID, c.ID, 0}}
	if c.ParentID != nil {
		var links []model.CategoryClosure
		if err := db.Table("category_closure").Where("descendant_id = ?", *c.ParentID).Find(&links).Error; err != nil {
			return TranslateError(err)
		}
		for _, l := range links {
			rows = append(rows, []any{l.AncestorID, c.ID, l.Depth + 1})
		}
	}
	return s.insertRows(ctx, "category_closure", []string{"ancestor_id", "descendant_id", "depth"}, rows, false)
}

// UpdateCategory sets columns of category id (handle, name, name_th,
// position; never the tree's columns, which MoveCategory keeps). NotFound
// when there is no such category; a taken handle is a Conflict.
func (s *Store) UpdateCategory(ctx context.Context, id int64, changes map[string]any) error {
	for col := range changes {
		if col != "handle" && col != "name" && col != "name_th" && col != "position" {
			return fmt.Errorf("update category: column %s is not updatable", col)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return rowsOrNotFound(s.db.WithContext(ctx).Table("categories").Where("id = ?", id).Updates(changes))
}

// MoveCategory puts category id, with everything below it, under parentID
// (nil: at the root) at position, and rewrites what the tree keeps: the
// closure rows linking the moved categories to their old ancestors are
// replaced by rows linking them to the new ones, and the moved categories'
// depths change by the same step. The caller checks, under
// LockCategoryTree, that parentID is not id or below it.
func (s *Store) MoveCategory(ctx context.Context, id int64, parentID *int64, position int) error {
	db := s.db.WithContext(ctx)
	var subtree []model.CategoryClosure // id's descendants, itself included
	if err := db.Table("category_closure").Where("ancestor_id = ?", id).Find(&subtree).Error; err != nil {
		return TranslateError(err)
	}
	if len(subtree) == 0 {
		return notFound()
	}
	var oldAncestors []int64
	if err := db.Table("category_closure").Where("descendant_id = ? AND depth > 0", id).
		Pluck("ancestor_id", &oldAncestors).Error; err != nil {
		return TranslateError(err)
	}
	below := make([]int64, len(subtree))
	for i, l := range subtree {
		below[i] = l.DescendantID
	}
	if len(oldAncestors) > 0 {
		if err := db.Exec("DELETE FROM category_closure WHERE descendant_id IN ? AND ancestor_id IN ?", below, oldAncestors).Error; err != nil {
			return TranslateError(err)
		}
	}
	var newAncestors []model.CategoryClosure // the new parent's, itself at depth 0
	depth := 0
	if parentID != nil {
		if err := db.Table("category_closure").Where("descendant_id = ?", *parentID).Find(&newAncestors).Error; err != nil {
			return TranslateError(err)
		}
		if len(newAncestors) == 0 {
			return notFound()
		}
		depth = len(newAncestors) // the parent's depth plus one
	}
	var rows [][]any
	for _, a := range newAncestors {
		for _, d := range subtree {
			rows = append(rows, []any{a.AncestorID, d.DescendantID, a.Depth + 1 + d.Depth})
		}
	}
	if err := s.insertRows(ctx, "category_closure", []string{"ancestor_id", "descendant_id", "depth"}, rows, false); err != nil {
		return err
	}
	var cases strings.Builder
	args := []any{}
	for _, d := range subtree {
		cases.WriteString(" WHEN ? THEN ?")
		args = append(args, d.DescendantID, depth+d.Depth)
	}
	args = append(args, below)
	if err := db.Exec("UPDATE categories SET depth = CASE id"+cases.String()+" END WHERE id IN ?", args...).Error; err != nil {
		return TranslateError(err)
	}
	return TranslateError(db.Table("categories").Where("id = ?", id).
		Updates(map[string]any{"parent_id": parentID, "position": position}).Error)
}

// CategoryUsage counts what keeps a category from being deleted: its
// children and the products (of any status) filed directly under it.
func (s *Store) CategoryUsage(ctx context.Context, id int64) (children, products int64, err error) {
	db := s.db.WithContext(ctx)
	if err := db.Table("categories").Where("parent_id = ?", id).Count(&children).Error; err != nil {
		return 0, 0, TranslateError(err)
	}
	if err := db.Table("products").Where("category_id = ?", id).Count(&products).Error; err != nil {
		return 0, 0, TranslateError(err)
	}
	return children, products, nil
}

// DeleteCategory deletes a category that has no children, with its
// closure rows. NotFound when there is no such category.
func (s *Store) DeleteCategory(ctx context.Context, id int64) error {
	db := s.db.WithContext(ctx)
	if err := db.Exec("DELETE FROM category_closure WHERE descendant_id = ?", id).Error; err != nil {
		return TranslateError(err)
	}
	return rowsOrNotFound(db.Exec("DELETE FROM categories WHERE id = ?", id))
}
