package resolver

import (
	"context"
	"strconv"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/store"
)

// shippingCurrency is the currency table rates are given and kept in.
const shippingCurrency = model.CurrencyTHB

// decodeZoneInput converts shippingZoneCreate's and shippingZoneUpdate's
// input; the table workflow checks the values.
func decodeZoneInput(in gqlmodel.ShippingZoneInput) shipping.ZoneInput {
	out := shipping.ZoneInput{Name: in.Name, RestOfWorld: in.RestOfWorld}
	list := func(l []string) *[]string {
		if l == nil {
			return nil
		}
		return &l
	}
	out.Countries, out.Provinces, out.Postcodes = list(in.Countries), list(in.Provinces), list(in.Postcodes)
	return out
}

// decodeRateInput converts a rate input, parsing its amounts to minor
// units.
func decodeRateInput(in gqlmodel.ShippingRateInput) (shipping.RateInput, error) {
	f := func(name string, more ...string) []string { return append([]string{"input", name}, more...) }
	out := shipping.RateInput{Handle: in.Handle, Title: in.Title, Description: in.Description, Code: in.Code,
		Kind: in.Kind, Active: in.Active, Position: in.Position}
	if in.Price != nil {
		p, err := model.ParsePrice(f("price"), *in.Price, shippingCurrency)
		if err != nil {
			return out, err
		}
		out.Price = &p
	}
	if in.WeightBrackets != nil {
		bs := make([]model.WeightBracket, len(in.WeightBrackets))
		for i, b := range in.WeightBrackets {
			p, err := model.ParsePrice(f("weightBrackets", strconv.Itoa(i), "price"), b.Price, shippingCurrency)
			if err != nil {
				return out, err
			}
			bs[i] = model.WeightBracket{UpToGrams: b.UpToGrams, Amount: p}
		}
		out.WeightBrackets = &bs
	}
	amounts := []struct {
		name string
		in   interface {
			IsSet() bool
			Value() *string
		}
		dst *shipping.Opt[int64]
	}{
		{"minSubtotal", &in.MinSubtotal, &out.MinSubtotal},
		{"maxSubtotal", &in.MaxSubtotal, &out.MaxSubtotal},
		{"freeShippingThreshold", &in.FreeShippingThreshold, &out.FreeOver},
	}
	for _, a := range amounts {
		if !a.in.IsSet() {
			continue
		}
		a.dst.Set = true
		if v := a.in.Value(); v != nil {
			p, err := model.ParsePrice(f(a.name), *v, shippingCurrency)
			if err != nil {
				return out, err
			}
			a.dst.Value = &p
		}
	}
	if in.MinDeliveryDays.IsSet() {
		out.MinDays = shipping.Opt[int]{Set: true, Value: in.MinDeliveryDays.Value()}
	}
	if in.MaxDeliveryDays.IsSet() {
		out.MaxDays = shipping.Opt[int]{Set: true, Value: in.MaxDeliveryDays.Value()}
	}
	return out, nil
}

// zonePayload answers shippingZoneCreate and shippingZoneUpdate, priming
// the zone's areas so its fields need no query.
func zonePayload(ctx context.Context, z *shipping.ZoneWithAreas, err error) (*gqlmodel.ShippingZonePayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.ShippingZonePayload{UserErrors: ue}
	if len(ue) == 0 && err == nil && z != nil {
		afterWrite(ctx)
		store.LoadersFrom(ctx).AreasByShippingZone.Prime(ctx, z.Zone.ID, z.Areas)
		out.ShippingZone = &z.Zone
	}
	return out, err
}

// ratePayload answers shippingRateCreate and shippingRateUpdate.
func ratePayload(ctx context.Context, r *model.ShippingRate, err error) (*gqlmodel.ShippingRatePayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.ShippingRatePayload{UserErrors: ue}
	if len(ue) == 0 && err == nil {
		afterWrite(ctx)
		out.ShippingRate = r
	}
	return out, err
}

// zoneAreas returns the zone's places through the request's loader.
func zoneAreas(ctx context.Context, z *model.ShippingZone) ([]model.ShippingZoneArea, error) {
	return store.LoadersFrom(ctx).AreasByShippingZone.Load(ctx, z.ID)()
}

// areaValues returns the values of the zone's places of kind k.
func areaValues(ctx context.Context, z *model.ShippingZone, k model.ShippingAreaKind) ([]string, error) {
	areas, err := zoneAreas(ctx, z)
	out := []string{}
	for _, a := range areas {
		if a.Kind == k {
			out = append(out, a.Value)
		}
	}
	return out, err
}

// optionalMoney is an optional amount of the rate's currency.
func optionalMoney(v *int64, cur model.CurrencyCode) *model.Money {
	if v == nil {
		return nil
	}
	return money(*v, cur)
}
