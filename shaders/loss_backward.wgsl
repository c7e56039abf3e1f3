// The fused cross-entropy backward (`loss_cross_entropy_backward`), one thread per
// logit: (exp(logit - lse) - onehot) * (g / count) on counted rows, 0 on ignored ones
// (the softmax is recomputed from the logits and the kept logsumexp).

struct Params {
    // (rows, vocab, -, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
// Each row's logsumexp, then the number of counted rows.
@group(0) @binding(3) var<storage, read> stats: array<f32>;
// The loss's gradient (one value).
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn loss_cross_entropy_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    let rows = params.misc.x;
    let v = params.misc.y;
    if (i >= rows * v) {
        return;
    }
    let r = i / v;
    let j = i % v;
    let t = targets[r];
    let counted = t >= 0.0 && t < f32(v) && fract(t) == 0.0;
    let count = stats[rows];
    if (!counted || !(count > 0.0)) {
        dx[i] = 0.0;
        return;
    }
    let scale = g[0] / count;
    let p = exp(logits[i] - stats[r]);
    let onehot = select(0.0, 1.0, u32(t) == j);
    dx[i] = (p - onehot) * scale;
}
