package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A pattern names project packages by their path below the module: "db" is db alone, "internal/…"
// is internal and every package below it.
type pattern struct {
	path    string
	subtree bool
}

func parsePattern(s string) pattern {
	s = strings.TrimSpace(s)
	for _, suffix := range []string{"/…", "/..."} {
		if strings.HasSuffix(s, suffix) {
			return pattern{path: strings.TrimSuffix(s, suffix), subtree: true}
		}
	}
	return pattern{path: strings.TrimSuffix(s, "/")}
}

func (p pattern) matches(pkg string) bool {
	return pkg == p.path || (p.subtree && strings.HasPrefix(pkg, p.path+"/"))
}

// contains is whether pkg lies in the folder p names (the row a package belongs to).
func (p pattern) contains(pkg string) bool {
	return pkg == p.path || strings.HasPrefix(pkg, p.path+"/")
}

func (p pattern) String() string {
	if p.subtree {
		return p.path + "/…"
	}
	return p.path
}

func anyMatches(ps []pattern, pkg string) bool {
	for _, p := range ps {
		if p.matches(pkg) {
			return true
		}
	}
	return false
}

// row is one line of the layout table.
type row struct {
	line    int
	folders []pattern
	allowed []pattern
	planned bool
	leaving bool
	text    string // the folder cell, for messages
}

// ruleKind is what a rule of the house says.
type ruleKind int

const (
	onlyImporters ruleKind = iota // only S import O
	never                         // S never import O
	importsOnly                   // S import only O
	stdlibOnly                    // S import only the standard library
	exception                     // S may also import O, whatever the rules above say
)

// rule is one line of the rules table.
type rule struct {
	line     int
	kind     ruleKind
	subjects []pattern
	objects  []pattern
	text     string
}

// breaks reports whether pkg importing imp goes against r (exceptions never do).
func (r rule) breaks(pkg, imp string) bool {
	switch r.kind {
	case onlyImporters:
		return anyMatches(r.objects, imp) && !anyMatches(r.subjects, pkg)
	case never:
		return anyMatches(r.subjects, pkg) && anyMatches(r.objects, imp)
	case importsOnly:
		return anyMatches(r.subjects, pkg) && !anyMatches(r.objects, imp)
	case stdlibOnly:
		return anyMatches(r.subjects, pkg)
	}
	return false
}

var (
	ticked = regexp.MustCompile("`([^`]+)`")
	// A run of backticked names joined by commas, "and" or "or": one list in a rule.
	tickedList = regexp.MustCompile("`[^`]+`(?:(?:,\\s*(?:and|or)\\s+|,\\s*|\\s+(?:and|or)\\s+)`[^`]+`)*")
)

// names are the backticked names in a cell.
func names(cell string) []pattern {
	var out []pattern
	for _, m := range ticked.FindAllStringSubmatch(cell, -1) {
		out = append(out, parsePattern(m[1]))
	}
	return out
}

// parseRule reads one rule: each list of names becomes "@", and what is left must be one of the
// few sentences the check knows. Anything else is an error, not a rule silently skipped.
func parseRule(line int, text string) (rule, error) {
	var lists [][]pattern
	shape := tickedList.ReplaceAllStringFunc(text, func(list string) string {
		lists = append(lists, names(list))
		return "@"
	})
	shape = strings.ToLower(strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(shape), ".")), " "))
	r := rule{line: line, text: text}
	switch shape {
	case "only @ import @", "only @ imports @":
		r.kind = onlyImporters
	case "@ never import @", "@ never imports @":
		r.kind = never
	case "@ import only @", "@ imports only @":
		r.kind = importsOnly
	case "@ import only the standard library", "@ imports only the standard library":
		r.kind = stdlibOnly
		r.subjects = lists[0]
		return r, nil
	case "@ may also import @":
		r.kind = exception
	default:
		return rule{}, fmt.Errorf("line %d: cannot read the rule %q: write it as `only A imports B`, `A never imports B`, "+
			"`A imports only B`, `A imports only the standard library` or `A may also import B`", line, text)
	}
	r.subjects, r.objects = lists[0], lists[1]
	return r, nil
}
