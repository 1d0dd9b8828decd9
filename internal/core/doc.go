// Package core owns the core network model that BGPVPN associations point
// at: networks, subnets, ports, routers and router interfaces. It performs
// every write of that model and emits the driver event of each write, so
// that the HTTP layer never builds a driver event (internal/api imports no
// driver) and the mirror of Neutron and the API feed the same path.
//
// The model has two implementations of one interface, the one its
// consumer, internal/api, declares (api.CoreModel):
//
//   - Standalone, the default: our own store tables. It applies the model's
//     rules (IPAM, subnet and route checks, what may be deleted) through
//     internal/network, writes in the caller's transaction and hands each
//     change to the BGPVPN service (internal/bgpvpn), whose driver
//     precommit runs in that transaction and postcommit after it.
//   - Mirrored, in Neutron mode: the same tables, filled by
//     internal/neutron/mirror from Neutron (which emits its events through
//     the same BGPVPN service). For API callers it is read-only: Neutron
//     owns the model, the front proxies its writes to Neutron, and a write
//     that reaches the API anyway (the dashboard mounts the API directly)
//     is refused, never applied to the mirror.
//
// Both read the store's tables (the API serves its reads through the same
// interface); the association rules, the feed and the drivers read
// store.Tx directly and never know which mode runs.
//
// The request context is a parameter, never a struct field: every method
// takes the request's context.Context first and the *bgpvpn.Call (caller,
// request id, the events to deliver after the commit) next. The package
// never checks policy, never resolves ids with a caller's visibility
// (internal/api does both before it calls) and never renders responses.
package core
