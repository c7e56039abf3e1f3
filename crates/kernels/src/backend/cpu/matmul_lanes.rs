//! The tile loop written once over 4-lane f32 vectors ([`F32x4`]) and compiled for two
//! lane types: [`Portable`] (four plain floats, on every target: what the native tests
//! run) and, on wasm32, [`Simd128`] (one `v128` register through `core::arch::wasm32`).
//! Each lane does `acc[r][c] = acc[r][c] + a[k][r] * b[k][c]` with k ascending: one
//! IEEE multiply and one IEEE add per lane (wasm's `f32x4.mul` and `f32x4.add` round
//! exactly as the scalar ops do, and have no fused form), so every instantiation gives
//! the scalar kernel's bits; the tests check the portable one against the triple loop
//! natively, and the browser test checks the simd128 one in wasm.

/// Four f32 lanes: the operations the tile loop needs.
pub(super) trait F32x4: Copy {
    /// Every lane `x`.
    fn splat(x: f32) -> Self;
    /// Lanes from the first four values of `s` (which has at least four).
    fn load(s: &[f32]) -> Self;
    /// The lanes into the first four values of `s`.
    fn store(self, s: &mut [f32]);
    /// Lane-wise product, rounded once per lane.
    fn mul(self, o: Self) -> Self;
    /// Lane-wise sum, rounded once per lane.
    fn add(self, o: Self) -> Self;
}

/// Four plain floats: the reference instantiation (and the one native tests run).
#[derive(Clone, Copy)]
pub(super) struct Portable([f32; 4]);

impl F32x4 for Portable {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Portable([x; 4])
    }
    #[inline(always)]
    fn load(s: &[f32]) -> Self {
        Portable([s[0], s[1], s[2], s[3]])
    }
    #[inline(always)]
    fn store(self, s: &mut [f32]) {
        s[..4].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Portable(std::array::from_fn(|i| self.0[i] * o.0[i]))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Portable(std::array::from_fn(|i| self.0[i] + o.0[i]))
    }
}

/// One wasm `v128` register (the crate is built with `+simd128` for wasm32: see
/// `.cargo/config.toml`; every browser with WebGPU has had SIMD since 2021).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
pub(super) struct Simd128(core::arch::wasm32::v128);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl F32x4 for Simd128 {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Simd128(core::arch::wasm32::f32x4_splat(x))
    }
    #[inline(always)]
    fn load(s: &[f32]) -> Self {
        let s = &s[..4];
        // SAFETY: `s` holds four f32 (16 bytes); v128.load has no alignment requirement.
        Simd128(unsafe { core::arch::wasm32::v128_load(s.as_ptr().cast()) })
    }
    #[inline(always)]
    fn store(self, s: &mut [f32]) {
        let s = &mut s[..4];
        // SAFETY: `s` holds four f32 (16 bytes); v128.store has no alignment requirement.
        unsafe { core::arch::wasm32::v128_store(s.as_mut_ptr().cast(), self.0) }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Simd128(core::arch::wasm32::f32x4_mul(self.0, o.0))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Simd128(core::arch::wasm32::f32x4_add(self.0, o.0))
    }
}

/// `acc[r][c] += sum_k a[k][r] * b[k][c]` (k ascending) for an `MR x 8` tile held in
/// `2 * MR` vectors of lane type `V`: for each k, one broadcast of `a[k][r]` per row and
/// two loads of the 8 values `b[k][..]`.
#[inline(always)]
pub(super) fn accumulate_x8<V: F32x4, const MR: usize>(
    acc: [[f32; 8]; MR],
    ap: &[f32],
    bp: &[f32],
) -> [[f32; 8]; MR] {
    let mut c = [[V::splat(0.0); 2]; MR];
    for (cv, row) in c.iter_mut().zip(&acc) {
        cv[0] = V::load(&row[..4]);
        cv[1] = V::load(&row[4..]);
    }
    for (av, bv) in ap.chunks_exact(MR).zip(bp.chunks_exact(8)) {
        let b0 = V::load(&bv[..4]);
        let b1 = V::load(&bv[4..]);
        for (cv, &a) in c.iter_mut().zip(av) {
            let a = V::splat(a);
            cv[0] = cv[0].add(a.mul(b0));
            cv[1] = cv[1].add(a.mul(b1));
        }
    }
    let mut out = [[0.0f32; 8]; MR];
    for (row, cv) in out.iter_mut().zip(&c) {
        cv[0].store(&mut row[..4]);
        cv[1].store(&mut row[4..]);
    }
    out
}
