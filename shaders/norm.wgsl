// Layer norm over the last axis, forward (`norm_layer`): one thread per row, in the
// CPU's order (`src/backend/cpu/fused.rs`): mean = sum * (1/n), var = sum of squared
// deviations * (1/n), y = (x - mean) / sqrt(var + eps) * gamma + beta; the row's mean
// and 1 / sqrt(var + eps) are kept in `stats` for the backward.

struct Params {
    // (rows, cols, bits of eps, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(256)
fn norm_layer(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let r = element(wid, nwg, lane);
    if (r >= params.misc.x) {
        return;
    }
    let n = params.misc.y;
    let eps = bitcast<f32>(params.misc.z);
    let inv_n = 1.0 / f32(max(n, 1u));
    let base = r * n;
    var sum = 0.0;
    for (var j = 0u; j < n; j = j + 1u) {
        sum = sum + x[base + j];
    }
    let mean = sum * inv_n;
    var sq = 0.0;
    for (var j = 0u; j < n; j = j + 1u) {
        let c = x[base + j] - mean;
        sq = sq + c * c;
    }
    let sd = sqrt(sq * inv_n + eps);
    for (var j = 0u; j < n; j = j + 1u) {
        y[base + j] = (x[base + j] - mean) / sd * gamma[j] + beta[j];
    }
    stats[2u * r] = mean;
    stats[2u * r + 1u] = 1.0 / sd;
}
