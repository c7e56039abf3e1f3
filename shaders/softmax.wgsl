// The masked softmax over the last axis of attention scores [batch, heads, queries,
// keys] (`softmax_masked`) and its fused backward (`softmax_backward`). One thread per
// row, keys in ascending order: the CPU's order (`src/backend/cpu/fused.rs`). A key is
// masked when `causal` and j > i + keys - queries, or when the key mask [batch, keys]
// holds 0 there; it gets exactly 0, and a row whose keys are all masked is all zeros.

struct Params {
    // (batch, heads, queries, keys); the backward uses (-, -, -, cols).
    dims: vec4<u32>,
    // (causal, has a key mask, rows, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
// softmax_masked: the scores; softmax_backward: y.
@group(0) @binding(1) var<storage, read> x: array<f32>;
// softmax_masked: the key mask (a placeholder without one); softmax_backward: dy.
@group(0) @binding(2) var<storage, read> aux: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn visible(b: u32, i: u32, j: u32) -> bool {
    let q = params.dims.z;
    let k = params.dims.w;
    if (params.misc.x == 1u && j + q > i + k) {
        return false;
    }
    if (params.misc.y == 1u && aux[b * k + j] == 0.0) {
        return false;
    }
    return true;
}

@compute @workgroup_size(256)
fn softmax_masked(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let r = element(wid, nwg, lane);
    if (r >= params.misc.z) {
        return;
    }
    let k = params.dims.w;
    let b = r / (params.dims.y * params.dims.z);
    let i = r % params.dims.z;
    let base = r * k;
    // The maximum over visible keys, NaN winning as in `ReduceOp::Max`.
    var m = f32_from_bits(0xff800000u);
    var any = false;
    for (var j = 0u; j < k; j = j + 1u) {
        if (visible(b, i, j)) {
            let v = x[base + j];
            if (!is_nan(m) && (is_nan(v) || v > m)) {
                m = v;
            }
            any = true;
        }
    }
    var sum = 0.0;
    for (var j = 0u; j < k; j = j + 1u) {
        if (any && visible(b, i, j)) {
            let e = exp(x[base + j] - m);
            out[base + j] = e;
            sum = sum + e;
        } else {
            out[base + j] = 0.0;
        }
    }
    if (!any) {
        return;
    }
    for (var j = 0u; j < k; j = j + 1u) {
        if (visible(b, i, j)) {
            out[base + j] = out[base + j] / sum;
        }
    }
}

// dx = y * (dy - sum(dy * y)) per row of `cols`.
@compute @workgroup_size(256)
fn softmax_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let r = element(wid, nwg, lane);
    if (r >= params.misc.z) {
        return;
    }
    let k = params.dims.w;
    let base = r * k;
    var s = 0.0;
    for (var j = 0u; j < k; j = j + 1u) {
        s = s + aux[base + j] * x[base + j];
    }
    for (var j = 0u; j < k; j = j + 1u) {
        out[base + j] = x[base + j] * (aux[base + j] - s);
    }
}
