// Gradient clipping by global norm, fused: what the optimizer composes on the CPU from
// primitives (per gradient a square, a sum and an add to the running total, then sqrt,
// + 1e-6, a reciprocal, * max_norm and min(., 1)) in two kernels, so a model's
// clipping costs a dispatch per six gradients and one more instead of a few per
// gradient. PyTorch's `clip_grad_norm_`:
//   coef = min(1, max_norm / (sqrt(sum_k sum_i g_k[i]^2) + 1e-6)).
// Entries `clip_sum_squares` and `clip_coefficient`, sharing their bindings: `sums`
// holds the coefficient at 0 and gradient k's sum of squares at 1 + k, so the whole
// buffer is the one-element scale the optimizer update reads (`gscale[0]`).

struct Params {
    // `clip_sum_squares`: elements of each of up to six gradients (lens[0].xyzw, lens[1].xy).
    // `clip_coefficient`: lens[0].x gradients summed; lens[0].y the bits of max_norm.
    lens: array<vec4<u32>, 2>,
    // `clip_sum_squares`: the index of the dispatch's first gradient.
    first: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

// ---- clip_sum_squares: one workgroup per gradient (workgroup k takes `g<k>`).
@group(0) @binding(1) var<storage, read> g0: array<f32>;
@group(0) @binding(2) var<storage, read> g1: array<f32>;
@group(0) @binding(3) var<storage, read> g2: array<f32>;
@group(0) @binding(4) var<storage, read> g3: array<f32>;
@group(0) @binding(5) var<storage, read> g4: array<f32>;
@group(0) @binding(6) var<storage, read> g5: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;

var<workgroup> lane_sums: array<f32, 256>;

// Element `i` of gradient `k` (WGSL cannot index bindings).
fn grad_at(k: u32, i: u32) -> f32 {
    switch k {
        case 0u: { return g0[i]; }
        case 1u: { return g1[i]; }
        case 2u: { return g2[i]; }
        case 3u: { return g3[i]; }
        case 4u: { return g4[i]; }
        default: { return g5[i]; }
    }
}

// Lane t sums the squares of elements t, t+256, ... in order; the lanes' sums are
// combined by a fixed tree in workgroup memory (no atomics: the same bits every run);
// lane 0 writes the gradient's slot.
@compute @workgroup_size(256)
fn clip_sum_squares(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let k = wid.x;
    let len = params.lens[k / 4u][k % 4u];
    var acc = 0.0;
    for (var i = lane; i < len; i = i + 256u) {
        let v = grad_at(k, i);
        acc = acc + v * v;
    }
    lane_sums[lane] = acc;
    workgroupBarrier();
    for (var half = 128u; half > 0u; half = half / 2u) {
        if (lane < half) {
            lane_sums[lane] = lane_sums[lane] + lane_sums[lane + half];
        }
        workgroupBarrier();
    }
    if (lane == 0u) {
        sums[1u + params.first + k] = lane_sums[0];
    }
}

// ---- clip_coefficient: one thread adds the gradients' sums in order and writes the
// coefficient to sums[0], in the CPU's order of operations: -max(-(r * max_norm), -1)
// with r = 1 / (sqrt(total) + 1e-6), that is min(coef, 1). `g0`..`g5` are unused.

@compute @workgroup_size(1)
fn clip_coefficient() {
    let n = params.lens[0].x;
    let max_norm = bitcast<f32>(params.lens[0].y);
    var total = 0.0;
    for (var i = 0u; i < n; i = i + 1u) {
        total = total + sums[1u + i];
    }
    let r = 1.0 / (sqrt(total) + 1e-6);
    let c = r * max_norm;
    sums[0] = -max(-c, -1.0);
}
