# gradlab: one entry point for setup, tests, the web app and benchmarks.
#
#   make test       every test (installs what it needs first; what CI runs)
#   make serve      the app at http://127.0.0.1:8080 (trunk serve --release)
#   make build-web  the app into dist/ (trunk build --release)
#   make dist       the same, checked deployable: relative URLs, service worker list
#   make bench      the benchmark tables (cargo run --release -- bench)
#   make bench-native  gradlab against PyTorch on this CPU (bench/peers_native.py)
#   make e2e        browser end-to-end tests (tests/e2e) against dist/
#   make wasm-test  browser kernel tests (tests/browser_kernels.rs, browser_mathf.rs) through
#                   WebGPU in headless Chromium, against the CPU backend
#   make fmt        format the code
#
# Every step is incremental: nothing here cleans, so builds are reused.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Cargo steps share one target dir and lock; run them one after another.
.NOTPARALLEL:

WASM_TARGET := wasm32-unknown-unknown
SETUP := bash scripts/setup.sh
CARGO ?= cargo
TRUNK ?= trunk

# Browser end-to-end tests join `make test` once the page exists: set this to
# `e2e` (it then also builds the page with trunk and installs the web tools).
TEST_E2E := e2e

# npm tools (binaryen's wasm-opt 132, playwright-core) from scripts/setup.sh,
# first on PATH so trunk never meets Debian's wasm-opt; then the cargo-installed
# tools (trunk, wasm-bindgen, wasm-bindgen-test-runner).
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CARGO_BIN):$(PATH)

# wgpu's Vulkan loader warns when XDG_RUNTIME_DIR is unset; give it a private
# 0700 folder unless the environment already has one.
XDG_RUNTIME_DIR ?= $(CURDIR)/target/xdg-runtime
export XDG_RUNTIME_DIR

.PHONY: help test setup-test setup-web fmt fmt-check clippy clippy-wasm \
	cargo-test build-wasm serve build-web dist bench bench-native e2e wasm-test xdg-runtime

help:
	@sed -n '3,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# ------------------------------------------------------------------ tests

# (build-wasm is not a step: clippy-wasm checks every wasm target, wasm-test builds the
# library for wasm and e2e builds the page, so a debug wasm build would only add disk.)
test: setup-test fmt-check clippy clippy-wasm cargo-test wasm-test $(TEST_E2E)
	@echo "==> make test: all steps passed"

setup-test:
	$(SETUP) rust apt python

setup-web:
	$(SETUP) rust web

fmt:
	$(CARGO) fmt --all

fmt-check:
	@echo "==> cargo fmt --all -- --check"
	$(CARGO) fmt --all -- --check

clippy:
	@echo "==> cargo clippy --all-targets -- -D warnings (native)"
	$(CARGO) clippy --all-targets -- -D warnings

clippy-wasm:
	@echo "==> cargo clippy --lib --bins --target $(WASM_TARGET) -- -D warnings"
	$(CARGO) clippy --lib --bins --target $(WASM_TARGET) -- -D warnings

# GPU tests run on lavapipe natively; with GRADLAB_REQUIRE_GPU=1 (set by
# .ci/run) they fail instead of skipping when no adapter is found.
cargo-test: xdg-runtime
	@echo "==> cargo test (GRADLAB_REQUIRE_GPU=$${GRADLAB_REQUIRE_GPU:-unset})"
	$(CARGO) test

build-wasm:
	@echo "==> cargo build --lib --bins --target $(WASM_TARGET)"
	$(CARGO) build --lib --bins --target $(WASM_TARGET)

xdg-runtime:
	@[ -d "$$XDG_RUNTIME_DIR" ] || mkdir -p -m 700 "$$XDG_RUNTIME_DIR"

# ------------------------------------------------------------------ web app

# Trunk.toml builds offline (it never downloads tools and passes --offline to
# cargo), so fetch the crates first; a no-op when they are cached.
serve: setup-web
	$(CARGO) fetch
	$(TRUNK) serve --release

build-web: setup-web
	$(CARGO) fetch
	$(TRUNK) build --release

# Spec files are tests/e2e/*.test.mjs; scripts/e2e.sh serves dist/ and runs
# `node --test tests/e2e/` (it says so and passes when there are none yet).
e2e: build-web
	$(SETUP) apt
	bash scripts/e2e.sh

# Runs the browser tests in headless Chromium: .cargo/config.toml names
# wasm-bindgen-test-runner (from setup-web, on PATH above), webdriver.json passes
# the Chromium flags (WebGPU on SwiftShader), chromedriver comes from the apt
# step. SwiftShader is slow, so the runner gets more than its default 20 s.
# Chromium's profiles (150 MB each; chromedriver leaves them behind) go to a folder
# under target/ that each run empties, not to /tmp.
WASM_BINDGEN_TEST_TIMEOUT ?= 180
BROWSER_TMP := $(CURDIR)/target/browser-tmp-wasm
wasm-test: setup-web
	$(SETUP) apt
	@echo "==> cargo test -p gradlab --target $(WASM_TARGET) --test browser_kernels --test browser_mathf (headless Chromium, WebGPU)"
	rm -rf "$(BROWSER_TMP)" && mkdir -p "$(BROWSER_TMP)"
	TMPDIR="$(BROWSER_TMP)" WASM_BINDGEN_TEST_TIMEOUT=$(WASM_BINDGEN_TEST_TIMEOUT) \
		$(CARGO) test -p gradlab --target $(WASM_TARGET) --test browser_kernels --test browser_mathf
	rm -rf "$(BROWSER_TMP)"

# The page as a static site in dist/ (`make build-web`: trunk's post-build hook,
# scripts/site_build.mjs, writes the service worker sw.js), then checked: every URL
# relative, sw.js listing the build's files as they are. Deploy by copying dist/ to
# any static host, at a domain's root or under any subpath.
.PHONY: dist
dist: build-web
	@echo "==> node scripts/site_build.mjs --check dist"
	node scripts/site_build.mjs --check dist

# ------------------------------------------------------------------ bench

bench: xdg-runtime
	$(CARGO) run --release -- bench

# gradlab against PyTorch eager on this CPU (1 and 2 threads), alternating rounds;
# the PyTorch side is skipped with a note when torch is not installed.
bench-native: xdg-runtime
	$(CARGO) build --release
	python3 bench/peers_native.py --gradlab target/release/gradlab

# gradlab against TensorFlow.js 4.22 in headless Chromium with WebGPU (bench/web/): the
# lab (dist/, for its page-ready time and first-load bytes) and the bench page
# (target/bench-web/, a second wasm entry: src/bin/bench_web) are built, then the
# driver prints the table. BENCH_WEB_ARGS passes options to it (--json, --rounds 3,
# --profile mlp-big-b256:gl-cpu, --kernel base: see bench/web/driver.mjs).
BENCH_WEB_ARGS ?=
.PHONY: bench-web
bench-web: build-web
	$(SETUP) tfjs apt
	bash bench/web/build.sh
	node bench/web/driver.mjs $(BENCH_WEB_ARGS)
