package ovs

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"

	of "antrea.io/libOpenflow/openflow15"
	"antrea.io/libOpenflow/util"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// portController is OFPP_CONTROLLER, the in_port of what we send.
const portController = 0xfffffffd

// mplsEthernetPEs are the next hops of the state's MPLS routes: with MPLS
// over Ethernet, the PEs whose MAC addresses ARP must give.
func mplsEthernetPEs(s dataplane.State) []netip.Addr {
	var out []netip.Addr
	for _, v := range s.VRFs {
		for _, r := range v.Routes {
			for _, nh := range r.NextHops {
				if !nh.Local && nh.Address.Is4() && (nh.Encap == encapMPLS || nh.Encap == 0) && !slices.Contains(out, nh.Address) {
					out = append(out, nh.Address)
				}
			}
		}
	}
	return out
}

// arpRequest is the Ethernet frame asking who has target, from src (IP
// and MAC), to everyone.
func arpRequest(mac net.HardwareAddr, src, target netip.Addr) []byte {
	b := make([]byte, 42)
	copy(b[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(b[6:12], mac)
	binary.BigEndian.PutUint16(b[12:], ethARP)
	binary.BigEndian.PutUint16(b[14:], 1)       // Ethernet
	binary.BigEndian.PutUint16(b[16:], ethIPv4) // IPv4
	b[18], b[19] = 6, 4
	binary.BigEndian.PutUint16(b[20:], 1) // request
	copy(b[22:28], mac)
	s4, t4 := src.As4(), target.As4()
	copy(b[28:32], s4[:])
	copy(b[38:42], t4[:])
	return b
}

// packetOut sends frame out of port (no answer is awaited).
func (oc *ofConn) packetOut(port uint32, frame []byte) error {
	p := of.NewPacketOut()
	p.Match.AddField(*of.NewInPortField(portController))
	p.AddAction(of.NewActionOutput(port))
	p.Data = util.NewBuffer(frame)
	_, err := oc.send(p)
	return err
}

// askPEs sends an ARP request for every PE of the last state out of
// mpls_interface (MPLS over Ethernet): the answers teach the PE MAC
// table (learnPEMAC) where to send. The caller holds d.mu.
func (d *Driver) askPEs() {
	if !d.o.MPLSOverEthernet || d.mplsEth == 0 || d.of == nil {
		return
	}
	mac, err := net.ParseMAC(d.mplsEthMAC)
	if err != nil {
		return
	}
	for _, pe := range mplsEthernetPEs(d.state) {
		if err := d.of.packetOut(d.mplsEth, arpRequest(mac, d.o.LocalAddress, pe)); err != nil {
			d.log.Warn("ARP request toward a PE", "pe", pe, "error", err)
			return
		}
	}
}
