# Kopdes — two commands on a fresh machine:
#   make run    create the virtualenv, install, migrate, load regions, serve on http://127.0.0.1:8000 while the
#               demo is built in the background (the pages show its progress); make setup: all in the foreground
#   make test   lint + the whole test suite on SQLite and on a throwaway PostgreSQL, then the Citus half
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install setup lint bench browsers clean

$(BIN)/kopdes: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/kopdes

setup: install
	$(BIN)/kopdes setup

# the demo is built in the background while the server already answers (its pages show the progress)
run: install
	$(BIN)/kopdes setup --demo-background
	$(BIN)/kopdes serve

test: install browsers
	bash scripts/test.sh

# Browser tests drive Debian's chromium (no browser download); install it when we can.
browsers:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser tests will be skipped (CI installs it)"; }

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
