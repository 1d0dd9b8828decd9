package policy

import (
	"strings"
)

// SampleYAML renders defaults as oslopolicy-sample-generator does: for each
// rule its description, the operations it governs, then the rule itself
// commented out, so the file changes nothing until an operator uncomments a
// line.
func SampleYAML(defaults []Default) string {
	var b strings.Builder
	for _, d := range defaults {
		writeHelp(&b, d.Description)
		for _, op := range d.Operations {
			if op.Method != "" && op.Path != "" {
				b.WriteString("# " + op.Method + "  " + op.Path + "\n")
			}
		}
		b.WriteString("#" + yamlQuote(d.Name) + ": " + yamlQuote(d.Check) + "\n\n")
	}
	return b.String()
}

// writeHelp wraps the description at 70 columns behind "# ", paragraphs
// separated by "#" lines, like oslo's _format_help_text.
func writeHelp(b *strings.Builder, description string) {
	description = strings.TrimSpace(description)
	if description == "" {
		b.WriteString("#\n")
		return
	}
	for i, para := range strings.Split(description, "\n\n") {
		if i > 0 {
			b.WriteString("#\n")
		}
		line := "#"
		for _, w := range strings.Fields(para) {
			if len(line) > 1 && len(line)+1+len(w) > 70 {
				b.WriteString(line + "\n")
				line = "#"
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
}

// yamlQuote double-quotes s for YAML (and JSON).
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}
