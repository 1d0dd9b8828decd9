package dataplane

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitByInstance(t *testing.T) {
	vrf := &InstanceError{Instance: "ipvpn_a", Err: errors.New("VRF ipvpn_a: port tap1: no such device")}
	evi := &InstanceError{Instance: "evpn_b", Err: errors.New("EVI evpn_b (VNI 5): VNI 5 out of range")}
	other := errors.New("listing routes: netlink closed")
	err := fmt.Errorf("applying: %w", errors.Join(vrf, errors.Join(evi, other), fmt.Errorf("again: %w", vrf)))

	by, rest := SplitByInstance(err)
	got := map[string][]string{}
	for id, errs := range by {
		for _, e := range errs {
			got[id] = append(got[id], e.Error())
		}
	}
	want := map[string][]string{
		"ipvpn_a": {"VRF ipvpn_a: port tap1: no such device", "again: VRF ipvpn_a: port tap1: no such device"},
		"evpn_b":  {"EVI evpn_b (VNI 5): VNI 5 out of range"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SplitByInstance by instance (-want +got):\n%s", d)
	}
	if len(rest) != 1 || rest[0] != other {
		t.Errorf("SplitByInstance others = %v, want [%v]", rest, other)
	}
	if by, rest := SplitByInstance(nil); len(by) != 0 || len(rest) != 0 {
		t.Errorf("SplitByInstance(nil) = %v, %v; want nothing", by, rest)
	}
}
