// Package api is bgpvpn-agent's REST API, compatible with bagpipe-bgp's:
// POST /attach_localport and /detach_localport, GET /ping, and the read-only
// /looking-glass/ tree, with JSON errors.
//
// It parses request bodies into agent.Attachment values at the edge and
// must never answer 500 for a malformed value: bad input is a 400 that names
// the field.
package api
