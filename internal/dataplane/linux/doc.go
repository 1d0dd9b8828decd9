// Package linux is the dataplane driver that programs the Linux kernel of
// a compute node (or of one network namespace) so that its ports reach the
// VPNs' remote sites over VXLAN. It is the only package that imports
// netlink, and it must never remove or change what it did not create: its
// devices are named bgv-*, its routes and rules carry routing protocol 220.
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
// IP VPN, without VRF devices or MPLS (detected and reported, not used):
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
//     (02:b6:<IPv4>) and installs as a permanent neighbour of bgv-l3;
//   - a VM reaches the VPN through its usual gateway: ports that send
//     have proxy_arp (with proxy_delay 0) and forwarding on, and T has a
//     route for the gateway address, so the node answers ARP for the
//     gateway and for every remote address of the VRF with the port's MAC.
//
// Limits: IPv4 VTEPs; IPv6 prefixes are routed (through link-local
// gateways fe80::b6:<VTEP>) but get no neighbour-discovery proxy; rules and
// routes need rp_filter off or loose (the driver turns it off on its
// devices and ports, but net.ipv4.conf.all.rp_filter=1 wins); a flow-based
// device cannot share a UDP port with per-VNI ones, so a node that serves
// EVPN and IP VPN with this driver needs ipvpn_vxlan_port set to another
// port on every node; the "local" table comes before ours, so a VM can
// still reach the addresses of the node itself.
package linux
