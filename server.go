// Command langran is the GraphQL backend of an online store: catalog,
// inventory, carts, checkout, orders, payments and receipts.
//
//	langran [serve]              run the HTTP server (default)
//	langran migrate              apply pending schema migrations and exit
//	langran seed [--products N]  migrate, then fill an empty catalog with demo data
//	langran staff create ...     add a staff member (the first owner)
//	langran import --staff EMAIL products.csv   import products from a CSV file
//	langran export [--status S] products.csv    export products to a CSV file
//
// Configuration comes from LANGRAN_* environment variables; see README.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/catalog"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/web"
)

func main() {
	// Serving GraphQL allocates many short-lived objects and keeps little
	// alive, so a less eager collector saves a fifth of the CPU per request
	// for a few tens of MiB more memory (docs/BENCHMARKS.md). GOGC, when
	// set, still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "langran:", err)
		os.Exit(1)
	}
}

// run is the whole program behind main, with its inputs passed in so tests
// can drive it: the subcommand and flags, the environment, standard input
// (a password for `staff create`), and where logs go.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, logOut io.Writer) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, logOut)
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		app, err := openApp(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		if err := app.Listen(); err != nil {
			return err
		}
		if cfg.DebugAddr != "" {
			go servePprof(cfg.DebugAddr, log)
		}

		return app.Serve(ctx)
	case "migrate":
		st, err := openMigrated(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		v, _ := st.SchemaVersion(ctx)
		log.Info("migrated", "schema_version", v)
		return nil
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		products := fs.Int("products", store.DemoProductCount, "number of products to create (curated demo products first)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *products < 1 || *products > 10_000_000 {
			return fmt.Errorf("seed: --products must be between 1 and 10000000")
		}
		st, err := openMigrated(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		start := time.Now()
		if err := st.Seed(ctx, store.SeedOptions{Products: *products}); err != nil {
			return err
		}
		log.Info("seeded", "products", *products, "duration", time.Since(start).Round(time.Millisecond).String())
		return nil
	case "staff":
		return staffCommand(ctx, cfg, log, args, getenv, stdin)
	case "import":
		return importCommand(ctx, cfg, log, args, stdin)
	case "export":
		return exportCommand(ctx, cfg, log, args)
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, seed, staff, import or export)", cmd)
	}
}

// staffCommand runs `langran staff create --email E --role R [--name N]`,
// which adds a staff member (the first owner, typically) from the command
// line: no open endpoint can create an owner. The password comes from
// LANGRAN_STAFF_PASSWORD or, when that is unset, the first line of standard
// input; it is never a flag, which would leave it in the shell's history and
// the process list.
func staffCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, getenv func(string) string, stdin io.Reader) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: langran staff create --email owner@example.com --role OWNER [--name \"Name\"]")
	}
	fs := flag.NewFlagSet("staff create", flag.ContinueOnError)
	email := fs.String("email", "", "the staff member's email address")
	role := fs.String("role", "OWNER", "the role: OWNER, ADMIN, CATALOG_MANAGER, ORDER_MANAGER, SUPPORT or ANALYST")
	name := fs.String("name", "", "the staff member's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password := getenv("LANGRAN_STAFF_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("staff create: read the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return fmt.Errorf("staff create: give the password in LANGRAN_STAFF_PASSWORD or on standard input")
	}
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := newAuth(cfg, st, newMailer(cfg, log)).CreateStaff(ctx, *email, *name, model.Role(strings.ToUpper(*role)), password)
	if err != nil {
		if me, ok := model.AsError(err); ok {
			return fmt.Errorf("staff create: %s", me.Message)
		}
		return err
	}
	log.Info("staff member created", "email", m.Email, "role", string(m.Role), "id", m.GID())
	return nil
}

// importCommand runs `langran import --staff EMAIL [--validate-only]
// products.csv` ("-" reads standard input): the CSV import of
// docs/CATALOG_ADMIN.md, in one transaction, recorded in the audit log as
// the work of the staff member named, who must be active and may manage
// products. Row errors are logged and nothing is written when there is one.
func importCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	email := fs.String("staff", "", "the email of the staff member the import is recorded as (they must be able to manage products)")
	validateOnly := fs.Bool("validate-only", false, "check the file and report what it would do, writing nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *email == "" {
		return fmt.Errorf("usage: langran import --staff owner@example.com [--validate-only] products.csv")
	}
	in := stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	viewer, err := staffViewer(ctx, st, *email)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	start := time.Now()
	res, err := catalog.New(st, auth.Audit).Import(ctx, viewer, in, catalog.ImportOptions{ValidateOnly: *validateOnly})
	if err != nil {
		if me, ok := model.AsError(err); ok {
			return fmt.Errorf("import: %s", me.Message)
		}
		return err
	}
	const shown = 100
	for i, re := range res.RowErrors {
		if i == shown {
			log.Warn(fmt.Sprintf("%d more row errors not shown", len(res.RowErrors)-shown))
			break
		}
		log.Warn("row error", "row", re.Row, "column", re.Column, "code", string(re.Code), "message", re.Message)
	}
	if len(res.RowErrors) > 0 {
		return fmt.Errorf("import: %d problems in the file; nothing was written", len(res.RowErrors))
	}
	s := res.Summary
	log.Info("imported", "written", s.Imported, "rows", s.Rows, "products_created", s.ProductsCreated,
		"products_updated", s.ProductsUpdated, "products_unchanged", s.ProductsUnchanged, "variants_created", s.VariantsCreated,
		"variants_updated", s.VariantsUpdated, "variants_deleted", s.VariantsDeleted,
		"duration", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// staffViewer is the viewer the command line acts as: the active staff
// member with this email, who must be able to manage products.
func staffViewer(ctx context.Context, st *store.Store, email string) (*model.Viewer, error) {
	key, ok := model.NormalizeEmail(email)
	if !ok {
		return nil, fmt.Errorf("--staff %q is not an email address", email)
	}
	m, err := st.FindStaffByEmailKey(ctx, key)
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && !m.Active) {
		return nil, fmt.Errorf("no active staff member has the email %s", email)
	}
	if err != nil {
		return nil, err
	}
	v := &model.Viewer{Kind: model.ViewerStaff, ID: m.ID, Permissions: model.NewPermissionSet(model.RolePermissions[m.Role]...)}
	if !v.Can(model.PermManageProducts) {
		return nil, fmt.Errorf("%s (%s) may not manage products", email, m.Role)
	}
	return v, nil
}

// exportCommand runs `langran export [--status S] products.csv`: every
// product (or those in status S) as a CSV file that `langran import` reads.
func exportCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	status := fs.String("status", "", "only products in this status: ACTIVE, DRAFT or ARCHIVED")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: langran export [--status ACTIVE|DRAFT|ARCHIVED] products.csv")
	}
	f := store.ProductFilter{Statuses: []model.ProductStatus{model.ProductActive, model.ProductDraft, model.ProductArchived}}
	if *status != "" {
		s, ok := model.ParseProductStatus(*status)
		if !ok {
			return fmt.Errorf("export: --status must be ACTIVE, DRAFT or ARCHIVED")
		}
		f.Statuses = []model.ProductStatus{s}
	}
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// Written beside the target and renamed at the end, so that a failed
	// export never leaves half a file where a whole one was expected.
	name := fs.Arg(0)
	tmp, err := os.CreateTemp(filepath.Dir(name), ".export-*.csv")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	out := bufio.NewWriter(tmp)
	stats, err := catalog.New(st, auth.Audit).Export(ctx, out, f)
	if err == nil {
		err = out.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	log.Info("exported", "file", name, "products", stats.Products, "rows", stats.Rows)
	return nil
}

// openMigrated opens the configured database and brings its schema up to date.
func openMigrated(ctx context.Context, cfg Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func newLogger(cfg Config, out io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}

// App is a running Langran: its store, metrics and HTTP server.
type App struct {
	cfg     Config
	log     *slog.Logger
	store   *store.Store
	metrics *web.Metrics
	// metricsServer serves /metrics on LANGRAN_METRICS_ADDR, when set.
	metricsServer   *http.Server
	metricsListener net.Listener
	server          *http.Server
	handler         *appHandler
	listener        net.Listener
}

// openApp opens and migrates the database, seeds the demo catalog into an
// empty one when configured to, and builds the HTTP handler.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	m := web.NewMetrics()
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{
		OnStatement:  m.DBQueries.Inc,
		MaxOpenConns: cfg.DBMaxOpenConns,
	})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if cfg.SeedDemo {
		seeded, err := st.SeedIfEmpty(ctx, store.SeedOptions{})
		if err != nil {
			st.Close()
			return nil, err
		}
		if seeded {
			log.Info("seeded the demo catalog into an empty database")
		}
	}
	app := &App{cfg: cfg, log: log, store: st, metrics: m, handler: newHandler(cfg, st, m, log)}
	app.server = &http.Server{
		Handler:           app.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return app, nil
}

// Listen binds the configured address; Addr reports it (useful with port 0).
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	a.listener = l
	if a.cfg.MetricsAddr != "" {
		ml, err := net.Listen("tcp", a.cfg.MetricsAddr)
		if err != nil {
			l.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		a.metricsListener = ml
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.metrics.Handler())
		a.metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	}
	return nil
}

// MetricsAddr is the address of the metrics listener, "" when metrics are
// served on the main listener.
func (a *App) MetricsAddr() string {
	if a.metricsListener == nil {
		return ""
	}
	return a.metricsListener.Addr().String()
}

// Addr is the address the app listens on, after Listen.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Serve answers requests until ctx is done, then shuts down gracefully: it
// stops accepting connections and waits for in-flight requests (up to
// LANGRAN_SHUTDOWN_TIMEOUT) before returning.
func (a *App) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	pruneCtx, stopPruning := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPruning()
	go a.handler.PruneEvery(pruneCtx, time.Hour, a.log)
	go a.handler.ExpireOrdersEvery(pruneCtx, time.Minute, a.log)
	if a.metricsServer != nil {
		go func() {
			if err := a.metricsServer.Serve(a.metricsListener); !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("metrics server stopped", "error", err.Error())
			}
		}()
		defer a.metricsServer.Close()
		a.log.Info("metrics listening", "addr", a.MetricsAddr())
	}
	a.log.Info("listening", "addr", a.Addr(), "env", a.cfg.Env, "graphiql", a.cfg.GraphiQL,
		"database", string(a.store.Dialect()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Mail written by the last requests still goes out.
	if err := a.handler.Drain(sctx); err != nil {
		a.log.Error("shutdown: mail still queued was not sent", "error", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// Close releases the database.
func (a *App) Close() error { return a.store.Close() }

// servePprof serves net/http/pprof on a separate address that should only be
// reachable by operators (bind it to localhost or a private interface).
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("pprof listening", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("pprof server stopped", "error", err.Error())
	}
}

// schemaHandler serves the schema as SDL, for tooling and partners.
func schemaHandler(es graphql.ExecutableSchema) http.Handler {
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithComments()).FormatSchema(es.Schema())
	sdl := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(sdl)
	})
}
