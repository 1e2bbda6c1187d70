# Course platform: `make run` to serve it, `make test` to check it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 found, 3.13 and 3.12 first: google-re2 publishes no wheel for 3.14 yet
# (override with PYTHON=/path/to/python3).
PYTHON ?= $(shell for c in python3.13 python3.12 python3 python3.14 \
	$(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 /opt/homebrew/bin/python3 /usr/local/bin/python3; do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$c; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content

.PHONY: help run test lint format migrations-check pytest check-content pygments-css editor-bundle clean bench bench-smoke wrk \
	stress stress-smoke

help:
	@echo "make run     serve http://127.0.0.1:8000 with content/ imported (re-imports on change)"
	@echo "make test    lint, migrations check and the whole test suite"
	@echo "make lint    ruff check and format check"
	@echo "make bench   load benchmark on PostgreSQL and Redis (about 9 minutes); bench-smoke: a quick run"
	@echo "make stress  load, fault and concurrency suite (4 to 6 minutes, as root); stress-smoke"
	@echo "make editor-bundle  rebuild the committed code editor bundle (needs Node 18+ and npm)"

$(BIN)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.12 or newer found. Install one (python.org, 'apt install python3.12'," \
		     "'brew install python@3.13' or pyenv), or point PYTHON=/path/to/python3.12 at it." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	mkdir -p var
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py import_content $(CONTENT)
	trap 'kill 0' EXIT; \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py import_content $(CONTENT) --watch & \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(BIN)/.installed
	mkdir -p var
	SECRET_KEY=migrations-check $(BIN)/python manage.py makemigrations --check --dry-run

pytest: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint migrations-check pytest

# Benchmarks: mkdocs is the peer the import is measured against; wrk drives the load.
$(BIN)/mkdocs: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -qq wrk >/dev/null; } || { echo "Install wrk first" \
		"(apt-get install wrk, brew install wrk)." >&2; exit 1; }

bench: $(BIN)/mkdocs wrk
	$(BIN)/python -m bench

bench-smoke: $(BIN)/mkdocs wrk
	$(BIN)/python -m bench --smoke

# Load, faults and concurrency, on a PostgreSQL cluster of its own (port 5433) that the run
# creates and drops with postgresql-common, so it runs as root (docs/reliability.md).
stress: $(BIN)/.installed
	$(BIN)/python -m stress

stress-smoke: $(BIN)/.installed
	$(BIN)/python -m stress --smoke

check-content: $(BIN)/.installed
	DEBUG=1 $(BIN)/python manage.py import_content $(CONTENT) --check

clean:
	rm -rf $(VENV) var .pytest_cache

# Code highlighting styles for light and dark themes, from Pygments.
pygments-css: $(BIN)/.installed
	{ echo "/* Code highlighting: accessible-pygments' high-contrast light and dark styles. Regenerate with \`make pygments-css\`. */"; \
	  $(BIN)/pygmentize -S a11y-high-contrast-light -f html -a .highlight; \
	  echo "@media (prefers-color-scheme: dark) {"; \
	  $(BIN)/pygmentize -S a11y-high-contrast-dark -f html -a .highlight; echo "}"; } > static/css/pygments.css

# The code editor of file exercises, committed so the site needs no Node: CodeMirror from the
# versions package-lock.json pins, bundled by esbuild into static/vendor/codemirror/ with the
# licences of what it bundles. No package install scripts run (esbuild needs none).
editor-bundle:
	cd frontend/code-editor && npm ci --ignore-scripts --no-audit --no-fund && npm run build
