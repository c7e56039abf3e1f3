// Cross-entropy over a vocabulary with integer targets, forward (`loss_cross_entropy`).
// One workgroup: each lane computes the logsumexp of rows lane, lane + 256, ... into
// `stats`; after a barrier lane 0 sums lse - logit[target] over the counted rows in row
// order (the CPU's order, `src/backend/cpu/fused.rs`) and writes the mean (0 when no row
// counts) and the count. A target counts when it is a whole number in 0..vocab.

struct Params {
    // (rows, vocab, -, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
// Each row's logsumexp, then the number of counted rows.
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;

// The target of row `r` as a column, or `vocab` when the row is ignored.
fn target_of(r: u32) -> u32 {
    let t = targets[r];
    let v = params.misc.y;
    if (t >= 0.0 && t < f32(v) && fract(t) == 0.0) {
        return u32(t);
    }
    return v;
}

@compute @workgroup_size(256)
fn loss_cross_entropy(@builtin(local_invocation_index) lane: u32) {
    let rows = params.misc.x;
    let v = params.misc.y;
    for (var r = lane; r < rows; r = r + 256u) {
        let base = r * v;
        var m = f32_from_bits(0xff800000u);
        for (var j = 0u; j < v; j = j + 1u) {
            let x = logits[base + j];
            if (!is_nan(m) && (is_nan(x) || x > m)) {
                m = x;
            }
        }
        var s = 0.0;
        for (var j = 0u; j < v; j = j + 1u) {
            s = s + exp(logits[base + j] - m);
        }
        stats[r] = m + log(s);
    }
    storageBarrier();
    if (lane != 0u) {
        return;
    }
    var sum = 0.0;
    var count = 0.0;
    for (var r = 0u; r < rows; r = r + 1u) {
        let t = target_of(r);
        if (t < v) {
            sum = sum + (stats[r] - logits[r * v + t]);
            count = count + 1.0;
        }
    }
    stats[rows] = count;
    loss[0] = select(0.0, sum / count, count > 0.0);
}
