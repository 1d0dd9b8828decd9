package cli

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
)

// hostileServer answers every request with status and body, whatever was
// asked.
func hostileServer(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// silentListener accepts connections and never answers on them.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// runBounded runs the command line and fails the test if it has not
// returned by the deadline: a client that hangs must fail, not block the
// suite.
func runBounded(t *testing.T, endpoint string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		out, err string
		code     int
	}
	done := make(chan result, 1)
	go func() {
		var out, errb strings.Builder
		a := &app{stdout: &out, stderr: &errb, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) {
			return au.NetworkClient(ctx)
		}}
		full := append([]string{"--os-auth-type", "none", "--os-endpoint", endpoint}, args...)
		code := a.run(context.Background(), full)
		done <- result{out.String(), errb.String(), code}
	}()
	select {
	case r := <-done:
		return r.out, r.err, r.code
	case <-time.After(30 * time.Second):
		t.Fatalf("bgpvpn %s: still running after 30s", strings.Join(args, " "))
		return "", "", 0
	}
}

// rawControl matches what must never reach a terminal from a server: C0
// controls but newline and tab, DEL, C1 controls, bidi overrides.
var rawControl = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

// TestTimeout: a server that accepts and never answers ends the command
// with a clear message and exit status 1, after --timeout or OS_TIMEOUT.
func TestTimeout(t *testing.T) {
	clearOSEnv(t)
	ep := silentListener(t)
	for _, tc := range []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"--timeout", "0.5", "list"}},
		{"environment", "0.5", []string{"network", "list"}},
		{"flag wins over environment", "600", []string{"--timeout", "0.5", "show", "vpn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OS_TIMEOUT", tc.env)
			out, errOut, code := runBounded(t, ep, tc.args...)
			if code != 1 || out != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
			}
			want := regexp.MustCompile(`^no answer from the network API at ` + regexp.QuoteMeta(ep) + `/v2\.0/\S+ within 0\.5 s \(--timeout\)\n$`)
			if !want.MatchString(errOut) {
				t.Errorf("stderr = %q, want it to match %s", errOut, want)
			}
		})
	}
}

// TestTimeoutStalledAnswer: a server that sends the headers and part of
// the body, then nothing, is a timeout too.
func TestTimeoutStalledAnswer(t *testing.T) {
	clearOSEnv(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.Write([]byte(`{"bgpvpns": [{"id": "00000000-0000-4000-8000-000000000001", `))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	out, errOut, code := runBounded(t, srv.URL, "--timeout", "0.5", "list")
	if code != 1 || out != "" || !strings.Contains(errOut, "within 0.5 s (--timeout)") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, a timeout", code, out, errOut)
	}
}

// TestTimeoutOption: bad --timeout values are usage errors.
func TestTimeoutOption(t *testing.T) {
	clearOSEnv(t)
	srv := hostileServer(t, 200, `{"bgpvpns": []}`)
	for _, v := range []string{"0", "-1", "abc", "NaN", "Inf"} {
		_, errOut, code := runBounded(t, srv.URL, "--timeout", v, "list")
		if code != 2 || !strings.Contains(errOut, "--timeout") {
			t.Errorf("--timeout %s: exit %d, stderr %q; want 2 and a message naming --timeout", v, code, errOut)
		}
	}
	t.Setenv("OS_TIMEOUT", "soon")
	if _, errOut, code := runBounded(t, srv.URL, "list"); code != 2 || !strings.Contains(errOut, "OS_TIMEOUT") {
		t.Errorf("OS_TIMEOUT=soon: exit %d, stderr %q; want 2 and a message naming OS_TIMEOUT", code, errOut)
	}
}

// TestHostileResponses: what a broken or hostile server answers ends the
// command with a clear message and exit status 1, never a panic, never
// partial output.
func TestHostileResponses(t *testing.T) {
	clearOSEnv(t)
	vpn := `{"id": "00000000-0000-4000-8000-000000000001", "name": "v", "type": "l3"}`
	for _, tc := range []struct {
		name, body string
		status     int
		args       []string
		want       string
	}{
		{"garbage list", "<html>oops</html>", 200, []string{"list"}, "invalid response from the network API: not JSON"},
		{"truncated list", `{"bgpvpns": [` + vpn, 200, []string{"list"}, "invalid response from the network API: not JSON"},
		{"truncated show", `{"bgpvpn": {"id": "00000000-0000-4000-8000-000000000001", "na`, 200,
			[]string{"show", "00000000-0000-4000-8000-000000000001"}, "invalid response from the network API: not JSON"},
		{"garbage network list", "\x00\x01\x02", 200, []string{"network", "list"}, "invalid response from the network API: not JSON"},
		{"null item", `{"bgpvpns": [` + vpn + `, null]}`, 200, []string{"list"}, `invalid response from the network API: item 2 of "bgpvpns" is null`},
		{"item not an object", `{"networks": [1]}`, 200, []string{"network", "list"}, `invalid response from the network API: item 1 of "networks" is not an object`},
		{"list not a list", `{"bgpvpns": {"id": "x"}}`, 200, []string{"list"}, `invalid response from the network API: "bgpvpns" is not a list`},
		{"null object", `{"bgpvpn": null}`, 200, []string{"show", "00000000-0000-4000-8000-000000000001"}, `unexpected response: no "bgpvpn" object`},
		{"empty list", ``, 200, []string{"list"}, "invalid response from the network API: the answer is empty"},
		{"empty show", ``, 200, []string{"network", "show", "00000000-0000-4000-8000-000000000001"}, "invalid response from the network API: the answer is empty"},
		{"204 list", ``, 204, []string{"list"}, "invalid response from the network API: the answer is empty"},
		{"wrong type", `{"bgpvpns": [{"id": 5}]}`, 200, []string{"list"}, "invalid response from the network API: BGPVPN.id is a number where a string is expected"},
		{"status 999", `{"bgpvpns": []}`, 999, []string{"list"}, "unexpected answer from the network API: status 999"},
		{"status 999 with a Neutron error", `{"NeutronError": {"type": "X", "message": "odd", "detail": ""}}`, 999, []string{"list"}, "odd"},
		{"status 302 without a location", ``, 302, []string{"list"}, "unexpected answer from the network API: status 302"},
		{"status 200 on create, not 201", `{"bgpvpn": ` + vpn + `}`, 200, []string{"create", "--route-target", "64512:1"}, "unexpected answer from the network API: status 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := hostileServer(t, tc.status, tc.body)
			out, errOut, code := runBounded(t, srv.URL, tc.args...)
			if code != 1 {
				t.Errorf("exit status %d, want 1 (stderr %q)", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "internal error") {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tc.want)
			}
			if rawControl.MatchString(errOut) {
				t.Errorf("stderr holds raw control characters: %q", errOut)
			}
		})
	}
}

// TestControlCharactersEscaped: terminal escapes in names and messages a
// server sends are printed escaped in every format, never raw; json and
// yaml escape them their own way.
func TestControlCharactersEscaped(t *testing.T) {
	clearOSEnv(t)
	name := `"a\u001b]0;pwned\u0007\u001b[2J\rb\u009b31m\u202eZ\u007f"`
	vpn := `{"id": "00000000-0000-4000-8000-000000000001", "name": ` + name + `, "type": "l3", "route_targets": [` + name + `],
		"networks": [], "routers": [], "ports": [], "tenant_id": ` + name + `, ` + name + `: "key too"}`
	list := hostileServer(t, 200, `{"bgpvpns": [`+vpn+`]}`)
	show := hostileServer(t, 200, `{"bgpvpn": `+vpn+`}`)
	for _, tc := range []struct {
		srv  *httptest.Server
		args []string
	}{
		{list, []string{"list"}},
		{list, []string{"list", "--long"}},
		{list, []string{"list", "-f", "value"}},
		{list, []string{"list", "-f", "csv"}},
		{list, []string{"list", "-f", "csv", "--quote", "none"}},
		{list, []string{"list", "-f", "json"}},
		{list, []string{"list", "-f", "yaml"}},
		{show, []string{"show", "00000000-0000-4000-8000-000000000001"}},
		{show, []string{"show", "00000000-0000-4000-8000-000000000001", "-f", "value"}},
		{show, []string{"show", "00000000-0000-4000-8000-000000000001", "-f", "shell"}},
		{show, []string{"show", "00000000-0000-4000-8000-000000000001", "-f", "json"}},
		{show, []string{"show", "00000000-0000-4000-8000-000000000001", "-f", "yaml"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errOut, code := runBounded(t, tc.srv.URL, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if rawControl.MatchString(out) {
				t.Errorf("stdout holds raw control characters:\n%q", out)
			}
			if !strings.Contains(out, "pwned") {
				t.Errorf("stdout lost the name:\n%s", out)
			}
		})
	}
	t.Run("error message", func(t *testing.T) {
		srv := hostileServer(t, 409, `{"NeutronError": {"type": "Conflict", "message": `+name+`, "detail": ""}}`)
		_, errOut, code := runBounded(t, srv.URL, "list")
		if code != 1 || rawControl.MatchString(errOut) || !strings.Contains(errOut, "pwned") {
			t.Errorf("exit %d, stderr %q; want 1 and the message escaped", code, errOut)
		}
	})
	t.Run("shell values cannot run commands", func(t *testing.T) {
		body := `{"bgpvpn": {"id": "00000000-0000-4000-8000-000000000001", "name": "$(touch /tmp/x) ` + "`id`" + ` \\ \"q\""}}`
		srv := hostileServer(t, 200, body)
		out, _, code := runBounded(t, srv.URL, "show", "00000000-0000-4000-8000-000000000001", "-f", "shell", "-c", "Name")
		want := `name="\$(touch /tmp/x) \` + "`id\\`" + ` \\ \"q\""` + "\n"
		if code != 0 || out != want {
			t.Errorf("exit %d, stdout %q; want %q", code, out, want)
		}
	})
}

// TestAnswerListsOfStrings: the answer checks leave alone lists that are
// not a collection, such as add_router_interface's subnet_ids (a check of
// every top-level list refused it).
func TestAnswerListsOfStrings(t *testing.T) {
	clearOSEnv(t)
	const router, subnet = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2.0/routers/" + router:
			w.Write([]byte(`{"router": {"id": "` + router + `", "name": "r"}}`))
		case "/v2.0/subnets/" + subnet:
			w.Write([]byte(`{"subnet": {"id": "` + subnet + `", "name": "s"}}`))
		case "/v2.0/routers/" + router + "/add_router_interface":
			w.Write([]byte(`{"id": "` + router + `", "subnet_id": "` + subnet + `", "subnet_ids": ["` + subnet + `"], "port_id": "p", "tenant_id": "t", "project_id": "t"}`))
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"NeutronError": {"type": "HTTPNotFound", "message": "The resource could not be found.", "detail": ""}}`))
		}
	}))
	t.Cleanup(srv.Close)
	if _, errOut, code := runBounded(t, srv.URL, "router", "add", "subnet", router, subnet); code != 0 {
		t.Errorf("router add subnet: exit %d, stderr %q", code, errOut)
	}
}
