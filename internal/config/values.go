package config

import (
	"fmt"
	"net/netip"
	"slices"
)

// Values holds the options read by Load or Parse. Getters take the section
// and name as in the schema (section names match case-insensitively, as in
// files) and panic if the option is not in the schema or is read with a
// getter of another type: both are programmer errors. An option no file set
// reads as its default, or as the type's zero value without one.
//
// Values is safe for concurrent reads; Set must not run concurrently with
// anything else.
type Values struct {
	schema   *Schema
	slots    map[optKey]*slot
	unknown  []string
	warnings []string
}

// slot is the current value of one option and where it came from.
type slot struct {
	val   typedValue
	file  int // index of the file that set it; Set uses a higher one
	prio  int // 0 for the current name, 1+i for Deprecated[i]
	multi []string
}

// setByCommandLine ranks Set above every file.
const setByCommandLine = int(^uint(0) >> 1)

// store records a value: for a single-valued option the value from a later
// file wins, and inside one file the current name wins over deprecated ones
// (as oslo looks names up); Multi options keep every value in order.
func (v *Values) store(so *schemaOpt, tv typedValue, file, prio int) {
	sl := v.slots[so.key]
	if sl == nil {
		sl = &slot{file: file, prio: prio, val: tv}
		v.slots[so.key] = sl
	} else if file > sl.file || prio <= sl.prio {
		sl.val, sl.file, sl.prio = tv, file, prio
	}
	if so.Type == Multi {
		sl.multi = append(sl.multi, tv.str)
	}
}

// Set overrides an option, as a command-line flag would: the value is
// validated like a file value and wins over every file. For a Multi option
// each call adds one value to those from the files.
func (v *Values) Set(section, name, value string) error {
	so := v.schema.byKey[newKey(section, name)]
	if so == nil {
		return &Error{Section: section, Name: name, Err: ErrUnknownOption}
	}
	tv, err := so.convert(value)
	if err != nil {
		return &Error{Section: so.Section, Name: so.Name, Err: err}
	}
	v.store(so, tv, setByCommandLine, 0)
	return nil
}

// get returns the option and its value (the default when unset), checking
// that the caller reads it with a getter for its type.
func (v *Values) get(section, name string, types ...Type) (*schemaOpt, typedValue) {
	so := v.schema.lookup(section, name)
	if !slices.Contains(types, so.Type) {
		panic(fmt.Sprintf("config: option %s is a %v option, not %v", so.key, so.Type, types))
	}
	if sl := v.slots[so.key]; sl != nil {
		return so, sl.val
	}
	return so, so.def
}

// String returns the text of any option but a Multi one; for List options
// it is the unsplit text.
func (v *Values) String(section, name string) string {
	_, tv := v.get(section, name, String, Int, Bool, Float, List, Port, IPAddr, HostAddr)
	return tv.str
}

// Int returns an Int or Port option; 0 when unset or written empty.
func (v *Values) Int(section, name string) int64 {
	_, tv := v.get(section, name, Int, Port)
	return tv.int
}

// Float returns a Float option; 0 when unset or written empty.
func (v *Values) Float(section, name string) float64 {
	_, tv := v.get(section, name, Float)
	return tv.float
}

// Bool returns a Bool option; false when unset.
func (v *Values) Bool(section, name string) bool {
	_, tv := v.get(section, name, Bool)
	return tv.bool
}

// List returns a List option's items; nil when unset or empty. The slice is
// the caller's to keep.
func (v *Values) List(section, name string) []string {
	_, tv := v.get(section, name, List)
	return slices.Clone(tv.list)
}

// Multi returns every value of a Multi option, from all files in order,
// then those given to Set; the default when none was.
func (v *Values) Multi(section, name string) []string {
	so, tv := v.get(section, name, Multi)
	if sl := v.slots[so.key]; sl != nil {
		return slices.Clone(sl.multi)
	}
	return slices.Clone(tv.list)
}

// Addr returns an IPAddr option, or a HostAddr option written as an IP
// address; the zero netip.Addr when unset or a host name.
func (v *Values) Addr(section, name string) netip.Addr {
	_, tv := v.get(section, name, IPAddr, HostAddr)
	return tv.addr
}

// IsSet reports whether a file or Set gave the option a value (an empty
// Int, Port or Float value, which oslo reads as None, does not count).
func (v *Values) IsSet(section, name string) bool {
	so := v.schema.lookup(section, name)
	sl := v.slots[so.key]
	return sl != nil && !sl.val.empty
}

// Unknown lists, as "file:line: [SECTION] name", the options found in the
// files that the schema does not know, in file order.
func (v *Values) Unknown() []string { return slices.Clone(v.unknown) }

// Warnings lists, as "file:line: ...", the uses of deprecated option names.
func (v *Values) Warnings() []string { return slices.Clone(v.warnings) }
