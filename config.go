package main

import (
	"crypto/rand"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/model"
	"github.com/langran/langran/payment/manual"
	"github.com/langran/langran/payment/promptpay"
	"github.com/langran/langran/payment/stripe"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/store"
	"github.com/langran/langran/web"
)

// Config is everything the service reads from its environment. Each field
// has a LANGRAN_* variable, documented in the README, and a default that
// makes `go run .` work on an empty machine.
type Config struct {
	Addr            string        // LANGRAN_ADDR
	DatabaseURL     string        // LANGRAN_DATABASE_URL
	Env             string        // LANGRAN_ENV: development | production
	LogLevel        string        // LANGRAN_LOG_LEVEL: debug | info | warn | error
	SeedDemo        bool          // LANGRAN_SEED_DEMO: seed the demo catalog into an empty database at start
	Introspection   bool          // LANGRAN_INTROSPECTION
	GraphiQL        bool          // LANGRAN_GRAPHIQL
	MaxDepth        int           // LANGRAN_MAX_DEPTH
	MaxComplexity   int           // LANGRAN_MAX_COMPLEXITY
	MaxAliases      int           // LANGRAN_MAX_ALIASES
	MaxTokens       int           // LANGRAN_MAX_TOKENS
	MaxBodyBytes    int64         // LANGRAN_MAX_BODY_BYTES
	MaxUploadBytes  int64         // LANGRAN_MAX_UPLOAD_BYTES: multipart uploads by staff and partner keys
	RequestTimeout  time.Duration // LANGRAN_REQUEST_TIMEOUT
	ShutdownTimeout time.Duration // LANGRAN_SHUTDOWN_TIMEOUT
	APQCacheSize    int           // LANGRAN_APQ_CACHE_SIZE
	LoaderWait      time.Duration // LANGRAN_DATALOADER_WAIT
	LoaderMaxBatch  int           // LANGRAN_DATALOADER_MAX_BATCH
	DBMaxOpenConns  int           // LANGRAN_DB_MAX_OPEN_CONNS
	DebugAddr       string        // LANGRAN_DEBUG_ADDR: pprof listener, off when empty
	CORSOrigins     []string      // LANGRAN_CORS_ORIGINS: comma-separated origins, or *
	CORSHeaders     []string      // LANGRAN_CORS_HEADERS: request headers allowed besides the defaults
	MetricsAddr     string        // LANGRAN_METRICS_ADDR: serve /metrics here instead of on Addr
	TrustedProxies  []*net.IPNet  // LANGRAN_TRUSTED_PROXIES: whose X-Forwarded-For to believe
	PublicURL       string        // LANGRAN_PUBLIC_URL: the service's address, for links in mail
	StorefrontURL   string        // LANGRAN_STOREFRONT_URL: the shop's web address, for password reset links
	PasswordMemory  int           // LANGRAN_PASSWORD_HASH_MEMORY: argon2id memory in KiB
	CustomerTTL     time.Duration // LANGRAN_CUSTOMER_TOKEN_TTL
	StaffTTL        time.Duration // LANGRAN_STAFF_TOKEN_TTL
	// PayWithin is how long an order may stay unpaid before it expires and
	// its stock goes back (LANGRAN_ORDER_PAY_WITHIN).
	PayWithin time.Duration
	// DeliveryRequired makes carts choose a delivery option before
	// checkout (LANGRAN_DELIVERY_REQUIRED, true by default).
	DeliveryRequired bool
	// VAT is the VAT rates over time (LANGRAN_VAT_RATES), Thailand's 7% by
	// default.
	VAT             model.VATSchedule
	ShippingTimeout time.Duration // LANGRAN_SHIPPING_TIMEOUT: how long each shipping provider may take
	// ShippingCacheTTL is how long the shipping zones and rates are kept in
	// memory before they are read again (LANGRAN_SHIPPING_CACHE_TTL, 5s; 0
	// reads them for every delivery priced).
	ShippingCacheTTL time.Duration
	// MetricsOperations are the operation names metrics label by name
	// (LANGRAN_METRICS_OPERATIONS); others count as "other".
	MetricsOperations []string
	PublicMaxAge      time.Duration // LANGRAN_PUBLIC_CACHE_MAX_AGE: CDN lifetime of anonymous GET answers
	// SMTP is where mail goes (LANGRAN_SMTP_URL); nil logs mail instead.
	SMTP *auth.SMTPConfig
	// RateLimit is the query-cost budget of each credential and of each
	// anonymous client address (LANGRAN_RATE_LIMIT_*); Bucket 0 is off.
	RateLimit web.RateLimitOptions
	// Payments says which payment methods the shop takes and with what
	// credentials.
	Payments PaymentConfig
	// Seller is who receipts and tax invoices are issued by
	// (LANGRAN_SELLER_*); nil when no tax ID is configured, and then no
	// documents are issued. Development uses a demo seller.
	Seller *model.Seller
	// LinkSecret signs links opened without a token, such as a PromptPay
	// QR code's image (LANGRAN_LINK_SECRET). It must be the same on every
	// replica; in development a random one is made at start.
	LinkSecret []byte
}

// PaymentConfig is the payment methods' configuration. A method is on when
// its settings are there; development turns on demo values for PromptPay,
// bank transfer and cash on delivery so that `go run .` can take an order
// to PAID.
type PaymentConfig struct {
	PromptPayID      string          // LANGRAN_PROMPTPAY_ID
	PromptPaySecrets [][]byte        // LANGRAN_PROMPTPAY_WEBHOOK_SECRET, comma-separated for rotation
	BankAccount      *manual.Account // LANGRAN_BANK_TRANSFER_ACCOUNT: "Bank|Account name|Account number"
	CashOnDelivery   bool            // LANGRAN_CASH_ON_DELIVERY
	// Stripe is nil unless LANGRAN_STRIPE_SECRET_KEY is set.
	Stripe *stripe.Config
	// ManualCapture holds card payments for staff to capture
	// (LANGRAN_STRIPE_CAPTURE=manual).
	ManualCapture bool
}

// Demo payment settings for development.
const (
	demoPromptPayID   = "0105558123451"
	demoBankAccount   = "Demo Bank|Langran Demo Shop|123-4-56789-0"
	minWebhookSecret  = 16
	stripeCaptureAuto = "automatic"
)

// Production reports whether the service runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// LoaderOptions returns the dataloader tuning.
func (c Config) LoaderOptions() store.LoaderOptions {
	return store.LoaderOptions{Wait: c.LoaderWait, MaxBatch: c.LoaderMaxBatch}
}

// LoadConfig reads the configuration from getenv (os.Getenv in production,
// a map in tests). Bad values are errors, never silently replaced.
func LoadConfig(getenv func(string) string) (Config, error) {
	p := envParser{getenv: getenv}
	c := Config{
		Addr:        p.str("LANGRAN_ADDR", ":8080"),
		DatabaseURL: p.str("LANGRAN_DATABASE_URL", "sqlite:langran.db"),
		Env:         p.str("LANGRAN_ENV", "development"),
		LogLevel:    p.str("LANGRAN_LOG_LEVEL", "info"),
		DebugAddr:   p.str("LANGRAN_DEBUG_ADDR", ""),
		MetricsAddr: p.str("LANGRAN_METRICS_ADDR", ""),
		PublicURL:   strings.TrimSuffix(p.str("LANGRAN_PUBLIC_URL", "http://localhost:8080"), "/"),
	}
	c.StorefrontURL = strings.TrimSuffix(p.str("LANGRAN_STOREFRONT_URL", c.PublicURL), "/")
	if c.Env != "development" && c.Env != "production" {
		p.fail("LANGRAN_ENV", c.Env, "development or production")
	}
	dev := !c.Production()
	c.SeedDemo = p.boolean("LANGRAN_SEED_DEMO", dev)
	c.Introspection = p.boolean("LANGRAN_INTROSPECTION", dev)
	c.GraphiQL = p.boolean("LANGRAN_GRAPHIQL", dev)
	c.MaxDepth = p.integer("LANGRAN_MAX_DEPTH", 12, 2, 100)
	c.MaxComplexity = p.integer("LANGRAN_MAX_COMPLEXITY", 5000, 10, 1_000_000_000)
	c.MaxAliases = p.integer("LANGRAN_MAX_ALIASES", 30, 0, 10_000)
	c.MaxTokens = p.integer("LANGRAN_MAX_TOKENS", 5000, 100, 1_000_000)
	c.MaxBodyBytes = int64(p.integer("LANGRAN_MAX_BODY_BYTES", 256<<10, 1<<10, 64<<20))
	c.MaxUploadBytes = int64(p.integer("LANGRAN_MAX_UPLOAD_BYTES", 32<<20, 1<<10, 1<<30))
	c.RequestTimeout = p.duration("LANGRAN_REQUEST_TIMEOUT", 10*time.Second)
	c.ShutdownTimeout = p.duration("LANGRAN_SHUTDOWN_TIMEOUT", 20*time.Second)
	c.APQCacheSize = p.integer("LANGRAN_APQ_CACHE_SIZE", 1000, 1, 1_000_000)
	c.LoaderWait = p.duration("LANGRAN_DATALOADER_WAIT", time.Millisecond)
	c.LoaderMaxBatch = p.integer("LANGRAN_DATALOADER_MAX_BATCH", 500, 100, 10_000)
	c.PublicMaxAge = p.durationOrZero("LANGRAN_PUBLIC_CACHE_MAX_AGE")
	c.CORSOrigins = p.list("LANGRAN_CORS_ORIGINS", "*")
	c.CORSHeaders = p.list("LANGRAN_CORS_HEADERS", "")
	c.MetricsOperations = p.list("LANGRAN_METRICS_OPERATIONS", "")
	c.TrustedProxies = p.networks("LANGRAN_TRUSTED_PROXIES")
	c.PasswordMemory = p.integer("LANGRAN_PASSWORD_HASH_MEMORY", 19*1024, 64, 1<<20)
	c.CustomerTTL = p.duration("LANGRAN_CUSTOMER_TOKEN_TTL", 30*24*time.Hour)
	c.StaffTTL = p.duration("LANGRAN_STAFF_TOKEN_TTL", 12*time.Hour)
	c.PayWithin = p.duration("LANGRAN_ORDER_PAY_WITHIN", time.Hour)
	c.ShippingTimeout = p.duration("LANGRAN_SHIPPING_TIMEOUT", shipping.DefaultTimeout)
	if c.ShippingTimeout >= c.RequestTimeout {
		// Otherwise a slow provider would time the whole request out
		// instead of being left out.
		p.failWith("LANGRAN_SHIPPING_TIMEOUT", "must be shorter than LANGRAN_REQUEST_TIMEOUT")
	}
	c.ShippingCacheTTL = p.cacheTTL("LANGRAN_SHIPPING_CACHE_TTL", 5*time.Second)
	c.DBMaxOpenConns = p.integer("LANGRAN_DB_MAX_OPEN_CONNS", 0, 0, 10_000)
	c.VAT = model.ThaiVAT
	c.DeliveryRequired = p.boolean("LANGRAN_DELIVERY_REQUIRED", true)
	if raw := p.getenv("LANGRAN_VAT_RATES"); raw != "" {
		if vat, err := model.ParseVATSchedule(raw); err != nil || len(vat) == 0 {
			p.failWith("LANGRAN_VAT_RATES", "want rates from dates, e.g. 7@1992-01-01,10@2027-10-01")
		} else {
			c.VAT = vat
		}
	}
	if raw := p.getenv("LANGRAN_SMTP_URL"); raw != "" {
		smtp, err := auth.ParseSMTPURL(raw)
		if err != nil {
			// The message never repeats the URL: it holds the password.
			p.failWith("LANGRAN_SMTP_URL", err.Error())
		} else {
			c.SMTP = &smtp
		}
	}
	c.RateLimit.Bucket = p.integer("LANGRAN_RATE_LIMIT_BUCKET", 2*c.MaxComplexity, 0, 1_000_000_000)
	c.RateLimit.RestorePerSecond = p.integer("LANGRAN_RATE_LIMIT_RESTORE_RATE", c.MaxComplexity/10, 0, 1_000_000_000)
	c.RateLimit.MaxClients = p.integer("LANGRAN_RATE_LIMIT_CLIENTS", 100_000, 100, 100_000_000)
	if c.RateLimit.Bucket == 0 || c.RateLimit.RestorePerSecond == 0 {
		c.RateLimit.Bucket, c.RateLimit.RestorePerSecond = 0, 0
	} else if c.RateLimit.Bucket < c.MaxComplexity {
		// Otherwise an operation the cost limit allows could never run.
		p.failWith("LANGRAN_RATE_LIMIT_BUCKET", fmt.Sprintf("want 0 (off) or at least LANGRAN_MAX_COMPLEXITY (%d), so that every allowed operation can run", c.MaxComplexity))
	}
	c.Payments = p.payments(dev)
	c.Seller = p.seller(dev)
	if raw := p.getenv("LANGRAN_LINK_SECRET"); raw != "" {
		if len(raw) < model.MinLinkKey {
			p.failWith("LANGRAN_LINK_SECRET", fmt.Sprintf("must be at least %d characters (openssl rand -hex 32)", model.MinLinkKey))
		}
		c.LinkSecret = []byte(raw)
	} else if c.Production() && (c.Payments.PromptPayID != "" || c.Seller != nil) {
		// Each replica would sign links with its own random key.
		p.failWith("LANGRAN_LINK_SECRET", "must be set in production when PromptPay or receipts are on: every replica signs their links with it")
	} else {
		c.LinkSecret = make([]byte, model.MinLinkKey)
		_, _ = rand.Read(c.LinkSecret)
	}
	return c, p.err
}

// seller reads who documents are issued by; dev makes up a demo shop.
func (p *envParser) seller(dev bool) *model.Seller {
	taxID := strings.TrimSpace(p.getenv("LANGRAN_SELLER_TAX_ID"))
	if taxID == "" && !dev {
		return nil
	}
	s := &model.Seller{
		NameTH:    p.str("LANGRAN_SELLER_NAME_TH", "ร้านหลังร้าน (ร้านสาธิต)"),
		NameEN:    p.str("LANGRAN_SELLER_NAME_EN", "Langran Demo Shop"),
		AddressTH: p.str("LANGRAN_SELLER_ADDRESS_TH", "99 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110"),
		AddressEN: p.str("LANGRAN_SELLER_ADDRESS_EN", "99 Sukhumvit Road, Khlong Toei, Bangkok 10110"),
		TaxID:     taxID,
		Branch:    p.str("LANGRAN_SELLER_BRANCH", model.HeadOffice),
		Phone:     p.getenv("LANGRAN_SELLER_PHONE"),
		Email:     p.getenv("LANGRAN_SELLER_EMAIL"),
		LogoURL:   p.getenv("LANGRAN_SELLER_LOGO_URL"),
		Footer:    p.getenv("LANGRAN_SELLER_FOOTER"),
	}
	s.VATRegistered = p.boolean("LANGRAN_SELLER_VAT_REGISTERED", true)
	if s.TaxID == "" {
		s.TaxID = demoPromptPayID // a valid demo tax ID
	}
	if !model.ValidThaiTaxID(s.TaxID) {
		p.fail("LANGRAN_SELLER_TAX_ID", s.TaxID, "a 13-digit Thai tax ID with its check digit")
	}
	if len(s.Branch) != 5 || strings.Trim(s.Branch, "0123456789") != "" {
		p.fail("LANGRAN_SELLER_BRANCH", s.Branch, "5 digits, 00000 for the head office")
	}
	if !dev && (p.getenv("LANGRAN_SELLER_NAME_TH") == "" || p.getenv("LANGRAN_SELLER_ADDRESS_TH") == "") {
		p.failWith("LANGRAN_SELLER_NAME_TH", "the seller's Thai name and address (LANGRAN_SELLER_ADDRESS_TH) must be set with its tax ID: every document shows them")
	}
	return s
}

// payments reads the payment methods' settings; dev turns demo methods on.
func (p *envParser) payments(dev bool) PaymentConfig {
	var c PaymentConfig
	c.PromptPayID = strings.TrimSpace(p.getenv("LANGRAN_PROMPTPAY_ID"))
	if c.PromptPayID == "" && dev {
		c.PromptPayID = demoPromptPayID
	}
	if c.PromptPayID != "" {
		if _, err := promptpay.New(c.PromptPayID); err != nil {
			p.fail("LANGRAN_PROMPTPAY_ID", c.PromptPayID, "a Thai mobile number, a 13-digit national or tax ID, or a 15-digit e-wallet ID")
		}
	}
	for _, sec := range p.list("LANGRAN_PROMPTPAY_WEBHOOK_SECRET", "") {
		if len(sec) < minWebhookSecret {
			p.failWith("LANGRAN_PROMPTPAY_WEBHOOK_SECRET", fmt.Sprintf("each secret must be at least %d characters", minWebhookSecret))
		}
		c.PromptPaySecrets = append(c.PromptPaySecrets, []byte(sec))
	}
	account := p.getenv("LANGRAN_BANK_TRANSFER_ACCOUNT")
	if account == "" && dev {
		account = demoBankAccount
	}
	if account != "" {
		a, err := manual.ParseAccount(account)
		if err != nil {
			p.fail("LANGRAN_BANK_TRANSFER_ACCOUNT", account, "Bank|Account name|Account number")
		} else {
			c.BankAccount = &a
		}
	}
	c.CashOnDelivery = p.boolean("LANGRAN_CASH_ON_DELIVERY", dev)
	switch capture := p.str("LANGRAN_STRIPE_CAPTURE", stripeCaptureAuto); capture {
	case stripeCaptureAuto:
	case "manual":
		c.ManualCapture = true
	default:
		p.fail("LANGRAN_STRIPE_CAPTURE", capture, "automatic or manual")
	}
	if key := p.getenv("LANGRAN_STRIPE_SECRET_KEY"); key != "" {
		c.Stripe = &stripe.Config{SecretKey: key, WebhookSecret: p.getenv("LANGRAN_STRIPE_WEBHOOK_SECRET"),
			PublishableKey: p.getenv("LANGRAN_STRIPE_PUBLISHABLE_KEY"), APIBase: p.getenv("LANGRAN_STRIPE_API_BASE")}
		if c.Stripe.WebhookSecret == "" {
			p.failWith("LANGRAN_STRIPE_WEBHOOK_SECRET", "must be set with LANGRAN_STRIPE_SECRET_KEY: payments are confirmed by Stripe's webhooks")
		}
	}
	return c
}

type envParser struct {
	getenv func(string) string
	err    error
}

func (p *envParser) fail(name, value, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s=%q: want %s", name, value, want)
	}
}

// failWith records a problem with name's value, in words that do not
// repeat the value (it may hold a secret).
func (p *envParser) failWith(name, problem string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", name, problem)
	}
}

func (p *envParser) str(name, def string) string {
	if v := p.getenv(name); v != "" {
		return v
	}
	return def
}

func (p *envParser) list(name, def string) []string {
	var out []string
	for _, part := range strings.Split(p.str(name, def), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// networks reads a comma-separated list of CIDRs or single addresses.
func (p *envParser) networks(name string) []*net.IPNet {
	var out []*net.IPNet
	for _, part := range p.list(name, "") {
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			p.fail(name, part, "CIDRs or IP addresses, comma-separated")
			return nil
		}
		out = append(out, n)
	}
	return out
}

func (p *envParser) boolean(name string, def bool) bool {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "true or false")
		return def
	}
	return b
}

func (p *envParser) integer(name string, def, lo, hi int) int {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		return def
	}
	return n
}

func (p *envParser) durationOrZero(name string) time.Duration {
	v := p.getenv(name)
	if v == "" || v == "0" {
		return 0
	}
	return p.duration(name, 0)
}

// cacheTTL is a duration that may be 0 (no caching), def when unset.
func (p *envParser) cacheTTL(name string, def time.Duration) time.Duration {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	if d, err := time.ParseDuration(v); v == "0" || (err == nil && d == 0) {
		return 0
	}
	return p.duration(name, def)
}

func (p *envParser) duration(name string, def time.Duration) time.Duration {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, v, "a positive duration such as 10s or 500ms")
		return def
	}
	return d
}
