package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// maxQueryParams is one below Go's url.ParseQuery limit (10,000), past
// which it drops the whole query string and a list would ignore every
// filter the client sent.
const maxQueryParams = 10000

// checkEdge refuses, before anything reads them, requests whose path,
// query string or identity hold text that no store keeps alike: invalid
// UTF-8 or NUL (PostgreSQL refuses both, SQLite stores them). Bodies are
// checked by readBody and as they are decoded (resource.Prepare).
func checkEdge(r *http.Request, creds policy.Credentials) error {
	if n := strings.Count(r.URL.RawQuery, "&") + 1; r.URL.RawQuery != "" && n >= maxQueryParams {
		return fault.BadRequest("Too many query parameters: %d, at most %d", n, maxQueryParams-1)
	}
	if !cleanText(r.URL.Path) {
		return fault.BadRequest("The request path is not valid UTF-8 text")
	}
	for name, values := range r.URL.Query() {
		if !cleanText(name) {
			return fault.BadRequest("A query parameter name is not valid UTF-8 text")
		}
		for _, v := range values {
			if !cleanText(v) {
				return fault.BadRequest("The value of query parameter %s is not valid UTF-8 text", name)
			}
		}
	}
	for _, s := range append([]string{creds.UserID, creds.ProjectID}, creds.Roles...) {
		if !cleanText(s) {
			return fault.BadRequest("The identity headers are not valid UTF-8 text")
		}
	}
	return nil
}

// cleanText reports whether s is valid UTF-8 without NUL.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
