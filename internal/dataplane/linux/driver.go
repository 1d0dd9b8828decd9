package linux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func init() {
	dataplane.Register("linux", func(do dataplane.Options) (dataplane.Driver, error) {
		o, err := ParseOptions(do.Config)
		if err != nil {
			return nil, err
		}
		o.Logger = do.Logger
		return New(o)
	})
}

// Options configure the driver.
type Options struct {
	// LocalAddress is our VTEP: source of every VXLAN packet, and what
	// remote nodes send to (the agent's next hop). IPv4, required.
	LocalAddress netip.Addr
	// VXLANPort is the UDP port of EVPN VXLAN (default 4789, IANA's);
	// IPVPNVXLANPort the one of IP VPN VXLAN (default 4790). A flow-based
	// device (IP VPN) and per-VNI devices (EVPN) cannot share a UDP port
	// in the kernel, so IP VPN has its own port by default, the same on
	// every node, and a node runs both VPN types on default options.
	VXLANPort      int
	IPVPNVXLANPort int
	// IPVPNEncap is how IP VPN traffic crosses the underlay: "mpls"
	// (labels over MPLSInterface, a VRF device per VRF; routes that only
	// offer VXLAN still go over VXLAN), "vxlan", or "auto" / "" (MPLS when
	// the kernel has MPLS routing, MPLS encapsulation and VRF devices,
	// VXLAN otherwise).
	IPVPNEncap string
	// MPLSInterface sends and receives MPLS (bagpipe's mpls_interface);
	// default: the device that has LocalAddress.
	MPLSInterface string
	// TableBase + VRF.Number is a VRF's routing table, TableBase + 2^24 +
	// label the table of a port's own label; RulePriority the
	// priority of our rules (before "main", after "local").
	TableBase    int
	RulePriority int
	// NetNS is the namespace to program; closed (netns.None()) means the
	// current one.
	NetNS netns.NsHandle
	// Logger receives the driver's logs; nil discards them.
	Logger *slog.Logger
	// AdoptGrace is how long after New the driver only adds: what an
	// earlier process left stays until the agent has had time to rebuild
	// its state (re-attachments, BGP re-convergence), so that a restart
	// does not cut forwarding. The last state is then applied in full.
	AdoptGrace time.Duration
}

// DefaultIPVPNVXLANPort is IP VPN's VXLAN port unless configured: not
// EVPN's 4789, which per-VNI devices hold (see Options.IPVPNVXLANPort).
const DefaultIPVPNVXLANPort = 4790

// ParseOptions reads the [DATAPLANE_DRIVER_*] options: local_address (or
// dataplane_local_address), vxlan_port, ipvpn_vxlan_port, ipvpn_encap,
// mpls_interface, table_base, rule_priority, and netns (the name of a
// network namespace to program instead of the agent's own).
func ParseOptions(opts map[string]string) (Options, error) {
	o := Options{NetNS: netns.None()}
	switch v := opts["ipvpn_encap"]; v {
	case "", "auto", "vxlan", "mpls":
		o.IPVPNEncap = v
	default:
		return o, fmt.Errorf("linux dataplane: ipvpn_encap: %q is not auto, vxlan or mpls", v)
	}
	if v := opts["mpls_interface"]; v != "" {
		if strings.Contains(v, "*gre*") {
			return o, fmt.Errorf("linux dataplane: mpls_interface: %q: MPLS over GRE is not supported, name the interface that carries MPLS", v)
		}
		if len(v) > 15 || strings.ContainsAny(v, "/ \t") {
			return o, fmt.Errorf("linux dataplane: mpls_interface: %q is not an interface name", v)
		}
		o.MPLSInterface = v
	}
	if name := opts["netns"]; name != "" {
		h, err := netns.GetFromName(name)
		if err != nil {
			return o, fmt.Errorf("linux dataplane: network namespace %q: %w", name, err)
		}
		o.NetNS = h
	}
	la := opts["local_address"]
	if la == "" {
		la = opts["dataplane_local_address"]
	}
	if la == "" {
		return o, errors.New("linux dataplane: local_address (the VTEP address) is required")
	}
	a, err := netip.ParseAddr(la)
	if err != nil {
		return o, fmt.Errorf("linux dataplane: local_address: %w", err)
	}
	o.LocalAddress = a
	if v := opts["adopt_grace"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3600 {
			return o, fmt.Errorf("linux dataplane: adopt_grace: %q is not a number of seconds in 0..3600", v)
		}
		o.AdoptGrace = time.Duration(n) * time.Second
	}
	for _, f := range []struct {
		name string
		dst  *int
		max  int
	}{
		{"vxlan_port", &o.VXLANPort, 65535},
		{"ipvpn_vxlan_port", &o.IPVPNVXLANPort, 65535},
		{"table_base", &o.TableBase, 1 << 30},
		{"rule_priority", &o.RulePriority, 32765},
	} {
		v, ok := opts[f.name]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > f.max {
			return o, fmt.Errorf("linux dataplane: %s: %q is not a number in 1..%d", f.name, v, f.max)
		}
		*f.dst = n
	}
	return o, nil
}

// Driver programs the Linux kernel of one network namespace. Its lifecycle:
// New → Apply any number of times → Close; Close leaves forwarding in place
// and a new Driver on the same namespace adopts it.
type Driver struct {
	o    Options
	log  *slog.Logger
	h    *netlink.Handle
	raw  *rtnl
	k    kernel // the IP VPN path's view of h and raw
	caps capabilities
	// mpls: IP VPN traffic goes over MPLS (Options.IPVPNEncap resolved);
	// mplsIf is then the interface that carries it.
	mpls   bool
	mplsIf string
	info   dataplane.Info

	mu    sync.Mutex
	state dataplane.State
	// enslaved are the ports we put in a bridge we do not own (linuxbr):
	// only those are released when they leave the state.
	enslaved map[string]string // port → bridge

	// adoptUntil ends the adoption grace; graceTimer applies the last
	// state in full then.
	adoptUntil time.Time
	graceTimer *time.Timer
}

// adopting reports whether deletions are still held back.
func (d *Driver) adopting() bool { return time.Now().Before(d.adoptUntil) }

var _ dataplane.Driver = (*Driver)(nil)

// fillDefaults sets the options left at zero to their defaults.
func (o *Options) fillDefaults() {
	if o.VXLANPort == 0 {
		o.VXLANPort = 4789
	}
	if o.IPVPNVXLANPort == 0 {
		o.IPVPNVXLANPort = DefaultIPVPNVXLANPort
	}
	if o.TableBase == 0 {
		o.TableBase = 20000
	}
	if o.RulePriority == 0 {
		o.RulePriority = 20000
	}
}

// New opens netlink sockets in o.NetNS and probes what the kernel offers;
// it changes nothing until Apply.
func New(o Options) (*Driver, error) {
	if !o.LocalAddress.Is4() {
		return nil, fmt.Errorf("linux dataplane: local address %v is not an IPv4 address", o.LocalAddress)
	}
	o.fillDefaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := netlink.NewHandleAt(o.NetNS)
	if err != nil {
		return nil, fmt.Errorf("linux dataplane: netlink handle: %w", err)
	}
	s, err := nl.GetNetlinkSocketAt(o.NetNS, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("linux dataplane: netlink socket: %w", err)
	}
	d := &Driver{
		o: o, log: o.Logger.With("component", "dataplane/linux"), h: h,
		raw:        &rtnl{sockets: map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}},
		enslaved:   map[string]string{},
		adoptUntil: time.Now().Add(o.AdoptGrace),
	}
	d.k = &netlinkKernel{Handle: h, raw: d.raw, d: d}
	if o.IPVPNEncap == "mpls" {
		// Asked for: load what it needs, as bagpipe's driver does. auto
		// takes the kernel as it is, so a host does not turn to MPLS
		// (which needs PEs reachable on mpls_interface) by itself.
		loadModules()
	}
	d.caps = d.probe()
	if err := d.chooseEncap(); err != nil {
		d.Close()
		return nil, err
	}
	d.info = d.makeInfo()
	d.log.Info("linux dataplane ready", "local_address", o.LocalAddress, "ipvpn_encap", d.encapName(), "mpls_interface", d.mplsIf,
		"kernel_mpls_routing", yesNo(d.caps.mpls, d.caps.mplsWhy), "kernel_mpls_encap", yesNo(d.caps.mplsEncap, d.caps.mplsEncapWhy),
		"kernel_vrf_devices", yesNo(d.caps.vrf, d.caps.vrfWhy))
	return d, nil
}

// chooseEncap resolves Options.IPVPNEncap against what the kernel has, and
// the interface that carries MPLS.
func (d *Driver) chooseEncap() error { return d.chooseEncapWith(d.deviceWithAddress) }

// chooseEncapWith is chooseEncap with the lookup of the device that has
// the local address (the default mpls_interface) given.
func (d *Driver) chooseEncapWith(deviceWithAddress func(netip.Addr) (string, error)) error {
	ok, missing := d.caps.canMPLS()
	switch d.o.IPVPNEncap {
	case "vxlan":
		return nil
	case "mpls":
		if !ok {
			return fmt.Errorf("linux dataplane: ipvpn_encap = mpls, but this kernel lacks %s", missing)
		}
	default:
		if !ok {
			d.log.Info("IP VPN over VXLAN: the kernel lacks what MPLS needs", "missing", missing)
			return nil
		}
	}
	name := d.o.MPLSInterface
	if name == "" {
		var err error
		if name, err = deviceWithAddress(d.o.LocalAddress); err != nil {
			return fmt.Errorf("linux dataplane: MPLS: no mpls_interface set and %w", err)
		}
	} else if _, err := d.k.LinkByName(name); err != nil {
		return fmt.Errorf("linux dataplane: mpls_interface %s: %w", name, err)
	}
	d.mpls, d.mplsIf = true, name
	return nil
}

// deviceWithAddress names the device that has address a.
func (d *Driver) deviceWithAddress(a netip.Addr) (string, error) {
	addrs, err := d.h.AddrList(nil, family(a))
	if err != nil {
		return "", fmt.Errorf("listing addresses: %w", err)
	}
	for _, x := range addrs {
		if got, ok := netip.AddrFromSlice(x.IP); ok && got.Unmap() == a {
			l, err := d.h.LinkByIndex(x.LinkIndex)
			if err != nil {
				return "", err
			}
			return l.Attrs().Name, nil
		}
	}
	return "", fmt.Errorf("no device has the local address %s", a)
}

func (d *Driver) encapName() string {
	if d.mpls {
		return "mpls"
	}
	return "vxlan"
}

// Info: VXLAN, and for IP VPNs MPLS first when the IP VPN path uses it
// (routes that offer only VXLAN still go over VXLAN), while EVPN stays
// VXLAN only; ECMP through multipath routes; bgv-l3's MAC as router MAC.
// Details say what the kernel has and what was chosen. It is computed once
// (nothing it says changes after New), as the agent asks for the router MAC
// with every EVPN type 5 route it builds; callers must not modify it.
func (d *Driver) Info() dataplane.Info { return d.info }

func (d *Driver) makeInfo() dataplane.Info {
	encaps := []uint16{encapVXLAN}
	if d.mpls {
		encaps = []uint16{encapMPLS, encapVXLAN}
	}
	det := map[string]string{
		"ipvpn_encap":         d.encapName(),
		"kernel_mpls_routing": yesNo(d.caps.mpls, d.caps.mplsWhy),
		"kernel_mpls_encap":   yesNo(d.caps.mplsEncap, d.caps.mplsEncapWhy),
		"kernel_vrf_devices":  yesNo(d.caps.vrf, d.caps.vrfWhy),
		"vxlan_port":          strconv.Itoa(d.o.VXLANPort),
		"ipvpn_vxlan_port":    strconv.Itoa(d.o.IPVPNVXLANPort),
	}
	if d.mpls {
		det["mpls_interface"] = d.mplsIf
	}
	return dataplane.Info{
		Name: "linux", Encaps: encaps, VPNTypeEncaps: map[string][]uint16{"evpn": {encapVXLAN}}, ECMP: true,
		LocalAddress: d.o.LocalAddress, RouterMAC: dataplane.MAC(routerMAC(d.o.LocalAddress)), Details: det,
	}
}

// BGP tunnel types (RFC 9012) of VXLAN and MPLS.
const (
	encapVXLAN = 8
	encapMPLS  = 10
)

// Apply makes the namespace match s: it reads what is there, adds what is
// missing, replaces what differs and removes what we own and s no longer
// has, in an order that never takes a working path away before its
// replacement is in place. Errors of one instance do not stop the others.
func (d *Driver) Apply(ctx context.Context, s dataplane.State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state = s
	if d.adopting() && d.graceTimer == nil {
		d.graceTimer = time.AfterFunc(time.Until(d.adoptUntil), func() {
			d.mu.Lock()
			st := d.state
			d.mu.Unlock()
			d.log.Info("adoption grace over: applying the whole state, deletions included")
			if err := d.Apply(context.Background(), st); err != nil {
				d.log.Error("applying the state after the adoption grace", "error", err)
			}
		})
	}
	var errs []error
	if err := d.applyEVPN(ctx, s); err != nil {
		errs = append(errs, err)
	}
	if err := d.applyIPVPN(ctx, s); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// State returns what was last asked of Apply.
func (d *Driver) State() dataplane.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Close releases the netlink sockets; devices, routes and rules stay.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.graceTimer != nil {
		d.graceTimer.Stop()
	}
	if d.h != nil {
		d.h.Close()
		d.h = nil
	}
	d.k = nil
	for _, s := range d.raw.sockets {
		s.Close()
	}
	d.raw.sockets = nil
	return nil
}

func (d *Driver) checkOpen() error {
	if d.h == nil {
		return errors.New("linux dataplane: driver closed")
	}
	return nil
}

// links lists the namespace's devices by name.
func (d *Driver) links() (map[string]netlink.Link, error) {
	ls, err := retryDump(d.h.LinkList)
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	out := make(map[string]netlink.Link, len(ls))
	for _, l := range ls {
		out[l.Attrs().Name] = l
	}
	return out, nil
}
