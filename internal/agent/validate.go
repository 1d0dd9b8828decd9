package agent

import "net"

func (a *Attachment) validate() error {
	if a.VPNType != IPVPN && a.VPNType != EVPN {
		return inputErr("vpn_type", "unknown vpn_type: %s", a.VPNType)
	}
	if a.VPNInstanceID == "" {
		return inputErr("vpn_instance_id", "Missing parameter: 'vpn_instance_id'")
	}
	if len(a.MAC) != 6 {
		return inputErr("mac_address", "MAC address %s is not valid", net.HardwareAddr(a.MAC))
	}
	if a.VPNType == IPVPN {
		if !a.IP.IsValid() {
			return inputErr("ip_address", "Missing parameter: 'ip_address'")
		}
		if !a.GatewayIP.IsValid() {
			return inputErr("gateway_ip", "Missing parameter: 'gateway_ip'")
		}
	}
	switch a.Direction {
	case "", Both, ToPort, FromPort:
	default:
		return inputErr("direction", "Unsupported direction: %s", a.Direction)
	}
	if a.LocalPort.LinuxIf == "" && a.LocalPort.EVPNID == "" {
		return inputErr("local_port", "Missing parameter: 'local_port'")
	}
	if a.VPNRoutes != nil && !*a.VPNRoutes && (a.VPNType != IPVPN || a.EVPNType5 == nil || !*a.EVPNType5) {
		return inputErr("vpn_routes", "VPN routes can be turned off only for an ipvpn instance that advertises EVPN type 5 routes")
	}
	if a.VPNType != IPVPN && len(a.AggregateRTs) > 0 {
		return inputErr("aggregate_rt", "subnet aggregates are advertised by ipvpn instances only")
	}
	if a.VPNType == EVPN && a.EVPNType5 != nil && *a.EVPNType5 {
		return inputErr("advertise_evpn_type5", "EVPN type 5 routes are advertised by ipvpn instances only")
	}
	if a.VNI > 1<<24-1 {
		return inputErr("vni", "vni %d is over 16777215", a.VNI)
	}
	return nil
}

func (d *Detachment) validate() error {
	if d.VPNType != IPVPN && d.VPNType != EVPN {
		return inputErr("vpn_type", "unknown vpn_type: %s", d.VPNType)
	}
	if d.VPNInstanceID == "" {
		return inputErr("vpn_instance_id", "Missing parameter: 'vpn_instance_id'")
	}
	if len(d.MAC) != 6 {
		return inputErr("mac_address", "MAC address %s is not valid", net.HardwareAddr(d.MAC))
	}
	if d.VPNType == IPVPN && !d.IP.IsValid() {
		return inputErr("ip_address", "Missing parameter: 'ip_address'")
	}
	return nil
}
