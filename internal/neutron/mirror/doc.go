// Package mirror keeps, in bgpvpn-server's own store, a read-only copy of
// the part of Neutron's core model that the BGPVPN rules and the bagpipe
// driver read: networks, subnets, ports and routers, with their owners.
//
// It converges level-triggered: a full sync compares a whole snapshot of
// Neutron (a Source) with the store and writes the difference in one
// transaction, handing every change to the business rules' service as a
// driver event, exactly as a change through the API does, so that the
// hosts it touches get a new feed revision and the associations of what
// Neutron deleted go with it. Between full syncs, a notification's objects
// are read alone (Refresh) and written the same way; what cannot be
// written alone (it points at what the mirror lacks) makes a full sync,
// and the periodic full sync corrects whatever a notification missed.
// In bgpvpn-server every read is made by Run, one at a time, so that a
// full snapshot read before a targeted read is never written after it;
// Await lets a request wait for Run to read the objects it names. It never
// writes to Neutron and never decides policy. Its age (since the last
// successful read) is on its Metrics, and in the log while stale.
package mirror
