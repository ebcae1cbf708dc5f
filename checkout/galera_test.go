package checkout_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// GaleraURLsEnv names the nodes of a MariaDB Galera cluster, comma-separated
// server URLs without a database, e.g.
// mysql://root@127.0.0.1:4306,mysql://root@127.0.0.1:4307,mysql://root@127.0.0.1:4308
// (what tools like galera-cluster.sh start; see README, "Scaling out").
const GaleraURLsEnv = "LANGRAN_TEST_GALERA_URLS"

// Replicas that write through different nodes of a multi-primary cluster
// still never oversell: each node certifies a transaction against the
// others' at commit, the loser gets a deadlock error, and checkout reruns
// it whole. 90 buyers on three nodes compete for 30 units; the same
// idempotency key sent to all three nodes at once makes one order.
func TestCheckoutsThroughDifferentGaleraNodes(t *testing.T) {
	raw := os.Getenv(GaleraURLsEnv)
	if raw == "" {
		t.Skipf("needs a Galera cluster: set %s", GaleraURLsEnv)
	}
	ctx := context.Background()
	nodes := strings.Split(raw, ",")
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "langran_galera_" + hex.EncodeToString(b[:])
	admin := adminConn(t, nodes[0])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(ctx, "DROP DATABASE "+db) })

	// Every session waits for the cluster to catch up before it reads, so a
	// cart made through one node is there when another node checks it out.
	stores := make([]*store.Store, len(nodes))
	services := make([]*checkout.Service, len(nodes))
	for i, n := range nodes {
		st, err := store.Open(ctx, strings.TrimSuffix(n, "/")+"/"+db+"?wsrep_sync_wait=1", store.Options{MaxOpenConns: 16})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		stores[i], services[i] = st, checkout.New(st, checkout.Options{})
	}
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stores[0].Seed(ctx, store.SeedOptions{Products: 10}); err != nil {
		t.Fatal(err)
	}
	var variant int64
	if err := stores[0].DB(ctx).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? ORDER BY v.id LIMIT 1`, model.ProductActive).Scan(&variant).Error; err != nil || variant == 0 {
		t.Fatalf("no variant: %v", err)
	}
	var onHand int
	stores[0].DB(ctx).Raw("SELECT inventory_quantity FROM product_variants WHERE id = ?", variant).Scan(&onHand)
	const units, buyers = 30, 90
	if _, err := stores[0].SetInventory(ctx, variant, units, onHand, model.ReasonCorrection, "galera test", "system"); err != nil {
		t.Fatal(err)
	}

	addr := model.MailingAddress{FirstName: "Ploy", Address1: "1 Rama IV Rd", City: "Bangkok", Zip: "10330", Country: "TH"}
	email := "ploy@example.com"
	keys := make([]string, buyers+1)
	for i := range keys {
		c, err := services[i%len(nodes)].Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: variant, Quantity: 1}},
			Buyer: &checkout.BuyerInput{Email: &email, DeliveryAddress: &addr}})
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = c.CartKey
	}

	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := services[i%len(nodes)].Complete(ctx, keys[i], fmt.Sprintf("galera-%d", i))
			code := "order"
			if err != nil {
				code = string(model.ErrorCodeOf(err))
				if code == "" || code == string(model.CodeInternal) {
					code = "error: " + err.Error()
				}
			}
			mu.Lock()
			outcomes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("%d checkouts through %d nodes in %v: %v", buyers, len(nodes), time.Since(start), outcomes)
	if outcomes["order"] != units || outcomes[string(model.CodeOutOfStock)] != buyers-units {
		t.Errorf("outcomes %v, want %d orders and %d OUT_OF_STOCK", outcomes, units, buyers-units)
	}
	for i, st := range stores {
		var committed, orders int
		st.DB(ctx).Raw("SELECT inventory_committed FROM product_variants WHERE id = ?", variant).Scan(&committed)
		st.DB(ctx).Raw("SELECT COUNT(*) FROM orders").Scan(&orders)
		if committed != units || orders != units {
			t.Errorf("node %d: %d committed, %d orders; want %d and %d", i+1, committed, orders, units, units)
		}
	}
	if bad, err := stores[0].CheckInventoryLedger(ctx); err != nil || len(bad) > 0 {
		t.Errorf("ledger: %v %v", bad, err)
	}

	// One key, one cart, every node at once: one order. The last cart
	// finds no stock left, so restock it first.
	if _, err := stores[0].SetInventory(ctx, variant, units+5, units, model.ReasonReceived, "galera test", "system"); err != nil {
		t.Fatal(err)
	}
	last := keys[buyers]
	ids := make([]int64, 3*len(nodes))
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o, err := services[i%len(nodes)].Complete(ctx, last, "galera-same-key"); err == nil {
				ids[i] = o.ID
			} else {
				t.Errorf("attempt %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		if id == 0 || id != ids[0] {
			t.Errorf("attempt %d made order %d, the first %d", i, id, ids[0])
		}
	}
	var orders int
	stores[1].DB(ctx).Raw("SELECT COUNT(*) FROM orders").Scan(&orders)
	if orders != units+1 {
		t.Errorf("%d orders after the same key on every node, want %d", orders, units+1)
	}
}

// adminConn opens a plain connection to a server URL, without a database.
func adminConn(t *testing.T, serverURL string) *sql.DB {
	t.Helper()
	dsn, err := store.MySQLDSN(strings.TrimSuffix(serverURL, "/") + "/mysql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
