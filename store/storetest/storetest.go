// Package storetest gives tests a fresh, migrated database: SQLite always,
// and MySQL too when LANGRAN_TEST_MYSQL_URL names a server (each test then
// gets its own database, dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql" // for creating and dropping test databases

	"github.com/langran/langran/store"
)

// MySQLURLEnv names the environment variable with the MySQL server for tests,
// e.g. mysql://root@127.0.0.1:3306/test. Its database part is ignored.
const MySQLURLEnv = "LANGRAN_TEST_MYSQL_URL"

// Backend is one database a test can run against.
type Backend struct {
	Name string // "sqlite" or "mysql"
	// URL opens a new empty database each call, removed when t ends.
	URL func(t testing.TB) string
}

// SQLite is the embedded backend every test can use.
var SQLite = Backend{Name: "sqlite", URL: SQLiteURL}

// MySQLBackend is the MySQL backend; usable only when LANGRAN_TEST_MYSQL_URL is set.
var MySQLBackend = Backend{Name: "mysql", URL: MySQLURL}

// MySQLConfigured reports whether LANGRAN_TEST_MYSQL_URL names a server.
func MySQLConfigured() bool { return os.Getenv(MySQLURLEnv) != "" }

// Backends returns SQLite and, when configured, MySQL. Prefer Each or
// RequireMySQL in tests: they say so when MySQL is skipped.
func Backends() []Backend {
	b := []Backend{SQLite}
	if MySQLConfigured() {
		b = append(b, MySQLBackend)
	}
	return b
}

// RequireMySQL returns the MySQL backend, or skips t with the reason when
// LANGRAN_TEST_MYSQL_URL is not set (CI runs the suite a second time with it).
func RequireMySQL(t testing.TB) Backend {
	t.Helper()
	if !MySQLConfigured() {
		t.Skipf("needs MySQL: set %s (e.g. mysql://root@127.0.0.1:3306/test)", MySQLURLEnv)
	}
	return MySQLBackend
}

// SQLiteURL returns the URL of a new SQLite database file in t's temp dir.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "langran.db")
}

// MySQLURL creates a new empty database on the server named by
// LANGRAN_TEST_MYSQL_URL and returns its URL; the database is dropped when t
// ends. It fails the test when the variable is unset.
func MySQLURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(MySQLURLEnv)
	if raw == "" {
		t.Fatalf("%s is not set", MySQLURLEnv)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", MySQLURLEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "langran_test_" + hex.EncodeToString(b[:])
	admin := *u
	admin.Path = "/"
	dsn, err := store.MySQLDSN(strings.TrimSuffix(admin.String(), "/") + "/mysql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		db.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// Open opens and migrates a fresh database of backend b, closed when t ends.
func Open(t testing.TB, b Backend, opts store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.URL(t), opts)
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", b.Name, err)
	}
	return st
}

// Seeded opens a fresh database of backend b seeded with n products.
func Seeded(t testing.TB, b Backend, n int) *store.Store {
	t.Helper()
	st := Open(t, b, store.Options{})
	if err := st.Seed(context.Background(), store.SeedOptions{Products: n}); err != nil {
		t.Fatalf("seed %s: %v", b.Name, err)
	}
	return st
}

// Each runs fn as a subtest on SQLite and on MySQL; the MySQL subtest is
// skipped, with the reason, when LANGRAN_TEST_MYSQL_URL is not set.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Run(SQLite.Name, func(t *testing.T) { fn(t, SQLite) })
	t.Run(MySQLBackend.Name, func(t *testing.T) { fn(t, RequireMySQL(t)) })
}
