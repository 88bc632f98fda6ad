# One command for the checks CI runs: `make check` (lint, format, types, tests).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install check lint typecheck test format bench lock

install:
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c requirements.lock -e '.[dev]'

lint:
	$(VENV)/bin/ruff check src tests bench fuzz
	$(VENV)/bin/ruff format --check src tests bench fuzz

typecheck:
	$(VENV)/bin/mypy

test:
	$(PY) -m pytest

check: lint typecheck test

format:
	$(VENV)/bin/ruff format src tests bench fuzz
	$(VENV)/bin/ruff check --fix src tests bench fuzz

bench:
	$(PY) -m bench.html_extraction
	$(PY) -m bench.text_scrapes
	$(PY) -m bench.dates
	$(PY) -m bench.throughput

# Re-pin every transitive dependency after changing pyproject.toml.
lock:
	$(VENV)/bin/pip freeze --exclude-editable | grep -v -E '^(dateline|pip)==' > requirements.lock
