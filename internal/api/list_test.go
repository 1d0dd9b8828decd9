package api_test

import (
	"net/url"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listWorld holds the five BGPVPNs that section 8 of the transcript lists.
type listWorld struct {
	s *apiServer
	// byName maps each BGPVPN's name to its id.
	byName map[string]string
	// sortedIDs are all ids in the default (id) order.
	sortedIDs []string
}

func newListWorld(t *testing.T) listWorld {
	s := newServer(t)
	w := listWorld{s: s, byName: map[string]string{}}
	for _, b := range []string{
		`{"name": "rt-as-string", "route_targets": "64512:7"}`,
		`{"name": "renamed-by-tenant", "tenant_id": "project-a", "route_targets": ["64512:1", "64512:3"], "route_distinguishers": ["1.2.3.4:100", "64512:101"], "export_targets": ["64512:4"], "vni": 1000, "local_pref": 5}`,
		`{"name": "vpn-l3-b", "tenant_id": "project-b", "route_targets": ["65000:1"]}`,
		`{"name": "vpn-l2-a", "type": "l2", "tenant_id": "project-a", "route_targets": ["64512:10"], "vni": 16777215}`,
		`{"name": "explicit-nulls", "route_targets": null, "vni": null, "local_pref": null}`,
	} {
		id := s.createBGPVPN(admin, b)
		var m map[string]any
		m = expand(t, b)
		w.byName[m["name"].(string)] = id
		w.sortedIDs = append(w.sortedIDs, id)
	}
	sort.Strings(w.sortedIDs)
	return w
}

// names lists the "name" of every item, in answer order.
func names(t *testing.T, body map[string]any) []string {
	t.Helper()
	out := []string{}
	for _, item := range body["bgpvpns"].([]any) {
		n, _ := item.(map[string]any)["name"].(string)
		out = append(out, n)
	}
	return out
}

func TestListFilters(t *testing.T) {
	w := newListWorld(t)
	s := w.s
	tests := []struct {
		name  string
		who   identity
		query string
		want  []string // names, sorted
	}{
		{"[202] type=l3", admin, "type=l3", []string{"explicit-nulls", "renamed-by-tenant", "rt-as-string", "vpn-l3-b"}},
		{"[203] type=l2", admin, "type=l2", []string{"vpn-l2-a"}},
		{"[204] type=l5 (invalid value) matches nothing", admin, "type=l5", []string{}},
		{"type=l5 or l2: the valid value still selects", admin, "type=l5&type=l2", []string{"vpn-l2-a"}},
		{"[208] name=", admin, "name=vpn-l2-a", []string{"vpn-l2-a"}},
		{"two names are any of them", admin, "name=vpn-l2-a&name=vpn-l3-b", []string{"vpn-l2-a", "vpn-l3-b"}},
		{"name= empty matches the empty name only", admin, "name=", []string{}},
		{"[209] tenant_id=", admin, "tenant_id=project-b", []string{"vpn-l3-b"}},
		{"[210] project_id=", admin, "project_id=project-b", []string{"vpn-l3-b"}},
		{"tenant filtering on another project sees nothing", tenantA, "tenant_id=project-b", []string{}},
		{"[211] vni=", admin, "vni=16777215", []string{"vpn-l2-a"}},
		{"vni=abc matches nothing", admin, "vni=abc", []string{}},
		{"[212] route_targets= a one-element list", admin, "route_targets=65000:1", []string{"vpn-l3-b"}},
		{"route_targets= a string-converted list", admin, "route_targets=64512:7", []string{"rt-as-string"}},
		{"[213] route_targets= one element of a two-element list", admin, "route_targets=64512:1", []string{}},
		{"[214] route_targets= the whole list, comma-joined", admin, "route_targets=64512:1,64512:3", []string{"renamed-by-tenant"}},
		{"route_targets= in another order", admin, "route_targets=64512:3,64512:1", []string{}},
		{"route_distinguishers= comma-joined", admin, "route_distinguishers=1.2.3.4:100,64512:101", []string{"renamed-by-tenant"}},
		{"export_targets=", admin, "export_targets=64512:4", []string{"renamed-by-tenant"}},
		{"route_targets= empty selects empty lists", admin, "route_targets=", []string{"explicit-nulls"}},
		{"[216] local_pref=", admin, "local_pref=5", []string{"renamed-by-tenant"}},
		{"local_pref=high matches nothing", admin, "local_pref=high", []string{}},
		{"[217] unknown filter ignored", admin, "foo=bar", []string{"explicit-nulls", "renamed-by-tenant", "rt-as-string", "vpn-l2-a", "vpn-l3-b"}},
		{"filters combine", admin, "tenant_id=project-a&type=l3", []string{"renamed-by-tenant"}},
		{"id=", admin, "id=" + "$RENAMED", []string{"renamed-by-tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query
			if q == "id=$RENAMED" {
				q = "id=" + w.byName["renamed-by-tenant"]
			}
			got := names(t, s.get(tt.who, "/v2.0/bgpvpn/bgpvpns?"+q).must(t, 200))
			sort.Strings(got)
			if !cmp.Equal(got, tt.want) {
				t.Errorf("GET ?%s = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestListFields(t *testing.T) {
	w := newListWorld(t)
	s := w.s
	t.Run("[205] fields=name, in id order", func(t *testing.T) {
		var want []any
		for _, id := range w.sortedIDs {
			for n, i := range w.byName {
				if i == id {
					want = append(want, map[string]any{"name": n})
				}
			}
		}
		if d := cmp.Diff(map[string]any{"bgpvpns": want}, s.get(admin, "/v2.0/bgpvpn/bgpvpns?fields=name").must(t, 200)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("[206] fields=name as tenant", func(t *testing.T) {
		got := names(t, s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?fields=name").must(t, 200))
		sort.Strings(got)
		if want := []string{"renamed-by-tenant", "vpn-l2-a"}; !cmp.Equal(got, want) {
			t.Errorf("names = %v, want %v", got, want)
		}
	})
	t.Run("[207] unknown field gives empty objects", func(t *testing.T) {
		s.get(admin, "/v2.0/bgpvpn/bgpvpns?fields=bogus").wantExact(t, 200, `{"bgpvpns": [{}, {}, {}, {}, {}]}`)
	})
	t.Run("fields keep the response order, not the query's", func(t *testing.T) {
		r := s.get(admin, vpnPath(w.byName["vpn-l2-a"])+"?fields=vni&fields=name&fields=id")
		if got, want := r.keys(t, "bgpvpn"), []string{"id", "name", "vni"}; !cmp.Equal(got, want) {
			t.Errorf("keys = %v, want %v", got, want)
		}
	})
	t.Run("[74] fields on show", func(t *testing.T) {
		s.get(admin, vpnPath(w.byName["renamed-by-tenant"])+"?fields=local_pref").wantExact(t, 200, `{"bgpvpn": {"local_pref": 5}}`)
	})
}

func TestListSorting(t *testing.T) {
	w := newListWorld(t)
	s := w.s
	all := []string{"explicit-nulls", "renamed-by-tenant", "rt-as-string", "vpn-l2-a", "vpn-l3-b"}
	reversed := []string{"vpn-l3-b", "vpn-l2-a", "rt-as-string", "renamed-by-tenant", "explicit-nulls"}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"[218] sort_key=name&sort_dir=desc (the original refuses)", "sort_key=name&sort_dir=desc", reversed},
		{"sort_key=name&sort_dir=asc", "sort_key=name&sort_dir=asc", all},
		{"two keys", "sort_key=type&sort_dir=desc&sort_key=name&sort_dir=asc",
			[]string{"explicit-nulls", "renamed-by-tenant", "rt-as-string", "vpn-l3-b", "vpn-l2-a"}},
		{"sort on a number with nulls", "sort_key=vni&sort_dir=desc&sort_key=name&sort_dir=asc",
			[]string{"vpn-l2-a", "renamed-by-tenant", "explicit-nulls", "rt-as-string", "vpn-l3-b"}},
		{"sort with a filter", "type=l3&sort_key=name&sort_dir=desc", []string{"vpn-l3-b", "rt-as-string", "renamed-by-tenant", "explicit-nulls"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?fields=name&"+tt.query).must(t, 200))
			if !cmp.Equal(got, tt.want) {
				t.Errorf("GET ?%s = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	t.Run("[219] sort_key=id&sort_dir=desc", func(t *testing.T) {
		got := ids(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?sort_key=id&sort_dir=desc&fields=id").must(t, 200), "bgpvpns")
		want := append([]string(nil), w.sortedIDs...)
		sort.Sort(sort.Reverse(sort.StringSlice(want)))
		if !cmp.Equal(got, want) {
			t.Errorf("ids = %v, want %v", got, want)
		}
	})
	faults := []struct{ name, query, message string }{
		{"lists of RTs are not sort keys", "sort_key=route_targets&sort_dir=asc", "['route_targets'] is invalid attribute for sort_keys"},
		{"unknown sort key", "sort_key=bogus&sort_dir=asc", "['bogus'] is invalid attribute for sort_keys"},
		{"several bad sort keys", "sort_key=bogus&sort_key=name&sort_key=networks&sort_dir=asc&sort_dir=asc&sort_dir=asc", "['bogus', 'networks'] is invalid attribute for sort_keys"},
		{"bad sort direction", "sort_key=name&sort_dir=up", "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'"},
		{"more directions than keys", "sort_key=name&sort_dir=asc&sort_dir=desc", "The number of sort_keys and sort_dirs must be same"},
		{"a key needs its direction", "sort_key=name", "The number of sort_keys and sort_dirs must be same"},
		{"a direction needs its key", "sort_dir=asc", "The number of sort_keys and sort_dirs must be same"},
		{"keys are checked before directions", "sort_key=bogus&sort_dir=up", "['bogus'] is invalid attribute for sort_keys"},
		{"every bad direction is named", "sort_key=name&sort_dir=up&sort_key=id&sort_dir=DESC", "['up', 'DESC'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'"},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s.get(admin, "/v2.0/bgpvpn/bgpvpns?"+tt.query).wantFault(t, 400, "HTTPBadRequest", tt.message)
		})
	}
}

// link is one entry of "<plural>_links".
type link struct{ Rel, Href string }

func pageLinks(t *testing.T, body map[string]any) []link {
	t.Helper()
	raw, ok := body["bgpvpns_links"]
	if !ok {
		return nil
	}
	var out []link
	for _, l := range raw.([]any) {
		m := l.(map[string]any)
		out = append(out, link{m["rel"].(string), m["href"].(string)})
	}
	return out
}

func TestListPagination(t *testing.T) {
	w := newListWorld(t)
	s := w.s
	id := w.sortedIDs
	base := s.url + "/v2.0/bgpvpn/bgpvpns?"
	page := func(t *testing.T, query string) ([]string, []link) {
		t.Helper()
		body := s.get(admin, "/v2.0/bgpvpn/bgpvpns?"+query).must(t, 200)
		return ids(t, body, "bgpvpns"), pageLinks(t, body)
	}
	check := func(t *testing.T, query string, wantIDs []string, wantLinks []link) {
		t.Helper()
		gotIDs, gotLinks := page(t, query)
		if d := cmp.Diff(wantIDs, gotIDs); d != "" {
			t.Errorf("GET ?%s ids (-want +got):\n%s", query, d)
		}
		if d := cmp.Diff(wantLinks, gotLinks); d != "" {
			t.Errorf("GET ?%s links (-want +got):\n%s", query, d)
		}
	}
	t.Run("[220] limit=2", func(t *testing.T) {
		check(t, "limit=2&fields=id&fields=name", id[0:2], []link{
			{"next", base + "limit=2&fields=id&fields=name&marker=" + id[1]},
			{"previous", base + "limit=2&fields=id&fields=name&marker=" + id[0] + "&page_reverse=True"},
		})
	})
	t.Run("[221] follow the next link", func(t *testing.T) {
		check(t, "limit=2&fields=id&fields=name&marker="+id[1], id[2:4], []link{
			{"next", base + "limit=2&fields=id&fields=name&marker=" + id[3]},
			{"previous", base + "limit=2&fields=id&fields=name&marker=" + id[2] + "&page_reverse=True"},
		})
	})
	t.Run("last, short page has no next link", func(t *testing.T) {
		check(t, "limit=2&fields=id&marker="+id[3], id[4:], []link{
			{"previous", base + "limit=2&fields=id&marker=" + id[4] + "&page_reverse=True"},
		})
	})
	t.Run("following previous pages backwards", func(t *testing.T) {
		check(t, "limit=2&fields=id&marker="+id[4]+"&page_reverse=True", id[2:4], []link{
			{"next", base + "limit=2&fields=id&marker=" + id[3]},
			{"previous", base + "limit=2&fields=id&marker=" + id[2] + "&page_reverse=True"},
		})
	})
	t.Run("first, short page backwards has no previous link", func(t *testing.T) {
		check(t, "limit=2&marker="+id[1]+"&page_reverse=True", id[0:1], []link{
			{"next", base + "limit=2&marker=" + id[0]},
		})
	})
	t.Run("page_reverse without a marker is the last page", func(t *testing.T) {
		gotIDs, _ := page(t, "limit=2&page_reverse=True")
		if d := cmp.Diff(id[3:5], gotIDs); d != "" {
			t.Errorf("ids (-want +got):\n%s", d)
		}
	})
	t.Run("limit larger than the list: a previous link only, like Neutron", func(t *testing.T) {
		check(t, "limit=10", id, []link{{"previous", base + "limit=10&marker=" + id[0] + "&page_reverse=True"}})
	})
	t.Run("page_reverse other than true pages forwards", func(t *testing.T) {
		check(t, "limit=2&marker="+id[1]+"&page_reverse=1", id[2:4], []link{
			{"next", base + "limit=2&marker=" + id[3]},
			{"previous", base + "limit=2&marker=" + id[2] + "&page_reverse=True"},
		})
	})
	t.Run("[222] limit=0 means no limit and no links", func(t *testing.T) {
		check(t, "limit=0&fields=id", id, nil)
	})
	t.Run("paging with a filter and a sort key", func(t *testing.T) {
		first := s.get(admin, "/v2.0/bgpvpn/bgpvpns?type=l3&sort_key=name&sort_dir=desc&limit=3&fields=name").must(t, 200)
		if got, want := names(t, first), []string{"vpn-l3-b", "rt-as-string", "renamed-by-tenant"}; !cmp.Equal(got, want) {
			t.Fatalf("first page = %v, want %v", got, want)
		}
		next := pageLinks(t, first)[0]
		u, err := url.Parse(next.Href)
		if err != nil || next.Rel != "next" {
			t.Fatalf("next link %v: %v", next, err)
		}
		second := s.get(admin, u.RequestURI()).must(t, 200)
		if got, want := names(t, second), []string{"explicit-nulls"}; !cmp.Equal(got, want) {
			t.Errorf("second page = %v, want %v", got, want)
		}
	})
	t.Run("links follow the Host the client used", func(t *testing.T) {
		body := s.get(admin, "/v2.0/bgpvpns?limit=1").must(t, 200)
		if got := pageLinks(t, body); len(got) != 2 || got[0].Href != s.url+"/v2.0/bgpvpns?limit=1&marker="+id[0] {
			t.Errorf("links = %v, want next %s", got, s.url+"/v2.0/bgpvpns?limit=1&marker="+id[0])
		}
	})
	t.Run("empty sort_key and sort_dir are ignored", func(t *testing.T) {
		check(t, "sort_key=&sort_dir=&fields=id", id, nil)
	})
	for _, bad := range []string{"abc", "-1", "1.5"} {
		t.Run("[223] limit="+bad, func(t *testing.T) {
			s.get(admin, "/v2.0/bgpvpn/bgpvpns?limit="+url.QueryEscape(bad)).wantFault(t, 400, "BadRequest",
				"Bad limit request: Limit must be an integer 0 or greater and not '"+bad+"'.")
		})
	}
}
