package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/recordroom/recordroom/internal/config"
	"github.com/recordroom/recordroom/internal/server"
)

func serve(ctx context.Context, getenv func(string) string) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(logger)
	return server.Run(ctx, cfg, server.Options{Logger: logger})
}
