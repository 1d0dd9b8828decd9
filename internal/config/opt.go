package config

import "fmt"

// Type is the type of an option's value; it decides how values are
// validated and which getter reads them.
type Type int

// The option types. The zero value is String.
const (
	String   Type = iota // any text; read with Values.String
	Int                  // signed 64-bit decimal; read with Values.Int
	Bool                 // true/false/yes/no/on/off/1/0, any case; Values.Bool
	Float                // decimal or exponent notation; Values.Float
	List                 // comma-separated, items trimmed; Values.List
	Multi                // one value per repeated line; Values.Multi
	Port                 // integer 0..65535; Values.Int
	IPAddr               // IPv4 or IPv6 address; Values.Addr
	HostAddr             // IP address or DNS host name; Values.String
)

var typeNames = [...]string{
	String:   "string",
	Int:      "integer",
	Bool:     "boolean",
	Float:    "floating point",
	List:     "list",
	Multi:    "multi-valued",
	Port:     "port number",
	IPAddr:   "IP address",
	HostAddr: "host address",
}

func (t Type) String() string {
	if t < 0 || int(t) >= len(typeNames) {
		return fmt.Sprintf("Type(%d)", int(t))
	}
	return typeNames[t]
}

// Opt describes one option a program understands.
type Opt struct {
	Section, Name string // Section "" means DEFAULT
	Type          Type
	// Default is the value as it would be written in a file; "" means the
	// option has no default (getters return the zero value). A Multi
	// default is a single value.
	Default  string
	Help     string
	Required bool     // Load fails unless a file sets it (a Default also does)
	Secret   bool     // the value is never shown in errors or samples
	Choices  []string // allowed values, String options only
	Min, Max *int64   // inclusive bounds, Int and Port options only
	// Deprecated lists older names still accepted, with a warning:
	// "SECTION/name", or "name" for the option's own section.
	Deprecated []string
}

// Bound returns a pointer to n, for Opt.Min and Opt.Max literals.
func Bound(n int64) *int64 { return &n }
