// The fused layer-norm backward for x (`norm_layer_backward`), one thread per row in
// the CPU's order: with xhat = (x - mean) * rstd and gh = dy * gamma,
// dx = rstd * ((gh - mean(gh)) - xhat * mean(gh * xhat)).

struct Params {
    // (rows, cols, -, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn norm_layer_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let r = element(wid, nwg, lane);
    if (r >= params.misc.x) {
        return;
    }
    let n = params.misc.y;
    let inv_n = 1.0 / f32(max(n, 1u));
    let base = r * n;
    let mean = stats[2u * r];
    let rstd = stats[2u * r + 1u];
    var sum_gh = 0.0;
    var sum_ghx = 0.0;
    for (var j = 0u; j < n; j = j + 1u) {
        let xhat = (x[base + j] - mean) * rstd;
        let gh = dy[base + j] * gamma[j];
        sum_gh = sum_gh + gh;
        sum_ghx = sum_ghx + gh * xhat;
    }
    let mean_gh = sum_gh * inv_n;
    let mean_ghx = sum_ghx * inv_n;
    for (var j = 0u; j < n; j = j + 1u) {
        let xhat = (x[base + j] - mean) * rstd;
        let gh = dy[base + j] * gamma[j];
        dx[base + j] = rstd * ((gh - mean_gh) - xhat * mean_ghx);
    }
}
