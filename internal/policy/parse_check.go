package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// parseCheck parses one word that is not an operator or parenthesis.
func parseCheck(word string) (Check, error) {
	switch word {
	case "@":
		return trueCheck{}, nil
	case "!":
		return falseCheck{}, nil
	}
	kind, match, ok := strings.Cut(word, ":")
	if !ok {
		return nil, fmt.Errorf("%w: %q is not KIND:MATCH, @ or !", ErrSyntax, word)
	}
	switch kind {
	case "rule":
		if match == "" {
			return nil, fmt.Errorf("%w: %q names no rule", ErrSyntax, word)
		}
		return ruleCheck{name: match}, nil
	case "role":
		t, err := parseTemplate(match)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrSyntax, word, err)
		}
		return &roleCheck{match: match, tmpl: t}, nil
	case "field":
		return parseFieldCheck(match)
	case "http", "https":
		return nil, fmt.Errorf("%w: %q: remote %s checks are not supported", ErrSyntax, word, kind)
	case "":
		return nil, fmt.Errorf("%w: %q has an empty KIND", ErrSyntax, word)
	}
	return parseGenericCheck(kind, match)
}

// parseFieldCheck parses Neutron's RESOURCE:FIELD=VALUE. FIELD may itself
// contain ":" (router:external), so the resource ends at the first ":" and
// the field at the first "=".
func parseFieldCheck(match string) (Check, error) {
	resource, rest, ok := strings.Cut(match, ":")
	if !ok {
		return nil, fmt.Errorf("%w: field:%s is not field:RESOURCE:FIELD=VALUE", ErrSyntax, match)
	}
	field, value, ok := strings.Cut(rest, "=")
	if !ok || field == "" {
		return nil, fmt.Errorf("%w: field:%s is not field:RESOURCE:FIELD=VALUE", ErrSyntax, match)
	}
	c := &fieldCheck{
		match:  match,
		field:  field,
		parent: ownerParent(resource, field),
		value:  value,
	}
	if re, ok := strings.CutPrefix(value, "~"); ok {
		// Python's re.match anchors at the start only.
		compiled, err := regexp.Compile(`^(?:` + re + `)`)
		if err != nil {
			return nil, fmt.Errorf("%w: field:%s: %w", ErrSyntax, match, err)
		}
		c.re, c.hasRegex = compiled, true
		return c, nil
	}
	switch strings.ToLower(value) {
	case "true", "1":
		c.boolVal, c.boolOK = true, true
	case "false", "0":
		c.boolVal, c.boolOK = false, true
	}
	if f, err := strconv.ParseFloat(value, 64); err == nil {
		c.numVal, c.numOK = f, true
	}
	return c, nil
}

// ownerParent is the target key under which a child object carries its
// parent's field: field:networks:shared=True on a subnet reads
// target["network:shared"], the same "network:" prefix Neutron uses for
// tenant_id:%(network:tenant_id)s.
func ownerParent(resource, field string) string {
	singular := strings.TrimSuffix(resource, "s")
	if singular == "" {
		return ""
	}
	return singular + ":" + field
}

// parseGenericCheck parses oslo's GenericCheck. Like oslo (ast.literal_eval)
// a KIND that is a Python literal is compared as a constant; anything else is
// a dotted path into the credentials.
func parseGenericCheck(kind, match string) (Check, error) {
	t, err := parseTemplate(match)
	if err != nil {
		return nil, fmt.Errorf("%w: %s:%s: %w", ErrSyntax, kind, match, err)
	}
	c := &genericCheck{kind: kind, match: match, tmpl: t}
	if lit, ok := pyLiteral(kind); ok {
		c.literal, c.isLiteral = lit, true
		return c, nil
	}
	c.path = strings.Split(kind, ".")
	return c, nil
}

// pyLiteral returns str(ast.literal_eval(s)) for the literals a policy file
// can sensibly use: quoted strings, True, False, None and integers.
func pyLiteral(s string) (string, bool) {
	switch s {
	case "True", "False", "None":
		return s, true
	}
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}
