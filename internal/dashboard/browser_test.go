package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
)

const feedSecret = "dashboard-test-secret"

// heldAgent is a simulated compute node: a real feed client that watches
// its host and reports every association it is given as ACTIVE, once
// released (until then the associations stay in BUILD).
type heldAgent struct{ release chan struct{} }

func startHeldAgent(t *testing.T, url, host string) *heldAgent {
	c, err := client.New(client.Config{URL: url, Host: host, Secret: feedSecret, MinBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	states := make(chan feed.HostState, 100)
	a := &heldAgent{release: make(chan struct{})}
	done := make(chan struct{}, 2)
	go func() { c.Run(ctx, func(st feed.HostState) { states <- st }); done <- struct{}{} }()
	go func() {
		defer func() { done <- struct{}{} }()
		var last *feed.HostState
		release := a.release
		report := func(st feed.HostState) {
			rep := feed.StatusReport{Epoch: st.Epoch, Revision: st.Revision, Associations: []feed.AssociationStatus{}}
			seen := map[string]bool{}
			for _, att := range st.Attachments {
				for _, id := range att.Associations {
					if !seen[id] {
						seen[id] = true
						rep.Associations = append(rep.Associations, feed.AssociationStatus{ID: id, Status: feed.Active})
					}
				}
			}
			if err := c.ReportStatus(ctx, rep); err != nil && ctx.Err() == nil {
				t.Errorf("%s: reporting status: %v", host, err)
			}
		}
		for {
			select {
			case st := <-states:
				last = &st
				if release == nil {
					report(st)
				}
			case <-release:
				release = nil
				if last != nil {
					report(*last)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return a
}

// tab is a Chromium tab driven over the DevTools protocol.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string

	mu sync.Mutex
	// problems are the page's console errors and exceptions (a script
	// error, a CSP violation), but not the network's (a refused form is
	// a 4xx on purpose).
	problems []string
}

func newTab(t *testing.T, base, shots string) *tab {
	exe := os.Getenv("BGPVPN_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1200, 900), chromedp.Flag("lang", "en-US"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelT := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelT(); cancelA() })
	// Confirmations (delete, disassociate) are accepted.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	b := &tab{t: t, ctx: ctx, base: base, shots: shots}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// consoleProblems are the page errors seen so far.
func (b *tab) consoleProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// do runs actions, each within 20 s.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (page: %s)", what, err, b.text())
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds (20 s at most);
// an evaluation cut short by a navigation counts as not yet.
func (b *tab) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+cond+`) } catch (e) { return false } })()`))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		<-tick.C
	}
	b.t.Fatalf("waiting for %s (%s): not within 20 s (last error %v); page: %s", what, cond, last, b.text())
}

// reloadUntil opens path again and again until cond holds (20 s at
// most), for what a page shows only once the server knows it.
func (b *tab) reloadUntil(path, what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		b.open(path)
		if eval[bool](b, cond) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not within 20 s; page: %s", what, b.text())
		}
		<-tick.C
	}
}

// text is the page's visible text, for failure messages.
func (b *tab) text() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.location.pathname + "\n" + (document.body ? document.body.innerText : "")`))
	return s
}

// open loads a dashboard path and waits for its h1.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
}

// submit clicks a submit button and waits for the page it leads to.
func (b *tab) submit(sel, wantPath string) {
	b.t.Helper()
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__old = true`))
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	b.waitFor("the page after "+sel, `!window.__old && document.readyState === "complete" && document.location.pathname.startsWith(`+jsString(wantPath)+`)`)
}

// shot saves a screenshot of the whole page as NAME.png.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) signIn(project, user, roles string) {
	b.t.Helper()
	b.open("/dashboard/login")
	b.do("fill the sign-in form", chromedp.SetValue(chromedp.CSS("input[name=project]"), project),
		chromedp.SetValue(chromedp.CSS("input[name=user]"), user), chromedp.SetValue(chromedp.CSS("input[name=roles]"), roles))
	b.submit("main button[type=submit]", "/dashboard/bgpvpns")
}

func (b *tab) signOut() {
	b.t.Helper()
	b.submit(".who button", "/dashboard/login")
}

// has reports whether the page's text contains s.
func (b *tab) has(s string) bool {
	return eval[bool](b, `document.body.innerText.includes(`+jsString(s)+`)`)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
