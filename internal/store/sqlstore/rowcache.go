package sqlstore

import (
	"slices"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// rowCache keeps decoded BGPVPN rows by id, valid for one revision_number.
// Every write of a row bumps its revision, so (id, revision) names one
// content for good, and a list can read only ids and revisions and take the
// rest from here. Only read-only transactions fill it: a write transaction
// may still roll back the revision it read.
type rowCache struct {
	mu sync.RWMutex
	m  map[string]*store.BGPVPN
}

func newRowCache() *rowCache { return &rowCache{m: map[string]*store.BGPVPN{}} }

// get returns a copy of the cached row if it is at revision rev.
func (c *rowCache) get(id string, rev int64) (*store.BGPVPN, bool) {
	c.mu.RLock()
	v, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || v.Revision != rev {
		return nil, false
	}
	out := *v
	out.RouteTargets = slices.Clone(v.RouteTargets)
	out.ImportTargets = slices.Clone(v.ImportTargets)
	out.ExportTargets = slices.Clone(v.ExportTargets)
	out.RouteDistinguishers = slices.Clone(v.RouteDistinguishers)
	out.Networks, out.Routers, out.Ports, out.SharedWith = []string{}, []string{}, []string{}, []string{}
	return &out, true
}

// put stores rows read by a read-only transaction. With all set, rows is
// the whole table and entries of rows that are gone are dropped.
func (c *rowCache) put(rows []*store.BGPVPN, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if all {
		clear(c.m)
	}
	for _, v := range rows {
		cp := *v
		cp.Networks, cp.Routers, cp.Ports, cp.SharedWith = nil, nil, nil, nil
		c.m[v.ID] = &cp
	}
}

func (c *rowCache) drop(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
