package keystone

import (
	"testing"
	"time"
)

// TestKeystone is the unit tests' fake Keystone for the benchmarks of the
// external test package: URL is its auth_url (service password "secret"),
// Add registers a token.
type TestKeystone struct{ f *fakeKeystone }

func NewTestKeystone(tb testing.TB) TestKeystone {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	f := newFakeKeystone(tb, c)
	// Validations are not counted through a channel here.
	f.validateEnter = make(chan struct{}, 1<<20)
	go func() {
		for range f.validateEnter {
		}
	}()
	tb.Cleanup(func() { close(f.validateEnter) })
	return TestKeystone{f: f}
}

func (k TestKeystone) URL() string { return k.f.url() }

func (k TestKeystone) Add(id, user, project string, roles []string) {
	k.f.add(id, fakeToken{user: user, userDomain: "default", project: project, roles: roles, expires: time.Now().Add(time.Hour)})
}
