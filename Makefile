# Trawl: two commands do all the set-up on a fresh Debian machine.
#   make demo   installs missing system packages, builds in release mode, scans Samples/
#   make test   installs missing system packages, runs the test suite
# python3-jsonschema validates SARIF in tests; chromium runs the HTML inventory's browser test.
SWIFT ?= swift
APT_PACKAGES := pkg-config libpcre2-dev libxml2-dev libsqlite3-dev zlib1g-dev python3-jsonschema chromium
RELEASE_BIN := .build/release/trawl

.PHONY: deps build demo test clean

deps:
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: '$(SWIFT)' not found: install the Swift 6 toolchain (swift.org) and put it on PATH"; exit 1; }
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "error: missing system packages:$$missing"; \
			echo "       install them with: sudo apt-get install$$missing"; \
			exit 1; \
		fi; \
	fi

build: deps
	$(SWIFT) build -c release

# The demo is not a gate: trawl exits 1 when it finds personal data, which it will.
demo: build
	@echo "== trawl scan Samples"
	@$(RELEASE_BIN) scan Samples; status=$$?; echo "(trawl exited with $$status: 0 clean, 1 policy violations at or above --fail-on, 2 incomplete)"

test: deps
	$(SWIFT) test

clean:
	rm -rf .build
