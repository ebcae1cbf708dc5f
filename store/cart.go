package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// CreateCart inserts a cart and its lines, written by hand (two statements,
// without the reflection of GORM's Create): the cart gets its ID, the lines
// (inserted together) do not, as nothing reads them back.
//
// A guest's cart (no customer) is inserted without a transaction, which
// would cost every new cart a BEGIN and a COMMIT: a guest's cart is found
// only by its key, which no one knows until CreateCart returns, so no one
// can see it without its lines. Should the lines' insert fail, the cart is
// deleted again (and were that to fail too, it is a cart no one has the
// key of, which expires and is pruned). A customer's cart is also found by
// the customer (their current cart, the merge of their carts), so it is
// inserted with its lines in one transaction.
func (s *Store) CreateCart(ctx context.Context, c *model.Cart, lines []model.CartLine) error {
	if _, inTx := s.db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return s.createCart(ctx, c, lines)
	}
	if c.CustomerID != nil {
		return s.InTx(ctx, func(tx *Store) error { return tx.createCart(ctx, c, lines) })
	}
	err := s.createCart(ctx, c, lines)
	if err != nil && c.ID != 0 {
		db := s.db.WithContext(context.WithoutCancel(ctx))
		if db.Exec("DELETE FROM cart_lines WHERE cart_id = ?", c.ID).Error == nil {
			_ = db.Exec("DELETE FROM carts WHERE id = ?", c.ID).Error
		}
		c.ID = 0
	}
	return err
}

func (s *Store) createCart(ctx context.Context, c *model.Cart, lines []model.CartLine) error {
	id, err := s.insert(ctx, `INSERT INTO carts (cart_key, customer_id, email, phone, country_code, delivery_address, note,
			discount_codes, delivery_option, status, created_at, updated_at, expires_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CartKey, c.CustomerID, c.Email, c.Phone, c.CountryCode, c.DeliveryAddress, c.Note, c.DiscountCodes,
		c.DeliveryOption, c.Status, c.CreatedAt, c.UpdatedAt, c.ExpiresAt, c.Version)
	if err != nil {
		return err
	}
	c.ID = id
	if len(lines) == 0 {
		return nil
	}
	const row = "(?, ?, ?, ?, ?, ?)"
	args := make([]any, 0, 6*len(lines))
	for i := range lines {
		l := &lines[i]
		l.CartID = c.ID
		args = append(args, l.CartID, l.VariantID, l.Quantity, l.SeenPrice, l.CreatedAt, l.UpdatedAt)
	}
	return TranslateError(s.db.WithContext(ctx).Exec(`INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price, created_at, updated_at)
		VALUES `+row+strings.Repeat(", "+row, len(lines)-1), args...).Error)
}

// FindCartByKey returns the cart with this key, whatever its status, or
// NotFound.
func (s *Store) FindCartByKey(ctx context.Context, key string) (*model.Cart, error) {
	var c model.Cart
	if err := s.db.WithContext(ctx).Where("cart_key = ?", key).Take(&c).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &c, nil
}

// FindCartsByKeys returns the carts with these keys, whatever their status.
func (s *Store) FindCartsByKeys(ctx context.Context, keys []string) ([]model.Cart, error) {
	var out []model.Cart
	if len(keys) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("cart_key IN ?", keys).Find(&out).Error
	return out, TranslateError(err)
}

// FindCartLinesByCartIDs returns the lines of these carts, oldest first.
func (s *Store) FindCartLinesByCartIDs(ctx context.Context, ids []int64) ([]model.CartLine, error) {
	var out []model.CartLine
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("cart_id IN ?", ids).Order("cart_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// FindActiveCartOfCustomer returns the customer's most recently changed
// active cart, or NotFound.
func (s *Store) FindActiveCartOfCustomer(ctx context.Context, customerID int64, now time.Time) (*model.Cart, error) {
	var c model.Cart
	err := s.db.WithContext(ctx).Where("customer_id = ? AND status = ? AND expires_at > ?", customerID, model.CartActive, now).
		Order("updated_at DESC, id DESC").Take(&c).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &c, nil
}

// FindOtherActiveCartOfCustomer returns an active cart of the customer other
// than keep, or NotFound.
func (s *Store) FindOtherActiveCartOfCustomer(ctx context.Context, customerID, keep int64, now time.Time) (*model.Cart, error) {
	var c model.Cart
	err := s.db.WithContext(ctx).Where("customer_id = ? AND id <> ? AND status = ? AND expires_at > ?",
		customerID, keep, model.CartActive, now).Order("id").Take(&c).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &c, nil
}

// LockCart takes the cart with key for update and returns it with its
// lines. Every change to a cart's lines, and checkout, happens under this
// lock, in the caller's transaction, so two such changes to one cart run
// one after the other and each sees the other's result (tx must be a
// transaction). Changes of the cart's own fields alone use
// SaveCartFieldsIf instead, which fails rather than overwrites when any
// write came between.
func (s *Store) LockCart(ctx context.Context, key string) (*model.Cart, []model.CartLine, error) {
	return s.cartWithLines(ctx, "cart_key", key, true)
}

// LockCartByID is LockCart for a cart known by its row ID.
func (s *Store) LockCartByID(ctx context.Context, id int64) (*model.Cart, []model.CartLine, error) {
	return s.cartWithLines(ctx, "id", id, true)
}

// FindCartWithLines is LockCart as a plain read, which locks nothing: the
// cart with key and its lines in one statement, for what is checked before
// a change takes the lock (the delivery option a cart chooses, the price
// of delivery a checkout takes in).
func (s *Store) FindCartWithLines(ctx context.Context, key string) (*model.Cart, []model.CartLine, error) {
	return s.cartWithLines(ctx, "cart_key", key, false)
}

// cartWithLines reads the cart whose column is value with its lines in one
// statement, scanned by hand (GORM's reflection over the joined rows was a
// tenth of a purchase's CPU: every cart change and checkout starts here).
// With lock it is a locking read on MySQL: the cart's row and its lines'
// rows are locked until the transaction ends (the lines are only ever
// written under the cart's lock, so locking them too makes no one wait
// longer). Checkout and every cart change start with it; one statement
// instead of two is one round trip less on each.
func (s *Store) cartWithLines(ctx context.Context, column string, value any, lock bool) (*model.Cart, []model.CartLine, error) {
	q := `SELECT ` + qualified("carts", cartColumns) + `, l.id, l.variant_id, l.quantity, l.seen_price, l.created_at, l.updated_at
		FROM carts LEFT JOIN cart_lines l ON l.cart_id = carts.id
		WHERE carts.` + column + ` = ? ORDER BY l.id`
	if lock && s.dialect == MySQL {
		q += " FOR UPDATE"
	}
	rows, err := s.db.WithContext(ctx).Raw(q, value).Rows()
	if err != nil {
		return nil, nil, TranslateError(err)
	}
	defer rows.Close()
	var c *model.Cart
	lines := []model.CartLine{}
	for rows.Next() {
		var row model.Cart
		var id, variantID, seenPrice *int64
		var quantity *int
		var created, updated *time.Time
		if err := rows.Scan(append(cartDest(&row), &id, &variantID, &quantity, &seenPrice, &created, &updated)...); err != nil {
			return nil, nil, TranslateError(err)
		}
		if c == nil {
			c = &row
		}
		if id != nil {
			lines = append(lines, model.CartLine{ID: *id, CartID: c.ID, VariantID: *variantID, Quantity: *quantity,
				SeenPrice: seenPrice, CreatedAt: *created, UpdatedAt: *updated})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, TranslateError(err)
	}
	if c == nil {
		return nil, nil, TranslateError(gorm.ErrRecordNotFound)
	}
	return c, lines, nil
}

// SaveCart writes a locked cart's fields and replaces its lines with lines:
// lines with an ID are updated, lines without one inserted, and the cart's
// other lines deleted. However many lines there are, that is at most four
// statements: the cart, one INSERT of the new lines, one UPDATE of the
// others, one DELETE.
func (s *Store) SaveCart(ctx context.Context, c *model.Cart, lines []model.CartLine) error {
	db := s.db.WithContext(ctx)
	if err := s.SaveCartFields(ctx, c); err != nil {
		return err
	}
	var added []model.CartLine
	var ids []int64
	var qty, updated, seen strings.Builder
	var qtyArgs, updatedArgs, seenArgs []any
	for i := range lines {
		lines[i].CartID = c.ID
		l := lines[i]
		if l.ID == 0 {
			added = append(added, l)
			continue
		}
		ids = append(ids, l.ID)
		qty.WriteString(" WHEN ? THEN ?")
		qtyArgs = append(qtyArgs, l.ID, l.Quantity)
		updated.WriteString(" WHEN ? THEN ?")
		updatedArgs = append(updatedArgs, l.ID, l.UpdatedAt)
		seen.WriteString(" WHEN ? THEN ?")
		seenArgs = append(seenArgs, l.ID, l.SeenPrice)
	}
	if len(ids) > 0 {
		args := append(append(append(qtyArgs, updatedArgs...), seenArgs...), c.ID, ids)
		if err := db.Exec("UPDATE cart_lines SET quantity = CASE id"+qty.String()+" END, updated_at = CASE id"+updated.String()+
			" END, seen_price = CASE id"+seen.String()+" END WHERE cart_id = ? AND id IN ?", args...).Error; err != nil {
			return TranslateError(err)
		}
	}
	if len(added) > 0 {
		if err := db.Create(&added).Error; err != nil {
			return TranslateError(err)
		}
		// The caller's lines get their new IDs, in order.
		k := 0
		for i := range lines {
			if lines[i].ID == 0 {
				lines[i].ID = added[k].ID
				k++
			}
		}
	}
	keep := append([]int64{0}, ids...)
	for _, l := range added {
		keep = append(keep, l.ID)
	}
	return TranslateError(db.Where("cart_id = ? AND id NOT IN ?", c.ID, keep).Delete(&model.CartLine{}).Error)
}

// SaveCartFields writes a locked cart's own fields, leaving its lines as
// they are, and raises its version: the one statement of a change under
// the cart's lock that touched no line.
func (s *Store) SaveCartFields(ctx context.Context, c *model.Cart) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE carts SET customer_id = ?, email = ?, phone = ?, country_code = ?,
			delivery_address = ?, note = ?, discount_codes = ?, delivery_option = ?, status = ?, updated_at = ?, expires_at = ?,
			version = version + 1
		WHERE id = ?`, c.CustomerID, c.Email, c.Phone, c.CountryCode, c.DeliveryAddress, c.Note, c.DiscountCodes,
		c.DeliveryOption, c.Status, c.UpdatedAt, c.ExpiresAt, c.ID)
	if res.Error == nil {
		c.Version++
	}
	return TranslateError(res.Error)
}

// SaveCartFieldsIf writes the cart's own fields, as SaveCartFields does,
// only if the cart is still at c.Version and active, with no lock or
// transaction: one statement. It reports whether it wrote; false means
// another write came first (the caller reads the cart again and retries).
func (s *Store) SaveCartFieldsIf(ctx context.Context, c *model.Cart) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE carts SET customer_id = ?, email = ?, phone = ?, country_code = ?,
			delivery_address = ?, note = ?, discount_codes = ?, delivery_option = ?, updated_at = ?, expires_at = ?,
			version = version + 1
		WHERE id = ? AND version = ? AND status = ?`, c.CustomerID, c.Email, c.Phone, c.CountryCode, c.DeliveryAddress,
		c.Note, c.DiscountCodes, c.DeliveryOption, c.UpdatedAt, c.ExpiresAt, c.ID, c.Version, model.CartActive)
	if res.Error != nil {
		return false, TranslateError(res.Error)
	}
	if res.RowsAffected == 1 {
		c.Version++
	}
	return res.RowsAffected == 1, nil
}

// DeleteExpiredCarts removes up to limit active carts that expired before
// now, with their lines, and returns how many went. Completed carts stay:
// their orders refer to them.
func (s *Store) DeleteExpiredCarts(ctx context.Context, now time.Time, limit int) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Table("carts").Where("status <> ? AND expires_at < ?", model.CartCompleted, now).
		Order("expires_at").Limit(limit).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		return 0, TranslateError(err)
	}
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.db.WithContext(ctx).Where("cart_id IN ?", ids).Delete(&model.CartLine{}).Error; err != nil {
			return TranslateError(err)
		}
		res := tx.db.WithContext(ctx).Where("id IN ? AND status <> ? AND expires_at < ?", ids, model.CartCompleted, now).
			Delete(&model.Cart{})
		n = res.RowsAffected
		return TranslateError(res.Error)
	})
	return n, err
}

// FindDiscountsByCodeKeys returns the discounts with these code keys.
func (s *Store) FindDiscountsByCodeKeys(ctx context.Context, keys []string) ([]model.Discount, error) {
	var out []model.Discount
	if len(keys) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("code_key IN ?", keys).Find(&out).Error
	return out, TranslateError(err)
}

// CountDiscountUses returns how often the buyer (an email key) used each of
// these discounts.
func (s *Store) CountDiscountUses(ctx context.Context, discountIDs []int64, buyerKey string) (map[int64]int, error) {
	out := map[int64]int{}
	if len(discountIDs) == 0 || buyerKey == "" {
		return out, nil
	}
	var rows []struct {
		DiscountID int64
		N          int
	}
	err := s.db.WithContext(ctx).Table("discount_usages").Select("discount_id, COUNT(*) AS n").
		Where("discount_id IN ? AND buyer_key = ?", discountIDs, buyerKey).Group("discount_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.DiscountID] = r.N
	}
	return out, TranslateError(err)
}

// CreateDiscount inserts a discount code; a taken code is a Conflict.
func (s *Store) CreateDiscount(ctx context.Context, d *model.Discount) error {
	return TranslateError(s.db.WithContext(ctx).Create(d).Error)
}
