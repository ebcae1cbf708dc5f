package auth_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/internal/mailtest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		url                    string
		host, port, user, pass string
		from                   string
		implicit               bool
	}{
		{"smtp://mail.example.com?from=shop@example.com", "mail.example.com", "587", "", "", "shop@example.com", false},
		{"smtp://u%40x:p%3Ass@mail.example.com:2525?from=shop@example.com", "mail.example.com", "2525", "u@x", "p:ss", "shop@example.com", false},
		{"smtps://apikey:secret@smtp.example.com?from=" + "%E0%B8%A3%E0%B9%89%E0%B8%B2%E0%B8%99%20%3Cshop%40example.com%3E",
			"smtp.example.com", "465", "apikey", "secret", "shop@example.com", true},
	} {
		cfg, err := auth.ParseSMTPURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if cfg.Host != c.host || cfg.Port != c.port || cfg.Username != c.user || cfg.Password != c.pass ||
			cfg.From.Address != c.from || cfg.ImplicitTLS != c.implicit {
			t.Errorf("%s: %+v", c.url, cfg)
		}
	}
	for _, bad := range []string{
		"", "mail.example.com", "http://mail.example.com?from=a@b.co", "smtp://?from=a@b.co",
		"smtp://u:hunter2@mail.example.com", "smtp://u:hunter2@mail.example.com?from=nobody",
		"smtp://u:hunter2@mail.example.com?from=a@b.co&tls=off",
	} {
		_, err := auth.ParseSMTPURL(bad)
		if err == nil {
			t.Errorf("%q: accepted", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the password: %v", bad, err)
		}
	}
}

// The mailer delivers to a real SMTP server in each of its modes: plain on
// loopback, STARTTLS with AUTH, and TLS from the start with AUTH; Thai
// survives in the subject, the sender's name and the body.
func TestSMTPMailerDelivers(t *testing.T) {
	for _, mode := range []string{"", "starttls", "implicit"} {
		t.Run("tls="+mode, func(t *testing.T) {
			opts := mailtest.Options{TLS: mode}
			scheme := "smtp"
			if mode != "" {
				opts.Username, opts.Password = "shop", "s3cret pass"
			}
			if mode == "implicit" {
				scheme = "smtps"
			}
			srv := mailtest.Start(t, opts)
			url := scheme + "://" + srv.Addr + "?from=%E0%B8%A3%E0%B9%89%E0%B8%B2%E0%B8%99%20%3Cshop%40example.com%3E"
			if opts.Username != "" {
				url = scheme + "://shop:s3cret%20pass@" + srv.Addr + "?from=shop@example.com"
			}
			cfg, err := auth.ParseSMTPURL(url)
			if err != nil {
				t.Fatal(err)
			}
			cfg.TLS = &tls.Config{RootCAs: srv.RootCAs}
			body := "สวัสดีครับ\nA line that is long enough to be wrapped by quoted-printable encoding, which breaks lines at 76 characters.\n.\nhttps://shop.example.com/account/reset?token=lgr_abc-_XYZ\n"
			err = auth.NewSMTPMailer(cfg).Send(t.Context(), auth.Message{To: "somchai@example.com",
				Subject: "ตั้งรหัสผ่านใหม่ / Reset your password", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Next(t)
			if len(got.To) != 1 || got.To[0] != "somchai@example.com" || got.From != "shop@example.com" {
				t.Errorf("envelope: from %q to %v", got.From, got.To)
			}
			if got.TLS != (mode != "") || got.Authenticated != opts.Username {
				t.Errorf("tls %v, authenticated as %q", got.TLS, got.Authenticated)
			}
			p := got.Parse(t)
			if p.Subject != "ตั้งรหัสผ่านใหม่ / Reset your password" || p.Body != body || !strings.Contains(p.To, "somchai@example.com") {
				t.Errorf("subject %q, to %q, body %q", p.Subject, p.To, p.Body)
			}
			if mode == "" && !strings.HasPrefix(p.From, "=?utf-8?") {
				t.Errorf("a Thai sender name is not encoded: %q", p.From)
			}
			for _, h := range []string{"Date", "Message-Id", "Mime-Version"} {
				if p.Header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
			for _, line := range strings.Split(string(got.Raw), "\r\n") {
				if len(line) > 78 {
					t.Errorf("line longer than 78: %q", line)
				}
			}
		})
	}
}

// Wrong credentials, a server without the promised TLS, and header
// injection through the recipient all fail without sending.
func TestSMTPMailerRefuses(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: "starttls", Username: "shop", Password: "right"})
	cfg, err := auth.ParseSMTPURL("smtp://shop:wrong@" + srv.Addr + "?from=shop@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = &tls.Config{RootCAs: srv.RootCAs}
	m := auth.NewSMTPMailer(cfg)
	if err := m.Send(t.Context(), auth.Message{To: "a@example.com", Subject: "x", Body: "x"}); err == nil {
		t.Error("sent with a wrong password")
	}
	if err := m.Send(t.Context(), auth.Message{To: "a@example.com\r\nBcc: all@example.com", Subject: "x", Body: "x"}); err == nil {
		t.Error("sent to a recipient with a header in it")
	}
	// Implicit TLS against a server that speaks plain SMTP fails the handshake.
	plain := mailtest.Start(t, mailtest.Options{})
	cfg, _ = auth.ParseSMTPURL("smtps://" + plain.Addr + "?from=shop@example.com")
	cfg.Timeout = 2 * time.Second
	if err := auth.NewSMTPMailer(cfg).Send(t.Context(), auth.Message{To: "a@example.com", Subject: "x", Body: "x"}); err == nil {
		t.Error("implicit TLS to a plain server succeeded")
	}
	select {
	case got := <-srv.Messages:
		t.Errorf("a message arrived: %s", got.Raw)
	case got := <-plain.Messages:
		t.Errorf("a message arrived: %s", got.Raw)
	default:
	}
}

// recorder is a Mailer that keeps what it was given.
type recorder struct {
	mu   sync.Mutex
	got  []auth.Message
	gate chan struct{}
}

func (r *recorder) Send(_ context.Context, m auth.Message) error {
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

// The outbox returns at once, delivers in order, drops (and logs) what does
// not fit, and delivers everything queued on Close.
func TestOutbox(t *testing.T) {
	var logs bytes.Buffer
	rec := &recorder{gate: make(chan struct{})}
	o := auth.NewOutbox(rec, slog.New(slog.NewTextHandler(&logs, nil)), 3)
	for i := range 5 {
		_ = o.Send(t.Context(), auth.Message{To: "a@example.com", Subject: string(rune('a' + i)), Body: "secret link"})
	}
	close(rec.gate)
	if err := o.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Three wait in the queue and perhaps one in the worker's hands; the
	// rest are dropped; what is kept goes out in order.
	var subjects string
	for _, m := range rec.got {
		subjects += m.Subject
	}
	if len(subjects) < 3 || len(subjects) > 4 || subjects[0] != 'a' || !sorted(subjects) {
		t.Errorf("delivered %q", subjects)
	}
	if !strings.Contains(logs.String(), "outbox is full") || strings.Contains(logs.String(), "secret link") {
		t.Errorf("log: %s", logs.String())
	}
	_ = o.Send(t.Context(), auth.Message{To: "late@example.com"})
	if len(rec.got) > 4 {
		t.Error("sent after Close")
	}
}

// Without ShowBody (production without SMTP) the log never holds a body.
func TestLogMailerHidesBodies(t *testing.T) {
	var logs bytes.Buffer
	m := auth.LogMailer{Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	_ = m.Send(t.Context(), auth.Message{To: "a@example.com", Subject: "Reset", Body: "https://x/reset?token=lgr_secret"})
	if strings.Contains(logs.String(), "lgr_secret") || !strings.Contains(logs.String(), "a@example.com") {
		t.Errorf("log: %s", logs.String())
	}
}

func sorted(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return false
		}
	}
	return true
}
