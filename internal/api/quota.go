package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Neutron's quota API (extensions quotas, quota_details and
// quota-check-limit), as Neutron 21 answers it (recorded from the
// reference): a project reads its own quotas, an admin reads and changes
// anyone's. Quotas exist for any project id (the defaults), so refusing a
// read of another project's tells nothing about that project.

// maxQuota is neutron-lib's DB_INTEGER_MAX_VALUE, the largest limit.
const maxQuota = 1<<31 - 1

// quotaSpec is the body of a PUT: one integer attribute per resource, as
// the controller builds it from the quota registry, and the two flags of
// quota-check-limit, which Neutron takes out before checking the rest
// (any value, read as Python reads a condition).
func quotaSpec() *resource.Spec {
	s := &resource.Spec{Singular: "quota", Plural: "quotas"}
	for _, r := range store.QuotaResources() {
		s.Attrs = append(s.Attrs, resource.Attr{Name: r, Put: true, Convert: resource.IntRange(-1, maxQuota, false, true)})
	}
	for _, flag := range []string{"force", "check_limit"} {
		s.Attrs = append(s.Attrs, resource.Attr{Name: flag, Put: true, Convert: pyTruth})
	}
	return s
}

// pyTruth is Python's bool() of a decoded JSON value.
func pyTruth(v jsonv.Value) (any, error) {
	switch t := v.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case string:
		return t != "", nil
	case jsonv.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		return err != nil || f != 0, nil
	case []jsonv.Value:
		return len(t) > 0, nil
	case *jsonv.Object:
		return t.Len() > 0, nil
	}
	return true, nil
}

// maxProjectID is neutron-lib's PROJECT_ID_FIELD_SIZE.
const maxProjectID = 255

// validProjectID tells whether a project id from the path can be stored
// (PostgreSQL refuses NUL and invalid UTF-8 in text; the column holds 255).
func validProjectID(p string) bool {
	if !utf8.ValidString(p) || utf8.RuneCountInString(p) > maxProjectID {
		return false
	}
	return !strings.ContainsFunc(p, unicode.IsControl)
}

// quotaLimits are the limits in force for one project.
type quotaLimits map[string]int64

// limits returns the limits of project: its own where an admin set them,
// the configured defaults elsewhere.
func (a *API) limits(tx store.Tx, project string) (quotaLimits, error) {
	set, err := tx.QuotaLimits(project)
	if err != nil {
		return nil, err
	}
	return a.withDefaults(set), nil
}

func (a *API) withDefaults(set map[string]int64) quotaLimits {
	out := make(quotaLimits, len(store.QuotaResources()))
	for _, r := range store.QuotaResources() {
		if l, ok := set[r]; ok {
			out[r] = l
		} else {
			out[r] = a.defaultLimit(r)
		}
	}
	return out
}

// defaultLimit is the configured default of resource; unlimited when the
// server was built without quota options.
func (a *API) defaultLimit(r string) int64 {
	if l, ok := a.quotaDefaults[r]; ok {
		return l
	}
	return -1
}

func (l quotaLimits) fields() Fields {
	f := make(Fields, 0, len(l))
	for _, r := range store.QuotaResources() {
		f = append(f, Field{r, l[r]})
	}
	return f
}

// quotas routes /v2.0/quotas[/{project}[/default|/details]].
func (a *API) quotas(w http.ResponseWriter, r *http.Request, c *call, seg []string) error {
	if len(seg) > 0 && !validProjectID(seg[0]) {
		return fault.BadRequest("Invalid project id in the quota path: at most %d characters of UTF-8 text without control characters.", maxProjectID)
	}
	switch len(seg) {
	case 0:
		switch r.Method {
		case http.MethodGet:
			return a.listQuotas(w, r, c)
		case http.MethodPost:
			return fault.New(http.StatusNotImplemented, "HTTPNotImplemented", "POST requests are not supported on this resource.")
		}
		return methodNotAllowed()
	case 1:
		project := seg[0]
		switch r.Method {
		case http.MethodGet, http.MethodPost: // Neutron answers a POST here as a GET
			switch project {
			case "tenant", "project": // python-neutronclient's whoami
				writeJSON(w, http.StatusOK, Fields{{project, Fields{{project + "_id", c.creds.ProjectID}}}})
				return nil
			}
			return a.showQuota(w, r, c, project)
		case http.MethodPut:
			return a.updateQuota(w, r, c, project)
		case http.MethodDelete:
			return a.deleteQuota(w, r, c, project)
		}
		return methodNotAllowed()
	case 2:
		if r.Method != http.MethodGet {
			return methodNotAllowed()
		}
		switch seg[1] {
		case "default":
			return a.defaultQuota(w, r, c, seg[0])
		case "details":
			return a.quotaDetails(w, r, c, seg[0])
		}
	}
	return notFoundPath()
}

// adminRequired is neutron-lib's AdminRequired with the details
// controller's reason.
func adminRequired() error {
	return fault.New(http.StatusForbidden, "AdminRequired", "User does not have admin privileges: Only admin is authorized to access quotas for another project.")
}

// quotaTarget is what quota rules see: the project whose quotas they are.
func quotaTarget(project string) policy.Target {
	return policy.Target{"project_id": project, "tenant_id": project}
}

// readQuota checks get_quota (by default: an admin, or the project
// itself); the list checks it on no project, which only an admin passes.
func (a *API) readQuota(c *call, project string) error {
	return a.authorize(c, "get_quota", nil, quotaTarget(project))
}

func (a *API) listQuotas(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.readQuota(c, ""); err != nil {
		return err
	}
	var all map[string]map[string]int64
	err := a.store.View(r.Context(), func(tx store.Tx) (err error) {
		all, err = tx.AllQuotaLimits()
		return err
	})
	if err != nil {
		return err
	}
	projects := make([]string, 0, len(all))
	for p := range all {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	out := make([]Fields, 0, len(projects))
	for _, p := range projects {
		f := a.withDefaults(all[p]).fields()
		out = append(out, append(f, Field{"project_id", p}, Field{"tenant_id", p}))
	}
	writeJSON(w, http.StatusOK, Fields{{"quotas", out}})
	return nil
}

func (a *API) showQuota(w http.ResponseWriter, r *http.Request, c *call, project string) error {
	if err := a.readQuota(c, project); err != nil {
		return err
	}
	var l quotaLimits
	err := a.store.View(r.Context(), func(tx store.Tx) (err error) {
		l, err = a.limits(tx, project)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Fields{{"quota", l.fields()}})
	return nil
}

func (a *API) defaultQuota(w http.ResponseWriter, r *http.Request, c *call, project string) error {
	if err := a.readQuota(c, project); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Fields{{"quota", a.withDefaults(nil).fields()}})
	return nil
}

func (a *API) quotaDetails(w http.ResponseWriter, r *http.Request, c *call, project string) error {
	// Neutron's details controller asks for an admin, whatever the policy.
	if project != c.creds.ProjectID && !c.admin {
		return adminRequired()
	}
	var out Fields
	err := a.store.View(r.Context(), func(tx store.Tx) error {
		l, err := a.limits(tx, project)
		if err != nil {
			return err
		}
		for _, res := range store.QuotaResources() {
			used, err := tx.CountOwned(res, project)
			if err != nil {
				return err
			}
			out = append(out, Field{res, Fields{{"limit", l[res]}, {"used", used}, {"reserved", int64(0)}}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Fields{{"quota", out}})
	return nil
}

func (a *API) updateQuota(w http.ResponseWriter, r *http.Request, c *call, project string) error {
	if err := a.authorize(c, "update_quota", nil, quotaTarget(project)); err != nil {
		return err
	}
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	bodies, _, err := a.quotaSpec.Prepare(raw, false)
	if err != nil {
		return err
	}
	b := bodies[0]
	checkLimit, _ := b.Values["check_limit"].(bool)
	var l quotaLimits
	err = a.store.Update(r.Context(), func(tx store.Tx) error {
		for _, res := range b.Given {
			limit, ok := b.Values[res].(*int64)
			if !ok {
				continue // force, check_limit
			}
			if checkLimit && *limit >= 0 {
				// quota-check-limit (Neutron also refuses -1 here; unlimited
				// is above any usage).
				used, err := tx.CountOwned(res, project)
				if err != nil {
					return err
				}
				if used > *limit {
					return fault.BadRequest("Quota limit %d for %s must be greater than or equal to already used %d", *limit, res, used)
				}
			}
			if err := tx.SetQuotaLimit(project, res, *limit); err != nil {
				return err
			}
		}
		l, err = a.limits(tx, project)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Fields{{"quota", l.fields()}})
	return nil
}

func (a *API) deleteQuota(w http.ResponseWriter, r *http.Request, c *call, project string) error {
	if err := a.authorize(c, "delete_quota", nil, quotaTarget(project)); err != nil {
		return err
	}
	err := a.store.Update(r.Context(), func(tx store.Tx) error { return tx.DeleteQuotaLimits(project) })
	if errors.Is(err, store.ErrNotFound) {
		// neutron-lib's TenantQuotaNotFound: the project had no limits.
		return fault.NotFound("TenantQuotaNotFound", "Quota for tenant %s could not be found.", project)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
