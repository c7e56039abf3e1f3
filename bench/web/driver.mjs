#!/usr/bin/env node
// gradlab against TensorFlow.js 4.22 in the same headless Chromium (launched with WebGPU
// as the e2e tests launch it), same jobs, alternating rounds, medians; then the lab's
// page-ready time and first-load bytes. Prints one table of absolute figures and
// gradlab/TensorFlow.js ratios (or JSON), and which of issue 12's targets are met.
//
//   make bench-web                                   (builds, then runs this)
//   node bench/web/driver.mjs [--json] [--rounds 3] [--min-ms 1000] [--jobs a,b]
//        [--sides gl-cpu,gl-gpu,tf-wasm,tf-cpu,tf-webgpu] [--no-lab] [--lab-visits 3]
//        [--profile JOB:SIDE[,JOB:SIDE...]] [--kernel K] [--before K] [--gpu-before K]
//        [--json-out FILE]
//   node bench/web/driver.mjs --lab-only [--lab-visits 5] [--lab-dir DIR ...] [--json]
//
// Serves target/bench-web/ (bench/web/build.sh) and dist/ (`make build-web`). Each round
// runs every job on every side, in reverse order on odd rounds, so a machine that gets
// busier or quieter during the run slows both libraries alike. --profile samples the
// named runs with Chromium's profiler (CDP Profiler.start/stop) and prints where their
// time goes (self time by function). --kernel NAME runs gradlab's CPU matmul on another
// micro-kernel (`simd128 4x8`, `simd128 6x8`: the hand-written wasm SIMD tiles; `base`:
// the default, LLVM-vectorised 4x8); --before NAME adds a side `gl-cpu-before`: gradlab's
// CPU backend in a second bench page on that kernel, in the same rounds, after checking
// in the browser that both kernels give the same bits (a before/after comparison in one
// build and one run). --gpu-before NAME (plain, tiled, register) adds a side
// `gl-gpu-before`: gradlab's GPU backend with its matmul kernel fixed to NAME, in the
// same page and rounds as `gl-gpu` (whose kernel is the one `auto` picks for the adapter).
// --lab-only measures only the lab's page-ready time and first-load
// bytes (no bench page, no TensorFlow.js); each --lab-dir names a built lab folder
// (default dist/), and several are visited in turn, one fresh profile each, so a
// before/after pair (a copy of the old dist/ and the new one) is measured in the same
// minutes.
import os from 'node:os';
import path from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { launch, readyProbe, waitForAsync } from '../../tests/e2e/helpers.mjs';
import { serve } from './server.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ALL_SIDES = ['gl-cpu', 'gl-gpu', 'tf-wasm', 'tf-cpu', 'tf-webgpu'];
const RUN_TIMEOUT_MS = 180_000;

function parseArgs(argv) {
  const o = { json: false, rounds: 3, minMs: 1000, jobs: null, sides: ALL_SIDES, lab: true, labVisits: 3, profile: [], kernel: null, before: null, gpuBefore: null, jsonOut: null, labOnly: false, labDirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') o.json = true;
    else if (a === '--rounds') o.rounds = Math.max(1, Number(next()));
    else if (a === '--min-ms') o.minMs = Math.max(50, Number(next()));
    else if (a === '--jobs') o.jobs = next().split(',');
    else if (a === '--sides') o.sides = next().split(',');
    else if (a === '--no-lab') o.lab = false;
    else if (a === '--kernel') o.kernel = next();
    else if (a === '--json-out') o.jsonOut = next();
    else if (a === '--before') o.before = next();
    else if (a === '--gpu-before') o.gpuBefore = next();
    else if (a === '--lab-visits') o.labVisits = Math.max(1, Number(next()));
    else if (a === '--lab-only') o.labOnly = true;
    else if (a === '--lab-dir') o.labDirs.push(path.resolve(next()));
    else if (a === '--profile') o.profile = next().split(',').map((s) => s.split(':'));
    else throw new Error(`unknown argument ${a} (see the header of bench/web/driver.mjs)`);
  }
  for (const s of o.sides) if (!ALL_SIDES.includes(s)) throw new Error(`unknown side ${s}`);
  return o;
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

/** Opens the bench page and initialises both libraries; its description. */
async function openBench(browser, url, kernel, gpuBefore) {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && process.stderr.write(`page: ${m.text()}\n`));
  const query = new URLSearchParams();
  if (kernel) query.set('kernel', kernel);
  if (gpuBefore) query.set('gpu_before', gpuBefore);
  await page.goto(`${url}/bench/${query.size ? `?${query}` : ''}`);
  await page.waitForFunction(() => window.bench !== undefined);
  const info = await page.evaluate(() => window.bench.init());
  return { page, info };
}

/** Times `job` on `side`; its rate (null when it failed) and breakdown. */
async function runOne(ctx, side, job, minMs) {
  try {
    const rate = await withTimeout(
      ctx.page.evaluate(([s, j, m]) => window.bench.run(s, j, m), [side, job, minMs]),
      RUN_TIMEOUT_MS,
      `${job} on ${side}`,
    );
    const detail = await ctx.page.evaluate((s) => window.bench.detail(s), side);
    return { rate, detail };
  } catch (e) {
    ctx.errors.push(`${job} on ${side}: ${String(e.message ?? e).split('\n')[0]}`);
    // A run that hung or broke the page: start a fresh page for the next ones.
    await ctx.page.close().catch(() => {});
    Object.assign(ctx, await openBench(ctx.browser, ctx.url, ctx.kernel, ctx.gpuBefore));
    return { rate: null, detail: null };
  }
}

/** Samples one run with Chromium's profiler: the functions with the most self time. */
async function profileRun(ctx, job, side, minMs) {
  const cdp = await ctx.page.context().newCDPSession(ctx.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const { rate } = await runOne(ctx, side, job, minMs);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const self = new Map();
  const counts = new Map((profile.samples ?? []).reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map()));
  let total = 0;
  for (const n of profile.nodes) {
    const hits = counts.get(n.id) ?? 0;
    if (!hits) continue;
    const f = n.callFrame;
    const file = f.url ? path.basename(f.url.split('?')[0]) : '';
    const name = `${f.functionName || '(anonymous)'}${file ? ` [${file}]` : ''}`;
    self.set(name, (self.get(name) ?? 0) + hits);
    total += hits;
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, hits]) => ({ name, share: hits / total }));
  return { job, side, rate, samples: total, top };
}

/** One visit of the lab at `labUrl` in a fresh profile: the first visit (nothing cached:
 * ready time and bytes transferred, gzip), then, once the service worker has cached the
 * build, the steady repeat visit (the second one, as tests/e2e/site_ready.test.mjs
 * measures). */
async function labVisit(browser, labUrl) {
  const open = async (context) => {
    const page = await context.newPage();
    const finished = [];
    page.on('requestfinished', (r) => finished.push(r));
    await page.goto(labUrl);
    const ms = await withTimeout(page.evaluate(() => window.__gradlabReady), 60_000, 'lab page ready');
    return { page, ms, finished: [...finished] };
  };
  const context = await browser.newContext();
  await context.addInitScript(readyProbe);
  const first = await open(context);
  let bytes = 0;
  let wasm = 0;
  for (const r of first.finished) {
    const size = (await r.sizes()).responseBodySize;
    bytes += size;
    if (r.url().endsWith('.wasm')) wasm += size;
  }
  await waitForAsync(first.page, async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg?.active?.state === 'activated' && (await caches.keys()).length === 1;
  });
  await first.page.close();
  let repeat = null;
  for (let j = 0; j < 2; j++) {
    const again = await open(context);
    repeat = again.ms;
    await again.page.close();
  }
  await context.close();
  return { ms: first.ms, repeatMs: repeat, bytes, wasm, requests: first.finished.length };
}

/** Medians of lab visits. */
function labSummary(out) {
  return {
    readyMs: median(out.map((v) => v.ms)),
    repeatReadyMs: median(out.map((v) => v.repeatMs)),
    bytes: median(out.map((v) => v.bytes)),
    wasmBytes: median(out.map((v) => v.wasm)),
    visits: out,
  };
}

/** `visits` visits of each lab in `labUrls`, taken in turn; one summary per lab. */
async function labVisits(browser, labUrls, visits) {
  const out = labUrls.map(() => []);
  for (let i = 0; i < visits; i++) {
    for (const [k, url] of labUrls.entries()) out[k].push(await labVisit(browser, url));
  }
  return out.map(labSummary);
}

/** The lab line of the table. */
const labLine = (lab, what = 'lab') =>
  `${what} (medians of ${lab.visits.length} fresh profiles): page ready ${fmt(lab.readyMs)} ms first visit, ${fmt(lab.repeatReadyMs)} ms repeat visit; first load ${(lab.bytes / 1024).toFixed(0)} KiB transferred (gzip), wasm ${lab.wasmBytes} bytes (gzip)`;

/** --lab-only: the page-ready figures of each lab folder, measured in turn. */
async function labOnly(opts) {
  const dirs = opts.labDirs.length ? opts.labDirs : [path.join(ROOT, 'dist')];
  for (const d of dirs) if (!existsSync(path.join(d, 'index.html'))) throw new Error(`${d}/index.html missing: run make build-web`);
  const server = await serve(Object.fromEntries(dirs.map((d, k) => [`/lab${k}/`, d])));
  const browser = await launch();
  try {
    const labs = await labVisits(browser, dirs.map((_, k) => `${server.url}/lab${k}/`), opts.labVisits);
    const report = {
      meta: { date: new Date().toISOString(), cpu: os.cpus()[0]?.model ?? 'unknown CPU', cores: os.cpus().length, load: os.loadavg().map((x) => x.toFixed(2)).join(' '), browser: `Chromium ${browser.version()} (headless)` },
      labs: dirs.map((dir, k) => ({ dir: path.relative(ROOT, dir) || '.', ...labs[k] })),
    };
    const text = [`${report.meta.date}, ${report.meta.cpu} x${report.meta.cores}, load ${report.meta.load}, ${report.meta.browser}`]
      .concat(report.labs.map((l) => labLine(l, l.dir)))
      .join('\n');
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
    if (opts.jsonOut) writeFileSync(opts.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

const fmt = (x, digits) => (x === null || x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(digits ?? (x >= 10 ? 1 : 2)));
const ratio = (a, b) => (a && b ? a / b : null);
const best = (r, sides) => Math.max(...sides.map((s) => r[s] ?? 0)) || null;

/** Issue 12's targets, each with the measured ratio. */
function targets(rows, lab) {
  const by = Object.fromEntries(rows.map((r) => [r.job, r.median]));
  const glSides = ['gl-cpu', 'gl-gpu'];
  const tfSides = ['tf-wasm', 'tf-cpu', 'tf-webgpu'];
  const t = [];
  const add = (what, got, want) => t.push({ target: what, ratio: got, want, met: got !== null && got >= want });
  if (by['mlp-small-b32']) add('small MLP: gradlab best / TF.js best', ratio(best(by['mlp-small-b32'], glSides), best(by['mlp-small-b32'], tfSides)), 10);
  if (by['mlp-big-b256']) add('big MLP: gradlab cpu / TF.js wasm', ratio(by['mlp-big-b256']['gl-cpu'], by['mlp-big-b256']['tf-wasm']), 3);
  for (const j of ['gpt-shakespeare-char', 'cnn-mnist']) {
    if (!by[j]) continue;
    // TF.js's wasm backend cannot train the CNN (no Conv2DBackpropFilter): its best then.
    const peer = by[j]['tf-wasm'] ? 'TF.js wasm' : 'TF.js best (wasm cannot train it)';
    add(`${j}: gradlab best / ${peer}`, ratio(best(by[j], glSides), by[j]['tf-wasm'] ?? best(by[j], tfSides)), 3);
    add(`${j}: gradlab gpu / TF.js webgpu`, ratio(by[j]['gl-gpu'], by[j]['tf-webgpu']), 4);
  }
  for (const j of ['matmul-256', 'matmul-1024']) {
    if (by[j]) add(`${j}: gradlab gpu / TF.js webgpu`, ratio(by[j]['gl-gpu'], by[j]['tf-webgpu']), 4);
  }
  if (lab) {
    t.push({ target: 'lab page ready (ms, first visit)', value: lab.readyMs, want: '<= 300', met: lab.readyMs <= 300 });
    t.push({ target: 'lab page ready (ms, repeat visit)', value: lab.repeatReadyMs, want: '<= 300', met: lab.repeatReadyMs <= 300 });
    t.push({ target: 'lab first-load wasm (bytes, gzip)', value: lab.wasmBytes, want: '<= 1 MB', met: lab.wasmBytes <= 1_000_000 });
  }
  return t;
}

function table(report) {
  const L = [];
  const m = report.meta;
  L.push(`gradlab vs TensorFlow.js ${m.tfjsVersion}, ${m.date}`);
  L.push(`machine: ${m.cpu} x ${m.cores} cores, load ${m.load}; ${m.browser}`);
  L.push(`WebGPU adapter: ${m.adapter ?? 'none'} (gradlab: ${m.gradlabGpu ?? 'none'}); TF.js wasm: simd ${m.tfjsWasm?.simd}, threads ${m.tfjsWasm?.threads}`);
  L.push(`gradlab CPU matmul kernel: ${m.matmulKernel}${m.beforeKernel ? ` (gl-cpu-before: ${m.beforeKernel})` : ''}`);
  L.push(`gradlab GPU matmul kernel (auto on this adapter): ${m.gpuMatmulKernel}${report.sides.includes('gl-gpu-before') ? ` (gl-gpu-before: ${m.gpuBeforeKernel})` : ''}`);
  if (m.bitCheck) L.push(`matmul bits, ${m.matmulKernel} vs ${m.beforeKernel} in this browser: ${m.bitCheck.cases - m.bitCheck.differ} of ${m.bitCheck.cases} products identical`);
  L.push(`${report.rounds} rounds, medians; each run at least ${report.minMs} ms in a tight loop in the bench page`);
  const sides = report.sides;
  const head = ['job', 'unit', ...sides, 'gl/tf best', 'cpu/wasm', 'gpu/webgpu', ...(sides.includes('gl-cpu-before') ? ['after/before'] : []), ...(sides.includes('gl-gpu-before') ? ['gpu after/before'] : [])];
  const rows = report.rows.map((r) => {
    const md = r.median;
    return [
      r.job,
      r.unit,
      ...sides.map((s) => fmt(md[s])),
      fmt(ratio(best(md, ['gl-cpu', 'gl-gpu']), best(md, ['tf-wasm', 'tf-cpu', 'tf-webgpu']))) + 'x',
      fmt(ratio(md['gl-cpu'], md['tf-wasm'])) + 'x',
      fmt(ratio(md['gl-gpu'], md['tf-webgpu'])) + 'x',
      ...(sides.includes('gl-cpu-before') ? [fmt(ratio(md['gl-cpu'], md['gl-cpu-before'])) + 'x'] : []),
      ...(sides.includes('gl-gpu-before') ? [fmt(ratio(md['gl-gpu'], md['gl-gpu-before'])) + 'x'] : []),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  L.push(line(head));
  for (const r of rows) L.push(line(r));
  L.push('per step, last round (ms; gradlab GPU dispatches and submits, TF.js kernels):');
  for (const r of report.rows) {
    const cells = sides
      .filter((s) => r.detail[s])
      .map((s) => {
        const d = r.detail[s];
        const extra = d.dispatches_per_step !== undefined
          ? `, ${fmt(d.dispatches_per_step)} disp, ${fmt(d.submits_per_step)} sub`
          : d.kernels_per_step !== undefined ? `, ${d.kernels_per_step} kern` : '';
        return `${s} ${fmt(d.ms_per_step, 3)}${extra}`;
      });
    L.push(`  ${r.job}: ${cells.join('; ')}`);
  }
  if (report.lab) {
    const lab = report.lab;
    L.push(`lab (medians of ${lab.visits.length} fresh profiles): page ready ${fmt(lab.readyMs)} ms first visit, ${fmt(lab.repeatReadyMs)} ms repeat visit; first load ${(lab.bytes / 1024).toFixed(0)} KiB transferred (gzip), wasm ${(lab.wasmBytes / 1024).toFixed(0)} KiB`);
  }
  L.push('targets (issue 12):');
  for (const t of report.targets) {
    const got = t.ratio !== undefined ? `${fmt(t.ratio)}x (want >= ${t.want}x)` : `${fmt(t.value)} (want ${t.want})`;
    L.push(`  ${t.met ? 'met    ' : 'NOT met'}  ${t.target}: ${got}`);
  }
  for (const p of report.profiles) {
    L.push(`profile ${p.job} on ${p.side} (${fmt(p.rate)}, ${p.samples} samples), self time:`);
    for (const f of p.top) L.push(`  ${(100 * f.share).toFixed(1).padStart(5)}%  ${f.name}`);
  }
  for (const e of report.errors) L.push(`error: ${e}`);
  return L.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.labOnly) return labOnly(opts);
  const benchDir = path.join(ROOT, 'target/bench-web');
  if (!existsSync(path.join(benchDir, 'index.html'))) throw new Error('target/bench-web/ missing: run bench/web/build.sh (make bench-web)');
  const labDir = path.join(ROOT, 'dist');
  if (opts.lab && !existsSync(path.join(labDir, 'index.html'))) throw new Error('dist/ missing: run make build-web, or pass --no-lab');
  const server = await serve({ '/bench/': benchDir, '/lab/': labDir });
  const browser = await launch();
  const progress = (s) => opts.json || process.stderr.write(`${s}\n`);
  try {
    const ctx = { browser, url: server.url, kernel: opts.kernel, gpuBefore: opts.gpuBefore, errors: [], ...(await openBench(browser, server.url, opts.kernel, opts.gpuBefore)) };
    const info = ctx.info;
    const jobs = info.jobs.filter((j) => !opts.jobs || opts.jobs.includes(j.name));
    const sides = opts.sides.filter((s) => s.startsWith('tf-') ? info.tfjsBackends.includes(s.slice(3)) : s === 'gl-cpu' || info.gradlabGpu);
    // The CPU backend on the kernel of before, in its own page (a kernel is chosen once
    // per wasm instance).
    let before = null;
    if (opts.before) {
      before = { browser, url: server.url, kernel: opts.before, errors: ctx.errors, ...(await openBench(browser, server.url, opts.before)) };
      sides.splice(sides.indexOf('gl-cpu') + 1, 0, 'gl-cpu-before');
    }
    if (opts.gpuBefore && sides.includes('gl-gpu')) sides.splice(sides.indexOf('gl-gpu') + 1, 0, 'gl-gpu-before');
    // The page's kernel against the kernel of before, bit for bit, in this browser:
    // shapes with edge tiles, every transposition.
    let bitCheck = null;
    if (before) {
      const shapes = [[1, 1, 9], [4, 3, 8], [17, 33, 65], [70, 300, 13], [64, 256, 256], [203, 129, 75]];
      const cases = shapes.flatMap(([m, k, n]) => [[false, false], [true, false], [false, true], [true, true]].map(([ta, tb]) => [m, k, n, ta, tb]));
      const bits = (c) => c.page.evaluate((cs) => cs.map((x) => window.benchGl.matmul_bits_sha256(...x)), cases);
      const [now, then] = [await bits(ctx), await bits(before)];
      const differ = cases.filter((_, i) => now[i] !== then[i]);
      bitCheck = { cases: cases.length, differ: differ.length };
      if (differ.length) ctx.errors.push(`matmul bits differ from ${opts.before} on ${differ.map((c) => c.join('x')).join(', ')}`);
    }
    const runSide = (s, job) => (s === 'gl-cpu-before' ? runOne(before, 'gl-cpu', job, opts.minMs) : runOne(ctx, s, job, opts.minMs));
    const runs = Object.fromEntries(jobs.map((j) => [j.name, Object.fromEntries(sides.map((s) => [s, []]))]));
    const details = Object.fromEntries(jobs.map((j) => [j.name, {}]));
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 ? [...sides].reverse() : sides;
      for (const j of jobs) {
        for (const s of order) {
          const { rate, detail } = await runSide(s, j.name);
          runs[j.name][s].push(rate);
          if (detail) details[j.name][s] = detail;
          progress(`round ${r + 1}: ${j.name} on ${s}: ${fmt(rate)} ${j.unit}`);
        }
      }
    }
    const rows = jobs.map((j) => ({
      job: j.name,
      label: j.label,
      unit: j.unit,
      runs: runs[j.name],
      median: Object.fromEntries(sides.map((s) => [s, median(runs[j.name][s])])),
      detail: details[j.name],
    }));
    const profiles = [];
    for (const [job, side] of opts.profile) {
      progress(`profiling ${job} on ${side}`);
      profiles.push(await profileRun(ctx, job, side, Math.max(opts.minMs, 2000)));
    }
    const lab = opts.lab ? (await labVisits(browser, [`${server.url}/lab/`], opts.labVisits))[0] : null;
    const report = {
      meta: {
        date: new Date().toISOString(),
        cpu: os.cpus()[0]?.model ?? 'unknown CPU',
        cores: os.cpus().length,
        load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
        browser: `Chromium ${browser.version()} (headless)`,
        adapter: info.adapter,
        gradlabGpu: info.gradlabGpu,
        matmulKernel: info.matmulKernel,
        beforeKernel: before?.info.matmulKernel ?? null,
        gpuMatmulKernel: info.gpuMatmulKernel,
        gpuBeforeKernel: opts.gpuBefore,
        bitCheck,
        tfjsVersion: info.tfjsVersion,
        tfjsWasm: info.tfjsWasmFeatures,
      },
      rounds: opts.rounds,
      minMs: opts.minMs,
      sides,
      rows,
      lab,
      targets: [],
      profiles,
      errors: ctx.errors,
    };
    report.targets = targets(rows, lab);
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${table(report)}\n`);
    if (opts.jsonOut) writeFileSync(opts.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  process.stderr.write(`bench-web: ${e.stack ?? e}\n`);
  process.exit(1);
});
