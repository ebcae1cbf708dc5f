package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/langran/langran/model"
)

// demoCategory is one node of the demo category tree.
type demoCategory struct {
	handle, name, nameTH string
	children             []demoCategory
}

var demoCategories = []demoCategory{
	{"clothing", "Clothing", "เสื้อผ้า", []demoCategory{
		{"t-shirts", "T-Shirts", "เสื้อยืด", nil},
		{"shirts", "Shirts", "เสื้อเชิ้ต", nil},
		{"trousers", "Trousers", "กางเกง", nil},
		{"dresses", "Dresses", "ชุดเดรส", nil},
	}},
	{"home-kitchen", "Home & Kitchen", "บ้านและห้องครัว", []demoCategory{
		{"cookware", "Cookware", "เครื่องครัว", nil},
		{"tableware", "Tableware", "ภาชนะบนโต๊ะอาหาร", nil},
		{"textiles", "Home Textiles", "ผ้าสำหรับบ้าน", nil},
	}},
	{"food-drink", "Food & Drink", "อาหารและเครื่องดื่ม", []demoCategory{
		{"coffee", "Coffee", "กาแฟ", nil},
		{"tea", "Tea", "ชา", nil},
		{"snacks", "Snacks", "ขนม", []demoCategory{
			{"dried-fruit", "Dried Fruit", "ผลไม้อบแห้ง", nil},
		}},
	}},
	{"beauty", "Beauty", "ความงาม", []demoCategory{
		{"skincare", "Skincare", "ดูแลผิว", nil},
		{"aromatherapy", "Aromatherapy", "อโรมาเธอราพี", nil},
	}},
	{"electronics", "Electronics", "อิเล็กทรอนิกส์", []demoCategory{
		{"audio", "Audio", "เครื่องเสียง", nil},
		{"accessories", "Accessories", "อุปกรณ์เสริม", nil},
	}},
}

// demoProduct is a curated demo product; its variants are made from kind.
type demoProduct struct {
	category, title, titleTH, kind string
	price                          int64 // baht, VAT included
	tags                           string
}

// Product kinds decide the options a product's variants vary by.
var demoKinds = map[string][]struct {
	name   string
	values []string
}{
	"apparel": {{"Size", []string{"S", "M", "L", "XL"}}, {"Colour", []string{"White", "Black", "Indigo"}}},
	"dress":   {{"Size", []string{"S", "M", "L"}}},
	"coffee":  {{"Weight", []string{"250 g", "500 g", "1 kg"}}, {"Grind", []string{"Whole bean", "Filter"}}},
	"tea":     {{"Weight", []string{"50 g", "100 g"}}},
	"colour":  {{"Colour", []string{"Natural", "Charcoal", "Sage"}}},
	"single":  nil,
}

var demoProducts = []demoProduct{
	{"t-shirts", "Organic Cotton Tee", "เสื้อยืดคอตตอนออร์แกนิก", "apparel", 390, "organic,cotton,bestseller"},
	{"t-shirts", "Elephant Print Tee", "เสื้อยืดลายช้าง", "apparel", 350, "thai,print"},
	{"t-shirts", "Muay Thai Graphic Tee", "เสื้อยืดลายมวยไทย", "apparel", 420, "thai,print,sport"},
	{"t-shirts", "Pocket Tee", "เสื้อยืดมีกระเป๋า", "apparel", 290, "basic"},
	{"t-shirts", "Long Sleeve Tee", "เสื้อยืดแขนยาว", "apparel", 450, "basic"},
	{"shirts", "Linen Shirt", "เสื้อเชิ้ตผ้าลินิน", "apparel", 1290, "linen,summer"},
	{"shirts", "Mor Hom Indigo Shirt", "เสื้อม่อฮ่อมย้อมคราม", "apparel", 890, "thai,indigo,handmade"},
	{"shirts", "Oxford Shirt", "เสื้อเชิ้ตอ็อกซ์ฟอร์ด", "apparel", 990, "office"},
	{"shirts", "Batik Shirt", "เสื้อเชิ้ตผ้าบาติก", "apparel", 1150, "thai,batik,handmade"},
	{"trousers", "Thai Fisherman Pants", "กางเกงเล", "apparel", 320, "thai,bestseller"},
	{"trousers", "Chino Trousers", "กางเกงชิโน่", "apparel", 1190, "office"},
	{"trousers", "Linen Drawstring Pants", "กางเกงผ้าลินินเอวรูด", "apparel", 990, "linen,summer"},
	{"trousers", "Elephant Pants", "กางเกงลายช้าง", "apparel", 250, "thai,print,bestseller"},
	{"dresses", "Silk Wrap Dress", "ชุดเดรสผ้าไหมแบบป้าย", "dress", 3490, "silk,thai"},
	{"dresses", "Cotton Sundress", "ชุดเดรสผ้าฝ้าย", "dress", 1290, "cotton,summer"},
	{"dresses", "Pha Sin Midi Dress", "ชุดเดรสผ้าซิ่น", "dress", 2590, "thai,handmade"},
	{"cookware", "Clay Pot Set", "ชุดหม้อดิน", "single", 890, "thai,kitchen"},
	{"cookware", "Carbon Steel Wok", "กระทะเหล็กคาร์บอน", "single", 1250, "kitchen,bestseller"},
	{"cookware", "Granite Mortar and Pestle", "ครกหินแกรนิต", "single", 690, "thai,kitchen"},
	{"cookware", "Bamboo Sticky Rice Steamer", "หวดนึ่งข้าวเหนียว", "single", 180, "thai,bamboo"},
	{"cookware", "Brass Wok Spatula", "ตะหลิวทองเหลือง", "single", 240, "kitchen"},
	{"tableware", "Celadon Rice Bowl", "ถ้วยข้าวเซลาดอน", "colour", 320, "ceramic,handmade"},
	{"tableware", "Benjarong Tea Cup", "ถ้วยชาเบญจรงค์", "single", 1590, "thai,ceramic,gift"},
	{"tableware", "Coconut Shell Bowl", "ชามกะลามะพร้าว", "single", 150, "eco"},
	{"tableware", "Teak Serving Board", "เขียงเสิร์ฟไม้สัก", "single", 790, "teak,wood"},
	{"textiles", "Handwoven Cotton Throw", "ผ้าห่มฝ้ายทอมือ", "colour", 1890, "handmade,cotton"},
	{"textiles", "Triangle Cushion", "หมอนอิงสามเหลี่ยม", "colour", 990, "thai,bestseller"},
	{"textiles", "Pha Khao Ma Towel", "ผ้าขาวม้า", "colour", 190, "thai,cotton"},
	{"textiles", "Silk Cushion Cover", "ปลอกหมอนผ้าไหม", "colour", 690, "silk"},
	{"coffee", "Doi Chaang Arabica", "กาแฟอาราบิก้าดอยช้าง", "coffee", 420, "thai,coffee,bestseller"},
	{"coffee", "Doi Tung Dark Roast", "กาแฟคั่วเข้มดอยตุง", "coffee", 390, "thai,coffee"},
	{"coffee", "Nan Honey Process", "กาแฟน่านโพรเซสน้ำผึ้ง", "coffee", 480, "thai,coffee,specialty"},
	{"coffee", "Robusta Espresso Blend", "กาแฟโรบัสต้าเอสเปรสโซ", "coffee", 320, "coffee"},
	{"coffee", "Cold Brew Pack", "กาแฟสกัดเย็นแบบซอง", "single", 250, "coffee,summer"},
	{"tea", "Thai Tea Mix", "ชาไทยผง", "tea", 160, "thai,tea,bestseller"},
	{"tea", "Oolong from Doi Mae Salong", "ชาอู่หลงดอยแม่สลอง", "tea", 350, "thai,tea"},
	{"tea", "Butterfly Pea Flower Tea", "ชาดอกอัญชัน", "tea", 180, "thai,tea,herbal"},
	{"tea", "Lemongrass Pandan Tea", "ชาตะไคร้ใบเตย", "tea", 150, "herbal,tea"},
	{"snacks", "Crispy Seaweed", "สาหร่ายทอดกรอบ", "single", 89, "snack"},
	{"snacks", "Cashew Nuts with Chili", "เม็ดมะม่วงหิมพานต์คั่วพริก", "single", 220, "snack,thai"},
	{"snacks", "Tamarind Candy", "มะขามแช่อิ่ม", "single", 75, "thai,snack"},
	{"dried-fruit", "Dried Mango", "มะม่วงอบแห้ง", "single", 120, "fruit,bestseller"},
	{"dried-fruit", "Dried Durian Chips", "ทุเรียนทอดกรอบ", "single", 290, "fruit,thai"},
	{"dried-fruit", "Dried Longan", "ลำไยอบแห้ง", "single", 160, "fruit,thai"},
	{"skincare", "Rice Milk Body Lotion", "โลชั่นน้ำนมข้าว", "single", 290, "natural"},
	{"skincare", "Tamarind Face Scrub", "สครับหน้ามะขาม", "single", 250, "natural,thai"},
	{"skincare", "Coconut Oil Balm", "บาล์มน้ำมันมะพร้าว", "single", 190, "natural"},
	{"skincare", "Mangosteen Soap", "สบู่มังคุด", "single", 90, "natural,thai,gift"},
	{"aromatherapy", "Lemongrass Essential Oil", "น้ำมันหอมระเหยตะไคร้", "single", 350, "aroma"},
	{"aromatherapy", "Jasmine Incense", "ธูปหอมมะลิ", "single", 120, "aroma,thai"},
	{"aromatherapy", "Herbal Compress Ball", "ลูกประคบสมุนไพร", "single", 180, "thai,herbal,spa"},
	{"aromatherapy", "Reed Diffuser Frangipani", "ก้านไม้หอมลีลาวดี", "single", 590, "aroma,gift"},
	{"audio", "Bamboo Bluetooth Speaker", "ลำโพงบลูทูธไม้ไผ่", "colour", 1990, "bamboo,eco"},
	{"audio", "Wireless Earbuds", "หูฟังไร้สาย", "colour", 2490, "bestseller"},
	{"audio", "Studio Headphones", "หูฟังสตูดิโอ", "single", 4590, "pro"},
	{"accessories", "Teak Phone Stand", "แท่นวางโทรศัพท์ไม้สัก", "single", 390, "teak,wood"},
	{"accessories", "Handwoven Laptop Sleeve", "ซองแล็ปท็อปทอมือ", "colour", 890, "handmade"},
	{"accessories", "USB-C Charging Cable", "สายชาร์จ USB-C", "single", 190, "basic"},
	{"accessories", "Power Bank 10000 mAh", "พาวเวอร์แบงก์ 10000 mAh", "single", 790, "travel"},
	{"accessories", "Krajood Tote Bag", "กระเป๋ากระจูด", "colour", 650, "thai,handmade,eco"},
}

// demoCategoryByHandle indexes the demo tree, for product descriptions.
var demoCategoryByHandle = func() map[string]demoCategory {
	m := map[string]demoCategory{}
	var walk func([]demoCategory)
	walk = func(cs []demoCategory) {
		for _, c := range cs {
			m[c.handle] = c
			walk(c.children)
		}
	}
	walk(demoCategories)
	return m
}()

// DemoProductCount is the number of curated demo products.
var DemoProductCount = len(demoProducts)

// IsEmpty reports whether the catalog has neither products nor categories.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM products LIMIT 1) p) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM categories LIMIT 1) c)`).Scan(&n).Error
	return n == 0, TranslateError(err)
}

// SeedIfEmpty seeds the demo catalog when the database has none, and reports
// whether it did. On MySQL a named lock makes instances that start together
// on an empty database seed it once, not race on the unique handles.
func (s *Store) SeedIfEmpty(ctx context.Context, opts SeedOptions) (bool, error) {
	if s.dialect == MySQL {
		unlock, err := s.namedLock(ctx, "langran_seed")
		if err != nil {
			return false, err
		}
		defer unlock()
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil || !empty {
		return false, err
	}
	return true, s.Seed(ctx, opts)
}

// SeedOptions configure Seed.
type SeedOptions struct {
	// Products is how many products to create: the curated demo products
	// first, then generated ones. 0 means the curated set.
	Products int
	// BatchSize is the number of rows per INSERT; 0 means 500.
	BatchSize int
}

// Seed fills an empty catalog with the demo category tree and products. Every
// value comes from a fixed random source, so two seeds give the same catalog.
// It refuses a catalog that already has products.
func (s *Store) Seed(ctx context.Context, opts SeedOptions) error {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("seed: the catalog already has products or categories; seed an empty database")
	}
	if opts.Products <= 0 {
		opts.Products = len(demoProducts)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	catIDs, err := s.seedCategories(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, 2026))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Products are generated and written a batch at a time so that a 100k
	// catalog needs neither much memory nor one statement per row.
	for start := 0; start < opts.Products; start += opts.BatchSize {
		end := min(start+opts.BatchSize, opts.Products)
		if err := s.seedBatch(ctx, rng, base, catIDs, start, end, opts.BatchSize); err != nil {
			return err
		}
	}
	if err := s.seedShipping(ctx, base); err != nil {
		return err
	}
	return s.seedDiscounts(ctx, base)
}

// seedDiscounts adds two demo discount codes to try in a cart, unless there
// are codes already: WELCOME10, 10% off from ฿500, once per customer; and
// FREESHIP, free delivery from ฿800.
func (s *Store) seedDiscounts(ctx context.Context, now time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		var n int64
		if err := tx.db.WithContext(ctx).Table("discounts").Count(&n).Error; err != nil || n > 0 {
			return TranslateError(err)
		}
		once := 1
		for _, d := range []model.Discount{
			{Code: "WELCOME10", Kind: model.DiscountPercentage, Value: 1000, MinSubtotal: 50000, PerCustomerLimit: &once},
			{Code: "FREESHIP", Kind: model.DiscountFreeShipping, MinSubtotal: 80000},
		} {
			d.CodeKey, d.Active, d.CreatedAt, d.UpdatedAt = model.NormalizeDiscountCode(d.Code), true, now, now
			if err := tx.CreateDiscount(ctx, &d); err != nil {
				return err
			}
		}
		return nil
	})
}

// seedShipping adds the demo delivery zones and rates, unless there are
// zones already: Bangkok and its neighbours, the rest of Thailand priced
// by weight, and the rest of the world, with free shipping in Thailand
// from ฿1,500.
func (s *Store) seedShipping(ctx context.Context, now time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		zones, err := tx.LockShippingZones(ctx)
		if err != nil || len(zones) > 0 {
			return err
		}
		days := func(n int) *int { return &n }
		baht := func(n int64) *int64 { n *= 100; return &n }
		grams := func(n int) *int { return &n }
		free := baht(1500)
		type rate struct {
			r        model.ShippingRate
			brackets []model.WeightBracket
		}
		demo := []struct {
			name  string
			areas []model.ShippingZoneArea
			rates []rate
		}{
			{"Bangkok and vicinity", []model.ShippingZoneArea{
				{Kind: model.AreaProvince, Value: "TH-10"}, {Kind: model.AreaProvince, Value: "TH-11"},
				{Kind: model.AreaProvince, Value: "TH-12"}, {Kind: model.AreaProvince, Value: "TH-13"},
				{Kind: model.AreaProvince, Value: "TH-73"}, {Kind: model.AreaProvince, Value: "TH-74"},
			}, []rate{
				{r: model.ShippingRate{Handle: "bkk-standard", Title: "Standard delivery", Description: "Parcel courier",
					Kind: model.RateFlat, Amount: 4000, FreeOver: free, MinDays: days(1), MaxDays: days(2)}},
				{r: model.ShippingRate{Handle: "bkk-same-day", Title: "Same-day messenger", Code: "MESSENGER",
					Description: "Order before 11:00 for delivery by 18:00", Kind: model.RateFlat, Amount: 15000,
					MinDays: days(0), MaxDays: days(0)}},
			}},
			{"Rest of Thailand", []model.ShippingZoneArea{{Kind: model.AreaCountry, Value: "TH"}}, []rate{
				{r: model.ShippingRate{Handle: "th-standard", Title: "Standard delivery", Description: "Parcel courier",
					Kind: model.RateWeight, FreeOver: free, MinDays: days(2), MaxDays: days(4)},
					brackets: []model.WeightBracket{{UpToGrams: grams(1000), Amount: 5000}, {UpToGrams: grams(3000), Amount: 8000},
						{UpToGrams: grams(5000), Amount: 12000}, {UpToGrams: grams(10000), Amount: 18000}, {UpToGrams: grams(20000), Amount: 30000}}},
				{r: model.ShippingRate{Handle: "th-ems", Title: "EMS", Description: "Thailand Post EMS", Code: "EMS",
					Kind: model.RateWeight, MinDays: days(1), MaxDays: days(2)},
					brackets: []model.WeightBracket{{UpToGrams: grams(2000), Amount: 10000}, {UpToGrams: grams(5000), Amount: 18000}, {Amount: 35000}}},
			}},
			{"International", []model.ShippingZoneArea{model.RestOfWorldArea}, []rate{
				{r: model.ShippingRate{Handle: "intl-air", Title: "International air parcel", Code: "AIR",
					Kind: model.RateWeight, MinDays: days(7), MaxDays: days(21)},
					brackets: []model.WeightBracket{{UpToGrams: grams(500), Amount: 45000}, {UpToGrams: grams(1000), Amount: 75000},
						{UpToGrams: grams(2000), Amount: 125000}, {UpToGrams: grams(5000), Amount: 240000}}},
			}},
		}
		for _, z := range demo {
			zone := &model.ShippingZone{Name: z.name, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertShippingZone(ctx, zone, z.areas); err != nil {
				return err
			}
			for i, r := range z.rates {
				rr := r.r
				rr.ZoneID, rr.Position, rr.Active, rr.Currency = zone.ID, i, true, model.CurrencyTHB
				rr.CreatedAt, rr.UpdatedAt = now, now
				rr.SetWeightBrackets(r.brackets)
				if err := tx.InsertShippingRate(ctx, &rr); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Store) seedCategories(ctx context.Context) (map[string]int64, error) {
	ids := map[string]int64{}
	err := s.InTx(ctx, func(tx *Store) error {
		var walk func(cs []demoCategory, parent *model.Category, ancestors []int64) error
		walk = func(cs []demoCategory, parent *model.Category, ancestors []int64) error {
			for i, dc := range cs {
				c := model.Category{Handle: dc.handle, Name: dc.name, NameTH: dc.nameTH, Position: i}
				if parent != nil {
					c.ParentID = &parent.ID
					c.Depth = parent.Depth + 1
				}
				if err := tx.db.Create(&c).Error; err != nil {
					return fmt.Errorf("seed categories: %w", TranslateError(err))
				}
				ids[dc.handle] = c.ID
				chain := append(append([]int64{}, ancestors...), c.ID)
				closure := make([]model.CategoryClosure, 0, len(chain))
				for d, a := range chain {
					closure = append(closure, model.CategoryClosure{AncestorID: a, DescendantID: c.ID, Depth: len(chain) - 1 - d})
				}
				if err := tx.db.Create(&closure).Error; err != nil {
					return fmt.Errorf("seed categories: %w", TranslateError(err))
				}
				if err := walk(dc.children, &c, chain); err != nil {
					return err
				}
			}
			return nil
		}
		return walk(demoCategories, nil, nil)
	})
	return ids, err
}

// Words for generated product names beyond the curated set.
var (
	genAdjectives   = []string{"Classic", "Everyday", "Handmade", "Premium", "Eco", "Vintage", "Modern", "Travel", "Organic", "Royal"}
	genAdjectivesTH = []string{"คลาสสิก", "ใช้ทุกวัน", "ทำมือ", "พรีเมียม", "รักษ์โลก", "วินเทจ", "โมเดิร์น", "พกพา", "ออร์แกนิก", "รอยัล"}
)

// seedRows is one generated product with everything that hangs off it.
type seedRows struct {
	product  model.Product
	variants []model.ProductVariant
	images   []model.ProductImage
	options  []model.ProductOption
	tags     []model.ProductTag
}

// seedProduct generates product number i (0-based). Curated products come
// first; after them the curated set repeats under generated names and prices.
func seedProduct(rng *rand.Rand, base time.Time, catIDs map[string]int64, i int) seedRows {
	dp := demoProducts[i%len(demoProducts)]
	handle := strings.ToLower(strings.NewReplacer(" ", "-", "&", "and").Replace(dp.title))
	title, titleTH := dp.title, dp.titleTH
	basePrice := dp.price * 100 // satang
	if i >= len(demoProducts) {
		a := rng.IntN(len(genAdjectives))
		title = fmt.Sprintf("%s %s %d", genAdjectives[a], dp.title, i)
		titleTH = fmt.Sprintf("%s%s %d", dp.titleTH, genAdjectivesTH[a], i)
		handle = fmt.Sprintf("%s-%d", handle, i)
		// 70% to 130% of the curated price, in whole baht.
		basePrice = max(100, (dp.price*70+rng.Int64N(dp.price*60+1))/100*100)
	}
	status := model.ProductActive
	if i%23 == 11 { // a few archived products the storefront must never show
		status = model.ProductArchived
	}
	noStock := i%17 == 5 // and a few sold out
	var lowStock *int    // and some watched for running low
	if i%4 == 1 {
		th := 5
		lowStock = &th
	}
	created := base.Add(time.Duration(i) * 37 * time.Minute)
	catID := catIDs[dp.category]
	cat := demoCategoryByHandle[dp.category]
	r := seedRows{product: model.Product{
		Handle: handle, Title: title, TitleTH: titleTH,
		Description:   fmt.Sprintf("%s, from our %s range. Made with care and shipped from Thailand.", title, strings.ToLower(cat.name)),
		DescriptionTH: fmt.Sprintf("%s ในหมวด%s ผลิตอย่างพิถีพิถัน จัดส่งจากประเทศไทย", titleTH, cat.nameTH),
		CategoryID:    &catID, Status: status, Currency: model.CurrencyTHB,
		CreatedAt: created, UpdatedAt: created,
	}}
	opts := demoKinds[dp.kind]
	for pos, o := range opts {
		vals, _ := json.Marshal(o.values)
		r.options = append(r.options, model.ProductOption{Position: pos, Name: o.name, ValuesJSON: string(vals)})
	}
	for pos, combo := range optionCombinations(opts) {
		price := basePrice
		if len(combo) > 0 {
			// Larger sizes and weights cost 10% more per step, in whole baht.
			step := int64(indexOf(opts[0].values, combo[0].Value))
			price += basePrice * step / 10 / 100 * 100
		}
		var compareAt *int64
		if i%7 == 0 {
			c := price * 125 / 100 / 100 * 100
			compareAt = &c
		}
		qty := rng.IntN(40)
		if noStock {
			qty = 0
		}
		sku := fmt.Sprintf("LR-%06d-%02d", i+1, pos+1)
		skuKey := model.SKUKey(sku)
		sel, _ := json.Marshal(combo)
		vtitle := "Default Title"
		if len(combo) > 0 {
			parts := make([]string, len(combo))
			for j, c := range combo {
				parts[j] = c.Value
			}
			vtitle = strings.Join(parts, " / ")
		}
		weight := 200 + rng.IntN(1800)
		r.variants = append(r.variants, model.ProductVariant{
			Position: pos, SKU: &sku, SKUKey: &skuKey, Title: vtitle, SelectedOptions: string(sel),
			Price: price, CompareAtPrice: compareAt, Currency: model.CurrencyTHB,
			InventoryQuantity: qty, InventoryTracked: true, LowStockThreshold: lowStock, WeightGrams: &weight,
			CreatedAt: created, UpdatedAt: created,
		})
		if pos == 0 || price < r.product.MinPrice {
			r.product.MinPrice = price
		}
		r.product.MaxPrice = max(r.product.MaxPrice, price)
	}
	for pos := 0; pos < 1+i%3; pos++ {
		alt := fmt.Sprintf("%s, view %d", title, pos+1)
		w, h := 1200, 1200
		r.images = append(r.images, model.ProductImage{
			Position: pos, URL: fmt.Sprintf("https://cdn.langran.example/products/%s/%d.jpg", handle, pos+1),
			AltText: &alt, Width: &w, Height: &h,
		})
	}
	for _, t := range strings.Split(dp.tags, ",") {
		r.tags = append(r.tags, model.ProductTag{Tag: t})
	}
	return r
}

func (s *Store) seedBatch(ctx context.Context, rng *rand.Rand, base time.Time, catIDs map[string]int64, start, end, batch int) error {
	rows := make([]seedRows, 0, end-start)
	// The products and tags are written with their sort and tag keys, which
	// RefreshProductSearch would otherwise compute and write in a second
	// pass; it still runs, and finds them right.
	products := make([]productWithKeys, 0, end-start)
	for i := start; i < end; i++ {
		r := seedProduct(rng, base, catIDs, i)
		rows = append(rows, r)
		products = append(products, productWithKeys{Product: r.product,
			TitleKey: model.TitleSortKey(r.product.Title), TitleTHKey: thaiTitleSortKey(r.product.Title, r.product.TitleTH)})
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.db.CreateInBatches(&products, batch).Error; err != nil {
			return fmt.Errorf("seed products: %w", TranslateError(err))
		}
		var variants []model.ProductVariant
		var images []model.ProductImage
		var options []model.ProductOption
		var tags [][]any
		for k, r := range rows {
			id := products[k].ID
			for _, v := range r.variants {
				v.ProductID = id
				variants = append(variants, v)
			}
			for _, im := range r.images {
				im.ProductID = id
				images = append(images, im)
			}
			for _, o := range r.options {
				o.ProductID = id
				options = append(options, o)
			}
			for _, t := range r.tags {
				tags = append(tags, []any{id, t.Tag, model.TagKey(t.Tag)})
			}
		}
		if err := errors.Join(insertAll(tx, variants, batch), insertAll(tx, images, batch),
			insertAll(tx, options, batch), tx.insertRows(ctx, "product_tags", []string{"product_id", "tag", "tag_key"}, tags, false)); err != nil {
			return err
		}
		ids := make([]int64, len(products))
		for k := range products {
			ids[k] = products[k].ID
		}
		// The stock the variants start with is their ledger's first entry.
		if err := tx.recordInitialStock(ctx, ids); err != nil {
			return fmt.Errorf("seed inventory movements: %w", err)
		}
		return tx.RefreshProductSearch(ctx, ids)
	})
}

// insertAll writes rows in multi-row INSERTs of at most batch rows each.
func insertAll[T any](tx *Store, rows []T, batch int) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.db.CreateInBatches(&rows, batch).Error; err != nil {
		return fmt.Errorf("seed %T: %w", rows[0], TranslateError(err))
	}
	return nil
}

// productWithKeys is a products row with its title sort keys, for writing
// both in one INSERT.
type productWithKeys struct {
	model.Product
	TitleKey   string
	TitleTHKey string `gorm:"column:title_th_key"`
}

// TableName is the table productWithKeys rows go to.
func (productWithKeys) TableName() string { return "products" }

func optionCombinations(opts []struct {
	name   string
	values []string
}) [][]model.SelectedOption {
	combos := [][]model.SelectedOption{{}}
	for _, o := range opts {
		var next [][]model.SelectedOption
		for _, c := range combos {
			for _, v := range o.values {
				n := append(append([]model.SelectedOption{}, c...), model.SelectedOption{Name: o.name, Value: v})
				next = append(next, n)
			}
		}
		combos = next
	}
	return combos
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}
