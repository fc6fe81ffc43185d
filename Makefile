# The contract people and CI both run. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Node 20 is what this machine has; jsii works on it but prints an end-of-life banner on every start.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 20

.PHONY: run test test-fast synth layer invoke bench bench-data clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# What running needs: handlers + the embedded AWS. The CDK libraries are not in here.
$(VENV)/.run-deps: requirements/run.txt requirements/constraints.txt pyproject.toml | $(PY)
	$(PY) -m pip install -q -r requirements/run.txt -c requirements/constraints.txt
	$(PY) -m pip install -q --no-deps -e .  # the `tt` command: .venv/bin/tt
	@touch $@

$(VENV)/.dev-deps: requirements/dev.txt requirements/run.txt requirements/constraints.txt | $(PY)
	$(PY) -m pip install -q -r requirements/dev.txt -c requirements/constraints.txt
	$(PY) -m pip install -q --no-deps -e .  # the `tt` command: .venv/bin/tt
	@touch $@ $(VENV)/.run-deps

## run: start the whole system locally (API on 127.0.0.1:$${PORT:-3000}, workers, storage, admin token)
run: $(VENV)/.run-deps
	@WEBHOOKS_ALLOW_LOOPBACK=true exec $(PY) -m infra.local  # webhooks may call http://127.0.0.1 here only

## test: install what the suite needs and run it (unit, integration, e2e, infra, browser)
test: $(VENV)/.dev-deps
	tests/browser/install_chromium.sh
	$(VENV)/bin/ruff check shared functions infra tests bench
	$(PY) -m pytest $(PYTEST_ARGS)

## test-fast: the inner loop (unit and integration: handlers against moto, no stack, no CDK)
test-fast: $(VENV)/.dev-deps
	$(PY) -m pytest tests/unit tests/integration $(PYTEST_ARGS)

## invoke: run one handler on a sample event against the running local stack
invoke: $(VENV)/.run-deps
	@test -n "$(fn)" -a -n "$(event)" || { echo "usage: make invoke fn=<function> event=events/<file>.json"; exit 2; }
	@$(PY) -m infra.local.invoke $(fn) $(event)

## layer: build/layer = shared/ + its dependencies for Lambda (Python 3.12, arm64)
layer: $(VENV)/.run-deps
	rm -rf build/layer && mkdir -p build/layer/python
	$(PY) -m pip install -q --no-deps --only-binary=:all: --platform manylinux2014_aarch64 \
		--python-version 3.12 --implementation cp --target build/layer/python -r requirements/layer.txt
	cp -r shared build/layer/python/shared
	find build/layer -name __pycache__ -prune -exec rm -rf {} +

## synth: write the CloudFormation template to cdk.out/ (offline, no Docker)
synth: $(VENV)/.dev-deps layer
	CDK_OUTDIR=cdk.out $(PY) -m infra.app

## bench: print the figures quoted in closing notes
bench: $(VENV)/.dev-deps
	$(PY) bench/cold_start.py
	$(PY) bench/request_overhead.py
	$(PY) bench/api_latency.py

## bench-data: import, export and snapshot figures at full size, 150,000 entries behind (tens of minutes)
bench-data: $(VENV)/.dev-deps
	$(PY) bench/import_bench.py 100000
	$(PY) bench/export_bench.py 10000 100000
	$(PY) bench/snapshot_bench.py 150000
	$(PY) bench/saas_import_bench.py 20000
	$(PY) bench/harvest_backup_bench.py 50000
	$(PY) bench/webhook_bench.py --writes 10000

clean:
	rm -rf build cdk.out .pytest_cache
