# The admin's configuration for scripts/it/terraform.sh: Neutron's core
# resources and every BGPVPN resource of the OpenStack provider, through
# the catalog's network endpoint (bgpvpn-server fronting Neutron).
terraform {
  required_providers {
    openstack = {
      source = "terraform-provider-openstack/openstack"
    }
  }
}

variable "auth_url" { type = string }
variable "user_name" { type = string }
variable "password" {
  type      = string
  sensitive = true
}
variable "project_name" { type = string }
variable "prefix" { type = string }
variable "route_targets" { type = list(string) }
variable "demo_project_id" { type = string }

provider "openstack" {
  auth_url            = var.auth_url
  user_name           = var.user_name
  password            = var.password
  tenant_name         = var.project_name
  user_domain_name    = "Default"
  project_domain_name = "Default"
  region              = "RegionOne"
  endpoint_type       = "public"
}

resource "openstack_networking_network_v2" "net" {
  name = "${var.prefix}-net"
}

resource "openstack_networking_subnet_v2" "subnet" {
  name        = "${var.prefix}-subnet"
  network_id  = openstack_networking_network_v2.net.id
  cidr        = "10.61.0.0/24"
  enable_dhcp = false
}

resource "openstack_networking_router_v2" "router" {
  name = "${var.prefix}-router"
}

resource "openstack_networking_network_v2" "rnet" {
  name = "${var.prefix}-rnet"
}

resource "openstack_networking_subnet_v2" "rsubnet" {
  name        = "${var.prefix}-rsubnet"
  network_id  = openstack_networking_network_v2.rnet.id
  cidr        = "10.62.0.0/24"
  enable_dhcp = false
}

resource "openstack_networking_router_interface_v2" "rif" {
  router_id = openstack_networking_router_v2.router.id
  subnet_id = openstack_networking_subnet_v2.rsubnet.id
}

resource "openstack_networking_port_v2" "port" {
  name       = "${var.prefix}-port"
  network_id = openstack_networking_network_v2.net.id
  fixed_ip {
    subnet_id  = openstack_networking_subnet_v2.subnet.id
    ip_address = "10.61.0.10"
  }
}

resource "openstack_bgpvpn_v2" "vpn" {
  name          = "${var.prefix}-vpn"
  route_targets = var.route_targets
  import_targets = ["64512:901"]
  export_targets = ["64512:902"]
  local_pref    = 150
}

resource "openstack_bgpvpn_network_associate_v2" "net" {
  bgpvpn_id  = openstack_bgpvpn_v2.vpn.id
  network_id = openstack_networking_network_v2.net.id
}

resource "openstack_bgpvpn_router_associate_v2" "router" {
  bgpvpn_id              = openstack_bgpvpn_v2.vpn.id
  router_id              = openstack_networking_router_v2.router.id
  advertise_extra_routes = false
  # The router's interface first: the original refuses an interface
  # between a router and a network both in L3 BGPVPNs only when it is
  # added, not when the association comes after.
  depends_on = [openstack_networking_router_interface_v2.rif]
}

resource "openstack_bgpvpn_port_associate_v2" "port" {
  bgpvpn_id           = openstack_bgpvpn_v2.vpn.id
  port_id             = openstack_networking_port_v2.port.id
  advertise_fixed_ips = true
  routes {
    type       = "prefix"
    prefix     = "192.168.61.0/24"
    local_pref = 200
  }
  routes {
    type   = "prefix"
    prefix = "2001:db8:61::/64"
  }
  # No route of type "bgpvpn": provider v3.4.0 accepts only "prefix" and
  # "bgpvpn_id" there (its documentation says "bgpvpn") and sends the type
  # as written, which the API (the original's too) refuses.
}

# Made by the admin for project demo, whose own configuration associates
# its network with it (the tenant flow).
resource "openstack_bgpvpn_v2" "for_demo" {
  name          = "${var.prefix}-for-demo"
  route_targets = ["64512:960"]
  project_id    = var.demo_project_id
}

output "ids" {
  value = {
    net        = openstack_networking_network_v2.net.id
    subnet     = openstack_networking_subnet_v2.subnet.id
    rnet       = openstack_networking_network_v2.rnet.id
    rsubnet    = openstack_networking_subnet_v2.rsubnet.id
    router     = openstack_networking_router_v2.router.id
    rif        = openstack_networking_router_interface_v2.rif.port_id
    port       = openstack_networking_port_v2.port.id
    vpn        = openstack_bgpvpn_v2.vpn.id
    for_demo   = openstack_bgpvpn_v2.for_demo.id
    # The provider's association ids are "<bgpvpn_id>/<association_id>".
    net_assoc  = split("/", openstack_bgpvpn_network_associate_v2.net.id)[1]
    rtr_assoc  = split("/", openstack_bgpvpn_router_associate_v2.router.id)[1]
    port_assoc = split("/", openstack_bgpvpn_port_associate_v2.port.id)[1]
  }
}
