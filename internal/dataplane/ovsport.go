package dataplane

// OVSPort is where a port is on an Open vSwitch bridge that someone else
// plugged it into (bagpipe's local_port.ovs, sent by the networking-bagpipe
// agent extension): the ovs driver then uses these OpenFlow ports and
// VLAN instead of plugging LinuxIf itself. Other drivers ignore it.
type OVSPort struct {
	// Plugged: the port is on the driver's bridge already.
	Plugged bool `json:"plugged"`
	// PortNumber is the OpenFlow port the VM's traffic arrives on,
	// ToVMPortNumber the one toward the VM when it differs (0: the same).
	PortNumber     uint32 `json:"port_number,omitempty"`
	ToVMPortNumber uint32 `json:"to_vm_port_number,omitempty"`
	// VLAN tags the VM's traffic on those ports (0: untagged).
	VLAN uint16 `json:"vlan,omitempty"`
}

// Fallback is where a VRF sends what matches none of its routes, instead
// of dropping it (bagpipe's fallback, sent by the networking-bagpipe agent
// extension: toward the Neutron router, through br-int): with SrcMAC as
// source and DstMAC (the router's) as destination, out of OpenFlow port
// PortNumber, tagged with VLAN when it is not 0. Drivers without
// OpenFlow ports ignore it. A Fallback without PortNumber or a MAC is no
// fallback (what no route matches is dropped).
type Fallback struct {
	SrcMAC     MAC    `json:"src_mac"`
	DstMAC     MAC    `json:"dst_mac"`
	PortNumber uint32 `json:"ovs_port_number"`
	// VLAN is set by the ovs driver's integration_bridge mode (the
	// router is reached through br-int on the network's local VLAN);
	// bagpipe's fallback has none.
	VLAN uint16 `json:"vlan,omitempty"`
}
