// Batched matrix product C[b] = op(A[b]) @ op(B[b]), row-major, with op = transpose when
// the operand is stored transposed: A is [batch, m, k] (or [batch, k, m] when trans_a),
// B is [batch, k, n] (or [batch, n, k] when trans_b), C is [batch, m, n]. Backward uses the
// transposed variants, so no transpose is ever materialised.
//
// Three kernels, all summing over k in ascending order from zero, like the CPU:
// - `matmul_plain`: the reference, one thread per element of C, 16 x 16 threads per tile.
// - `matmul_reg`: a 32 x 32 tile of C per workgroup of 8 x 8 threads, each thread a 4 x 4
//   block in registers, its operands read straight from global memory four depths at a
//   time (vec4 loads when aligned). No workgroup memory and no barrier: the kernel for
//   software adapters (SwiftShader, lavapipe), where a barrier costs more than the loads
//   it saves.
// - `matmul_tiled`: a 64 x 64 tile of C per workgroup of 16 x 16 threads; each k-step of
//   32 stages a 64 x 32 slice of A and a 32 x 64 slice of B in workgroup memory (16 KiB,
//   the WebGPU default limit; vec4 loads from global memory when the contiguous
//   dimension is a multiple of 4), and each thread accumulates a 4 x 4 block of C in
//   registers from vec4 reads of the tiles. A deeper step means fewer barriers, which
//   matters most on software adapters (lavapipe: 1.4x over a step of 16).
// Workgroups are numbered on a 2-D grid (x up to 65535); workgroup g computes tile
// (g % tiles_n, (g / tiles_n) % tiles_m) of batch g / (tiles_m * tiles_n).
// Operands are bound as arrays of vec4 (pool buffers are multiples of 16 bytes) so the
// tiled kernel can load four floats at once; scalar loads pick one component.

struct Params {
    batch: u32,
    m: u32,
    k: u32,
    n: u32,
    trans_a: u32,
    trans_b: u32,
    // The contiguous dimension of A (k, or m when transposed) is a multiple of 4.
    a_vec4: u32,
    // The contiguous dimension of B (n, or k when transposed) is a multiple of 4.
    b_vec4: u32,
    tiles_m: u32,
    tiles_n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn a_at(i: u32) -> f32 {
    return a[i >> 2u][i & 3u];
}

fn b_at(i: u32) -> f32 {
    return b[i >> 2u][i & 3u];
}

// (batch, first row of the tile, first column of the tile) of this workgroup.
fn tile_origin(wid: vec3<u32>, nwg: vec3<u32>, size: u32) -> vec3<u32> {
    let g = wid.y * nwg.x + wid.x;
    let per_batch = params.tiles_m * params.tiles_n;
    let bi = g / per_batch;
    let t = g % per_batch;
    return vec3<u32>(bi, (t / params.tiles_n) * size, (t % params.tiles_n) * size);
}

@compute @workgroup_size(16, 16)
fn matmul_plain(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let o = tile_origin(wid, nwg, 16u);
    let m = params.m;
    let k = params.k;
    let n = params.n;
    let i = o.y + lid.y;
    let j = o.z + lid.x;
    if (o.x >= params.batch || i >= m || j >= n) {
        return;
    }
    let a0 = o.x * m * k;
    let b0 = o.x * k * n;
    var acc = 0.0;
    for (var kk = 0u; kk < k; kk = kk + 1u) {
        var av: f32;
        if (params.trans_a != 0u) {
            av = a_at(a0 + kk * m + i);
        } else {
            av = a_at(a0 + i * k + kk);
        }
        var bv: f32;
        if (params.trans_b != 0u) {
            bv = b_at(b0 + j * k + kk);
        } else {
            bv = b_at(b0 + kk * n + j);
        }
        acc = acc + av * bv;
    }
    c[o.x * m * n + i * n + j] = acc;
}

// tile_a[kk * 16 + q] holds op(A) rows 4q..4q+3 of the tile at depth kk (0..32);
// tile_b[kk * 16 + q] holds op(B) columns 4q..4q+3 of the tile at depth kk.
var<workgroup> tile_a: array<vec4<f32>, 512>;
var<workgroup> tile_b: array<vec4<f32>, 512>;

// Four consecutive elements of A from flat index `base`, of which the first `valid` exist.
fn load_a4(base: u32, valid: u32, aligned: bool) -> vec4<f32> {
    if (aligned && valid >= 4u) {
        return a[base >> 2u];
    }
    var v = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j = j + 1u) {
        if (j < valid) {
            v[j] = a_at(base + j);
        }
    }
    return v;
}

fn load_b4(base: u32, valid: u32, aligned: bool) -> vec4<f32> {
    if (aligned && valid >= 4u) {
        return b[base >> 2u];
    }
    var v = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j = j + 1u) {
        if (j < valid) {
            v[j] = b_at(base + j);
        }
    }
    return v;
}

// How many of the 4 indices start..start+3 are below `end`.
fn count_below(start: u32, end: u32) -> u32 {
    if (start >= end) {
        return 0u;
    }
    return min(4u, end - start);
}

@compute @workgroup_size(16, 16)
fn matmul_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let o = tile_origin(wid, nwg, 64u);
    let k = params.k;
    // A workgroup past the last batch (the 2-D grid overshoots) sees zero rows and
    // columns, so it loads and stores nothing; it still reaches every barrier.
    let live = o.x < params.batch;
    let m = select(0u, params.m, live);
    let n = select(0u, params.n, live);
    let a0 = o.x * params.m * k;
    let b0 = o.x * k * params.n;
    let lin = lid.y * 16u + lid.x;
    let a_aligned = params.a_vec4 != 0u;
    let b_aligned = params.b_vec4 != 0u;

    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    let steps = (k + 31u) / 32u;
    for (var s = 0u; s < steps; s = s + 1u) {
        let k0 = s * 32u;
        // Each thread stages 2 x 4 elements of each slice: `half` 0 and 1 cover the
        // 512 groups of four with 256 threads.
        for (var half = 0u; half < 2u; half = half + 1u) {
            let lin = lin + half * 256u;
            // Stage op(A): 64 rows x 32 depths.
            if (params.trans_a != 0u) {
                // A stored [k, m]: 4 consecutive rows of op(A) at one depth are contiguous.
                let kk = lin / 16u;
                let q = lin % 16u;
                let gi = o.y + q * 4u;
                var v = vec4<f32>(0.0);
                if (k0 + kk < k) {
                    v = load_a4(a0 + (k0 + kk) * params.m + gi, count_below(gi, m), a_aligned);
                }
                tile_a[kk * 16u + q] = v;
            } else {
                // A stored [m, k]: 4 consecutive depths of one row are contiguous.
                let r = (lin % 256u) / 4u;
                let kc = (lin % 4u) * 4u + half * 16u;
                let gi = o.y + r;
                var v = vec4<f32>(0.0);
                if (gi < m) {
                    v = load_a4(a0 + gi * k + k0 + kc, count_below(k0 + kc, k), a_aligned);
                }
                for (var j = 0u; j < 4u; j = j + 1u) {
                    tile_a[(kc + j) * 16u + r / 4u][r % 4u] = v[j];
                }
            }
            // Stage op(B): 32 depths x 64 columns.
            if (params.trans_b != 0u) {
                // B stored [n, k]: 4 consecutive depths of one column are contiguous.
                let r = (lin % 256u) / 4u;
                let kc = (lin % 4u) * 4u + half * 16u;
                let gj = o.z + r;
                var v = vec4<f32>(0.0);
                if (gj < n) {
                    v = load_b4(b0 + gj * k + k0 + kc, count_below(k0 + kc, k), b_aligned);
                }
                for (var j = 0u; j < 4u; j = j + 1u) {
                    tile_b[(kc + j) * 16u + r / 4u][r % 4u] = v[j];
                }
            } else {
                // B stored [k, n]: 4 consecutive columns at one depth are contiguous.
                let kk = lin / 16u;
                let q = lin % 16u;
                let gj = o.z + q * 4u;
                var v = vec4<f32>(0.0);
                if (k0 + kk < k) {
                    v = load_b4(b0 + (k0 + kk) * params.n + gj, count_below(gj, n), b_aligned);
                }
                tile_b[kk * 16u + q] = v;
            }
        }
        workgroupBarrier();
        // 4 x 4 register block: rows 4*lid.y.., columns 4*lid.x.., depth ascending.
        for (var kk = 0u; kk < 32u; kk = kk + 1u) {
            let av = tile_a[kk * 16u + lid.y];
            let bv = tile_b[kk * 16u + lid.x];
            acc0 = acc0 + av.x * bv;
            acc1 = acc1 + av.y * bv;
            acc2 = acc2 + av.z * bv;
            acc3 = acc3 + av.w * bv;
        }
        workgroupBarrier();
    }

    let c0 = o.x * params.m * params.n;
    let col = o.z + lid.x * 4u;
    let cols = count_below(col, n);
    for (var r = 0u; r < 4u; r = r + 1u) {
        let row = o.y + lid.y * 4u + r;
        if (row < m) {
            var v: vec4<f32>;
            switch r {
                case 0u: { v = acc0; }
                case 1u: { v = acc1; }
                case 2u: { v = acc2; }
                default: { v = acc3; }
            }
            for (var j = 0u; j < cols; j = j + 1u) {
                c[c0 + row * params.n + col + j] = v[j];
            }
        }
    }
}

// Four rows (or columns) of four: a 4 x 4 block in registers.
struct Quad {
    r0: vec4<f32>,
    r1: vec4<f32>,
    r2: vec4<f32>,
    r3: vec4<f32>,
}

fn transpose_quad(q: Quad) -> Quad {
    return Quad(
        vec4<f32>(q.r0.x, q.r1.x, q.r2.x, q.r3.x),
        vec4<f32>(q.r0.y, q.r1.y, q.r2.y, q.r3.y),
        vec4<f32>(q.r0.z, q.r1.z, q.r2.z, q.r3.z),
        vec4<f32>(q.r0.w, q.r1.w, q.r2.w, q.r3.w),
    );
}

// acc += ar @ bd for rows ar.r* of op(A) (depths as components) and rows bd.r* of op(B)
// (one per depth): each element sums its four depths in ascending order.
fn mul_add_quad(acc: Quad, ar: Quad, bd: Quad) -> Quad {
    var c = acc;
    c.r0 = c.r0 + ar.r0.x * bd.r0;
    c.r1 = c.r1 + ar.r1.x * bd.r0;
    c.r2 = c.r2 + ar.r2.x * bd.r0;
    c.r3 = c.r3 + ar.r3.x * bd.r0;
    c.r0 = c.r0 + ar.r0.y * bd.r1;
    c.r1 = c.r1 + ar.r1.y * bd.r1;
    c.r2 = c.r2 + ar.r2.y * bd.r1;
    c.r3 = c.r3 + ar.r3.y * bd.r1;
    c.r0 = c.r0 + ar.r0.z * bd.r2;
    c.r1 = c.r1 + ar.r1.z * bd.r2;
    c.r2 = c.r2 + ar.r2.z * bd.r2;
    c.r3 = c.r3 + ar.r3.z * bd.r2;
    c.r0 = c.r0 + ar.r0.w * bd.r3;
    c.r1 = c.r1 + ar.r1.w * bd.r3;
    c.r2 = c.r2 + ar.r2.w * bd.r3;
    c.r3 = c.r3 + ar.r3.w * bd.r3;
    return c;
}

// Four vec4 at flat indices base, base + stride, ... (all multiples of 4, all in range).
fn a_quad(base: u32, stride: u32) -> Quad {
    return Quad(a[base >> 2u], a[(base + stride) >> 2u], a[(base + 2u * stride) >> 2u], a[(base + 3u * stride) >> 2u]);
}

fn b_quad(base: u32, stride: u32) -> Quad {
    return Quad(b[base >> 2u], b[(base + stride) >> 2u], b[(base + 2u * stride) >> 2u], b[(base + 3u * stride) >> 2u]);
}

// The edge case: up to four vec4 of which the first `count` exist, each with `valid`
// elements (the rest zero).
fn a_quad_edge(base: u32, stride: u32, count: u32, valid: u32, aligned: bool) -> Quad {
    let zero = vec4<f32>(0.0);
    var q = Quad(zero, zero, zero, zero);
    if (count > 0u) { q.r0 = load_a4(base, valid, aligned); }
    if (count > 1u) { q.r1 = load_a4(base + stride, valid, aligned); }
    if (count > 2u) { q.r2 = load_a4(base + 2u * stride, valid, aligned); }
    if (count > 3u) { q.r3 = load_a4(base + 3u * stride, valid, aligned); }
    return q;
}

fn b_quad_edge(base: u32, stride: u32, count: u32, valid: u32, aligned: bool) -> Quad {
    let zero = vec4<f32>(0.0);
    var q = Quad(zero, zero, zero, zero);
    if (count > 0u) { q.r0 = load_b4(base, valid, aligned); }
    if (count > 1u) { q.r1 = load_b4(base + stride, valid, aligned); }
    if (count > 2u) { q.r2 = load_b4(base + 2u * stride, valid, aligned); }
    if (count > 3u) { q.r3 = load_b4(base + 3u * stride, valid, aligned); }
    return q;
}

@compute @workgroup_size(8, 8)
fn matmul_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let o = tile_origin(wid, nwg, 32u);
    let m = params.m;
    let k = params.k;
    let n = params.n;
    let i0 = o.y + lid.y * 4u;
    let j0 = o.z + lid.x * 4u;
    // No barriers here, so a thread with nothing to write may leave at once.
    if (o.x >= params.batch || i0 >= m || j0 >= n) {
        return;
    }
    let a0 = o.x * m * k;
    let b0 = o.x * k * n;
    let rows = count_below(i0, m);
    let cols = count_below(j0, n);
    let a_aligned = params.a_vec4 != 0u;
    let b_aligned = params.b_vec4 != 0u;
    let zero = vec4<f32>(0.0);
    var acc = Quad(zero, zero, zero, zero);

    // A full 4 x 4 block whose operands load as whole vec4s takes one of four loops
    // without a branch inside, one per transposition; any other block the edge loop.
    // Each loop runs only when some thread takes it (software adapters run a
    // workgroup's threads in lock-step, so a branch inside a loop costs every thread).
    let fast = a_aligned && b_aligned && rows == 4u && cols == 4u && (k & 3u) == 0u;
    let path = select(4u, params.trans_a * 2u + params.trans_b, fast);
    if (path == 0u) {
        // A [m, k] and B [k, n].
        for (var k0 = 0u; k0 < k; k0 = k0 + 4u) {
            let ar = a_quad(a0 + i0 * k + k0, k);
            let bd = b_quad(b0 + k0 * n + j0, n);
            acc = mul_add_quad(acc, ar, bd);
        }
    }
    if (path == 1u) {
        // A [m, k] and B [n, k].
        for (var k0 = 0u; k0 < k; k0 = k0 + 4u) {
            let ar = a_quad(a0 + i0 * k + k0, k);
            let bd = transpose_quad(b_quad(b0 + j0 * k + k0, k));
            acc = mul_add_quad(acc, ar, bd);
        }
    }
    if (path == 2u) {
        // A [k, m] and B [k, n].
        for (var k0 = 0u; k0 < k; k0 = k0 + 4u) {
            let ar = transpose_quad(a_quad(a0 + k0 * m + i0, m));
            let bd = b_quad(b0 + k0 * n + j0, n);
            acc = mul_add_quad(acc, ar, bd);
        }
    }
    if (path == 3u) {
        // A [k, m] and B [n, k].
        for (var k0 = 0u; k0 < k; k0 = k0 + 4u) {
            let ar = transpose_quad(a_quad(a0 + k0 * m + i0, m));
            let bd = transpose_quad(b_quad(b0 + j0 * k + k0, k));
            acc = mul_add_quad(acc, ar, bd);
        }
    }
    if (path == 4u) {
        // Depths past k and rows or columns past the edge read as zero: 0 * 0 added to
        // a sum that starts at +0 changes no bit of it.
        for (var k0 = 0u; k0 < k; k0 = k0 + 4u) {
            let depths = count_below(k0, k);
            var ar: Quad;
            if (params.trans_a == 0u) {
                ar = a_quad_edge(a0 + i0 * k + k0, k, rows, depths, a_aligned);
            } else {
                ar = transpose_quad(a_quad_edge(a0 + k0 * m + i0, m, depths, rows, a_aligned));
            }
            var bd: Quad;
            if (params.trans_b == 0u) {
                bd = b_quad_edge(b0 + k0 * n + j0, n, depths, cols, b_aligned);
            } else {
                bd = transpose_quad(b_quad_edge(b0 + j0 * k + k0, k, cols, depths, b_aligned));
            }
            acc = mul_add_quad(acc, ar, bd);
        }
    }

    let c0 = o.x * m * n + i0 * n + j0;
    for (var r = 0u; r < rows; r = r + 1u) {
        var v: vec4<f32>;
        switch r {
            case 0u: { v = acc.r0; }
            case 1u: { v = acc.r1; }
            case 2u: { v = acc.r2; }
            default: { v = acc.r3; }
        }
        for (var j = 0u; j < cols; j = j + 1u) {
            c[c0 + r * n + j] = v[j];
        }
    }
}
