package hub

import (
	"fmt"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// readCache shares, between the streams that compute their hosts' states
// at one feed revision, the reads those computations repeat: a change that
// touches the 1,000 hosts of a network makes 1,000 streams read the same
// network, subnets, router interfaces and associations.
//
// Sharing is right because of the feed's own rule: a change to anything
// that a host's state is computed from touches that host, hence bumps the
// feed revision. Two snapshots at one revision agree on every read that
// some host's computation makes (a change that bumps nothing touches no
// host, so no computation reads it). The same rule lets a resumed stream
// skip its snapshot altogether.
//
// What it hands out is shared: the computation must not modify it.
type readCache struct {
	mu      sync.Mutex
	at      store.FeedRevision
	entries map[string]*readEntry
}

// readEntry is one read, done once by whoever asked first.
type readEntry struct {
	done chan struct{}
	val  any
	err  error
}

// wrap returns tx reading through the cache, tx itself if tx's snapshot
// is older than what the cache holds (a stream that began its read before
// a later commit).
func (c *readCache) wrap(tx store.Tx, at store.FeedRevision) store.Tx {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at != c.at {
		if at.Epoch == c.at.Epoch && at.Revision < c.at.Revision {
			return tx
		}
		c.at, c.entries = at, map[string]*readEntry{}
	}
	return &cachedTx{Tx: tx, c: c, entries: c.entries}
}

// cachedTx is a read transaction that shares its reads through a cache.
type cachedTx struct {
	store.Tx
	c       *readCache
	entries map[string]*readEntry
}

// cached returns what read returns, read once per key and revision. A
// failed read is not shared: each asker then reads for itself (the error
// may be its own, its request cancelled).
func cached[T any](t *cachedTx, key string, read func() (T, error)) (T, error) {
	t.c.mu.Lock()
	e, ok := t.entries[key]
	if !ok {
		e = &readEntry{done: make(chan struct{})}
		t.entries[key] = e
	}
	t.c.mu.Unlock()
	if !ok {
		v, err := read()
		e.val, e.err = v, err
		close(e.done)
		if err != nil {
			t.c.mu.Lock()
			delete(t.entries, key)
			t.c.mu.Unlock()
		}
		return v, err
	}
	<-e.done
	if e.err != nil {
		return read()
	}
	return e.val.(T), nil
}

func queryKey(method string, q store.Query) string { return fmt.Sprintf("%s %v", method, q) }

func (t *cachedTx) GetNetwork(id string) (*store.Network, error) {
	return cached(t, "GetNetwork "+id, func() (*store.Network, error) { return t.Tx.GetNetwork(id) })
}

func (t *cachedTx) GetBGPVPN(id string) (*store.BGPVPN, error) {
	return cached(t, "GetBGPVPN "+id, func() (*store.BGPVPN, error) { return t.Tx.GetBGPVPN(id) })
}

func (t *cachedTx) GetRouter(id string) (*store.Router, error) {
	return cached(t, "GetRouter "+id, func() (*store.Router, error) { return t.Tx.GetRouter(id) })
}

func (t *cachedTx) ListSubnets(q store.Query) ([]*store.Subnet, error) {
	return cached(t, queryKey("ListSubnets", q), func() ([]*store.Subnet, error) { return t.Tx.ListSubnets(q) })
}

func (t *cachedTx) ListPorts(q store.Query) ([]*store.Port, error) {
	return cached(t, queryKey("ListPorts", q), func() ([]*store.Port, error) { return t.Tx.ListPorts(q) })
}

func (t *cachedTx) ListNetworkAssociations(q store.Query) ([]*store.NetworkAssociation, error) {
	return cached(t, queryKey("ListNetworkAssociations", q), func() ([]*store.NetworkAssociation, error) { return t.Tx.ListNetworkAssociations(q) })
}

func (t *cachedTx) ListRouterAssociations(q store.Query) ([]*store.RouterAssociation, error) {
	return cached(t, queryKey("ListRouterAssociations", q), func() ([]*store.RouterAssociation, error) { return t.Tx.ListRouterAssociations(q) })
}

func (t *cachedTx) ListPortAssociations(q store.Query) ([]*store.PortAssociation, error) {
	return cached(t, queryKey("ListPortAssociations", q), func() ([]*store.PortAssociation, error) { return t.Tx.ListPortAssociations(q) })
}

func (t *cachedTx) ListRouterPorts(routers, networks []string) ([]store.RouterPort, error) {
	return cached(t, fmt.Sprintf("ListRouterPorts %q %q", routers, networks), func() ([]store.RouterPort, error) {
		return t.Tx.ListRouterPorts(routers, networks)
	})
}
