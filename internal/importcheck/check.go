package main

import (
	"fmt"
	"sort"
	"strings"
)

// pkgImports is one package and its direct, non-test imports, both as module-relative paths
// (imports outside the module are left out before they get here).
type pkgImports struct {
	path    string
	imports []string
}

// result is what a check found: problems fail it, notes do not.
type result struct {
	problems []string
	notes    []string
}

// check holds every package's imports against the layout rows and the house rules, the rows
// against the house rules, and the rows against the tree (exists reports whether a folder does).
func check(r *rules, pkgs []pkgImports, exists func(folder string) bool) result {
	var res result
	for _, p := range pkgs {
		rw, ok := r.rowOf(p.path)
		if !ok {
			res.problems = append(res.problems, fmt.Sprintf("%s: no row in the layout table: add one (what it owns, what it may import)", p.path))
			continue
		}
		for _, imp := range p.imports {
			res.checkImport(r, rw, p.path, imp)
		}
	}
	res.checkRows(r, exists)
	sort.Strings(res.problems)
	sort.Strings(res.notes)
	return res
}

func (res *result) checkImport(r *rules, rw row, pkg, imp string) {
	if strings.HasPrefix(imp, pkg+"/") {
		return // its own subpackages (db → db/internal/dbsqlc)
	}
	if to, ok := r.rowOf(imp); ok && to.leaving {
		res.notes = append(res.notes, fmt.Sprintf("%s imports %s, which is leaving (line %d)", pkg, imp, to.line))
		return
	}
	if !anyMatches(rw.allowed, imp) {
		res.problems = append(res.problems, fmt.Sprintf("%s imports %s: its row (line %d, %s) allows only %s",
			pkg, imp, rw.line, rw.text, list(rw.allowed)))
	}
	for _, ru := range r.broken(pkg, imp) {
		res.problems = append(res.problems, fmt.Sprintf("%s imports %s: breaks the rule of the house (line %d) %q",
			pkg, imp, ru.line, ru.text))
	}
}

// checkRows finds rows that allow what a house rule forbids (so the table cannot be loosened
// past the rules), rows for folders that are not there, and planned rows whose folder is.
func (res *result) checkRows(r *rules, exists func(string) bool) {
	for _, rw := range r.rows {
		for _, f := range rw.folders {
			switch {
			case rw.planned && exists(f.path):
				res.problems = append(res.problems, fmt.Sprintf("line %d: %s is marked planned but exists: drop \"(planned…)\"", rw.line, f))
			case !rw.planned && !exists(f.path):
				res.problems = append(res.problems, fmt.Sprintf("line %d: %s does not exist: delete the row, or mark it (planned: …)", rw.line, f))
			}
			for _, a := range rw.allowed {
				for _, ru := range r.broken(f.path, a.path) {
					res.problems = append(res.problems, fmt.Sprintf("line %d: %s may import %s, which the rule of the house (line %d) %q forbids",
						rw.line, f, a, ru.line, ru.text))
				}
			}
		}
	}
}

// rowOf is the row of the longest folder containing pkg.
func (r *rules) rowOf(pkg string) (row, bool) {
	var best row
	found, bestLen := false, -1
	for _, rw := range r.rows {
		for _, f := range rw.folders {
			if f.contains(pkg) && len(f.path) > bestLen {
				best, found, bestLen = rw, true, len(f.path)
			}
		}
	}
	return best, found
}

// broken are the house rules pkg importing imp breaks; none when an exception allows the pair.
func (r *rules) broken(pkg, imp string) []rule {
	for _, ru := range r.house {
		if ru.kind == exception && anyMatches(ru.subjects, pkg) && anyMatches(ru.objects, imp) {
			return nil
		}
	}
	var out []rule
	for _, ru := range r.house {
		if ru.breaks(pkg, imp) {
			out = append(out, ru)
		}
	}
	return out
}

func list(ps []pattern) string {
	if len(ps) == 0 {
		return "no project package"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
