// Package ovs is the dataplane driver that forwards VPN traffic with Open
// vSwitch, as bagpipe-bgp's ovs drivers do: IP VPNs as OpenFlow tables of
// one bridge (br-mpls by default), with MPLS over GRE (RFC 4023) or VXLAN
// toward remote PEs, and EVPNs as VXLAN tunnels and MAC tables on the same
// bridge. It is the only package that talks to Open vSwitch: OVSDB through
// github.com/ovn-org/libovsdb (bridge, tunnel and VM ports), OpenFlow 1.5
// through antrea.io/libOpenflow (flows and select groups), over the
// bridge's management socket; it never parses ovs-vsctl or ovs-ofctl
// output.
//
// It must never remove or change what it did not create: every flow it
// installs carries a cookie whose top 16 bits are ours (cookiePrefix) and
// whose other 48 bits are a hash of the flow itself, every group an ID in
// our range; ports it plugs into the bridge carry
// external_ids:bgpvpn-owner. Apply is level-triggered: it reads the
// cookies and groups of ours that the bridge has, adds what is missing
// (an add replaces a flow with the same match in place, so a changed
// flow never disappears) and then removes what is no longer wanted. A
// restarted agent thus adopts what the previous process left, without a
// gap. A watcher (recover.go) restores the last state, without an agent
// restart, when the bridge loses our flows or their meaning: the OpenFlow
// session ends (ovs-vswitchd restarted: its flows are gone) or stops
// answering echo requests, the bridge is deleted (re-created), or an
// OpenFlow port the flows use is renumbered in OVSDB; the OVSDB client
// reconnects by itself when ovsdb-server restarts. The gap after an
// ovs-vswitchd restart is the old switch's exit and the new one's start
// (about 1 s of lost traffic in the lab); our part, from the new
// switch's management socket to our flows, is about 0.1 s.
//
// The pipeline (tables input_table, ovs_table_id_start and the two after):
//   - input: a VM port's ARP requests are answered with the router MAC
//     (proxy ARP, except for the port's own address); its IP traffic goes
//     to the VRF table with the VRF in the metadata. MPLS from the GRE
//     port is popped: a VRF's label continues in the VRF table, a port's
//     label goes straight to the port. VXLAN from the IP VPN tunnel port
//     is demultiplexed on the VNI the same way. EVPN ports and the EVPN
//     VXLAN port (by VNI) go to the MAC table with the EVI in the metadata;
//   - VRF table: one flow per prefix (longest first through priorities):
//     local ports get the packet with our router MAC as source and the
//     VM's MAC as destination; remote prefixes push the label and leave
//     by the GRE port toward the PE (MPLS), or by the VXLAN port with the
//     label as VNI and the remote router MAC (VXLAN), several next hops
//     through a select group (ECMP). The rest goes to the VRF's fallback,
//     toward the Neutron router (source and destination MACs set, out of
//     an OpenFlow port, tagged when it has a VLAN), or is dropped;
//   - MAC table: a known MAC goes to its port or VTEP; broadcast and
//     unknown traffic is flooded to the EVI's ports and, when it comes
//     from a port, to the VTEPs of the flood list (head-end replication).
//
// The router MAC is 02:b6 followed by the local IPv4 address, as the
// linux driver derives it, so nodes of both drivers reach each other over
// VXLAN. IP VPN VXLAN uses UDP 4790 and EVPN 4789 by default, as the linux
// driver does.
//
// Options (the [DATAPLANE_DRIVER_*] section, bagpipe's names where they
// exist): local_address, ovs_bridge, ovs_datapath_type, ovs_rundir,
// ovsdb_connection, mpls_interface, mpls_over_gre, gre_tunnel,
// vxlan_encap, proxy_arp, arp_responder, input_table, ovs_table_id_start,
// hash_method, vxlan_port, ipvpn_vxlan_port, adopt_grace (as the linux
// driver: for that long after start nothing is removed, so that a
// restarting agent does not cut forwarding before it has relearned its
// state).
//
// With vxlan_encap, VXLAN comes first in Info's encapsulations, so that,
// as in bagpipe, traffic to a PE that advertises VXLAN goes as VXLAN.
//
// MPLS over Ethernet (mpls_over_gre = false, or auto with an
// mpls_interface that is not "*gre*", as bagpipe): the interface is a port
// of the bridge; MPLS leaves through it with the PE's MAC address, which a
// third table (ovs_table_id_start+2) learns from ARP on that interface
// (an OVS learn action: cookie 0, never removed by Apply, replaced in
// place by a newer answer); the driver asks every PE of the state once a
// second (OpenFlow packet-out) and the bridge answers ARP for the local
// address there.
//
// Integration bridge (integration_bridge, brint.go; our feed on a node
// whose VM ports neutron-openvswitch-agent owns on br-int): the driver
// does the bagpipe_bgpvpn extension's plumbing. It finds each VRF port on
// br-int in OVSDB (OpenFlow port, the agent's local VLAN), joins br-int
// and the bridge with two patch pairs, adds on br-int (table 0, its own
// cookies only, kept while the OVS agent restarts) the flows that send a
// VM's traffic to the router MAC into the VRF and answer its ARP for the
// gateway, and completes the fallback the feed asks for (the router MAC
// alone) as the extension would: source 00:00:5e:2a:10:00, out of the
// patch port toward br-int on the ports' local VLAN, where br-int's
// NORMAL switching delivers it to the router's port. A fallback that
// names its port (the extension's own, in drop-in mode) is used as it is.
//
// Limits: IPv4 VTEPs and IPv4 prefixes (IPv6 routes are reported and
// skipped); one bridge serves both VPN types when both sections name this
// driver (the IP VPN section's options win).
package ovs
