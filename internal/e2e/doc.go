// Package e2e proves the whole product with real packets: bgpvpn-server
// with the bagpipe driver, a route reflector, two compute nodes running
// bgpvpn-agent on the agent feed with the linux dataplane, and "VMs" as
// network namespaces behind tap interfaces, driven through the REST API
// as a tenant and an admin would, as the upstream tempest scenarios do.
// The operator's side is an FRR PE (control plane only: this kernel has
// no VRF devices nor MPLS routing) and a site gateway, a third
// bgpvpn-agent driven only through its bagpipe REST API, whose VRFs hold
// what a PE VRF would and forward the pings of sites behind it.
//
// Its tests need root and are gated by BGPVPN_E2E=1
// (scripts/it/e2e-bagpipe.sh). They create namespaces named bve-* and a
// veth bve-root in the root namespace, and remove them. Nothing here is
// imported by the product.
package e2e
