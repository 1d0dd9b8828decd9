package api_test

import (
	"net/http"
	"testing"
)

// TestNetworkSegmentationID: every network gets a VXLAN VNI, which admins
// read as provider:segmentation_id and tenants do not see.
func TestNetworkSegmentationID(t *testing.T) {
	s := newServer(t)
	var ids []string
	for _, name := range []string{"one", "two"} {
		n := s.post(tenantA, "/v2.0/networks", `{"network": {"name": "`+name+`"}}`).must(t, http.StatusCreated)["network"].(map[string]any)
		if _, ok := n["provider:segmentation_id"]; ok {
			t.Errorf("tenant's POST /v2.0/networks shows provider:segmentation_id: %v", n)
		}
		ids = append(ids, n["id"].(string))
	}
	for i, id := range ids {
		n := s.get(admin, "/v2.0/networks/"+id).must(t, http.StatusOK)["network"].(map[string]any)
		if n["provider:network_type"] != "vxlan" || n["provider:segmentation_id"] != float64(i+1) {
			t.Errorf("admin's GET network %d: provider:network_type %v, provider:segmentation_id %v; want vxlan, %d",
				i, n["provider:network_type"], n["provider:segmentation_id"], i+1)
		}
	}
	r := s.put(admin, "/v2.0/networks/"+ids[0], `{"network": {"provider:segmentation_id": 7}}`)
	if r.status != http.StatusBadRequest {
		t.Errorf("PUT provider:segmentation_id: status %d, want 400 (read-only); body %s", r.status, r.body)
	}
}
