// Package feedsync realises on this host what bgpvpn-server's agent feed
// asks of it: each desired state (every attachment of the host) is turned
// into attach_localport and detach_localport calls on the same VPN manager
// the REST API drives, and the status of every association is reported
// back: ERROR with the reason when an attachment fails, or when the
// dataplane fails to program an instance, at attach time or at any later
// apply (the manager applies the dataplane on its own schedule, so the
// syncer looks at its last error after each reconciliation and on every
// retry tick), and ACTIVE again once it succeeds.
//
// It reconciles level-triggered against what it applied itself: it never
// detaches what the REST API attached, and it never detaches what is
// still desired, so a restarted agent's first snapshot only re-attaches
// (idempotently) and forwarding is not interrupted. It keeps nothing on
// disk.
package feedsync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
)

// Manager is what the syncer needs of the VPN manager.
type Manager interface {
	Attach(ctx context.Context, a agent.Attachment) error
	Detach(ctx context.Context, d agent.Detachment) error
	// DataplaneError is the error of the last dataplane apply, nil when
	// it succeeded; failures of one instance are dataplane.InstanceErrors.
	DataplaneError() error
}

// Feed is what the syncer needs of the feed client (feed/client.Client).
type Feed interface {
	Run(ctx context.Context, apply func(feed.HostState)) error
	ReportStatus(ctx context.Context, rep feed.StatusReport) error
}

var _ Feed = (*client.Client)(nil)

// Config configures a Syncer.
type Config struct {
	Feed    Feed
	Manager Manager
	// PortPrefix names a port's interface: PortName(PortPrefix, port id);
	// default "tap".
	PortPrefix string
	Logger     *slog.Logger
	// RetryInterval is how soon failed attachments, detachments and
	// status reports are tried again (default 2s).
	RetryInterval time.Duration
}

// Syncer applies one host's feed to a manager.
type Syncer struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex
	// applied are the endpoints attached by us and not detached since,
	// as last attached.
	applied map[string]*endpoint
	// failed are the keys whose last attach or detach failed.
	failed map[string]bool
	// reconciled is the status of the last reconciliation, before the
	// dataplane's failures are added; instances maps each VPN instance
	// of the desired state to the associations it realises.
	reconciled feed.StatusReport
	instances  map[string][]string
	// last is the last status report; unreported says it is still to send.
	last       feed.StatusReport
	unreported bool
}

// New returns a syncer; Run starts it.
func New(cfg Config) *Syncer {
	if cfg.PortPrefix == "" {
		cfg.PortPrefix = "tap"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 2 * time.Second
	}
	return &Syncer{cfg: cfg, log: cfg.Logger.With("component", "feed_sync"), applied: map[string]*endpoint{}, failed: map[string]bool{}}
}

// Run follows the feed until ctx ends, reconciling each new state (only
// the newest when several arrive during one reconciliation) and reporting
// its status. It returns the feed's error when the feed gives up (a
// refused secret), else ctx's.
func (s *Syncer) Run(ctx context.Context) error {
	latest := make(chan feed.HostState, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feedDone := make(chan error, 1)
	go func() {
		feedDone <- s.cfg.Feed.Run(ctx, func(st feed.HostState) {
			for {
				select {
				case latest <- st:
					return
				default:
				}
				select { // replace a state not taken yet
				case <-latest:
				default:
				}
			}
		})
	}()
	retry := time.NewTicker(s.cfg.RetryInterval)
	defer retry.Stop()
	var cur *feed.HostState
	for {
		select {
		case <-ctx.Done():
			<-feedDone
			return ctx.Err()
		case err := <-feedDone:
			return err
		case st := <-latest:
			cur = &st
			s.Reconcile(ctx, st)
		case <-retry.C:
			if cur != nil && s.pending() {
				s.Reconcile(ctx, *cur)
			} else {
				s.mu.Lock()
				s.compose()
				s.mu.Unlock()
			}
		}
		s.report(ctx)
	}
}

// pending says whether something failed and deserves another try.
func (s *Syncer) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.failed) > 0
}

func (s *Syncer) report(ctx context.Context) {
	s.mu.Lock()
	rep, todo := s.last, s.unreported
	s.mu.Unlock()
	if !todo {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.cfg.Feed.ReportStatus(rctx, rep); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("reporting association status", "error", err, "revision", rep.Revision)
		}
		return
	}
	s.mu.Lock()
	if s.last.Revision == rep.Revision && s.last.Epoch == rep.Epoch {
		s.unreported = false
	}
	s.mu.Unlock()
}

// Reconcile makes the manager hold what st asks (as far as it accepts it)
// and returns the status of st's associations, which Run reports.
func (s *Syncer) Reconcile(ctx context.Context, st feed.HostState) feed.StatusReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := map[string][]string{} // association id → reasons
	var assocs []string
	desired := map[string]*endpoint{}
	var order []*endpoint
	shapes := map[string]shape{}
	s.instances = map[string][]string{}
	for i := range st.Attachments {
		fa := &st.Attachments[i]
		assocs = append(assocs, fa.Associations...)
		eps, err := endpoints(fa, s.cfg.PortPrefix)
		if err != nil {
			for _, a := range fa.Associations {
				errs[a] = append(errs[a], fmt.Sprintf("port %s: %v", fa.PortID, err))
			}
			continue
		}
		for j := range eps {
			ep := &eps[j]
			desired[ep.key] = ep
			order = append(order, ep)
			shapes[ep.att.VPNInstanceID] = ep.shape()
			s.instances[ep.att.VPNInstanceID] = append(s.instances[ep.att.VPNInstanceID], ep.assocs...)
		}
	}

	// Instances whose RD, VNI or type changed are rebuilt: what they are
	// created with cannot change in place.
	rebuild := map[string]bool{}
	for _, ep := range s.applied {
		if sh, ok := shapes[ep.att.VPNInstanceID]; ok && sh != ep.shape() {
			rebuild[ep.att.VPNInstanceID] = true
		}
	}
	var gone []*endpoint
	for k, ep := range s.applied {
		if desired[k] == nil || rebuild[ep.att.VPNInstanceID] {
			gone = append(gone, ep)
		}
	}
	// IP VPN before EVPN (an EVI may be plugged into a VRF), then by key.
	slices.SortFunc(gone, func(x, y *endpoint) int {
		return cmp.Or(-cmp.Compare(x.att.VPNType, y.att.VPNType), cmp.Compare(x.key, y.key))
	})
	for _, ep := range gone {
		err := s.cfg.Manager.Detach(ctx, detachment(&ep.att))
		if err != nil && !errors.Is(err, agent.ErrNotFound) {
			s.log.Error("detaching a port", "error", err, "vpn_id", ep.att.VPNInstanceID, "port_id", portOf(ep.key), "prefix", ep.att.IP)
			s.failed[ep.key] = true
			continue
		}
		delete(s.applied, ep.key)
		delete(s.failed, ep.key)
	}

	for _, ep := range order {
		if prev := s.applied[ep.key]; prev != nil && !s.failed[ep.key] && reflect.DeepEqual(prev.att, ep.att) {
			prev.assocs = ep.assocs
			continue
		}
		if err := s.cfg.Manager.Attach(ctx, ep.att); err != nil {
			s.log.Error("attaching a port", "error", err, "vpn_id", ep.att.VPNInstanceID, "port_id", portOf(ep.key), "prefix", ep.att.IP)
			s.failed[ep.key] = true
			for _, a := range ep.assocs {
				errs[a] = append(errs[a], fmt.Sprintf("port %s: %v", portOf(ep.key), err))
			}
			continue
		}
		s.applied[ep.key] = ep
		delete(s.failed, ep.key)
	}
	// A failed detach of something no longer desired stays failed; a
	// failed key that is neither desired nor applied is forgotten.
	for k := range s.failed {
		if desired[k] == nil && s.applied[k] == nil {
			delete(s.failed, k)
		}
	}

	rep := feed.StatusReport{Epoch: st.Epoch, Revision: st.Revision, Associations: []feed.AssociationStatus{}}
	slices.Sort(assocs)
	for _, id := range slices.Compact(assocs) {
		as := feed.AssociationStatus{ID: id, Status: feed.Active}
		if e := errs[id]; len(e) > 0 {
			slices.Sort(e)
			as.Status, as.Reason = feed.Error, truncate(strings.Join(slices.Compact(e), "; "), 1024)
		}
		rep.Associations = append(rep.Associations, as)
	}
	s.reconciled = rep
	s.log.Debug("feed state applied", "revision", st.Revision, "endpoints", len(s.applied), "failed", len(s.failed))
	return s.compose()
}

// compose adds the dataplane's failures to the status of the last
// reconciliation: ERROR with the driver's reason for the associations of
// each instance that failed, and for every association when the driver
// does not say which instance failed. It marks the result for reporting
// when it differs from the last report.
func (s *Syncer) compose() feed.StatusReport {
	rep := s.reconciled
	rep.Associations = slices.Clone(rep.Associations)
	if err := s.cfg.Manager.DataplaneError(); err != nil {
		byInstance, other := dataplane.SplitByInstance(err)
		dpErrs := map[string][]string{} // association id → reasons
		for id, errs := range byInstance {
			for _, a := range s.instances[id] {
				for _, e := range errs {
					dpErrs[a] = append(dpErrs[a], "dataplane: "+e.Error())
				}
			}
		}
		for i := range rep.Associations {
			as := &rep.Associations[i]
			reasons := dpErrs[as.ID]
			for _, e := range other {
				reasons = append(reasons, "dataplane: "+e.Error())
			}
			if len(reasons) == 0 {
				continue
			}
			if as.Status == feed.Error {
				reasons = append(reasons, as.Reason)
			}
			slices.Sort(reasons)
			as.Status, as.Reason = feed.Error, truncate(strings.Join(slices.Compact(reasons), "; "), 1024)
		}
	}
	if rep.Associations != nil && !reflect.DeepEqual(rep, s.last) {
		s.last, s.unreported = rep, true
	}
	return rep
}

// portOf extracts the port id from an endpoint key.
func portOf(key string) string {
	f := strings.Fields(key)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// Applied lists the endpoints the syncer holds attached, as
// "<vpn_instance_id> <port id> <ip or MAC>", sorted (tests, looking glass).
func (s *Syncer) Applied() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.applied))
	for k := range s.applied {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
