package store

import (
	"context"
	"strings"

	"github.com/langran/langran/model"
)

// refreshBatch is how many products RefreshProductSearch and the backfills
// handle per round of statements.
const refreshBatch = 500

// RefreshProductSearch recomputes everything the catalog keeps derived from
// a product's text, for the given products: the title sort keys the English
// and Thai title orders read (model.TitleSortKey) and the tag keys the tag
// filter compares (model.TagKey). Every writer of products or their tags must call
// it, on the Store of the transaction that wrote them, before committing;
// the seed and the migrations that introduced these keys do. IDs of deleted
// products are fine: what was derived from them is removed.
//
// The rules are computed in Go rather than by SQL functions, which differ
// between MySQL and SQLite, so both databases give the same answers.
func (s *Store) RefreshProductSearch(ctx context.Context, productIDs []int64) error {
	if len(productIDs) == 0 {
		return nil
	}
	return s.InTx(ctx, func(tx *Store) error {
		for start := 0; start < len(productIDs); start += refreshBatch {
			ids := productIDs[start:min(start+refreshBatch, len(productIDs))]
			if err := tx.refreshTitleKeys(ctx, ids); err != nil {
				return err
			}
			if err := tx.refreshTagKeys(ctx, ids); err != nil {
				return err
			}
		}
		return nil
	})
}

// forEachProductBatch calls fn with the IDs of every product, a batch at a
// time in ID order, each batch in its own transaction (a savepoint when s is
// already in one), passing fn the transaction's Store.
func (s *Store) forEachProductBatch(ctx context.Context, fn func(tx *Store, ctx context.Context, ids []int64) error) error {
	var after int64
	for {
		var ids []int64
		err := s.db.WithContext(ctx).Table("products").Where("id > ?", after).
			Order("id").Limit(refreshBatch).Pluck("id", &ids).Error
		if err != nil {
			return TranslateError(err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := s.InTx(ctx, func(tx *Store) error { return fn(tx, ctx, ids) }); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// refreshTagKeys sets product_tags.tag_key to model.TagKey(tag). Products
// whose keys are all right are left alone; the others get their tags
// rewritten whole, because no WHERE clause can name one tag exactly on
// MySQL, where the tag column's collation ignores case and accents.
func (s *Store) refreshTagKeys(ctx context.Context, productIDs []int64) error {
	type tagRow struct {
		ProductID int64
		Tag       string
		TagKey    string
	}
	var rows []tagRow
	err := s.db.WithContext(ctx).Table("product_tags").Select("product_id, tag, tag_key").
		Where("product_id IN ?", productIDs).Find(&rows).Error
	if err != nil {
		return TranslateError(err)
	}
	stale := map[int64]bool{}
	for _, r := range rows {
		if r.TagKey != model.TagKey(r.Tag) {
			stale[r.ProductID] = true
		}
	}
	if len(stale) == 0 {
		return nil
	}
	var ids []int64
	var values [][]any
	for id := range stale {
		ids = append(ids, id)
	}
	for _, r := range rows {
		if stale[r.ProductID] {
			values = append(values, []any{r.ProductID, r.Tag, model.TagKey(r.Tag)})
		}
	}
	if err := s.db.WithContext(ctx).Exec("DELETE FROM product_tags WHERE product_id IN ?", ids).Error; err != nil {
		return TranslateError(err)
	}
	return s.insertRows(ctx, "product_tags", []string{"product_id", "tag", "tag_key"}, values, false)
}

// insertRows writes rows into table with multi-row INSERTs, a bounded number
// of values per statement. With ignore, rows whose key already exists are
// skipped (INSERT IGNORE on MySQL, INSERT OR IGNORE on SQLite).
func (s *Store) insertRows(ctx context.Context, table string, columns []string, rows [][]any, ignore bool) error {
	if len(rows) == 0 {
		return nil
	}
	verb := "INSERT INTO "
	if ignore {
		verb = "INSERT IGNORE INTO "
		if s.dialect == SQLite {
			verb = "INSERT OR IGNORE INTO "
		}
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	head := verb + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	// SQLite allows 32766 parameters per statement; stay well below.
	per := max(1, 8000/len(columns))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.Grow(len(head) + len(chunk)*(len(tuple)+1))
		b.WriteString(head)
		args := make([]any, 0, len(chunk)*len(columns))
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		if err := s.db.WithContext(ctx).Exec(b.String(), args...).Error; err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// refreshTitleKeys sets products.title_key and title_th_key to the keys of
// the English and Thai title orders, in one UPDATE for the rows that differ.
func (s *Store) refreshTitleKeys(ctx context.Context, productIDs []int64) error {
	type keyRow struct {
		ID         int64
		Title      string
		TitleTH    string `gorm:"column:title_th"`
		TitleKey   string
		TitleTHKey string `gorm:"column:title_th_key"`
	}
	var rows []keyRow
	err := s.db.WithContext(ctx).Table("products").Select("id, title, title_th, title_key, title_th_key").
		Where("id IN ?", productIDs).Find(&rows).Error
	if err != nil {
		return TranslateError(err)
	}
	var ids []int64
	var en, th strings.Builder
	var enArgs, thArgs []any
	for _, r := range rows {
		k, kth := model.TitleSortKey(r.Title), thaiTitleSortKey(r.Title, r.TitleTH)
		if k == r.TitleKey && kth == r.TitleTHKey {
			continue
		}
		ids = append(ids, r.ID)
		en.WriteString(" WHEN ? THEN ?")
		th.WriteString(" WHEN ? THEN ?")
		enArgs = append(enArgs, r.ID, k)
		thArgs = append(thArgs, r.ID, kth)
	}
	if len(ids) == 0 {
		return nil
	}
	args := append(append(enArgs, thArgs...), ids)
	err = s.db.WithContext(ctx).Exec("UPDATE products SET title_key = CASE id"+en.String()+
		" END, title_th_key = CASE id"+th.String()+" END WHERE id IN ?", args...).Error
	return TranslateError(err)
}
