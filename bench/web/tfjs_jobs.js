// TensorFlow.js's side of the browser benchmark: the jobs of gradlab's table
// (src/bin/bench_web/jobs.rs, handed over as JSON) built with the same shapes, the
// same initialisation scheme (Glorot uniform before tanh and linear outputs, He normal
// before ReLU and GELU, zero biases), plain Adam (betas 0.9, 0.999, eps 1e-8) at the
// job's learning rate, softmax cross-entropy, and the same batch size drawn from a
// shuffled training split held on the backend. The MLPs and the CNN are tf.layers
// models; the GPT is written with tf ops (tf.layers has no causal attention). The CNN
// cannot train on the wasm backend (it has no Conv2DBackpropFilter kernel): that run
// fails and the table shows no figure. Each
// step is `optimizer.minimize` (no loss read back); the timing loop is gradlab's.

/** Times `job` on TensorFlow.js backend `backend` for at least `minMs`; its rate. */
export async function tfRun(tf, backend, job, minMs) {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} unavailable`);
  await tf.ready();
  if (job.kind === 'matmul') return timeMatmul(tf, job.n, minMs);
  const built = build(tf, job);
  try {
    await chunkedSteps(built.step, built.sync, minMs / 2);
    const { steps, ms } = await chunkedSteps(built.step, built.sync, minMs);
    // Kernels a step runs (tf.profile), next to gradlab's dispatches per step.
    const kernels = (await tf.profile(() => built.step())).kernels.length;
    lastDetail = { steps, ms, ms_per_step: ms / steps, kernels_per_step: kernels };
    return (steps / (ms / 1000)) * job.per_step;
  } finally {
    built.dispose();
  }
}

/** What the last run did: steps, milliseconds, kernels per step. */
export let lastDetail = null;

/** gradlab's timing loop (timing.rs): steps for at least `budgetMs` (and two), in chunks
 * of about a tenth of the budget each ended by `sync`; `{ steps, ms }`. The caller runs
 * it once untimed first: V8 tiers hot code up while it runs. */
export async function chunkedSteps(step, sync, budgetMs) {
  const t0 = performance.now();
  let steps = 0;
  let chunk = 1;
  for (;;) {
    for (let i = 0; i < chunk; i++) step();
    await sync();
    steps += chunk;
    const elapsed = performance.now() - t0;
    if (steps >= 2 && elapsed >= budgetMs) return { steps, ms: elapsed };
    chunk = Math.min(1000, Math.max(1, Math.floor(budgetMs / 10 / Math.max(elapsed / steps, 1e-3))));
  }
}

/** GFLOP/s of n x n x n products, each followed by reading one value back. */
async function timeMatmul(tf, n, minMs) {
  const a = tf.randomUniform([n, n], -1, 1);
  const b = tf.randomUniform([n, n], -1, 1);
  const once = async () => {
    const one = tf.tidy(() => tf.matMul(a, b).slice([0, 0], [1, 1]));
    await one.data();
    one.dispose();
  };
  try {
    let reps = 0;
    let ms = 0;
    for (const budget of [minMs / 2, minMs]) {
      const t0 = performance.now();
      reps = 0;
      while (reps < 2 || performance.now() - t0 < budget) {
        await once();
        reps += 1;
      }
      ms = performance.now() - t0;
    }
    lastDetail = { steps: reps, ms, ms_per_step: ms / reps };
    return (2 * n ** 3 * reps) / (ms / 1000) / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** A shuffled order of `rows` rows, reshuffled each epoch, `batch` indices at a time. */
function batcher(rows, batch) {
  const order = new Int32Array(rows);
  let at = rows;
  const shuffle = () => {
    for (let i = 0; i < rows; i++) order[i] = i;
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    at = 0;
  };
  return () => {
    if (at + batch > rows) shuffle();
    const idx = order.slice(at, at + batch);
    at += batch;
    return idx;
  };
}

/** The initialiser gradlab uses before an activation (nn/activation.rs). */
const initFor = (tf, activation) =>
  activation === 'relu' || activation === 'gelu' ? tf.initializers.heNormal({}) : tf.initializers.glorotUniform({});

/** `{ step, sync, dispose }` of a training job. */
function build(tf, job) {
  switch (job.kind) {
    case 'mlp':
      return layersJob(tf, job, mlpModel(tf, job), [job.widths[0]], job.train_rows, job.widths.at(-1));
    case 'cnn':
      return layersJob(tf, job, cnnModel(tf), [28, 28, 1], job.train_rows, 10);
    case 'gpt':
      return gptJob(tf, job);
    default:
      throw new Error(`no TensorFlow.js job of kind ${job.kind}`);
  }
}

function mlpModel(tf, job) {
  const w = job.widths;
  const model = tf.sequential();
  for (let i = 1; i < w.length; i++) {
    const last = i === w.length - 1;
    model.add(
      tf.layers.dense({
        units: w[i],
        inputShape: i === 1 ? [w[0]] : undefined,
        activation: last ? 'linear' : job.activation,
        kernelInitializer: initFor(tf, last ? 'linear' : job.activation),
        biasInitializer: 'zeros',
      }),
    );
  }
  return model;
}

/** mnist-cnn: conv(8,5,1,2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,
 * dropout(0.3),dense(64),relu,dropout(0.3),dense(10) (NHWC here, NCHW in gradlab). */
function cnnModel(tf) {
  const he = () => initFor(tf, 'relu');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: he() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: he() }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: he() }));
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: initFor(tf, 'linear') }));
  return model;
}

/** A tf.layers model trained on `rows` random examples of `inShape` with one-hot labels. */
function layersJob(tf, job, model, inShape, rows, classes) {
  const x = tf.randomNormal([rows, ...inShape]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([rows], 0, classes, 'int32'), classes).toFloat());
  const opt = tf.train.adam(job.lr, 0.9, 0.999, 1e-8);
  const next = batcher(rows, job.batch);
  const step = () => {
    const idx = tf.tensor1d(next(), 'int32');
    opt.minimize(
      () => {
        const logits = model.apply(tf.gather(x, idx), { training: true });
        return tf.losses.softmaxCrossEntropy(tf.gather(y, idx), logits);
      },
      false,
    );
    idx.dispose();
  };
  const sync = async () => {
    await Promise.all(model.trainableWeights.map((w) => w.read().data()));
  };
  return {
    step,
    sync,
    dispose: () => {
      model.dispose();
      opt.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** shakespeare-char's GPT: token and position embeddings, `layers` pre-LN blocks of
 * causal attention (in_proj [D,3D] + bias, out_proj [D,D] + bias) and a 4x GELU MLP,
 * each with its residual, a final layer norm and the head; loss on every position. */
function gptJob(tf, job) {
  const { vocab: V, context: T, width: D, layers: L, heads: H, batch: B } = job;
  const dh = D / H;
  const vars = [];
  const v = (t) => {
    const x = tf.variable(t);
    vars.push(x);
    return x;
  };
  const he = (i, o) => v(tf.randomNormal([i, o], 0, Math.sqrt(2 / i)));
  const glorot = (i, o) => v(tf.randomUniform([i, o], -Math.sqrt(6 / (i + o)), Math.sqrt(6 / (i + o))));
  const zeros = (n) => v(tf.zeros([n]));
  const ones = (n) => v(tf.ones([n]));
  const wte = v(tf.randomNormal([V, D]));
  const wpe = v(tf.randomNormal([T, D]));
  const blocks = [];
  for (let l = 0; l < L; l++) {
    blocks.push({
      ln1: [ones(D), zeros(D)],
      inW: glorot(D, 3 * D),
      inB: zeros(3 * D),
      outW: glorot(D, D),
      outB: zeros(D),
      ln2: [ones(D), zeros(D)],
      fc1: he(D, 4 * D),
      fc1b: zeros(4 * D),
      fc2: glorot(4 * D, D),
      fc2b: zeros(D),
    });
  }
  const lnf = [ones(D), zeros(D)];
  const head = glorot(D, V);
  const headB = zeros(V);
  // Additive causal mask: position i sees j <= i.
  const mask = tf.tidy(() => tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9));
  const layerNorm = (x, [g, b]) => {
    const mean = x.mean(-1, true);
    const c = x.sub(mean);
    return c.mul(tf.rsqrt(c.square().mean(-1, true).add(1e-5))).mul(g).add(b);
  };
  const gelu = (x) => x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  const linear = (x, w, b) => x.reshape([-1, x.shape.at(-1)]).matMul(w).add(b);
  const forward = (ids) => {
    // The token embedding as a one-hot product: the gradient of tf.gather needs
    // UnsortedSegmentSum, which TensorFlow.js's wasm backend does not have.
    let x = tf.oneHot(ids.reshape([B * T]), V).toFloat().matMul(wte).reshape([B, T, D]).add(wpe); // (B, T, D)
    for (const k of blocks) {
      const qkv = linear(layerNorm(x, k.ln1), k.inW, k.inB).reshape([B, T, 3, H, dh]).transpose([2, 0, 3, 1, 4]);
      const [q, kk, vv] = tf.unstack(qkv); // each (B, H, T, dh)
      const att = tf.softmax(tf.matMul(q, kk, false, true).mul(1 / Math.sqrt(dh)).add(mask));
      const y = tf.matMul(att, vv).transpose([0, 2, 1, 3]).reshape([B, T, D]);
      x = x.add(linear(y, k.outW, k.outB).reshape([B, T, D]));
      const h = gelu(linear(layerNorm(x, k.ln2), k.fc1, k.fc1b));
      x = x.add(linear(h, k.fc2, k.fc2b).reshape([B, T, D]));
    }
    return linear(layerNorm(x, lnf), head, headB); // (B*T, V)
  };
  const streamLen = 100_000;
  const stream = tf.randomUniform([streamLen], 0, V, 'int32');
  const opt = tf.train.adam(job.lr, 0.9, 0.999, 1e-8);
  const windows = new Int32Array(B * (T + 1));
  const step = () => {
    for (let b = 0; b < B; b++) {
      const start = Math.floor(Math.random() * (streamLen - T - 1));
      for (let t = 0; t <= T; t++) windows[b * (T + 1) + t] = start + t;
    }
    const at = tf.tensor2d(windows, [B, T + 1], 'int32');
    opt.minimize(
      () => {
        const w = tf.gather(stream, at); // (B, T + 1)
        const ids = w.slice([0, 0], [B, T]);
        const next = w.slice([0, 1], [B, T]).reshape([B * T]);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(next, V).toFloat(), forward(ids));
      },
      false,
      vars,
    );
    at.dispose();
  };
  const sync = async () => {
    await Promise.all(vars.map((x) => x.data()));
  };
  return {
    step,
    sync,
    dispose: () => {
      vars.forEach((x) => x.dispose());
      opt.dispose();
      stream.dispose();
      mask.dispose();
    },
  };
}
