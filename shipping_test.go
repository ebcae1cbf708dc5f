package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

const zoneFields = `id name countries provinces { code name nameTh } postcodes restOfWorld
	rates { id handle deliveryOptionHandle title kind price { amount } weightBrackets { upToGrams price { amount } }
		freeShippingThreshold { amount } minSubtotal { amount } maxSubtotal { amount } minDeliveryDays maxDeliveryDays active position zone { name } }`

const (
	createZone = `mutation($i: ShippingZoneInput!) { shippingZoneCreate(input: $i) { shippingZone { ` + zoneFields + ` } userErrors { field code message } } }`
	updateZone = `mutation($id: ID!, $i: ShippingZoneInput!) { shippingZoneUpdate(id: $id, input: $i) { shippingZone { ` + zoneFields + ` } userErrors { field code message } } }`
	deleteZone = `mutation($id: ID!) { shippingZoneDelete(id: $id) { deletedShippingZoneId userErrors { field code message } } }`
	rateFields = `id handle title kind price { amount } weightBrackets { upToGrams price { amount } } freeShippingThreshold { amount } active zone { name }`
	createRate = `mutation($z: ID!, $i: ShippingRateInput!) { shippingRateCreate(zoneId: $z, input: $i) { shippingRate { ` + rateFields + ` } userErrors { field code message } } }`
	updateRate = `mutation($id: ID!, $i: ShippingRateInput!) { shippingRateUpdate(id: $id, input: $i) { shippingRate { ` + rateFields + ` } userErrors { field code message } } }`
	deleteRate = `mutation($id: ID!) { shippingRateDelete(id: $id) { deletedShippingRateId userErrors { field code message } } }`
	listZones  = `{ shippingZones { ` + zoneFields + ` } }`
	preview    = `query($i: ShippingPreviewInput!) { shippingPreview(input: $i) { zone { name }
		deliveryOptions { handle title code estimatedCost { amount currencyCode } minDeliveryDays maxDeliveryDays } degradedProviders } }`
)

// shippingState is everything the shipping configuration shows, to check
// that a refused write changed nothing.
func shippingState(t *testing.T, srv *testServer, token string) string {
	t.Helper()
	b, _ := json.Marshal(srv.post(t, listZones, nil, as(token)...).mustData(t))
	var audits int64
	srv.store.DB(t.Context()).Table("audit_log").Count(&audits)
	return fmt.Sprintf("%s audit:%d", b, audits)
}

// Reading shipping needs READ_ORDERS and writing it MANAGE_ORDERS; a
// refused call runs nothing and changes nothing.
func TestShippingAdminIsForItsPermissionsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 3, accountEnv)
		owner := staffToken(t, srv, model.RoleOwner)
		support := staffToken(t, srv, model.RoleSupport)
		catalogManager := staffToken(t, srv, model.RoleCatalogManager)
		orders := staffToken(t, srv, model.RoleOrderManager)
		readKey := partnerKey(t, srv, owner, "READ_ORDERS")
		before := shippingState(t, srv, owner)
		zone := at(srv.post(t, listZones, nil, as(support)...).mustData(t), "shippingZones", 0, "id").(string)

		for _, c := range []struct {
			who     string
			headers []string
			query   string
			vars    map[string]any
			code    string
		}{
			{"anonymous list", nil, listZones, nil, "UNAUTHENTICATED"},
			{"catalog manager list", as(catalogManager), listZones, nil, "FORBIDDEN"},
			{"catalog manager preview", as(catalogManager), preview, map[string]any{"i": map[string]any{"country": "TH", "weightGrams": 1, "subtotal": "1.00"}}, "FORBIDDEN"},
			{"support create", as(support), createZone, map[string]any{"i": map[string]any{"name": "x", "countries": []string{"JP"}}}, "FORBIDDEN"},
			{"read key delete", []string{"X-Langran-Api-Key", readKey}, deleteZone, map[string]any{"id": zone}, "FORBIDDEN"},
			{"catalog manager rate", as(catalogManager), createRate, map[string]any{"z": zone, "i": map[string]any{"title": "x", "price": "1.00"}}, "FORBIDDEN"},
		} {
			r := srv.post(t, c.query, c.vars, c.headers...)
			if len(r.Errors) == 0 || r.Errors[0].Code() != c.code {
				t.Errorf("%s: %.300s, want %s", c.who, r.Raw, c.code)
			}
		}
		if after := shippingState(t, srv, owner); after != before {
			t.Errorf("refused calls changed the configuration")
		}
		// The order manager writes; a READ_ORDERS key reads.
		p := payloadOf(t, srv, orders, "shippingZoneCreate", createZone, map[string]any{"i": map[string]any{"name": "Japan", "countries": []string{"jp"}}})
		noUserErrors(t, p)
		if d := srv.post(t, listZones, nil, "X-Langran-Api-Key", readKey).mustData(t); len(d["shippingZones"].([]any)) != 4 {
			t.Errorf("the key reads %d zones, want 4", len(d["shippingZones"].([]any)))
		}
	})
}

// Zones and rates through GraphQL: bad input gets userErrors naming the
// field and changes nothing; good input is written, shown and audited.
func TestShippingZonesAndRates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 3, accountEnv)
		owner := staffToken(t, srv, model.RoleOwner)
		d := srv.post(t, listZones, nil, as(owner)...).mustData(t)
		if names := []any{at(d, "shippingZones", 0, "name"), at(d, "shippingZones", 1, "name"), at(d, "shippingZones", 2, "name")}; fmt.Sprint(names) != "[Bangkok and vicinity Rest of Thailand International]" {
			t.Fatalf("demo zones %v", names)
		}
		if p := at(d, "shippingZones", 0, "provinces", 0); at(p, "code") != "TH-10" || at(p, "nameTh") != "กรุงเทพมหานคร" {
			t.Errorf("Bangkok reads %v", p)
		}
		if r := at(d, "shippingZones", 0, "rates", 0); at(r, "deliveryOptionHandle") != "table:bkk-standard" ||
			at(r, "price", "amount") != "40.00" || at(r, "freeShippingThreshold", "amount") != "1500.00" || at(r, "zone", "name") != "Bangkok and vicinity" {
			t.Errorf("Bangkok standard reads %v", r)
		}
		if r := at(d, "shippingZones", 1, "rates", 0); at(r, "kind") != "WEIGHT" || at(r, "price") != nil ||
			at(r, "weightBrackets", 0, "upToGrams") != 1000.0 || at(r, "weightBrackets", 0, "price", "amount") != "50.00" {
			t.Errorf("rest of Thailand standard reads %v", r)
		}
		if at(d, "shippingZones", 2, "restOfWorld") != true || at(d, "shippingZones", 0, "restOfWorld") != false {
			t.Errorf("restOfWorld flags wrong")
		}
		bkk := at(d, "shippingZones", 0, "id").(string)
		bkkStandard := at(d, "shippingZones", 0, "rates", 0, "id").(string)

		before := shippingState(t, srv, owner)
		refused := []struct {
			name, query, field, code string
			vars                     map[string]any
		}{
			{"unknown province", createZone, "input.provinces.1", "INVALID",
				map[string]any{"i": map[string]any{"name": "South", "provinces": []string{"Phuket", "Atlantis"}}}},
			{"Bangkok taken", createZone, "input.provinces.0", "TAKEN",
				map[string]any{"i": map[string]any{"name": "City", "provinces": []string{"กรุงเทพมหานคร"}}}},
			{"bad postcode", createZone, "input.postcodes.0", "INVALID",
				map[string]any{"i": map[string]any{"name": "Codes", "postcodes": []string{"10100-1059"}}}},
			{"empty zone", createZone, "input", "BLANK", map[string]any{"i": map[string]any{"name": "Nothing"}}},
			{"bad zone ID", updateZone, "id", "INVALID", map[string]any{"id": bkkStandard, "i": map[string]any{"name": "x"}}},
			{"negative price", createRate, "input.price", "INVALID",
				map[string]any{"z": bkk, "i": map[string]any{"title": "Cheap", "price": "-1.00"}}},
			{"overlapping brackets", createRate, "input.weightBrackets.1.upToGrams", "INVALID",
				map[string]any{"z": bkk, "i": map[string]any{"title": "Heavy", "weightBrackets": []any{
					map[string]any{"upToGrams": 2000, "price": "60.00"}, map[string]any{"upToGrams": 2000, "price": "90.00"}}}}},
			{"negative bracket price", createRate, "input.weightBrackets.0.price", "INVALID",
				map[string]any{"z": bkk, "i": map[string]any{"title": "Heavy", "weightBrackets": []any{map[string]any{"upToGrams": 2000, "price": "-60.00"}}}}},
			{"threshold with too many decimals", updateRate, "input.freeShippingThreshold", "INVALID",
				map[string]any{"id": bkkStandard, "i": map[string]any{"freeShippingThreshold": "1500.001"}}},
			{"handle taken", updateRate, "input.handle", "TAKEN",
				map[string]any{"id": bkkStandard, "i": map[string]any{"handle": "bkk-same-day"}}},
			{"days reversed", updateRate, "input.maxDeliveryDays", "INVALID",
				map[string]any{"id": bkkStandard, "i": map[string]any{"minDeliveryDays": 3, "maxDeliveryDays": 1}}},
			{"unknown rate", deleteRate, "id", "NOT_FOUND", map[string]any{"id": model.EncodeGlobalID(model.TypeShippingRate, 9999)}},
			{"unknown zone", deleteZone, "id", "NOT_FOUND", map[string]any{"id": model.EncodeGlobalID(model.TypeShippingZone, 9999)}},
		}
		for _, c := range refused {
			r := srv.post(t, c.query, c.vars, as(owner)...).mustData(t)
			var payload map[string]any
			for _, v := range r {
				payload, _ = v.(map[string]any)
			}
			if code, field := userError(payload); code != c.code || field != c.field {
				t.Errorf("%s: %s at %s, want %s at %s", c.name, code, field, c.code, c.field)
			}
			for k, v := range payload {
				if k != "userErrors" && v != nil {
					t.Errorf("%s: %s is %v, want null", c.name, k, v)
				}
			}
		}
		if after := shippingState(t, srv, owner); after != before {
			t.Fatalf("refused writes changed the configuration:\n%s\n%s", before, after)
		}

		// A postcode zone for central Bangkok with a weight rate; it wins
		// over the Bangkok province zone.
		p := payloadOf(t, srv, owner, "shippingZoneCreate", createZone, map[string]any{"i": map[string]any{
			"name": "Central Bangkok", "postcodes": []string{"10330", "10500-10502"}}})
		noUserErrors(t, p)
		central := at(p, "shippingZone", "id").(string)
		p = payloadOf(t, srv, owner, "shippingRateCreate", createRate, map[string]any{"z": central, "i": map[string]any{
			"title": "Bike courier", "code": "BIKE", "minDeliveryDays": 0, "maxDeliveryDays": 0, "freeShippingThreshold": "2000.00",
			"weightBrackets": []any{map[string]any{"upToGrams": 3000, "price": "60.00"}, map[string]any{"price": "120.00"}}}})
		noUserErrors(t, p)
		if r := at(p, "shippingRate"); at(r, "handle") != "bike-courier" || at(r, "kind") != "WEIGHT" || at(r, "zone", "name") != "Central Bangkok" ||
			at(r, "weightBrackets", 1, "upToGrams") != nil || at(r, "weightBrackets", 1, "price", "amount") != "120.00" {
			t.Errorf("created rate %v", r)
		}
		opts := srv.post(t, preview, map[string]any{"i": map[string]any{"country": "TH", "province": "Bangkok", "zip": "10501",
			"weightGrams": 4000, "subtotal": "1000.00"}}, as(owner)...).mustData(t)
		if at(opts, "shippingPreview", "zone", "name") != "Central Bangkok" ||
			at(opts, "shippingPreview", "deliveryOptions", 0, "handle") != "table:bike-courier" ||
			at(opts, "shippingPreview", "deliveryOptions", 0, "estimatedCost", "amount") != "120.00" {
			t.Errorf("preview for 10501: %v", opts)
		}
		// Clearing the threshold with null and deactivating the Bangkok
		// standard rate; then deleting it, and the new zone.
		p = payloadOf(t, srv, owner, "shippingRateUpdate", updateRate, map[string]any{"id": bkkStandard,
			"i": map[string]any{"freeShippingThreshold": nil, "active": false, "title": "Standard"}})
		noUserErrors(t, p)
		if r := at(p, "shippingRate"); at(r, "freeShippingThreshold") != nil || at(r, "active") != false || at(r, "title") != "Standard" {
			t.Errorf("updated rate %v", r)
		}
		opts = srv.post(t, preview, map[string]any{"i": map[string]any{"country": "TH", "province": "Nonthaburi",
			"weightGrams": 100, "subtotal": "2000.00"}}, as(owner)...).mustData(t)
		if got := at(opts, "shippingPreview", "deliveryOptions").([]any); len(got) != 1 || at(got, 0, "handle") != "table:bkk-same-day" {
			t.Errorf("inactive rate still offered: %v", got)
		}
		noUserErrors(t, payloadOf(t, srv, owner, "shippingRateDelete", deleteRate, map[string]any{"id": bkkStandard}))
		p = payloadOf(t, srv, owner, "shippingZoneUpdate", updateZone, map[string]any{"id": central, "i": map[string]any{"name": "Silom", "provinces": []string{"Krabi"}}})
		noUserErrors(t, p)
		if z := at(p, "shippingZone"); at(z, "name") != "Silom" || fmt.Sprint(at(z, "postcodes")) != "[10330 10500-10502]" || at(z, "provinces", 0, "code") != "TH-81" {
			t.Errorf("updated zone %v", z)
		}
		p = payloadOf(t, srv, owner, "shippingZoneDelete", deleteZone, map[string]any{"id": central})
		noUserErrors(t, p)
		if at(p, "deletedShippingZoneId") != central {
			t.Errorf("deleted %v", p)
		}
		var actions []string
		srv.store.DB(t.Context()).Table("audit_log").Where("action LIKE ?", "shipping%").Order("id").Pluck("action", &actions)
		want := []string{"shippingZone.create", "shippingRate.create", "shippingRate.update", "shippingRate.delete", "shippingZone.update", "shippingZone.delete"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit %v, want %v", actions, want)
		}
	})
}

// The preview answers the demo's three kinds of destination, and the list
// of zones costs the same statements for 3 zones as for 15.
func TestShippingPreviewAndStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 3, accountEnv)
		owner := staffToken(t, srv, model.RoleOwner)
		for _, c := range []struct {
			in   map[string]any
			zone string
			want string // handle=amount of each option
		}{
			{map[string]any{"country": "TH", "province": "กทม.", "zip": "10110", "weightGrams": 800, "subtotal": "1499.99"}, "Bangkok and vicinity",
				"[table:bkk-standard=40.00 table:bkk-same-day=150.00]"},
			{map[string]any{"country": "TH", "province": "Chiang Mai", "zip": "50200", "weightGrams": 4000, "subtotal": "1500.00"}, "Rest of Thailand",
				"[table:th-standard=0.00 table:th-ems=180.00]"},
			{map[string]any{"country": "JP", "weightGrams": 400, "subtotal": "200.00"}, "International", "[table:intl-air=450.00]"},
		} {
			d := srv.post(t, preview, map[string]any{"i": c.in}, as(owner)...).mustData(t)
			var got []string
			for _, o := range at(d, "shippingPreview", "deliveryOptions").([]any) {
				got = append(got, fmt.Sprintf("%s=%s", at(o, "handle"), at(o, "estimatedCost", "amount")))
			}
			if at(d, "shippingPreview", "zone", "name") != c.zone || fmt.Sprint(got) != c.want ||
				len(at(d, "shippingPreview", "degradedProviders").([]any)) != 0 {
				t.Errorf("%v: %v in %v, want %s in %s", c.in, got, at(d, "shippingPreview", "zone"), c.want, c.zone)
			}
		}
		if r := srv.post(t, preview, map[string]any{"i": map[string]any{"country": "XX", "weightGrams": 1, "subtotal": "1.00"}}, as(owner)...); len(r.Errors) == 0 ||
			r.Errors[0].Code() != "INVALID" || fmt.Sprint(r.Errors[0].Extensions["field"]) != "[input country]" {
			t.Errorf("bad country: %.300s", r.Raw)
		}

		count := func() int {
			before := srv.statements()
			srv.post(t, listZones, nil, as(owner)...).mustData(t)
			return srv.statements() - before
		}
		three := count()
		for i := range 12 {
			p := payloadOf(t, srv, owner, "shippingZoneCreate", createZone, map[string]any{"i": map[string]any{
				"name": fmt.Sprintf("Zone %d", i), "postcodes": []string{fmt.Sprintf("9%02d", i)}}})
			noUserErrors(t, p)
			noUserErrors(t, payloadOf(t, srv, owner, "shippingRateCreate", createRate, map[string]any{
				"z": at(p, "shippingZone", "id"), "i": map[string]any{"title": "Courier", "price": "50.00"}}))
		}
		t.Logf("shippingZones: %d statements", three)
		if fifteen := count(); fifteen != three {
			t.Errorf("shippingZones costs %d statements for 3 zones and %d for 15", three, fifteen)
		}
	})
}

func TestShippingTimeoutConfig(t *testing.T) {
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil || cfg.ShippingTimeout != 2*time.Second {
		t.Errorf("default shipping timeout %v, %v", cfg.ShippingTimeout, err)
	}
	for _, v := range []string{"soon", "-1s", "10s", "1m"} {
		_, err := LoadConfig(func(k string) string { return map[string]string{"LANGRAN_SHIPPING_TIMEOUT": v}[k] })
		if err == nil || !strings.Contains(err.Error(), "LANGRAN_SHIPPING_TIMEOUT") {
			t.Errorf("LANGRAN_SHIPPING_TIMEOUT=%s: %v", v, err)
		}
	}
}

func TestShippingCacheConfig(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 5 * time.Second, "0": 0, "0s": 0, "30s": 30 * time.Second} {
		cfg, err := LoadConfig(func(k string) string { return map[string]string{"LANGRAN_SHIPPING_CACHE_TTL": v}[k] })
		if err != nil || cfg.ShippingCacheTTL != want {
			t.Errorf("LANGRAN_SHIPPING_CACHE_TTL=%q: %v, %v; want %v", v, cfg.ShippingCacheTTL, err, want)
		}
	}
	for _, v := range []string{"soon", "-1s"} {
		_, err := LoadConfig(func(k string) string { return map[string]string{"LANGRAN_SHIPPING_CACHE_TTL": v}[k] })
		if err == nil || !strings.Contains(err.Error(), "LANGRAN_SHIPPING_CACHE_TTL") {
			t.Errorf("LANGRAN_SHIPPING_CACHE_TTL=%s: %v", v, err)
		}
	}
}
