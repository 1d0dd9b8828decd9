package keystone

import (
	"testing"
	"time"
)

// BenchmarkAuthenticateCached is the whole cost Keystone auth adds to a
// request whose token is cached (hash, cache lookup, credentials), to set
// against the request it precedes (BenchmarkListBGPVPNs).
func BenchmarkAuthenticateCached(b *testing.B) {
	c := newClock()
	f := newFakeKeystone(b, c)
	f.add("fernet-like-token-of-typical-length-gAAAAABk", fakeToken{user: "u", userDomain: "default", project: "p",
		roles: []string{"admin", "member", "reader"}, expires: c.now().Add(time.Hour)})
	a, err := New(Config{AuthURL: f.url(), Username: "neutron", Password: "secret", UserDomainName: "Default",
		ProjectName: "service", ProjectDomainName: "Default", CacheTime: time.Hour, Timeout: 5 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	a.now = c.now
	r := request("fernet-like-token-of-typical-length-gAAAAABk")
	go func() {
		for range f.validateEnter {
		}
	}()
	if _, err := a.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
