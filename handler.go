package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/catalog"
	"github.com/langran/langran/checkout"
	"github.com/langran/langran/discount"
	"github.com/langran/langran/graph"
	"github.com/langran/langran/graphiql"
	"github.com/langran/langran/inventory"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/payment/manual"
	"github.com/langran/langran/payment/promptpay"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/receipt"
	"github.com/langran/langran/receipt/etax"
	"github.com/langran/langran/receipt/render"
	"github.com/langran/langran/resolver"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/store"
	"github.com/langran/langran/web"
)

// maxValidationWork bounds the work validating one document may cost (see
// web.ValidationBudget): the storefront page costs 17 units, a full product
// grid about 120, GraphiQL's introspection query about 400 (edge_test.go keeps
// these true); docs/BENCHMARKS.md measures the worst shapes that fit.
const maxValidationWork = 2500

// maxErrorsPerResponse caps the errors one response lists.
const maxErrorsPerResponse = 20

// Paths the service answers on.
const (
	graphqlPath = "/graphql"
	schemaPath  = "/schema.graphql"
)

// appHandler is the whole HTTP surface, and the background work it owns:
// the outbox that delivers mail after the request that wrote it.
type appHandler struct {
	http.Handler
	outbox    *auth.Outbox
	accounts  *auth.Service
	checkout  *checkout.Service
	inventory *inventory.Service
}

// Drain delivers the mail still queued, until ctx ends; after the server
// has stopped taking requests.
func (h *appHandler) Drain(ctx context.Context) error { return h.outbox.Close(ctx) }

// PruneEvery deletes expired reset links, stale sign-in throttle counts
// (auth.Service.Prune), expired carts (checkout.Service.PruneCarts) and
// old idempotency keys (inventory.Service.PruneIdempotencyKeys) now and
// then every interval, until ctx ends. Every instance may run it:
// deleting what is already gone is harmless.
func (h *appHandler) PruneEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := h.accounts.Prune(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pruning expired account records failed", "error", err.Error())
		} else if n > 0 {
			log.Info("pruned expired account records", "rows", n)
		}
		if n, err := h.checkout.PruneCarts(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pruning expired carts failed", "error", err.Error())
		} else if n > 0 {
			log.Info("pruned expired carts", "carts", n)
		}
		if n, err := h.inventory.PruneIdempotencyKeys(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pruning old idempotency keys failed", "error", err.Error())
		} else if n > 0 {
			log.Info("pruned old idempotency keys", "keys", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ExpireOrdersEvery cancels unpaid orders whose time to pay is over
// (checkout.Service.ExpireUnpaid), returning their stock, every interval
// until ctx ends. Every instance may run it: each order is expired once,
// under its row lock.
func (h *appHandler) ExpireOrdersEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := h.checkout.ExpireUnpaid(ctx); err != nil && ctx.Err() == nil {
			log.Warn("expiring unpaid orders failed", "error", err.Error())
		} else if n > 0 {
			log.Info("expired unpaid orders", "orders", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// newHandler wires the whole HTTP surface: GraphQL with its limits, the
// schema, health, readiness, metrics (unless served on their own listener)
// and, in development, GraphiQL.
func newHandler(cfg Config, st *store.Store, m *web.Metrics, log *slog.Logger) *appHandler {
	outbox := auth.NewOutbox(newMailer(cfg, log), log, mailQueueSize)
	accounts := newAuth(cfg, st, outbox)
	stock := inventory.New(st, auth.Audit)
	// The built-in table rates are the one shipping provider today; a
	// carrier's API would be another argument to shipping.New.
	shippingTable := shipping.NewTable(st, auth.Audit).CacheFor(cfg.ShippingCacheTTL)
	delivery := shipping.New(shipping.Options{Timeout: cfg.ShippingTimeout, Log: log}, shippingTable)
	carts := checkout.New(st, checkout.Options{PayWithin: cfg.PayWithin, Delivery: delivery, VAT: cfg.VAT,
		DeliveryOptional: !cfg.DeliveryRequired})
	signer := model.NewLinkSigner(cfg.LinkSecret)
	qr := promptpay.QRLinks{Base: cfg.PublicURL, Signer: signer}
	var receipts *receipt.Service
	if cfg.Seller != nil {
		receipts = receipt.New(st, *cfg.Seller, nil)
	}
	receiptLinks := &receipt.Links{Base: cfg.PublicURL, Signer: signer, Store: st, Log: log, Formats: receiptFormats(),
		Cancellation: cancellationNote}
	payments := newPayments(cfg, st, log, receipts)
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers: &resolver.Resolver{Store: st, Auth: accounts, Catalog: catalog.New(st, auth.Audit), Checkout: carts,
			Shipping: delivery, ShippingTable: shippingTable, Inventory: stock, Discounts: discount.New(st, auth.Audit),
			Payments: payments, PromptPayQRURL: qr.URL, StripePublishableKey: stripePublishableKey(cfg),
			Receipts: receipts, ReceiptLinks: receiptLinks},
		Directives: resolver.Directives(),
	})
	queryCache := web.QueryDocumentCache{Inner: lru.New[*ast.QueryDocument](1000)}
	srv := handler.New(schema)
	srv.AddTransport(web.Transport{
		MaxBodyBytes:   cfg.MaxBodyBytes,
		MaxUploadBytes: cfg.MaxUploadBytes,
		MaxErrors:      maxErrorsPerResponse,
		PublicMaxAge:   cfg.PublicMaxAge,
	})
	srv.SetQueryCache(queryCache)
	srv.SetParserTokenLimit(cfg.MaxTokens)
	srv.SetErrorPresenter(web.ErrorPresenter(log, m, web.PresenterOptions{HideSuggestions: cfg.Production()}))
	srv.SetRecoverFunc(web.RecoverFunc(log))
	srv.SetDisableSuggestion(cfg.Production())
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: web.NewAPQCache(lru.New[string](cfg.APQCacheSize), m)})
	// After APQ has filled in the query text, before gqlgen validates it.
	srv.Use(web.ValidationBudget{MaxTokens: cfg.MaxTokens, MaxWork: maxValidationWork, Validated: queryCache.Has})
	// After validation: refuse what may not run before anything runs.
	srv.Use(web.IntrospectionGate{Allow: cfg.Introspection})
	srv.Use(web.ShapeLimits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxFields: 5000})
	srv.Use(web.CostLimit{Max: cfg.MaxComplexity, Schema: schema.Schema()})
	// After the cost is known: spend it from the caller's budget.
	srv.Use(web.NewRateLimit(cfg.RateLimit))
	srv.AroundOperations(web.RecordOperation)
	srv.AroundResponses(web.ReportCost)

	gql := web.RequestScope(web.ScopeOptions{
		Timeout:        cfg.RequestTimeout,
		TrustedProxies: cfg.TrustedProxies,
		Log:            log,
		Prepare: func(ctx context.Context, r *http.Request) (context.Context, error) {
			v, err := accounts.Authenticate(ctx, r.Header.Get("Authorization"), r.Header.Get("X-Langran-Api-Key"))
			if err != nil {
				return ctx, err
			}
			ctx = model.WithViewer(ctx, v)
			return store.WithLoaders(ctx, store.NewLoaders(st, cfg.LoaderOptions())), nil
		},
	})(srv)

	mux := http.NewServeMux()
	mux.Handle(graphqlPath, web.CORS(web.CORSOptions{Origins: cfg.CORSOrigins, Headers: cfg.CORSHeaders})(gql))
	if cfg.Introspection {
		// The SDL says what introspection says; it follows the same switch.
		mux.Handle("GET "+schemaPath, schemaHandler(schema))
	}
	// Providers' notifications: verified, applied once, answered fast.
	mux.Handle("/webhooks/", payments.WebhookHandler())
	mux.Handle("GET "+promptpay.QRPath, qr.Handler())
	mux.Handle("GET "+receipt.DocumentPath, receiptLinks.Handler())
	mux.Handle("GET /healthz", web.Health())
	mux.Handle("GET /readyz", web.Ready(st.Ping, log))
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", m.Handler())
	}
	if cfg.GraphiQL {
		mux.Handle("/", graphiql.Handler(graphqlPath))
	}
	return &appHandler{outbox: outbox, accounts: accounts, checkout: carts, inventory: stock, Handler: web.Observe(log, m, web.ObserveOptions{
		GraphQLPath: graphqlPath,
		Operations:  cfg.MetricsOperations,
		CountStatements: func(ctx context.Context) (context.Context, func() int64) {
			ctx, c := store.WithStatementCounter(ctx)
			return ctx, c.Count
		},
	})(mux)}
}

// newPayments builds the payment service with the methods the
// configuration turns on. Configuration was checked when it was loaded, so
// a provider that cannot be built here is a bug.
func newPayments(cfg Config, st *store.Store, log *slog.Logger, receipts *receipt.Service) *payment.Service {
	pc := cfg.Payments
	var providers []payment.Provider
	opts := payment.Options{ManualCapture: pc.ManualCapture, Logger: log}
	if receipts != nil {
		// Paying issues the receipt, and refunding the credit note, in
		// the same transaction.
		opts.OnPaid, opts.OnRefunded = receipts.IssueForPaid, receipts.IssueCreditNote
	}
	if pc.PromptPayID != "" {
		p, err := promptpay.New(pc.PromptPayID)
		if err != nil {
			panic("LANGRAN_PROMPTPAY_ID passed its check but: " + err.Error())
		}
		providers = append(providers, p)
		if len(pc.PromptPaySecrets) > 0 {
			n, err := promptpay.NewNotifications(pc.PromptPaySecrets...)
			if err != nil {
				panic("LANGRAN_PROMPTPAY_WEBHOOK_SECRET passed its check but: " + err.Error())
			}
			opts.Webhooks = append(opts.Webhooks, n)
		}
	}
	if pc.BankAccount != nil {
		providers = append(providers, manual.NewBankTransfer(*pc.BankAccount))
	}
	if pc.CashOnDelivery {
		providers = append(providers, manual.NewCashOnDelivery())
	}
	if pc.Stripe != nil {
		sc := *pc.Stripe
		sc.Logger = log
		p, err := stripe.New(sc)
		if err != nil {
			panic("the Stripe settings passed their check but: " + err.Error())
		}
		providers = append(providers, p)
	}
	return payment.NewService(st, opts, providers...)
}

// receiptFormats are the ways documents are drawn, by link extension.
func receiptFormats() map[string]receipt.Format {
	return map[string]receipt.Format{
		"pdf":  {ContentType: "application/pdf", Render: render.PDF},
		"html": {ContentType: "text/html; charset=utf-8", Render: render.HTML},
		"xml":  {ContentType: "application/xml; charset=utf-8", Render: etax.Encode},
	}
}

// cancellationNote writes the e-Tax cancellation note (T07) of a document
// replaced by another: its number is the cancelled one's with "-C".
func cancellationNote(w io.Writer, d *model.ReceiptDocument, at time.Time, replacedBy string) error {
	return etax.EncodeCancellation(w, d, etax.Cancellation{Number: d.Number + "-C", IssuedAt: at,
		Reason: "ยกเลิกเพื่อออกใบกำกับภาษีเต็มรูปแทน / cancelled for a full tax invoice", ReplacedBy: replacedBy})
}

// stripePublishableKey is the key storefronts initialise Stripe with.
func stripePublishableKey(cfg Config) string {
	if cfg.Payments.Stripe == nil {
		return ""
	}
	return cfg.Payments.Stripe.PublishableKey
}

// mailQueueSize is how many messages may wait for the mail server; more are
// dropped with an error in the log.
const mailQueueSize = 1000

// newMailer is where mail goes: the SMTP server of LANGRAN_SMTP_URL, or
// else the log, with bodies and their links in development and without
// them (recipient and subject only, nothing secret) in production.
func newMailer(cfg Config, log *slog.Logger) auth.Mailer {
	if cfg.SMTP != nil {
		return auth.NewSMTPMailer(*cfg.SMTP)
	}
	return auth.LogMailer{Log: log, ShowBody: !cfg.Production()}
}

// newAuth builds the accounts service from the configuration.
func newAuth(cfg Config, st *store.Store, mailer auth.Mailer) *auth.Service {
	return auth.New(st, auth.Config{
		Hash:             auth.HashParams{MemoryKiB: uint32(cfg.PasswordMemory), Time: 2, Threads: 1},
		CustomerTokenTTL: cfg.CustomerTTL,
		StaffTokenTTL:    cfg.StaffTTL,
		Mailer:           mailer,
		StorefrontURL:    cfg.StorefrontURL,
		AdminURL:         cfg.PublicURL,
	})
}
