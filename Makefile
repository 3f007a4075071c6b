# CytoKG: two commands, each self-contained on a fresh Debian machine with Python 3.11.
#   make serve   set up .venv, build the graph if the sources changed, serve on http://$(HOST):$(PORT)
#   make test    set up .venv with the test extras and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SOURCES := $(shell find ontology shapes queries src -type f -not -name "*.pyc" 2>/dev/null) pyproject.toml
BUILD_PACKAGES := default-jdk-headless libowlapi-java
TEST_PACKAGES := $(BUILD_PACKAGES) chromium virtuoso-opensource
BENCH_PACKAGES := $(BUILD_PACKAGES) wrk virtuoso-opensource

.PHONY: serve test build check system-deps test-system-deps apt-install lint clean bench bench-quick bench-soak bench-burst bench-safety bench-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Java (HermiT), Debian's OWL API (the OWL 2 DL gate) and Chromium (the browser test). Installed when missing
# and we may use apt;
# otherwise the gates that need them report what to install.
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BUILD_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "please install:$$missing (apt-get install -y$$missing)"; \
	  else $$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing >/dev/null; fi; \
	fi

build/.stamp: $(SOURCES) $(VENV)/.installed
	$(BIN)/cytokg build
	touch $@

build: system-deps build/.stamp

check: build
	$(BIN)/cytokg check

serve: system-deps build/.stamp
	$(BIN)/cytokg serve --host $(HOST) --port $(PORT)

test: test-system-deps $(VENV)/.installed
	$(BIN)/python -m pytest

# Benchmarks (docs/benchmarks.md): wrk from Debian, rdflib-endpoint, pyshacl-turbo, psutil, matplotlib from PyPI.
# BENCH_ARGS passes options through, e.g. BENCH_ARGS='--note "smoke run"' or (soak) BENCH_ARGS='--seconds 60'.
BENCH_ARGS ?=
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench-deps: $(VENV)/.bench-installed
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_PACKAGES)"

bench: bench-deps build/.stamp
	$(BIN)/python -m benchmarks.run --profile full $(BENCH_ARGS)

bench-quick: bench-deps build/.stamp
	$(BIN)/python -m benchmarks.run --profile quick $(BENCH_ARGS)

bench-soak: bench-deps build/.stamp
	$(BIN)/python -m benchmarks.soak $(BENCH_ARGS)

# Burst, hostile queries, slowloris, one busy client (issue 13); BENCH_ARGS=--quick shortens the slowloris.
bench-burst: $(VENV)/.bench-installed build/.stamp
	$(BIN)/python -m benchmarks.burst $(BENCH_ARGS)

bench-safety: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.safety_check $(BENCH_ARGS)

# ruff and mypy --strict over src/, tests/ and benchmarks/ (the files are listed in pyproject.toml); CI runs it first.
lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf build
