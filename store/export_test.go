package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MigrateTo applies the migrations up to version v, for tests that need a
// database as an older release left it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrateTo(ctx, v) }

// MigrationVersions lists the versions of the migrations in this build;
// they need not be consecutive (see appliedVersions).
func MigrationVersions() []int {
	var out []int
	for _, m := range migrations {
		out = append(out, m.Version)
	}
	return out
}

// SearchPlan says how text searches are answered: "index" always through
// the index, "read" always by reading products (except for a word no
// product has), "" as in production. It returns a function restoring the
// previous setting.
func SearchPlan(plan string) (restore func()) {
	list, count := listIndexRatio, countIndexRatio
	switch plan {
	case "index":
		listIndexRatio, countIndexRatio = 0, 0
	case "read":
		listIndexRatio, countIndexRatio = 1<<40, 1<<40
	}
	return func() { listIndexRatio, countIndexRatio = list, count }
}

// CheckSearchIndex recomputes the search index from the products in Go and
// reports every difference from the stored one: texts, postings, and each
// term's df and trigrams.
func (s *Store) CheckSearchIndex(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	var products []productText
	if err := db.Table("products").Select("id, title, title_th, description, description_th").Find(&products).Error; err != nil {
		return err
	}
	wantText := map[int64]string{}
	wantPostings := map[[2]int64]bool{}
	wantDF := map[int64]int64{}
	termOf := map[int64]string{}
	for _, p := range products {
		text := searchText(p.Title, p.TitleTH, p.Description, p.DescriptionTH)
		wantText[p.ID] = text
		for _, t := range terms(text) {
			h := termHash(t)
			termOf[h] = t
			wantPostings[[2]int64{h, p.ID}] = true
			wantDF[h]++
		}
	}
	var problems []string
	var texts []struct {
		ProductID  int64
		SearchText string
	}
	if err := db.Table("product_search").Find(&texts).Error; err != nil {
		return err
	}
	gotText := map[int64]string{}
	for _, r := range texts {
		gotText[r.ProductID] = r.SearchText
	}
	if !maps.Equal(gotText, wantText) {
		problems = append(problems, fmt.Sprintf("product_search has %d rows, want %d (or texts differ)", len(gotText), len(wantText)))
	}
	var postings []struct{ TermHash, ProductID int64 }
	if err := db.Table("product_search_terms").Find(&postings).Error; err != nil {
		return err
	}
	gotPostings := map[[2]int64]bool{}
	for _, p := range postings {
		gotPostings[[2]int64{p.TermHash, p.ProductID}] = true
	}
	if !maps.Equal(gotPostings, wantPostings) {
		problems = append(problems, fmt.Sprintf("%d postings, want %d (or they differ)", len(gotPostings), len(wantPostings)))
	}
	var tokens []struct {
		Hash int64
		Term string
		DF   int64 `gorm:"column:df"`
	}
	if err := db.Table("search_terms").Find(&tokens).Error; err != nil {
		return err
	}
	for _, t := range tokens {
		if t.DF != wantDF[t.Hash] {
			problems = append(problems, fmt.Sprintf("term %q: df %d, want %d", t.Term, t.DF, wantDF[t.Hash]))
		}
		if termHash(t.Term) != t.Hash {
			problems = append(problems, fmt.Sprintf("term %q under hash %d", t.Term, t.Hash))
		}
		delete(termOf, t.Hash)
	}
	for _, t := range termOf {
		problems = append(problems, fmt.Sprintf("term %q missing from the vocabulary", t))
	}
	var grams []struct{ Gram, TermHash int64 }
	if err := db.Table("search_term_grams").Find(&grams).Error; err != nil {
		return err
	}
	gotGrams := map[int64][]int64{}
	for _, g := range grams {
		gotGrams[g.TermHash] = append(gotGrams[g.TermHash], g.Gram)
	}
	for _, t := range tokens {
		want := termGrams(t.Term)
		slices.Sort(want)
		got := gotGrams[t.Hash]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("term %q: trigrams differ", t.Term))
		}
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("and %d more", len(problems)-10))
		}
		return fmt.Errorf("search index: %s", strings.Join(problems, "; "))
	}
	return nil
}
