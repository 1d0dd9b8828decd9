package linux

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// An EVI plugged into a VRF (a port in both an l2 and an l3 BGPVPN, VRF
// ports with EVI set): the port is in the EVI's bridge, where the VRF
// cannot see its traffic, so the bridge is the VRF's port instead. The
// bridge sends into the VRF (rule iif <bridge>), and the VRF reaches the
// ports through it (host routes and the ports' label tables "dev
// <bridge>"). Without a device of our own in between, as bagpipe's veth
// pair would be: the bridge device is one already.
//
// Within the ports' subnet the EVI, not the VRF, carries the traffic: the
// VRF routes the subnet to the bridge and ignores the remote routes inside
// it (the other ports of the network, which the EVI reaches at layer 2).
// So proxy ARP on the bridge answers for the gateway and the VPN's other
// subnets only, and two VMs of the network keep talking over the EVI
// whatever happens to the l3 BGPVPN.

// stitchEVIs returns s with the VRF ports plugged through an EVI turned
// into that EVI's bridge (a copy: s is the caller's). A port whose EVI is
// not in s is left to planL3, which finds no device of that name, and is
// reported.
func stitchEVIs(s dataplane.State) (dataplane.State, []error) {
	bridges := map[string]string{}
	for _, e := range s.EVIs {
		if e.Bridge != "" {
			bridges[e.ID] = e.Bridge
		} else {
			bridges[e.ID] = eviBridgeName(e.VNI)
		}
	}
	var errs []error
	out := s
	out.VRFs = slices.Clone(s.VRFs)
	for i := range out.VRFs {
		v := &out.VRFs[i]
		v.Ports = slices.Clone(v.Ports)
		for j := range v.Ports {
			p := &v.Ports[j]
			if p.EVI == "" {
				continue
			}
			br, ok := bridges[p.EVI]
			if !ok {
				errs = append(errs, &dataplane.InstanceError{Instance: v.ID, Err: fmt.Errorf("VRF %s: port %s goes through EVI %s, which this driver does not serve", v.ID, p.MAC, p.EVI)})
				continue
			}
			p.LinuxIf = br
		}
	}
	return out, errs
}

// stitchedSubnet is a subnet of a VRF's ports plugged through an EVI,
// with the bridge that reaches it.
type stitchedSubnet struct {
	prefix netip.Prefix
	bridge string
}

// stitchedSubnets are the subnets of the addresses (not of the route
// prefixes) of the VRF's ports plugged through an EVI.
func stitchedSubnets(v dataplane.VRF) []stitchedSubnet {
	var out []stitchedSubnet
	for _, p := range v.Ports {
		if p.EVI == "" {
			continue
		}
		for _, ip := range p.IPs {
			if !hostOrPrefix(ip).IsSingleIP() || ip.Bits() == ip.Addr().BitLen() {
				continue
			}
			if !slices.ContainsFunc(out, func(s stitchedSubnet) bool { return s.prefix == ip.Masked() }) {
				out = append(out, stitchedSubnet{ip.Masked(), p.LinuxIf})
			}
		}
	}
	return out
}

// inSubnets reports whether prefix lies within one of subnets.
func inSubnets(prefix netip.Prefix, subnets []stitchedSubnet) bool {
	for _, s := range subnets {
		if s.prefix.Bits() <= prefix.Bits() && s.prefix.Contains(prefix.Addr()) {
			return true
		}
	}
	return false
}
