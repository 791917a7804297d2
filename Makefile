# mpbook: `make run` serves the book, `make test` runs the whole suite.
# Both create .venv and install what is missing on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
APT    := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run workshop test test-fast lint bench bench-short system-deps test-deps browser-deps node-deps build-js clean

run: $(VENV)/.installed system-deps
	MPBOOK_HOST=$(HOST) MPBOOK_PORT=$(PORT) $(BIN)/mpbook serve

# A room: on the network, behind a join link (docs/deploy.md). PORT overrides the port.
workshop: $(VENV)/.installed system-deps
	$(BIN)/mpbook serve --workshop --port $(PORT)

test: $(VENV)/.installed-test system-deps test-deps browser-deps node-deps lint
	$(BIN)/python -m pytest -q

test-fast: $(VENV)/.installed-test system-deps test-deps
	$(BIN)/python -m pytest -q -m "not browser and not slow"

# The linters (settings in pyproject.toml and eslint.config.js): ruff on all the Python,
# mypy on the package, eslint on the page's JavaScript. mypy knows the package only by
# its import name, so it reads server/ through a link named mpbook; its messages say server/.
MYPY_PATH := $(VENV)/mypy-path
lint: $(VENV)/.installed-test node-deps
	$(BIN)/ruff check .
	@mkdir -p $(MYPY_PATH) && ln -sfn $(CURDIR)/server $(MYPY_PATH)/mpbook
	@echo "mypy -p mpbook  (server/)"; out=$$(MYPYPATH=$(MYPY_PATH) $(BIN)/mypy -p mpbook 2>&1); status=$$?; \
	  printf '%s\n' "$$out" | sed 's|^$(MYPY_PATH)/mpbook/|server/|'; exit $$status
	npx eslint

bench: $(VENV)/.installed-test system-deps browser-deps
	$(BIN)/python -m bench

bench-short: $(VENV)/.installed-test system-deps browser-deps
	$(BIN)/python -m bench --short

build-js:
	npm ci && npm run build

# Front-end test tooling only (axe-core for the accessibility test; the CodeMirror
# sources and esbuild for build-js). The book itself runs without Node: its bundle is committed.
node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# The sandbox needs bubblewrap. As root on Debian it is installed; otherwise the
# server falls back to its basic backend and says so.
system-deps:
	@if command -v bwrap >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  ($(APT) install -y -qq bubblewrap || ($(APT) update -qq && $(APT) install -y -qq bubblewrap)) >/dev/null; \
	else echo "note: bubblewrap is missing, so examples run in the basic sandbox. Install it with: sudo apt-get install bubblewrap"; fi
	@if ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  ($(APT) install -y -qq libseccomp2 || ($(APT) update -qq && $(APT) install -y -qq libseccomp2)) >/dev/null; \
	else echo "note: libseccomp is missing, so bwrap runs without its seccomp filter. Install it with: sudo apt-get install libseccomp2"; fi

# The non-root containment test (tests/test_nonroot.py) builds a venv of Debian's python3 as
# an unprivileged user would; that needs python3-venv.
test-deps:
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || ! [ -x /usr/bin/python3 ] || \
	  /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then :; \
	else ($(APT) install -y -qq python3-venv || ($(APT) update -qq && $(APT) install -y -qq python3-venv)) >/dev/null; fi

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here),
# and the deployment test drives nginx.
browser-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  ($(APT) install -y -qq $$missing || ($(APT) update -qq && $(APT) install -y -qq $$missing)) >/dev/null; \
	else echo "The browser tests need:$$missing. Install with: sudo apt-get install$$missing (or run 'python -m playwright install chromium' where downloads work)."; exit 1; fi

clean:
	rm -rf $(VENV) node_modules
