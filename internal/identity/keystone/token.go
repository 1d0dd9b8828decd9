package keystone

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// tokenBody is the part of Keystone's v3 token we read.
type tokenBody struct {
	Token struct {
		ExpiresAt time.Time `json:"expires_at"`
		IssuedAt  time.Time `json:"issued_at"`
		User      struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Domain named  `json:"domain"`
		} `json:"user"`
		Project *struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Domain named  `json:"domain"`
		} `json:"project"`
		Domain         *named          `json:"domain"`
		System         map[string]bool `json:"system"`
		Roles          []named         `json:"roles"`
		IsAdminProject *bool           `json:"is_admin_project"`
		Catalog        []catalogEntry  `json:"catalog"`
	} `json:"token"`
}

type named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type catalogEntry struct {
	Type      string `json:"type"`
	Endpoints []struct {
		Interface string `json:"interface"`
		Region    string `json:"region"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
	} `json:"endpoints"`
}

// validToken is what a validation established about a token.
type validToken struct {
	creds   policy.Credentials
	expires time.Time
}

func parseToken(data []byte) (tokenBody, error) {
	var t tokenBody
	if err := json.Unmarshal(data, &t); err != nil {
		return t, fmt.Errorf("decoding Keystone's token: %w", err)
	}
	if t.Token.User.ID == "" || t.Token.ExpiresAt.IsZero() {
		return t, fmt.Errorf("decoding Keystone's token: no user or no expiry")
	}
	return t, nil
}

// credentials is what keystonemiddleware's headers and Neutron's context
// make of a token: project scope gives project_id (and tenant_id), domain
// scope domain_id, system scope system_scope "all"; roles by name, as
// Keystone lists them (implied roles already expanded).
func (t tokenBody) credentials() policy.Credentials {
	c := policy.Credentials{UserID: t.Token.User.ID, UserDomainID: t.Token.User.Domain.ID}
	if p := t.Token.Project; p != nil {
		c.ProjectID, c.ProjectDomainID = p.ID, p.Domain.ID
	}
	if d := t.Token.Domain; d != nil {
		c.DomainID = d.ID
	}
	if t.Token.System["all"] {
		c.SystemScope = "all"
	}
	for _, r := range t.Token.Roles {
		c.Roles = append(c.Roles, r.Name)
	}
	if t.Token.IsAdminProject != nil && !*t.Token.IsAdminProject {
		c.NotAdminProject = true
	}
	return c
}

// endpoint finds a service's URL in a catalog, by interface and region
// (any region when region is empty).
func endpoint(catalog []catalogEntry, serviceType, iface, region string) string {
	for _, s := range catalog {
		if s.Type != serviceType {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Interface == iface && (region == "" || e.RegionID == region || e.Region == region) {
				return e.URL
			}
		}
	}
	return ""
}
