package ovs

import (
	"os"
	"strconv"
	"syscall"
	"testing"
)

// TestMain keeps descriptors this process inherited (the shared test
// lock's, under flock) from the daemons the tests start: a detached
// ovs-vswitchd must never hold them.
func TestMain(m *testing.M) {
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range ents {
			if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
				syscall.CloseOnExec(fd)
			}
		}
	}
	os.Exit(m.Run())
}
