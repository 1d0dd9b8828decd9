package config

import (
	"fmt"
	"strings"
)

// sampleWidth is where help text wraps, as oslo-config-generator does.
const sampleWidth = 70

// Sample renders a commented sample file in the manner of
// oslo-config-generator: sections in schema order, each option as its help,
// its type and constraints, its deprecated names, then "#name = default"
// commented out. Secret defaults are not shown.
func (s *Schema) Sample() string {
	var b strings.Builder
	for i, sec := range s.sections() {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", sec[0].Section)
		for _, so := range sec {
			b.WriteString("\n")
			so.writeSample(&b)
		}
	}
	return b.String()
}

// sections groups the options by section, sections in order of first use.
func (s *Schema) sections() [][]*schemaOpt {
	var out [][]*schemaOpt
	index := map[string]int{}
	for _, so := range s.opts {
		i, ok := index[so.key.section]
		if !ok {
			i = len(out)
			index[so.key.section] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], so)
	}
	return out
}

func (o *schemaOpt) writeSample(b *strings.Builder) {
	for _, line := range wrapComment(o.Help, sampleWidth) {
		b.WriteString(line + "\n")
	}
	var notes []string
	notes = append(notes, "Type: "+o.Type.String())
	if len(o.Choices) > 0 {
		notes = append(notes, "Allowed values: "+strings.Join(o.Choices, ", "))
	}
	if lo, hi, ok := o.bounds(); ok {
		notes = append(notes, fmt.Sprintf("Minimum value: %d", lo), fmt.Sprintf("Maximum value: %d", hi))
	}
	if o.Required {
		notes = append(notes, "This option is required.")
	}
	for _, d := range o.oldShow {
		notes = append(notes, "Deprecated group/name - "+d)
	}
	for _, n := range notes {
		for _, line := range wrapComment(n, sampleWidth) {
			b.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(b, "#%s =%s\n", o.Name, o.sampleDefault())
}

// bounds returns the effective integer bounds worth printing.
func (o *schemaOpt) bounds() (lo, hi int64, ok bool) {
	switch {
	case o.Type == Port:
		lo, hi, ok = 0, 65535, true
	case o.Type == Int && (o.Min != nil || o.Max != nil):
		lo, hi, ok = -1<<63, 1<<63-1, true
	default:
		return 0, 0, false
	}
	if o.Min != nil && *o.Min > lo {
		lo = *o.Min
	}
	if o.Max != nil && *o.Max < hi {
		hi = *o.Max
	}
	return lo, hi, true
}

// sampleDefault is the text after "#name =", with its leading space.
func (o *schemaOpt) sampleDefault() string {
	switch {
	case o.Secret && o.Default != "":
		return " <secret>"
	case o.Default != "":
		// Continuation lines of a multi-line default stay commented out.
		return " " + strings.ReplaceAll(o.Default, "\n", "\n#    ")
	case o.Type == List || o.Type == Multi:
		return ""
	default:
		return " <None>"
	}
}

// wrapComment word-wraps text into "# "-prefixed lines no longer than
// width (a longer word stays whole); blank lines in text separate
// paragraphs, kept as "#" lines.
func wrapComment(text string, width int) []string {
	var out []string
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		if i > 0 {
			out = append(out, "#")
		}
		line := "#"
		for _, w := range words {
			if len(line) > 1 && len(line)+1+len(w) > width {
				out = append(out, line)
				line = "#"
			}
			line += " " + w
		}
		out = append(out, line)
	}
	return out
}
