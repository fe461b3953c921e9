# Livret — the two commands of the README's Quick start.
#   make run    set up (Debian packages when root, .venv, plugins), migrate, load demo accounts, serve on 127.0.0.1:5000
#               with gunicorn (core/gunicorn.conf.py) beside `livret scheduler` (periodic upkeep, without the retention
#               run so that the demo data stays); `livret run` is the development server with reload
#   make test   set up with test dependencies (Chromium included), make sure PostgreSQL and Redis run, run the whole suite
#               (browser journeys included) on SQLite and PostgreSQL, in parallel (TEST_WORKERS, default: one per core)
#   make stack-test  set up with test dependencies, start a whole deployment on loopback (PostgreSQL, SeaweedFS S3,
#               Redis, clamd, two gunicorn app processes, an RQ worker, the scheduler), drive the journey through
#               both, then stop a service at a time (tests/stack; docs/operations.md, « The stack test »); CI runs it
#               after make test
#   make bench  set up with test dependencies (psutil, SeaweedFS, locust), run every bench/*_bench.py, fail at the end
#               if any missed its target

HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
TEST_WORKERS ?= auto

.PHONY: run test setup bench stack-test

setup:
	@scripts/setup.sh

run: setup
	.venv/bin/livret db upgrade
	.venv/bin/livret demo
	.venv/bin/livret scheduler --skip retention & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	GUNICORN_WORKERS=$${GUNICORN_WORKERS:-2} .venv/bin/gunicorn -c core/gunicorn.conf.py --bind $(HOST):$(PORT) core.wsgi:app

test:
	@scripts/setup.sh test
	@scripts/services.sh
	.venv/bin/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

stack-test:
	@scripts/setup.sh test
	.venv/bin/python -m pytest tests/stack -m stack -p no:cacheprovider $(PYTEST_ARGS)

bench:
	@scripts/setup.sh test
	@failed=""; for script in bench/*_bench.py; do echo "== $$script"; .venv/bin/python $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "== missed targets:$$failed"; exit 1; fi; echo "== every benchmark met its target"
