package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/coder/websocket"
)

// bidiConn is a WebDriver BiDi session over one WebSocket: commands are
// JSON objects with an id, answered by a success or an error with the
// same id; events come in between, in order, and go to onEvent, which
// runs on a goroutine of its own so that it may send commands.
type bidiConn struct {
	ws *websocket.Conn

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan bidiMessage
	err     error // why reading stopped

	events chan bidiMessage
	done   chan struct{}
}

// bidiMessage is anything the browser sends.
type bidiMessage struct {
	Type    string          `json:"type"` // success, error, event
	ID      *int64          `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// dialBiDi connects to a BiDi WebSocket (ws://HOST:PORT/session).
func dialBiDi(ctx context.Context, url string, onEvent func(method string, params json.RawMessage)) (*bidiConn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	// A screenshot of a long page is megabytes of base64.
	ws.SetReadLimit(256 << 20)
	c := &bidiConn{ws: ws, pending: map[int64]chan bidiMessage{}, events: make(chan bidiMessage, 1024), done: make(chan struct{})}
	go c.read()
	go func() {
		for ev := range c.events {
			onEvent(ev.Method, ev.Params)
		}
	}()
	return c, nil
}

// read dispatches what the browser sends until the connection ends.
func (c *bidiConn) read() {
	defer close(c.done)
	defer close(c.events)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var m bidiMessage
		if err := json.Unmarshal(data, &m); err != nil {
			continue
		}
		if m.Type == "event" {
			select {
			case c.events <- m:
			default: // nobody keeps up: drop rather than stall commands
			}
			continue
		}
		if m.ID == nil {
			continue
		}
		c.mu.Lock()
		ch := c.pending[*m.ID]
		delete(c.pending, *m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

// call sends a command and waits for its answer; result may be nil.
func (c *bidiConn) call(ctx context.Context, method string, params, result any) error {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return fmt.Errorf("%s: the browser's connection ended: %w", method, c.err)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan bidiMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() { c.mu.Lock(); delete(c.pending, id); c.mu.Unlock() }
	if params == nil {
		params = struct{}{}
	}
	data, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		forget()
		return fmt.Errorf("%s: %w", method, err)
	}
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		forget()
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: the browser's connection ended", method)
		}
		if m.Type == "error" {
			return &BiDiError{Command: method, Code: m.Error, Message: m.Message}
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(m.Result, result); err != nil {
			return fmt.Errorf("%s: decoding %s: %w", method, m.Result, err)
		}
		return nil
	case <-ctx.Done():
		forget()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// close ends the connection and waits for the reader.
func (c *bidiConn) close() {
	c.ws.Close(websocket.StatusNormalClosure, "")
	<-c.done
}

// BiDiError is a command the browser refused.
type BiDiError struct {
	Command, Code, Message string
}

func (e *BiDiError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Command, e.Code, e.Message)
}

// isBiDiCode reports whether err is a refusal with that error code.
func isBiDiCode(err error, code string) bool {
	var be *BiDiError
	return errors.As(err, &be) && be.Code == code
}
