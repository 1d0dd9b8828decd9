# The tenant's configuration for scripts/it/terraform.sh: user demo, member
# of project demo, creates a network and associates it with the BGPVPN the
# admin made for project demo (the tenant never sees its route targets).
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
variable "bgpvpn_id" { type = string }

provider "openstack" {
  auth_url            = var.auth_url
  user_name           = var.user_name
  password            = var.password
  tenant_name         = var.project_name
  user_domain_name    = "Default"
  project_domain_name = "Default"
  region              = "RegionOne"
}

resource "openstack_networking_network_v2" "net" {
  name = "${var.prefix}-demo-net"
}

resource "openstack_networking_subnet_v2" "subnet" {
  name        = "${var.prefix}-demo-subnet"
  network_id  = openstack_networking_network_v2.net.id
  cidr        = "10.63.0.0/24"
  enable_dhcp = false
}

resource "openstack_bgpvpn_network_associate_v2" "net" {
  bgpvpn_id  = var.bgpvpn_id
  network_id = openstack_networking_network_v2.net.id
}

output "ids" {
  value = {
    net       = openstack_networking_network_v2.net.id
    net_assoc = split("/", openstack_bgpvpn_network_associate_v2.net.id)[1]
  }
}
