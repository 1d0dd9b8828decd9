package browsertest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// firefox is a Firefox tab driven over WebDriver BiDi.
type firefox struct {
	bidi    *bidiConn
	context string // the tab's browsing context id

	mu       sync.Mutex
	problems []string
}

var _ Page = (*firefox)(nil)

// profilePrefs keep a test profile quiet and on loopback: no first-run
// pages, no captive-portal, update, study or telemetry requests, no
// prefetching (there is no network, and a test reaches only its pages),
// English pages.
// The remote agent adds its own recommended preferences.
const profilePrefs = `user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("app.update.disabledForTesting", true);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("intl.accept_languages", "en-US");
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
`

// StartFirefox starts a headless Firefox (BGPVPN_FIREFOX, or
// /usr/bin/firefox-esr) with a 1200×900 viewport and a fresh profile,
// for the test's duration, and opens a BiDi session on it. JavaScript
// dialogs (confirm) are accepted.
func StartFirefox(t testing.TB, opts ...Option) Page {
	t.Helper()
	o := options(opts)
	exe := os.Getenv("BGPVPN_FIREFOX")
	if exe == "" {
		exe = "/usr/bin/firefox-esr"
	}
	profile := t.TempDir()
	prefs := profilePrefs
	if o.noScripts {
		// This Firefox has no emulation.setScriptingEnabled: the
		// profile's own switch, as a user would turn it off.
		prefs += "user_pref(\"javascript.enabled\", false);\n"
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	// Port 0: Firefox picks a free port and prints the address.
	cmd := exec.Command(exe, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile", profile, "--window-size=1200,900", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its content processes go with it
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var ff *firefox
	t.Cleanup(func() {
		if ff != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ff.bidi.call(ctx, "browser.close", nil, nil)
			cancel()
			ff.bidi.close()
		}
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	url, output := bidiAddress(stderr, 90*time.Second)
	if url == "" {
		t.Fatalf("%s printed no WebDriver BiDi address; it printed:\n%s", exe, output)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ff = &firefox{}
	conn, err := dialBiDi(ctx, url, ff.event)
	if err != nil {
		t.Fatal(err)
	}
	ff.bidi = conn
	if err := ff.start(ctx); err != nil {
		t.Fatalf("firefox: %v", err)
	}
	return ff
}

// bidiAddress reads Firefox's stderr until it prints its BiDi address,
// then keeps draining it; it returns "" and what was printed on timeout.
func bidiAddress(stderr interface{ Read([]byte) (int, error) }, wait time.Duration) (string, string) {
	found := make(chan string, 1)
	var mu sync.Mutex
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				mu.Lock()
				out.WriteString(line + "\n")
				mu.Unlock()
			}
			if i := strings.Index(line, "WebDriver BiDi listening on "); i >= 0 && !sent {
				found <- strings.TrimSpace(line[i+len("WebDriver BiDi listening on "):]) + "/session"
				sent = true
			}
		}
	}()
	select {
	case u := <-found:
		return u, ""
	case <-time.After(wait):
		mu.Lock()
		defer mu.Unlock()
		return "", out.String()
	}
}

// start opens the session, finds the tab and listens to its logs and
// prompts.
func (f *firefox) start(ctx context.Context) error {
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"acceptInsecureCerts": false, "unhandledPromptBehavior": map[string]string{"default": "accept"}}}}
	if err := f.bidi.call(ctx, "session.new", caps, nil); err != nil {
		return err
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.bidi.call(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		return err
	}
	if len(tree.Contexts) == 0 {
		return fmt.Errorf("no browsing context to drive")
	}
	f.context = tree.Contexts[0].Context
	if err := f.bidi.call(ctx, "session.subscribe", map[string]any{
		"events": []string{"log.entryAdded", "browsingContext.userPromptOpened"}}, nil); err != nil {
		return err
	}
	return f.SetViewport(ctx, 1200, 900)
}

// event handles the browser's events (on the connection's event
// goroutine).
func (f *firefox) event(method string, params json.RawMessage) {
	switch method {
	case "log.entryAdded":
		var e struct {
			Type, Level, Text string
		}
		if json.Unmarshal(params, &e) == nil && e.Level == "error" {
			f.mu.Lock()
			f.problems = append(f.problems, e.Type+": "+e.Text)
			f.mu.Unlock()
		}
	case "browsingContext.userPromptOpened":
		var p struct{ Context string }
		if json.Unmarshal(params, &p) != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := f.bidi.call(ctx, "browsingContext.handleUserPrompt", map[string]any{"context": p.Context, "accept": true}, nil)
		if err != nil && !isBiDiCode(err, "no such alert") {
			f.mu.Lock()
			f.problems = append(f.problems, "accepting a prompt: "+err.Error())
			f.mu.Unlock()
		}
	}
}

func (f *firefox) Name() string { return "firefox" }

func (f *firefox) Navigate(ctx context.Context, url string) error {
	return f.bidi.call(ctx, "browsingContext.navigate", map[string]any{"context": f.context, "url": url, "wait": "complete"}, nil)
}

func (f *firefox) Eval(ctx context.Context, expr string) (json.RawMessage, error) {
	var res struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	// The value comes back as JSON text, not as BiDi's typed remote
	// values, to read it as the Chromium side does.
	err := f.bidi.call(ctx, "script.evaluate", map[string]any{
		"expression":   "JSON.stringify((" + expr + "\n))",
		"target":       map[string]string{"context": f.context},
		"awaitPromise": false, "resultOwnership": "none"}, &res)
	if err != nil {
		return nil, err
	}
	if res.Type == "exception" {
		return nil, fmt.Errorf("evaluating %s: %s", expr, res.ExceptionDetails.Text)
	}
	if res.Result.Type != "string" { // undefined
		return json.RawMessage("null"), nil
	}
	var s string
	if err := json.Unmarshal(res.Result.Value, &s); err != nil {
		return nil, fmt.Errorf("evaluating %s: %w", expr, err)
	}
	return json.RawMessage(s), nil
}

func (f *firefox) ClickAt(ctx context.Context, x, y float64) error {
	return f.bidi.call(ctx, "input.performActions", map[string]any{"context": f.context, "actions": []any{
		map[string]any{"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"}, "actions": []any{
			map[string]any{"type": "pointerMove", "x": int(math.Round(x)), "y": int(math.Round(y))},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		}}}}, nil)
}

func (f *firefox) Press(ctx context.Context, k Key) error {
	// WebDriver's code points for the keys (W3C WebDriver, "Keyboard actions").
	value := map[Key]string{Tab: "\uE004", Enter: "\uE007"}[k]
	return f.bidi.call(ctx, "input.performActions", map[string]any{"context": f.context, "actions": []any{
		map[string]any{"type": "key", "id": "keyboard", "actions": []any{
			map[string]any{"type": "keyDown", "value": value},
			map[string]any{"type": "keyUp", "value": value},
		}}}}, nil)
}

func (f *firefox) Screenshot(ctx context.Context) ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := f.bidi.call(ctx, "browsingContext.captureScreenshot", map[string]any{"context": f.context, "origin": "document"}, &res); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(res.Data)
}

func (f *firefox) SetViewport(ctx context.Context, width, height int) error {
	return f.bidi.call(ctx, "browsingContext.setViewport", map[string]any{"context": f.context,
		"viewport": map[string]int{"width": width, "height": height}}, nil)
}

func (f *firefox) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.problems...)
}
