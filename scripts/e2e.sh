#!/usr/bin/env bash
# Runs the browser end-to-end tests (tests/e2e) against the built page in dist/.
#
# Serves dist/ on 127.0.0.1:$GRADLAB_E2E_PORT (python's http.server: correct
# application/wasm type), then runs `node --test tests/e2e/`. The spec files get:
#   GRADLAB_E2E_URL   base URL of the page, e.g. http://127.0.0.1:8091/
#                     (http://127.0.0.1:8091/some/sub/path/ with the prefix below)
#   GRADLAB_CHROMIUM  the Chromium to launch with playwright-core (executablePath)
#   GRADLAB_BIN       the native CLI (default target/debug/gradlab, built or brought up to date)
# Node 20 only picks up files named like *.test.mjs / *.test.js in a folder.
# Build the page first (`make e2e` does: trunk build --release).
# GRADLAB_E2E_PREFIX=/some/sub/path/ serves dist/ under that path instead of at the root,
# with nothing at "/": the tests then run against the page as hosted under a subpath
# (`GRADLAB_E2E_PREFIX=/some/sub/path/ bash scripts/e2e.sh tests/e2e/load.test.mjs`).
# Arguments, if any, name the spec files to run instead of all of them
# (`bash scripts/e2e.sh tests/e2e/links.test.mjs tests/e2e/model_io.test.mjs`).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

E2E_DIR=tests/e2e
PORT=${GRADLAB_E2E_PORT:-8091}

say() { printf 'e2e: %s\n' "$*"; }

shopt -s nullglob
specs=("$E2E_DIR"/*.test.{mjs,js,cjs} "$E2E_DIR"/**/*.test.{mjs,js,cjs})
shopt -u nullglob
if [ "${#specs[@]}" -eq 0 ]; then
  say "no e2e tests yet (no $E2E_DIR/*.test.mjs)"
  exit 0
fi

[ -f dist/index.html ] || {
  say "error: dist/index.html missing: run 'make build-web' first" >&2
  exit 1
}

# The served folder: dist/ itself, or a folder holding dist/ (a link) at the prefix.
PREFIX=${GRADLAB_E2E_PREFIX:-/}
PREFIX="/${PREFIX#/}"
PREFIX="${PREFIX%/}/"
SERVED=dist
if [ "$PREFIX" != "/" ]; then
  case "$PREFIX" in
    *..* | *//*) say "error: GRADLAB_E2E_PREFIX=$PREFIX is not a plain path" >&2; exit 1 ;;
  esac
  SERVED="target/e2e-prefix-$PORT"
  rm -rf "$SERVED"
  mkdir -p "$SERVED$(dirname "${PREFIX%/}")"
  ln -s "$ROOT/dist" "$SERVED${PREFIX%/}"
fi
export GRADLAB_E2E_URL="http://127.0.0.1:$PORT$PREFIX"
export GRADLAB_CHROMIUM="${GRADLAB_CHROMIUM:-/usr/bin/chromium}"

# The native CLI, for the tests that compare the page with it (same link, same history
# and weights): target/debug/gradlab from `cargo build`, which builds it when missing
# and is a no-op when it is current (a stale binary would compare old code).
if [ -z "${GRADLAB_BIN:-}" ]; then
  say "building the native CLI (cargo build --bin gradlab)"
  cargo build --bin gradlab
  GRADLAB_BIN="$ROOT/target/debug/gradlab"
fi
export GRADLAB_BIN

# Chromium's profiles and scratch files go to a folder of this run, removed at the end:
# in /tmp, the profiles of browsers that a failing test left behind (150 MB each)
# piled up from run to run.
BROWSER_TMP="$ROOT/target/browser-tmp-$PORT"
rm -rf "$BROWSER_TMP"
mkdir -p "$BROWSER_TMP"
export TMPDIR="$BROWSER_TMP"

python3 -m http.server --bind 127.0.0.1 --directory "$SERVED" "$PORT" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$BROWSER_TMP"' EXIT

# Wait (up to 10 s) until the server answers.
for _ in $(seq 1 100); do
  if python3 - "$GRADLAB_E2E_URL" <<'EOF' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1)
EOF
    break
  fi
  kill -0 "$server" 2>/dev/null || {
    say "error: http.server on port $PORT died (port in use?)" >&2
    exit 1
  }
  sleep 0.1
done

if [ "$#" -gt 0 ]; then
  say "serving dist/ at $GRADLAB_E2E_URL; running node --test $*"
  node --test "$@"
else
  say "serving dist/ at $GRADLAB_E2E_URL; running node --test $E2E_DIR/"
  node --test "$E2E_DIR/"
fi
