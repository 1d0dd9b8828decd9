package source

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

var _ mirror.ObjectSource = (*Source)(nil)

// Network reads one network; mirror.ErrGone when Neutron has none (or
// none this user sees).
func (s *Source) Network(ctx context.Context, id string) (*store.Network, error) {
	var n network
	if err := s.get(ctx, "network", "networks", id, networkFields, &n); err != nil {
		return nil, err
	}
	return n.model(), nil
}

// Subnet reads one subnet.
func (s *Source) Subnet(ctx context.Context, id string) (*store.Subnet, error) {
	var o subnet
	if err := s.get(ctx, "subnet", "subnets", id, subnetFields, &o); err != nil {
		return nil, err
	}
	return o.model(), nil
}

// Port reads one port.
func (s *Source) Port(ctx context.Context, id string) (*store.Port, error) {
	var o port
	if err := s.get(ctx, "port", "ports", id, portFields, &o); err != nil {
		return nil, err
	}
	return o.model(), nil
}

// Router reads one router.
func (s *Source) Router(ctx context.Context, id string) (*store.Router, error) {
	var o router
	if err := s.get(ctx, "router", "routers", id, routerFields, &o); err != nil {
		return nil, err
	}
	return o.model(), nil
}

// DevicePorts lists the ports whose device_id is id.
func (s *Source) DevicePorts(ctx context.Context, id string) ([]*store.Port, error) {
	var ports []port
	if err := list(ctx, s, "ports", portFields, url.Values{"device_id": {id}}, &ports); err != nil {
		return nil, err
	}
	out := make([]*store.Port, len(ports))
	for i := range ports {
		out[i] = ports[i].model()
	}
	return out, nil
}

// get reads GET /v2.0/<plural>/<id>, only fields, into v.
func (s *Source) get(ctx context.Context, member, plural, id string, fields []string, v any) error {
	u := s.Client.ServiceURL(plural, url.PathEscape(id)) + "?" + url.Values{"fields": fields}.Encode()
	var body map[string]json.RawMessage
	_, err := s.Client.Get(ctx, u, &body, &gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return mirror.ErrGone
	}
	if err != nil {
		return fmt.Errorf("reading neutron's %s %s: %w", member, id, err)
	}
	raw, ok := body[member]
	if !ok {
		return fmt.Errorf("reading neutron's %s %s: no %q in the answer", member, id, member)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decoding neutron's %s %s: %w", member, id, err)
	}
	return nil
}
