// Package agent is the VPN manager of bgpvpn-agent: VRFs (IP VPN, RFC 4364)
// and EVIs (EVPN, RFC 7432) keyed by vpn_instance_id, the ports attached to
// them, labels and route distinguishers, the routes they export and import
// through the BGP speaker, best paths per instance, and the desired state it
// hands to the dataplane drivers.
//
// It keeps bagpipe-bgp's attach/detach semantics, except its defects: an
// attach is validated completely before anything changes, an export RT change
// re-advertises (never withdraws) routes, and every read takes the lock.
// It must never import GoBGP (that is the speaker's job) nor netlink.
package agent
