// Package store is Langran's persistence: it opens MySQL or SQLite through GORM,
// migrates and seeds the schema, runs the queries and transactions the
// workflows need, and batches relation lookups with dataloaders.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL database behind a Store.
type Dialect string

// Supported dialects.
const (
	MySQL  Dialect = "mysql"
	SQLite Dialect = "sqlite"
)

// Options configure Open.
type Options struct {
	// OnStatement, when set, is called once for every SQL statement executed,
	// after it ran. Used for the langran_db_queries_total metric.
	OnStatement func()
	// MaxOpenConns caps the connection pool; 0 picks a default per dialect.
	MaxOpenConns int
}

// Store is a handle on the database. It is safe for concurrent use; inside a
// transaction a Store bound to the transaction is passed to the callback.
type Store struct {
	db      *gorm.DB
	dialect Dialect
}

// Open connects to the database named by rawURL: "mysql://user:pass@host:3306/db?params"
// or "sqlite:path/to/file.db" ("sqlite::memory:" for a throwaway in-memory one).
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	dialector, dialect, err := dialectorFor(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger: logger.Discard,
		// Whole seconds in UTC: SQLite compares timestamps as text, which is
		// only ordered when every value has the same shape.
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		TranslateError:         false,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if err := registerStatementCallbacks(db, opts.OnStatement); err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	switch dialect {
	case SQLite:
		// SQLite has one writer; a small pool avoids lock churn, and WAL lets
		// readers proceed while it writes.
		n := opts.MaxOpenConns
		if n == 0 {
			n = 4
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
	case MySQL:
		n := opts.MaxOpenConns
		if n == 0 {
			n = 32
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	s := &Store{db: db, dialect: dialect}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return s, nil
}

// dialectorFor turns a LANGRAN_DATABASE_URL into a GORM dialector.
func dialectorFor(rawURL string) (gorm.Dialector, Dialect, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, "", errors.New("database URL: sqlite needs a path, e.g. sqlite:langran.db")
		}
		// Transactions begin IMMEDIATE: they take the write lock at BEGIN,
		// waiting up to the busy timeout for it. A deferred one that read
		// first and wrote later would fail at once with SQLITE_BUSY when
		// another wrote in between, which no timeout cures.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		if path != ":memory:" {
			pragmas += "&_pragma=journal_mode(WAL)"
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return sqlite.Open(path + sep + pragmas), SQLite, nil
	case strings.HasPrefix(rawURL, "mysql://"):
		dsn, err := MySQLDSN(rawURL)
		if err != nil {
			return nil, "", err
		}
		return mysql.New(mysql.Config{DSN: dsn, DefaultStringSize: 255}), MySQL, nil
	default:
		return nil, "", errors.New(`database URL must start with "mysql://" or "sqlite:"`)
	}
}

// MySQLDSN converts "mysql://user:pass@host:port/db?params" to the
// go-sql-driver DSN form, adding the settings Langran relies on (UTC times,
// utf8mb4) unless the URL sets them.
func MySQLDSN(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", errors.New("database URL: not a valid mysql:// URL")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return "", errors.New("database URL: mysql URL needs a database name, e.g. mysql://root@127.0.0.1:3306/langran")
	}
	host := u.Host
	if u.Port() == "" {
		host += ":3306"
	}
	q := u.Query()
	defaults := map[string]string{
		"parseTime": "true", "loc": "UTC", "charset": "utf8mb4",
		"collation": "utf8mb4_unicode_ci", "interpolateParams": "true",
		"time_zone": "'+00:00'",
		// RowsAffected counts the rows an UPDATE matched, as SQLite does,
		// not only those it changed: a conditional update that matches
		// a row whose values were already right still succeeded.
		"clientFoundRows": "true",
	}
	for k, v := range defaults {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	auth := ""
	if u.User != nil {
		auth = u.User.Username()
		if p, ok := u.User.Password(); ok {
			auth += ":" + p
		}
		auth += "@"
	}
	return fmt.Sprintf("%stcp(%s)/%s?%s", auth, host, db, q.Encode()), nil
}

// Dialect reports which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the GORM handle bound to ctx, for queries in this package and tests.
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// SQL returns the underlying database/sql pool.
func (s *Store) SQL() (*sql.DB, error) {
	sqlDB, err := s.db.DB()
	return sqlDB, TranslateError(err)
}

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.SQL()
	if err != nil {
		return err
	}
	return TranslateError(sqlDB.PingContext(ctx))
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.SQL()
	if err != nil {
		return err
	}
	return TranslateError(sqlDB.Close())
}

// InTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise (also on panic, which is then re-raised). Inside another
// transaction it runs in a savepoint. fn's error is returned as it is (the
// store functions fn calls translate their own); a failure to begin or
// commit goes through TranslateError.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	var fnErr error
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(&Store{db: tx, dialect: s.dialect})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return TranslateError(err)
}

// insert runs a hand-written INSERT of one row and returns its ID. It still
// goes through GORM's Exec, so it is counted and takes the context like
// every statement, but skips the reflection of Create; the ID comes from
// the driver's result (LastInsertId), which MySQL, MariaDB and SQLite
// all give.
func (s *Store) insert(ctx context.Context, query string, args ...any) (int64, error) {
	res := gorm.WithResult()
	if err := s.db.WithContext(ctx).Clauses(res).Exec(query, args...).Error; err != nil {
		return 0, TranslateError(err)
	}
	if res.Result == nil {
		return 0, TranslateError(errors.New("insert: the driver gave no result"))
	}
	id, err := res.Result.LastInsertId()
	return id, TranslateError(err)
}

// maxTxAttempts bounds how often RetryTx runs a transaction: the pauses
// between the attempts add up to about a second and a half.
const maxTxAttempts = 12

// RetryTx runs fn in a transaction as InTx does and, when the database
// ends the transaction in a way a new attempt may cure (Retryable: a
// deadlock, a Galera certification failure, a lock wait timeout, SQLite
// busy), runs it again from the start: at most maxTxAttempts times in all.
// The pauses between attempts grow exponentially from 1 ms to 250 ms, with
// random jitter, so that transactions that collided on a hot row (the last
// units of a variant, on a Galera cluster above all) spread out instead of
// colliding again. fn must keep its effects inside the
// transaction (or make them safe to repeat). Inside another transaction it
// is InTx: only the outermost transaction can be run again.
func (s *Store) RetryTx(ctx context.Context, fn func(tx *Store) error) error {
	if _, inTx := s.db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return s.InTx(ctx, fn)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.InTx(ctx, fn)
		if err == nil || !Retryable(err) || attempt == maxTxAttempts {
			return err
		}
		ceiling := min(time.Millisecond<<(attempt-1), 250*time.Millisecond)
		pause := ceiling/2 + time.Duration(rand.Int64N(int64(ceiling/2)+1))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// StatementCounter counts the SQL statements run on behalf of one context,
// typically one GraphQL request.
type StatementCounter struct{ n atomic.Int64 }

// Count returns the number of statements counted so far.
func (c *StatementCounter) Count() int64 { return c.n.Load() }

type counterKey struct{}

// WithStatementCounter returns ctx carrying a fresh counter that every
// statement executed with that context (or one derived from it) increments.
func WithStatementCounter(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

// registerStatementCallbacks hooks every kind of GORM statement so that each
// one is counted, globally and per request.
func registerStatementCallbacks(db *gorm.DB, onStatement func()) error {
	count := func(tx *gorm.DB) {
		// GORM renders subqueries by running the query callbacks in dry-run
		// mode; nothing reaches the database then, so nothing is counted.
		if tx.DryRun {
			return
		}
		if onStatement != nil {
			onStatement()
		}
		if tx.Statement != nil && tx.Statement.Context != nil {
			if c, ok := tx.Statement.Context.Value(counterKey{}).(*StatementCounter); ok {
				c.n.Add(1)
			}
		}
	}
	cb := db.Callback()
	if err := cb.Query().After("gorm:query").Register("langran:count_query", count); err != nil {
		return err
	}
	if err := cb.Create().After("gorm:create").Register("langran:count_create", count); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register("langran:count_update", count); err != nil {
		return err
	}
	if err := cb.Delete().After("gorm:delete").Register("langran:count_delete", count); err != nil {
		return err
	}
	if err := cb.Row().After("gorm:row").Register("langran:count_row", count); err != nil {
		return err
	}
	return cb.Raw().After("gorm:raw").Register("langran:count_raw", count)
}
