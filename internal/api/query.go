package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// listParams is a parsed list query string.
type listParams struct {
	query  store.Query
	fields []string
	// none is set when a filter value cannot match anything (a value the
	// attribute could never hold): the answer is an empty list.
	none bool
}

var reservedParams = map[string]bool{
	"fields": true, "sort_key": true, "sort_dir": true, "limit": true, "marker": true, "page_reverse": true,
}

// parseList reads fields, filters, sorting and pagination for kind k.
func (k *kind) parseList(r *http.Request) (listParams, error) {
	var p listParams
	vals := r.URL.Query()
	p.fields = vals["fields"]
	p.query.Filters = map[string][]any{}
	for name, values := range vals {
		if reservedParams[name] {
			continue
		}
		if k.special != nil && k.special(name, values, &p.query) {
			continue
		}
		conv, ok := k.filters[name]
		if !ok {
			continue // the original ignores unknown filters
		}
		for _, v := range values {
			typed, ok := conv(v)
			if !ok {
				continue
			}
			p.query.Filters[name] = append(p.query.Filters[name], typed)
		}
		if len(p.query.Filters[name]) == 0 {
			p.none = true
		}
	}
	keys, dirs := vals["sort_key"], vals["sort_dir"]
	if len(dirs) > 0 && len(dirs) != len(keys) {
		return p, fault.BadRequest("The number of sort_keys and sort_dirs must be same")
	}
	var bad []string
	for i, key := range keys {
		if _, ok := k.filters[key]; !ok || !k.sortable(key) {
			bad = append(bad, "'"+key+"'")
			continue
		}
		desc := false
		if i < len(dirs) {
			switch dirs[i] {
			case "asc":
			case "desc":
				desc = true
			default:
				return p, fault.BadRequest("%s is invalid value for sort_dirs, valid value is 'asc' and 'desc'", jsonv.Repr(dirs))
			}
		}
		p.query.Sort = append(p.query.Sort, store.SortKey{Attr: key, Desc: desc})
	}
	if len(bad) > 0 {
		return p, fault.BadRequest("[%s] is invalid attribute for sort_keys", strings.Join(bad, ", "))
	}
	if l := vals.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return p, fault.New(http.StatusBadRequest, "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not '%s'.", l)
		}
		p.query.Limit = n
	}
	p.query.Marker = vals.Get("marker")
	if pr := vals.Get("page_reverse"); pr != "" {
		b, err := resource.ToBool(pr)
		if err == nil {
			p.query.Reverse = b.(bool)
		}
	}
	return p, nil
}

// links builds Neutron's "<plural>_links" for a page of ids.
func links(r *http.Request, p listParams, ids []string) []Fields {
	limit := p.query.Limit
	if limit == 0 || len(ids) == 0 {
		return nil
	}
	base := requestBase(r) + r.URL.Path
	href := func(marker string, reverse bool) string {
		var q []string
		for _, kv := range strings.Split(r.URL.RawQuery, "&") {
			name, _, _ := strings.Cut(kv, "=")
			if n, err := url.QueryUnescape(name); err == nil && (n == "marker" || n == "page_reverse") {
				continue
			}
			if kv != "" {
				q = append(q, kv)
			}
		}
		q = append(q, "marker="+url.QueryEscape(marker))
		if reverse {
			q = append(q, "page_reverse=True")
		}
		return base + "?" + strings.Join(q, "&")
	}
	var out []Fields
	if !(len(ids) < limit && !p.query.Reverse) {
		out = append(out, Fields{{"rel", "next"}, {"href", href(ids[len(ids)-1], false)}})
	}
	if !(len(ids) < limit && p.query.Reverse) {
		out = append(out, Fields{{"rel", "previous"}, {"href", href(ids[0], true)}})
	}
	return out
}

// requestBase is scheme://host of the request, honouring a proxy's
// X-Forwarded-Proto.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// Filter converters: the typed value, or false if the text cannot match.

func filterString(v string) (any, bool) { return v, true }

func filterBool(v string) (any, bool) {
	b, err := resource.ToBool(v)
	if err != nil {
		return nil, false
	}
	return b, true
}

func filterInt(v string) (any, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

func filterValues(valid ...string) func(string) (any, bool) {
	return func(v string) (any, bool) {
		for _, x := range valid {
			if v == x {
				return v, true
			}
		}
		return nil, false
	}
}
