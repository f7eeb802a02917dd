// Command watch subscribes to a collection of a RecordRoom room and prints every change, one
// line each, reconnecting by itself when the connection drops:
//
//	go run ./examples/watch -url http://localhost:8080 -room r1 -token $TOKEN -collection tasks \
//		-where '{"status":"active"}'
//
// Lines read "+ id v1 {data}" (entered the result), "~ id v2 {data}" (changed) and "- id" (left
// it); connection changes go to stderr, starting with "#".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/recordroom/recordroom/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(1)
	}
}

// run watches until ctx ends (nil) or the subscription does (its error).
func run(ctx context.Context, args []string, out, log io.Writer) error {
	flags := flag.NewFlagSet("watch", flag.ContinueOnError)
	flags.SetOutput(log)
	baseURL := flags.String("url", "http://localhost:8080", "the RecordRoom server")
	room := flags.String("room", "", "the room (required)")
	token := flags.String("token", os.Getenv("RECORDROOM_TOKEN"), "a JWT (default $RECORDROOM_TOKEN)")
	collection := flags.String("collection", "", "the collection to watch (required)")
	where := flags.String("where", "", "a where-object as JSON, e.g. '{\"status\":\"active\"}'")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *room == "" || *collection == "" {
		return errors.New("-room and -collection are required")
	}
	opts := client.Options{OnStateChange: func(ch client.StateChange) {
		fmt.Fprintf(log, "# %s %v\n", ch.State, ch.Err)
	}}
	if *token != "" {
		opts.TokenSource = client.StaticToken(*token)
	}
	var q client.Query
	if *where != "" {
		q.Where = json.RawMessage(*where)
	}

	c, err := client.Dial(ctx, *baseURL, *room, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, *collection, q)
	if err != nil {
		return err
	}
	held := map[string]string{} // id → what was last printed of it
	for {
		printChanges(out, sub.Records(), held)
		select {
		case <-sub.Changed():
		case <-sub.Done():
			return sub.Err()
		case <-ctx.Done():
			return nil
		}
	}
}

// printChanges prints how records differ from held, and makes held match them.
func printChanges(out io.Writer, records []client.Record, held map[string]string) {
	seen := make(map[string]bool, len(records))
	for _, r := range records {
		seen[r.ID] = true
		line := fmt.Sprintf("%s v%d %s", r.ID, r.Version, r.Data)
		before, ok := held[r.ID]
		switch {
		case !ok:
			fmt.Fprintln(out, "+", line)
		case before != line:
			fmt.Fprintln(out, "~", line)
		}
		held[r.ID] = line
	}
	for id := range held {
		if !seen[id] {
			fmt.Fprintln(out, "-", id)
			delete(held, id)
		}
	}
}
