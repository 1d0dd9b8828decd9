package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/browsertest"
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

// tab is a browser tab (Chromium or Firefox) on the dashboard, failing
// the test on any error.
type tab struct {
	t     *testing.T
	p     browsertest.Page
	base  string
	shots string
	// wait bounds each action and each wait for a page (20 s).
	wait time.Duration
}

// newTab starts a browser; screenshots go to shots/BROWSER/.
func newTab(t *testing.T, start browsertest.Start, base, shots string, opts ...browsertest.Option) *tab {
	t.Helper()
	p := start(t, opts...)
	dir := filepath.Join(shots, p.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &tab{t: t, p: p, base: base, shots: dir, wait: 20 * time.Second}
}

// ctx bounds one browser action to b.wait.
func (b *tab) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), b.wait)
}

// check fails the test on err, with what was being done and the page.
func (b *tab) check(what string, err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %s: %v (page: %s)", b.p.Name(), what, err, b.text())
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	v, err := browsertest.Eval[T](ctx, b.p, expr)
	if err != nil {
		b.t.Fatalf("%s: evaluating %s: %v", b.p.Name(), expr, err)
	}
	return v
}

func (b *tab) click(sel string) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	b.check("click "+sel, browsertest.Click(ctx, b.p, sel))
}

func (b *tab) setValue(sel, v string) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	b.check("set "+sel, browsertest.SetValue(ctx, b.p, sel, v))
}

func (b *tab) press(k browsertest.Key) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	b.check("press "+string(k), b.p.Press(ctx, k))
}

func (b *tab) viewport(w, h int) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	b.check("resize the viewport", b.p.SetViewport(ctx, w, h))
}

// waitFor polls a JavaScript condition until it holds (b.wait at most);
// an evaluation cut short by a navigation counts as not yet.
func (b *tab) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok, err := browsertest.Eval[bool](ctx, b.p, `(() => { try { return !!(`+cond+`) } catch (e) { return false } })()`)
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		<-tick.C
	}
	b.t.Fatalf("%s: waiting for %s (%s): not within %v (last error %v); page: %s", b.p.Name(), what, cond, b.wait, last, b.text())
}

// waitVisible waits for an element matching sel to be shown.
func (b *tab) waitVisible(sel string) {
	b.t.Helper()
	b.waitFor(sel+" shown", `(e => e && e.getClientRects().length > 0)(document.querySelector(`+jsString(sel)+`))`)
}

// reloadUntil opens path again and again until cond holds (b.wait at
// most), for what a page shows only once the server knows it.
func (b *tab) reloadUntil(path, what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		b.open(path)
		if eval[bool](b, cond) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: %s: not within %v; page: %s", b.p.Name(), what, b.wait, b.text())
		}
		<-tick.C
	}
}

// text is the page's visible text, for failure messages.
func (b *tab) text() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, _ := browsertest.Eval[string](ctx, b.p, `document.location.pathname + "\n" + (document.body ? document.body.innerText : "")`)
	return s
}

// open loads a dashboard path and waits for its h1.
func (b *tab) open(path string) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	b.check("open "+path, b.p.Navigate(ctx, b.base+path))
	b.waitVisible("h1")
}

// submit clicks a submit button and waits for the page it leads to.
func (b *tab) submit(sel, wantPath string) {
	b.t.Helper()
	b.markPage()
	b.click(sel)
	b.waitNewPage("the page after "+sel, wantPath)
}

// markPage marks the page shown, for waitNewPage.
func (b *tab) markPage() {
	b.t.Helper()
	eval[any](b, `window.__old = true`)
}

// waitNewPage waits until another page than the marked one has loaded
// at a path starting with wantPath.
func (b *tab) waitNewPage(what, wantPath string) {
	b.t.Helper()
	b.waitFor(what, `!window.__old && document.readyState === "complete" && document.location.pathname.startsWith(`+jsString(wantPath)+`)`)
}

// shot saves a screenshot of the whole page as BROWSER/NAME.png.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := b.ctx()
	defer cancel()
	png, err := b.p.Screenshot(ctx)
	b.check("screenshot "+name, err)
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn signs in with noauth's identity form.
func (b *tab) signIn(project, user, roles string) {
	b.t.Helper()
	b.signInWith("project", project, "user", user, "roles", roles)
}

// signInWith fills the sign-in form's fields (name, value, ...) and
// waits for the list it leads to.
func (b *tab) signInWith(fields ...string) {
	b.t.Helper()
	b.open("/dashboard/login")
	for i := 0; i+1 < len(fields); i += 2 {
		b.setValue("input[name="+fields[i]+"]", fields[i+1])
	}
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

func jsString(s string) string { return browsertest.JSString(s) }
