package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/recordroom/recordroom/auth"
)

func tokenCmd(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	var id auth.Identity
	fs.StringVar(&id.UserID, "sub", "", "user id (the token's subject); required")
	fs.StringVar(&id.Email, "email", "", "email claim")
	fs.StringVar(&id.Name, "name", "", "name claim")
	ttl := fs.Duration("ttl", 24*time.Hour, "lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	tok, err := auth.MintHS256([]byte(getenv("RECORDROOM_JWT_SECRET")), id, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
