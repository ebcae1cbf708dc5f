package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTPConfig is where and how SMTPMailer delivers mail.
type SMTPConfig struct {
	// Host and Port of the submission server.
	Host string
	Port string
	// Username and Password, when set, authenticate with AUTH PLAIN, which
	// net/smtp only sends over TLS (or to localhost).
	Username string
	Password string
	// From is the sender, with an optional display name
	// ("Langran Shop <shop@example.com>").
	From *mail.Address
	// ImplicitTLS connects with TLS from the first byte (smtps://, port
	// 465); otherwise the connection upgrades with STARTTLS whenever the
	// server offers it.
	ImplicitTLS bool
	// TLS overrides the TLS settings (tests trust their own certificate);
	// nil verifies the server against the system's roots.
	TLS *tls.Config
	// Timeout bounds one delivery when the context has no earlier deadline.
	Timeout time.Duration
}

// ParseSMTPURL reads LANGRAN_SMTP_URL:
//
//	smtp://user:pass@host:587?from=shop@example.com     STARTTLS when offered
//	smtps://user:pass@host:465?from=Shop%20<shop@example.com>   TLS from the start
//
// The user and password are optional and URL-encoded; from is required.
// Errors never repeat the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		return c, errors.New("not a URL such as smtp://user:pass@host:587?from=shop@example.com")
	}
	switch u.Scheme {
	case "smtp":
		c.Port = "587"
	case "smtps":
		c.Port, c.ImplicitTLS = "465", true
	default:
		return c, errors.New("the scheme must be smtp:// (STARTTLS when offered) or smtps:// (TLS from the start)")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errors.New("the URL names no host")
	}
	if p := u.Port(); p != "" {
		c.Port = p
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "from" {
			return c, fmt.Errorf("unknown parameter %q (only from is read)", k)
		}
	}
	if q.Get("from") == "" {
		return c, errors.New("add ?from=shop@example.com: the sender's address")
	}
	if c.From, err = mail.ParseAddress(q.Get("from")); err != nil {
		return c, fmt.Errorf("from=%q is not an address", q.Get("from"))
	}
	return c, nil
}

// SMTPMailer delivers each message in its own SMTP session (they are rare:
// invitations and password resets), so no connection is kept open.
type SMTPMailer struct {
	cfg SMTPConfig
	now func() time.Time
}

// NewSMTPMailer returns a mailer for cfg.
func NewSMTPMailer(cfg SMTPConfig) *SMTPMailer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPMailer{cfg: cfg, now: time.Now}
}

// Send implements Mailer.
func (m *SMTPMailer) Send(ctx context.Context, msg Message) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("smtp: recipient %q is not an address", msg.To)
	}
	body, err := m.render(msg, to)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(m.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	addr := net.JoinHostPort(m.cfg.Host, m.cfg.Port)
	tlsConfig := m.tlsConfig()
	dialer := &net.Dialer{Deadline: deadline}
	var conn net.Conn
	if m.cfg.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: connect to %s: %w", addr, err)
	}
	defer conn.Close()
	// net/smtp takes no context; the deadline bounds every read and write.
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if !m.cfg.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("smtp: STARTTLS with %s: %w", addr, err)
			}
		}
	}
	if m.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("smtp: %s offers no AUTH (over TLS); refusing to send the password", addr)
		}
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("smtp: authenticate with %s: %w", addr, err)
		}
	}
	if err := c.Mail(m.cfg.From.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("smtp: writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: message refused: %w", err)
	}
	return c.Quit()
}

func (m *SMTPMailer) tlsConfig() *tls.Config {
	if m.cfg.TLS != nil {
		c := m.cfg.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = m.cfg.Host
		}
		return c
	}
	return &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}
}

// render writes msg as an RFC 5322 message: UTF-8 text, quoted-printable
// (Thai survives any relay), with the subject and display names as
// RFC 2047 encoded words. Lines end in CRLF; net/smtp dot-stuffs them.
func (m *SMTPMailer) render(msg Message, to *mail.Address) ([]byte, error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := "localhost"
	if at := strings.LastIndexByte(m.cfg.From.Address, '@'); at >= 0 {
		domain = m.cfg.From.Address[at+1:]
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	// mail.Address.String encodes a non-ASCII display name as RFC 2047.
	header("From", m.cfg.From.String())
	header("To", to.String())
	// Encoded words are up to 75 characters; folding before each keeps
	// every header line under 78 (RFC 5322), and decoders drop the folds.
	subject := mime.QEncoding.Encode("utf-8", msg.Subject)
	if subject != msg.Subject {
		subject = "\r\n " + strings.ReplaceAll(subject, "?= =?", "?=\r\n =?")
	} else {
		subject = " " + subject
	}
	b.WriteString("Subject:" + subject + "\r\n")
	header("Date", m.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
