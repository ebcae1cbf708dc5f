package catalog

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
)

// CreateImages adds images (the argument "images") after product id's
// others.
func (s *Service) CreateImages(ctx context.Context, v *model.Viewer, id int64, in []ImageInput) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		for i, im := range in {
			f := []string{"images", strconv.Itoa(i)}
			if im.ID != 0 {
				return model.InvalidField(path(f, "id"), "new images have no id")
			}
			var ni model.ProductImage
			if err := applyImage(&ni, im, f); err != nil {
				return err
			}
			d.after.Images = append(d.after.Images, ni)
			d.imagePaths = append(d.imagePaths, f)
		}
		d.fields["images"] = []string{"images"}
		return nil
	})
}

// DeleteImages deletes images (the argument "imageIds") of product id.
func (s *Service) DeleteImages(ctx context.Context, v *model.Viewer, id int64, imageIDs []int64) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		drop := map[int64]bool{}
		for i, iid := range imageIDs {
			if !slices.ContainsFunc(d.after.Images, func(x model.ProductImage) bool { return x.ID == iid }) {
				return notFoundAt([]string{"imageIds", strconv.Itoa(i)}, "image of this product")
			}
			drop[iid] = true
		}
		d.after.Images = slices.DeleteFunc(d.after.Images, func(x model.ProductImage) bool { return drop[x.ID] })
		d.imagePaths = make([][]string, len(d.after.Images))
		return nil
	})
}

// ImageMove moves one image to a new place (from 0) among its product's.
type ImageMove struct {
	ID          int64
	NewPosition int
}

// ReorderImages applies moves (the argument "moves") to product id's
// images, one after another, as Shopify's productReorderMedia does.
func (s *Service) ReorderImages(ctx context.Context, v *model.Viewer, id int64, moves []ImageMove) (*model.Product, error) {
	return s.change(ctx, v, id, []string{"productId"}, "product.update", func(d *draft) error {
		imgs := d.after.Images
		for i, m := range moves {
			f := []string{"moves", strconv.Itoa(i)}
			j := slices.IndexFunc(imgs, func(x model.ProductImage) bool { return x.ID == m.ID })
			if j < 0 {
				return notFoundAt(path(f, "id"), "image of this product")
			}
			if m.NewPosition < 0 || m.NewPosition >= len(imgs) {
				return model.InvalidField(path(f, "newPosition"), "newPosition must be from 0 to %d", len(imgs)-1)
			}
			moved := imgs[j]
			imgs = slices.Insert(slices.Delete(imgs, j, j+1), m.NewPosition, moved)
		}
		d.after.Images = imgs
		return nil
	})
}

// setImages makes ins the product's whole list of images; base is the
// list's input path.
func (d *draft) setImages(ins []ImageInput, base []string) error {
	var list []model.ProductImage
	var paths [][]string
	for i, in := range ins {
		f := path(base, strconv.Itoa(i))
		var ni model.ProductImage
		if in.ID != 0 {
			j := slices.IndexFunc(d.after.Images, func(x model.ProductImage) bool { return x.ID == in.ID })
			if j < 0 {
				return notFoundAt(path(f, "id"), "image of this product")
			}
			if slices.ContainsFunc(list, func(x model.ProductImage) bool { return x.ID == in.ID }) {
				return model.InvalidField(path(f, "id"), "the image is listed twice")
			}
			ni = d.after.Images[j]
		}
		if err := applyImage(&ni, in, f); err != nil {
			return err
		}
		list = append(list, ni)
		paths = append(paths, f)
	}
	d.after.Images, d.imagePaths = list, paths
	d.fields["images"] = base
	return nil
}

// applyImage sets dst's fields from in, checking each; f is in's path.
func applyImage(dst *model.ProductImage, in ImageInput, f []string) error {
	u := strings.TrimSpace(in.URL)
	if err := model.CheckImageURL(path(f, "url"), u); err != nil {
		return err
	}
	dst.URL = u
	if in.AltText != nil {
		alt := strings.TrimSpace(*in.AltText)
		if err := model.CheckLine(path(f, "altText"), alt, model.MaxAltTextLen, false); err != nil {
			return err
		}
		dst.AltText = nil
		if alt != "" {
			dst.AltText = &alt
		}
	}
	for _, dim := range []struct {
		name string
		v    *int
		dst  **int
	}{{"width", in.Width, &dst.Width}, {"height", in.Height, &dst.Height}} {
		if dim.v == nil {
			continue
		}
		if *dim.v < 1 || *dim.v > model.MaxImagePixels {
			return model.InvalidField(path(f, dim.name), "%s must be from 1 to %d pixels", dim.name, model.MaxImagePixels)
		}
		n := *dim.v
		*dim.dst = &n
	}
	return nil
}

// imageFields is what the audit log keeps of an image.
func imageFields(im *model.ProductImage) map[string]any {
	var alt any
	if im.AltText != nil {
		alt = *im.AltText
	}
	return map[string]any{"url": im.URL, "altText": alt, "position": im.Position,
		"product": model.EncodeGlobalID(model.TypeProduct, im.ProductID)}
}
