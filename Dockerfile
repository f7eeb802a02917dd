# syntax=docker/dockerfile:1

# Build: a static binary (no cgo), so the runtime image needs no libc.
FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so a source change does not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /out/recordroom ./cmd/recordroom

# Run: distroless static has CA certificates (for TLS to Postgres and S3), tzdata and a
# nonroot user (65532), and no shell, so there is no HEALTHCHECK here: probe /healthz and
# /readyz from the orchestrator or load balancer instead.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recordroom /usr/local/bin/recordroom
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/recordroom"]
CMD ["serve"]
