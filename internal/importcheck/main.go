// Command importcheck fails when a package of the module imports a project package that
// docs/architecture.md does not allow it to. It reads the doc's layout table (folder, owns, may
// import) and its rules of the house, lists each package's direct, non-test imports with
// `go list`, and names every package and import that breaks them. `make check` runs it from
// the module root:
//
//	go run ./internal/importcheck [-doc docs/architecture.md] [-imports file]
//
// -imports reads `go list -f '{{.ImportPath}} {{join .Imports " "}}'` output from a file ("-":
// stdin) instead of running go list. The tables' syntax is described at the top of the doc.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	doc := flag.String("doc", "docs/architecture.md", "the architecture doc whose tables are the rules")
	imports := flag.String("imports", "", "go list output to check instead of running go list (- for stdin)")
	flag.Parse()
	if err := run(*doc, *imports, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(docPath, importsPath string, stdout io.Writer) error {
	module, err := modulePath("go.mod")
	if err != nil {
		return err
	}
	f, err := os.Open(docPath)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := parseDoc(f)
	if err != nil {
		return fmt.Errorf("%s:\n%w", docPath, err)
	}
	listing, err := goList(importsPath)
	if err != nil {
		return err
	}
	pkgs, err := parseList(listing, module)
	if err != nil {
		return err
	}
	res := check(r, pkgs, func(folder string) bool {
		info, err := os.Stat(filepath.FromSlash(folder))
		return err == nil && info.IsDir()
	})
	for _, n := range res.notes {
		fmt.Fprintln(stdout, "importcheck: note:", n)
	}
	if len(res.problems) > 0 {
		return fmt.Errorf("importcheck: imports that %s does not allow:\n  %s", docPath, strings.Join(res.problems, "\n  "))
	}
	return nil
}

// goList is `go list`'s package and import listing, or the file that holds one.
func goList(path string) ([]byte, error) {
	switch path {
	case "":
		// -e: a package that does not build (an import cycle, say) is still listed, so the
		// check can name the import that broke the rules; the build itself fails in vet.
		cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	case "-":
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

// parseList reads "importpath import import…" lines, keeping only the module's own packages,
// as paths below the module.
func parseList(listing []byte, module string) ([]pkgImports, error) {
	var pkgs []pkgImports
	sc := bufio.NewScanner(bytes.NewReader(listing))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		path, ok := relative(fields[0], module)
		if !ok {
			return nil, fmt.Errorf("go list: %s is not in module %s", fields[0], module)
		}
		p := pkgImports{path: path}
		for _, imp := range fields[1:] {
			if rel, ok := relative(imp, module); ok {
				p.imports = append(p.imports, rel)
			}
		}
		pkgs = append(pkgs, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, errors.New("go list: no packages")
	}
	return pkgs, nil
}

// relative is path below module; the module's root package would be "".
func relative(path, module string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// modulePath is the module line of go.mod.
func modulePath(gomod string) (string, error) {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("%w (run from the module root)", err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}
