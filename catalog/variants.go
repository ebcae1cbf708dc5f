package catalog

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
)

// Options. A product's options are the option names its variants select,
// with the values they select: every variant selects one value of each
// option, and no two variants select the same values. The server keeps
// the options in line with the variants after every write, keeping the
// order of options and values staff chose (productOptionUpdate) and adding
// new names and values at the end; values no variant selects any more go.

// CreateVariants adds variants (the argument "variants") to product id
// (the argument "productId").
func (s *Service) CreateVariants(ctx context.Context, v *model.Viewer, id int64, in []VariantInput) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		for i, vin := range in {
			f := []string{"variants", strconv.Itoa(i)}
			if vin.ID != 0 {
				return model.InvalidField(path(f, "id"), "new variants have no id; change variants with productVariantsBulkUpdate")
			}
			nv := newVariant()
			if err := applyVariant(v, &nv, vin, f, true); err != nil {
				return err
			}
			d.after.Variants = append(d.after.Variants, nv)
			d.variantPaths = append(d.variantPaths, f)
		}
		return nil
	})
}

// UpdateVariants changes variants of product id, each named by its ID.
func (s *Service) UpdateVariants(ctx context.Context, v *model.Viewer, id int64, in []VariantInput) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		seen := map[int64]bool{}
		for i, vin := range in {
			f := []string{"variants", strconv.Itoa(i)}
			j := slices.IndexFunc(d.after.Variants, func(x model.ProductVariant) bool { return x.ID == vin.ID })
			switch {
			case vin.ID == 0:
				return &model.Error{Code: model.CodeBlank, Field: path(f, "id"), Message: "id is required"}
			case j < 0:
				return notFoundAt(path(f, "id"), "variant of this product")
			case seen[vin.ID]:
				return model.InvalidField(path(f, "id"), "the variant is changed twice")
			}
			seen[vin.ID] = true
			if err := applyVariant(v, &d.after.Variants[j], vin, f, false); err != nil {
				return err
			}
			d.variantPaths[j] = f
		}
		return nil
	})
}

// DeleteVariants deletes variants (the argument "variantsIds") of product id.
func (s *Service) DeleteVariants(ctx context.Context, v *model.Viewer, id int64, variantIDs []int64) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		drop := map[int64]bool{}
		for i, vid := range variantIDs {
			if !slices.ContainsFunc(d.after.Variants, func(x model.ProductVariant) bool { return x.ID == vid }) {
				return notFoundAt([]string{"variantsIds", strconv.Itoa(i)}, "variant of this product")
			}
			drop[vid] = true
		}
		var kept []model.ProductVariant
		var paths [][]string
		for i, x := range d.after.Variants {
			if !drop[x.ID] {
				kept = append(kept, x)
				paths = append(paths, d.variantPaths[i])
			}
		}
		d.after.Variants, d.variantPaths = kept, paths
		d.fields["variants"] = []string{"variantsIds"}
		return nil
	})
}

// setVariants makes ins the product's whole list of variants (see
// ProductInput.Variants); base is the list's input path.
func (d *draft) setVariants(v *model.Viewer, ins []VariantInput, base []string) error {
	var list []model.ProductVariant
	var paths [][]string
	seen := map[int64]bool{}
	for i, in := range ins {
		f := path(base, strconv.Itoa(i))
		var nv model.ProductVariant
		creating := in.ID == 0
		if !creating {
			j := slices.IndexFunc(d.after.Variants, func(x model.ProductVariant) bool { return x.ID == in.ID })
			if j < 0 {
				return notFoundAt(path(f, "id"), "variant of this product")
			}
			if seen[in.ID] {
				return model.InvalidField(path(f, "id"), "the variant is listed twice")
			}
			seen[in.ID] = true
			nv = d.after.Variants[j]
		} else {
			nv = newVariant()
		}
		if err := applyVariant(v, &nv, in, f, creating); err != nil {
			return err
		}
		list = append(list, nv)
		paths = append(paths, f)
	}
	d.after.Variants, d.variantPaths = list, paths
	d.fields["variants"] = base
	return nil
}

// newVariant is a variant before its input is applied: its stock
// tracked, without backorders, as the database's defaults are.
func newVariant() model.ProductVariant {
	return model.ProductVariant{Currency: storeCurrency, InventoryTracked: true}
}

// applyVariant sets dst's fields from in, checking each; f is in's path.
// Changing the stock needs MANAGE_INVENTORY besides MANAGE_PRODUCTS.
func applyVariant(v *model.Viewer, dst *model.ProductVariant, in VariantInput, f []string, creating bool) error {
	if in.SKU.Set {
		dst.SKU = nil
		if in.SKU.Value != nil {
			sku := strings.TrimSpace(*in.SKU.Value)
			if err := model.CheckSKU(path(f, "sku"), sku); err != nil {
				return err
			}
			dst.SKU = &sku
		}
	}
	switch {
	case in.Price != nil:
		if *in.Price < 0 || *in.Price > model.MaxPriceMinor {
			return model.InvalidField(path(f, "price"), "price must be between 0 and 1000000000")
		}
		dst.Price = *in.Price
	case creating:
		return &model.Error{Code: model.CodeBlank, Field: path(f, "price"), Message: "price is required"}
	}
	if in.CompareAtPrice.Set {
		dst.CompareAtPrice = nil
		if c := in.CompareAtPrice.Value; c != nil {
			if *c < 0 || *c > model.MaxPriceMinor {
				return model.InvalidField(path(f, "compareAtPrice"), "compareAtPrice must be between 0 and 1000000000")
			}
			cv := *c
			dst.CompareAtPrice = &cv
		}
	}
	if in.Inventory != nil {
		field := path(f, "inventoryQuantity")
		if err := model.CheckInventory(field, *in.Inventory); err != nil {
			return err
		}
		if *in.Inventory != dst.InventoryQuantity && !v.Can(model.PermManageInventory) {
			return &model.Error{Code: model.CodeForbidden, Field: field, Message: "changing stock needs the MANAGE_INVENTORY permission"}
		}
		if *in.Inventory < dst.InventoryCommitted && dst.InventoryTracked && !dst.AllowBackorder {
			return &model.Error{Code: model.CodeInsufficientStock, Field: field,
				Message: strconv.Itoa(dst.InventoryCommitted) + " units are committed to orders: the stock cannot be less"}
		}
		dst.InventoryQuantity = *in.Inventory
	}
	if in.WeightGrams.Set {
		dst.WeightGrams = nil
		if w := in.WeightGrams.Value; w != nil {
			if *w < 0 || *w > model.MaxWeightGrams {
				return model.InvalidField(path(f, "weight"), "weight must be between 0 and 10 tonnes")
			}
			g := *w
			dst.WeightGrams = &g
		}
	}
	if in.Options != nil {
		sel := make([]model.SelectedOption, 0, len(*in.Options))
		for j, o := range *in.Options {
			of := path(f, "selectedOptions", strconv.Itoa(j))
			o.Name, o.Value = strings.TrimSpace(o.Name), strings.TrimSpace(o.Value)
			if err := model.CheckLine(path(of, "name"), o.Name, model.MaxOptionTextLen, true); err != nil {
				return err
			}
			if err := model.CheckLine(path(of, "value"), o.Value, model.MaxOptionTextLen, true); err != nil {
				return err
			}
			if slices.ContainsFunc(sel, func(x model.SelectedOption) bool { return x.Name == o.Name }) {
				return model.InvalidField(path(of, "name"), "the variant selects option %q twice", o.Name)
			}
			sel = append(sel, o)
		}
		dst.SelectedOptions = encodeSelected(sel)
	} else if creating {
		dst.SelectedOptions = encodeSelected(nil)
	}
	return nil
}

func encodeSelected(sel []model.SelectedOption) string {
	if sel == nil {
		sel = []model.SelectedOption{}
	}
	b, _ := json.Marshal(sel)
	return string(b)
}

func encodeValues(vals []string) string {
	if vals == nil {
		vals = []string{}
	}
	b, _ := json.Marshal(vals)
	return string(b)
}

// OptionUpdate changes one option of a product (productOptionUpdate):
// renaming it or its values, reordering its values, or moving it among the
// product's options. The variants follow: their selected options and
// titles change with it.
type OptionUpdate struct {
	ID       int64
	Name     *string
	Position *int
	// Values, when set, lists every current value once, in the new order;
	// a value with a NewName is renamed.
	Values *[]OptionValueUpdate
}

// OptionValueUpdate is one value of an option in OptionUpdate.Values.
type OptionValueUpdate struct {
	Name    string
	NewName *string
}

// UpdateOption applies u (the argument "option") to product id ("productId").
func (s *Service) UpdateOption(ctx context.Context, v *model.Viewer, id int64, u OptionUpdate) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		f := []string{"option"}
		j := slices.IndexFunc(d.after.Options, func(o model.ProductOption) bool { return o.ID == u.ID })
		if j < 0 {
			return notFoundAt(path(f, "id"), "option of this product")
		}
		opt := &d.after.Options[j]
		oldName := opt.Name
		renames := map[string]string{}
		if u.Name != nil {
			name := strings.TrimSpace(*u.Name)
			if err := model.CheckLine(path(f, "name"), name, model.MaxOptionTextLen, true); err != nil {
				return err
			}
			if slices.ContainsFunc(d.after.Options, func(o model.ProductOption) bool { return o.ID != u.ID && o.Name == name }) {
				return &model.Error{Code: model.CodeTaken, Field: path(f, "name"), Message: "the product has another option named " + strconv.Quote(name)}
			}
			opt.Name = name
		}
		if u.Values != nil {
			current := opt.Values()
			if len(*u.Values) != len(current) {
				return model.InvalidField(path(f, "values"), "list each of the option's %d values once", len(current))
			}
			var order []string
			for k, val := range *u.Values {
				vf := path(f, "values", strconv.Itoa(k))
				if !slices.Contains(current, val.Name) || slices.ContainsFunc((*u.Values)[:k], func(x OptionValueUpdate) bool { return x.Name == val.Name }) {
					return model.InvalidField(path(vf, "name"), "list each of the option's current values once")
				}
				name := val.Name
				if val.NewName != nil {
					name = strings.TrimSpace(*val.NewName)
					if err := model.CheckLine(path(vf, "newName"), name, model.MaxOptionTextLen, true); err != nil {
						return err
					}
					renames[val.Name] = name
				}
				if slices.Contains(order, name) {
					return &model.Error{Code: model.CodeTaken, Field: path(vf, "newName"), Message: "the option has another value " + strconv.Quote(name)}
				}
				order = append(order, name)
			}
			opt.ValuesJSON = encodeValues(order)
		}
		if u.Position != nil {
			p := *u.Position
			if p < 0 || p >= len(d.after.Options) {
				return model.InvalidField(path(f, "position"), "position must be from 0 to %d", len(d.after.Options)-1)
			}
			moved := d.after.Options[j]
			d.after.Options = slices.Insert(slices.Delete(d.after.Options, j, j+1), p, moved)
		}
		// The variants follow the renames; syncOptions then orders their
		// selections (and titles) as the options now are.
		for k := range d.after.Variants {
			sel := d.after.Variants[k].Options()
			for m := range sel {
				if sel[m].Name == oldName {
					sel[m].Name = strings.TrimSpace(derefOr(u.Name, oldName))
					if to, ok := renames[sel[m].Value]; ok {
						sel[m].Value = to
					}
				}
			}
			d.after.Variants[k].SelectedOptions = encodeSelected(sel)
		}
		d.fields["variants"] = f
		return nil
	})
}

func derefOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// syncOptions brings the product's options in line with its variants and
// orders each variant's selections (and makes its title) as the options
// are ordered. It fails when the variants do not all select the same
// option names, when they select more than MaxOptionsPerProduct, or when
// two select the same values.
func (d *draft) syncOptions() error {
	r := d.after
	fallback := d.field("variants")
	sels := make([][]model.SelectedOption, len(r.Variants))
	for i := range r.Variants {
		sels[i] = r.Variants[i].Options()
	}
	var names []string
	if len(sels) > 0 {
		want := map[string]bool{}
		for _, o := range sels[0] {
			want[o.Name] = true
		}
		for i, sel := range sels {
			ok := len(sel) == len(want)
			for _, o := range sel {
				ok = ok && want[o.Name]
			}
			if !ok {
				return model.InvalidField(d.variantField(i, "selectedOptions", fallback),
					"every variant must select one value of each of the same options (%s)", strings.Join(optionNames(sels[0]), ", "))
			}
		}
		for _, o := range r.Options {
			if want[o.Name] {
				names = append(names, o.Name)
			}
		}
		for _, o := range sels[0] {
			if !slices.Contains(names, o.Name) {
				names = append(names, o.Name)
			}
		}
	}
	if len(names) > model.MaxOptionsPerProduct {
		return model.InvalidField(d.variantField(0, "selectedOptions", fallback),
			"a product has at most %d options", model.MaxOptionsPerProduct)
	}
	var options []model.ProductOption
	seenCombo := map[string]int{}
	for k, name := range names {
		used := map[string]bool{}
		var firstSeen []string
		for _, sel := range sels {
			for _, o := range sel {
				if o.Name == name && !used[o.Value] {
					used[o.Value] = true
					firstSeen = append(firstSeen, o.Value)
				}
			}
		}
		var values []string
		opt := model.ProductOption{ProductID: r.Product.ID, Name: name}
		if j := slices.IndexFunc(r.Options, func(o model.ProductOption) bool { return o.Name == name }); j >= 0 {
			opt = r.Options[j]
			for _, val := range opt.Values() {
				if used[val] {
					values = append(values, val)
				}
			}
		}
		for _, val := range firstSeen {
			if !slices.Contains(values, val) {
				values = append(values, val)
			}
		}
		opt.Position, opt.ValuesJSON = k, encodeValues(values)
		options = append(options, opt)
	}
	r.Options = options
	for i := range r.Variants {
		ordered := make([]model.SelectedOption, 0, len(names))
		for _, name := range names {
			j := slices.IndexFunc(sels[i], func(o model.SelectedOption) bool { return o.Name == name })
			ordered = append(ordered, sels[i][j])
		}
		combo := comboKey(ordered)
		if prev, dup := seenCombo[combo]; dup {
			i = laterOf(d, prev, i)
			return &model.Error{Code: model.CodeTaken, Field: d.variantField(i, "selectedOptions", fallback),
				Message: "two variants select the same options (" + model.VariantTitle(ordered) + ")"}
		}
		seenCombo[combo] = i
		r.Variants[i].SelectedOptions = encodeSelected(ordered)
		r.Variants[i].Title = model.VariantTitle(ordered)
	}
	return nil
}

// laterOf picks, of two clashing variants, the one the input named (the
// change that made the clash), preferring the second.
func laterOf(d *draft, a, b int) int {
	if d.variantPaths[b] == nil && d.variantPaths[a] != nil {
		return a
	}
	return b
}

func optionNames(sel []model.SelectedOption) []string {
	out := make([]string, len(sel))
	for i, o := range sel {
		out[i] = o.Name
	}
	return out
}

func comboKey(sel []model.SelectedOption) string {
	var b strings.Builder
	for _, o := range sel {
		b.WriteString(o.Value)
		b.WriteByte(0)
	}
	return b.String()
}

// variantFields is what the audit log keeps of a variant.
func variantFields(v *model.ProductVariant) map[string]any {
	var compareAt, weight any
	if v.CompareAtPrice != nil {
		compareAt = model.FormatMinor(*v.CompareAtPrice, v.Currency.MinorDigits())
	}
	if v.WeightGrams != nil {
		weight = *v.WeightGrams
	}
	var sku any
	if v.SKU != nil {
		sku = *v.SKU
	}
	return map[string]any{"sku": sku, "price": model.FormatMinor(v.Price, v.Currency.MinorDigits()),
		"compareAtPrice": compareAt, "inventoryQuantity": v.InventoryQuantity, "weightGrams": weight,
		"selectedOptions": v.Options(), "product": model.EncodeGlobalID(model.TypeProduct, v.ProductID)}
}
