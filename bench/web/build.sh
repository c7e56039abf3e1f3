#!/usr/bin/env bash
# Builds the browser benchmark's page into target/bench-web/ (`make bench-web` runs it,
# then driver.mjs): gradlab's bench_web module (src/bin/bench_web) compiled for wasm32
# with the lab's settings (.cargo/config.toml's simd128; the `web-profiling` profile is
# the lab's `web` profile with symbols kept, so the profiles name functions), wasm-bindgen, then
# wasm-opt -Oz as trunk does for the lab (index.html); TensorFlow.js 4.22 from
# GRADLAB_TFJS_DIR (default .tools/tfjs, `bash scripts/setup.sh tfjs`); the data files
# the GPT and the CNN jobs fetch (www/data/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=target/bench-web
TFJS_DIR=${GRADLAB_TFJS_DIR:-$ROOT/.tools/tfjs}
TFJS=$TFJS_DIR/node_modules/@tensorflow
PROFILE=web-profiling
WASM=target/wasm32-unknown-unknown/$PROFILE/bench_web.wasm

say() { printf 'bench-web: %s\n' "$*"; }

[ -f "$TFJS/tfjs/dist/tf.min.js" ] || {
  say "error: TensorFlow.js not found in $TFJS_DIR: run 'bash scripts/setup.sh tfjs'" >&2
  exit 1
}

say "cargo build --profile $PROFILE --target wasm32-unknown-unknown --bin bench_web"
cargo build --profile "$PROFILE" --target wasm32-unknown-unknown --bin bench_web

rm -rf "$OUT"
mkdir -p "$OUT/pkg" "$OUT/tfjs"
say "wasm-bindgen --target web"
wasm-bindgen --target web --no-typescript --out-dir "$OUT/pkg" "$WASM"
# The lab's flags (index.html): -Oz and the features rustc used; -g keeps the names
# section so Chromium's profiler names gradlab's functions (it does not change the code).
say "wasm-opt -Oz"
wasm-opt -Oz -g --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --enable-simd "$OUT/pkg/bench_web_bg.wasm" -o "$OUT/pkg/bench_web_bg.wasm"

cp bench/web/index.html bench/web/bench.js bench/web/tfjs_jobs.js "$OUT/"
cp "$TFJS/tfjs/dist/tf.min.js" "$TFJS/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js" \
  "$TFJS/tfjs-backend-wasm/dist/tf-backend-wasm.min.js" "$TFJS"/tfjs-backend-wasm/dist/*.wasm \
  "$OUT/tfjs/"
ln -s "$ROOT/www/data" "$OUT/data"
say "page in $OUT ($(du -sh "$OUT/pkg/bench_web_bg.wasm" | cut -f1) of gradlab wasm)"
