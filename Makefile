# Two commands: `make run` (the whole stack on the embedded default) and `make test`.
PYTHON ?= python3
VENV   := .venv
PORT   ?= 8000
DEMO   ?= 1
DATA   ?= .recall-data

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	$(VENV)/bin/recall up --data-dir $(DATA) --port $(PORT) $(if $(filter 1,$(DEMO)),--demo)

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed
	$(VENV)/bin/python bench/transitions.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
