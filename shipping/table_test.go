package shipping_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/model"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

var staff = &model.Viewer{Kind: model.ViewerStaff, ID: 1, Permissions: model.NewPermissionSet(model.AllPermissions...)}

func ptr[T any](v T) *T { return &v }

func request(country, province, zip string, grams int, subtotal int64) shipping.Request {
	return shipping.Request{Destination: model.ShippingDestination{Country: country, Province: province, Zip: zip},
		Lines: []model.ShippingLine{{VariantID: 1, Quantity: 1, WeightGrams: grams, UnitPrice: subtotal}}, Subtotal: subtotal,
		Currency: model.CurrencyTHB}
}

// The demo zones and rates, priced through the service.
func TestTableRatesOfTheDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		svc := shipping.New(shipping.Options{}, shipping.NewTable(st, auth.Audit))
		cases := []struct {
			name string
			req  shipping.Request
			want map[string]int64
		}{
			{"Bangkok by Thai name", request("TH", "กรุงเทพมหานคร", "10110", 500, 100000),
				map[string]int64{"table:bkk-standard": 4000, "table:bkk-same-day": 15000}},
			{"Nonthaburi at the ฿1,500 threshold", request("TH", "Nonthaburi", "11000", 500, 150000),
				map[string]int64{"table:bkk-standard": 0, "table:bkk-same-day": 15000}},
			{"Chiang Mai, 2.5 kg", request("TH", "Chiang Mai", "50200", 2500, 100000),
				map[string]int64{"table:th-standard": 8000, "table:th-ems": 18000}},
			{"Chiang Mai, 2.5 kg, ฿1,499.99", request("TH", "เชียงใหม่", "50200", 2500, 149999),
				map[string]int64{"table:th-standard": 8000, "table:th-ems": 18000}},
			{"Chiang Mai, 2.5 kg, ฿1,500", request("TH", "TH-50", "50200", 2500, 150000),
				map[string]int64{"table:th-standard": 0, "table:th-ems": 18000}},
			{"Phuket, 30 kg: over the standard brackets", request("TH", "Phuket", "83000", 30000, 100000),
				map[string]int64{"table:th-ems": 35000}},
			{"Japan, 800 g", request("JP", "Tokyo", "100-0001", 800, 100000), map[string]int64{"table:intl-air": 75000}},
			{"Germany, 6 kg: too heavy", request("DE", "", "10115", 6000, 100000), map[string]int64{}},
			{"no country", request("", "Bangkok", "10110", 500, 100000), map[string]int64{}},
		}
		for _, c := range cases {
			rates, degraded := svc.Options(t.Context(), c.req)
			got := map[string]int64{}
			for _, r := range rates {
				got[r.Handle] = r.Amount
			}
			if len(degraded) > 0 || len(got) != len(c.want) {
				t.Errorf("%s: %v (degraded %v), want %v", c.name, got, degraded, c.want)
				continue
			}
			for h, a := range c.want {
				if got[h] != a {
					t.Errorf("%s: %s costs %d, want %d", c.name, h, got[h], a)
				}
			}
			if !slices.IsSortedFunc(rates, func(a, b shipping.Rate) int { return int(a.Amount - b.Amount) }) {
				t.Errorf("%s: not cheapest first: %v", c.name, handles(rates))
			}
		}
		r, ok := svc.Rate(t.Context(), request("TH", "Bangkok", "10110", 500, 100000), "table:bkk-same-day")
		if !ok || r.Amount != 15000 || r.Title != "Same-day messenger" || r.MinDays == nil || *r.MinDays != 0 {
			t.Errorf("Rate(table:bkk-same-day) = %+v, %v", r, ok)
		}
		if _, ok := svc.Rate(t.Context(), request("TH", "Chiang Mai", "50200", 500, 100000), "table:bkk-same-day"); ok {
			t.Error("a Bangkok rate offered in Chiang Mai")
		}

		// With the database gone, the table degrades: no options, no error.
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		quiet := shipping.New(shipping.Options{Log: slog.New(slog.DiscardHandler)}, shipping.NewTable(st, auth.Audit))
		rates, degraded := quiet.Options(t.Context(), request("TH", "Bangkok", "10110", 500, 100000))
		if len(rates) != 0 || !slices.Equal(degraded, []string{"table"}) {
			t.Errorf("closed database: %v, degraded %v", rates, degraded)
		}
	})
}

// auditCount is how many audit entries the store holds.
func auditCount(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var n int64
	if err := st.DB(t.Context()).Table("audit_log").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Staff writes: bad input is refused with the field named and changes
// nothing; good input is written and audited.
func TestTableWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		table := shipping.NewTable(st, auth.Audit)
		ctx := t.Context()
		zones, _ := st.ListShippingZones(ctx)
		bkk := zones[0].ID

		bad := []struct {
			name  string
			in    shipping.ZoneInput
			code  model.ErrorCode
			field string
		}{
			{"no name", shipping.ZoneInput{Countries: &[]string{"JP"}}, model.CodeBlank, "input.name"},
			{"blank name", shipping.ZoneInput{Name: ptr("  "), Countries: &[]string{"JP"}}, model.CodeBlank, "input.name"},
			{"no places", shipping.ZoneInput{Name: ptr("Nowhere")}, model.CodeBlank, "input"},
			{"unknown province", shipping.ZoneInput{Name: ptr("North"), Provinces: &[]string{"Chiang Mai", "Atlantis"}}, model.CodeInvalid, "input.provinces.1"},
			{"unknown country", shipping.ZoneInput{Name: ptr("Far"), Countries: &[]string{"JP", "XX"}}, model.CodeInvalid, "input.countries.1"},
			{"bad postcode", shipping.ZoneInput{Name: ptr("Codes"), Postcodes: &[]string{"10110", "1011O"}}, model.CodeInvalid, "input.postcodes.1"},
			{"reversed range", shipping.ZoneInput{Name: ptr("Codes"), Postcodes: &[]string{"10599-10100"}}, model.CodeInvalid, "input.postcodes.0"},
			{"province twice", shipping.ZoneInput{Name: ptr("North"), Provinces: &[]string{"Chiang Mai", "เชียงใหม่"}}, model.CodeInvalid, "input.provinces.1"},
			{"Bangkok is taken", shipping.ZoneInput{Name: ptr("City"), Provinces: &[]string{"Phuket", "TH-10"}}, model.CodeTaken, "input.provinces.1"},
			{"Thailand is taken", shipping.ZoneInput{Name: ptr("TH"), Countries: &[]string{"TH"}}, model.CodeTaken, "input.countries.0"},
			{"the rest of the world is taken", shipping.ZoneInput{Name: ptr("World"), RestOfWorld: ptr(true)}, model.CodeTaken, "input.restOfWorld"},
		}
		audits := auditCount(t, st)
		for _, c := range bad {
			_, err := table.CreateZone(ctx, staff, c.in)
			me, ok := model.AsError(err)
			if !ok || me.Code != c.code || strings.Join(me.Field, ".") != c.field {
				t.Errorf("%s: %v at %v, want %s at %s", c.name, err, fieldOf(err), c.code, c.field)
			}
		}
		if zs, _ := st.ListShippingZones(ctx); len(zs) != 3 || auditCount(t, st) != audits {
			t.Fatalf("refused writes changed something: %d zones, %d audit entries (was %d)", len(zs), auditCount(t, st), audits)
		}

		// A postcode zone inside Bangkok; then its places replaced.
		z, err := table.CreateZone(ctx, staff, shipping.ZoneInput{Name: ptr(" Silom "), Postcodes: &[]string{"10500", "10330 - 10332"}})
		if err != nil {
			t.Fatal(err)
		}
		if z.Zone.Name != "Silom" || len(z.Areas) != 2 || z.Areas[1].Value != "10330-10332" {
			t.Errorf("created %+v", z)
		}
		if id, ok, _ := table.Zone(ctx, model.ShippingDestination{Country: "TH", Province: "Bangkok", Zip: "10331"}); !ok || id != z.Zone.ID {
			t.Errorf("10331 falls in zone %d, want the postcode zone %d", id, z.Zone.ID)
		}
		z, err = table.UpdateZone(ctx, staff, z.Zone.ID, shipping.ZoneInput{Provinces: &[]string{"Krabi"}})
		if err != nil || len(z.Areas) != 3 {
			t.Fatalf("update: %+v, %v", z, err)
		}
		if _, err := table.UpdateZone(ctx, staff, z.Zone.ID, shipping.ZoneInput{Provinces: &[]string{"Bangkok"}}); model.ErrorCodeOf(err) != model.CodeTaken {
			t.Errorf("moving Bangkok: %v", err)
		}
		if _, err := table.UpdateZone(ctx, staff, 9999, shipping.ZoneInput{Name: ptr("x")}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("update of a missing zone: %v", err)
		}

		// Rates: bad brackets refused; handles made from titles.
		audits = auditCount(t, st)
		_, err = table.CreateRate(ctx, staff, z.Zone.ID, shipping.RateInput{Title: ptr("Bike"), Kind: ptr(model.RateWeight),
			WeightBrackets: &[]model.WeightBracket{{UpToGrams: ptr(1000), Amount: 3000}, {UpToGrams: ptr(500), Amount: 5000}}})
		if me, _ := model.AsError(err); me == nil || me.Code != model.CodeInvalid || strings.Join(me.Field, ".") != "input.weightBrackets.1.upToGrams" {
			t.Errorf("overlapping brackets: %v at %v", err, fieldOf(err))
		}
		for _, c := range []struct {
			in    shipping.RateInput
			code  model.ErrorCode
			field string
		}{
			{shipping.RateInput{Title: ptr("Bike")}, model.CodeBlank, "input.price"},
			{shipping.RateInput{Price: ptr[int64](100)}, model.CodeBlank, "input.title"},
			{shipping.RateInput{Title: ptr("Bike"), Price: ptr[int64](-100)}, model.CodeInvalid, "input.price"},
			{shipping.RateInput{Title: ptr("Bike"), Price: ptr[int64](100), Handle: ptr("bkk-standard")}, model.CodeTaken, "input.handle"},
			{shipping.RateInput{Title: ptr("Bike"), Price: ptr[int64](100), MinSubtotal: shipping.Opt[int64]{Set: true, Value: ptr[int64](500)},
				MaxSubtotal: shipping.Opt[int64]{Set: true, Value: ptr[int64](400)}}, model.CodeInvalid, "input.maxSubtotal"},
		} {
			_, err := table.CreateRate(ctx, staff, z.Zone.ID, c.in)
			if me, _ := model.AsError(err); me == nil || me.Code != c.code || strings.Join(me.Field, ".") != c.field {
				t.Errorf("rate %+v: %v at %v, want %s at %s", c.in, err, fieldOf(err), c.code, c.field)
			}
		}
		if _, err := table.CreateRate(ctx, staff, 9999, shipping.RateInput{Title: ptr("x"), Price: ptr[int64](1)}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("rate in a missing zone: %v", err)
		}
		if auditCount(t, st) != audits {
			t.Fatal("refused rates were audited")
		}
		r1, err := table.CreateRate(ctx, staff, z.Zone.ID, shipping.RateInput{Title: ptr("Bike courier"), Price: ptr[int64](6000),
			FreeOver: shipping.Opt[int64]{Set: true, Value: ptr[int64](100000)}})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := table.CreateRate(ctx, staff, z.Zone.ID, shipping.RateInput{Title: ptr("Bike courier"), Kind: ptr(model.RateWeight),
			WeightBrackets: &[]model.WeightBracket{{UpToGrams: ptr(1000), Amount: 3000}, {Amount: 5000}}})
		if err != nil {
			t.Fatal(err)
		}
		r3, err := table.CreateRate(ctx, staff, z.Zone.ID, shipping.RateInput{Title: ptr("ส่งด่วน"), Price: ptr[int64](9000)})
		if err != nil {
			t.Fatal(err)
		}
		if r1.Handle != "bike-courier" || r2.Handle != "bike-courier-2" || r3.Handle != "rate" || r1.Position != 0 || r3.Position != 2 || !r1.Active {
			t.Errorf("handles %s %s %s, positions %d %d", r1.Handle, r2.Handle, r3.Handle, r1.Position, r3.Position)
		}
		// Turning the weight rate flat drops its brackets; clearing a
		// threshold with null.
		r2, err = table.UpdateRate(ctx, staff, r2.ID, shipping.RateInput{Kind: ptr(model.RateFlat), Price: ptr[int64](4500)})
		if err != nil || r2.Brackets != "" || r2.Amount != 4500 {
			t.Errorf("weight to flat: %+v, %v", r2, err)
		}
		r1, err = table.UpdateRate(ctx, staff, r1.ID, shipping.RateInput{FreeOver: shipping.Opt[int64]{Set: true}, Active: ptr(false)})
		if err != nil || r1.FreeOver != nil || r1.Active {
			t.Errorf("cleared threshold: %+v, %v", r1, err)
		}
		if _, err := table.UpdateRate(ctx, staff, r3.ID, shipping.RateInput{Handle: ptr("bike-courier")}); model.ErrorCodeOf(err) != model.CodeTaken {
			t.Errorf("taking another rate's handle: %v", err)
		}
		if _, err := table.DeleteRate(ctx, staff, r3.ID); err != nil {
			t.Fatal(err)
		}
		if err := table.DeleteZone(ctx, staff, bkk); err != nil {
			t.Fatal(err)
		}
		// Since the refusals: 3 rates created, 2 updated, 1 deleted, 1 zone deleted.
		if got := auditCount(t, st) - audits; got != 7 {
			t.Errorf("%d audit entries, want 7", got)
		}
		var last model.AuditEntry
		st.DB(ctx).Order("id DESC").Take(&last)
		if last.Action != "shippingZone.delete" || !strings.Contains(last.Summary, "bkk-standard") || last.ObjectID != bkk {
			t.Errorf("last audit entry %+v", last)
		}
		if rs, _ := st.FindShippingRatesByZoneIDs(ctx, []int64{bkk}); len(rs) != 0 {
			t.Error("the deleted zone's rates remain")
		}
	})
}

func fieldOf(err error) []string {
	if me, ok := model.AsError(err); ok {
		return me.Field
	}
	return nil
}

// Writes take turns: of many staff putting one province in a new zone at
// once, one succeeds and the others are told it is taken.
func TestTableWritesTakeTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		table := shipping.NewTable(st, auth.Audit)
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := table.CreateZone(t.Context(), staff, shipping.ZoneInput{Name: ptr("South " + string(rune('A'+i))),
					Provinces: &[]string{"Phuket"}})
				errs <- err
			}()
		}
		won := 0
		for range n {
			switch err := <-errs; model.ErrorCodeOf(err) {
			case "":
				won++
			case model.CodeTaken:
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		held, _ := st.FindShippingAreasByValues(t.Context(), []model.ShippingZoneArea{{Kind: model.AreaProvince, Value: "TH-83"}})
		zones, _ := st.ListShippingZones(t.Context())
		if won != 1 || len(held) != 1 || len(zones) != 4 {
			t.Errorf("%d writes won, Phuket in %d zones, %d zones in all; want 1, 1, 4", won, len(held), len(zones))
		}
	})
}

// With a cache, the zones and rates are read once for many prices, and
// once however many prices start together; this table's own writes are
// seen at once, another replica's once the cache expires.
func TestTableCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		ctx := t.Context()
		const ttl = 300 * time.Millisecond
		table := shipping.NewTable(st, auth.Audit).CacheFor(ttl)
		other := shipping.NewTable(st, auth.Audit) // another replica's, writing
		svc := shipping.New(shipping.Options{}, table)
		bkk := request("TH", "Bangkok", "10110", 500, 100000)
		price := func(ctx context.Context) int64 {
			t.Helper()
			opt, ok := svc.Rate(ctx, bkk, "table:bkk-standard")
			if !ok {
				t.Fatal("bkk-standard not offered")
			}
			return opt.Amount
		}

		// Twenty prices at once on a cold cache: one read of the tables.
		cctx, counter := store.WithStatementCounter(ctx)
		var wg sync.WaitGroup
		amounts := make([]int64, 20)
		for i := range amounts {
			wg.Go(func() { amounts[i] = price(cctx) })
		}
		wg.Wait()
		for i := 0; i < 10; i++ {
			price(cctx)
		}
		if n := counter.Count(); n != 2 {
			t.Errorf("30 prices on a cold cache ran %d statements, want 2 (the areas, the rates)", n)
		}
		if amounts[0] != 4000 || slices.ContainsFunc(amounts, func(a int64) bool { return a != amounts[0] }) {
			t.Errorf("amounts %v, want 4000 each", amounts)
		}

		zones, _ := st.ListShippingZones(ctx)
		rates, _ := st.FindShippingRatesByZoneIDs(ctx, []int64{zones[0].ID})
		i := slices.IndexFunc(rates, func(r model.ShippingRate) bool { return r.Handle == "bkk-standard" })
		if i < 0 {
			t.Fatal("no bkk-standard rate")
		}
		// Another replica's write: not seen until the cache expires.
		if _, err := other.UpdateRate(ctx, staff, rates[i].ID, shipping.RateInput{Price: ptr(int64(4500))}); err != nil {
			t.Fatal(err)
		}
		if got := price(ctx); got != 4000 {
			t.Errorf("right after another replica's write: %d, want the cached 4000", got)
		}
		time.Sleep(ttl + 100*time.Millisecond)
		if got := price(ctx); got != 4500 {
			t.Errorf("after the cache expired: %d, want 4500", got)
		}
		// This table's own write: seen at once.
		if _, err := table.UpdateRate(ctx, staff, rates[i].ID, shipping.RateInput{Price: ptr(int64(4700))}); err != nil {
			t.Fatal(err)
		}
		if got := price(ctx); got != 4700 {
			t.Errorf("right after this table's write: %d, want 4700", got)
		}
		if _, err := table.DeleteRate(ctx, staff, rates[i].ID); err != nil {
			t.Fatal(err)
		}
		if _, ok := svc.Rate(ctx, bkk, "table:bkk-standard"); ok {
			t.Error("a deleted rate is still offered")
		}
		// Prepared, the table prices from memory: no statement.
		rate, err := svc.PrepareRate(ctx)
		if err != nil || rate == nil {
			t.Fatalf("a service of the table alone is not prepared: %v", err)
		}
		cctx, counter = store.WithStatementCounter(ctx)
		opt, ok := rate(cctx, bkk, "table:bkk-same-day")
		if !ok || opt.Amount != 15000 || counter.Count() != 0 {
			t.Errorf("prepared: %+v, %v, %d statements; want 150.00 and none", opt, ok, counter.Count())
		}
	})
}
