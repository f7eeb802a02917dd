package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/recordroom/recordroom/app"
)

func serve(ctx context.Context, getenv func(string) string) error {
	cfg, err := app.LoadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(logger)
	return app.Run(ctx, cfg, app.Options{Logger: logger})
}
