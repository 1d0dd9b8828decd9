package ovs

import "syscall"

// syscall0 is the signal that only checks that a process exists.
var syscall0 = syscall.Signal(0)
