// Package interop holds bgpvpn-agent's interoperability tests against real
// BGP implementations (gobgpd as route reflector, FRR bgpd). They run only
// when BGPVPN_IT_GOBGPD or BGPVPN_IT_FRR is set, as scripts/it/agent-*.sh do
// after installing the daemons; they start every process themselves and
// kill it at the end.
package interop
