package checkout_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// activeVariants returns n variants of active products.
func activeVariants(t *testing.T, st *store.Store, n int) []int64 {
	t.Helper()
	var ids []int64
	if err := st.DB(context.Background()).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? AND v.inventory_quantity > 0 ORDER BY v.id LIMIT ?`, model.ProductActive, n).Scan(&ids).Error; err != nil || len(ids) < n {
		t.Fatalf("want %d variants, got %v: %v", n, ids, err)
	}
	return ids
}

// beforeRaw runs hook (once) just before the first raw statement whose SQL
// contains marker, once armed.
func beforeRaw(t *testing.T, st *store.Store, marker string, hook func()) (arm func()) {
	t.Helper()
	var armed, fired atomic.Bool
	err := st.DB(context.Background()).Callback().Raw().Before("gorm:raw").Register("test:before_"+marker, func(db *gorm.DB) {
		if armed.Load() && strings.Contains(db.Statement.SQL.String(), marker) && fired.CompareAndSwap(false, true) {
			hook()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() { armed.Store(true) }
}

// fon is a guest buyer with an email and a Bangkok delivery address.
func fon() *checkout.BuyerInput {
	email := "fon@example.com"
	addr := model.MailingAddress{FirstName: "Fon", Address1: "5 Sathorn Rd", City: "Bangkok", Zip: "10120", Country: "TH"}
	return &checkout.BuyerInput{Email: &email, DeliveryAddress: &addr}
}
