# Two commands are all a fresh clone needs: `make run` and `make test` (Node 20).
.PHONY: run test build lint clean install simulate bench rebuild-views

NODE_MODULES := node_modules/.package-lock.json
MAIN := dist/apps/cafe/src/main.js
SOURCES := $(shell find apps libs -name '*.ts' ! -name '*.spec.ts') tsconfig.json tsconfig.build.json nest-cli.json
# The barista pages and the SQL migrations are copied into dist as they are (nest-cli.json "assets").
SOURCES += $(wildcard libs/barista/src/*/public/*) $(wildcard libs/ordering/src/event-store/migrations/*.sql)

# npm ci only when node_modules is missing or older than the lock file.
$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES)

$(MAIN): $(NODE_MODULES) $(SOURCES)
	npx nest build

build: $(MAIN)

run: $(MAIN)
	node $(MAIN)

test: $(MAIN)
	npx jest

# Rebuilds from the whole log what a start reads (the live orders' tables) and checks it: EVENT_STORE=... make rebuild-views
rebuild-views: $(MAIN)
	node dist/apps/cafe/src/rebuild-views.js

# The story against a running café: make simulate ARGS="--customers 500 --flood 2000"
simulate: $(MAIN)
	@node dist/apps/simulator/src/main.js $(ARGS)

# Starts the service itself on each platform; ARGS="--scale 0.1" (or BENCH_SCALE=0.1) for a quick look.
bench: $(MAIN)
	node dist/apps/bench/src/main.js $(ARGS)

# Defined once, in package.json: every file that ships, TypeScript and plain JavaScript.
lint: $(NODE_MODULES)
	npm run -s lint

clean:
	rm -rf dist coverage
