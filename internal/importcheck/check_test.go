package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testDoc is a small architecture doc in the real one's shape.
const testDoc = "# Architecture\n\n" +
	"| folder | owns | may import |\n" +
	"|---|---|---|\n" +
	"| `cmd/x` | main | `app` |\n" +
	"| `app` | the root | `api`, `records`, `db` |\n" +
	"| `api` | routes | `records`, `protocol` |\n" +
	"| `records` / `members` | services | `db`, `protocol`, `internal/ids` |\n" +
	"| `protocol` | the wire | standard library only |\n" +
	"| `db` | the pool | `migrations` |\n" +
	"| `db/internal/gen` | generated | — |\n" +
	"| `migrations` | goose files | — |\n" +
	"| `internal/ids` | ids | — |\n" +
	"| `internal/old` *(leaving: into `protocol`)* | going | — |\n" +
	"| `internal/testdb` | test support | `db`, `migrations` |\n" +
	"| `live` *(planned: a later issue)* | live queries | `protocol` |\n" +
	"\nProse between the tables: `ignored`.\n\n" +
	"| rule | why |\n" +
	"|---|---|\n" +
	"| only `app` imports `api` | one wiring |\n" +
	"| only `cmd/…` import `app` | the top |\n" +
	"| `records`, `members` never import `api` or `app` | no transport |\n" +
	"| `protocol` imports only the standard library | cheap |\n" +
	"| `internal/…` imports only `internal/…` | leaves |\n" +
	"| `internal/testdb` may also import `db`, `migrations` | real migrations |\n"

func mustParse(t *testing.T, doc string) *rules {
	t.Helper()
	r, err := parseDoc(strings.NewReader(doc))
	require.NoError(t, err)
	return r
}

// everything but the planned folder exists
func treeOf(folder string) bool { return folder != "live" }

// goodTree keeps every rule.
var goodTree = []pkgImports{
	{"cmd/x", []string{"app"}},
	{"app", []string{"api", "records", "db"}},
	{"api", []string{"records", "protocol"}},
	{"records", []string{"db", "protocol", "internal/ids", "internal/old"}},
	{"members", []string{"db"}},
	{"protocol", nil},
	{"db", []string{"db/internal/gen", "migrations"}},
	{"db/internal/gen", nil},
	{"migrations", nil},
	{"internal/ids", nil},
	{"internal/old", nil},
	{"internal/testdb", []string{"db", "migrations"}},
}

func TestParseDocReadsBothTables(t *testing.T) {
	t.Parallel()
	r := mustParse(t, testDoc)
	require.Len(t, r.rows, 12)
	services := r.rows[3]
	require.Equal(t, []pattern{{path: "records"}, {path: "members"}}, services.folders)
	require.Equal(t, []pattern{{path: "db"}, {path: "protocol"}, {path: "internal/ids"}}, services.allowed)
	require.Empty(t, r.rows[4].allowed, "standard library only")
	old := r.rows[9]
	require.True(t, old.leaving)
	require.Equal(t, []pattern{{path: "internal/old"}}, old.folders, "a name in the remark is not a folder")
	require.True(t, r.rows[11].planned)

	require.Len(t, r.house, 6)
	require.Equal(t, rule{line: 24, kind: never, subjects: []pattern{{path: "records"}, {path: "members"}},
		objects: []pattern{{path: "api"}, {path: "app"}}, text: "`records`, `members` never import `api` or `app`"}, r.house[2])
	require.Equal(t, stdlibOnly, r.house[3].kind)
	require.Equal(t, []pattern{{path: "internal", subtree: true}}, r.house[4].subjects)
	require.Equal(t, exception, r.house[5].kind)
}

func TestParseDocRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	_, err := parseDoc(strings.NewReader("# nothing here\n"))
	require.ErrorContains(t, err, "no layout table")
	require.ErrorContains(t, err, "no rules table")

	bad := strings.Replace(testDoc, "| only `app` imports `api` |", "| `app` alone should import `api` |", 1)
	_, err = parseDoc(strings.NewReader(bad))
	require.ErrorContains(t, err, "cannot read the rule")

	noFolder := strings.Replace(testDoc, "| `migrations` | goose files | — |", "| migrations | goose files | — |", 1)
	_, err = parseDoc(strings.NewReader(noFolder))
	require.ErrorContains(t, err, "no folder in backticks")
}

func TestCheckPassesAGoodTree(t *testing.T) {
	t.Parallel()
	res := check(mustParse(t, testDoc), goodTree, treeOf)
	require.Empty(t, res.problems)
	require.Equal(t, []string{"records imports internal/old, which is leaving (line 14)"}, res.notes)
}

// Each kind of mistake fails the check with a message that names the package, the import and
// the line of the doc that forbids it.
func TestCheckNamesEveryForbiddenImport(t *testing.T) {
	t.Parallel()
	r := mustParse(t, testDoc)
	cases := []struct {
		name string
		pkg  pkgImports
		want []string
	}{
		{"a service imports the API", pkgImports{"records", []string{"api"}}, []string{
			"records imports api: breaks the rule of the house (line 22) \"only `app` imports `api`\"",
			"records imports api: breaks the rule of the house (line 24)",
			"records imports api: its row (line 8, `records` / `members`) allows only db, protocol, internal/ids",
		}},
		{"the API imports the root", pkgImports{"api", []string{"app"}}, []string{
			"api imports app: breaks the rule of the house (line 23)",
			"api imports app: its row (line 7, `api`) allows only records, protocol",
		}},
		{"protocol imports a project package", pkgImports{"protocol", []string{"internal/ids"}}, []string{
			"protocol imports internal/ids: breaks the rule of the house (line 25)",
			"protocol imports internal/ids: its row (line 9, `protocol`) allows only no project package",
		}},
		{"an internal helper reaches up", pkgImports{"internal/ids", []string{"db"}}, []string{
			"internal/ids imports db: breaks the rule of the house (line 26)",
			"internal/ids imports db: its row (line 13, `internal/ids`) allows only no project package",
		}},
		{"only the table forbids it", pkgImports{"members", []string{"migrations"}}, []string{
			"members imports migrations: its row (line 8, `records` / `members`) allows only db, protocol, internal/ids",
		}},
		{"a package with no row", pkgImports{"newthing", nil}, []string{
			"newthing: no row in the layout table",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := check(r, append(append([]pkgImports(nil), goodTree...), tc.pkg), treeOf)
			require.Len(t, res.problems, len(tc.want), strings.Join(res.problems, "\n"))
			for i, want := range tc.want {
				require.Contains(t, res.problems[i], want)
			}
		})
	}
}

// The table itself cannot be loosened past the rules of the house, and it must match the tree.
func TestCheckHoldsTheTableToTheRulesAndTheTree(t *testing.T) {
	t.Parallel()
	loose := strings.Replace(testDoc, "| `db`, `protocol`, `internal/ids` |", "| `db`, `protocol`, `internal/ids`, `app` |", 1)
	res := check(mustParse(t, loose), goodTree, treeOf)
	require.Contains(t, strings.Join(res.problems, "\n"),
		"line 8: records may import app, which the rule of the house (line 23) \"only `cmd/…` import `app`\" forbids")

	res = check(mustParse(t, testDoc), goodTree, func(folder string) bool { return folder != "migrations" })
	require.Contains(t, res.problems, "line 16: live is marked planned but exists: drop \"(planned…)\"")
	require.Contains(t, res.problems, "line 12: migrations does not exist: delete the row, or mark it (planned: …)")
}

func TestParseListKeepsTheModulesOwnImports(t *testing.T) {
	t.Parallel()
	listing := "example.org/m/api example.org/m/records fmt github.com/labstack/echo/v4\nexample.org/m/records\n\n"
	pkgs, err := parseList([]byte(listing), "example.org/m")
	require.NoError(t, err)
	require.Equal(t, []pkgImports{{"api", []string{"records"}}, {"records", nil}}, pkgs)

	_, err = parseList([]byte("other.org/x fmt\n"), "example.org/m")
	require.ErrorContains(t, err, "not in module")
	_, err = parseList(nil, "example.org/m")
	require.ErrorContains(t, err, "no packages")
}

func TestSplitRowKeepsEscapedPipes(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"`a`", "up|down", "x"}, splitRow("| `a` | up\\|down | x |"))
}

// The project's own doc parses, and every package of the module has a row in it: the tables
// make check holds the tree to are readable, whatever the tree.
func TestTheProjectsDocParses(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../../docs/architecture.md")
	require.NoError(t, err)
	defer f.Close()
	r, err := parseDoc(f)
	require.NoError(t, err)
	for _, folder := range []string{"app", "api", "realtime", "records", "protocol", "internal/importcheck", "bench", "cmd/recordroom"} {
		_, ok := r.rowOf(folder)
		require.True(t, ok, folder)
	}
	res := check(r, nil, func(string) bool { return true })
	for _, p := range res.problems {
		require.NotContains(t, p, "forbids", "the table allows only what the rules of the house allow")
	}
}

// The README's short folder list names exactly the folders of docs/architecture.md's layout.
func TestTheReadmeListsTheSameFolders(t *testing.T) {
	t.Parallel()
	doc, err := os.Open("../../docs/architecture.md")
	require.NoError(t, err)
	defer doc.Close()
	r, err := parseDoc(doc)
	require.NoError(t, err)
	want := map[string]bool{}
	for _, rw := range r.rows {
		for _, f := range rw.folders {
			want[f.String()] = true
		}
	}

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	got := map[string]bool{}
	inTable := false
	for line := range strings.Lines(string(readme)) {
		line = strings.TrimSpace(line)
		cells := splitRow(line)
		switch {
		case !strings.HasPrefix(line, "|"):
			inTable = false
		case slices.Equal(lower(cells), []string{"folder", "owns"}):
			inTable = true
		case inTable && !isSeparator(cells):
			folders, _, _ := strings.Cut(cells[0], "(")
			for _, f := range names(folders) {
				got[f.String()] = true
			}
		}
	}
	require.Equal(t, want, got, "README.md's folder table and docs/architecture.md's layout table")
}
