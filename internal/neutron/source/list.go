package source

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

// Source reads snapshots from a Neutron.
type Source struct {
	Client *gophercloud.ServiceClient
	// PageSize is the limit of each list request (0: 1000).
	PageSize int
}

var _ mirror.Source = (*Source)(nil)

// Snapshot lists networks, subnets, routers and ports, in that order, so
// that what a port points at was read before it (the mirror skips, until
// the next sync, what points at something it has not read).
func (s *Source) Snapshot(ctx context.Context) (*mirror.Snapshot, error) {
	var (
		snap    mirror.Snapshot
		nets    []network
		subnets []subnet
		routers []router
		ports   []port
	)
	if err := list(ctx, s, "networks", networkFields, nil, &nets); err != nil {
		return nil, err
	}
	if err := list(ctx, s, "subnets", subnetFields, nil, &subnets); err != nil {
		return nil, err
	}
	if err := list(ctx, s, "routers", routerFields, nil, &routers); err != nil {
		return nil, err
	}
	if err := list(ctx, s, "ports", portFields, nil, &ports); err != nil {
		return nil, err
	}
	for i := range nets {
		snap.Networks = append(snap.Networks, nets[i].model())
	}
	for i := range subnets {
		snap.Subnets = append(snap.Subnets, subnets[i].model())
	}
	for i := range routers {
		snap.Routers = append(snap.Routers, routers[i].model())
	}
	for i := range ports {
		snap.Ports = append(snap.Ports, ports[i].model())
	}
	return &snap, nil
}

// list reads every page of a collection, filtered by filters, into out (a
// *[]T), following Neutron's "<plural>_links" next links.
func list[T any](ctx context.Context, s *Source, plural string, fields []string, filters url.Values, out *[]T) error {
	q := url.Values{"fields": fields}
	for k, v := range filters {
		q[k] = v
	}
	size := s.PageSize
	if size <= 0 {
		size = 1000
	}
	q.Set("limit", strconv.Itoa(size))
	first := s.Client.ServiceURL(plural) + "?" + q.Encode()
	pager := pagination.NewPager(s.Client, first, func(r pagination.PageResult) pagination.Page {
		return page{LinkedPageBase: pagination.LinkedPageBase{PageResult: r}, plural: plural, fields: fields}
	})
	err := pager.EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		var items []T
		if err := p.(page).items(&items); err != nil {
			return false, err
		}
		*out = append(*out, items...)
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("listing neutron's %s: %w", plural, err)
	}
	return nil
}

// page is one page of a Neutron collection.
type page struct {
	pagination.LinkedPageBase
	plural string
	fields []string
}

// member decodes the member name of the page's body into v, if present.
func (p page) member(name string, v any) error {
	var m map[string]json.RawMessage
	if err := p.ExtractInto(&m); err != nil {
		return err
	}
	if raw, ok := m[name]; ok {
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
	}
	return nil
}

// items decodes the page's objects into v (a *[]T).
func (p page) items(v any) error { return p.member(p.plural, v) }

func (p page) NextPageURL() (string, error) {
	var links []gophercloud.Link
	if err := p.member(p.plural+"_links", &links); err != nil {
		return "", err
	}
	next, err := gophercloud.ExtractNextURL(links)
	if next == "" || err != nil {
		return next, err
	}
	// The next page is restricted to the same fields even if the link
	// does not say so.
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("decoding %s_links: %w", p.plural, err)
	}
	q := u.Query()
	if _, ok := q["fields"]; !ok {
		q["fields"] = p.fields
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

func (p page) IsEmpty() (bool, error) {
	if p.StatusCode == 204 {
		return true, nil
	}
	var items []json.RawMessage
	err := p.items(&items)
	return len(items) == 0, err
}
