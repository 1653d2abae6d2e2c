# Needlepoint: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
UV := .tools/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run install test lint typecheck checks pytest pytest-postgres bench totp clean help

help:
	@echo "make run    install, migrate, load the demo clinic, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install test needs, run linters, checks and every test (SQLite, PostgreSQL, browser)"
	@echo "make totp   print the demo staff's current sign-in codes"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced

run: export DEBUG ?= 1
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo
	@echo "  Needlepoint is starting on http://127.0.0.1:$(PORT)/"
	@echo "    public site   http://127.0.0.1:$(PORT)/"
	@echo "    staff login   http://127.0.0.1:$(PORT)/accounts/login/"
	@echo "    demo logins   owner, director, practitioner, frontdesk — password needlepoint-demo-2026"
	@echo "    MFA codes     'make totp' in another terminal (or add the README's secrets to an authenticator app)"
	@echo "  Ctrl-C stops the web server and the job worker."
	@echo
	$(VENV)/bin/honcho start --procfile Procfile.dev --port $(PORT)

totp: export DEBUG ?= 1
totp: install
	@$(PY) manage.py demo_totp

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -p no:cacheprovider --no-cov tests/test_house_rules.py

typecheck: install
	NEEDLEPOINT_TESTING=1 $(VENV)/bin/mypy $(wildcard needlepoint/*/services.py needlepoint/*/services \
		needlepoint/*/selectors.py needlepoint/*/selectors) \
		needlepoint/core/audit.py needlepoint/scheduling/setup.py needlepoint/intake/rules \
		needlepoint/intake/answers.py needlepoint/clinical/progress needlepoint/intake/consents \
		needlepoint/core/actor.py needlepoint/core/refusals.py needlepoint/core/dates.py \
		needlepoint/scheduling/hooks.py needlepoint/scheduling/online.py needlepoint/patients/merge.py \
		needlepoint/clinical/gate.py needlepoint/clinical/readiness.py needlepoint/staff/dashboard.py

checks: install
	@mkdir -p var
	NEEDLEPOINT_TESTING=1 $(PY) manage.py check --fail-level WARNING
	NEEDLEPOINT_TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 NEEDLEPOINT_TESTING=0 SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" \
		ALLOWED_HOSTS=clinic.example.com $(PY) manage.py check --deploy --fail-level WARNING

# SQLite (with the browser tests), then the same suite on a throwaway PostgreSQL cluster.
pytest: install
	$(PY) -m pytest -n auto --dist loadfile --cov --cov-report= -p no:cacheprovider

pytest-postgres: install
	$(PY) scripts/with_postgres.py -- $(PY) -m pytest -n auto --dist loadfile -m "not browser" \
		--cov --cov-append --cov-report= -p no:cacheprovider

test: install
	bash scripts/ensure_system_packages.sh
	$(MAKE) --no-print-directory lint typecheck checks
	rm -f .coverage .coverage.*
	$(MAKE) --no-print-directory pytest pytest-postgres
	$(VENV)/bin/coverage report

# The benchmark adds its own group (django-appointment, NumPy) on top of the usual install;
# syncing it every time is quick, and a later exact `make install` takes it away again.
bench: install
	$(UV) sync --frozen --quiet --inexact --group bench
	$(PY) -m bench run --sizes $(if $(SIZE),$(SIZE),XS M)
	$(PY) scripts/with_postgres.py -- $(PY) -m bench races
	$(PY) -m bench report

clean:
	rm -rf .tools $(VENV) var/static .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache
