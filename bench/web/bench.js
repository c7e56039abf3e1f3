// The bench page's harness: `window.bench.init()` loads gradlab's bench_web module and
// TensorFlow.js's backends; `window.bench.run(side, job, minMs)` times one job on one
// side and resolves to its rate (in the job's unit). Sides: gl-cpu, gl-gpu (gradlab's
// CPU backend in wasm, its WebGPU backend) and tf-wasm, tf-cpu, tf-webgpu (TensorFlow.js
// 4.22's backends). Both libraries are timed the same way: a warm-up, then chunks of
// steps each ended by a readback, for at least minMs (gradlab: src/bin/bench_web/timing.rs;
// TensorFlow.js: tfjs_jobs.js), in a tight loop in this page.
import init, * as gl from './pkg/bench_web.js';
import * as tfjobs from './tfjs_jobs.js';

const log = (line) => {
  document.getElementById('log').textContent += `\n${line}`;
};

const state = { jobs: [], provided: new Set(), tfBackends: [], glGpu: null, adapter: null };

/** The job called `name`, from gradlab's own table (jobs.rs). */
function job(name) {
  const found = state.jobs.find((j) => j.name === name);
  if (!found) throw new Error(`no job ${name}`);
  return found;
}

/** Fetches and hands over the data files a gradlab job needs (once per job). */
async function provide(name) {
  if (state.provided.has(name)) return;
  const files = gl.job_files(name);
  const bytes = [];
  for (const f of files) {
    const res = await fetch(`data/${f}`);
    if (!res.ok) throw new Error(`data/${f}: HTTP ${res.status}`);
    bytes.push(new Uint8Array(await res.arrayBuffer()));
  }
  gl.job_provide(name, bytes);
  state.provided.add(name);
}

/** The browser's WebGPU adapter as `vendor architecture (description)`, or null. */
async function adapterInfo() {
  if (!navigator.gpu) return null;
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return null;
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.description && `(${i.description})`].filter(Boolean).join(' ');
}

let gpuBefore = 'auto';

async function initAll() {
  await init();
  // ?kernel=simd128 (or base, ...) fixes the CPU matmul micro-kernel of this page.
  const kernel = new URLSearchParams(location.search).get('kernel');
  if (kernel) gl.set_matmul_kernel(kernel);
  // ?gpu_before=tiled (or plain, register) names the GPU matmul kernel of side gl-gpu-before.
  gpuBefore = new URLSearchParams(location.search).get('gpu_before') ?? 'auto';
  state.jobs = JSON.parse(gl.jobs_json());
  state.adapter = await adapterInfo();
  try {
    state.glGpu = await gl.gpu_open();
  } catch (e) {
    log(`gradlab: no WebGPU device (${e})`);
  }
  // TensorFlow.js's wasm backend fetches its own .wasm files (the SIMD build here: this
  // page is not cross-origin isolated, so no threads, as gradlab's one thread).
  tf.wasm.setWasmPaths(new URL('tfjs/', location.href).href);
  for (const b of ['wasm', 'cpu', 'webgpu']) {
    try {
      if (await tf.setBackend(b)) state.tfBackends.push(b);
    } catch (e) {
      log(`tfjs: no ${b} backend (${e})`);
    }
  }
  log(`ready: gradlab gpu ${state.glGpu}, tfjs ${state.tfBackends.join(',')}`);
  return {
    jobs: state.jobs,
    adapter: state.adapter,
    gradlabGpu: state.glGpu,
    tfjsBackends: state.tfBackends,
    matmulKernel: gl.matmul_kernel(),
    gpuMatmulKernel: gl.gpu_matmul_kernel(),
    gpuBeforeKernel: gpuBefore,
    tfjsVersion: tf.version.tfjs,
    tfjsWasmFeatures: await tfWasmFeatures(),
    userAgent: navigator.userAgent,
  };
}

/** Which build of its wasm TensorFlow.js runs (SIMD, threads). */
async function tfWasmFeatures() {
  try {
    await tf.setBackend('wasm');
    const env = tf.env();
    return { simd: await env.getAsync('WASM_HAS_SIMD_SUPPORT'), threads: await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT') };
  } catch {
    return null;
  }
}

async function run(side, name, minMs) {
  const j = job(name);
  if (side === 'gl-cpu' || side === 'gl-gpu') {
    await provide(name);
    return gl.run_job(name, side === 'gl-cpu' ? 'cpu' : 'gpu', minMs);
  }
  // gl-gpu-before: the GPU backend on the matmul kernel of ?gpu_before= (then back to auto).
  if (side === 'gl-gpu-before') {
    await provide(name);
    gl.set_gpu_matmul_kernel(gpuBefore);
    try {
      return await gl.run_job(name, 'gpu', minMs);
    } finally {
      gl.set_gpu_matmul_kernel('auto');
    }
  }
  if (side.startsWith('tf-')) return tfjobs.tfRun(tf, side.slice(3), j, minMs);
  throw new Error(`no side ${side}`);
}

/** The last run's breakdown on `side` (steps, ms per step; dispatches or kernels per step). */
function detail(side) {
  if (side.startsWith('gl-')) return JSON.parse(gl.last_run_detail() || 'null');
  return tfjobs.lastDetail;
}

window.bench = { init: initAll, run, detail };
// The module's exports, for the driver's checks (matmul bits).
window.benchGl = gl;
window.dispatchEvent(new Event('bench-loaded'));
