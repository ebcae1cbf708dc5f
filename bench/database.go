package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/langran/langran/store"
)

// benchDatabase is the MySQL database the benchmark seeds and reads.
type benchDatabase struct {
	URL  string // mysql://… as Langran takes it
	DSN  string // the same in go-sql-driver form, with Langran's settings
	Name string
	cfg  *mysql.Config
}

// plainName is what a database name must look like to be quoted safely.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func parseBenchDatabase(rawURL string) (*benchDatabase, error) {
	// Langran's own conversion, so that the baseline connects with exactly
	// the settings Langran uses (interpolateParams, UTC, utf8mb4).
	dsn, err := store.MySQLDSN(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if !plainName.MatchString(cfg.DBName) {
		return nil, fmt.Errorf("database name %q: use letters, digits and underscores only", cfg.DBName)
	}
	// The benchmark drops and recreates the database: refuse names that do
	// not say they are for benchmarks, so a typo cannot drop real data.
	if !strings.Contains(strings.ToLower(cfg.DBName), "bench") {
		return nil, fmt.Errorf("database name %q: it is dropped and recreated, so its name must contain \"bench\"", cfg.DBName)
	}
	return &benchDatabase{URL: rawURL, DSN: dsn, Name: cfg.DBName, cfg: cfg}, nil
}

// openServer connects to the MySQL server without selecting a database.
func (d *benchDatabase) openServer() (*sql.DB, error) {
	cfg := d.cfg.Clone()
	cfg.DBName = ""
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector), nil
}

// prepare makes sure the database holds a freshly seeded catalog of
// products products: with reuse, an existing catalog of that size is kept;
// otherwise the database is dropped, recreated and seeded by `langran seed`.
func (d *benchDatabase) prepare(ctx context.Context, langranBin string, products int, reuse bool) error {
	db, err := d.openServer()
	if err != nil {
		return err
	}
	defer db.Close()
	if reuse {
		var n int64
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+d.Name+"`.products").Scan(&n)
		if err == nil && n == int64(products) {
			logf("reusing database %s with %d products", d.Name, n)
			return nil
		}
		logf("database %s cannot be reused (products: %d, error: %v); recreating it", d.Name, n, err)
	}
	for _, stmt := range []string{
		"DROP DATABASE IF EXISTS `" + d.Name + "`",
		"CREATE DATABASE `" + d.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	logf("seeding %d products into %s", products, d.Name)
	cmd := exec.CommandContext(ctx, langranBin, "seed", "--products", strconv.Itoa(products))
	cmd.Env = append(os.Environ(), "LANGRAN_DATABASE_URL="+d.URL, "LANGRAN_ENV=production", "LANGRAN_LOG_LEVEL=info")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("langran seed: %w", err)
	}
	return nil
}

// serverPid returns the process ID of the MySQL server when it runs on this
// machine and its pid file is readable, so its CPU time can be measured.
func (d *benchDatabase) serverPid(ctx context.Context) (int, error) {
	host, _, err := net.SplitHostPort(d.cfg.Addr)
	if err != nil {
		return 0, err
	}
	if host != "127.0.0.1" && host != "localhost" && host != "::1" {
		return 0, fmt.Errorf("the database runs on %s, not here", host)
	}
	db, err := d.openServer()
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var file string
	if err := db.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&file); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// serverVersion returns the MySQL server's version string, for the report.
func (d *benchDatabase) serverVersion(ctx context.Context) (string, error) {
	db, err := d.openServer()
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v)
	return v, err
}
