package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Outbox delivers mail in the background, one message after another, so
// that a request never waits for (or is timed by) a mail server: a password
// reset answers as fast for an address with an account, which gets mail,
// as for one without. A full queue drops the message with an error in the
// log (the customer can ask again); Close delivers what is queued.
type Outbox struct {
	next    Mailer
	log     *slog.Logger
	timeout time.Duration

	mu     sync.Mutex
	queue  chan Message
	closed bool
	done   chan struct{}
}

// NewOutbox starts a worker delivering through next, holding at most size
// waiting messages.
func NewOutbox(next Mailer, log *slog.Logger, size int) *Outbox {
	o := &Outbox{next: next, log: log, timeout: 30 * time.Second,
		queue: make(chan Message, max(size, 1)), done: make(chan struct{})}
	go o.run()
	return o
}

// Send implements Mailer: it queues m and returns at once.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		o.log.ErrorContext(ctx, "mail dropped: the outbox is closed", "to", m.To, "subject", m.Subject)
		return nil
	}
	select {
	case o.queue <- m:
	default:
		o.log.ErrorContext(ctx, "mail dropped: the outbox is full", "to", m.To, "subject", m.Subject)
	}
	return nil
}

func (o *Outbox) run() {
	defer close(o.done)
	for m := range o.queue {
		ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
		if err := o.next.Send(ctx, m); err != nil {
			// The recipient is logged, never the body: it holds the link.
			o.log.Error("mail not delivered", "to", m.To, "subject", m.Subject, "error", err.Error())
		}
		cancel()
	}
}

// Close stops taking messages and waits until the queued ones are
// delivered or ctx ends.
func (o *Outbox) Close(ctx context.Context) error {
	o.mu.Lock()
	if !o.closed {
		o.closed = true
		close(o.queue)
	}
	o.mu.Unlock()
	select {
	case <-o.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
