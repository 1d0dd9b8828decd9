// Package browsertest drives real browsers for the tests of a browser
// interface: Chromium over the DevTools protocol (chromedp) and Firefox
// over WebDriver BiDi (its own native protocol, no geckodriver), behind
// one Page interface, so that a scenario is written once and runs in
// both. Each browser runs headless in a profile of its own that is
// removed when the test ends.
//
// It must never be imported by code other than tests, and it never
// reaches anything but the pages it is told to open.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// Key is a key a Page can press.
type Key string

// The keys the scenarios use.
const (
	Tab   Key = "Tab"
	Enter Key = "Enter"
)

// Page is one tab of a browser. A headless Firefox page never has the
// focus (document.hasFocus() is false, :focus and :focus-visible never
// match, though Tab moves document.activeElement): what a focus ring
// looks like is Chromium's to check.
type Page interface {
	// Name is the browser's, for test names and file names.
	Name() string
	// Navigate opens url and waits until the page has loaded.
	Navigate(ctx context.Context, url string) error
	// Eval evaluates a JavaScript expression in the page and returns its
	// value as JSON (null for undefined). It works in a browser started
	// with NoScripts too.
	Eval(ctx context.Context, expr string) (json.RawMessage, error)
	// ClickAt clicks the left mouse button at a point of the viewport.
	ClickAt(ctx context.Context, x, y float64) error
	// Press presses and releases a key, as a keyboard does.
	Press(ctx context.Context, k Key) error
	// Screenshot is a PNG of the whole page, not only its viewport.
	Screenshot(ctx context.Context) ([]byte, error)
	// SetViewport resizes the viewport, in CSS pixels.
	SetViewport(ctx context.Context, width, height int) error
	// Problems are the errors the pages logged so far: script errors and
	// console.error calls.
	Problems() []string
}

// Start starts a browser for the test's duration.
type Start func(t testing.TB, opts ...Option) Page

// Option changes how a browser starts.
type Option func(*startOptions)

type startOptions struct{ noScripts bool }

// NoScripts starts the browser with JavaScript disabled for pages (a
// person who turned it off); Page.Eval still works.
func NoScripts() Option { return func(o *startOptions) { o.noScripts = true } }

func options(opts []Option) startOptions {
	var o startOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Eval evaluates expr in p and decodes its value into a T.
func Eval[T any](ctx context.Context, p Page, expr string) (T, error) {
	var v T
	raw, err := p.Eval(ctx, expr)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decoding the value of %s (%s): %w", expr, raw, err)
	}
	return v, nil
}

// Click scrolls the first element matching the CSS selector sel into
// view and clicks its centre with the mouse, as a person would: what
// covers it gets the click, and a disabled control ignores it.
func Click(ctx context.Context, p Page, sel string) error {
	type point struct {
		Found bool
		X, Y  float64
	}
	pt, err := Eval[point](ctx, p, `(() => { const e = document.querySelector(`+JSString(sel)+`);
		if (!e) return {Found: false};
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect();
		return {Found: true, X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`)
	if err != nil {
		return err
	}
	if !pt.Found {
		return fmt.Errorf("no element matches %s", sel)
	}
	return p.ClickAt(ctx, pt.X, pt.Y)
}

// SetValue sets the value of the form control matching sel, as typing
// or choosing would, with its input and change events.
func SetValue(ctx context.Context, p Page, sel, value string) error {
	ok, err := Eval[bool](ctx, p, `(() => { const e = document.querySelector(`+JSString(sel)+`);
		if (!e) return false;
		e.value = `+JSString(value)+`;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return true; })()`)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no element matches %s", sel)
	}
	return nil
}

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	b, _ := json.Marshal(s) // escapes U+2028 and U+2029 too, which JavaScript needs
	return string(b)
}
