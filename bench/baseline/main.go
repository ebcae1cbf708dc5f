// Command baseline answers Langran's storefront page query with nothing but
// net/http, database/sql and encoding/json, in as few SQL statements as the
// data allows. It is the yardstick of the benchmarks in docs/BENCHMARKS.md:
// what serving this one page costs when no GraphQL engine, ORM or dataloader
// stands in between. It is not a GraphQL server; it understands exactly one
// query and reads only its page size.
//
// It also answers the checkout benchmark's purchase (checkout.go): requests
// whose operationName is CartCreate, CartBuyerIdentityUpdate,
// CartSelectedDeliveryOptionUpdate or CheckoutComplete are served from their variables alone, writing the same
// rows in Langran's tables as Langran would.
//
//	BASELINE_DSN='root@tcp(127.0.0.1:3306)/langran_bench?parseTime=true' baseline -addr 127.0.0.1:8090
//
// Flags fall back to BASELINE_ADDR, BASELINE_DSN and BASELINE_DEBUG_ADDR.
//
// Endpoints: POST /graphql (the page; the response carries the statements it
// ran in X-SQL-Statements), GET /stats (totals since start), GET /readyz.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/langran/langran/model"
)

// maxFirst matches Langran's documented page-size maximum.
const maxFirst = 100

// variantsPerProduct is the variants(first: 10) of the page query.
const variantsPerProduct = 10

func main() {
	addr := flag.String("addr", envOr("BASELINE_ADDR", "127.0.0.1:8090"), "listen address")
	dsn := flag.String("dsn", os.Getenv("BASELINE_DSN"), "go-sql-driver/mysql DSN, e.g. root@tcp(127.0.0.1:3306)/langran_bench?parseTime=true")
	debugAddr := flag.String("debug-addr", os.Getenv("BASELINE_DEBUG_ADDR"), "pprof listen address; off when empty")
	maxConns := flag.Int("max-open-conns", 32, "connection pool size (Langran's MySQL default is 32)")
	payWithin := flag.Duration("pay-within", time.Hour, "how long a new order may stay unpaid (Langran's LANGRAN_ORDER_PAY_WITHIN)")
	deliveryRequired := flag.Bool("delivery-required", true, "whether a cart with an address must choose a delivery option to check out (Langran's LANGRAN_DELIVERY_REQUIRED)")
	flag.Parse()
	if *dsn == "" {
		log.Fatal("baseline: -dsn (or BASELINE_DSN) is required")
	}
	if err := run(*addr, *dsn, *debugAddr, *maxConns, *payWithin, *deliveryRequired); err != nil {
		log.Fatal("baseline: ", err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(addr, dsn, debugAddr string, maxConns int, payWithin time.Duration, deliveryRequired bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("parse DSN: %w", err)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	pg := &pageServer{db: db, payWithin: payWithin, deliveryRequired: deliveryRequired}
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", pg)
	mux.HandleFunc("GET /stats", pg.serveStats)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	if debugAddr != "" {
		go serveDebug(debugAddr)
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func serveDebug(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Print("baseline: pprof stopped: ", srv.ListenAndServe())
}

// pageServer serves the storefront page and the purchase, and counts what
// it does.
type pageServer struct {
	db        *sql.DB
	payWithin time.Duration
	// deliveryRequired: a cart with an address checks out only with a
	// delivery option chosen.
	deliveryRequired bool
	requests         atomic.Int64
	statements       atomic.Int64 // SQL statements, not counting BEGIN and COMMIT (as Langran counts them)
	errors           atomic.Int64 // requests that failed with an internal error
}

// The response mirrors Langran's JSON for the page query field for field,
// so that the two can be compared value for value.
type (
	pageResponse struct {
		Data pageData `json:"data"`
	}
	pageData struct {
		Products productConnection `json:"products"`
	}
	productConnection struct {
		Edges []productEdge `json:"edges"`
	}
	productEdge struct {
		Node productNode `json:"node"`
	}
	productNode struct {
		Category *category         `json:"category"`
		Images   []image           `json:"images"`
		Variants variantConnection `json:"variants"`
	}
	category struct {
		Name string `json:"name"`
	}
	image struct {
		URL string `json:"url"`
	}
	variantConnection struct {
		Edges []variantEdge `json:"edges"`
	}
	variantEdge struct {
		Node variantNode `json:"node"`
	}
	variantNode struct {
		SKU               *string `json:"sku"`
		Price             money   `json:"price"`
		QuantityAvailable int     `json:"quantityAvailable"`
	}
	money struct {
		Amount string `json:"amount"`
	}
)

// pageRequest is the part of a GraphQL request body the baseline reads.
type pageRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

// request is a GraphQL request body, its variables left to the operation.
type request struct {
	OperationName string          `json:"operationName"`
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables"`
}

func (s *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body request
	if err := json.NewDecoder(io.LimitReader(r.Body, 256<<10)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "the body is not a JSON GraphQL request")
		return
	}
	switch body.OperationName {
	case "CartCreate", "CartBuyerIdentityUpdate", "CartSelectedDeliveryOptionUpdate", "CheckoutComplete":
		s.serveCheckout(w, r, body.OperationName, body.Variables)
		return
	}
	req := pageRequest{Query: body.Query}
	if len(body.Variables) > 0 && string(body.Variables) != "null" {
		if err := json.Unmarshal(body.Variables, &req.Variables); err != nil {
			writeError(w, http.StatusBadRequest, "variables must be an object")
			return
		}
	}
	first, err := requestedFirst(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	page, statements, err := s.loadPage(r.Context(), first)
	s.requests.Add(1)
	s.statements.Add(int64(statements))
	w.Header().Set("X-SQL-Statements", strconv.Itoa(statements))
	if err != nil {
		log.Print("baseline: ", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	out, err := json.Marshal(pageResponse{Data: pageData{Products: page}})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

func (s *pageServer) serveStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int64{
		"requests":   s.requests.Load(),
		"statements": s.statements.Load(),
		"errors":     s.errors.Load(),
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]string{"message": msg}}})
}

// firstArg finds the products field's page size in a query written with a
// literal, as in products(first: 50).
var firstArg = regexp.MustCompile(`products\s*\(\s*first\s*:\s*(\d+)`)

// requestedFirst returns the page size: the "first" variable when given,
// else the literal in the query, else 50.
func requestedFirst(req pageRequest) (int, error) {
	n := 50
	if v, ok := req.Variables["first"]; ok {
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			return 0, errors.New(`variable "first" must be an integer`)
		}
		n = int(f)
	} else if m := firstArg.FindStringSubmatch(req.Query); m != nil {
		var err error
		if n, err = strconv.Atoi(m[1]); err != nil {
			return 0, errors.New("first is not an integer")
		}
	}
	if n < 0 || n > maxFirst {
		return 0, fmt.Errorf("first must be between 0 and %d", maxFirst)
	}
	return n, nil
}

// loadPage reads one page in three statements: the products joined to their
// category (many-to-one, so the join adds no rows), then the images and the
// variants of all the page's products, each with one IN list. It returns the
// number of statements it ran, also on error.
func (s *pageServer) loadPage(ctx context.Context, first int) (productConnection, int, error) {
	conn := productConnection{Edges: []productEdge{}}
	statements := 1
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, c.name FROM products p
		LEFT JOIN categories c ON c.id = p.category_id
		WHERE p.status = 'ACTIVE' ORDER BY p.id LIMIT ?`, first)
	if err != nil {
		return conn, statements, fmt.Errorf("products: %w", err)
	}
	var ids []any
	index := map[int64]int{}
	for rows.Next() {
		var id int64
		var name sql.NullString
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return conn, statements, fmt.Errorf("products: %w", err)
		}
		node := productNode{Images: []image{}, Variants: variantConnection{Edges: []variantEdge{}}}
		if name.Valid {
			node.Category = &category{Name: name.String}
		}
		index[id] = len(conn.Edges)
		ids = append(ids, id)
		conn.Edges = append(conn.Edges, productEdge{Node: node})
	}
	if err := rows.Err(); err != nil {
		return conn, statements, fmt.Errorf("products: %w", err)
	}
	if len(ids) == 0 {
		return conn, statements, nil
	}
	in := strings.Repeat("?,", len(ids)-1) + "?"

	statements++
	rows, err = s.db.QueryContext(ctx, `SELECT product_id, url FROM product_images
		WHERE product_id IN (`+in+`) ORDER BY product_id, position, id`, ids...)
	if err != nil {
		return conn, statements, fmt.Errorf("images: %w", err)
	}
	for rows.Next() {
		var pid int64
		var img image
		if err := rows.Scan(&pid, &img.URL); err != nil {
			rows.Close()
			return conn, statements, fmt.Errorf("images: %w", err)
		}
		n := &conn.Edges[index[pid]].Node
		n.Images = append(n.Images, img)
	}
	if err := rows.Err(); err != nil {
		return conn, statements, fmt.Errorf("images: %w", err)
	}

	// All variants are read and the first ten per product kept here: a
	// window function would save the few rows of products with more than
	// ten variants at the cost of a costlier plan.
	statements++
	rows, err = s.db.QueryContext(ctx, `SELECT product_id, sku, price, currency, inventory_quantity
		FROM product_variants WHERE product_id IN (`+in+`) ORDER BY product_id, position, id`, ids...)
	if err != nil {
		return conn, statements, fmt.Errorf("variants: %w", err)
	}
	for rows.Next() {
		var pid, price int64
		var sku sql.NullString
		var currency string
		var qty int
		if err := rows.Scan(&pid, &sku, &price, &currency, &qty); err != nil {
			rows.Close()
			return conn, statements, fmt.Errorf("variants: %w", err)
		}
		n := &conn.Edges[index[pid]].Node
		if len(n.Variants.Edges) == variantsPerProduct {
			continue
		}
		v := variantNode{Price: money{Amount: formatAmount(price, currency)}, QuantityAvailable: max(qty, 0)}
		if sku.Valid {
			v.SKU = &sku.String
		}
		n.Variants.Edges = append(n.Variants.Edges, variantEdge{Node: v})
	}
	if err := rows.Err(); err != nil {
		return conn, statements, fmt.Errorf("variants: %w", err)
	}
	return conn, statements, nil
}

// formatAmount renders minor units as Langran does (model.FormatMinor), so
// the two servers' JSON can be compared byte for byte.
func formatAmount(minor int64, currency string) string {
	return model.FormatMinor(minor, model.CurrencyCode(currency).MinorDigits())
}
