package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("invalid check string")

// Parse parses an oslo.policy check string. The empty string is "@" (always
// allowed). Operators bind as in oslo: not, then and, then or; chains of the
// same operator are flattened, so "a and b and c" renders "(a and b and c)".
//
// Where oslo logs and silently turns a malformed rule into "!", Parse returns
// an error: a server must not start with a policy it cannot read.
func Parse(rule string) (Check, error) {
	if rule == "" {
		return trueCheck{}, nil
	}
	toks, err := tokenize(rule)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", rule, err)
	}
	var p parser
	for _, t := range toks {
		p.shift(t)
	}
	c, ok := p.result()
	if !ok {
		return nil, fmt.Errorf("parsing %q: %w: unbalanced parentheses or misplaced and/or/not", rule, ErrSyntax)
	}
	return c, nil
}

type tokKind uint8

const (
	tokOpen tokKind = iota
	tokClose
	tokAnd
	tokOr
	tokNot
	tokString // a quoted token: oslo lexes it but no grammar rule accepts it
	tokCheck
	tokAndExpr // nonterminals, only on the parser stack
	tokOrExpr
)

type token struct {
	kind  tokKind
	check Check   // tokCheck
	list  []Check // tokAndExpr, tokOrExpr
}

// tokenize splits like oslo: on whitespace, then peels leading "(" and
// trailing ")" off each word. A check string can therefore never contain
// whitespace, and String() output lexes back to the same tokens.
func tokenize(rule string) ([]token, error) {
	words := strings.FieldsFunc(rule, isPySpace)
	if len(words) == 0 {
		return nil, fmt.Errorf("%w: only whitespace", ErrSyntax)
	}
	var toks []token
	for _, w := range words {
		clean := strings.TrimLeft(w, "(")
		for range len(w) - len(clean) {
			toks = append(toks, token{kind: tokOpen})
		}
		if clean == "" {
			continue
		}
		w = clean
		clean = strings.TrimRight(w, ")")
		trail := len(w) - len(clean)
		switch strings.ToLower(clean) {
		case "":
		case "and":
			toks = append(toks, token{kind: tokAnd})
		case "or":
			toks = append(toks, token{kind: tokOr})
		case "not":
			toks = append(toks, token{kind: tokNot})
		default:
			// oslo tests the word before its ")" were removed.
			if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
				toks = append(toks, token{kind: tokString})
				break
			}
			c, err := parseCheck(clean)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokCheck, check: c})
		}
		for range trail {
			toks = append(toks, token{kind: tokClose})
		}
	}
	return toks, nil
}

// isPySpace is Python's str.split() notion of whitespace.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// parser is oslo's shift-reduce parser: after every shift the top of the
// stack is reduced as far as it goes. Matching its reductions exactly is what
// makes our String() output, and so Neutron's error messages, identical.
type parser struct {
	stack []token
}

func (p *parser) shift(t token) {
	p.stack = append(p.stack, t)
	for p.reduce() {
	}
}

func (p *parser) top(kinds ...tokKind) bool {
	n := len(p.stack)
	if n < len(kinds) {
		return false
	}
	for i, k := range kinds {
		if p.stack[n-len(kinds)+i].kind != k {
			return false
		}
	}
	return true
}

func (p *parser) replace(n int, t token) {
	p.stack = append(p.stack[:len(p.stack)-n], t)
}

// reduce applies one reduction to the top of the stack and reports whether
// it did.
func (p *parser) reduce() bool {
	n := len(p.stack)
	switch {
	case p.top(tokOpen, tokCheck, tokClose),
		p.top(tokOpen, tokAndExpr, tokClose),
		p.top(tokOpen, tokOrExpr, tokClose):
		p.replace(3, token{kind: tokCheck, check: p.stack[n-2].asCheck()})
	case p.top(tokCheck, tokAnd, tokCheck):
		p.replace(3, token{kind: tokAndExpr, list: []Check{p.stack[n-3].check, p.stack[n-1].check}})
	case p.top(tokOrExpr, tokAnd, tokCheck):
		// "a or b and c": b binds to c. oslo extends b if it already is an
		// and (even a parenthesised one).
		or := p.stack[n-3].list
		last := or[len(or)-1]
		var and []Check
		if a, ok := last.(andCheck); ok {
			and = append(append([]Check(nil), a.checks...), p.stack[n-1].check)
		} else {
			and = []Check{last, p.stack[n-1].check}
		}
		list := append(append([]Check(nil), or[:len(or)-1]...), andCheck{checks: and})
		p.replace(3, token{kind: tokOrExpr, list: list})
	case p.top(tokAndExpr, tokAnd, tokCheck):
		list := append(p.stack[n-3].list, p.stack[n-1].check)
		p.replace(3, token{kind: tokAndExpr, list: list})
	case p.top(tokCheck, tokOr, tokCheck), p.top(tokAndExpr, tokOr, tokCheck):
		p.replace(3, token{kind: tokOrExpr, list: []Check{p.stack[n-3].asCheck(), p.stack[n-1].check}})
	case p.top(tokOrExpr, tokOr, tokCheck):
		list := append(p.stack[n-3].list, p.stack[n-1].check)
		p.replace(3, token{kind: tokOrExpr, list: list})
	case p.top(tokNot, tokCheck):
		p.replace(2, token{kind: tokCheck, check: notCheck{check: p.stack[n-1].check}})
	default:
		return false
	}
	return true
}

func (t token) asCheck() Check {
	switch t.kind {
	case tokAndExpr:
		return andCheck{checks: t.list}
	case tokOrExpr:
		return orCheck{checks: t.list}
	}
	return t.check
}

func (p *parser) result() (Check, bool) {
	if len(p.stack) != 1 {
		return nil, false
	}
	switch t := p.stack[0]; t.kind {
	case tokCheck, tokAndExpr, tokOrExpr:
		return t.asCheck(), true
	}
	return nil, false
}
