package catalog

import (
	"context"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Categories form a tree. Writes to it take the whole tree's lock
// (store.LockCategoryTree) and check the new shape on the locked tree, so
// that no two writes can together make a cycle.

// CategoryInput is categoryCreate's and categoryUpdate's input (the
// argument "input"); ParentID is only for creation (categoryMove moves).
type CategoryInput struct {
	Handle   *string
	Name     *string
	NameTH   *string
	ParentID *int64
	Position *int
}

// tree is the locked category tree.
type tree map[int64]*model.Category

func lockTree(ctx context.Context, tx *store.Store) (tree, error) {
	cats, err := tx.LockCategoryTree(ctx)
	if err != nil {
		return nil, err
	}
	t := make(tree, len(cats))
	for i := range cats {
		t[cats[i].ID] = &cats[i]
	}
	return t, nil
}

// below reports whether a is c or lies below c.
func (t tree) below(a, c int64) bool {
	for steps := 0; steps <= len(t); steps++ {
		if a == c {
			return true
		}
		n, ok := t[a]
		if !ok || n.ParentID == nil {
			return false
		}
		a = *n.ParentID
	}
	return false
}

// height is how many levels lie below c (0 for a leaf).
func (t tree) height(c int64) int {
	h := 0
	for id, n := range t {
		if id != c && t.below(id, c) {
			h = max(h, n.Depth-t[c].Depth)
		}
	}
	return h
}

// nextPosition is the position after the last child of parent (nil: the roots).
func (t tree) nextPosition(parent *int64) int {
	next := 0
	for _, n := range t {
		if equalID(n.ParentID, parent) {
			next = max(next, n.Position+1)
		}
	}
	return next
}

// CreateCategory adds a category under in.ParentID (a root without one),
// after its siblings unless in.Position says where.
func (s *Service) CreateCategory(ctx context.Context, v *model.Viewer, in CategoryInput) (*model.Category, error) {
	f := func(n string) []string { return []string{"input", n} }
	var out *model.Category
	err := s.write(ctx, func(tx *store.Store) error {
		t, err := lockTree(ctx, tx)
		if err != nil {
			return err
		}
		c := &model.Category{ParentID: in.ParentID}
		if in.Name == nil {
			return &model.Error{Code: model.CodeBlank, Field: f("name"), Message: "name is required"}
		}
		if err := applyCategory(c, in, f); err != nil {
			return err
		}
		if in.ParentID != nil {
			parent, ok := t[*in.ParentID]
			if !ok {
				return notFoundAt(f("parentId"), "category")
			}
			if parent.Depth+1 > model.MaxCategoryDepth {
				return model.InvalidField(f("parentId"), "categories nest at most %d levels deep", model.MaxCategoryDepth+1)
			}
		}
		if in.Position == nil {
			c.Position = t.nextPosition(in.ParentID)
		}
		if c.Handle == "" {
			if c.Handle, err = freeHandle(ctx, tx, store.CategoryHandles, c.Name, "category"); err != nil {
				return err
			}
		} else if err := checkCategoryHandle(ctx, tx, c.Handle, 0, f("handle")); err != nil {
			return err
		}
		if err := tx.InsertCategory(ctx, c); err != nil {
			return err
		}
		out = c
		return s.audit(ctx, tx, v, "category.create", string(model.TypeCategory), c.ID, nil, categoryFields(c))
	})
	return out, err
}

// UpdateCategory changes category id's handle, names or position.
func (s *Service) UpdateCategory(ctx context.Context, v *model.Viewer, id int64, in CategoryInput) (*model.Category, error) {
	f := func(n string) []string { return []string{"input", n} }
	var out *model.Category
	err := s.write(ctx, func(tx *store.Store) error {
		t, err := lockTree(ctx, tx)
		if err != nil {
			return err
		}
		cur, ok := t[id]
		if !ok {
			return notFoundAt([]string{"id"}, "category")
		}
		if in.ParentID != nil {
			return model.InvalidField(f("parentId"), "move a category with categoryMove")
		}
		c := *cur
		if err := applyCategory(&c, in, f); err != nil {
			return err
		}
		if c.Handle != cur.Handle {
			if err := checkCategoryHandle(ctx, tx, c.Handle, id, f("handle")); err != nil {
				return err
			}
		}
		changes := map[string]any{}
		setIf(changes, c.Handle != cur.Handle, "handle", c.Handle)
		setIf(changes, c.Name != cur.Name, "name", c.Name)
		setIf(changes, c.NameTH != cur.NameTH, "name_th", c.NameTH)
		setIf(changes, c.Position != cur.Position, "position", c.Position)
		if err := tx.UpdateCategory(ctx, id, changes); err != nil {
			return err
		}
		out = &c
		if len(changes) == 0 {
			return nil
		}
		return s.audit(ctx, tx, v, "category.update", string(model.TypeCategory), id, categoryFields(cur), categoryFields(&c))
	})
	return out, err
}

// MoveCategory puts category id, with everything below it, under parentID
// (nil: among the roots) at position (nil: after the new siblings). It
// refuses to move a category under itself or below itself, which would
// make a cycle, and a move that would nest categories deeper than
// MaxCategoryDepth.
func (s *Service) MoveCategory(ctx context.Context, v *model.Viewer, id int64, parentID *int64, position *int) (*model.Category, error) {
	var out *model.Category
	err := s.write(ctx, func(tx *store.Store) error {
		t, err := lockTree(ctx, tx)
		if err != nil {
			return err
		}
		cur, ok := t[id]
		if !ok {
			return notFoundAt([]string{"id"}, "category")
		}
		depth := 0
		if parentID != nil {
			parent, ok := t[*parentID]
			if !ok {
				return notFoundAt([]string{"parentId"}, "category")
			}
			if t.below(*parentID, id) {
				return model.InvalidField([]string{"parentId"}, "a category cannot move under itself or one of its subcategories")
			}
			depth = parent.Depth + 1
		}
		if depth+t.height(id) > model.MaxCategoryDepth {
			return model.InvalidField([]string{"parentId"}, "categories nest at most %d levels deep", model.MaxCategoryDepth+1)
		}
		pos := 0
		switch {
		case position != nil && *position < 0:
			return model.InvalidField([]string{"position"}, "position must not be negative")
		case position != nil:
			pos = *position
		case equalID(cur.ParentID, parentID):
			pos = cur.Position
		default:
			pos = t.nextPosition(parentID)
		}
		if err := tx.MoveCategory(ctx, id, parentID, pos); err != nil {
			return err
		}
		moved := *cur
		moved.ParentID, moved.Position, moved.Depth = parentID, pos, depth
		out = &moved
		return s.audit(ctx, tx, v, "category.move", string(model.TypeCategory), id, categoryFields(cur), categoryFields(&moved))
	})
	return out, err
}

// DeleteCategory deletes category id. A category with subcategories or
// with products filed under it is IN_USE: move them first.
func (s *Service) DeleteCategory(ctx context.Context, v *model.Viewer, id int64) error {
	return s.write(ctx, func(tx *store.Store) error {
		t, err := lockTree(ctx, tx)
		if err != nil {
			return err
		}
		cur, ok := t[id]
		if !ok {
			return notFoundAt([]string{"id"}, "category")
		}
		children, products, err := tx.CategoryUsage(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case children > 0:
			return &model.Error{Code: model.CodeInUse, Field: []string{"id"},
				Message: "the category has " + strconv.FormatInt(children, 10) + " subcategories; move or delete them first"}
		case products > 0:
			return &model.Error{Code: model.CodeInUse, Field: []string{"id"},
				Message: strconv.FormatInt(products, 10) + " products are filed under the category; move them first"}
		}
		if err := tx.DeleteCategory(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, v, "category.delete", string(model.TypeCategory), id, categoryFields(cur), nil)
	})
}

func applyCategory(c *model.Category, in CategoryInput, f func(string) []string) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if err := model.CheckLine(f("name"), name, model.MaxCategoryNameLen, true); err != nil {
			return err
		}
		c.Name = name
	}
	if in.NameTH != nil {
		name := strings.TrimSpace(*in.NameTH)
		if err := model.CheckLine(f("nameTh"), name, model.MaxCategoryNameLen, false); err != nil {
			return err
		}
		c.NameTH = name
	}
	if in.Handle != nil {
		if err := model.CheckHandle(f("handle"), *in.Handle); err != nil {
			return err
		}
		c.Handle = *in.Handle
	}
	if in.Position != nil {
		if *in.Position < 0 {
			return model.InvalidField(f("position"), "position must not be negative")
		}
		c.Position = *in.Position
	}
	return nil
}

// checkCategoryHandle refuses a handle another category has.
func checkCategoryHandle(ctx context.Context, tx *store.Store, handle string, self int64, field []string) error {
	other, err := tx.FindCategoryByHandle(ctx, handle)
	switch {
	case model.ErrorCodeOf(err) == model.CodeNotFound:
		return nil
	case err != nil:
		return err
	case other.ID != self:
		return &model.Error{Code: model.CodeTaken, Field: field, Message: "handle " + quote(handle) + " is taken"}
	}
	return nil
}

// categoryFields is what the audit log keeps of a category.
func categoryFields(c *model.Category) map[string]any {
	var parent any
	if c.ParentID != nil {
		parent = model.EncodeGlobalID(model.TypeCategory, *c.ParentID)
	}
	return map[string]any{"handle": c.Handle, "name": c.Name, "nameTh": c.NameTH, "parentId": parent, "position": c.Position}
}

func setIf(m map[string]any, cond bool, key string, v any) {
	if cond {
		m[key] = v
	}
}
