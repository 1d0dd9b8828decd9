package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium is a Chromium tab driven over the DevTools protocol.
type chromium struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

var _ Page = (*chromium)(nil)

// StartChromium starts a headless Chromium (BGPVPN_CHROMIUM, or
// /usr/bin/chromium) with a 1200×900 window, for the test's duration.
// JavaScript dialogs (confirm) are accepted.
func StartChromium(t testing.TB, opts ...Option) Page {
	t.Helper()
	o := options(opts)
	exe := os.Getenv("BGPVPN_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	flags := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1200, 900), chromedp.Flag("lang", "en-US"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancelT := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelT(); cancelA() })
	c := &chromium{ctx: ctx}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A refused form is a 4xx on purpose: the network's
			// messages are not the page's problems.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
				c.mu.Lock()
				c.problems = append(c.problems, m.String())
				c.mu.Unlock()
			}
		}
	}()
	// Start the browser now, so that a missing one fails here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	if o.noScripts {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("chromium: turning scripts off: %v", err)
		}
	}
	return c
}

func (c *chromium) Name() string { return "chromium" }

// run runs actions on the tab, within ctx.
func (c *chromium) run(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := mergeCancel(c.ctx, ctx)
	defer cancel()
	return chromedp.Do(tctx, actions...)
}

func (c *chromium) Navigate(ctx context.Context, url string) error {
	return c.run(ctx, chromedp.Navigate(url))
}

func (c *chromium) Eval(ctx context.Context, expr string) (json.RawMessage, error) {
	tctx, cancel := mergeCancel(c.ctx, ctx)
	defer cancel()
	raw, err := chromedp.Run(tctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // undefined
		raw = []byte("null")
	}
	return raw, nil
}

func (c *chromium) ClickAt(ctx context.Context, x, y float64) error {
	return c.run(ctx, chromedp.MouseClickXY(x, y))
}

func (c *chromium) Press(ctx context.Context, k Key) error {
	keys := map[Key]string{Tab: "\t", Enter: "\r"}
	return c.run(ctx, chromedp.KeyEvent(keys[k]))
}

func (c *chromium) Screenshot(ctx context.Context) ([]byte, error) {
	tctx, cancel := mergeCancel(c.ctx, ctx)
	defer cancel()
	return chromedp.Run(tctx, chromedp.FullScreenshot(100))
}

func (c *chromium) SetViewport(ctx context.Context, width, height int) error {
	return c.run(ctx, chromedp.EmulateViewport(int64(width), int64(height)))
}

func (c *chromium) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}

// mergeCancel is base (which carries the browser) ended also when ctx
// is (which carries the caller's deadline).
func mergeCancel(base, ctx context.Context) (context.Context, context.CancelFunc) {
	merged, cancel := context.WithCancel(base)
	if d, ok := ctx.Deadline(); ok {
		merged, cancel2 := context.WithDeadline(merged, d)
		stop := context.AfterFunc(ctx, cancel2)
		return merged, func() { stop(); cancel2(); cancel() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return merged, func() { stop(); cancel() }
}
