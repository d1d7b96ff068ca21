# Everything runs inside .venv, created from nothing but Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := fixtures/estates/blocked.json

.PHONY: setup demo test lint bench browser docs golden mutation clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## make demo: set up, then check the bundled sample estate with blockers (prints a no-go verdict).
## --as-of collected measures ages at the snapshot's own collected_at, so the demo prints the same on any date.
demo: $(STAMP)
	@$(BIN)/preflight check $(DEMO) --as-of collected; code=$$?; \
	  echo; echo "preflight exit code: $$code (0 go, 1 no-go, 2 bad input, 3 internal error, 4 incomplete)"; \
	  test $$code -le 1

## make browser: headless Chromium, pdftotext (poppler-utils: the printed-PDF test) and Java (the Nu HTML checker)
## for the HTML report tests, from Debian when missing (as root, or with sudo); without either those tests are
## skipped locally (in CI, where CI=true, a missing tool fails them)
APT_BROWSER := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
               poppler-utils default-jre-headless
browser:
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then $(APT_BROWSER); \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo sh -c '$(APT_BROWSER)'; \
	else echo "note: chromium, pdftotext or java is missing and apt-get needs root: the browser tests will be skipped"; fi

## make lint: ruff, mypy (the whole package) and the import-layering contracts (pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check preflight tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: set up, lint, then run the whole suite
test: $(STAMP) browser lint
	$(BIN)/python -m pytest

## make bench: time and memory of every command on generated estates of 1k-100k VMs against the typed-decode floor (benchmarks/README.md)
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

## make docs: regenerate the reference pages generated from the registries (a test checks they are current)
docs: $(STAMP)
	$(BIN)/python tools/gen_docs.py

## make golden: rewrite the golden runbooks (tests/golden) from the current code; review the diff before committing.
## The golden tests only compare: regenerating is this explicit step, never a mode of the tests.
golden: $(STAMP)
	$(BIN)/python tests/golden_runbooks.py

## make mutation: mutation testing (mutmut) of the core modules listed under [tool.mutmut] in pyproject.toml,
## each mutant against the fast tests that reach it; scores in docs/mutation.md. Not part of `make test` or CI.
MUTATION_STAMP := $(VENV)/.mutation-stamp
$(MUTATION_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	rm -rf mutants
	@start=$$(date +%s); $(BIN)/mutmut run; status=$$?; \
	  echo "mutmut run took $$(( $$(date +%s) - start )) s"; \
	  $(BIN)/python tests/mutation_scores.py; exit $$status

clean:
	rm -rf $(VENV) dist build .pytest_cache mutants
