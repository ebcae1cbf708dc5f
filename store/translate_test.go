package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// translated reports whether err went through store.TranslateError: it is
// (or wraps) a client-safe model error, a context error, or an error that
// TranslateError wrapped as internal ("database: ...").
func translated(err error) bool {
	if _, ok := model.AsError(err); ok {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), "database: ") {
			return true
		}
	}
	return false
}

// Every exported store method that reaches the database returns its
// errors through TranslateError, so the presenter can tell codes from
// internal failures. Calling each on a store whose pool is closed makes each
// fail in the database layer. A new exported method must be added here.
func TestEveryStoreMethodTranslatesDatabaseErrors(t *testing.T) {
	exempt := map[string]string{
		"Dialect": "no database call", "DB": "returns the GORM handle itself", "SQL": "returns the pool itself",
		"Close": "closes the pool", "MigrateTo": "test helper", "CheckSearchIndex": "test helper",
	}
	one := []int64{1}
	calls := map[string]func(st *store.Store) error{
		"Ping":          func(st *store.Store) error { return st.Ping(ctx) },
		"InTx":          func(st *store.Store) error { return st.InTx(ctx, func(*store.Store) error { return nil }) },
		"Migrate":       func(st *store.Store) error { return st.Migrate(ctx) },
		"SchemaVersion": func(st *store.Store) error { _, err := st.SchemaVersion(ctx); return err },
		"IsEmpty":       func(st *store.Store) error { _, err := st.IsEmpty(ctx); return err },
		"SeedIfEmpty":   func(st *store.Store) error { _, err := st.SeedIfEmpty(ctx, store.SeedOptions{}); return err },
		"Seed":          func(st *store.Store) error { return st.Seed(ctx, store.SeedOptions{}) },
		"ListProducts": func(st *store.Store) error {
			_, _, err := st.ListProducts(ctx, store.ProductFilter{Query: "shirt"}, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
		"CountProducts": func(st *store.Store) error {
			_, err := st.CountProducts(ctx, store.ProductFilter{Query: "shirt"})
			return err
		},
		"ListProductsInCategories": func(st *store.Store) error {
			_, err := st.ListProductsInCategories(ctx, one, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
		"CountProductsInCategories": func(st *store.Store) error { _, err := st.CountProductsInCategories(ctx, one); return err },
		"FindProductsByIDs":         func(st *store.Store) error { _, err := st.FindProductsByIDs(ctx, one); return err },
		"FindVariantsByIDs":         func(st *store.Store) error { _, err := st.FindVariantsByIDs(ctx, one); return err },
		"FindVariantsWithProducts":  func(st *store.Store) error { _, _, err := st.FindVariantsWithProducts(ctx, one); return err },
		"FindVariantsToSell":        func(st *store.Store) error { _, _, err := st.FindVariantsToSell(ctx, one); return err },
		"FindCategoriesByIDs":       func(st *store.Store) error { _, err := st.FindCategoriesByIDs(ctx, one); return err },
		"FindImagesByIDs":           func(st *store.Store) error { _, err := st.FindImagesByIDs(ctx, one); return err },
		"FindOptionsByIDs":          func(st *store.Store) error { _, err := st.FindOptionsByIDs(ctx, one); return err },
		"FindProductByHandle":       func(st *store.Store) error { _, err := st.FindProductByHandle(ctx, "x"); return err },
		"FindCategoryByHandle":      func(st *store.Store) error { _, err := st.FindCategoryByHandle(ctx, "x"); return err },
		"FindVariantsByProductIDs":  func(st *store.Store) error { _, err := st.FindVariantsByProductIDs(ctx, one); return err },
		"FindImagesByProductIDs":    func(st *store.Store) error { _, err := st.FindImagesByProductIDs(ctx, one); return err },
		"FindOptionsByProductIDs":   func(st *store.Store) error { _, err := st.FindOptionsByProductIDs(ctx, one); return err },
		"FindTagsByProductIDs":      func(st *store.Store) error { _, err := st.FindTagsByProductIDs(ctx, one); return err },
		"FindChildCategories":       func(st *store.Store) error { _, err := st.FindChildCategories(ctx, one); return err },
		"FindCategoryAncestors":     func(st *store.Store) error { _, err := st.FindCategoryAncestors(ctx, one); return err },
		"ListCategoriesPage": func(st *store.Store) error {
			_, _, err := st.ListCategoriesPage(ctx, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
		"CategoryTree": func(st *store.Store) error { _, _, err := st.CategoryTree(ctx); return err },
		// Accounts.
		"CreateCustomer": func(st *store.Store) error {
			return st.CreateCustomer(ctx, &model.Customer{Email: "a@b.co", EmailKey: "a@b.co"})
		},
		"FindCustomerByEmailKey":     func(st *store.Store) error { _, err := st.FindCustomerByEmailKey(ctx, "a@b.co"); return err },
		"FindCustomersByIDs":         func(st *store.Store) error { _, err := st.FindCustomersByIDs(ctx, one); return err },
		"UpdateCustomer":             func(st *store.Store) error { return st.UpdateCustomer(ctx, 1, map[string]any{"first_name": "x"}) },
		"FindAddressesByCustomerIDs": func(st *store.Store) error { _, err := st.FindAddressesByCustomerIDs(ctx, one); return err },
		"FindAddressesByIDs":         func(st *store.Store) error { _, err := st.FindAddressesByIDs(ctx, one); return err },
		"CreateAddress": func(st *store.Store) error {
			return st.CreateAddress(ctx, &model.MailingAddress{CustomerID: 1, Country: "TH"})
		},
		"UpdateAddress":     func(st *store.Store) error { return st.UpdateAddress(ctx, &model.MailingAddress{ID: 1, CustomerID: 1}) },
		"DeleteAddress":     func(st *store.Store) error { return st.DeleteAddress(ctx, 1, 1) },
		"SetDefaultAddress": func(st *store.Store) error { return st.SetDefaultAddress(ctx, 1, 1) },
		"CreateAccessToken": func(st *store.Store) error { return st.CreateAccessToken(ctx, &store.AccessToken{TokenHash: "x"}) },
		"FindLiveAccessToken": func(st *store.Store) error {
			_, err := st.FindLiveAccessToken(ctx, store.TokenCustomer, "x", time.Now())
			return err
		},
		"RenewAccessToken": func(st *store.Store) error {
			return st.RenewAccessToken(ctx, store.TokenCustomer, "x", time.Now(), time.Now())
		},
		"RevokeAccessToken":     func(st *store.Store) error { return st.RevokeAccessToken(ctx, store.TokenCustomer, "x", time.Now()) },
		"RevokeAllAccessTokens": func(st *store.Store) error { return st.RevokeAllAccessTokens(ctx, store.TokenStaff, 1, time.Now()) },
		"CreateStaff": func(st *store.Store) error {
			return st.CreateStaff(ctx, &model.StaffMember{Email: "a@b.co", EmailKey: "a@b.co"})
		},
		"FindStaffByEmailKey": func(st *store.Store) error { _, err := st.FindStaffByEmailKey(ctx, "a@b.co"); return err },
		"FindStaffByIDs":      func(st *store.Store) error { _, err := st.FindStaffByIDs(ctx, one); return err },
		"ListStaff": func(st *store.Store) error {
			_, _, err := st.ListStaff(ctx, store.Page{Limit: 5})
			return err
		},
		"CountStaff": func(st *store.Store) error { _, err := st.CountStaff(ctx); return err },
		"UpdateStaff": func(st *store.Store) error {
			active := false
			_, err := st.UpdateStaff(ctx, 1, nil, &active, nil)
			return err
		},
		"CreateAPIKey":     func(st *store.Store) error { return st.CreateAPIKey(ctx, &model.APIKey{KeyHash: "x"}) },
		"FindLiveAPIKey":   func(st *store.Store) error { _, err := st.FindLiveAPIKey(ctx, "x"); return err },
		"TouchAPIKey":      func(st *store.Store) error { return st.TouchAPIKey(ctx, 1, time.Now()) },
		"RevokeAPIKey":     func(st *store.Store) error { _, err := st.RevokeAPIKey(ctx, 1, time.Now()); return err },
		"FindAPIKeysByIDs": func(st *store.Store) error { _, err := st.FindAPIKeysByIDs(ctx, one); return err },
		"ListAPIKeys": func(st *store.Store) error {
			_, _, err := st.ListAPIKeys(ctx, store.Page{Limit: 5})
			return err
		},
		"CreateOneTimeToken": func(st *store.Store) error { return st.CreateOneTimeToken(ctx, &store.OneTimeToken{TokenHash: "x"}) },
		"ConsumeOneTimeToken": func(st *store.Store) error {
			_, err := st.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, "x", time.Now())
			return err
		},
		"EndOneTimeTokens": func(st *store.Store) error {
			return st.EndOneTimeTokens(ctx, store.PurposePasswordReset, 1, time.Now())
		},
		"CloseCustomer": func(st *store.Store) error { return st.CloseCustomer(ctx, 1, time.Now()) },
		"PruneAuthRecords": func(st *store.Store) error {
			_, err := st.PruneAuthRecords(ctx, time.Now(), time.Now())
			return err
		},
		"FindAccessTokensBySubject": func(st *store.Store) error {
			_, err := st.FindAccessTokensBySubject(ctx, store.TokenCustomer, 1)
			return err
		},
		"ThrottleBlockedUntil": func(st *store.Store) error {
			_, err := st.ThrottleBlockedUntil(ctx, []string{"x"}, time.Now())
			return err
		},
		"ThrottleFailure": func(st *store.Store) error {
			return st.ThrottleFailure(ctx, "x", store.Throttle{Window: time.Minute, Failures: 3, Block: time.Minute}, time.Now())
		},
		"ThrottleClear":  func(st *store.Store) error { return st.ThrottleClear(ctx, "x") },
		"AppendAudit":    func(st *store.Store) error { return st.AppendAudit(ctx, &model.AuditEntry{Action: "x"}) },
		"FindAuditByIDs": func(st *store.Store) error { _, err := st.FindAuditByIDs(ctx, one); return err },
		"ListAudit": func(st *store.Store) error {
			_, _, err := st.ListAudit(ctx, store.AuditFilter{ObjectType: "Product"}, store.Page{Limit: 5})
			return err
		},
		// Catalog admin.
		"FindProductRows":       func(st *store.Store) error { _, err := st.FindProductRows(ctx, one); return err },
		"LockProductRows":       func(st *store.Store) error { _, err := st.LockProductRows(ctx, one); return err },
		"FindProductsByHandles": func(st *store.Store) error { _, err := st.FindProductsByHandles(ctx, []string{"x"}); return err },
		"LockProductsByHandles": func(st *store.Store) error { _, err := st.LockProductsByHandles(ctx, []string{"x"}); return err },
		"FindVariantsBySKUKeys": func(st *store.Store) error { _, err := st.FindVariantsBySKUKeys(ctx, []string{"x"}); return err },
		"HandlesLike": func(st *store.Store) error {
			_, err := st.HandlesLike(ctx, store.ProductHandles, "x")
			return err
		},
		"SaveProducts": func(st *store.Store) error {
			return st.SaveProducts(ctx, []store.ProductSave{{After: &store.ProductRows{Product: model.Product{Handle: "x"}}}})
		},
		"LockCategoryTree":        func(st *store.Store) error { _, err := st.LockCategoryTree(ctx); return err },
		"FindCategoriesByHandles": func(st *store.Store) error { _, err := st.FindCategoriesByHandles(ctx, []string{"x"}); return err },
		"InsertCategory":          func(st *store.Store) error { return st.InsertCategory(ctx, &model.Category{Handle: "x"}) },
		"UpdateCategory": func(st *store.Store) error {
			return st.UpdateCategory(ctx, 1, map[string]any{"name": "x"})
		},
		"MoveCategory":         func(st *store.Store) error { return st.MoveCategory(ctx, 1, nil, 0) },
		"CategoryUsage":        func(st *store.Store) error { _, _, err := st.CategoryUsage(ctx, 1); return err },
		"DeleteCategory":       func(st *store.Store) error { return st.DeleteCategory(ctx, 1) },
		"CountCategories":      func(st *store.Store) error { _, err := st.CountCategories(ctx); return err },
		"RefreshProductSearch": func(st *store.Store) error { return st.RefreshProductSearch(ctx, one) },
		// Carts and discounts.
		"CreateCart": func(st *store.Store) error {
			return st.CreateCart(ctx, &model.Cart{CartKey: "x"}, []model.CartLine{{VariantID: 1, Quantity: 1}})
		},
		"FindCartByKey":          func(st *store.Store) error { _, err := st.FindCartByKey(ctx, "x"); return err },
		"FindCartsByKeys":        func(st *store.Store) error { _, err := st.FindCartsByKeys(ctx, []string{"x"}); return err },
		"FindCartLinesByCartIDs": func(st *store.Store) error { _, err := st.FindCartLinesByCartIDs(ctx, one); return err },
		"FindActiveCartOfCustomer": func(st *store.Store) error {
			_, err := st.FindActiveCartOfCustomer(ctx, 1, time.Now())
			return err
		},
		"FindOtherActiveCartOfCustomer": func(st *store.Store) error {
			_, err := st.FindOtherActiveCartOfCustomer(ctx, 1, 2, time.Now())
			return err
		},
		"LockCart":          func(st *store.Store) error { _, _, err := st.LockCart(ctx, "x"); return err },
		"FindCartWithLines": func(st *store.Store) error { _, _, err := st.FindCartWithLines(ctx, "x"); return err },
		"LockCartByID":      func(st *store.Store) error { _, _, err := st.LockCartByID(ctx, 1); return err },
		"SaveCart": func(st *store.Store) error {
			return st.SaveCart(ctx, &model.Cart{ID: 1, CartKey: "x"}, []model.CartLine{{VariantID: 1, Quantity: 1}})
		},
		"SaveCartFields": func(st *store.Store) error { return st.SaveCartFields(ctx, &model.Cart{ID: 1, CartKey: "x"}) },
		"SaveCartFieldsIf": func(st *store.Store) error {
			_, err := st.SaveCartFieldsIf(ctx, &model.Cart{ID: 1, CartKey: "x"})
			return err
		},
		"DeleteExpiredCarts": func(st *store.Store) error {
			_, err := st.DeleteExpiredCarts(ctx, time.Now(), 10)
			return err
		},
		"FindDiscountsByCodeKeys": func(st *store.Store) error {
			_, err := st.FindDiscountsByCodeKeys(ctx, []string{"x"})
			return err
		},
		"CountDiscountUses": func(st *store.Store) error {
			_, err := st.CountDiscountUses(ctx, one, "customer:1")
			return err
		},
		"CreateDiscount": func(st *store.Store) error {
			return st.CreateDiscount(ctx, &model.Discount{Code: "X", CodeKey: "x"})
		},
		"ListDiscounts": func(st *store.Store) error {
			_, _, err := st.ListDiscounts(ctx, store.DiscountFilter{CodePrefix: "X"}, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
		"CountDiscounts":     func(st *store.Store) error { _, err := st.CountDiscounts(ctx, store.DiscountFilter{}); return err },
		"FindDiscountsByIDs": func(st *store.Store) error { _, err := st.FindDiscountsByIDs(ctx, one); return err },
		"LockDiscount":       func(st *store.Store) error { _, err := st.LockDiscount(ctx, 1); return err },
		"UpdateDiscount": func(st *store.Store) error {
			return st.UpdateDiscount(ctx, &model.Discount{ID: 1, Code: "X", CodeKey: "X"})
		},
		"DeleteDiscount": func(st *store.Store) error { return st.DeleteDiscount(ctx, 1) },
		// Orders.
		"CreateOrder": func(st *store.Store) error {
			return st.CreateOrder(ctx, &model.Order{AccessKey: "x", IdempotencyKey: "x"}, []model.OrderLine{{Quantity: 1}}, &model.OrderEvent{Kind: "x"})
		},
		"FindOrderByIdempotencyKey": func(st *store.Store) error { _, err := st.FindOrderByIdempotencyKey(ctx, "x"); return err },
		"FindOrdersByIDs":           func(st *store.Store) error { _, err := st.FindOrdersByIDs(ctx, one); return err },
		"FindOrderLinesByOrderIDs":  func(st *store.Store) error { _, err := st.FindOrderLinesByOrderIDs(ctx, one); return err },
		"FindOrderLinesByIDs":       func(st *store.Store) error { _, err := st.FindOrderLinesByIDs(ctx, one); return err },
		"FindOrderEventsByOrderIDs": func(st *store.Store) error { _, err := st.FindOrderEventsByOrderIDs(ctx, one); return err },
		"ListOrders": func(st *store.Store) error {
			_, _, err := st.ListOrders(ctx, store.OrderFilter{Email: "x"}, store.Page{Limit: 5})
			return err
		},
		"CountOrders": func(st *store.Store) error { _, err := st.CountOrders(ctx, store.OrderFilter{}); return err },
		"LockOrder":   func(st *store.Store) error { _, err := st.LockOrder(ctx, 1); return err },
		"MoveOrder": func(st *store.Store) error {
			return st.MoveOrder(ctx, 1, model.OrderPaid, model.OrderFulfilled, nil, &model.OrderEvent{Kind: "x"})
		},
		"AddOrderEvent": func(st *store.Store) error { return st.AddOrderEvent(ctx, &model.OrderEvent{OrderID: 1, Kind: "x"}) },
		"FindExpiredOrders": func(st *store.Store) error {
			_, err := st.FindExpiredOrders(ctx, time.Now(), 5)
			return err
		},
		"UseDiscount": func(st *store.Store) error {
			_, err := st.UseDiscount(ctx, 1, "x", 1, time.Now())
			return err
		},
		"CountDiscountUsesLocked": func(st *store.Store) error { _, err := st.CountDiscountUsesLocked(ctx, 1, "x"); return err },
		"ReleaseDiscountUses":     func(st *store.Store) error { return st.ReleaseDiscountUses(ctx, 1) },
		"MarkCartCompleted":       func(st *store.Store) error { return st.MarkCartCompleted(ctx, 1, time.Now()) },
		// Payments.
		"CreatePayment": func(st *store.Store) error {
			return st.CreatePayment(ctx, &model.Payment{OrderID: 1, Method: model.MethodPromptPay, IdempotencyKey: "k"})
		},
		"FindPaymentByIdempotencyKey": func(st *store.Store) error { _, err := st.FindPaymentByIdempotencyKey(ctx, "k"); return err },
		"FindPayment":                 func(st *store.Store) error { _, err := st.FindPayment(ctx, 1); return err },
		"FindPaymentByProviderRef": func(st *store.Store) error {
			_, err := st.FindPaymentByProviderRef(ctx, model.MethodStripeCard, "pi_1")
			return err
		},
		"FindPaymentByReference": func(st *store.Store) error {
			_, err := st.FindPaymentByReference(ctx, []model.PaymentMethod{model.MethodPromptPay}, "R1")
			return err
		},
		"FindPaymentsByIDs":      func(st *store.Store) error { _, err := st.FindPaymentsByIDs(ctx, one); return err },
		"FindPaymentsByOrderIDs": func(st *store.Store) error { _, err := st.FindPaymentsByOrderIDs(ctx, one); return err },
		"UpdatePayment":          func(st *store.Store) error { return st.UpdatePayment(ctx, 1, map[string]any{"status": "FAILED"}) },
		"UpdatePaymentIf": func(st *store.Store) error {
			_, err := st.UpdatePaymentIf(ctx, 1, model.PaymentPending, map[string]any{"status": "FAILED"})
			return err
		},
		"StartPayment": func(st *store.Store) error {
			_, err := st.StartPayment(ctx, 1, "", map[string]any{"reference": "R"})
			return err
		},
		"AddPaymentTransaction": func(st *store.Store) error {
			return st.AddPaymentTransaction(ctx, &model.PaymentTransaction{PaymentID: 1, OrderID: 1, Kind: model.TxCapture})
		},
		"FindPaymentTransactionByKey": func(st *store.Store) error { _, err := st.FindPaymentTransactionByKey(ctx, "k"); return err },
		"FindPaymentTransactionByRef": func(st *store.Store) error {
			_, err := st.FindPaymentTransactionByRef(ctx, 1, model.TxRefund, "re_1")
			return err
		},
		"FindPaymentTransactionsByPaymentIDs": func(st *store.Store) error {
			_, err := st.FindPaymentTransactionsByPaymentIDs(ctx, one)
			return err
		},
		"FindPaymentTransactionsByIDs": func(st *store.Store) error { _, err := st.FindPaymentTransactionsByIDs(ctx, one); return err },
		"SettlePaymentTransaction": func(st *store.Store) error {
			_, err := st.SettlePaymentTransaction(ctx, 1, model.TxSuccess, "ch_1", "")
			return err
		},
		"FailPaymentTransaction": func(st *store.Store) error { return st.FailPaymentTransaction(ctx, 1, "x") },
		"SetOrderMoney":          func(st *store.Store) error { return st.SetOrderMoney(ctx, 1, model.OrderMoney{Total: 1}) },
		"RefundOrderLine": func(st *store.Store) error {
			_, err := st.RefundOrderLine(ctx, 1, 1, 0)
			return err
		},
		// Receipts.
		"NextReceiptSeq": func(st *store.Store) error { _, err := st.NextReceiptSeq(ctx, "RT2611"); return err },
		"CreateReceipt": func(st *store.Store) error {
			return st.CreateReceipt(ctx, &model.Receipt{OrderID: 1, Source: "paid:1", Number: "RT2611-000001"})
		},
		"FindReceiptBySource":    func(st *store.Store) error { _, err := st.FindReceiptBySource(ctx, "paid:1"); return err },
		"LockReceipt":            func(st *store.Store) error { _, err := st.LockReceipt(ctx, 1); return err },
		"FindReceiptsByIDs":      func(st *store.Store) error { _, err := st.FindReceiptsByIDs(ctx, one); return err },
		"FindReceiptsByOrderIDs": func(st *store.Store) error { _, err := st.FindReceiptsByOrderIDs(ctx, one); return err },
		"CancelReceipt":          func(st *store.Store) error { _, err := st.CancelReceipt(ctx, 1, 2); return err },
		"ListReceipts": func(st *store.Store) error {
			_, _, err := st.ListReceipts(ctx, store.ReceiptFilter{}, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
		"CountReceipts": func(st *store.Store) error { _, err := st.CountReceipts(ctx, store.ReceiptFilter{}); return err },
		"EachReceipt": func(st *store.Store) error {
			return st.EachReceipt(ctx, store.ReceiptFilter{}, func(*model.Receipt) error { return nil })
		},
		"RecordWebhookEvent": func(st *store.Store) error {
			_, err := st.RecordWebhookEvent(ctx, "stripe", "evt_1", "payment_intent.succeeded", time.Now())
			return err
		},
		// Shipping.
		"ListShippingZones":          func(st *store.Store) error { _, err := st.ListShippingZones(ctx); return err },
		"FindShippingZonesByIDs":     func(st *store.Store) error { _, err := st.FindShippingZonesByIDs(ctx, one); return err },
		"LockShippingZones":          func(st *store.Store) error { _, err := st.LockShippingZones(ctx); return err },
		"FindShippingAreas":          func(st *store.Store) error { _, err := st.FindShippingAreas(ctx); return err },
		"FindShippingAreasByZoneIDs": func(st *store.Store) error { _, err := st.FindShippingAreasByZoneIDs(ctx, one); return err },
		"FindShippingAreasByValues": func(st *store.Store) error {
			_, err := st.FindShippingAreasByValues(ctx, []model.ShippingZoneArea{{Kind: model.AreaCountry, Value: "TH"}})
			return err
		},
		"InsertShippingZone": func(st *store.Store) error {
			return st.InsertShippingZone(ctx, &model.ShippingZone{Name: "x"}, []model.ShippingZoneArea{model.RestOfWorldArea})
		},
		"UpdateShippingZone": func(st *store.Store) error {
			return st.UpdateShippingZone(ctx, &model.ShippingZone{ID: 1, Name: "x"}, nil)
		},
		"DeleteShippingZone":         func(st *store.Store) error { return st.DeleteShippingZone(ctx, 1) },
		"FindShippingRatesByZoneIDs": func(st *store.Store) error { _, err := st.FindShippingRatesByZoneIDs(ctx, one); return err },
		"FindShippingRatesByIDs":     func(st *store.Store) error { _, err := st.FindShippingRatesByIDs(ctx, one); return err },
		"FindShippingRateByHandle":   func(st *store.Store) error { _, err := st.FindShippingRateByHandle(ctx, "x"); return err },
		"InsertShippingRate": func(st *store.Store) error {
			return st.InsertShippingRate(ctx, &model.ShippingRate{ZoneID: 1, Handle: "x", Title: "x", Kind: model.RateFlat})
		},
		"UpdateShippingRate": func(st *store.Store) error { return st.UpdateShippingRate(ctx, &model.ShippingRate{ID: 1, Title: "x"}) },
		"DeleteShippingRate": func(st *store.Store) error { return st.DeleteShippingRate(ctx, 1) },
		// Inventory.
		"RetryTx": func(st *store.Store) error { return st.RetryTx(ctx, func(*store.Store) error { return nil }) },
		"AdjustInventory": func(st *store.Store) error {
			_, err := st.AdjustInventory(ctx, 1, 1, model.ReasonReceived, "", "staff:1")
			return err
		},
		"SetInventory": func(st *store.Store) error {
			_, err := st.SetInventory(ctx, 1, 2, 1, model.ReasonCorrection, "", "staff:1")
			return err
		},
		"TakeStock": func(st *store.Store) error { return st.TakeStock(ctx, []store.StockLine{{VariantID: 1, Quantity: 1}}) },
		"TakeStockAtOnce": func(st *store.Store) error {
			return st.InTx(ctx, func(tx *store.Store) error {
				return tx.TakeStockAtOnce(ctx, []store.StockLine{{VariantID: 1, Quantity: 1}})
			})
		},
		"ReleaseStock": func(st *store.Store) error {
			return st.ReleaseStock(ctx, []store.StockLine{{VariantID: 1, Quantity: 1}})
		},
		"FulfilStock": func(st *store.Store) error {
			_, err := st.FulfilStock(ctx, []store.StockLine{{VariantID: 1, Quantity: 1}}, "", "staff:1")
			return err
		},
		"UpdateInventoryItem": func(st *store.Store) error {
			yes := true
			_, err := st.UpdateInventoryItem(ctx, 1, store.InventoryItemChange{Tracked: &yes})
			return err
		},
		"ListInventoryMovements": func(st *store.Store) error {
			_, _, err := st.ListInventoryMovements(ctx, store.InventoryMovementFilter{VariantID: 1}, store.Page{Limit: 5})
			return err
		},
		"ListLowStockVariants": func(st *store.Store) error {
			_, _, err := st.ListLowStockVariants(ctx, store.Page{Limit: 5})
			return err
		},
		"CountLowStockVariants": func(st *store.Store) error { _, err := st.CountLowStockVariants(ctx); return err },
		"FindInventoryMovementsByIDs": func(st *store.Store) error {
			_, err := st.FindInventoryMovementsByIDs(ctx, one)
			return err
		},
		"CheckInventoryLedger": func(st *store.Store) error { _, err := st.CheckInventoryLedger(ctx); return err },
		"ClaimIdempotencyKey": func(st *store.Store) error {
			_, err := st.ClaimIdempotencyKey(ctx, "x", "k", "r")
			return err
		},
		"SaveIdempotencyResult": func(st *store.Store) error { return st.SaveIdempotencyResult(ctx, "x", "k", "{}") },
		"PruneIdempotencyKeys": func(st *store.Store) error {
			_, err := st.PruneIdempotencyKeys(ctx, time.Now(), 10)
			return err
		},
		"ExplainListProducts": func(st *store.Store) error {
			if st.Dialect() != store.MySQL {
				return errors.New("database: EXPLAIN is MySQL's") // nothing to check on SQLite
			}
			_, err := st.ExplainListProducts(ctx, store.ProductFilter{}, store.Page{Sort: store.SortByID, Limit: 5})
			return err
		},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, err := store.Open(ctx, b.URL(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		typ := reflect.TypeOf(st)
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			if _, ok := calls[name]; !ok && exempt[name] == "" {
				t.Errorf("exported method %s is not checked here", name)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		for name, call := range calls {
			err := call(st)
			if err == nil || !translated(err) {
				t.Errorf("%s on a closed pool: %v (%T), want an error through TranslateError", name, err, err)
			}
		}
	})
}
