package e2e

import "testing"

// Tempest's variants 2 to 6: routers plugged into the networks before or
// after the associations and the VMs, and a router deleted. A router
// interface is a port of the network (device_owner
// network:router_interface) that owns the subnet's gateway IP: it gets no
// attachment, it only gives the subnet a gateway MAC, and neither its
// arrival nor its departure may disturb the network associations.
// Tempest also plugs a router into A in each of them, for the floating IP
// it reaches VM1 through; so do we.

// variantLab is one variant's networks, BGPVPN and VMs; each variant calls
// its steps in its own order.
type variantLab struct {
	t        *testing.T
	tn       *tenant
	a, b     network
	vpn      string
	vm1, vm2 *vm
	assocs   []string
}

func newVariant(t *testing.T, base string) *variantLab {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, base)
	return &variantLab{t: t, tn: tn, a: a, b: b, vpn: tn.bgpvpn(obj{"route_targets": []string{newRT()}})}
}

func (v *variantLab) servers() { v.vm1, v.vm2 = v.tn.vm(v.a, h1), v.tn.vm(v.b, h2) }

func (v *variantLab) associate() {
	v.assocs = append(v.assocs, v.tn.netAssoc(v.vpn, v.a), v.tn.netAssoc(v.vpn, v.b))
}

// check: both associations realised, VMs reach each other (from is the
// VM tempest pings from), and compute-1 learnt VM2's route from compute-2.
func (v *variantLab) check(from, to *vm) {
	v.t.Helper()
	for _, id := range v.assocs {
		v.tn.active(v.vpn, "network", id)
	}
	reaches(v.t, from, to.ip)
	hasRoute(v.t, h1, "ipvpn_"+v.a.id, host32(v.vm2.ip), h2.addr)
}

// Variant 2: VMs, a router on B, then the associations. B's router is
// served on compute-2, as an L3 agent there would: its interface port,
// bound to compute-2 like VM2's, joins no VPN instance (it owns B's
// gateway address, which no node advertises).
func TestVariant2RouterBeforeAssociations(t *testing.T) {
	v := newVariant(t, "10.113")
	v.servers()
	v.tn.bindRouter(v.tn.router(v.b), h2)
	v.associate()
	v.tn.router(v.a)
	v.check(v.vm1, v.vm2)
	var ports map[string]any
	if !lgGet(h2, "/vpns/instances/ipvpn_"+v.b.id+"/ports", &ports) || len(ports) != 1 || ports[v.vm2.tap] == nil {
		t.Errorf("ports of B's instance on compute-2 = %v, want %s (VM2's) alone", ports, v.vm2.tap)
	}
	gw := v.tn.do(false, "GET", "/subnets/"+v.b.subnet, nil)["subnet"].(obj)["gateway_ip"].(string)
	if rs := best(h1, "ipvpn_"+v.a.id)[gw+"/32"]; len(rs) > 0 {
		t.Errorf("compute-1 has a route to B's gateway %s: %+v", gw, rs)
	}
}

// Variant 3: as 2, then B's router deleted: the associations stay realised
// and VM1 still reaches VM2.
func TestVariant3RouterDeleted(t *testing.T) {
	v := newVariant(t, "10.114")
	v.servers()
	rb := v.tn.router(v.b)
	v.associate()
	v.check(v.vm1, v.vm2)
	v.tn.deleteRouter(rb, v.b)
	v.tn.router(v.a)
	v.check(v.vm1, v.vm2)
	for range settle {
		if !v.vm1.pings(v.vm2.ip) {
			t.Fatalf("VM1 lost a ping to VM2 after B's router was deleted")
		}
	}
}

// Variant 4: VMs, associations, then routers on B and on A.
func TestVariant4RoutersAfterAssociations(t *testing.T) {
	v := newVariant(t, "10.115")
	v.servers()
	v.associate()
	v.tn.router(v.b)
	v.tn.router(v.a)
	v.check(v.vm2, v.vm1)
}

// Variant 5: a router on B, associations, then VMs, then a router on A.
func TestVariant5RouterBeforeEverything(t *testing.T) {
	v := newVariant(t, "10.116")
	v.tn.router(v.b)
	v.associate()
	v.servers()
	v.tn.router(v.a)
	v.check(v.vm2, v.vm1)
}

// Variant 6: associations, a router on B, then VMs, then a router on A.
func TestVariant6RouterBetween(t *testing.T) {
	v := newVariant(t, "10.117")
	v.associate()
	v.tn.router(v.b)
	v.servers()
	v.tn.router(v.a)
	v.check(v.vm2, v.vm1)
}
