# sfasync — every task has one entry point here. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
BACKEND ?= dynamodb

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

.PHONY: install
install: $(BIN)/.installed $(BIN)/.cdktf-installed ## .venv with the project, its development tools and cdktf (.venv/bin/sfasync)

.PHONY: test
test: install lint ## install, lint and run the whole test suite (what CI runs)
	$(BIN)/python -m pytest

.PHONY: lint
lint: $(BIN)/.installed ## ruff + mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

.PHONY: package
package: install ## build/lambda.zip, reproducible (same sources -> same bytes)
	$(BIN)/python -m sfasync.packaging --out build/lambda.zip

.PHONY: clean
clean: ## remove build output and caches (keeps .venv)
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .hypothesis

# --- Reliability -------------------------------------------------------------------------------
.PHONY: fuzz
fuzz: install ## long fuzzing campaign (hypothesis "fuzz" profile) over parsing and the handler
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics \
		tests/reliability/test_fuzz.py "tests/service/test_bad_input.py::test_any_request_gets_a_documented_answer"

# --- Terraform ---------------------------------------------------------------------------------
# Offline, the hashicorp/aws provider comes from a local plugin mirror (TF_PLUGIN_DIR) when one
# exists; otherwise `terraform init` uses the registry.
TF_DIR := terraform
TF_PLUGIN_DIR ?= /opt/tf-plugins
TF_INIT_FLAGS := -input=false $(if $(wildcard $(TF_PLUGIN_DIR)),-plugin-dir=$(TF_PLUGIN_DIR))
TF_MODULES := $(wildcard $(TF_DIR)/modules/*)
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov

.PHONY: tf-init
tf-init: ## terraform init of the root (plugin mirror when present)
	terraform -chdir=$(TF_DIR) init $(TF_INIT_FLAGS)

.PHONY: tf-fmt
tf-fmt: ## format every Terraform file
	terraform fmt -recursive $(TF_DIR)

.PHONY: tf-validate
tf-validate: ## terraform fmt -check + validate of the root and of each module
	terraform fmt -check -recursive $(TF_DIR)
	@set -e; for dir in $(TF_DIR) $(TF_MODULES); do \
		echo "validate $$dir"; \
		terraform -chdir=$$dir init $(TF_INIT_FLAGS) -backend=false >/dev/null; \
		terraform -chdir=$$dir validate; \
	done

.PHONY: tf-test
tf-test: ## terraform test: terraform/tests/*.tftest.hcl with a mocked AWS provider
	terraform -chdir=$(TF_DIR) init $(TF_INIT_FLAGS) -backend=false >/dev/null
	terraform -chdir=$(TF_DIR) test

.PHONY: tf-moto
tf-moto: install ## apply + destroy the root for each backend against moto servers, then inspect
	$(BIN)/python -m pytest -q tests/terraform/test_terraform_moto.py

.PHONY: plan
plan: package ## terraform plan BACKEND=dynamodb|s3|efs of a fresh build/lambda.zip (needs AWS credentials)
	terraform -chdir=$(TF_DIR) init $(TF_INIT_FLAGS) >/dev/null
	terraform -chdir=$(TF_DIR) plan -var storage_backend=$(BACKEND)

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	@touch $@

.PHONY: security
security: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION) ## checkov over terraform/ (no failed check allowed)
	$(CHECKOV_VENV)/bin/checkov -d $(TF_DIR) --framework terraform --skip-download --quiet --compact

# --- Terraform: CDK for Terraform front (archived upstream in 2025-12; pinned to 0.21.0) --------
# The app runs with Python alone (no Node.js CLI); jsii still needs Node.js on PATH.
$(BIN)/.cdktf-installed: cdktf/requirements.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r cdktf/requirements.txt
	@touch $@

.PHONY: cdktf-install
cdktf-install: $(BIN)/.cdktf-installed ## cdktf + constructs (cdktf/requirements.txt) into .venv

.PHONY: cdktf-synth
cdktf-synth: cdktf-install ## synthesize cdktf/cdktf.out/stacks/sfasync/cdk.tf.json for BACKEND=dynamodb|s3|efs
	cd cdktf && SFASYNC_STORAGE_BACKEND=$(BACKEND) ../$(BIN)/python main.py
	@echo "cdktf/cdktf.out/stacks/sfasync/cdk.tf.json (storage backend $(BACKEND))"
# --- end of Terraform --------------------------------------------------------------------------

# ---- Local endpoint (sfasync serve / call / run) -------------------------------------------------
# `make run`: the local endpoint on 127.0.0.1:$(PORT) with the embedded default storage (efs backend
# on ./.sfasync/jobs) and the offline sentiment engine; the example batch through it; then it keeps
# serving until Ctrl-C. The logic is `sfasync run` (tests/e2e drives the same code).
JOBS_DIR ?= .sfasync/jobs

.PHONY: run
run: install ## local endpoint on 127.0.0.1:$PORT (default 8080) + the example batch; Ctrl-C stops
	@SENTIMENT_ENGINE=lexicon $(BIN)/sfasync run --host 127.0.0.1 --port $(PORT) --backend efs --data-dir $(JOBS_DIR)
# ---- end of Local endpoint ------------------------------------------------------------------------

.PHONY: soak
soak: install ## soak: 200 concurrent batches of 4,096 rows per backend through the local endpoint
	rm -f build/soak.json
	SOAK_BATCHES=$${SOAK_BATCHES:-200} SOAK_ROWS=$${SOAK_ROWS:-4096} SOAK_CONCURRENCY=$${SOAK_CONCURRENCY:-200} \
		$(BIN)/python -m pytest -q -s -p no:cacheprovider tests/reliability/test_soak.py
	@echo "figures: build/soak.json"

# ---- Benchmark (sfasync bench) -------------------------------------------------------------------
# `make bench`: every backend and the documentation's sample design (--baseline) on this machine --
# DynamoDB and S3 on a moto server, Comprehend on a local stand-in, all started and stopped by the
# command -- with 4,096-row batches. Writes bench-out/bench.{md,json,png}. README.md, "Choosing a backend"
# explains the figures; BENCH_ARGS overrides the workload (e.g. BENCH_ARGS="--latency-model aws").
BENCH_OUT ?= bench-out
BENCH_ARGS ?= --backends efs,dynamodb,s3 --baseline --function echo,sentiment \
	--rows-per-batch 4096 --row-bytes 100,1024 --batches 8 --concurrency 4

.PHONY: bench
bench: install ## storage benchmark: throughput, latency, requests, cost per million rows -> bench-out/
	$(BIN)/sfasync bench $(BENCH_ARGS) --out $(BENCH_OUT)
# ---- end of Benchmark ----------------------------------------------------------------------------
