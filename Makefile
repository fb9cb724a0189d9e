# Two commands for a newcomer: `make run` (the product) and `make test` (the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install dialogue services browser bench soak

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed for the app")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Rasa's own Python 3.10 environment and the trained model (cached by a hash of dialogs/).
dialogue: install
	$(VENV)/bin/intake train

run: install
	$(VENV)/bin/intake run

# PostgreSQL and Redis for the tests that use DATABASE_URL / REDIS_URL.
services:
	@bash tests/start_services.sh

# Debian's headless Chromium and its driver for the console's browser tests (nothing
# downloads a browser); the package lists are refreshed only when the install fails.
APT_CHROMIUM = env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "installing Debian's chromium and chromium-driver"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO $(APT_CHROMIUM) || { $$SUDO apt-get update -q && $$SUDO $(APT_CHROMIUM); } \
	  || echo "could not install chromium and chromium-driver: the browser tests will fail"; \
	fi

test: dialogue services browser
	$(VENV)/bin/lint-imports
	DATABASE_URL_PG=$${DATABASE_URL_PG:-postgresql://postgres@127.0.0.1:5432/test} \
	REDIS_URL_TEST=$${REDIS_URL_TEST:-redis://127.0.0.1:6379/15} \
	$(VENV)/bin/python -m pytest -q

bench: dialogue
	$(VENV)/bin/python bench/webhook_bench.py
	$(VENV)/bin/python bench/safety_readers.py speed
	$(VENV)/bin/python bench/act_reader.py speed

soak: dialogue
	$(VENV)/bin/python bench/fault_soak.py
