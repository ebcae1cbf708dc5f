package store_test

import (
	"strings"
	"testing"

	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

func TestMySQLDSN(t *testing.T) {
	dsn, err := store.MySQLDSN("mysql://shop:p%40ss@db.internal/langran?max_statement_time=10&parseTime=false")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"shop:p@ss@tcp(db.internal:3306)/langran?", "max_statement_time=10", "parseTime=false", "loc=UTC", "charset=utf8mb4"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("DSN %q lacks %q", dsn, want)
		}
	}
	for _, bad := range []string{"mysql://host:3306/", "mysql://%zz", "postgres://x/y"} {
		if _, err := store.Open(ctx, bad, store.Options{}); err == nil {
			t.Errorf("opened %q", bad)
		}
	}
}

// Extra URL parameters become session variables, which is how operators set
// a server-side statement time limit (max_statement_time on MariaDB,
// max_execution_time on MySQL).
func TestMySQLSessionVariablesFromURL(t *testing.T) {
	b := storetest.RequireMySQL(t)
	url := b.URL(t) + "?max_statement_time=7"
	st, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var v float64
	if err := st.DB(ctx).Raw("SELECT @@SESSION.max_statement_time").Scan(&v).Error; err != nil || v != 7 {
		t.Fatalf("max_statement_time = %v, %v", v, err)
	}
}
