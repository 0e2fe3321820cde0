# PaaS & DevEx Digest — every target sets itself up; re-running is cheap when nothing changed.
#   make site    ingest the shipped sample dump and build the site into output/
#   make test    lint + every test (unit, Pelican builds, Node, browser)
#   make serve   live local preview on http://localhost:8000
#   make publish production build (publishconf.py; SITEURL from the environment)
#   make check   validate editor-owned content (topics, shows, front matter)
#   make bench   benchmarks (see docs/benchmarks.md)
#   make clean   remove generated files (never content/)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PELICAN := $(VENV)/bin/pelican
PORT   ?= 8000
INPUT  ?=
PYTEST_ARGS ?=

RUNTIME_STAMP := $(VENV)/.stamp-runtime
DEV_STAMP     := $(VENV)/.stamp-dev
NODE_STAMP    := node_modules/.stamp

.PHONY: site test serve publish check bench bench-smoke clean ingest setup setup-dev \
        lint format deploy-ghp screenshots fuzz

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(RUNTIME_STAMP) $(NODE_STAMP)
setup-dev: $(DEV_STAMP) $(NODE_STAMP)

ingest: $(RUNTIME_STAMP)
	$(PY) scripts/preprocess.py $(INPUT) --quiet  # no INPUT: every data/blurbs/*.txt

site: setup ingest
	$(PELICAN) content -s pelicanconf.py -o output

serve: setup ingest
	$(PELICAN) content -s pelicanconf.py -o output --autoreload --listen --port $(PORT)

publish: setup ingest
	$(PELICAN) content -s publishconf.py -o output

check: setup
	$(PY) scripts/topics.py validate

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(DEV_STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: setup-dev lint
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

bench: setup-dev
	$(PY) scripts/bench.py

bench-smoke: setup-dev
	$(PY) scripts/bench.py --smoke

deploy-ghp: publish
	$(VENV)/bin/ghp-import --no-jekyll --push --force --branch gh-pages output

screenshots: setup-dev site
	$(PY) scripts/screenshots.py output screenshots

fuzz: setup-dev
	FUZZ_SCALE=$${FUZZ_SCALE:-20} $(PY) -m pytest -n auto tests/unit/test_ingest_properties.py tests/unit/test_topics_cli.py

clean:
	rm -rf output cache .pytest_cache .hypothesis screenshots bench-out
