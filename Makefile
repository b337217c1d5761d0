# Two commands do all set-up on a fresh machine with only Python 3.11+:
#   make run   - virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
#   make test  - install dev dependencies and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test typecheck lint format bench bench-notify migrate clean lock messages compilemessages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $(VENV)/.base-installed $@

# Links in emails follow the address the server is started on (HOST, PORT) unless SITE_URL says.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.base-installed migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Apply migrations to the database DATABASE_URL names (the embedded SQLite one by default).
migrate: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --noinput

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=cocreate.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# mypy with the Django and DRF plugins over the apps (the file list is in pyproject.toml).
typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/notify.py $(BENCH_NOTIFY_ARGS)
	$(BIN)/python bench/ledger.py $(BENCH_LEDGER_ARGS)

# Notification fan-out (10k and 100k members) and queue latency with 2 real worker processes.
bench-notify: $(VENV)/.dev-installed
	$(BIN)/python bench/notify.py $(BENCH_NOTIFY_ARGS)

# Translations (need GNU gettext: apt-get install gettext). `make messages` re-extracts every
# marked string into locale/<language>/LC_MESSAGES/django.po, keeping what is translated;
# `make compilemessages` turns them into the .mo files the site loads (committed, so `make run`
# works without gettext). tests/cocreate/test_translations.py fails until both are done.
LANGUAGES ?= de fr
I18N_IGNORE := --ignore=.venv --ignore=tests --ignore=bench

messages: $(VENV)/.base-installed
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) $(I18N_IGNORE) --no-obsolete

compilemessages: $(VENV)/.base-installed
	$(BIN)/python manage.py compilemessages $(I18N_IGNORE)

# Re-pin every dependency (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml -o requirements/base.lock --python-version 3.11
	uv pip compile pyproject.toml --extra dev -o requirements/dev.lock --python-version 3.11

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache db.sqlite3 staticfiles
