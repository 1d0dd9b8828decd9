package linux

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// A VM caches the MAC that answered for its gateway: the port's own (proxy
// ARP on the port) or, while the port sits in an EVI's bridge plugged into
// the VRF, the bridge's. When a port starts sending into a VRF by itself
// again (its l2 BGPVPN went), frames to the bridge's MAC reach a port that
// drops them until the VM's ARP entry expires, which takes up to a minute.
// So a port that gets its rule into a VRF is told, by a gratuitous ARP, that
// the gateway is at its MAC; a VM without an entry for the gateway ignores
// it (arp_accept is off by default). Not sent on a bridge: it would reach
// the VMs of other nodes over the EVI and draw their traffic here. IPv4 only
// (IPv6 would need an unsolicited neighbour advertisement).

// announce is a gratuitous ARP to send: gateway gw is at port's MAC.
type announce struct {
	port string
	gw   netip.Addr
}

// garpFrame is an Ethernet broadcast ARP request whose sender and target
// are ip, from mac (RFC 5227's announcement).
func garpFrame(mac net.HardwareAddr, ip netip.Addr) []byte {
	f := make([]byte, 42)
	copy(f[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(f[6:12], mac)
	binary.BigEndian.PutUint16(f[12:], unix.ETH_P_ARP)
	binary.BigEndian.PutUint16(f[14:], 1)             // Ethernet
	binary.BigEndian.PutUint16(f[16:], unix.ETH_P_IP) // IPv4
	f[18], f[19] = 6, 4
	binary.BigEndian.PutUint16(f[20:], 1) // request
	a := ip.As4()
	copy(f[22:28], mac)
	copy(f[28:32], a[:])
	copy(f[38:42], a[:])
	return f
}

// sendGARP sends the announcement out of the interface with index ifindex,
// in the driver's namespace.
func (d *Driver) sendGARP(ifindex int, mac net.HardwareAddr, ip netip.Addr) error {
	if !ip.Is4() || len(mac) != 6 {
		return nil
	}
	return d.inNetNS(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("gratuitous ARP: opening a packet socket: %w", err)
		}
		defer unix.Close(fd)
		to := &unix.SockaddrLinklayer{Ifindex: ifindex, Protocol: htons(unix.ETH_P_ARP), Halen: 6, Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
		if err := unix.Sendto(fd, garpFrame(mac, ip), 0, to); err != nil {
			return fmt.Errorf("gratuitous ARP for %s: %w", ip, err)
		}
		return nil
	})
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
