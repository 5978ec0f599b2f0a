# fulian: `make demo` sets up and serves the demo; `make test` runs the whole test suite.
# Every step is a file target, so a second run redoes only what changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := .make
# The demo and the tests use the built-in development keys (see README "Deploy").
export FULIAN_DEV_KEYS ?= 1

.PHONY: demo test smoke lint check-schema schema serve bench messages setup clean FORCE

$(STAMP):
	@mkdir -p $(STAMP)

$(STAMP)/venv: requirements/base.txt requirements/dev.txt | $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

$(STAMP)/npm: package.json package-lock.json scripts/build-assets.mjs | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

$(STAMP)/messages: $(STAMP)/venv $(wildcard locale/*/LC_MESSAGES/*.po)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0
	@touch $@

setup: $(STAMP)/venv $(STAMP)/npm $(STAMP)/messages

$(STAMP)/static: $(STAMP)/npm $(STAMP)/venv $(shell find static -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput -v0
	@touch $@

# The demo's settings, for the README's shell commands in a new shell (config/settings.py reads
# .env; the real environment wins). Written on every run: it follows the database chosen now.
.env: FORCE
	@printf '%s\n' "# Written by make demo: the demo's development keys and database (not for production)." \
	  "FULIAN_DEV_KEYS=1" $(if $(DATABASE_URL),"DATABASE_URL=$(DATABASE_URL)") > $@

demo: setup $(STAMP)/static .env
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	@echo "Serving the demo at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@# The background worker checks and imports uploaded spreadsheets; it stops with the server.
	$(PY) manage.py db_worker -v0 & trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --lint --check templates fulian
	FULIAN_TESTING=1 $(VENV)/bin/mypy fulian config
	FULIAN_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v0
	$(MAKE) --no-print-directory check-schema

schema: setup
	FULIAN_TESTING=1 $(PY) manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml

check-schema:
	@FULIAN_TESTING=1 $(PY) manage.py spectacular --lang en --validate --fail-on-warn --file $(STAMP)/openapi.yaml
	@diff -u docs/openapi.yaml $(STAMP)/openapi.yaml || (echo "docs/openapi.yaml is stale: run 'make schema' and commit it." && exit 1)

messages: setup
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=build --ignore=staticfiles --no-obsolete

test: setup lint
	FULIAN_TESTING=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

# The deploy kit in a production profile, behind Debian's nginx (PostgreSQL on 127.0.0.1; see
# tests/deploy/smoke.sh). Run by .ci/run after the tests.
smoke: setup
	bash tests/deploy/smoke.sh

# The organisation bench and the 100,000-row import bench (throwaway test databases), then the
# city-scale people and household bench (bench/people_scale.py: PostgreSQL only, in the kept database fulian_bench on
# DATABASE_URL's server; on SQLite it prints a note). BENCH_ARGS passes options to it.
bench: setup
	FULIAN_TESTING=1 $(PY) bench/run.py
	$(PY) bench/import_households.py
	$(PY) bench/people_scale.py $(BENCH_ARGS)
	$(PY) bench/grid_scale.py
	$(PY) bench/campaign_scale.py
	$(PY) bench/duties_scale.py
	$(PY) bench/points_scale.py

clean:
	rm -rf $(STAMP) build staticfiles
