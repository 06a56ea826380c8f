# Treatment Resistance course. `make book` (main job) and `make test` do all set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JB     := $(BIN)/jupyter-book

.DEFAULT_GOAL := book
.PHONY: book book-strict test lint lab data release clean

# The environment: rebuilt only when the pinned requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## book: build the Jupyter Book (notebooks executed, results cached) and say where it is
book: $(STAMP)
	$(JB) build . -W -n --keep-going
	@echo "Book built: open $(CURDIR)/_build/html/index.html"

## book-strict: the same from a clean tree (what the tests check)
book-strict: $(STAMP)
	$(JB) clean .
	$(MAKE) book

## test: the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## lab: JupyterLab on the course, for students
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR)

## data: regenerate every synthetic dataset and the data card from the generators
data: $(STAMP)
	$(BIN)/trcourse data

## release: regenerate exercises/ from solutions/ with nbgrader generate_assignment
release: $(STAMP)
	$(BIN)/trcourse release

clean:
	rm -rf _build
