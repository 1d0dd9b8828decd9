package ovs

import (
	"strings"
	"testing"
)

// TestParseOptions: bagpipe's option names are honoured, or refused with
// an error that names the option.
func TestParseOptions(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"local_address": "192.0.2.1"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		opts map[string]string
		ok   func(Options) bool
		err  string
	}{
		{"defaults: GRE", base(), func(o Options) bool { return !o.MPLSOverEthernet && o.TableStart == 1 && o.ProxyARP }, ""},
		{"mpls_interface *gre*: GRE", base("mpls_interface", "*gre*"), func(o Options) bool { return !o.MPLSOverEthernet }, ""},
		{"auto with an interface: Ethernet", base("mpls_interface", "eth1"), func(o Options) bool { return o.MPLSOverEthernet && o.MPLSInterface == "eth1" }, ""},
		{"true: GRE whatever the interface", base("mpls_interface", "eth1", "mpls_over_gre", "True"), func(o Options) bool { return !o.MPLSOverEthernet }, ""},
		{"false: Ethernet", base("mpls_interface", "eth1", "mpls_over_gre", "False"), func(o Options) bool { return o.MPLSOverEthernet }, ""},
		{"false without an interface", base("mpls_over_gre", "false"), nil, "mpls_over_gre = false needs mpls_interface"},
		{"bad mpls_over_gre", base("mpls_over_gre", "maybe"), nil, "mpls_over_gre"},
		{"bad interface", base("mpls_interface", "eth 1"), nil, "mpls_interface"},
		{"tables", base("input_table", "10", "ovs_table_id_start", "20"), func(o Options) bool { return o.InputTable == 10 && o.TableStart == 20 }, ""},
		{"input_table alone: the tables follow it", base("input_table", "5"), func(o Options) bool { return o.TableStart == 6 }, ""},
		{"overlapping tables", base("input_table", "12", "ovs_table_id_start", "10"), nil, "overlap input_table"},
		{"hash_method", base("hash_method", "hash"), func(o Options) bool { return o.HashMethod == "hash" }, ""},
		{"bad hash_method", base("hash_method", "selection"), nil, "hash_method"},
		{"arp options", base("proxy_arp", "false", "arp_responder", "true"), func(o Options) bool { return !o.ProxyARP && o.ARPResponder }, ""},
		{"bad table", base("ovs_table_id_start", "253"), nil, "ovs_table_id_start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseOptions(tc.opts)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one saying %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.err == "" && !tc.ok(o):
				t.Errorf("options %+v", o)
			}
		})
	}
}
