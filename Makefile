# The two commands: `make run` (install, migrate, start everything on SQLite) and
# `make test` (install, run the whole suite on SQLite and, when reachable, PostgreSQL).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
export PYTHONPATH := $(CURDIR):$(CURDIR)/services/complaints:$(CURDIR)/services/wages:$(CURDIR)/services/credit
ALEMBIC_CONFIGS := services/complaints/alembic.ini services/wages/alembic.ini services/credit/alembic.ini gateway/alembic.ini

.PHONY: run test check bench install migrate lock clean help

help:
	@echo "make run    install, migrate and start gateway (8000) + complaints/wages/credit (8001-8003)"
	@echo "make test   install and run the whole suite (SQLite, then PostgreSQL when reachable)"
	@echo "make check  ruff + mypy --strict"
	@echo "make bench  benchmarks against same-run baselines on the local PostgreSQL (BENCH_SCALE=0.1 for a quick run)"
	@echo "make migrate | make lock | make clean"

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	@mkdir -p var
	@for cfg in $(ALEMBIC_CONFIGS); do $(BIN)/alembic -c $$cfg upgrade head || exit 1; done

run: migrate
	$(BIN)/python scripts/run_all.py

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Starts the local PostgreSQL as .ci/run does if it is down; installs wrk and nginx with apt if missing.
bench: install
	$(BIN)/python bench/run.py

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

lock:
	rm -rf /tmp/km-lock-venv && $(PYTHON) -m venv /tmp/km-lock-venv
	/tmp/km-lock-venv/bin/pip install --quiet -r requirements.in
	( echo '# Pinned by `make lock` from requirements.in (pip freeze of a clean venv). Do not edit by hand.'; \
	  /tmp/km-lock-venv/bin/pip freeze ) > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
