package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Statements are written once for
// both databases; the few spellings that differ are placeholders:
//
//	{{pk}}        an auto-increment BIGINT primary key
//	{{table}}     table options (engine and charset on MySQL, nothing on SQLite)
//	{{keyed}}     {{table}} for a table whose primary key is its only index:
//	              WITHOUT ROWID on SQLite, which then stores it once
//	{{bin}}       after a text column's type: compare it byte for byte
//	              (utf8mb4_bin on MySQL; SQLite's default BINARY collation)
//	{{on:NAME}}   after DROP INDEX x: " ON NAME" on MySQL, nothing on SQLite
//
// Backfill, when set, runs after the statements to fill new columns and
// tables from existing rows, with rules computed in Go where SQL functions
// differ between the databases (see RefreshProductSearch).
//
// Released migrations are never edited: add a new one instead.
type migration struct {
	Version    int
	Name       string
	Statements []string
	Backfill   func(ctx context.Context, s *Store) error
}

var migrations = []migration{
	{Version: 1, Name: "catalog", Statements: []string{
		`CREATE TABLE categories (
			id {{pk}},
			parent_id BIGINT NULL REFERENCES categories(id),
			handle VARCHAR(255) NOT NULL,
			name VARCHAR(255) NOT NULL,
			name_th VARCHAR(255) NOT NULL DEFAULT '',
			position INT NOT NULL DEFAULT 0,
			depth INT NOT NULL DEFAULT 0
		){{table}}`,
		`CREATE UNIQUE INDEX ux_categories_handle ON categories (handle)`,
		`CREATE INDEX ix_categories_parent ON categories (parent_id, position)`,
		`CREATE TABLE category_closure (
			ancestor_id BIGINT NOT NULL REFERENCES categories(id),
			descendant_id BIGINT NOT NULL REFERENCES categories(id),
			depth INT NOT NULL,
			PRIMARY KEY (ancestor_id, descendant_id)
		){{table}}`,
		`CREATE INDEX ix_category_closure_descendant ON category_closure (descendant_id, depth)`,
		`CREATE TABLE products (
			id {{pk}},
			handle VARCHAR(255) NOT NULL,
			title VARCHAR(255) NOT NULL,
			title_th VARCHAR(255) NOT NULL DEFAULT '',
			description TEXT NOT NULL,
			description_th TEXT NOT NULL,
			category_id BIGINT NULL REFERENCES categories(id),
			status VARCHAR(16) NOT NULL,
			min_price BIGINT NOT NULL DEFAULT 0,
			max_price BIGINT NOT NULL DEFAULT 0,
			currency CHAR(3) NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_products_handle ON products (handle)`,
		// One index per storefront sort order, led by status so that the
		// "ACTIVE only" condition and the ORDER BY share it.
		`CREATE INDEX ix_products_status_id ON products (status, id)`,
		`CREATE INDEX ix_products_status_title ON products (status, title, id)`,
		`CREATE INDEX ix_products_status_price ON products (status, min_price, id)`,
		`CREATE INDEX ix_products_status_created ON products (status, created_at, id)`,
		`CREATE INDEX ix_products_category ON products (category_id, status, id)`,
		`CREATE TABLE product_variants (
			id {{pk}},
			product_id BIGINT NOT NULL REFERENCES products(id),
			position INT NOT NULL DEFAULT 0,
			sku VARCHAR(64) NULL,
			title VARCHAR(255) NOT NULL,
			selected_options TEXT NOT NULL,
			price BIGINT NOT NULL,
			compare_at_price BIGINT NULL,
			currency CHAR(3) NOT NULL,
			inventory_quantity INT NOT NULL DEFAULT 0,
			weight_grams INT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_product_variants_sku ON product_variants (sku)`,
		`CREATE INDEX ix_product_variants_product ON product_variants (product_id, position, id)`,
		`CREATE TABLE product_images (
			id {{pk}},
			product_id BIGINT NOT NULL REFERENCES products(id),
			position INT NOT NULL DEFAULT 0,
			url VARCHAR(2048) NOT NULL,
			alt_text VARCHAR(512) NULL,
			width INT NULL,
			height INT NULL
		){{table}}`,
		`CREATE INDEX ix_product_images_product ON product_images (product_id, position, id)`,
		`CREATE TABLE product_options (
			id {{pk}},
			product_id BIGINT NOT NULL REFERENCES products(id),
			position INT NOT NULL DEFAULT 0,
			name VARCHAR(255) NOT NULL,
			option_values TEXT NOT NULL
		){{table}}`,
		`CREATE INDEX ix_product_options_product ON product_options (product_id, position, id)`,
		`CREATE TABLE product_tags (
			product_id BIGINT NOT NULL REFERENCES products(id),
			tag VARCHAR(255) NOT NULL,
			PRIMARY KEY (product_id, tag)
		){{table}}`,
		`CREATE INDEX ix_product_tags_tag ON product_tags (tag, product_id)`,
	}},
	// The tag filter compared tags with the column's collation: on MySQL
	// ignoring case and accents, on SQLite byte for byte. It now compares
	// model.TagKey, computed in Go and stored byte-comparable.
	{Version: 2, Name: "tag keys", Statements: []string{
		`ALTER TABLE product_tags ADD COLUMN tag_key VARCHAR(255){{bin}} NOT NULL DEFAULT ''`,
		`CREATE INDEX ix_product_tags_key ON product_tags (tag_key, product_id)`,
		`DROP INDEX ix_product_tags_tag{{on:product_tags}}`,
	}, Backfill: func(ctx context.Context, s *Store) error {
		return s.forEachProductBatch(ctx, (*Store).refreshTagKeys)
	}},
	// Sorting by title compared the title column with its collation: on
	// MySQL ignoring case, on SQLite byte for byte, and always in English.
	// The English and Thai orders now compare model.TitleSortKey keys,
	// computed in Go, with one index each in place of the title index.
	{Version: 3, Name: "title sort keys", Statements: []string{
		`ALTER TABLE products ADD COLUMN title_key VARCHAR(255){{bin}} NOT NULL DEFAULT ''`,
		`ALTER TABLE products ADD COLUMN title_th_key VARCHAR(255){{bin}} NOT NULL DEFAULT ''`,
		`CREATE INDEX ix_products_status_title_key ON products (status, title_key, id)`,
		`CREATE INDEX ix_products_status_title_th_key ON products (status, title_th_key, id)`,
		`DROP INDEX ix_products_status_title{{on:products}}`,
	}, Backfill: func(ctx context.Context, s *Store) error {
		return s.forEachProductBatch(ctx, (*Store).refreshTitleKeys)
	}},
	// Text search was LIKE '%word%' over four columns: a full scan, and
	// collation-dependent. These tables index it (see search.go); BLOB text
	// and integer keys compare bytes on both databases.
	{Version: 4, Name: "search index", Statements: []string{
		`CREATE TABLE product_search (
			product_id BIGINT NOT NULL PRIMARY KEY,
			search_text MEDIUMBLOB NOT NULL
		){{keyed}}`,
		`CREATE TABLE search_terms (
			hash BIGINT NOT NULL PRIMARY KEY,
			term BLOB NOT NULL,
			df BIGINT NOT NULL DEFAULT 0
		){{keyed}}`,
		`CREATE TABLE search_term_grams (
			gram BIGINT NOT NULL,
			term_hash BIGINT NOT NULL,
			PRIMARY KEY (gram, term_hash)
		){{keyed}}`,
		`CREATE TABLE product_search_terms (
			term_hash BIGINT NOT NULL,
			product_id BIGINT NOT NULL,
			PRIMARY KEY (term_hash, product_id)
		){{keyed}}`,
	}, Backfill: func(ctx context.Context, s *Store) error {
		return s.forEachProductBatch(ctx, (*Store).refreshSearchIndex)
	}},
	// Who is calling: customers and their addresses, staff, partners' API
	// keys, access tokens, one-time tokens (password resets, staff
	// invitations), sign-in throttling, and the audit log of staff and
	// partner writes. Secrets are stored only as SHA-256 (tokens, keys) or
	// argon2id (passwords); email keys are normalised in Go and compared
	// byte for byte.
	{Version: 5, Name: "accounts", Statements: []string{
		`CREATE TABLE customers (
			id {{pk}},
			email VARCHAR(254) NOT NULL,
			email_key VARCHAR(254){{bin}} NOT NULL,
			password_hash VARCHAR(255) NOT NULL,
			first_name VARCHAR(255) NOT NULL DEFAULT '',
			last_name VARCHAR(255) NOT NULL DEFAULT '',
			phone VARCHAR(32) NOT NULL DEFAULT '',
			accepts_marketing BOOLEAN NOT NULL DEFAULT FALSE,
			default_address_id BIGINT NULL,
			closed_at DATETIME NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_customers_email_key ON customers (email_key)`,
		`CREATE TABLE customer_addresses (
			id {{pk}},
			customer_id BIGINT NOT NULL REFERENCES customers(id),
			first_name VARCHAR(255) NOT NULL DEFAULT '',
			last_name VARCHAR(255) NOT NULL DEFAULT '',
			company VARCHAR(255) NOT NULL DEFAULT '',
			address1 VARCHAR(255) NOT NULL DEFAULT '',
			address2 VARCHAR(255) NOT NULL DEFAULT '',
			subdistrict VARCHAR(255) NOT NULL DEFAULT '',
			district VARCHAR(255) NOT NULL DEFAULT '',
			city VARCHAR(255) NOT NULL DEFAULT '',
			province VARCHAR(255) NOT NULL DEFAULT '',
			zip VARCHAR(16) NOT NULL DEFAULT '',
			country CHAR(2) NOT NULL,
			phone VARCHAR(32) NOT NULL DEFAULT '',
			tax_id VARCHAR(13) NOT NULL DEFAULT '',
			branch VARCHAR(5) NOT NULL DEFAULT '',
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE INDEX ix_customer_addresses_customer ON customer_addresses (customer_id, id)`,
		`CREATE TABLE staff (
			id {{pk}},
			email VARCHAR(254) NOT NULL,
			email_key VARCHAR(254){{bin}} NOT NULL,
			name VARCHAR(255) NOT NULL DEFAULT '',
			password_hash VARCHAR(255) NOT NULL DEFAULT '',
			role VARCHAR(32) NOT NULL,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_staff_email_key ON staff (email_key)`,
		`CREATE TABLE access_tokens (
			id {{pk}},
			token_hash CHAR(64){{bin}} NOT NULL,
			kind VARCHAR(16) NOT NULL,
			subject_id BIGINT NOT NULL,
			expires_at DATETIME NOT NULL,
			created_at DATETIME NOT NULL,
			revoked_at DATETIME NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_access_tokens_hash ON access_tokens (token_hash)`,
		`CREATE INDEX ix_access_tokens_subject ON access_tokens (kind, subject_id)`,
		`CREATE TABLE api_keys (
			id {{pk}},
			name VARCHAR(255) NOT NULL,
			prefix VARCHAR(16) NOT NULL,
			key_hash CHAR(64){{bin}} NOT NULL,
			scopes VARCHAR(512) NOT NULL,
			created_by BIGINT NOT NULL,
			created_at DATETIME NOT NULL,
			last_used_at DATETIME NULL,
			revoked_at DATETIME NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash)`,
		`CREATE TABLE one_time_tokens (
			id {{pk}},
			purpose VARCHAR(16) NOT NULL,
			subject_id BIGINT NOT NULL,
			token_hash CHAR(64){{bin}} NOT NULL,
			expires_at DATETIME NOT NULL,
			used_at DATETIME NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_one_time_tokens_hash ON one_time_tokens (token_hash)`,
		`CREATE TABLE auth_throttle (
			subject VARCHAR(200){{bin}} NOT NULL PRIMARY KEY,
			failures INT NOT NULL,
			window_start DATETIME NOT NULL,
			blocked_until DATETIME NULL
		){{keyed}}`,
		`CREATE TABLE audit_log (
			id {{pk}},
			actor_kind VARCHAR(16) NOT NULL,
			actor_id BIGINT NOT NULL,
			action VARCHAR(64) NOT NULL,
			object_type VARCHAR(64) NOT NULL,
			object_id BIGINT NOT NULL,
			summary TEXT NOT NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE INDEX ix_audit_log_object ON audit_log (object_type, object_id, id)`,
	}},
	// Staff write the catalog. SKUs and tags were unique under their
	// columns' collation: on MySQL ignoring case, accents and trailing
	// spaces, on SQLite byte for byte, so each database accepted SKUs and
	// tags the other refused. SKUs are now unique by model.SKUKey, in
	// sku_key, whose unique index replaces the one on sku (it starts empty
	// and the backfill fills it, so two SKUs equal under the key stop the
	// migration instead of being merged). product_tags is rebuilt with
	// binary text, so its primary key compares bytes on both databases;
	// that a product has no two tags with one model.TagKey is the catalog
	// workflow's rule, checked under the product's row lock (tag keys may
	// be written after their tags, by RefreshProductSearch).
	{Version: 6, Name: "catalog admin", Statements: []string{
		`ALTER TABLE product_variants ADD COLUMN sku_key VARCHAR(255){{bin}} NULL`,
		`CREATE UNIQUE INDEX ux_product_variants_sku_key ON product_variants (sku_key)`,
		`DROP INDEX ux_product_variants_sku{{on:product_variants}}`,
		`CREATE TABLE product_tags_v6 (
			product_id BIGINT NOT NULL REFERENCES products(id),
			tag VARCHAR(255){{bin}} NOT NULL,
			tag_key VARCHAR(255){{bin}} NOT NULL DEFAULT '',
			PRIMARY KEY (product_id, tag)
		){{table}}`,
		`INSERT INTO product_tags_v6 (product_id, tag, tag_key) SELECT product_id, tag, tag_key FROM product_tags`,
		`DROP TABLE product_tags`,
		`ALTER TABLE product_tags_v6 RENAME TO product_tags`,
		`CREATE INDEX ix_product_tags_key ON product_tags (tag_key, product_id)`,
	}, Backfill: func(ctx context.Context, s *Store) error {
		return s.backfillSKUKeys(ctx)
	}},
	// A password reset or a closed account ends every other outstanding
	// reset link of the customer, found by purpose and subject; expired
	// links and stale throttle counts (which hold client addresses) are
	// pruned by time.
	{Version: 7, Name: "account data by subject and age", Statements: []string{
		`CREATE INDEX ix_one_time_tokens_subject ON one_time_tokens (purpose, subject_id)`,
		`CREATE INDEX ix_one_time_tokens_expiry ON one_time_tokens (expires_at)`,
		`CREATE INDEX ix_auth_throttle_window ON auth_throttle (window_start)`,
	}},
	// Inventory: what is committed to orders besides what is on hand,
	// whether stock is tracked and may be oversold (backorders), a
	// low-stock threshold, and the ledger of every change to the stock on
	// hand. The ledger starts with one INITIAL movement per variant holding
	// its stock, so that from here on a variant's movements add up to its
	// inventory_quantity (see store/inventory.go). idempotency_keys remember
	// the result of a write sent with a client's key, for any write that
	// takes one (inventoryAdjust now, checkout next).
	{Version: 8, Name: "inventory", Statements: []string{
		`ALTER TABLE product_variants ADD COLUMN inventory_committed INT NOT NULL DEFAULT 0`,
		`ALTER TABLE product_variants ADD COLUMN inventory_tracked BOOLEAN NOT NULL DEFAULT TRUE`,
		`ALTER TABLE product_variants ADD COLUMN allow_backorder BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE product_variants ADD COLUMN low_stock_threshold INT NULL`,
		`CREATE INDEX ix_product_variants_low_stock ON product_variants (low_stock_threshold, id)`,
		`CREATE TABLE inventory_movements (
			id {{pk}},
			variant_id BIGINT NOT NULL,
			delta INT NOT NULL,
			quantity_after INT NOT NULL,
			reason VARCHAR(32) NOT NULL,
			reference VARCHAR(255) NOT NULL DEFAULT '',
			actor VARCHAR(64) NOT NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE INDEX ix_inventory_movements_variant ON inventory_movements (variant_id, id)`,
		`CREATE TABLE idempotency_keys (
			id {{pk}},
			scope VARCHAR(64){{bin}} NOT NULL,
			key_hash CHAR(64){{bin}} NOT NULL,
			request_hash CHAR(64){{bin}} NOT NULL,
			result TEXT NOT NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_idempotency_keys_key ON idempotency_keys (scope, key_hash)`,
		`CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at)`,
	}, Backfill: func(ctx context.Context, s *Store) error {
		return s.recordInitialStock(ctx, nil)
	}},
	// Carts and discount codes. A cart is found by its random key (its ID
	// holds it); its lines are unique per variant. Discount code keys are
	// upper-cased in Go and compared byte for byte; uses are counted at
	// checkout (discount_usages), per code and per buyer.
	{Version: 9, Name: "carts and discounts", Statements: []string{
		`CREATE TABLE carts (
			id {{pk}},
			cart_key CHAR(22){{bin}} NOT NULL,
			customer_id BIGINT NULL,
			email VARCHAR(254) NOT NULL DEFAULT '',
			phone VARCHAR(32) NOT NULL DEFAULT '',
			country_code CHAR(2) NOT NULL DEFAULT '',
			delivery_address TEXT NOT NULL,
			note TEXT NOT NULL,
			discount_codes VARCHAR(512) NOT NULL DEFAULT '',
			delivery_option VARCHAR(64) NOT NULL DEFAULT '',
			status VARCHAR(16) NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL,
			expires_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_carts_key ON carts (cart_key)`,
		`CREATE INDEX ix_carts_customer ON carts (customer_id, status, updated_at)`,
		`CREATE INDEX ix_carts_expiry ON carts (expires_at)`,
		`CREATE TABLE cart_lines (
			id {{pk}},
			cart_id BIGINT NOT NULL REFERENCES carts(id),
			variant_id BIGINT NOT NULL,
			quantity INT NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_cart_lines_variant ON cart_lines (cart_id, variant_id)`,
		`CREATE TABLE discounts (
			id {{pk}},
			code VARCHAR(64) NOT NULL,
			code_key VARCHAR(64){{bin}} NOT NULL,
			kind VARCHAR(16) NOT NULL,
			value BIGINT NOT NULL,
			min_subtotal BIGINT NOT NULL DEFAULT 0,
			starts_at DATETIME NULL,
			ends_at DATETIME NULL,
			usage_limit INT NULL,
			per_customer_limit INT NULL,
			used_count INT NOT NULL DEFAULT 0,
			product_ids TEXT NOT NULL,
			category_ids TEXT NOT NULL,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_discounts_code_key ON discounts (code_key)`,
		`CREATE TABLE discount_usages (
			id {{pk}},
			discount_id BIGINT NOT NULL REFERENCES discounts(id),
			buyer_key VARCHAR(254){{bin}} NOT NULL,
			order_id BIGINT NOT NULL DEFAULT 0,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE INDEX ix_discount_usages_buyer ON discount_usages (discount_id, buyer_key)`,
	}},
	// Shipping zones and their rates (the built-in table provider). A
	// zone's places are rows of shipping_zone_areas, keyed by kind and
	// normalised value, so that a place belongs to one zone at most and
	// the database says so; weight brackets are a rate's JSON.
	{Version: 10, Name: "shipping", Statements: []string{
		`CREATE TABLE shipping_zones (
			id {{pk}},
			name VARCHAR(255) NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE TABLE shipping_zone_areas (
			kind VARCHAR(16){{bin}} NOT NULL,
			value VARCHAR(16){{bin}} NOT NULL,
			zone_id BIGINT NOT NULL REFERENCES shipping_zones(id),
			PRIMARY KEY (kind, value)
		){{keyed}}`,
		`CREATE INDEX ix_shipping_zone_areas_zone ON shipping_zone_areas (zone_id)`,
		`CREATE TABLE shipping_rates (
			id {{pk}},
			zone_id BIGINT NOT NULL REFERENCES shipping_zones(id),
			handle VARCHAR(64){{bin}} NOT NULL,
			title VARCHAR(255) NOT NULL,
			description TEXT NOT NULL,
			code VARCHAR(64) NOT NULL DEFAULT '',
			kind VARCHAR(16) NOT NULL,
			amount BIGINT NOT NULL DEFAULT 0,
			brackets TEXT NOT NULL,
			currency CHAR(3) NOT NULL,
			min_subtotal BIGINT NULL,
			max_subtotal BIGINT NULL,
			free_over BIGINT NULL,
			min_days INT NULL,
			max_days INT NULL,
			active BOOLEAN NOT NULL DEFAULT TRUE,
			position INT NOT NULL DEFAULT 0,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_shipping_rates_handle ON shipping_rates (handle)`,
		`CREATE INDEX ix_shipping_rates_zone ON shipping_rates (zone_id, position, id)`,
	}},
	// Orders are snapshots of checked-out carts. The order number is the ID
	// plus 1000, so no counter row serialises checkouts. cart_id and
	// idempotency_key are unique: one order per cart, one per key. Events
	// are the order's history.
	{Version: 11, Name: "orders", Statements: []string{
		`CREATE TABLE orders (
			id {{pk}},
			access_key CHAR(22){{bin}} NOT NULL,
			customer_id BIGINT NULL,
			cart_id BIGINT NOT NULL,
			idempotency_key CHAR(64){{bin}} NOT NULL,
			email VARCHAR(254) NOT NULL DEFAULT '',
			phone VARCHAR(32) NOT NULL DEFAULT '',
			status VARCHAR(16) NOT NULL,
			currency CHAR(3) NOT NULL,
			subtotal BIGINT NOT NULL,
			discount BIGINT NOT NULL,
			shipping BIGINT NOT NULL,
			shipping_off BIGINT NOT NULL,
			total BIGINT NOT NULL,
			vat BIGINT NOT NULL,
			vat_rate INT NOT NULL,
			discount_codes VARCHAR(512) NOT NULL DEFAULT '',
			delivery_address TEXT NOT NULL,
			delivery_option VARCHAR(64) NOT NULL DEFAULT '',
			delivery_title VARCHAR(255) NOT NULL DEFAULT '',
			note TEXT NOT NULL,
			carrier VARCHAR(64) NOT NULL DEFAULT '',
			tracking_number VARCHAR(128) NOT NULL DEFAULT '',
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL,
			pay_by DATETIME NULL,
			paid_at DATETIME NULL,
			cancelled_at DATETIME NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_orders_access_key ON orders (access_key)`,
		`CREATE UNIQUE INDEX ux_orders_cart ON orders (cart_id)`,
		`CREATE UNIQUE INDEX ux_orders_idempotency ON orders (idempotency_key)`,
		`CREATE INDEX ix_orders_customer ON orders (customer_id, id)`,
		`CREATE INDEX ix_orders_status ON orders (status, pay_by)`,
		`CREATE INDEX ix_orders_created ON orders (created_at)`,
		`CREATE TABLE order_lines (
			id {{pk}},
			order_id BIGINT NOT NULL REFERENCES orders(id),
			variant_id BIGINT NOT NULL,
			product_id BIGINT NOT NULL,
			title VARCHAR(255) NOT NULL,
			variant_title VARCHAR(255) NOT NULL,
			sku VARCHAR(64) NOT NULL DEFAULT '',
			quantity INT NOT NULL,
			unit_price BIGINT NOT NULL,
			subtotal BIGINT NOT NULL,
			discount BIGINT NOT NULL,
			total BIGINT NOT NULL,
			vat BIGINT NOT NULL
		){{table}}`,
		`CREATE INDEX ix_order_lines_order ON order_lines (order_id)`,
		`CREATE TABLE order_events (
			id {{pk}},
			order_id BIGINT NOT NULL REFERENCES orders(id),
			kind VARCHAR(32) NOT NULL,
			from_status VARCHAR(16) NOT NULL DEFAULT '',
			to_status VARCHAR(16) NOT NULL DEFAULT '',
			message TEXT NOT NULL,
			actor VARCHAR(64) NOT NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE INDEX ix_order_events_order ON order_events (order_id, id)`,
	}},
	// The unit price a shopper last saw on a cart line, so that a price
	// change since shows as a problem rather than a surprise at checkout.
	{Version: 12, Name: "cart line prices", Statements: []string{
		`ALTER TABLE cart_lines ADD COLUMN seen_price BIGINT NULL`,
	}},
	// Payments: attempts, their ledger of money movements, the webhooks
	// already applied, and what an order's ledger adds up to, kept on the
	// order so reads need no sums. Orders that were marked paid or
	// refunded before there was a ledger get the sums their status
	// implies.
	{Version: 13, Name: "payments", Statements: []string{
		`ALTER TABLE orders ADD COLUMN financial_status VARCHAR(24) NOT NULL DEFAULT 'PENDING'`,
		`ALTER TABLE orders ADD COLUMN authorized BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE orders ADD COLUMN captured BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE orders ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0`,
		`UPDATE orders SET financial_status = 'PAID', captured = total WHERE status IN ('PAID', 'FULFILLED', 'SHIPPED', 'DELIVERED')`,
		`UPDATE orders SET financial_status = 'REFUNDED', captured = total, refunded = total WHERE status = 'REFUNDED'`,
		`UPDATE orders SET financial_status = 'VOIDED' WHERE status = 'CANCELLED'`,
		`ALTER TABLE order_lines ADD COLUMN refunded_quantity INT NOT NULL DEFAULT 0`,
		`ALTER TABLE order_lines ADD COLUMN restocked INT NOT NULL DEFAULT 0`,
		`CREATE TABLE payments (
			id {{pk}},
			order_id BIGINT NOT NULL REFERENCES orders(id),
			method VARCHAR(24) NOT NULL,
			status VARCHAR(16) NOT NULL,
			amount BIGINT NOT NULL,
			currency CHAR(3) NOT NULL,
			captured BIGINT NOT NULL DEFAULT 0,
			refunded BIGINT NOT NULL DEFAULT 0,
			provider_ref VARCHAR(255){{bin}} NOT NULL DEFAULT '',
			client_secret VARCHAR(255) NOT NULL DEFAULT '',
			payload VARCHAR(512) NOT NULL DEFAULT '',
			reference VARCHAR(64){{bin}} NOT NULL DEFAULT '',
			instructions TEXT NOT NULL,
			idempotency_key CHAR(64){{bin}} NOT NULL,
			request_hash CHAR(64) NOT NULL,
			manual_capture BOOLEAN NOT NULL DEFAULT FALSE,
			error_code VARCHAR(64) NOT NULL DEFAULT '',
			error_message VARCHAR(255) NOT NULL DEFAULT '',
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_payments_idempotency ON payments (idempotency_key)`,
		`CREATE INDEX ix_payments_order ON payments (order_id, id)`,
		`CREATE INDEX ix_payments_provider_ref ON payments (method, provider_ref)`,
		`CREATE INDEX ix_payments_reference ON payments (method, reference)`,
		`CREATE TABLE payment_transactions (
			id {{pk}},
			payment_id BIGINT NOT NULL REFERENCES payments(id),
			order_id BIGINT NOT NULL REFERENCES orders(id),
			kind VARCHAR(16) NOT NULL,
			status VARCHAR(16) NOT NULL,
			amount BIGINT NOT NULL,
			currency CHAR(3) NOT NULL,
			provider_ref VARCHAR(255){{bin}} NULL,
			idempotency_key CHAR(64){{bin}} NULL,
			error_code VARCHAR(64) NOT NULL DEFAULT '',
			reason TEXT NOT NULL,
			refund_lines TEXT NOT NULL,
			restock BOOLEAN NOT NULL DEFAULT FALSE,
			actor VARCHAR(64) NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_payment_transactions_ref ON payment_transactions (payment_id, kind, provider_ref)`,
		`CREATE UNIQUE INDEX ux_payment_transactions_idempotency ON payment_transactions (idempotency_key)`,
		`CREATE INDEX ix_payment_transactions_order ON payment_transactions (order_id, id)`,
		`CREATE TABLE webhook_events (
			id {{pk}},
			provider VARCHAR(32) NOT NULL,
			event_id VARCHAR(255){{bin}} NOT NULL,
			type VARCHAR(64) NOT NULL,
			received_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_webhook_events ON webhook_events (provider, event_id)`,
	}},
	// Receipts and tax invoices: immutable snapshots, numbered without gaps
	// per series by a counter row each issuing transaction locks.
	{Version: 14, Name: "receipts", Statements: []string{
		`CREATE TABLE receipt_counters (
			series VARCHAR(32){{bin}} NOT NULL PRIMARY KEY,
			last_seq BIGINT NOT NULL
		){{keyed}}`,
		`CREATE TABLE receipts (
			id {{pk}},
			order_id BIGINT NOT NULL REFERENCES orders(id),
			source VARCHAR(64){{bin}} NOT NULL,
			type VARCHAR(32) NOT NULL,
			series VARCHAR(32){{bin}} NOT NULL,
			seq BIGINT NOT NULL,
			number VARCHAR(64){{bin}} NOT NULL,
			status VARCHAR(16) NOT NULL,
			issued_at DATETIME NOT NULL,
			currency CHAR(3) NOT NULL,
			total BIGINT NOT NULL,
			vat BIGINT NOT NULL,
			replaces_id BIGINT NULL,
			replaced_by_id BIGINT NULL,
			original_id BIGINT NULL,
			document TEXT NOT NULL,
			created_at DATETIME NOT NULL
		){{table}}`,
		`CREATE UNIQUE INDEX ux_receipts_source ON receipts (source)`,
		`CREATE UNIQUE INDEX ux_receipts_number ON receipts (number)`,
		`CREATE UNIQUE INDEX ux_receipts_series ON receipts (series, seq)`,
		`CREATE INDEX ix_receipts_order ON receipts (order_id, id)`,
		`CREATE INDEX ix_receipts_issued ON receipts (issued_at, id)`,
	}},
	// A cart's version, raised by every write to it, so that a change of
	// its own fields (the buyer, the delivery option, a note, the codes)
	// can be one conditional UPDATE of the version it read, with no
	// transaction or lock.
	{Version: 15, Name: "cart versions", Statements: []string{
		`ALTER TABLE carts ADD COLUMN version BIGINT NOT NULL DEFAULT 0`,
	}},
}

// LatestSchemaVersion is the version the migrations bring a database to.
func LatestSchemaVersion() int { return migrations[len(migrations)-1].Version }

var onTablePlaceholder = regexp.MustCompile(`\{\{on:(\w+)\}\}`)

func (s *Store) expand(stmt string) string {
	var pk, table, keyed, bin, on string
	switch s.dialect {
	case MySQL:
		pk = "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
		table = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
		keyed = table
		bin = " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
		on = " ON $1"
	default:
		pk = "INTEGER PRIMARY KEY AUTOINCREMENT"
		keyed = " WITHOUT ROWID"
	}
	stmt = onTablePlaceholder.ReplaceAllString(stmt, on)
	return strings.NewReplacer("{{pk}}", pk, "{{table}}", table, "{{keyed}}", keyed, "{{bin}}", bin).Replace(stmt)
}

// Migrate brings the schema to the latest version, applying each pending
// migration once and recording it in schema_migrations. On MySQL a named lock
// serialises instances that start together, so scaling out is safe.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, LatestSchemaVersion())
}

// migrateTo applies the pending migrations up to version target; tests use
// it to build a database as an older release left it.
func (s *Store) migrateTo(ctx context.Context, target int) error {
	db := s.db.WithContext(ctx)
	if s.dialect == MySQL {
		unlock, err := s.namedLock(ctx, "langran_migrate")
		if err != nil {
			return err
		}
		defer unlock()
	}
	if err := db.Exec(s.expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INT NOT NULL PRIMARY KEY,
		name VARCHAR(255) NOT NULL,
		applied_at DATETIME NOT NULL
	){{table}}`)).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", TranslateError(err))
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if applied[m.Version] || m.Version > target {
			continue
		}
		apply := func(tx *gorm.DB) error {
			for _, stmt := range m.Statements {
				if err := tx.Exec(s.expand(stmt)).Error; err != nil {
					return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, TranslateError(err))
				}
			}
			if m.Backfill != nil {
				if err := m.Backfill(ctx, &Store{db: tx, dialect: s.dialect}); err != nil {
					return fmt.Errorf("migration %d (%s): backfill: %w", m.Version, m.Name, err)
				}
			}
			err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC().Truncate(time.Second)).Error
			return TranslateError(err)
		}
		// SQLite runs DDL transactionally, so a failed migration leaves no
		// trace. MySQL commits DDL implicitly; there the lock above and
		// idempotent version checks are what keep it safe.
		if s.dialect == SQLite {
			err = s.InTx(ctx, func(tx *Store) error { return apply(tx.db) })
		} else {
			err = apply(db)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// namedLock takes MySQL's named lock. The lock belongs to a session, so it
// is taken and released on one dedicated connection held until unlock.
func (s *Store) namedLock(ctx context.Context, name string) (unlock func(), err error) {
	sqlDB, err := s.SQL()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take lock %s: %w", name, TranslateError(err))
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 60)", name).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take lock %s: %w", name, TranslateError(err))
	}
	if !got.Valid || got.Int64 != 1 {
		conn.Close()
		return nil, fmt.Errorf("take lock %s: another instance held it for 60s", name)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
		conn.Close()
	}, nil
}

// appliedVersions returns the versions recorded in schema_migrations. The
// runner applies every migration not among them, rather than every one
// above the highest: branches developed side by side number their
// migrations apart, and a database migrated by one of them (say to 7) must
// still get the other's (6) once both are merged.
func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	var versions []int
	if err := s.db.WithContext(ctx).Raw("SELECT version FROM schema_migrations").Scan(&versions).Error; err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", TranslateError(err))
	}
	out := make(map[int]bool, len(versions))
	for _, v := range versions {
		out[v] = true
	}
	return out, nil
}

// SchemaVersion returns the highest applied migration, 0 for an empty database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	if err := s.db.WithContext(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read schema version: %w", TranslateError(err))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
