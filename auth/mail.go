package auth

import (
	"context"
	"fmt"
	"log/slog"
)

// Message is an email to one recipient, in plain text.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends mail: SMTP in production (SMTPMailer), the log in
// development (LogMailer).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// DiscardMailer drops every message.
type DiscardMailer struct{}

// Send implements Mailer.
func (DiscardMailer) Send(context.Context, Message) error { return nil }

// LogMailer writes messages to the log instead of sending them. With
// ShowBody it logs the body too, links and all: for development only, where
// the developer is the recipient. Without it only the recipient and the
// subject are logged, so no secret reaches a log.
type LogMailer struct {
	Log      *slog.Logger
	ShowBody bool
}

// Send implements Mailer.
func (l LogMailer) Send(ctx context.Context, m Message) error {
	attrs := []any{"to", m.To, "subject", m.Subject}
	if l.ShowBody {
		attrs = append(attrs, "body", m.Body)
	} else {
		attrs = append(attrs, "note", "mail is not sent: set LANGRAN_SMTP_URL")
	}
	l.Log.InfoContext(ctx, "mail", attrs...)
	return nil
}

// link joins a base URL and a path with a token parameter.
func link(base, path, token string) string {
	return fmt.Sprintf("%s%s?token=%s", base, path, token)
}
