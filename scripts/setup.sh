#!/usr/bin/env bash
# Installs what gradlab's builds and tests need, idempotently: each step checks
# first and skips what is already there at the right version.
#
# usage: scripts/setup.sh STEP...
#   rust   wasm32-unknown-unknown target, rustfmt and clippy (seconds)
#   apt    Debian packages: Vulkan on lavapipe for native wgpu tests, Chromium
#          and ChromeDriver for browser tests (needs root; minutes on a fresh box)
#   web    trunk, wasm-bindgen-cli, wasm-opt (binaryen) and playwright-core for
#          the page (about 20 min the first time on 2 cores, then seconds)
#   python safetensors and numpy for Python, to check that exported models load in
#          Python's own safetensors package (seconds; pip); PyTorch for the tests of
#          the PyTorch export (about 5 GB with its CUDA libraries; a few minutes the
#          first time, skipped when that version is already importable)
#   tfjs   TensorFlow.js 4.22 for the browser benchmark (make bench-web) only
#   all    rust apt web python
#
# The versions below are the ones proven together in shared/TOOLCHAIN.md.
# Cargo tools go to cargo's default root (~/.cargo/bin) so they outlive the
# checkout; npm tools go to .tools/ in the repository (ignored by git).
set -euo pipefail

readonly WASM_TARGET=wasm32-unknown-unknown
readonly TRUNK_VERSION=0.21.14
readonly WASM_BINDGEN_VERSION=0.2.130
readonly BINARYEN_MAJOR=132
readonly PLAYWRIGHT_MINOR=1.65
readonly TORCH_VERSION=2.15.0
# gcc builds the native allocator (mimalloc, C) of the command line.
readonly APT_PACKAGES=(gcc mesa-vulkan-drivers libvulkan1 chromium chromium-driver fonts-wqy-microhei)
# How long to wait for another apt/dpkg run to let go of its lock.
readonly LOCK_WAIT_S=${SETUP_LOCK_WAIT_S:-300}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly TOOLS_DIR="$ROOT/.tools"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
readonly CARGO_BIN
export PATH="$TOOLS_DIR/node_modules/.bin:$CARGO_BIN:$PATH"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- rust

setup_rust() {
  have cargo || die "cargo not found: install Rust (rustup) first"
  if have rustup; then
    local installed
    installed=$(rustup target list --installed)
    if grep -qx "$WASM_TARGET" <<<"$installed"; then
      say "skip: rust target $WASM_TARGET already installed"
    else
      say "install: rustup target add $WASM_TARGET"
      rustup target add "$WASM_TARGET"
    fi
    local comp
    installed=$(rustup component list --installed)
    for comp in rustfmt clippy; do
      if grep -q "^$comp" <<<"$installed"; then
        say "skip: rust component $comp already installed"
      else
        say "install: rustup component add $comp"
        rustup component add "$comp"
      fi
    done
  else
    # No rustup: the toolchain must already carry the target.
    local sysroot
    sysroot=$(rustc --print sysroot)
    [ -d "$sysroot/lib/rustlib/$WASM_TARGET" ] ||
      die "no rustup and no $WASM_TARGET in $sysroot: install the target by hand"
    say "skip: rust target $WASM_TARGET present (no rustup)"
  fi
}

# ---------------------------------------------------------------- apt

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]
}

# Runs an apt-get command, waiting (up to LOCK_WAIT_S) while another apt or
# dpkg process holds the lock instead of failing at once.
apt_get() {
  local deadline=$((SECONDS + LOCK_WAIT_S)) log rc
  log=$(mktemp)
  while :; do
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT_S" \
      "$@" </dev/null 2>&1 | tee "$log" || rc=$?
    if [ "$rc" -eq 0 ]; then
      rm -f "$log"
      return 0
    fi
    if grep -qiE 'could not (get|open) lock|unable to (acquire|lock)' "$log" &&
      [ "$SECONDS" -lt "$deadline" ]; then
      say "apt/dpkg is busy (another install running); retrying in 10 s"
      sleep 10
      continue
    fi
    rm -f "$log"
    return "$rc"
  done
}

setup_apt() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if pkg_installed "$pkg"; then
      say "skip: $pkg already installed"
    else
      missing+=("$pkg")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "WARNING: missing Debian packages: ${missing[*]}"
    say "WARNING: not root, so not installing them; run as root:"
    say "WARNING:   apt-get update && apt-get install -y ${missing[*]}"
    say "WARNING: without them GPU tests skip (or fail with GRADLAB_REQUIRE_GPU=1)"
    return 0
  fi
  have apt-get || die "apt-get not found: install ${missing[*]} by hand"
  say "install: apt-get update, then apt-get install ${missing[*]}"
  apt_get update
  apt_get install -y "${missing[@]}"
}

# ---------------------------------------------------------------- web

# Prints the version a command reports, or nothing when it is missing.
version_of() {
  have "$1" || return 0
  "$1" --version 2>/dev/null | head -n 1 || true
}

cargo_tool() { # cargo_tool BIN WANT_LINE CRATE VERSION [extra cargo install args]
  local bin=$1 want=$2 crate=$3 version=$4 got
  shift 4
  got=$(version_of "$bin")
  if [ "$got" = "$want" ]; then
    say "skip: $bin already at $version"
    return 0
  fi
  say "install: cargo install $crate --version $version $* (found: ${got:-none}; several minutes on 2 cores)"
  cargo install "$crate" --version "$version" "$@"
  got=$(version_of "$bin")
  [ "$got" = "$want" ] ||
    die "$bin on PATH reports '${got:-nothing}' after install ($(command -v "$bin" || true)); put $CARGO_BIN first on PATH"
}

npm_installed_version() { # npm_installed_version PACKAGE
  local manifest="$TOOLS_DIR/node_modules/$1/package.json"
  [ -f "$manifest" ] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$manifest" 2>/dev/null || true
}

web_cargo_tools() {
  have cargo || die "cargo not found"
  cargo_tool trunk "trunk $TRUNK_VERSION" trunk "$TRUNK_VERSION" --locked
  # Not --locked: wasm-bindgen-cli's lockfile pins a crate version the
  # registry here lacks. The same install brings wasm-bindgen-test-runner.
  cargo_tool wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
}

web_npm_tools() {
  have node || die "node not found: install Node.js (20 or newer) first"
  have npm || die "npm not found: install npm first"
  # npm tools live in .tools/. Debian's binaryen (wasm-opt 108) silently breaks
  # the module, so trunk must find this wasm-opt first on PATH.
  local specs=() got
  mkdir -p "$TOOLS_DIR"
  [ -f "$TOOLS_DIR/package.json" ] ||
    printf '{\n  "name": "gradlab-tools",\n  "private": true\n}\n' >"$TOOLS_DIR/package.json"
  got=$(npm_installed_version binaryen)
  if [ "${got%%.*}" = "$BINARYEN_MAJOR" ] && [ -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
    say "skip: binaryen (wasm-opt) already at $got"
  else
    specs+=("binaryen@$BINARYEN_MAJOR")
  fi
  got=$(npm_installed_version playwright-core)
  case "$got" in
    "$PLAYWRIGHT_MINOR".*) say "skip: playwright-core already at $got" ;;
    *) specs+=("playwright-core@~$PLAYWRIGHT_MINOR.0") ;;
  esac
  if [ "${#specs[@]}" -gt 0 ]; then
    say "install: npm install ${specs[*]} into .tools/"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --save-exact "${specs[@]}" </dev/null
  fi
  # Never `npx playwright install`: the tests drive Debian's /usr/bin/chromium.

  # Let spec files in tests/e2e `import ... from 'playwright-core'` (node looks
  # for node_modules beside the importing file and above it, never in .tools/).
  local e2e="$ROOT/tests/e2e"
  if [ -d "$e2e" ] && [ ! -e "$e2e/node_modules" ]; then
    say "link: tests/e2e/node_modules -> .tools/node_modules"
    ln -s ../../.tools/node_modules "$e2e/node_modules"
  fi
}

# TensorFlow.js for the browser benchmark only (`make bench-web`, bench/web/): the
# peer that gradlab is timed against in the same page. Its own folder under .tools/
# (GRADLAB_TFJS_DIR overrides it) with its own package.json, so it never touches the
# e2e tools' node_modules; the page never loads it.
readonly TFJS_VERSION=4.22.0
web_tfjs() {
  have npm || die "npm not found: install npm first"
  local dir="${GRADLAB_TFJS_DIR:-$TOOLS_DIR/tfjs}" pkg missing=()
  for pkg in tfjs tfjs-backend-wasm tfjs-backend-webgpu; do
    local manifest="$dir/node_modules/@tensorflow/$pkg/package.json" got=""
    [ -f "$manifest" ] &&
      got=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$manifest" 2>/dev/null || true)
    [ "$got" = "$TFJS_VERSION" ] || missing+=("@tensorflow/$pkg@$TFJS_VERSION")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "skip: TensorFlow.js already at $TFJS_VERSION in $dir"
    return
  fi
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] ||
    printf '{\n  "name": "gradlab-bench-tfjs",\n  "private": true\n}\n' >"$dir/package.json"
  say "install: npm install ${missing[*]} into $dir"
  npm install --prefix "$dir" --no-audit --no-fund --save-exact "${missing[@]}" </dev/null
}

setup_web() {
  web_cargo_tools
  web_npm_tools
  say "web tools: $(version_of trunk), $(version_of wasm-bindgen), $(version_of wasm-opt)"
}

# ---------------------------------------------------------------- python

setup_python() {
  have python3 || die "python3 is missing (the machine image ships CPython 3.11)"
  if python3 -c 'import safetensors, numpy' >/dev/null 2>&1; then
    say "skip: python safetensors and numpy already importable"
  else
    say "install: python safetensors numpy (pip)"
    python3 -m pip install --quiet --disable-pip-version-check safetensors numpy
  fi
  # Only the tests of `gradlab export --pytorch` need torch; the page never does.
  local got
  got=$(python3 -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || true)
  if [ "$got" = "$TORCH_VERSION" ]; then
    say "skip: python torch already at $TORCH_VERSION"
  else
    say "install: python torch==$TORCH_VERSION (found: ${got:-none}; about 5 GB, minutes)"
    python3 -m pip install --quiet --disable-pip-version-check "torch==$TORCH_VERSION"
  fi
}

# ---------------------------------------------------------------- main

main() {
  if [ "$#" -eq 0 ]; then
    usage
    exit 2
  fi
  local step
  for step in "$@"; do
    case "$step" in
      rust | apt | web | python | tfjs) ;;
      all) ;;
      -h | --help | help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        printf 'setup: error: unknown step %s\n' "'$step'" >&2
        exit 2
        ;;
    esac
  done
  for step in "$@"; do
    case "$step" in
      rust) setup_rust ;;
      apt) setup_apt ;;
      web) setup_web ;;
      python) setup_python ;;
      tfjs) web_tfjs ;;
      all)
        setup_rust
        setup_apt
        setup_web
        setup_python
        ;;
    esac
  done
}

main "$@"
