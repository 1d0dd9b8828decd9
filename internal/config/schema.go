package config

import (
	"fmt"
	"strings"
)

// Schema is an ordered list of options. Build it once at start-up with
// NewSchema and Add; Load and the getters only read it, so one Schema may be
// loaded from several goroutines once it is complete.
type Schema struct {
	opts  []*schemaOpt
	byKey map[optKey]*schemaOpt
	// oldNames maps a deprecated name to the option that replaced it.
	oldNames map[optKey]*schemaOpt
}

// schemaOpt is an Opt with its parsed default and lookup keys.
type schemaOpt struct {
	Opt
	key     optKey
	def     typedValue // parsed Default; zero when Default == ""
	oldKeys []optKey   // parsed Deprecated, in order
	oldShow []string   // Deprecated as "[SECTION]/name", spelled as given
}

// optKey identifies an option; section is normalized by sectionKey.
type optKey struct{ section, name string }

func (k optKey) String() string { return fmt.Sprintf("[%s] %s", k.section, k.name) }

// sectionKey normalizes a section name. oslo.config looks options up by
// lower-cased group name (so [bgp] and [BGP] are the same group) and keeps
// DEFAULT apart; we also accept any spelling of DEFAULT, and "" means DEFAULT.
func sectionKey(section string) string {
	if section == "" || strings.EqualFold(section, "DEFAULT") {
		return "DEFAULT"
	}
	return strings.ToLower(section)
}

func newKey(section, name string) optKey {
	return optKey{section: sectionKey(section), name: name}
}

// NewSchema returns a schema holding opts, in order.
func NewSchema(opts ...Opt) *Schema {
	s := &Schema{byKey: map[optKey]*schemaOpt{}, oldNames: map[optKey]*schemaOpt{}}
	s.Add(opts...)
	return s
}

// Add appends options to the schema. It panics on a programmer error: an
// empty or duplicate name, a Default that does not fit the type, Choices or
// bounds on a type that has none, or a deprecated name already in use.
func (s *Schema) Add(opts ...Opt) {
	for _, o := range opts {
		so, err := compileOpt(o)
		if err != nil {
			panic(fmt.Sprintf("config: option [%s] %s: %v", o.Section, o.Name, err))
		}
		if s.taken(so.key) {
			panic(fmt.Sprintf("config: option %s defined twice", so.key))
		}
		for _, k := range so.oldKeys {
			if s.taken(k) || k == so.key {
				panic(fmt.Sprintf("config: deprecated name %s of %s already in use", k, so.key))
			}
		}
		s.opts = append(s.opts, so)
		s.byKey[so.key] = so
		for _, k := range so.oldKeys {
			s.oldNames[k] = so
		}
	}
}

func (s *Schema) taken(k optKey) bool {
	return s.byKey[k] != nil || s.oldNames[k] != nil
}

func compileOpt(o Opt) (*schemaOpt, error) {
	if o.Name == "" || strings.ContainsAny(o.Name, "=:[] \t\n") {
		return nil, fmt.Errorf("invalid name %q", o.Name)
	}
	if o.Type < String || o.Type > HostAddr {
		return nil, fmt.Errorf("unknown type %v", o.Type)
	}
	if len(o.Choices) > 0 && o.Type != String {
		return nil, fmt.Errorf("choices on a %v option", o.Type)
	}
	if (o.Min != nil || o.Max != nil) && o.Type != Int && o.Type != Port {
		return nil, fmt.Errorf("bounds on a %v option", o.Type)
	}
	if o.Min != nil && o.Max != nil && *o.Min > *o.Max {
		return nil, fmt.Errorf("min %d above max %d", *o.Min, *o.Max)
	}
	so := &schemaOpt{Opt: o, key: newKey(o.Section, o.Name)}
	if so.key.section == "DEFAULT" {
		so.Section = "DEFAULT"
	}
	// Copy the slices so later changes by the caller cannot reach us.
	so.Choices = append([]string(nil), o.Choices...)
	so.Deprecated = append([]string(nil), o.Deprecated...)
	if o.Default != "" {
		v, err := so.convert(o.Default)
		if err != nil {
			return nil, fmt.Errorf("default: %w", err)
		}
		so.def = v
	}
	for _, d := range o.Deprecated {
		sec, name, ok := strings.Cut(d, "/")
		if !ok {
			sec, name = so.Section, d
		}
		if name == "" || sec == "" {
			return nil, fmt.Errorf("invalid deprecated name %q", d)
		}
		so.oldKeys = append(so.oldKeys, newKey(sec, name))
		so.oldShow = append(so.oldShow, fmt.Sprintf("[%s]/%s", sec, name))
	}
	return so, nil
}

// lookup returns the option for (section, name) or panics: asking for an
// option that is not in the schema is a programmer error.
func (s *Schema) lookup(section, name string) *schemaOpt {
	so := s.byKey[newKey(section, name)]
	if so == nil {
		panic(fmt.Sprintf("config: option [%s] %s is not in the schema", section, name))
	}
	return so
}
