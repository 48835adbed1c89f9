# The two commands of the README: `make run` and `make test`. Everything else here
# is what they call. Works on a fresh Debian/Ubuntu machine with python3 and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
UV := $(shell python3 scripts/bootstrap_uv.py)
PY := $(UV) run --frozen --no-progress
export UV_PYTHON_PREFERENCE ?= system

.PHONY: help setup system-deps ocr-deps run demo test test-only lint check-migrations openapi docs bench clean deploy-proof

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## Create .venv from uv.lock and compile translations
	$(UV) sync --frozen --no-progress
	$(PY) python manage.py compile_translations

system-deps:  ## Install Debian's Tesseract OCR (Vietnamese) and Chromium (needs root or sudo)
	@bash scripts/install_system_deps.sh

ocr-deps:  ## Install Debian's Tesseract OCR with Vietnamese, which reads scanned documents
	@bash scripts/install_system_deps.sh ocr

demo: setup ocr-deps  ## Migrate the database and load the demo data
	$(PY) python manage.py migrate --no-input
	$(PY) python manage.py createcachetable
	$(PY) python manage.py load_demo
	$(PY) python manage.py collectstatic --no-input -v 0

# The simulators of outside systems (SMS gateway, postal service, payment and
# identity platforms) are served by the platform itself at this address.
BASE_URL = $(or $(EGOV_PUBLIC_BASE_URL),http://127.0.0.1:$(PORT))
# The demo declares itself: secrets are generated into var/secrets/, simulators are
# on, plain HTTP is served. Production never runs through make (README).
run demo: export EGOV_DEMO := 1
run demo: export EGOV_PUBLIC_BASE_URL := $(BASE_URL)
run demo: export EGOV_SMS_API_URL := $(or $(EGOV_SMS_API_URL),$(BASE_URL)/thong-bao/mo-phong/sms/api/send)
run demo: export APPLICANTS_POSTAL_API_URL := $(or $(APPLICANTS_POSTAL_API_URL),$(BASE_URL)/ca-nhan/mo-phong/buu-dien/api)

run: demo  ## Serve the platform with demo data at http://127.0.0.1:$(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)  (demo accounts: see README.md)"
	@# Background jobs (notifications, postal bookings, payment reconciliation) run
	@# next to the server and stop with it.
	$(PY) python manage.py run_background & trap 'kill $$! 2>/dev/null' EXIT; \
	$(PY) python manage.py runserver --noreload 127.0.0.1:$(PORT)

test: setup system-deps test-only  ## Run the whole test suite (SQLite unless DATABASE_URL is set)

# One pytest worker per core (pytest-xdist): each worker has its own test database
# and, for the browser tests, its own live server and Chromium. TEST_WORKERS=0 runs
# in one process.
TEST_WORKERS ?= auto
test-only:
	$(PY) pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

deploy-proof: setup  ## Two web nodes behind nginx with PostgreSQL and Redis, checked (deploy/README.md)
	$(PY) python deploy/prove.py

lint: setup  ## ruff, mypy, import contracts (layers), migrations up to date
	$(PY) ruff check .
	$(PY) ruff format --check .
	$(PY) mypy egov
	$(PY) lint-imports
	$(PY) python manage.py makemigrations --check --dry-run

openapi: setup  ## Regenerate docs/api/openapi.json after an API change
	$(PY) python manage.py export_openapi docs/api/openapi.json

docs: setup  ## Regenerate docs/settings.md from the settings declarations
	$(PY) python manage.py settings_reference docs/settings.md

bench: setup  ## Run the benchmarks (see bench/README.md; some need PostgreSQL)
	$(PY) python bench/bench_calendar.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) python bench/bench_numbering.py --workers 16

clean:  ## Remove the virtualenv, the demo database and generated files
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
