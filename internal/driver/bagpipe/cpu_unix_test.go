//go:build unix

package bagpipe_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the test process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
