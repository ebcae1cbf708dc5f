package store

import (
	"reflect"
	"strings"
	"testing"

	"github.com/langran/langran/model"
)

// A field added to ProductVariant must be added to the columns
// FindVariantsByIDs scans by hand, or it would read as zero.
func TestVariantAllColumnsCoverTheModel(t *testing.T) {
	if cols, fields := len(strings.Split(variantAllColumns, ",")), reflect.TypeOf(model.ProductVariant{}).NumField(); cols != fields {
		t.Fatalf("variantAllColumns has %d columns, model.ProductVariant %d fields: add the new ones to variantAllColumns and scanVariantAll", cols, fields)
	}
}
