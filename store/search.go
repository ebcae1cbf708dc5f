package store

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Text search (ProductFilter.Query) finds the products whose English or
// Thai title or description contains every word of the query, as a
// substring, compared after model.FoldText on both sides: case-insensitive
// by Go's lower-casing, accents significant, byte for byte. "ผ้า" finds
// "ผ้าไหม" and "ผ้าขาวม้า"; "shirt" finds "T-Shirts"; "cafe" does not find
// "café". Control characters separate words like spaces.
//
// Thai is written without spaces between words, and MySQL has no n-gram
// full-text parser (MariaDB none at all), so the index is built here, from
// terms: the runs of letters, marks and digits of a product's folded text
// ("t-shirts," has the terms "t" and "shirts"). Whatever a query word is,
// each of its own terms lies inside some term of every text containing the
// word, so the products having a term that contains one of the word's terms
// are candidates, and a check of the whole word against the text decides.
// Five tables, all compared byte for byte (BLOB text, integer keys), so
// both databases answer alike:
//
//	product_search         each product's folded text (its distinct
//	                       whitespace-separated tokens): what every word is
//	                       finally checked against, with INSTR
//	search_terms          the vocabulary: each distinct term, keyed by a
//	                       64-bit hash of its bytes, with df, the number of
//	                       products having it
//	search_term_grams     the character trigrams of each term (with two
//	                       padding positions at its end, so every one or two
//	                       characters of a term begin some trigram), each
//	                       packed into a BIGINT
//	product_search_terms  the postings: which products have which terms
//
// A query is answered one of two ways, chosen inside the statement from the
// vocabulary's df, which the database's own planner cannot see:
//
//   - through the index, when some term of the query is rare: the terms
//     containing the rarest one are found by their trigrams (and INSTR),
//     their postings give the candidates, and each candidate's text is
//     checked against every word. Work grows with the rarest term's
//     postings, not with the catalog.
//   - by reading products in the page's order and checking their text, when
//     every term is common (in "thailand", found in every product, or "a"):
//     a page of such words is found after a few rows, where the index would
//     first gather nearly every product.
//
// Terms of one character are never looked up in the index (nearly every
// product has any given character); their words are still checked against
// the text, so a query of only such words is answered by reading. Terms of
// two characters are looked up by the range of trigrams they begin. A word
// without letters or digits ("%") is checked against the text only.
//
// The vocabulary is far smaller than the text, as products share most of
// their terms: 100k generated products have about 0.1M terms and 1.9M
// postings. Terms longer than maxTermRunes characters are indexed as
// overlapping pieces, so any term of a query word (at most
// MaxSearchWordRunes characters) lies wholly inside one piece.
//
// RefreshProductSearch keeps all of it current; see refreshSearchIndex.

// Limits on a text query. The GraphQL layer enforces tighter ones for
// clients (8 words, 200 characters in all); the store refuses anything it
// could not answer exactly or cheaply.
const (
	MaxSearchWords     = 8
	MaxSearchWordRunes = 200
)

const (
	maxTermRunes = 255
	// termStep is the start distance between the pieces of a long term:
	// consecutive pieces overlap by MaxSearchWordRunes-1 characters.
	termStep = maxTermRunes - MaxSearchWordRunes + 1
	// gramsPerTerm bounds the trigrams a query term is looked up by; more
	// would rarely narrow the candidates further, and each costs index reads.
	gramsPerTerm = 4
	runeBits     = 21 // every Unicode code point fits in 21 bits
	runeMask     = 1<<runeBits - 1
)

// How rare the rarest term must be for the index to be used, as the share
// of the catalog its postings make up: less than one in listIndexRatio for
// a page (reading products in order finds a page of a word in one product
// in 20 after about 20 pages' worth of rows, fewer than the index would
// gather), less than one in countIndexRatio for a count (which must read
// every product; a posting costs about as much as two products read in
// order, measured on MariaDB with the data in memory). The catalog size is
// estimated by the highest product ID, which costs nothing to read.
var (
	listIndexRatio  int64 = 20
	countIndexRatio int64 = 2
)

// searchWords validates a text query and returns its words (model.SearchWords).
func searchWords(query string) ([]string, error) {
	words := model.SearchWords(query)
	if len(words) > MaxSearchWords {
		return nil, model.Errorf(model.CodeInvalid, "query may have at most %d words", MaxSearchWords)
	}
	for _, w := range words {
		if utf8.RuneCountInString(w) > MaxSearchWordRunes {
			return nil, model.Errorf(model.CodeInvalid, "query words may have at most %d characters", MaxSearchWordRunes)
		}
	}
	return words, nil
}

// searchText is the text of a product that query words are checked against:
// its distinct whitespace-separated tokens, folded, joined by spaces. A word
// has no spaces, so it occurs in this text exactly when it occurs in the
// product's texts.
func searchText(texts ...string) string {
	var toks []string
	seen := map[string]bool{}
	for _, text := range texts {
		for _, tok := range strings.Fields(model.FoldText(text)) {
			if !seen[tok] {
				seen[tok] = true
				toks = append(toks, tok)
			}
		}
	}
	return strings.Join(toks, " ")
}

func isTermRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) }

// terms returns the distinct runs of letters, marks and digits of folded
// text, in order of first appearance, cutting runs longer than maxTermRunes
// into overlapping pieces.
func terms(folded string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range strings.FieldsFunc(folded, func(r rune) bool { return !isTermRune(r) }) {
		if utf8.RuneCountInString(run) <= maxTermRunes {
			add(run)
			continue
		}
		rs := []rune(run)
		for start := 0; ; start += termStep {
			end := min(start+maxTermRunes, len(rs))
			add(string(rs[start:end]))
			if end == len(rs) {
				break
			}
		}
	}
	return out
}

// termHash is a term's key: FNV-1a of its bytes. Two terms with one hash
// are caught when the second is indexed (see addSearchTokens).
func termHash(t string) int64 {
	h := fnv.New64a()
	h.Write([]byte(t))
	return int64(h.Sum64())
}

// trigram packs three code points into one non-negative BIGINT; 0 stands for
// "past the end of the term".
func trigram(a, b, c rune) int64 {
	return int64(a)<<(2*runeBits) | int64(b)<<runeBits | int64(c)
}

// termGrams returns the distinct trigrams starting at each character of t,
// padded past its end: "abc" gives abc, bc_, c__.
func termGrams(t string) []int64 {
	rs := []rune(t)
	at := func(i int) rune {
		if i < len(rs) {
			return rs[i]
		}
		return 0
	}
	out := make([]int64, 0, len(rs))
	for i := range rs {
		g := trigram(rs[i], at(i+1), at(i+2))
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// textSearch is a text query ready to be turned into SQL.
type textSearch struct {
	words   []string
	drivers []string // the query's distinct terms of two or more characters
	// exact says the candidates of the only driver are the answer: one word,
	// which is a single term.
	exact bool
}

func newTextSearch(words []string) textSearch {
	ts := textSearch{words: words}
	for _, w := range words {
		for _, t := range terms(w) {
			if utf8.RuneCountInString(t) >= 2 && !slices.Contains(ts.drivers, t) {
				ts.drivers = append(ts.drivers, t)
			}
		}
	}
	ts.exact = len(words) == 1 && len(ts.drivers) == 1 && ts.drivers[0] == words[0]
	return ts
}

// termsContaining returns a query selecting hash and df of the vocabulary
// terms that contain driver i. A driver of three or more characters is
// looked up by up to gramsPerTerm of its trigrams, all of which a containing
// term has; one of two characters by the range of trigrams it begins. INSTR
// on the term then keeps only exact matches.
func (ts textSearch) termsContaining(db *gorm.DB, i int) *gorm.DB {
	rs := []rune(ts.drivers[i])
	grams := db.Table("search_term_grams g").Select("g.term_hash")
	if len(rs) == 2 {
		lo := trigram(rs[0], rs[1], 0)
		grams = grams.Where("g.gram BETWEEN ? AND ?", lo, lo|runeMask)
	} else {
		var all []int64
		for j := 0; j+2 < len(rs); j++ {
			if g := trigram(rs[j], rs[j+1], rs[j+2]); !slices.Contains(all, g) {
				all = append(all, g)
			}
		}
		picked := all
		if len(all) > gramsPerTerm {
			// Spread over the term: the first, the last and evenly between.
			picked = nil
			for k := range gramsPerTerm {
				picked = append(picked, all[k*(len(all)-1)/(gramsPerTerm-1)])
			}
		}
		grams = grams.Where("g.gram IN ?", picked).Group("g.term_hash").Having("COUNT(*) = ?", len(picked))
	}
	return db.Table("search_terms t").Select("t.hash, t.df").
		Where("t.hash IN (?) AND INSTR(t.term, ?) > 0", grams, ts.drivers[i])
}

// union joins queries with UNION ALL.
func union(db *gorm.DB, qs []*gorm.DB) *gorm.DB {
	parts := make([]string, len(qs))
	args := make([]any, len(qs))
	for i, q := range qs {
		parts[i], args[i] = "?", q
	}
	return db.Raw(strings.Join(parts, " UNION ALL "), args...)
}

// driverDFs selects (d, df) for every driver: the df of all the vocabulary
// terms containing it, summed (an upper bound on the products containing
// it, exact when one term does).
func (ts textSearch) driverDFs(db *gorm.DB) *gorm.DB {
	qs := make([]*gorm.DB, len(ts.drivers))
	for i := range ts.drivers {
		qs[i] = db.Raw(fmt.Sprintf("SELECT %d AS d, COALESCE(SUM(k.df), 0) AS df FROM (?) k", i), ts.termsContaining(db, i))
	}
	return union(db, qs)
}

// candidates selects, as product_id, the products having a term that
// contains the rarest driver: a superset of the answer.
func (ts textSearch) candidates(db *gorm.DB) *gorm.DB {
	qs := make([]*gorm.DB, len(ts.drivers))
	for i := range ts.drivers {
		qs[i] = db.Raw(fmt.Sprintf("SELECT k.hash, %d AS d FROM (?) k", i), ts.termsContaining(db, i))
	}
	q := db.Table("product_search_terms pt").Distinct("pt.product_id").
		Joins("JOIN (?) tt ON tt.hash = pt.term_hash", union(db, qs))
	if len(ts.drivers) > 1 {
		rarest := db.Raw("SELECT x.d FROM (?) x ORDER BY x.df, x.d LIMIT 1", ts.driverDFs(db))
		q = q.Where("tt.d = (?)", rarest)
	}
	return q
}

// useIndex is the condition, constant for the statement, under which the
// index is used: the rarest driver is in fewer than one product in ratio.
// The database evaluates it once, before reading any table, and skips the
// branch whose condition is false.
func (ts textSearch) useIndex(db *gorm.DB, ratio int64) (string, []any) {
	return "(SELECT MIN(x.df) FROM (?) x) * ? < (SELECT COALESCE(MAX(lp.id), 0) FROM products lp)",
		[]any{ts.driverDFs(db), ratio}
}

// searchBranches returns queries over "products" whose union is the
// products matching the words: one reading candidates from the index and
// one reading products, each under its condition, so that one of them
// returns rows; or only the reading one when no term can drive.
func (s *Store) searchBranches(db *gorm.DB, words []string, ratio int64) []*gorm.DB {
	db = db.Session(&gorm.Session{NewDB: true})
	ts := newTextSearch(words)
	check := func(q *gorm.DB) *gorm.DB {
		q = q.Joins("JOIN product_search ps ON ps.product_id = products.id")
		for _, w := range words {
			q = q.Where("INSTR(ps.search_text, ?) > 0", w)
		}
		return q
	}
	read := check(db.Table("products"))
	if len(ts.drivers) == 0 {
		return []*gorm.DB{read}
	}
	cond, args := ts.useIndex(db, ratio)
	index := db.Table("(?) langran_found", ts.candidates(db)).
		Joins(s.orderedJoin() + " products ON products.id = langran_found.product_id")
	if !ts.exact {
		index = check(index)
	}
	return []*gorm.DB{index.Where(cond, args...), read.Where("NOT ("+cond+")", args...)}
}

// orderedJoin is the join keyword that makes the database read the table on
// its left first: STRAIGHT_JOIN on MySQL, CROSS JOIN on SQLite (whose
// planner never reorders a CROSS JOIN). Both take an ON condition.
func (s *Store) orderedJoin() string {
	if s.dialect == MySQL {
		return "STRAIGHT_JOIN"
	}
	return "CROSS JOIN"
}

// productText is what the search index and the title keys are computed from.
type productText struct {
	ID            int64
	Title         string
	TitleTH       string `gorm:"column:title_th"`
	Description   string
	DescriptionTH string `gorm:"column:description_th"`
	TitleKey      string
	TitleTHKey    string `gorm:"column:title_th_key"`
}

// lockProductTexts reads the texts of these products. On MySQL it locks
// their rows, which serialises refreshes of one product, and reads the
// latest committed text rather than the transaction's snapshot.
func (s *Store) lockProductTexts(ctx context.Context, productIDs []int64, columns string) ([]productText, error) {
	q := s.db.WithContext(ctx).Table("products").Select(columns).Where("id IN ?", productIDs)
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []productText
	if err := q.Find(&rows).Error; err != nil {
		return nil, TranslateError(err)
	}
	return rows, nil
}

// refreshSearchIndex brings the search index entries of these products in
// line with their current texts, changing only what differs: the product's
// text row, its postings, and the df of the terms it gained or lost.
//
// It is written for concurrent writers on MySQL. Product rows are locked
// first (lockProductTexts), so two refreshes of one product take turns, and
// the previous text is read with a locking read for the products that have
// one; a product new to this transaction's snapshot gets plain INSERTs,
// which fail loudly (duplicate key) in the unlikely case that another
// transaction indexed it meanwhile. Nothing here runs a DELETE or a locking
// read that finds no row: on MySQL those lock the gap where rows would be,
// and two transactions adding products would deadlock inserting into it.
func (s *Store) refreshSearchIndex(ctx context.Context, productIDs []int64) error {
	db := s.db.WithContext(ctx)
	texts, err := s.lockProductTexts(ctx, productIDs, "id, title, title_th, description, description_th")
	if err != nil {
		return err
	}
	newText := make(map[int64]string, len(texts))
	for _, t := range texts {
		newText[t.ID] = searchText(t.Title, t.TitleTH, t.Description, t.DescriptionTH)
	}
	var indexed []int64
	if err := db.Table("product_search").Where("product_id IN ?", productIDs).Pluck("product_id", &indexed).Error; err != nil {
		return TranslateError(err)
	}
	var old []struct {
		ProductID  int64
		SearchText string
	}
	if len(indexed) > 0 {
		q := db.Table("product_search").Select("product_id, search_text").Where("product_id IN ?", indexed)
		if s.dialect == MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Find(&old).Error; err != nil {
			return TranslateError(err)
		}
	}
	oldText := make(map[int64]string, len(old))
	for _, r := range old {
		oldText[r.ProductID] = r.SearchText
	}

	seen := map[int64]string{} // every term gained or lost, by hash
	delta := map[int64]int64{} // the change of each term's df
	hashOf := func(t string) (int64, error) {
		h := termHash(t)
		if prev, ok := seen[h]; ok && prev != t {
			return 0, fmt.Errorf("search index: terms %q and %q share hash %d", prev, t, h)
		}
		seen[h] = t
		return h, nil
	}
	var added [][]any              // postings (term_hash, product_id)
	removed := map[int64][]int64{} // product -> hashes of the terms it lost
	var inserts [][]any            // new product_search rows
	updates := map[int64]string{}  // changed product_search rows
	var drops []int64              // product_search rows of deleted products
	for _, id := range productIDs {
		before, had := oldText[id]
		after, has := newText[id]
		if had == has && before == after {
			continue
		}
		oldSet, newSet := map[string]bool{}, map[string]bool{}
		for _, t := range terms(before) {
			oldSet[t] = true
		}
		for _, t := range terms(after) {
			newSet[t] = true
			if !oldSet[t] {
				h, err := hashOf(t)
				if err != nil {
					return err
				}
				delta[h]++
				added = append(added, []any{h, id})
			}
		}
		for t := range oldSet {
			if !newSet[t] {
				h, err := hashOf(t)
				if err != nil {
					return err
				}
				delta[h]--
				removed[id] = append(removed[id], h)
			}
		}
		switch {
		case had && has:
			updates[id] = after
		case has:
			inserts = append(inserts, []any{id, after})
		case had:
			drops = append(drops, id)
		}
	}
	if err := s.addSearchTerms(ctx, seen, delta); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(removed)) {
		err := db.Exec("DELETE FROM product_search_terms WHERE term_hash IN ? AND product_id = ?", removed[id], id).Error
		if err != nil {
			return TranslateError(err)
		}
	}
	slices.SortFunc(added, func(a, b []any) int {
		if c := cmp.Compare(a[0].(int64), b[0].(int64)); c != 0 {
			return c
		}
		return cmp.Compare(a[1].(int64), b[1].(int64))
	})
	if err := s.insertRows(ctx, "product_search_terms", []string{"term_hash", "product_id"}, added, false); err != nil {
		return err
	}
	if err := s.insertRows(ctx, "product_search", []string{"product_id", "search_text"}, inserts, false); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(updates)) {
		if err := db.Exec("UPDATE product_search SET search_text = ? WHERE product_id = ?", updates[id], id).Error; err != nil {
			return TranslateError(err)
		}
	}
	if len(drops) > 0 {
		if err := db.Exec("DELETE FROM product_search WHERE product_id IN ?", drops).Error; err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// addSearchTerms changes the df of these terms by delta, adding the terms
// the vocabulary lacks, with their trigrams. Terms are never removed: one
// no product has any more keeps df 0 and no postings.
//
// The df change is an upsert (INSERT ... ON DUPLICATE KEY UPDATE, or ON
// CONFLICT DO UPDATE), in key order. An INSERT IGNORE followed by an UPDATE
// would take a shared lock on a term another transaction adds too, and the
// two would deadlock upgrading their locks; one key order keeps concurrent
// writers from waiting on each other in a cycle.
func (s *Store) addSearchTerms(ctx context.Context, terms map[int64]string, delta map[int64]int64) error {
	hashes := slices.Sorted(maps.Keys(terms))
	known := make(map[int64]bool, len(hashes))
	for start := 0; start < len(hashes); start += 1000 {
		var rows []struct {
			Hash int64
			Term string
		}
		err := s.db.WithContext(ctx).Table("search_terms").Select("hash, term").
			Where("hash IN ?", hashes[start:min(start+1000, len(hashes))]).Find(&rows).Error
		if err != nil {
			return TranslateError(err)
		}
		for _, r := range rows {
			if r.Term != terms[r.Hash] {
				return fmt.Errorf("search index: terms %q and %q share hash %d", r.Term, terms[r.Hash], r.Hash)
			}
			known[r.Hash] = true
		}
	}
	var termRows, gramRows [][]any
	for _, h := range hashes {
		if delta[h] != 0 || !known[h] {
			termRows = append(termRows, []any{h, terms[h], delta[h]})
		}
		if !known[h] {
			for _, g := range termGrams(terms[h]) {
				gramRows = append(gramRows, []any{g, h})
			}
		}
	}
	slices.SortFunc(gramRows, func(a, b []any) int {
		if c := cmp.Compare(a[0].(int64), b[0].(int64)); c != 0 {
			return c
		}
		return cmp.Compare(a[1].(int64), b[1].(int64))
	})
	upsert := " ON DUPLICATE KEY UPDATE df = df + VALUES(df)"
	if s.dialect == SQLite {
		upsert = " ON CONFLICT (hash) DO UPDATE SET df = df + excluded.df"
	}
	if err := s.insertRowsThen(ctx, "search_terms", []string{"hash", "term", "df"}, termRows, upsert); err != nil {
		return err
	}
	return s.insertRows(ctx, "search_term_grams", []string{"gram", "term_hash"}, gramRows, true)
}
