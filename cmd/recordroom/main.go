// Command recordroom runs the RecordRoom server and its tools.
//
//	recordroom serve                      run a replica (configured by the environment)
//	recordroom migrate up|down|status     manage the database schema
//	recordroom token --sub ID ...         print a development token
//	recordroom bench [flags]              measure throughput, latency and memory (docs/performance.md)
//	recordroom version                    print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=..."; else the module version.
var version = ""

const usage = `usage: recordroom <command> [arguments]

commands:
  serve                          run a server replica, configured by the environment (see README)
  migrate up|down|status         apply, roll back one, or list database migrations (DATABASE_URL)
  reporting grant ROLE           let an existing role read the reporting views, and nothing else
  token --sub ID [--email E] [--name N] [--ttl 24h]
                                 print an HS256 token signed with RECORDROOM_JWT_SECRET
  bench [--url U] [--json] ...   measure throughput, latency and memory (docs/performance.md)
  version                        print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "recordroom: %s\n", oneLine(err))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, getenv)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout, getenv)
	case "reporting":
		return reportingCmd(ctx, args[1:], stdout, getenv)
	case "token":
		return tokenCmd(args[1:], stdout, getenv)
	case "bench":
		return benchCmd(ctx, args[1:], stdout, getenv)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// oneLine folds a multi-line error (pgx lists every address it tried, errors.Join one problem a
// line) into the single line an operator greps for.
func oneLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
