package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/recordroom/recordroom/bench"
)

// benchCmd runs `recordroom bench`: the table goes to stdout, and with --json one JSON object
// as its last line; progress goes to stderr.
func benchCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg bench.Config
	fs.StringVar(&cfg.URL, "url", "", "a running replica to drive (default: start two in this process on a fresh database in DATABASE_URL's server)")
	fs.StringVar(&cfg.URL2, "url2", "", "a second replica of the same deployment, for cross-replica delivery (with --url)")
	fs.StringVar(&cfg.Secret, "secret", "", "the HS256 secret of the replicas at --url (default $RECORDROOM_JWT_SECRET)")
	fs.IntVar(&cfg.Concurrency, "concurrency", bench.DefaultConcurrency, "clients writing at once (baseline, mutations, delivery writers)")
	fs.DurationVar(&cfg.Duration, "duration", bench.DefaultDuration, "measured time per scenario, after a warm-up of a fifth of it (at most 1s)")
	fs.IntVar(&cfg.Subscribers, "subscribers", bench.DefaultSubscribers, "subscribed sockets in the fan-out room")
	fs.IntVar(&cfg.Idle, "idle", bench.DefaultIdle, "idle subscribed sockets whose memory is measured")
	fs.IntVar(&cfg.Rate, "rate", bench.DefaultRate, "writes per second in the delivery, feed and rooms scenarios")
	fs.IntVar(&cfg.ManySubs, "many-subs", bench.DefaultManySubs, "equality-filtered subscriptions in the many-subs room")
	fs.IntVar(&cfg.Rooms, "rooms", bench.DefaultRooms, "rooms, of one subscriber each, in the rooms scenario")
	scenarios := fs.String("scenarios", strings.Join(bench.ScenarioNames(), ","), "comma-separated scenarios to run")
	short := fs.Bool("short", false, fmt.Sprintf("a quick check: --duration %s --subscribers %d --idle %d --many-subs %d --rooms %d, unless given",
		bench.ShortDuration, bench.ShortSubscribers, bench.ShortIdle, bench.ShortManySubs, bench.ShortRooms))
	asJSON := fs.Bool("json", false, "print the result as one JSON object on the last line")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (clients and, without --url, the replicas) to `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *short {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for name, set := range map[string]func(){
			"duration":    func() { cfg.Duration = bench.ShortDuration },
			"subscribers": func() { cfg.Subscribers = bench.ShortSubscribers },
			"idle":        func() { cfg.Idle = bench.ShortIdle },
			"many-subs":   func() { cfg.ManySubs = bench.ShortManySubs },
			"rooms":       func() { cfg.Rooms = bench.ShortRooms },
		} {
			if !given[name] {
				set()
			}
		}
	}
	if cfg.Secret == "" {
		cfg.Secret = getenv("RECORDROOM_JWT_SECRET")
	}
	cfg.Scenarios = strings.Split(*scenarios, ",")
	cfg.DatabaseURL = getenv("DATABASE_URL")
	cfg.ServerEnv = bench.ServerEnvFrom(os.Environ())
	cfg.Progress = os.Stderr
	if exe, err := os.Executable(); err == nil {
		cfg.ServeCommand = []string{exe, "serve"}
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	return printBench(stdout, res, *asJSON)
}

func printBench(stdout io.Writer, res *bench.Result, asJSON bool) error {
	if err := res.WriteTable(stdout); err != nil {
		return err
	}
	if asJSON {
		line, err := res.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("%d scenarios failed: %s", len(res.Errors), strings.Join(res.Errors, "; "))
	}
	return nil
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
