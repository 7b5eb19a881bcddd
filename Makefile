# The two commands of the README quick start are `make run` and `make test`.
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check sandbox schemas clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## set up and start the service on its embedded defaults
	$(BIN)/unified serve --sandbox

sandbox: $(STAMP)  ## only the Kustomer sandbox
	$(BIN)/unified sandbox

test: $(STAMP)  ## set up and run the whole test suite
	./scripts/ensure-postgres
	$(BIN)/unified check
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/unified check

schemas: $(STAMP)  ## regenerate the published JSON Schemas of the YAML files
	$(BIN)/unified schemas --write

clean:
	rm -rf $(VENV) var
