package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vishvananda/netns"
)

// inNetNS runs f on a thread that is in the driver's namespace: /proc/sys/net
// shows the namespace of the thread that opens it.
func (d *Driver) inNetNS(f func() error) error {
	if !d.o.NetNS.IsOpen() {
		return f()
	}
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("getting current netns: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(d.o.NetNS); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("entering netns: %w", err)
	}
	ferr := f()
	if err := netns.Set(orig); err != nil {
		// The thread stays locked, so the runtime discards it with the
		// goroutine rather than reuse it in the wrong namespace.
		return fmt.Errorf("leaving netns: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// sysctl is one /proc/sys/net setting, e.g. {"ipv4/conf/tap1/proxy_arp", "1"}.
type sysctl struct{ path, value string }

// setSysctls writes the settings whose value differs, in the namespace.
func (d *Driver) setSysctls(ss []sysctl) error {
	if len(ss) == 0 {
		return nil
	}
	return d.inNetNS(func() error {
		for _, s := range ss {
			p := filepath.Join("/proc/sys/net", s.path)
			if cur, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(cur)) == s.value {
				continue
			}
			if err := os.WriteFile(p, []byte(s.value), 0o644); err != nil {
				return fmt.Errorf("setting %s: %w", s.path, err)
			}
		}
		return nil
	})
}

func (d *Driver) readSysctl(path string) string {
	var v string
	_ = d.inNetNS(func() error {
		b, err := os.ReadFile(filepath.Join("/proc/sys/net", path))
		v = strings.TrimSpace(string(b))
		return err
	})
	return v
}
