package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/browsertest"
)

const formPage = `<!doctype html><title>t</title>
<form method="post" action="/done" data-confirm="sure?"><input name="q" id="q"><button id="go">Go</button></form>
<p id="js">no script</p>
<script src="/s.js"></script>`

const script = `document.getElementById("js").textContent = "script ran";
document.querySelector("form").addEventListener("submit", e => { if (!confirm("sure?")) e.preventDefault(); });`

// TestPages drives each browser through what the dashboard's scenarios
// need: a mouse click, Enter in a form, Tab, a confirm accepted, a
// screenshot, a viewport, scripting off.
func TestPages(t *testing.T) {
	if os.Getenv("BGPVPN_BROWSER") == "" {
		t.Skip("set BGPVPN_BROWSER=1 to start Chromium and Firefox (scripts/it/dashboard.sh does)")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, formPage) })
	mux.HandleFunc("GET /s.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, script)
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>boom</title><script src="/boom.js"></script>`)
	})
	mux.HandleFunc("GET /boom.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `throw new Error("boom-in-the-page")`)
	})
	mux.HandleFunc("POST /done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>done</title><p id="got">%s</p>`, r.FormValue("q"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, start := range []browsertest.Start{browsertest.StartChromium, browsertest.StartFirefox} {
		p := start(t)
		noJS := start(t, browsertest.NoScripts())
		all := p
		t.Run(p.Name(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			text := func(sel string) string {
				t.Helper()
				s, err := browsertest.Eval[string](ctx, p, `(document.querySelector(`+browsertest.JSString(sel)+`) || {}).textContent`)
				must(err)
				return s
			}
			waitText := func(sel, want string) {
				t.Helper()
				for ctx.Err() == nil {
					if s, _ := browsertest.Eval[string](ctx, p, `(document.querySelector(`+browsertest.JSString(sel)+`) || {}).textContent || ""`); s == want {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
				t.Fatalf("%s never showed %q (now %q)", sel, want, text(sel))
			}
			must(p.Navigate(ctx, srv.URL+"/"))
			waitText("#js", "script ran")
			// Tab from the page focuses the field; Enter submits, through
			// the accepted confirm.
			must(p.Press(ctx, browsertest.Tab))
			if id, _ := browsertest.Eval[string](ctx, p, `document.activeElement.id`); id != "q" {
				t.Errorf("Tab focused %q, want q", id)
			}
			must(browsertest.SetValue(ctx, p, "#q", "typed"))
			must(p.Press(ctx, browsertest.Enter))
			waitText("#got", "typed")
			png, err := p.Screenshot(ctx)
			must(err)
			if !bytes.HasPrefix(png, []byte("\x89PNG")) {
				t.Errorf("the screenshot is no PNG")
			}
			// A click, at 400 px wide.
			must(p.SetViewport(ctx, 400, 700))
			must(p.Navigate(ctx, srv.URL+"/"))
			if w, _ := browsertest.Eval[int](ctx, p, `window.innerWidth`); w != 400 {
				t.Errorf("viewport %d px wide, want 400", w)
			}
			must(browsertest.SetValue(ctx, p, "#q", "clicked"))
			must(browsertest.Click(ctx, p, "#go"))
			waitText("#got", "clicked")
			// Without scripts the page's script does not run, and the
			// form still submits.
			p = noJS
			must(p.Navigate(ctx, srv.URL+"/"))
			if s := text("#js"); s != "no script" {
				t.Errorf("with scripting off, the page's script ran: %q", s)
			}
			must(browsertest.SetValue(ctx, p, "#q", "no js"))
			must(browsertest.Click(ctx, p, "#go"))
			waitText("#got", "no js")
			if pr := p.Problems(); len(pr) > 0 {
				t.Errorf("problems: %v", pr)
			}
			// A script error is a problem.
			p = all
			must(p.Navigate(ctx, srv.URL+"/boom"))
			for !strings.Contains(strings.Join(p.Problems(), "\n"), "boom-in-the-page") {
				if ctx.Err() != nil {
					t.Fatalf("a script error is not among the problems: %v", p.Problems())
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
