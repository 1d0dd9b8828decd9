// Package reconcile is the have/want comparison that every dataplane
// driver makes in Apply: given what the forwarding plane holds (read back
// from it) and what the desired state needs, keyed alike, it says what to
// put (missing, or held differently) and what to remove (held, no longer
// wanted). Drivers put before they remove, so that nothing that works
// stops before its replacement is in place.
//
// It only compares: it must never talk to a forwarding plane, so that the
// linux and ovs drivers share it and it is tested on its own.
package reconcile

import "slices"

// Diff compares have and want: put lists the keys of want that have lacks
// or holds differently (same says whether a held value is the wanted
// one; nil means any held value is), remove the keys of have that want
// lacks. Both are sorted by order when it is given.
func Diff[K comparable, H, W any](have map[K]H, want map[K]W, same func(H, W) bool, order func(a, b K) int) (put, remove []K) {
	for k, w := range want {
		if h, ok := have[k]; ok && (same == nil || same(h, w)) {
			continue
		}
		put = append(put, k)
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	if order != nil {
		slices.SortFunc(put, order)
		slices.SortFunc(remove, order)
	}
	return put, remove
}
