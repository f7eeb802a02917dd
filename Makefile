# RecordRoom: `make run` starts a server on :8080, `make test` runs every test.
# Without DATABASE_URL both use a private PostgreSQL cluster under .data/postgres (scripts/devpg).

GO        ?= go
TESTFLAGS ?= -race -count=1 -timeout 20m
BIN       := bin/recordroom

.PHONY: build run bench test test-js e2e node-deps js-build size widget check generate generated-check vet fmt-check imports token db-url db-stop clean

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
## tests verify the server's certificate with RECORDROOM_TEST_PG_CA (the local cluster's CA).
## The Go tests first; then, never beside them on a small machine, the JS packages' tests and
## the browser tests, one at a time (both start the server binary, hence build)
test: node-deps build
	if [ -z "$${RECORDROOM_TEST_DATABASE_URL:-}" ]; then \
		RECORDROOM_TEST_DATABASE_URL="$$(scripts/devpg url)" || exit 1; \
		RECORDROOM_TEST_PG_CA="$${RECORDROOM_TEST_PG_CA:-$$(scripts/devpg ca)}"; \
	fi; \
	export RECORDROOM_TEST_DATABASE_URL RECORDROOM_TEST_PG_CA="$${RECORDROOM_TEST_PG_CA:-}"; \
	$(GO) test $(TESTFLAGS) ./... && \
	npm test --prefix js && \
	npm run e2e --prefix js/e2e

## test-js, e2e: only the JS packages' tests, or only the browser tests (headless Chromium at
## /usr/bin/chromium, or $$CHROMIUM), against the local cluster unless RECORDROOM_TEST_DATABASE_URL
test-js: node-deps build
	RECORDROOM_TEST_DATABASE_URL="$${RECORDROOM_TEST_DATABASE_URL:-$$(scripts/devpg url)}" npm test --prefix js
e2e: node-deps build
	RECORDROOM_TEST_DATABASE_URL="$${RECORDROOM_TEST_DATABASE_URL:-$$(scripts/devpg url)}" npm run e2e --prefix js/e2e

## node-deps: the pinned npm packages (npm ci, when a lock changed): the real yjs clients the
## realtime tests drive, the yjs codec's fixture tools, and the js/ workspace (@recordroom/client,
## @recordroom/react, the browser tests), whose packages it then builds
YJSNODE := realtime/testdata/yjsnode
YJSGEN  := yjs/testdata/gen
node-deps: $(YJSNODE)/node_modules/.package-lock.json $(YJSGEN)/node_modules/.package-lock.json js-build
%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	npm ci --prefix $* --no-audit --no-fund --loglevel=error
# The workspace's lock covers every package.json under js/.
js/node_modules/.package-lock.json: js/package-lock.json $(wildcard js/*/package.json)
	npm ci --prefix js --no-audit --no-fund --loglevel=error

## js-build: @recordroom/client and @recordroom/react into their dist/ (tsc), when a source changed
JS_DIST := js/client/dist/index.js js/react/dist/index.js
js-build: $(JS_DIST)
$(JS_DIST) &: js/node_modules/.package-lock.json $(shell find js/client/src js/react/src -type f 2>/dev/null)
	npm run build --prefix js

## size: @recordroom/client minified and gzipped, without yjs (the goal is 15 KB)
size: js-build
	npm run size --prefix js/client

## widget: the example widget (examples/widget) on http://localhost:5173 against `make run`'s
## server on :8080, as SUB (default alice) with a token from the development secret
WIDGET := examples/widget
widget: build js-build $(WIDGET)/node_modules/.package-lock.json
	@$(DEV_SECRET); \
	RECORDROOM_TOKEN="$$($(BIN) token --sub "$${SUB:-alice}" --name "$${SUB:-alice}")" || exit 1; \
	export RECORDROOM_TOKEN RECORDROOM_URL="$${RECORDROOM_URL:-http://localhost:8080}" RECORDROOM_ROOM="$${ROOM:-demo}"; \
	npm run dev --prefix $(WIDGET)

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
# The development secret: RECORDROOM_JWT_SECRET, else the one `make run` made.
DEV_SECRET = secret_file="$${RECORDROOM_DATA_DIR:-.data}/jwt-secret"; \
	if [ -z "$${RECORDROOM_JWT_SECRET:-}" ] && [ ! -s "$$secret_file" ]; then \
		echo "$@: no $$secret_file yet: start the server once with make run (or set RECORDROOM_JWT_SECRET)" >&2; exit 1; \
	fi; \
	export RECORDROOM_JWT_SECRET="$${RECORDROOM_JWT_SECRET:-$$(cat "$$secret_file")}"
token: build
	@$(DEV_SECRET); \
	$(BIN) token --sub "$${SUB:-alice}" $${EMAIL:+--email "$$EMAIL"} $${NAME:+--name "$$NAME"}

## db-url: start the local cluster if needed and print its DATABASE_URL
db-url:
	@scripts/devpg url

db-stop:
	scripts/devpg stop

clean:
	rm -rf bin
