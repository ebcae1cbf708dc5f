package store

import (
	"context"
	"slices"
	"strings"

	"github.com/langran/langran/model"
)

// refreshBatch is how many products RefreshProductSearch and the backfills
// handle per round of statements.
const refreshBatch = 500

// RefreshProductSearch recomputes, for the given products, everything the
// catalog keeps derived from their text: the title sort keys the English
// and Thai title orders read (model.TitleSortKey), the tag keys the tag
// filter compares (model.TagKey), and the text search index (search.go).
//
// Every writer of products or of their tags must call it with the IDs it
// wrote, created or deleted, on the Store of the transaction that wrote
// them (inside InTx), before that transaction commits; the seed and the
// migrations that introduced these keys do. Outside a transaction it opens
// its own. Only what changed is rewritten, so calling it for an unchanged
// product costs a few reads.
//
// The rules are computed in Go rather than by SQL functions, which differ
// between MySQL and SQLite, so both databases give the same answers.
func (s *Store) RefreshProductSearch(ctx context.Context, productIDs []int64) error {
	productIDs = slices.Compact(slices.Sorted(slices.Values(productIDs)))
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
			if err := tx.refreshSearchIndex(ctx, ids); err != nil {
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

// refreshTagKeys sets product_tags.tag_key to model.TagKey(tag) where it
// differs, in one UPDATE. A row is named by product and tag: on MySQL the
// tag comparison ignores case and accents, but a product cannot have two
// tags equal under it (they would collide in the primary key), so it still
// names one row.
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
	var cases strings.Builder
	var args []any
	var ids []int64
	for _, r := range rows {
		if k := model.TagKey(r.Tag); k != r.TagKey {
			cases.WriteString(" WHEN product_id = ? AND tag = ? THEN ?")
			args = append(args, r.ProductID, r.Tag, k)
			if len(ids) == 0 || ids[len(ids)-1] != r.ProductID {
				ids = append(ids, r.ProductID)
			}
		}
	}
	if len(args) == 0 {
		return nil
	}
	args = append(args, ids)
	err = s.db.WithContext(ctx).Exec("UPDATE product_tags SET tag_key = CASE"+cases.String()+
		" ELSE tag_key END WHERE product_id IN ?", args...).Error
	return TranslateError(err)
}

// insertRows writes rows into table with multi-row INSERTs, a bounded number
// of values per statement. With ignore, rows whose key already exists are
// skipped (INSERT IGNORE on MySQL, INSERT OR IGNORE on SQLite).
func (s *Store) insertRows(ctx context.Context, table string, columns []string, rows [][]any, ignore bool) error {
	verb := "INSERT INTO "
	if ignore {
		verb = "INSERT IGNORE INTO "
		if s.dialect == SQLite {
			verb = "INSERT OR IGNORE INTO "
		}
	}
	return s.insertStatements(ctx, verb, table, columns, rows, "")
}

// insertRowsThen is insertRows with a clause after the VALUES, such as an
// upsert's ON DUPLICATE KEY UPDATE.
func (s *Store) insertRowsThen(ctx context.Context, table string, columns []string, rows [][]any, tail string) error {
	return s.insertStatements(ctx, "INSERT INTO ", table, columns, rows, tail)
}

func (s *Store) insertStatements(ctx context.Context, verb, table string, columns []string, rows [][]any, tail string) error {
	if len(rows) == 0 {
		return nil
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	head := verb + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	// SQLite allows 32766 parameters per statement; stay well below.
	per := max(1, 8000/len(columns))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.Grow(len(head) + len(chunk)*(len(tuple)+1) + len(tail))
		b.WriteString(head)
		args := make([]any, 0, len(chunk)*len(columns))
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		b.WriteString(tail)
		if err := s.db.WithContext(ctx).Exec(b.String(), args...).Error; err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// refreshTitleKeys sets products.title_key and title_th_key to the keys of
// the English and Thai title orders, in one UPDATE for the rows that differ.
func (s *Store) refreshTitleKeys(ctx context.Context, productIDs []int64) error {
	rows, err := s.lockProductTexts(ctx, productIDs, "id, title, title_th, title_key, title_th_key")
	if err != nil {
		return err
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
