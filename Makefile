# Treatment Resistance course. `make book` (main job) and `make test` do all set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# jupyter-book without an unused import that costs ~2 s a build (src/trcourse/jupyterbook.py)
JB     := $(BIN)/python -m trcourse.jupyterbook

.DEFAULT_GOAL := book
.PHONY: book book-strict test lint lab data release student-bundle clean grade feedback grades practice-class practice-remove
.PHONY: hub hub-stop

# The environment: rebuilt only when the pinned requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Browser-side test tools (axe-core), pinned in package-lock.json: reinstalled only when it changes.
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
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
## (the browser tests need Debian's chromium: skipped loudly without it, failed when CI=true)
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check src tests benchmarks deploy
	@$(BIN)/python -m pytest; status=$$?; \
	command -v chromium >/dev/null 2>&1 || printf '\n%s\n%s\n\n' \
	  "*** BROWSER TESTS SKIPPED: chromium is not installed, tests/test_browser.py did not run." \
	  "*** Install it with 'apt-get install chromium' (.ci/run does; with CI=true they fail instead)."; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks deploy

## lab: the instructor's JupyterLab on the course (formgrader, release, collect; book/running-a-class.md)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR)

## data: regenerate every synthetic dataset and the data card from the generators
data: $(STAMP)
	$(BIN)/trcourse data

## release: regenerate exercises/ from solutions/ with nbgrader generate_assignment
release: $(STAMP)
	$(BIN)/trcourse release

## student-bundle: the archive students download (chapters, exercises, data, the HTML book; no solutions)
student-bundle: book
	$(BIN)/trcourse bundle

## grade A=<assignment> [WORKERS=n]: autograde every submission in parallel (outcome table)
## feedback A=<assignment>: feedback HTML for students, hidden tests removed
## grades A=<assignment>: grades CSV and item-analysis report in grading-reports/<assignment>/
## practice-class A=<assignment> [N=60]: a fresh practice course (practice-course/, git-ignored)
##   with N synthetic submissions, to try the pipeline on; never touches the real gradebook
## practice-remove: delete the practice course (refuses any folder that is not one)
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
N ?= 60
grade: $(STAMP)
	$(BIN)/trcourse grade $(A) --workers $(WORKERS)

feedback: $(STAMP)
	$(BIN)/trcourse feedback $(A)

grades: $(STAMP)
	$(BIN)/trcourse export $(A)

practice-class: $(STAMP)
	$(BIN)/trcourse practice-class $(A) --students $(N)

practice-remove: $(STAMP)
	$(BIN)/trcourse practice-remove

## hub [PORT=8000]: the whole class on 127.0.0.1 (JupyterHub, accounts, exchange, PostgreSQL
## gradebook); prints the accounts' passwords. hub-stop: stops all of it. Both need root.
## See book/running-a-class.md.
PORT ?= 8000
hub: $(STAMP) $(NODE_STAMP)
	$(BIN)/python deploy/hub.py start --port $(PORT)

hub-stop: $(STAMP)
	$(BIN)/python deploy/hub.py stop

clean:
	rm -rf _build
