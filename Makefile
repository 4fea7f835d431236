# Sift: `make run` starts everything, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEPS_HASH := $(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)
STAMP := $(VENV)/.deps-$(DEPS_HASH)
PYTEST_ARGS ?=

.PHONY: run test test-web test-ops test-containers install system-deps lint lint-deploy format lock clean help

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# The stamp's name is the hash of the pins: it changes when they do. No mtime prerequisite,
# so a checkout or a branch switch that rewrites identical files installs nothing.
$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.deps-* && touch $@

install: $(STAMP)  ## Python dependencies into .venv (pinned by requirements.lock)

system-deps:  ## nginx (and redis-server when missing) from Debian packages
	@./scripts/system-deps.sh

run: install system-deps  ## run Sift on this machine (embedded PostgreSQL, local Redis, gateway)
	$(BIN)/sift up

test: install  ## lint, architecture checks and every test (backend with coverage, web app)
	@./scripts/system-deps.sh --test
	@./scripts/ensure-redis.sh
	$(MAKE) --no-print-directory lint
	$(BIN)/coverage erase
	$(BIN)/pytest -m "not ops" --cov --cov-report=term --cov-report=xml --cov-fail-under=90 $(PYTEST_ARGS); \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc
	$(MAKE) --no-print-directory test-web

test-web: install  ## the web app: lint, types, unit tests, Playwright against a real stack
	@./scripts/system-deps.sh --test
	cd web && PATH="$(CURDIR)/$(BIN):$$PATH" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ./scripts/test.sh

lint: install  ## ruff, black, isort, mypy, import boundaries, bandit
	$(BIN)/ruff check src tests
	$(BIN)/black --check --quiet src tests
	$(BIN)/isort --check-only --quiet src tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/bandit --quiet -c pyproject.toml -r src --severity-level medium
	$(MAKE) --no-print-directory lint-deploy

# The Kubernetes version the manifests are validated against (kubernetes-validate's schemas).
K8S_VERSION ?= 1.31.0

lint-deploy: install  ## Dockerfiles, Compose files, Kubernetes overlays, YAML style (a few seconds)
	@./scripts/system-deps.sh --deploy
	$(BIN)/hadolint Dockerfile web/Dockerfile deploy/docker/infra.Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec \
	  deploy/compose/compose.yaml deploy/compose/compose.dev.yaml
	$(BIN)/yamllint --strict deploy .hadolint.yaml .yamllint.yaml
	@set -e; for overlay in dev prod; do \
	  kubectl kustomize deploy/k8s/overlays/$$overlay > /tmp/sift-k8s-$$overlay.yaml \
	    2> /tmp/sift-k8s-$$overlay.err || { cat /tmp/sift-k8s-$$overlay.err; exit 1; }; \
	  $(BIN)/kubernetes-validate --strict --quiet -k $(K8S_VERSION) /tmp/sift-k8s-$$overlay.yaml; \
	  echo "deploy/k8s/overlays/$$overlay: valid for Kubernetes $(K8S_VERSION)"; \
	done

test-ops: install  ## the restore drill against whole stacks (slow: several minutes, not in `make test`)
	@./scripts/system-deps.sh --test
	@./scripts/ensure-redis.sh
	$(BIN)/pytest -m ops -s $(PYTEST_ARGS)

test-containers: install  ## images, Compose stack + journey, replica kill, kube play (podman; slow; not in CI)
	VENV_BIN=$(BIN) ./scripts/test-containers.sh

format: install  ## apply black, isort and ruff's fixes
	$(BIN)/ruff check --fix --quiet src tests || true
	$(BIN)/isort --quiet src tests
	$(BIN)/black --quiet src tests

lock:  ## re-pin requirements.lock from pyproject.toml in a clean venv
	rm -rf /tmp/sift-lock && $(PYTHON) -m venv /tmp/sift-lock
	/tmp/sift-lock/bin/pip install -q '.[dev]'
	/tmp/sift-lock/bin/pip freeze --exclude-editable | grep -v '^sift' > requirements.lock

clean:  ## remove caches (keeps .sift data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache htmlcov .coverage .coverage.* coverage.xml
