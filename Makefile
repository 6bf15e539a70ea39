# Trawl: two commands do all the set-up on a fresh Debian machine.
#   make demo   installs missing system packages, builds in release mode, scans Samples/
#   make test   installs missing system packages, runs the test suite, then under ThreadSanitizer,
#               the fuzzers (30 s each) and the load check
# python3-jsonschema validates SARIF in tests; chromium runs the HTML inventory's browser test;
# GNU time measures peak memory in Benchmarks/load. Tesseract (French, English) and poppler read
# images and PDFs (OCR is optional at run time); ImageMagick and DejaVu draw the OCR test images.
SWIFT ?= swift
APT_PACKAGES := pkg-config libpcre2-dev libxml2-dev libsqlite3-dev zlib1g-dev python3 python3-jsonschema chromium time \
	tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils imagemagick fonts-dejavu-core
RELEASE_BIN := .build/release/trawl

.PHONY: deps build demo test fuzz clean

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

# The suite, then the same suite under ThreadSanitizer (a race fails it), the fuzzers for 30 s
# each, and the load check (200,000 files, a 4 GB dump on stdin; release build).
test: deps
	$(SWIFT) test
	TSAN_OPTIONS="halt_on_error=1:exitcode=66" $(SWIFT) test --sanitize=thread --scratch-path .build-tsan
	$(MAKE) fuzz FUZZ_SECONDS=30
	Benchmarks/load --check --no-results

# libFuzzer over every reader and the detection engine (issue 7): builds Sources/TrawlFuzz (declared
# only with TRAWL_FUZZ=1, see Package.swift) in its own scratch path, then runs each target for
# FUZZ_SECONDS on a copy of its seeds (Tests/Fuzz/<target>, never written to) and of its saved
# crashes (Tests/Fuzz/regressions/<target>) in .build-fuzz/corpus/<target>, which keeps what
# earlier runs found. Any crash, leak, timeout or out-of-memory fails the run and names the target
# and the input that caused it (.build-fuzz/crashes/<target>/); save that input under
# Tests/Fuzz/regressions/<target>/ and FuzzRegressionTests replays it in `swift test`.
# Release mode with ASan: optimised code runs many times more inputs per second than debug
# (overflow and bounds checks stay; only `assert`s go), and ASan adds memory errors and leaks
# (the C libraries' allocations included) to the traps; `-Xcc` instruments the package's own C
# (the prefilter's kernels in Sources/CTrawlKernels) for ASan and coverage as well, which
# `-Xswiftc` alone left out. lld (shipped with the toolchain) links it:
# gold prints a warning for each of ASan's local symbols. Swift's own crash backtracer is turned
# off so that libFuzzer reports a trap at once.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= csv json sql xml xlsx zip gzip tar engine media
FUZZ_SCRATCH := .build-fuzz
FUZZ_BIN := $(FUZZ_SCRATCH)/release/TrawlFuzz

fuzz: deps
	TRAWL_FUZZ=1 $(SWIFT) build -c release --product TrawlFuzz --scratch-path $(FUZZ_SCRATCH) -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
		-Xcc -fsanitize=fuzzer-no-link,address
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
		corpus=$(FUZZ_SCRATCH)/corpus/$$t; crashes=$(FUZZ_SCRATCH)/crashes/$$t; log=$(FUZZ_SCRATCH)/logs/$$t.log; \
		mkdir -p $$corpus $$crashes $(FUZZ_SCRATCH)/logs; rm -f $$crashes/*; \
		cp Tests/Fuzz/$$t/* $$corpus/; cp Tests/Fuzz/regressions/$$t/* $$corpus/ 2>/dev/null; \
		if TRAWL_FUZZ_TARGET=$$t SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) $$corpus -max_total_time=$(FUZZ_SECONDS) \
			-max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=$$crashes/ >$$log 2>&1; then \
			runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
			rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
			echo "fuzz $$t: ok, $$runs inputs in $(FUZZ_SECONDS) s ($$rate exec/s), corpus of $$(ls $$corpus | wc -l)"; \
		else \
			echo "fuzz $$t: FAILED (log: $$log)"; \
			grep -E '^==[0-9]+==|^SUMMARY|runtime failure|Test unit written to|ERROR: libFuzzer' $$log | head -20; \
			for f in $$crashes/*; do [ -e "$$f" ] && echo "fuzz $$t: crash file $$f"; done; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failing targets:$$failed"; exit 1; fi

clean:
	rm -rf .build .build-tsan .build-fuzz
