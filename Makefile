# The two commands of the README: `make demo` (install, migrate, load demo data, serve with a Celery worker on a
# folder as broker: no Redis) and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: demo test install install-dev lint serve worker beat bench bench-reports load clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt package-lock.json | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	npm ci --no-audit --no-fund --silent --ignore-scripts
	touch $(VENV)/.base-installed $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

demo: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Plateforme servie sur http://$(HOST)/ avec son processus de production (Ctrl+C pour arrêter)"
	DEBUG=true $(BIN)/python manage.py rundemo $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=qic.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

# LINTED=1 skips the checks for a second run on the same tree (.ci/run runs the suite three times).
test: $(if $(LINTED),install-dev,lint)
	$(BIN)/pytest $(PYTEST_ARGS)

# Production-like processes, by hand (see README): PostgreSQL and Redis must be running.
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn qic.wsgi --bind $(HOST) --workers 3
worker: install
	$(BIN)/celery -A qic worker --loglevel=INFO
beat: install
	$(BIN)/celery -A qic beat --loglevel=INFO

# The pages (bench/run.py), then the reports (bench/reports.py): every figure is printed even when a goal is missed;
# the exit status says whether all were met.
bench: install-dev
	$(BIN)/python bench/run.py; dashboard=$$?; $(BIN)/python bench/reports.py && exit $$dashboard

bench-reports: install-dev
	$(BIN)/python bench/reports.py

# Load scenario of the four journeys (locust), gunicorn on PostgreSQL with a Celery worker: see bench/load.py.
load: install-dev
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* sent_emails .demo-broker
