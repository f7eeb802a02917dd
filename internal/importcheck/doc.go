package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// rules are the two tables of docs/architecture.md.
type rules struct {
	rows  []row
	house []rule
}

// Headers of the two tables, as written in the doc (cells trimmed, lower case).
var (
	layoutHeader = []string{"folder", "owns", "may import"}
	rulesHeader  = []string{"rule", "why"}
)

// parseDoc reads the layout table and the rules table out of the doc's markdown. Either missing
// is an error: a check that found no table would pass everything.
func parseDoc(r io.Reader) (*rules, error) {
	var (
		out     rules
		table   []string // the header of the table being read, nil outside one
		lineNo  int
		errs    []string
		sawRows bool
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			table = nil
			continue
		}
		cells := splitRow(line)
		switch {
		case table == nil:
			table = lower(cells)
			continue
		case isSeparator(cells):
			continue
		}
		switch {
		case slices.Equal(table, layoutHeader):
			sawRows = true
			rw, err := parseLayoutRow(lineNo, cells)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			out.rows = append(out.rows, rw)
		case slices.Equal(table, rulesHeader):
			ru, err := parseRule(lineNo, cells[0])
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			out.house = append(out.house, ru)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawRows {
		errs = append(errs, "no layout table (header | folder | owns | may import |)")
	}
	if len(out.house) == 0 {
		errs = append(errs, "no rules table (header | rule | why |)")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return &out, nil
}

func parseLayoutRow(line int, cells []string) (row, error) {
	if len(cells) != 3 {
		return row{}, fmt.Errorf("line %d: a layout row has 3 cells, this one %d", line, len(cells))
	}
	folder := cells[0]
	// Only the names before a "(planned: …)" or "(leaving: …)" remark are the row's folders.
	folders, _, _ := strings.Cut(folder, "(")
	rw := row{
		line:    line,
		folders: names(folders),
		allowed: names(cells[2]),
		planned: strings.Contains(folder, "(planned"),
		leaving: strings.Contains(folder, "(leaving"),
		text:    folder,
	}
	if len(rw.folders) == 0 {
		return row{}, fmt.Errorf("line %d: no folder in backticks in %q", line, folder)
	}
	return rw, nil
}

// splitRow splits a markdown table row on its unescaped pipes.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cell strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cell.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cell.String()))
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":-") != "" {
			return false
		}
	}
	return true
}

func lower(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ToLower(c)
	}
	return out
}
