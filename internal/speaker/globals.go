package speaker

import "sync"

// gobgpGlobals serialises GoBGP's writes of package-level state with our
// calls that read it.
//
// GoBGP v4.8.0's StartBgp assigns two package variables of its table
// package, SelectionOptions and UseMultiplePaths, from the new server's
// global configuration (server.go, "update route selection options"), and
// every server of the process reads them: best path selection on each
// route added or withdrawn, and a best path watcher's initial table
// (TableManager.GetBestPathList / GetBestMultiPathList). One speaker per
// process (the agent, the reflector) never races with itself; several
// speakers in one process (tests, benchmarks) did, under the race
// detector, whenever one started while another was being watched or given
// routes.
//
// Start holds it exclusively around StartBgp; every call we make into a
// running GoBGP server holds it shared, except those of Stop and
// StopGraceful (listing and deleting peers, StopBgp), which may wait for
// watcher goroutines that are themselves waiting for it. What GoBGP reads on its own
// goroutines, for messages received from peers, stays outside: a speaker
// started while another one is receiving routes still races there. The
// values written are the same for all our speakers (we never set route
// selection options), so that race changes nothing, but the detector
// would report it.
var gobgpGlobals sync.RWMutex

// shared marks a call into a running GoBGP server: no speaker starts
// until the returned function is called.
func shared() (release func()) {
	gobgpGlobals.RLock()
	return gobgpGlobals.RUnlock
}
