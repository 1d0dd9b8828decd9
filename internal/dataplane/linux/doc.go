// Package linux is the dataplane driver that programs the Linux kernel of
// a compute node (or of one network namespace) so that its ports reach the
// VPNs' remote sites over VXLAN, or MPLS where the kernel has it. It is
// the only package that imports netlink, and it must never remove or
// change what it did not create: its devices are named bgv-*, its routes
// and rules carry routing protocol 220.
//
// Apply is level-triggered: it reads the kernel, diffs it against the
// desired state and patches the difference, adding before deleting. It
// never flushes, so a restarted agent adopts what the previous process
// left and forwarding does not stop (Close leaves everything in place).
//
// EVPN, per EVI: bridge bgv-eb<VNI> (or the EVI's linuxbr), VXLAN device
// bgv-ex<VNI> (local VTEP, learning off), the EVI's ports enslaved to the
// bridge, FDB entries for remote MACs (type 2; a VXLAN entry toward the
// VTEP plus a static bridge entry toward the VXLAN port) and all-zero MAC
// entries for the flood list (type 3, head-end replication).
//
// IP VPN over VXLAN (always offered; the only path on kernels without MPLS
// and VRF devices, such as the ones our CI runs on):
//   - one flow-based ("external") VXLAN device bgv-l3 carries every VRF:
//     each remote route has a tunnel encap naming the VNI (the route's
//     label) and the remote VTEP, so routes to one VTEP with different
//     labels (several remote VRFs or ports) need nothing per label;
//   - VRF n has routing table table_base+n; rules "iif <port> lookup T"
//     for ports that send into the VRF (direction from-port or both) and
//     "iif bgv-l3 tun_id <VNI> lookup T" for the VRF's VNI demultiplex
//     arriving traffic;
//   - a port's own label (ports that receive: to-port or both) means what
//     an MPLS per-CE label means, "deliver to this port" whatever the
//     destination: "iif bgv-l3 tun_id <label> lookup L" with L =
//     table_base+2^24+label, a table of its own that holds only default
//     routes (0.0.0.0/0, and ::/0 when the VRF has IPv6) "via <port's
//     address> dev <port> onlink" (or "dev <port>" when the port has no
//     address of the family). So traffic leaked through a port (a bgpvpn
//     route: another VPN's prefixes advertised with the port's label) goes
//     to the port, never back out through the VRF's imported routes;
//   - T holds host routes to the local ports (to-port, both), the remote
//     prefixes "via <VTEP> dev bgv-l3 onlink encap ip id <VNI> dst <VTEP>"
//     (multipath when several next hops: ECMP), and an unreachable
//     default so that nothing leaks into the main table;
//   - no ARP crosses the tunnel: the inner destination MAC is the remote
//     bgv-l3's MAC, which every node derives from the VTEP address
//     (02:b6:<IPv4>) and installs as a permanent neighbour of bgv-l3 (the
//     VTEP address as gateway, fe80::b6:<VTEP> in IPv6 routes); that MAC
//     is Info's RouterMAC, which the agent advertises in its EVPN type 5
//     routes;
//   - a next hop with another router MAC (an EVPN type 5 route's Router's
//     MAC: FRR and other EVPN gateways accept only their own, one per L3
//     VNI) goes through a gateway of its own, fe80:b6:<VTEP>:0:<MAC>,
//     whose permanent neighbour on bgv-l3 is that MAC: one per (VTEP,
//     MAC) pair, computed from both so that a restart adopts it. IPv4
//     routes reach it "via inet6" (RTA_VIA), so the driver turns IPv6 on
//     for bgv-l3 when it has IPv6 gateways (addr_gen_mode none: no
//     address, no solicitations). A router MAC that is no unicast address
//     skips its next hop, with an error naming it;
//   - a VM reaches the VPN through its usual gateway: ports that send
//     have proxy_arp (with proxy_delay 0) and forwarding on, and T has a
//     route for the IPv4 gateway address, so the node answers ARP for the
//     gateway and for every remote address of the VRF with the port's MAC;
//   - IPv6 likewise, with neighbour discovery: a VRF has a gateway per
//     address family (GatewayIP, GatewayIPv6), and a port that sends and
//     has an IPv6 address gets proxy NDP entries ("ip -6 neigh add proxy
//     <addr> dev <port> protocol 220") for the VRF's IPv6 gateway (with
//     the router flag, so the VM's answers say it is a router) and for
//     every IPv6 host the VRF routes inside the port's subnets (remote
//     /128s, local ports that receive: what the VM believes on-link),
//     proxy_ndp on with proxy_delay 0, and IPv6 forwarding, which the
//     kernel reads node-wide: net.ipv6.conf.all.forwarding = 1 (so the
//     node's own interfaces stop accepting router advertisements unless
//     accept_ra = 2 on them). Every port of a VRF that routes IPv6 gets
//     IPv6 on (disable_ipv6 = 0), as the kernel routes no IPv6 through a
//     device without it. The entries' protocol marks them ours, so the
//     same diff adds, adopts (adopt_grace) and removes them; an entry
//     someone else made for the same address and port is left alone. A
//     port that leaves every VRF loses its entries and proxy_ndp (IPv6
//     forwarding stays on, as IPv4's does). The sysctls are written only
//     when they differ, and Apply reports the ones it cannot set (a
//     kernel without IPv6). No router advertisements are sent: a VM is
//     expected to set its IPv6 address and its default route via the
//     subnet's gateway statically (as cloud-init does from the metadata,
//     and our end-to-end lab's VMs); SLAAC, or a default route learnt
//     from RAs, would need an RA daemon on the port, which the driver
//     does not run;
//
// IP VPN over MPLS, where the kernel has it: at start the driver probes
// the namespace: /proc/sys/net/mpls/platform_labels, a throw-away VRF
// device (bgv-probe) and a throw-away label-pushing route, each removed
// again. ipvpn_encap = auto (the default) uses MPLS when all three work
// with the kernel as it is (mpls_router loaded: an operator's choice);
// mpls first loads mpls_router, mpls_iptunnel and vrf (modprobe, as
// bagpipe does) and refuses to start naming what is still missing; vxlan
// never uses MPLS. Info then offers IP VPNs MPLS first and VXLAN, EVPN
// still VXLAN only (VPNTypeEncaps, for a driver serving both types), and
// its Details say what was found and chosen. On top of the VXLAN path's tables and
// rules:
//   - VRF n gets a VRF device bgv-vrf<n> bound to its table T; the VRF's
//     label pops into it ("ip -f mpls route add <VNI> dev bgv-vrf<n>"), so
//     the packet is looked up in T;
//   - a receiving port's label pops and delivers to the port's address
//     ("ip -f mpls route add <label> via inet <port IP> dev <port>"), the
//     MPLS counterpart of the port's label table;
//   - remote IPv4 prefixes whose next hop offers MPLS push the label
//     toward the remote PE on mpls_interface (default: the device with
//     the local address): "encap mpls <label> via <PE> dev <mpls_if>",
//     several next hops as one multipath route (ECMP), MPLS and VXLAN
//     hops side by side when remote PEs differ;
//   - net.mpls.platform_labels = 2^20-1, conf.<mpls_if>.input and
//     conf.lo.input = 1.
//
// Ports are not enslaved to the VRF device, unlike bagpipe's driver: the
// policy rules of the VXLAN path already send what a port emits into T,
// and a port can belong to several VRFs (to-port in one, from-port in
// another) or to an EVPN bridge stitched to a VRF, which one master device
// cannot express. The VRF device serves only as the target of the VRF's
// label. MPLS routes carry protocol 220 like the rest, so the same
// read-diff-patch Apply, adoption and adopt_grace hold for them; a driver
// that runs over VXLAN on a kernel with MPLS removes what an MPLS run
// left. The kernels we test on have no MPLS and no VRF devices: this path
// is tested at the level of the requests it makes (a fake of the kernel
// seam) and of the dumps it parses, not with traffic.
//
// UDP ports: EVPN's per-VNI VXLAN devices use 4789 (vxlan_port), IP VPN's
// flow-based device 4790 (ipvpn_vxlan_port). The kernel lets a flow-based
// device and per-VNI devices share no UDP port (EADDRINUSE), and one
// flow-based device for both would need all EVIs in one VLAN-aware bridge
// (vlan_tunnel), which EVIs with their own bridge (linuxbr) cannot be; so
// IP VPN has its own port by default, the same on every node, and a node
// runs both VPN types out of the box. Peers that send IP VPN VXLAN to 4789
// (other implementations) need ipvpn_vxlan_port = 4789 on nodes that run
// no EVPN.
//
// Limits: IPv4 VTEPs; IPv6 prefixes are routed through link-local
// gateways fe80::b6:<VTEP>, and proxy NDP answers only for single
// addresses (the VMs of a subnet cannot reach a remote prefix inside
// that subnet, which they believe on-link, where proxy ARP would answer
// for it); rules and
// routes need rp_filter off or loose (the driver turns it off on its
// devices and ports, but net.ipv4.conf.all.rp_filter=1 wins); the "local"
// table comes before ours, so a VM can still reach the addresses of the
// node itself. MPLS: one label (no transport LSP), so remote PEs must be
// reachable on mpls_interface; IPv6 prefixes and ports without an address
// get no MPLS routes. Router MACs: IPv4 routes through IPv6 gateways need
// kernel 5.2 or later and IPv6 in the kernel (not booted with
// ipv6.disable=1; Apply then says it cannot turn IPv6 on for bgv-l3).
//
// Options (the [DATAPLANE_DRIVER_*] section): local_address, vxlan_port,
// ipvpn_vxlan_port, ipvpn_encap, mpls_interface, table_base,
// rule_priority, adopt_grace, netns.
package linux
