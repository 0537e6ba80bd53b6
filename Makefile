# Plain entry points: `make run` starts the control plane with a demo data set (the one-shot gate
# example is `python -m signoff.demo.example`), `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test fuzz lint clean browser tools
TOOLS := tests/tools/node_modules/.installed

# Installs pin every dependency to constraints.txt (tools/lock_constraints.py writes it).
$(BIN)/signoff: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[server]'
	$(BIN)/python -m compileall -q src/signoff
	touch $@

$(VENV)/.dev: $(BIN)/signoff
	$(BIN)/pip install --quiet -c constraints.txt -e '.[server,github,dev]'
	touch $@

run: $(BIN)/signoff
	DEMO_PORT=$(or $(DEMO_PORT),8700) $(BIN)/python -m signoff.demo

test: $(VENV)/.dev browser tools $(TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest --cov

# The fuzz tests (tests/fuzz) with the long Hypothesis profile: FUZZ_FACTOR (default 40) times
# the examples `make test` runs; `--hypothesis-show-statistics` prints what each test ran. Inputs
# that fail are kept in .hypothesis/ and replayed first on the next run.
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=long $(BIN)/pytest -q tests/fuzz --hypothesis-show-statistics

# The console's browser tests drive Debian's chromium (never a browser Playwright downloads).
# Installed with apt when running as root; otherwise they skip (SIGNOFF_REQUIRE_BROWSER=1 in CI
# turns that skip into a failure).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium is missing and this is not root: the browser tests will skip"

# Signing tests and bench/gen_real_history.py sign commits with Debian's gpg and ssh-keygen;
# bench/real_speed.py reads the gate's peak memory from GNU time.
tools:
	@{ command -v gpg && command -v ssh-keygen && [ -x /usr/bin/time ]; } >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq gnupg openssh-client time >/dev/null; } || \
	  echo "gpg, ssh-keygen or GNU time is missing and this is not root"
# Node tools the tests run, pinned by tests/tools/package-lock.json: axe-core (accessibility of
# every console page), oidc-provider (a real OpenID Connect provider on loopback) and the SARIF
# 2.1.0 schema. Without node they skip, unless SIGNOFF_REQUIRE_BROWSER=1 (CI).
$(TOOLS): tests/tools/package.json tests/tools/package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || \
	  echo "node/npm are missing and this is not root: the tests that need them will skip"
	@if command -v npm >/dev/null; then \
	  cd tests/tools && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) tests/tools/node_modules build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
