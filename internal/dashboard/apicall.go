package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// apiError is a refusal by the API, with the server's own message.
type apiError struct {
	Status        int
	Type, Message string
}

func (e *apiError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("the server answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return e.Message
}

// recorder is the response of an in-process API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// obj is a decoded JSON object of the API.
type obj = map[string]any

// call sends one request to the API handler in process, as who, so that
// policy, validation and messages are exactly those every client gets.
// A 2xx answer is decoded into out (when not nil); any other is an
// *apiError carrying the Neutron fault's type and message.
func (d *Dashboard) call(ctx context.Context, who Identity, method, path string, q url.Values, body any, out any) error {
	u := path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	who.apply(req)
	rec := &recorder{header: http.Header{}}
	d.api.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status/100 != 2 {
		return apiErrorOf(rec.status, rec.body.Bytes())
	}
	if out == nil || rec.body.Len() == 0 {
		return nil
	}
	dec := json.NewDecoder(&rec.body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decoding the answer to %s %s: %w", method, path, err)
	}
	return nil
}

// apiErrorOf reads a refusal of the API: Neutron's envelope, or what
// keystonemiddleware answers (a token refused: {"error": {"message"}};
// Keystone unreachable: {"message"} with webob's <br /> in it).
func apiErrorOf(status int, body []byte) *apiError {
	var f struct {
		NeutronError struct{ Type, Message string }
		Error        struct{ Message string }
		Message      string
	}
	json.Unmarshal(body, &f)
	e := &apiError{Status: status, Type: f.NeutronError.Type, Message: f.NeutronError.Message}
	for _, m := range []string{f.Error.Message, f.Message} {
		if e.Message == "" {
			e.Message = strings.Join(strings.Fields(strings.ReplaceAll(m, "<br />", " ")), " ")
		}
	}
	return e
}

// str reads a string attribute ("" when absent or not a string).
func str(o obj, k string) string {
	s, _ := o[k].(string)
	return s
}

// strs reads a list of strings.
func strs(o obj, k string) []string {
	l, _ := o[k].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// objs reads a list of objects.
func objs(o obj, k string) []obj {
	l, _ := o[k].([]any)
	out := make([]obj, 0, len(l))
	for _, v := range l {
		if m, ok := v.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}
