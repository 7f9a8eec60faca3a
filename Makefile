# PTB Overtime backend — developer commands. `make help` lists them.
# Everything runs inside .venv, installed from the hash-pinned lock (requirements-dev.txt).

SHELL := /bin/bash
UV ?= uv
VENV ?= .venv
PY := $(VENV)/bin/python
# `make dev` listens on loopback only unless APP_HOST is given (`APP_HOST=0.0.0.0 make
# dev` opens it, demo accounts included, to the network). `make start`, the
# production-style server, listens on every interface unless APP_HOST says otherwise.
DEV_HOST := $(or $(APP_HOST),127.0.0.1)
APP_HOST ?= 0.0.0.0
APP_PORT ?= 8008
EXTERNAL_API_PORT ?= 9001

# Real services for the test suite (override to point elsewhere). Redis databases
# 11-14 keep test data away from a development instance on databases 1-4.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ptb_overtime
TEST_REDIS_URL ?= redis://127.0.0.1:6379
TEST_ENV = DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) REDIS_DB_OFFSET=10 \
	CELERY_TASK_ALWAYS_EAGER=true LOG_TO_FILE=false
PYTEST_ARGS ?=
# Extra `uv pip compile` flags for `make lock` (lock-upgrade sets --upgrade).
LOCK_FLAGS ?=
# e.g. AUDIT_ARGS=--if-unaudited=warn (what .ci/run passes: see scripts/audit.py).
AUDIT_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the commands
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt
	@test -x $(PY) || $(UV) venv --quiet $(VENV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements-dev.txt
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Install dependencies from the hash-pinned lock

.PHONY: lock
lock: ## Recompile requirements*.txt from pyproject.toml (hashes, no index URLs)
	$(UV) pip compile pyproject.toml --python-version 3.13 --universal --generate-hashes \
		--no-emit-index-url --no-header --quiet $(LOCK_FLAGS) -o requirements.txt
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.13 --universal \
		--generate-hashes --no-emit-index-url --no-header --quiet $(LOCK_FLAGS) -o requirements-dev.txt

.PHONY: lock-upgrade
lock-upgrade: ## Recompile the locks at the newest versions pyproject.toml allows (PACKAGE=x: only x)
	$(MAKE) lock LOCK_FLAGS="$(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)"

.PHONY: audit
audit: install ## Known vulnerabilities in the locked versions (fails on any; says so when it cannot check)
	$(PY) scripts/audit.py $(AUDIT_ARGS) requirements.txt requirements-dev.txt

.PHONY: dev
dev: install ## Migrate, load demo data, serve on 127.0.0.1:8008 (APP_HOST=0.0.0.0: LAN)
	APP_HOST=$(DEV_HOST) APP_PORT=$(APP_PORT) EXTERNAL_API_PORT=$(EXTERNAL_API_PORT) \
		PYTHON=$(PY) scripts/dev.sh

.PHONY: start
start: install collectstatic ## Serve with Daphne on APP_HOST (default 0.0.0.0): production style, static collected
	$(PY) -m backend.serve -b $(APP_HOST) -p $(APP_PORT) backend.asgi:application

.PHONY: external-api
external-api: install ## Run the reference SSO/HR server on 127.0.0.1:9001
	$(PY) scripts/external_api_server.py --host 127.0.0.1 --port $(EXTERNAL_API_PORT) --verbose

.PHONY: test
test: install ## Run every test against PostgreSQL and Redis on 127.0.0.1
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# The embedded default: SQLite (in memory for tests), local-memory cache, in-memory
# channel layer, eager Celery. Whatever points elsewhere is unset; conftest.py refuses
# to start if a .env brings it back.
EMBEDDED_ENV = env -u DATABASE_URL -u SQL_ENGINE -u SQL_DATABASE -u REDIS_URL -u REDIS_CACHE_URL \
	-u USE_REDIS_CHANNELS -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND \
	TEST_EMBEDDED=1 CELERY_TASK_ALWAYS_EAGER=true LOG_TO_FILE=false
.PHONY: test-sqlite
test-sqlite: install ## Run the domain tests (api/) on the embedded default: SQLite, no Redis
	$(EMBEDDED_ENV) $(PY) -m pytest api -m "not redis and not integration" $(PYTEST_ARGS)

# Mutation testing reuses one test database of its own (built fresh by --create-db) and
# Redis databases 6-9, so a `make test` meanwhile neither drops the one nor flushes the
# other. Later assignments win over TEST_ENV's. MUTATE_CHILDREN: mutants tested at once.
MUTATE_DATABASE_URL ?= $(TEST_DATABASE_URL)_mutmut
MUTATE_ENV = $(TEST_ENV) DATABASE_URL=$(MUTATE_DATABASE_URL) REDIS_DB_OFFSET=5
MUTATE_CHILDREN ?= 1

.PHONY: mutate
mutate: install ## Mutation testing of the overtime rules, hours and workflow (docs/testing.md)
	rm -rf mutants
	$(MUTATE_ENV) $(PY) -m pytest api/overtime/tests/test_models.py --create-db --reuse-db -q \
		-p no:cacheprovider
	$(MUTATE_ENV) $(PY) api/overtime/tests/mutation.py --max-children $(MUTATE_CHILDREN)

.PHONY: fuzz
fuzz: install ## A longer schemathesis campaign against a live Daphne (the suite runs a short one)
	$(TEST_ENV) FUZZ_EXAMPLES=30 FUZZ_SCALE=6 $(PY) -m pytest tests/test_api_fuzz.py $(PYTEST_ARGS)

.PHONY: lint
lint: install ## Lint with Ruff
	$(VENV)/bin/ruff check .

.PHONY: format
format: install ## Format with Ruff
	$(VENV)/bin/ruff format .

.PHONY: check
check: install ## Lint + format + import layers + migrations in sync + Dockerfiles and compose files (CI runs it)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/hadolint Dockerfile Dockerfile.staging
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec \
		docker-compose.prod.yml docker-compose.staging.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

.PHONY: fix
fix: install ## Auto-fix lint issues and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: migrate
migrate: install ## Apply database migrations
	$(PY) manage.py migrate

.PHONY: makemigrations
makemigrations: install ## Generate migrations after model changes
	$(PY) manage.py makemigrations api

.PHONY: collectstatic
collectstatic: install ## Collect static files (Swagger UI, admin) into STATIC_ROOT
	$(PY) manage.py collectstatic --noinput

.PHONY: shell
shell: install ## Django shell
	$(PY) manage.py shell

.PHONY: createsuperuser
createsuperuser: install ## Create a developer-role superuser
	$(PY) manage.py createsuperuser

.PHONY: celery
celery: install ## Start a Celery worker
	$(VENV)/bin/celery -A backend worker -l info --concurrency=2

.PHONY: beat
beat: install ## Start the Celery beat scheduler (periodic jobs)
	$(VENV)/bin/celery -A backend beat -l info

.PHONY: bench
bench: install ## Run the benchmarks (BENCH="rest ..." for some); PostgreSQL + Redis on 127.0.0.1
	$(TEST_ENV) $(PY) -m benchmarks $(BENCH)

.PHONY: soak
soak: install ## Mixed load for SOAK_MINUTES (20): does memory, a table or a pool grow without end?
	$(TEST_ENV) $(PY) -m benchmarks.soak
