package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrCycle is wrapped by New's error when rules refer to each other in a
// loop. oslo.policy would recurse until Python gives up; we refuse to load.
var ErrCycle = errors.New("policy rules refer to each other in a cycle")

// findCycle walks the rule graph depth-first. A reference to an undefined
// rule is an edge to the default rule, since that is what it evaluates.
func (e *Enforcer) findCycle() error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(e.rules))
	var path []string
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case onPath:
			i := slices.Index(path, name)
			cycle := append(slices.Clone(path[i:]), name)
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(cycle, " -> "))
		case done:
			return nil
		}
		state[name] = onPath
		path = append(path, name)
		var err error
		walkRuleRefs(e.rules[name], func(ref string) {
			if err != nil {
				return
			}
			if _, ok := e.rules[ref]; !ok {
				if e.fallback == nil {
					return
				}
				ref = defaultRule
			}
			err = visit(ref)
		})
		if err != nil {
			return err
		}
		path = path[:len(path)-1]
		state[name] = done
		return nil
	}
	names := make([]string, 0, len(e.rules))
	for n := range e.rules {
		names = append(names, n)
	}
	slices.Sort(names) // report the same cycle every time
	for _, n := range names {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

// walkRuleRefs calls f with the name of every rule:NAME inside c.
func walkRuleRefs(c Check, f func(string)) {
	switch c := c.(type) {
	case ruleCheck:
		f(c.name)
	case andCheck:
		for _, x := range c.checks {
			walkRuleRefs(x, f)
		}
	case orCheck:
		for _, x := range c.checks {
			walkRuleRefs(x, f)
		}
	case notCheck:
		walkRuleRefs(c.check, f)
	}
}
