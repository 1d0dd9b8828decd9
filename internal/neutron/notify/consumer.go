package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

// Consumer listens on one bus.
type Consumer struct {
	// URL is oslo.messaging's transport_url (rabbit://user:pass@host:port/vhost).
	URL string
	// Exchange is Neutron's control_exchange ("neutron"), Topic its
	// notification topic ("notifications").
	Exchange, Topic string
	Log             *slog.Logger
}

// AMQPURL turns an oslo.messaging transport_url into an AMQP URL: the
// first host of a rabbit:// URL (oslo's list of hosts is comma-separated).
func AMQPURL(transportURL string) (string, error) {
	u, err := amqp.ParseURI(amqpScheme(transportURL))
	if err != nil {
		return "", fmt.Errorf("[DEFAULT] transport_url: %w", err)
	}
	return u.String(), nil
}

// amqpScheme rewrites rabbit:// as amqp:// and keeps only the first of
// oslo's comma-separated hosts (user:pass@h1:5672,user:pass@h2:5672/vhost).
func amqpScheme(s string) string {
	if rest, ok := strings.CutPrefix(s, "rabbit://"); ok {
		s = "amqp://" + rest
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	hosts, path, hasPath := strings.Cut(rest, "/")
	first, _, _ := strings.Cut(hosts, ",")
	if hasPath {
		return scheme + "://" + first + "/" + path
	}
	return scheme + "://" + first
}

// Run calls changed with the objects every relevant notification names,
// and with nil (read everything) after every (re)connection and for a
// notification that names nothing it can read alone, until ctx ends; it
// reconnects when the bus is lost.
func (c *Consumer) Run(ctx context.Context, changed func([]mirror.Ref)) error {
	url, err := AMQPURL(c.URL)
	if err != nil {
		return err
	}
	backoff := 100 * time.Millisecond
	for {
		err := c.session(ctx, url, changed)
		if ctx.Err() != nil {
			return nil
		}
		c.Log.Warn("neutron's message bus lost; reconnecting", "error", err, "retry_seconds", backoff.Seconds())
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// session is one connection: it returns when the connection or ctx ends.
func (c *Consumer) session(ctx context.Context, url string, changed func([]mirror.Ref)) error {
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(10 * time.Second), Properties: amqp.Table{"connection_name": "bgpvpn-server"}})
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("opening a channel: %w", err)
	}
	// oslo.messaging declares the exchange as a topic exchange, durable
	// as amqp_durable_queues says (false by default); a declaration that
	// differs is refused, and then the exchange exists: bind to it.
	if err := ch.ExchangeDeclare(c.Exchange, "topic", false, false, false, false, nil); err != nil {
		if ch, err = conn.Channel(); err != nil {
			return fmt.Errorf("opening a channel: %w", err)
		}
		if err := ch.ExchangeDeclarePassive(c.Exchange, "topic", false, false, false, false, nil); err != nil {
			return fmt.Errorf("finding exchange %s: %w", c.Exchange, err)
		}
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return fmt.Errorf("declaring our queue: %w", err)
	}
	if err := ch.QueueBind(q.Name, c.Topic+".*", c.Exchange, false, nil); err != nil {
		return fmt.Errorf("binding our queue to %s: %w", c.Exchange, err)
	}
	msgs, err := ch.ConsumeWithContext(ctx, q.Name, "", true, true, false, false, nil)
	if err != nil {
		return fmt.Errorf("consuming: %w", err)
	}
	c.Log.Info("listening to neutron's notifications", "exchange", c.Exchange, "topic", c.Topic)
	// What was sent while we were away is lost: read Neutron again.
	changed(nil)
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-closed:
			if e == nil {
				return errors.New("connection closed")
			}
			return e
		case m, ok := <-msgs:
			if !ok {
				return errors.New("delivery channel closed")
			}
			n, err := Parse(m.Body)
			if err != nil {
				c.Log.Warn("ignoring a notification", "error", err)
				continue
			}
			if !Relevant(n.Event) {
				continue
			}
			if refs, ok := n.Refs(); ok {
				changed(refs)
			} else {
				changed(nil)
			}
		}
	}
}
