package catalog

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// ProductInput is productCreate's and productUpdate's input, decoded:
// fields left nil (or unset) stay as they are, or take their defaults on
// creation.
type ProductInput struct {
	Handle        *string
	Title         *string
	TitleTH       *string
	Description   *string
	DescriptionTH *string
	CategoryID    Opt[int64]
	Status        *model.ProductStatus
	// Tags, when set, replaces the product's tags.
	Tags *[]string
	// Variants, when set, is the product's whole list of variants: entries
	// with an ID change that variant, entries without one add a variant,
	// and the product's other variants are deleted.
	Variants *[]VariantInput
	// Images, when set, is the product's whole list of images, in the same
	// way as Variants.
	Images *[]ImageInput
}

// VariantInput is a variant to add (ID 0) or change, decoded: prices in
// minor units, weight in grams.
type VariantInput struct {
	ID             int64
	SKU            Opt[string]
	Price          *int64
	CompareAtPrice Opt[int64]
	Inventory      *int
	WeightGrams    Opt[int]
	// Options, when set, are the option values the variant selects.
	Options *[]model.SelectedOption
}

// ImageInput is an image to add (ID 0) or change.
type ImageInput struct {
	ID      int64
	URL     string
	AltText *string
	Width   *int
	Height  *int
}

// draft is a product being written: its rows as they are and as they will
// be, and for each variant, tag and image the input field it came from, so
// that a rule broken by the new state names the input that broke it.
type draft struct {
	before *store.ProductRows // nil for a new product
	after  *store.ProductRows
	// base is the field errors about the product as a whole point to.
	base         []string
	fields       map[string][]string // product field name -> input path
	variantPaths [][]string          // per variant of after; nil: not in the input
	tagPaths     [][]string
	imagePaths   [][]string
}

// field is the input path of a product field, or the product's base path.
func (d *draft) field(name string) []string {
	if p, ok := d.fields[name]; ok {
		return p
	}
	return d.base
}

func (d *draft) variantField(i int, name string, fallback []string) []string {
	if i < len(d.variantPaths) && d.variantPaths[i] != nil {
		return path(d.variantPaths[i], name)
	}
	return fallback
}

func newDraft(before *store.ProductRows, base []string) *draft {
	d := &draft{before: before, base: base, fields: map[string][]string{}}
	if before == nil {
		d.after = &store.ProductRows{Product: model.Product{Status: model.ProductDraft, Currency: storeCurrency}}
	} else {
		d.after = cloneRows(before)
	}
	d.variantPaths = make([][]string, len(d.after.Variants))
	d.tagPaths = make([][]string, len(d.after.Tags))
	d.imagePaths = make([][]string, len(d.after.Images))
	return d
}

func cloneRows(r *store.ProductRows) *store.ProductRows {
	c := *r
	c.Tags = slices.Clone(r.Tags)
	c.Variants = slices.Clone(r.Variants)
	c.Options = slices.Clone(r.Options)
	c.Images = slices.Clone(r.Images)
	return &c
}

// CreateProduct creates a product from in (given as the argument "input"):
// a draft unless in.Status says otherwise, with a handle made from the
// title when none is given.
func (s *Service) CreateProduct(ctx context.Context, v *model.Viewer, in ProductInput) (*model.Product, error) {
	var out *model.Product
	err := s.write(ctx, func(tx *store.Store) error {
		d := newDraft(nil, []string{"input"})
		if err := d.apply(v, in, []string{"input"}); err != nil {
			return err
		}
		if err := s.save(ctx, tx, v, "product.create", d); err != nil {
			return err
		}
		out = &d.after.Product
		return nil
	})
	return out, err
}

// UpdateProduct changes product id as in says (given as "input"; id as "id").
func (s *Service) UpdateProduct(ctx context.Context, v *model.Viewer, id int64, in ProductInput) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"id"}, "product.update", func(d *draft) error {
		return d.apply(v, in, []string{"input"})
	})
}

// ArchiveProduct archives product id (productDelete): the storefront no
// longer shows it, its row and everything it owns stay.
func (s *Service) ArchiveProduct(ctx context.Context, v *model.Viewer, id int64) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"id"}, "product.delete", func(d *draft) error {
		d.after.Product.Status = model.ProductArchived
		return nil
	})
}

// AddTags adds tags to product id; tags it has already (by model.TagKey)
// are left as they are. The tags come in the argument "tags".
func (s *Service) AddTags(ctx context.Context, v *model.Viewer, id int64, tags []string) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"id"}, "product.update", func(d *draft) error {
		have := map[string]bool{}
		for _, t := range d.after.Tags {
			have[model.TagKey(t)] = true
		}
		for i, t := range tags {
			t = strings.TrimSpace(t)
			f := []string{"tags", strconv.Itoa(i)}
			if err := model.CheckTag(f, t); err != nil {
				return err
			}
			if k := model.TagKey(t); !have[k] {
				have[k] = true
				d.after.Tags = append(d.after.Tags, t)
				d.tagPaths = append(d.tagPaths, f)
			}
		}
		return nil
	})
}

// RemoveTags removes tags (compared by model.TagKey) from product id.
func (s *Service) RemoveTags(ctx context.Context, v *model.Viewer, id int64, tags []string) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"id"}, "product.update", func(d *draft) error {
		drop := map[string]bool{}
		for i, t := range tags {
			if err := model.CheckLine([]string{"tags", strconv.Itoa(i)}, t, model.MaxTagLen, true); err != nil {
				return err
			}
			drop[model.TagKey(t)] = true
		}
		var kept []string
		var paths [][]string
		for i, t := range d.after.Tags {
			if !drop[model.TagKey(t)] {
				kept = append(kept, t)
				paths = append(paths, d.tagPaths[i])
			}
		}
		d.after.Tags, d.tagPaths = kept, paths
		return nil
	})
}

// change runs one write to an existing product: it locks and reads the
// product (NOT_FOUND at idField when there is none), lets edit change the
// draft, and saves it.
func (s *Service) change(ctx context.Context, v *model.Viewer, id int64, idField []string, action string,
	edit func(d *draft) error) (*model.Product, error) {
	var out *model.Product
	err := s.write(ctx, func(tx *store.Store) error {
		rows, err := tx.LockProductRows(ctx, []int64{id})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return notFoundAt(idField, "product")
		}
		d := newDraft(&rows[0], idField)
		if err := edit(d); err != nil {
			return err
		}
		if err := s.save(ctx, tx, v, action, d); err != nil {
			return err
		}
		out = &d.after.Product
		return nil
	})
	return out, err
}

// save checks the draft's new state against the rules and the rest of the
// catalog, writes it, refreshes the search index and audits the write.
func (s *Service) save(ctx context.Context, tx *store.Store, v *model.Viewer, action string, d *draft) error {
	if err := d.complete(); err != nil {
		return err
	}
	if err := s.checkAgainstCatalog(ctx, tx, []*draft{d}); err != nil {
		return err
	}
	if err := tx.SaveProducts(ctx, []store.ProductSave{{Before: d.before, After: d.after,
		Actor: model.ActorOf(v), Reference: action}}); err != nil {
		return err
	}
	if err := tx.RefreshProductSearch(ctx, []int64{d.after.Product.ID}); err != nil {
		return err
	}
	return s.auditRows(ctx, tx, v, action, d.before, d.after)
}

// apply sets the draft's fields from in, checking each value; base is the
// input's path ("input").
func (d *draft) apply(v *model.Viewer, in ProductInput, base []string) error {
	p := &d.after.Product
	texts := []struct {
		name, field string
		v           *string
		dst         *string
		max         int
		multiline   bool
	}{
		{"title", "title", in.Title, &p.Title, model.MaxTitleLen, false},
		{"titleTh", "titleTh", in.TitleTH, &p.TitleTH, model.MaxTitleLen, false},
		{"description", "description", in.Description, &p.Description, model.MaxDescriptionLen, true},
		{"descriptionTh", "descriptionTh", in.DescriptionTH, &p.DescriptionTH, model.MaxDescriptionLen, true},
	}
	for _, t := range texts {
		if t.v == nil {
			continue
		}
		f := path(base, t.field)
		val := strings.TrimSpace(*t.v)
		var err *model.Error
		if t.multiline {
			err = model.CheckMultiline(f, val, t.max)
		} else {
			err = model.CheckLine(f, val, t.max, t.name == "title")
		}
		if err != nil {
			return err
		}
		*t.dst = val
		d.fields[t.name] = f
	}
	if d.before == nil && in.Title == nil {
		return &model.Error{Code: model.CodeBlank, Field: path(base, "title"), Message: "title is required"}
	}
	if in.Handle != nil {
		f := path(base, "handle")
		if err := model.CheckHandle(f, *in.Handle); err != nil {
			return err
		}
		p.Handle = *in.Handle
		d.fields["handle"] = f
	}
	if in.CategoryID.Set {
		p.CategoryID = in.CategoryID.Value
		d.fields["categoryId"] = path(base, "categoryId")
	}
	if in.Status != nil {
		if !in.Status.Valid() {
			return model.InvalidField(path(base, "status"), "unknown status")
		}
		p.Status = *in.Status
		d.fields["status"] = path(base, "status")
	}
	if in.Tags != nil {
		d.after.Tags, d.tagPaths = nil, nil
		for i, t := range *in.Tags {
			f := path(base, "tags", strconv.Itoa(i))
			t = strings.TrimSpace(t)
			if err := model.CheckTag(f, t); err != nil {
				return err
			}
			d.after.Tags = append(d.after.Tags, t)
			d.tagPaths = append(d.tagPaths, f)
		}
		d.fields["tags"] = path(base, "tags")
	}
	if in.Variants != nil {
		if err := d.setVariants(v, *in.Variants, path(base, "variants")); err != nil {
			return err
		}
	}
	if in.Images != nil {
		if err := d.setImages(*in.Images, path(base, "images")); err != nil {
			return err
		}
	}
	return nil
}

// productFields is what the audit log keeps of a product.
func productFields(r *store.ProductRows) map[string]any {
	p := &r.Product
	var category any
	if p.CategoryID != nil {
		category = model.EncodeGlobalID(model.TypeCategory, *p.CategoryID)
	}
	return map[string]any{"handle": p.Handle, "title": p.Title, "titleTh": p.TitleTH,
		"description": p.Description, "descriptionTh": p.DescriptionTH, "categoryId": category,
		"status": p.Status, "tags": slices.Clone(r.Tags)}
}
