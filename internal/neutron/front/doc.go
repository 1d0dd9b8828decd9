// Package front is bgpvpn-server's HTTP front in Neutron mode: one
// endpoint for every client. It serves /v2.0/bgpvpn/... itself, answers the
// extensions list with Neutron's merged with the BGPVPN extensions, checks
// the rules the original enforced through Neutron callbacks on the
// requests they concern, has the object an association create names
// resolved (read into the mirror) before our API looks it up, and passes
// every other request to Neutron unchanged (streamed; status, headers and
// body preserved; the caller's token passed through).
//
// It never reads or changes a request it proxies beyond what those checks
// need, and never answers for Neutron: when Neutron fails, the client sees
// Neutron's answer, or a 503 when Neutron cannot be reached.
package front
