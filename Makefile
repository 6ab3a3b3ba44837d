# OrganWatch: two commands do all set-up on a fresh Debian machine with Python 3.11.
#   make demo   install into .venv, build a case from sample/ (archive, text, extraction, entities, claims),
#               verify, search, bundle, analyse and write a dossier, then serve the web workbench
#   make test   install what the tests need (system packages included), then ruff, mypy and pytest, the
#               suite once on SQLite and once on PostgreSQL (a throwaway cluster in a temporary folder)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
DEMO   := demo-case
SYSTEM_PACKAGES := $(shell grep -v '^\#' system-packages.txt)

.PHONY: demo test lint typecheck unit unit-postgresql eval bench install install-dev system-packages web-assets clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY) web-assets
	$(PY) -m pip install --quiet -e '.[semantic]'

install-dev: $(PY) web-assets
	$(PY) -m pip install --quiet -e '.[dev]'

# The workbench's JavaScript (htmx 2, cytoscape) from npm, pinned by package-lock.json, copied into static/vendor.
WEB := src/organwatch/web
web-assets: $(WEB)/static/vendor/htmx.min.js

$(WEB)/static/vendor/htmx.min.js: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(WEB)/static/vendor
	cp $(WEB)/node_modules/htmx.org/dist/htmx.min.js $(WEB)/node_modules/cytoscape/dist/cytoscape.min.js $(WEB)/static/vendor/
	cp $(WEB)/node_modules/htmx.org/LICENSE $(WEB)/static/vendor/htmx.LICENSE
	cp $(WEB)/node_modules/cytoscape/LICENSE $(WEB)/static/vendor/cytoscape.LICENSE

# Tests need a few Debian packages; install them only when missing (apt needs root and the Debian mirror).
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: install
	rm -rf $(DEMO)
	ORGANWATCH_PROGRESS=none $(BIN)/organwatch init $(DEMO) --name "OrganWatch sample case"
	$(BIN)/organwatch add --case $(DEMO) sample/ --captured-by "OrganWatch demo" \
		--note "bundled sample corpus, written for OrganWatch from public facts"
	$(BIN)/organwatch verify --case $(DEMO)
	$(BIN)/organwatch list --case $(DEMO)
	$(BIN)/organwatch embed --case $(DEMO)
	$(BIN)/organwatch search --case $(DEMO) "Wang Lijun" --limit 3
	$(BIN)/organwatch search --case $(DEMO) "器官移植 等待时间" --hybrid --limit 3
	$(BIN)/organwatch bundle --case $(DEMO) --out $(DEMO)/exports/sample-bundle.zip
	$(BIN)/organwatch verify-bundle $(DEMO)/exports/sample-bundle.zip
	$(BIN)/organwatch analyze series sample/analysis/official_counts.csv --metric deceased_donors \
		--years 2010-2016 $(if $(wildcard ../shared/data/godt),--reference ../shared/data/godt/global-organ-donation_2018.csv) \
		--out $(DEMO)/reports/series.html
	$(BIN)/organwatch analyze accounting sample/analysis/accounting_kilgour_matas_2000_2005.csv \
		--out $(DEMO)/reports/accounting.html
	$(BIN)/organwatch entities --case $(DEMO) --type person
	$(BIN)/organwatch entity --case $(DEMO) "Wang Lijun"
	$(BIN)/organwatch claims --case $(DEMO) --min-sources 2
	$(BIN)/organwatch dossier --case $(DEMO) "Wang Lijun" --out $(DEMO)/reports/wang-lijun-dossier.html
	@echo "Demo case ready in ./$(DEMO) (reports in $(DEMO)/reports/). Try: $(BIN)/organwatch text --case $(DEMO) 1"
	@password=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	echo "$$password" | $(BIN)/organwatch user add --case $(DEMO) demo --role admin >/dev/null; \
	echo "Workbench: http://127.0.0.1:8000/  user: demo  password: $$password  (Ctrl-C stops it)"; \
	$(BIN)/organwatch serve --case $(DEMO) --port 8000

lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools

typecheck: install-dev
	$(BIN)/mypy --strict src/organwatch

unit: install-dev system-packages
	$(BIN)/pytest

# The same suite with every case on PostgreSQL: tests/pgcluster.py runs Debian's initdb in a temporary folder
# (as the `postgres` user when run as root), starts the server on a free loopback port and removes it at the end.
# Against a server of your own: .venv/bin/pytest --db-url postgresql://me@host/postgres (the user needs CREATEDB).
unit-postgresql: install-dev system-packages
	$(BIN)/pytest --db-url postgresql tests

test: system-packages install-dev lint typecheck unit unit-postgresql

# Reproduction checks and public-NER scores (ours beside the anchor models) against ../shared/data
# (each skipped, with a message, when that folder is absent).
eval: install-dev
	$(PY) benchmarks/reproduce_published.py
	$(PY) benchmarks/screening_eval.py
	$(PY) benchmarks/ner_eval.py

bench: install-dev
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/web.py --clients 50 --seconds 30

clean:
	rm -rf $(VENV) $(DEMO) build dist .mypy_cache .ruff_cache .pytest_cache
