// Package speaker is the agent's BGP speaker: GoBGP v4 embedded as a library,
// behind a narrow API in our own types (net/netip, RT, RD, Route).
//
// It is the only package of the module that imports GoBGP; no GoBGP type may
// appear in its exported API. It knows BGP (sessions, families, paths, best
// path per NLRI) but nothing of VPN instances, ports or dataplanes: the agent
// decides which routes to originate and what received routes mean.
package speaker
