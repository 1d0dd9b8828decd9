package feed

import (
	"encoding/json"
	"strings"
	"testing"
)

// The fields issue 13 added to attachments (techniques, aggregate_rt) are
// absent when not used, so a state without evpn-prefix or auto_aggregate is
// encoded byte for byte as before, and an agent that predates them decodes
// the ones that are (unknown JSON fields are ignored).
func TestAttachmentNewFieldsOmitted(t *testing.T) {
	a := Attachment{VPNType: IPVPN, VPNInstanceID: "ipvpn_n", PortID: "p", Direction: Both}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"techniques", "aggregate_rt"} {
		if strings.Contains(string(b), k) {
			t.Errorf("%s present in %s", k, b)
		}
	}
	a.Techniques, a.AggregateRTs = []string{EVPNPrefix}, []string{"64512:1"}
	b, _ = json.Marshal(a)
	var old struct {
		VPNType       VPNType `json:"vpn_type"`
		VPNInstanceID string  `json:"vpn_instance_id"`
	}
	if err := json.Unmarshal(b, &old); err != nil || old.VPNInstanceID != "ipvpn_n" {
		t.Errorf("an older decoder of %s: %+v, %v", b, old, err)
	}
	if got := AggregateHostRT(4242); got != "65534:4242" {
		t.Errorf("AggregateHostRT(4242) = %q", got)
	}
}
