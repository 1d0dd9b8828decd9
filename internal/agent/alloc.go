package agent

import "errors"

var errExhausted = errors.New("no identifier left")

// allocator hands out integers in [min, max]. Like bagpipe's, it counts up
// and reuses freed values only once the counter has reached max, oldest
// first, so a value is not reused soon after release (a peer may still
// hold routes with it).
type allocator struct {
	next, max uint32
	free      []uint32
	used      map[uint32]string
}

func newAllocator(min, max uint32) *allocator {
	return &allocator{next: min, max: max, used: map[uint32]string{}}
}

func (a *allocator) get(desc string) (uint32, error) {
	var v uint32
	switch {
	case a.next <= a.max:
		v = a.next
		a.next++
	case len(a.free) > 0:
		v, a.free = a.free[0], a.free[1:]
	default:
		return 0, errExhausted
	}
	a.used[v] = desc
	return v, nil
}

func (a *allocator) release(v uint32) {
	if _, ok := a.used[v]; !ok {
		return
	}
	delete(a.used, v)
	a.free = append(a.free, v)
}
