# RecordRoom: `make run` starts a server on :8080, `make test` runs every test.
# Without DATABASE_URL both use a private PostgreSQL cluster under .data/postgres (scripts/devpg).

GO        ?= go
TESTFLAGS ?= -race -count=1 -timeout 20m
BIN       := bin/recordroom

.PHONY: build run bench test node-deps check generate generated-check vet fmt-check imports token db-url db-stop clean

build:
	$(GO) build -o $(BIN) ./cmd/recordroom

## run: start a server on :8080 in development mode (RECORDROOM_DEV=true: a dev token secret when
## none is configured, localhost CORS), on a local Postgres when DATABASE_URL is unset
run: build
	scripts/run

## bench: measure throughput, latency and memory against raw Postgres (docs/performance.md), on a
## database it creates beside DATABASE_URL's or in the local cluster; BENCHFLAGS='--json' etc.
bench: build
	DATABASE_URL="$${DATABASE_URL:-$$(scripts/devpg url)}" $(BIN) bench $(BENCHFLAGS)

## test: the whole suite, against RECORDROOM_TEST_DATABASE_URL or the local cluster; the TLS
## tests verify the server's certificate with RECORDROOM_TEST_PG_CA (the local cluster's CA)
test: node-deps
	if [ -z "$${RECORDROOM_TEST_DATABASE_URL:-}" ]; then \
		RECORDROOM_TEST_DATABASE_URL="$$(scripts/devpg url)" || exit 1; \
		RECORDROOM_TEST_PG_CA="$${RECORDROOM_TEST_PG_CA:-$$(scripts/devpg ca)}"; \
	fi; \
	RECORDROOM_TEST_DATABASE_URL="$$RECORDROOM_TEST_DATABASE_URL" RECORDROOM_TEST_PG_CA="$${RECORDROOM_TEST_PG_CA:-}" \
		$(GO) test $(TESTFLAGS) ./...

## node-deps: the pinned real yjs the tests check against (npm ci, when a lock changed): the
## clients the realtime tests drive, and the yjs codec's fixture tools
YJSNODE := realtime/testdata/yjsnode
YJSGEN  := yjs/testdata/gen
node-deps: $(YJSNODE)/node_modules/.package-lock.json $(YJSGEN)/node_modules/.package-lock.json
%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	npm ci --prefix $* --no-audit --no-fund --loglevel=error

## bench-yjs: the Go yjs codec and real yjs on the same 20,000-keystroke history, in one run
## (docs/performance.md)
bench-yjs: node-deps
	cd $(YJSGEN) && node bench.mjs
	$(GO) test -run '^$$' -bench 'Typing' -benchtime 20x ./yjs/

## check: what CI checks besides the tests
check: fmt-check imports vet generated-check

## imports: every package's direct imports against docs/architecture.md's layout table and rules
## of the house (internal/importcheck reads them from the doc: the doc is the rule)
imports:
	@$(GO) run ./internal/importcheck

## generate: regenerate the sqlc code in db/internal/dbsqlc from queries/ and migrations/
generate:
	$(GO) tool sqlc generate

generated-check:
	@$(GO) tool sqlc diff || { echo "generated code is stale: run make generate and commit it"; exit 1; }

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/internal/dbsqlc/')); \
		if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

## token: print a development token for SUB (default alice), signed with the dev secret that
## `make run` made (RECORDROOM_DATA_DIR/jwt-secret), or with RECORDROOM_JWT_SECRET when set
token: build
	@secret_file="$${RECORDROOM_DATA_DIR:-.data}/jwt-secret"; \
	if [ -z "$${RECORDROOM_JWT_SECRET:-}" ] && [ ! -s "$$secret_file" ]; then \
		echo "token: no $$secret_file yet: start the server once with make run (or set RECORDROOM_JWT_SECRET)" >&2; exit 1; \
	fi; \
	RECORDROOM_JWT_SECRET="$${RECORDROOM_JWT_SECRET:-$$(cat "$$secret_file")}" \
		$(BIN) token --sub "$${SUB:-alice}" $${EMAIL:+--email "$$EMAIL"} $${NAME:+--name "$$NAME"}

## db-url: start the local cluster if needed and print its DATABASE_URL
db-url:
	@scripts/devpg url

db-stop:
	scripts/devpg stop

clean:
	rm -rf bin
