package shipping

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// TableName is the name of the built-in table provider: its options'
// handles start with "table:".
const TableName = "table"

// AuditFunc records a write in the audit log within tx, the write's own
// transaction: auth.Audit, which server.go wires in.
type AuditFunc func(ctx context.Context, tx *store.Store, v *model.Viewer, action, objectType string, objectID int64,
	before, after map[string]any) error

// Table is the built-in provider: zones and rates that staff configure,
// kept in the database. A destination falls in one zone (the most specific
// that matches, model.MatchShippingZone), and every active rate of that
// zone that applies to the goods' weight and subtotal is an option. It
// also runs the staff's writes to zones and rates.
type Table struct {
	st    *store.Store
	audit AuditFunc
	now   func() time.Time
	cache tableCache
}

// tableCache keeps the zones' areas and rates in memory for a while
// (Table.CacheFor): every delivery priced reads them, three times in a
// purchase, and staff change them rarely.
type tableCache struct {
	ttl time.Duration
	mu  sync.Mutex
	// gen counts this table's writes: a read that began before a write
	// finished is not kept.
	gen     uint64
	areas   []model.ShippingZoneArea
	rates   map[int64][]model.ShippingRate
	expires time.Time
	loading chan struct{} // closed when the load under way ends; nil when none is
}

// tables are the zones' areas and every zone's rates as read at one time.
type tables struct {
	areas []model.ShippingZoneArea
	rates map[int64][]model.ShippingRate // by zone; nil when only the areas were read
}

// NewTable returns the table provider over st, recording staff writes with
// audit.
func NewTable(st *store.Store, audit AuditFunc) *Table {
	return &Table{st: st, audit: audit, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// Name implements Provider.
func (t *Table) Name() string { return TableName }

// Local reports that the table's rates are read from the shop's own
// database: waiting for it (a busy connection pool) is not a carrier
// failing, so the Service does not apply its timeout to this provider.
func (t *Table) Local() bool { return true }

// CacheFor keeps the zones and rates this table reads for d before reading
// them again (0, the default, reads them for every delivery priced). The
// table's own writes (staff's, through this value) drop what it keeps at
// once; a write through another replica's table is seen within d, and a
// cart priced meanwhile is priced as if the write had come d later. It
// returns t, and is meant for wiring, before the table is used.
func (t *Table) CacheFor(d time.Duration) *Table {
	t.cache.ttl = max(d, 0)
	return t
}

// Rates implements Provider: the rates of the zone the destination falls in
// that apply to the goods' weight and subtotal. Without a cache that is two
// statements, the areas of every zone and the rates of the matching zone;
// with one, none until it expires.
func (t *Table) Rates(ctx context.Context, req Request) ([]Rate, error) {
	tb, err := t.tables(ctx)
	if err != nil {
		return nil, err
	}
	if tb.rates == nil {
		zone, ok := model.MatchShippingZone(tb.areas, req.Destination)
		if !ok {
			return nil, nil
		}
		rows, err := t.st.FindShippingRatesByZoneIDs(ctx, []int64{zone})
		if err != nil {
			return nil, err
		}
		tb.rates = map[int64][]model.ShippingRate{zone: rows}
	}
	return tb.price(req), nil
}

// price returns the options of the zone req's destination falls in.
func (tb tables) price(req Request) []Rate {
	zone, ok := model.MatchShippingZone(tb.areas, req.Destination)
	if !ok {
		return nil
	}
	weight := req.TotalWeightGrams()
	var out []Rate
	for _, r := range tb.rates[zone] {
		amount, ok := r.PriceFor(weight, req.Subtotal)
		if !ok || (req.Currency != "" && r.Currency != req.Currency) {
			continue
		}
		out = append(out, Rate{Handle: r.Handle, Title: r.Title, Description: r.Description, Code: r.Code,
			Amount: amount, Currency: r.Currency, MinDays: r.MinDays, MaxDays: r.MaxDays})
	}
	return out
}

// Snapshot implements Snapshotter: the table as it is now (from the cache
// when it holds it, else read: two statements), pricing from memory.
func (t *Table) Snapshot(ctx context.Context) (Provider, error) {
	if t.cache.ttl == 0 {
		tb, err := t.load(ctx)
		return tableSnapshot{tb}, err
	}
	tb, err := t.tables(ctx)
	return tableSnapshot{tb}, err
}

// tableSnapshot prices from tables read earlier.
type tableSnapshot struct{ tb tables }

func (tableSnapshot) Name() string { return TableName }
func (tableSnapshot) Local() bool  { return true }
func (s tableSnapshot) Rates(_ context.Context, req Request) ([]Rate, error) {
	return s.tb.price(req), nil
}

// Zone returns the ID of the zone d falls in; ok is false when none does.
func (t *Table) Zone(ctx context.Context, d model.ShippingDestination) (id int64, ok bool, err error) {
	tb, err := t.tables(ctx)
	if err != nil {
		return 0, false, err
	}
	id, ok = model.MatchShippingZone(tb.areas, d)
	return id, ok, nil
}

// tables returns the zones' areas, and their rates when cached. Without a
// cache it reads the areas only (the caller reads the one zone's rates it
// needs). With one, a single caller reads both while the others wait for
// it (or for their own context).
func (t *Table) tables(ctx context.Context) (tables, error) {
	c := &t.cache
	if c.ttl == 0 {
		areas, err := t.st.FindShippingAreas(ctx)
		return tables{areas: areas}, err
	}
	for {
		c.mu.Lock()
		if c.rates != nil && time.Now().Before(c.expires) {
			tb := tables{areas: c.areas, rates: c.rates}
			c.mu.Unlock()
			return tb, nil
		}
		if wait := c.loading; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return tables{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading, c.rates = done, nil
		gen := c.gen
		c.mu.Unlock()

		tb, err := t.load(ctx)
		c.mu.Lock()
		c.loading = nil
		if err == nil && c.gen == gen {
			c.areas, c.rates, c.expires = tb.areas, tb.rates, time.Now().Add(c.ttl)
		}
		c.mu.Unlock()
		close(done)
		return tb, err
	}
}

// load reads every zone's areas and rates: two statements.
func (t *Table) load(ctx context.Context) (tables, error) {
	areas, err := t.st.FindShippingAreas(ctx)
	if err != nil {
		return tables{}, err
	}
	var zones []int64
	for _, a := range areas {
		if !slices.Contains(zones, a.ZoneID) {
			zones = append(zones, a.ZoneID)
		}
	}
	rows, err := t.st.FindShippingRatesByZoneIDs(ctx, zones)
	if err != nil {
		return tables{}, err
	}
	rates := make(map[int64][]model.ShippingRate, len(zones))
	for _, r := range rows {
		r.ParseBrackets()
		rates[r.ZoneID] = append(rates[r.ZoneID], r)
	}
	return tables{areas: areas, rates: rates}, nil
}

// forget drops what the cache keeps, after a write.
func (t *Table) forget() {
	t.cache.mu.Lock()
	t.cache.gen++
	t.cache.rates, t.cache.areas = nil, nil
	t.cache.mu.Unlock()
}

// Opt is an input value that may be left out (Set false), given (Value
// non-nil) or given as null to clear it (Set true, Value nil).
type Opt[T any] struct {
	Set   bool
	Value *T
}

// ZoneInput is shippingZoneCreate's and shippingZoneUpdate's input (the
// argument "input"). In an update, a list left out (nil) keeps the zone's
// places of that kind, and a list given replaces them.
type ZoneInput struct {
	Name        *string
	Countries   *[]string
	Provinces   *[]string
	Postcodes   *[]string
	RestOfWorld *bool
}

// RateInput is shippingRateCreate's and shippingRateUpdate's input. In an
// update, what is left out stays as it is.
type RateInput struct {
	Handle         *string
	Title          *string
	Description    *string
	Code           *string
	Kind           *model.ShippingRateKind
	Price          *int64
	WeightBrackets *[]model.WeightBracket
	MinSubtotal    Opt[int64]
	MaxSubtotal    Opt[int64]
	FreeOver       Opt[int64]
	MinDays        Opt[int]
	MaxDays        Opt[int]
	Active         *bool
	Position       *int
}

// ZoneWithAreas is a zone and its places.
type ZoneWithAreas struct {
	Zone  model.ShippingZone
	Areas []model.ShippingZoneArea
}

func input(name string, more ...string) []string { return append([]string{"input", name}, more...) }

// attempts is how often a write runs before its failure is returned: a
// deadlock, a busy SQLite database, or a place or handle another write took
// between the checks and the insert (run again, the checks name it).
const attempts = 5

func (t *Table) write(ctx context.Context, fn func(tx *store.Store, zones []model.ShippingZone) error) error {
	var err error
	for n := range attempts {
		err = t.st.InTx(ctx, func(tx *store.Store) error {
			zones, err := tx.LockShippingZones(ctx)
			if err != nil {
				return err
			}
			return fn(tx, zones)
		})
		// Whatever the outcome (a failed commit may still have
		// committed), the next price reads the tables again.
		t.forget()
		if err == nil || !(store.Retryable(err) || model.ErrorCodeOf(err) == model.CodeConflict) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(n+1) * int64(5*time.Millisecond)))):
		}
	}
	return err
}

// CreateZone adds a zone.
func (t *Table) CreateZone(ctx context.Context, v *model.Viewer, in ZoneInput) (*ZoneWithAreas, error) {
	var out *ZoneWithAreas
	err := t.write(ctx, func(tx *store.Store, zones []model.ShippingZone) error {
		if len(zones) >= model.MaxShippingZones {
			return &model.Error{Code: model.CodeInvalid, Field: []string{"input"},
				Message: fmt.Sprintf("a store has at most %d shipping zones", model.MaxShippingZones)}
		}
		if in.Name == nil {
			return &model.Error{Code: model.CodeBlank, Field: input("name"), Message: "name is required"}
		}
		now := t.now()
		z := &model.ShippingZone{CreatedAt: now, UpdatedAt: now}
		areas, err := applyZone(z, nil, in)
		if err != nil {
			return err
		}
		if err := checkAreasFree(ctx, tx, 0, areas, zones); err != nil {
			return err
		}
		if err := tx.InsertShippingZone(ctx, z, areas); err != nil {
			return err
		}
		out = &ZoneWithAreas{Zone: *z, Areas: areas}
		return t.audit(ctx, tx, v, "shippingZone.create", string(model.TypeShippingZone), z.ID, nil, zoneFields(z, areas))
	})
	return out, err
}

// UpdateZone changes zone id's name or places.
func (t *Table) UpdateZone(ctx context.Context, v *model.Viewer, id int64, in ZoneInput) (*ZoneWithAreas, error) {
	var out *ZoneWithAreas
	err := t.write(ctx, func(tx *store.Store, zones []model.ShippingZone) error {
		i := slices.IndexFunc(zones, func(z model.ShippingZone) bool { return z.ID == id })
		if i < 0 {
			return notFound([]string{"id"}, "shipping zone")
		}
		cur, err := tx.FindShippingAreasByZoneIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		z := zones[i]
		before := zoneFields(&z, cur)
		areas, err := applyZone(&z, cur, in)
		if err != nil {
			return err
		}
		if err := checkAreasFree(ctx, tx, id, areas, zones); err != nil {
			return err
		}
		z.UpdatedAt = t.now()
		if err := tx.UpdateShippingZone(ctx, &z, areas); err != nil {
			return err
		}
		out = &ZoneWithAreas{Zone: z, Areas: areas}
		return t.audit(ctx, tx, v, "shippingZone.update", string(model.TypeShippingZone), z.ID, before, zoneFields(&z, areas))
	})
	return out, err
}

// DeleteZone deletes zone id with its rates. Carts that chose one of its
// rates must choose again.
func (t *Table) DeleteZone(ctx context.Context, v *model.Viewer, id int64) error {
	return t.write(ctx, func(tx *store.Store, zones []model.ShippingZone) error {
		i := slices.IndexFunc(zones, func(z model.ShippingZone) bool { return z.ID == id })
		if i < 0 {
			return notFound([]string{"id"}, "shipping zone")
		}
		areas, err := tx.FindShippingAreasByZoneIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		rates, err := tx.FindShippingRatesByZoneIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		if err := tx.DeleteShippingZone(ctx, id); err != nil {
			return err
		}
		before := zoneFields(&zones[i], areas)
		var handles []string
		for _, r := range rates {
			handles = append(handles, r.Handle)
		}
		before["rates"] = handles
		return t.audit(ctx, tx, v, "shippingZone.delete", string(model.TypeShippingZone), id, before, nil)
	})
}

// CreateRate adds a rate to zone zoneID, after its other rates unless
// in.Position says where. The handle is made from the title when not
// given.
func (t *Table) CreateRate(ctx context.Context, v *model.Viewer, zoneID int64, in RateInput) (*model.ShippingRate, error) {
	var out *model.ShippingRate
	err := t.write(ctx, func(tx *store.Store, zones []model.ShippingZone) error {
		if !slices.ContainsFunc(zones, func(z model.ShippingZone) bool { return z.ID == zoneID }) {
			return notFound([]string{"zoneId"}, "shipping zone")
		}
		siblings, err := tx.FindShippingRatesByZoneIDs(ctx, []int64{zoneID})
		if err != nil {
			return err
		}
		if len(siblings) >= model.MaxRatesPerZone {
			return &model.Error{Code: model.CodeInvalid, Field: []string{"zoneId"},
				Message: fmt.Sprintf("a zone has at most %d rates", model.MaxRatesPerZone)}
		}
		if in.Title == nil {
			return &model.Error{Code: model.CodeBlank, Field: input("title"), Message: "title is required"}
		}
		if in.Kind == nil {
			k := model.RateFlat
			if in.WeightBrackets != nil {
				k = model.RateWeight
			}
			in.Kind = &k
		}
		if *in.Kind == model.RateFlat && in.Price == nil {
			return &model.Error{Code: model.CodeBlank, Field: input("price"), Message: "a FLAT rate needs a price"}
		}
		now := t.now()
		r := &model.ShippingRate{ZoneID: zoneID, Currency: model.CurrencyTHB, Active: true, CreatedAt: now, UpdatedAt: now}
		for _, s := range siblings {
			r.Position = max(r.Position, s.Position+1)
		}
		if err := applyRate(r, in); err != nil {
			return err
		}
		if in.Handle == nil {
			if r.Handle, err = freeRateHandle(ctx, tx, r.Title); err != nil {
				return err
			}
		}
		if err := model.CheckShippingRate(func(n string) []string { return input(n) }, r); err != nil {
			return err
		}
		if in.Handle != nil {
			if err := checkHandleFree(ctx, tx, r.Handle, 0); err != nil {
				return err
			}
		}
		if err := tx.InsertShippingRate(ctx, r); err != nil {
			return err
		}
		out = r
		return t.audit(ctx, tx, v, "shippingRate.create", string(model.TypeShippingRate), r.ID, nil, rateFields(r))
	})
	return out, err
}

// UpdateRate changes rate id.
func (t *Table) UpdateRate(ctx context.Context, v *model.Viewer, id int64, in RateInput) (*model.ShippingRate, error) {
	var out *model.ShippingRate
	err := t.write(ctx, func(tx *store.Store, _ []model.ShippingZone) error {
		found, err := tx.FindShippingRatesByIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return notFound([]string{"id"}, "shipping rate")
		}
		cur := found[0]
		r := cur
		if in.Kind != nil && *in.Kind == model.RateFlat && in.WeightBrackets == nil {
			r.Brackets = "" // a rate turned FLAT drops its brackets
		}
		if err := applyRate(&r, in); err != nil {
			return err
		}
		if err := model.CheckShippingRate(func(n string) []string { return input(n) }, &r); err != nil {
			return err
		}
		if r.Handle != cur.Handle {
			if err := checkHandleFree(ctx, tx, r.Handle, id); err != nil {
				return err
			}
		}
		r.UpdatedAt = t.now()
		if err := tx.UpdateShippingRate(ctx, &r); err != nil {
			return err
		}
		out = &r
		return t.audit(ctx, tx, v, "shippingRate.update", string(model.TypeShippingRate), r.ID, rateFields(&cur), rateFields(&r))
	})
	return out, err
}

// DeleteRate deletes rate id and returns it as it was.
func (t *Table) DeleteRate(ctx context.Context, v *model.Viewer, id int64) (*model.ShippingRate, error) {
	var out *model.ShippingRate
	err := t.write(ctx, func(tx *store.Store, _ []model.ShippingZone) error {
		found, err := tx.FindShippingRatesByIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return notFound([]string{"id"}, "shipping rate")
		}
		if err := tx.DeleteShippingRate(ctx, id); err != nil {
			return err
		}
		out = &found[0]
		return t.audit(ctx, tx, v, "shippingRate.delete", string(model.TypeShippingRate), id, rateFields(out), nil)
	})
	return out, err
}

func notFound(field []string, what string) error {
	return &model.Error{Code: model.CodeNotFound, Field: field, Message: "no such " + what}
}

// applyZone applies in to zone z, whose places are cur, and returns the
// zone's places as they will be: normalised, each once.
func applyZone(z *model.ShippingZone, cur []model.ShippingZoneArea, in ZoneInput) ([]model.ShippingZoneArea, error) {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if err := model.CheckLine(input("name"), name, model.MaxShippingTitle, true); err != nil {
			return nil, err
		}
		z.Name = name
	}
	keep := func(k model.ShippingAreaKind) []model.ShippingZoneArea {
		var out []model.ShippingZoneArea
		for _, a := range cur {
			if a.Kind == k {
				out = append(out, model.ShippingZoneArea{Kind: a.Kind, Value: a.Value})
			}
		}
		return out
	}
	var areas []model.ShippingZoneArea
	lists := []struct {
		name  string
		kind  model.ShippingAreaKind
		given *[]string
		parse func(string) (string, bool)
		want  string
	}{
		{"countries", model.AreaCountry, in.Countries, model.NormalizeCountry, "an ISO 3166-1 alpha-2 country code such as TH or JP"},
		{"provinces", model.AreaProvince, in.Provinces, model.NormalizeThaiProvince,
			"a Thai province: its name in English or Thai, or its ISO 3166-2 code such as TH-10"},
		{"postcodes", model.AreaPostcode, in.Postcodes, model.ParsePostcodePattern,
			"a Thai postcode prefix of 1 to 5 digits (10) or a range of two postcodes (10100-10599)"},
	}
	for _, l := range lists {
		if l.given == nil {
			areas = append(areas, keep(l.kind)...)
			continue
		}
		seen := map[string]bool{}
		for i, s := range *l.given {
			f := input(l.name, strconv.Itoa(i))
			v, ok := l.parse(s)
			if !ok {
				return nil, &model.Error{Code: model.CodeInvalid, Field: f, Message: fmt.Sprintf("%q is not %s", truncate(s), l.want)}
			}
			if seen[v] {
				return nil, &model.Error{Code: model.CodeInvalid, Field: f, Message: fmt.Sprintf("%s is listed twice", v)}
			}
			seen[v] = true
			areas = append(areas, model.ShippingZoneArea{Kind: l.kind, Value: v})
		}
	}
	row := slices.ContainsFunc(cur, func(a model.ShippingZoneArea) bool { return a.Kind == model.AreaRestOfWorld })
	if in.RestOfWorld != nil {
		row = *in.RestOfWorld
	}
	if row {
		areas = append(areas, model.RestOfWorldArea)
	}
	if len(areas) == 0 {
		return nil, &model.Error{Code: model.CodeBlank, Field: []string{"input"},
			Message: "a zone needs at least one country, province or postcode, or restOfWorld"}
	}
	if len(areas) > model.MaxZoneAreas {
		return nil, &model.Error{Code: model.CodeInvalid, Field: []string{"input"},
			Message: fmt.Sprintf("a zone has at most %d countries, provinces and postcodes", model.MaxZoneAreas)}
	}
	return areas, nil
}

// checkAreasFree refuses places that another zone than self holds, naming
// the input field and the zone.
func checkAreasFree(ctx context.Context, tx *store.Store, self int64, areas []model.ShippingZoneArea, zones []model.ShippingZone) error {
	held, err := tx.FindShippingAreasByValues(ctx, areas)
	if err != nil {
		return err
	}
	for _, h := range held {
		if h.ZoneID == self {
			continue
		}
		name := ""
		if i := slices.IndexFunc(zones, func(z model.ShippingZone) bool { return z.ID == h.ZoneID }); i >= 0 {
			name = zones[i].Name
		}
		field := []string{"input", "restOfWorld"}
		index := 0
		for _, a := range areas {
			if a.Kind == h.Kind {
				if a.Value == h.Value {
					break
				}
				index++
			}
		}
		switch h.Kind {
		case model.AreaCountry:
			field = input("countries", strconv.Itoa(index))
		case model.AreaProvince:
			field = input("provinces", strconv.Itoa(index))
		case model.AreaPostcode:
			field = input("postcodes", strconv.Itoa(index))
		}
		what := h.Value
		if h.Kind == model.AreaRestOfWorld {
			what = "the rest of the world"
		} else if p, ok := model.ThaiProvinceByCode(h.Value); ok && h.Kind == model.AreaProvince {
			what = p.Name + " (" + p.Code + ")"
		}
		return &model.Error{Code: model.CodeTaken, Field: field, Message: fmt.Sprintf("%s is in the zone %q already", what, name)}
	}
	return nil
}

// applyRate applies in to r.
func applyRate(r *model.ShippingRate, in RateInput) error {
	if in.Handle != nil {
		r.Handle = strings.TrimSpace(*in.Handle)
	}
	if in.Title != nil {
		r.Title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		r.Description = strings.TrimSpace(*in.Description)
	}
	if in.Code != nil {
		r.Code = strings.TrimSpace(*in.Code)
	}
	if in.Kind != nil {
		if !in.Kind.Valid() {
			return &model.Error{Code: model.CodeInvalid, Field: input("kind"), Message: "kind must be FLAT or WEIGHT"}
		}
		r.Kind = *in.Kind
	}
	if in.Price != nil {
		r.Amount = *in.Price
	}
	if in.WeightBrackets != nil {
		if err := model.CheckWeightBrackets(input("weightBrackets"), *in.WeightBrackets); err != nil {
			return err
		}
		r.SetWeightBrackets(*in.WeightBrackets)
	}
	setOpt(&r.MinSubtotal, in.MinSubtotal)
	setOpt(&r.MaxSubtotal, in.MaxSubtotal)
	setOpt(&r.FreeOver, in.FreeOver)
	setOpt(&r.MinDays, in.MinDays)
	setOpt(&r.MaxDays, in.MaxDays)
	if in.Active != nil {
		r.Active = *in.Active
	}
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > 1000 {
			return &model.Error{Code: model.CodeInvalid, Field: input("position"), Message: "position must be from 0 to 1000"}
		}
		r.Position = *in.Position
	}
	return nil
}

func setOpt[T any](dst **T, o Opt[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// checkHandleFree refuses a handle another rate than self has.
func checkHandleFree(ctx context.Context, tx *store.Store, handle string, self int64) error {
	other, err := tx.FindShippingRateByHandle(ctx, handle)
	switch {
	case model.ErrorCodeOf(err) == model.CodeNotFound:
		return nil
	case err != nil:
		return err
	case other.ID != self:
		return &model.Error{Code: model.CodeTaken, Field: input("handle"), Message: "another rate has this handle"}
	}
	return nil
}

// freeRateHandle makes a handle from title that no rate has: the title's
// handle, or "rate" for a title without ASCII letters, with "-2", "-3"…
// when taken. It runs under the zones' lock, so no other write takes the
// handle meanwhile.
func freeRateHandle(ctx context.Context, tx *store.Store, title string) (string, error) {
	base := model.HandleFrom(title)
	if len(base) > model.MaxShippingHandle-4 {
		base = base[:model.MaxShippingHandle-4]
		for len(base) > 0 && base[len(base)-1] == '-' {
			base = base[:len(base)-1]
		}
	}
	if base == "" {
		base = "rate"
	}
	for n := 1; n < 1000; n++ {
		h := base
		if n > 1 {
			h = base + "-" + strconv.Itoa(n)
		}
		_, err := tx.FindShippingRateByHandle(ctx, h)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return h, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", &model.Error{Code: model.CodeTaken, Field: input("handle"), Message: "give the rate a handle"}
}

// truncate shortens a bad input for an error message.
func truncate(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// zoneFields is what the audit log keeps of a zone.
func zoneFields(z *model.ShippingZone, areas []model.ShippingZoneArea) map[string]any {
	out := map[string]any{"name": z.Name, "countries": []string{}, "provinces": []string{}, "postcodes": []string{}, "restOfWorld": false}
	for _, a := range areas {
		switch a.Kind {
		case model.AreaCountry:
			out["countries"] = append(out["countries"].([]string), a.Value)
		case model.AreaProvince:
			out["provinces"] = append(out["provinces"].([]string), a.Value)
		case model.AreaPostcode:
			out["postcodes"] = append(out["postcodes"].([]string), a.Value)
		case model.AreaRestOfWorld:
			out["restOfWorld"] = true
		}
	}
	return out
}

// rateFields is what the audit log keeps of a rate; amounts as decimals.
func rateFields(r *model.ShippingRate) map[string]any {
	money := func(v *int64) any {
		if v == nil {
			return nil
		}
		return model.FormatMinor(*v, r.Currency.MinorDigits())
	}
	var brackets []map[string]any
	for _, b := range r.WeightBrackets() {
		brackets = append(brackets, map[string]any{"upToGrams": b.UpToGrams, "price": money(&b.Amount)})
	}
	return map[string]any{"zone": model.EncodeGlobalID(model.TypeShippingZone, r.ZoneID), "handle": r.Handle,
		"title": r.Title, "description": r.Description, "code": r.Code, "kind": r.Kind, "price": money(&r.Amount),
		"weightBrackets": brackets, "minSubtotal": money(r.MinSubtotal), "maxSubtotal": money(r.MaxSubtotal),
		"freeShippingThreshold": money(r.FreeOver), "minDeliveryDays": r.MinDays, "maxDeliveryDays": r.MaxDays,
		"active": r.Active, "position": r.Position}
}
