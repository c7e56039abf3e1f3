//! One lane of each function: `libm` 0.2's `tanhf`, `expm1f` and `expf` (FreeBSD/musl)
//! with every branch evaluated and the result chosen by selects.
//!
//! Reading guide: each `let` computes one branch's value exactly as `libm` does (same
//! operations, same order, same constants); the `if c { a } else { b }` lines at the end
//! only choose among values already computed, which LLVM emits as selects (blends), so
//! the loops that call these have no branches and vectorise. Integer work (the
//! exponent `k`, the powers of two built from it) is kept in a range where it cannot
//! overflow on any lane, the lanes whose value is thrown away included.

/// `0x1p127`.
const X1P127: f32 = f32::from_bits(0x7f00_0000);
/// `0x1p-102`: `scalbnf`'s prescale for exponents below -126 (`2^-126 * 2^24`).
const X1PM102: f32 = f32::from_bits(0x0c80_0000);

/// `2^n` for `n` in `[-126, 127]` (other `n` give some float: callers select it away).
#[inline(always)]
fn pow2(n: i32) -> f32 {
    f32::from_bits((0x7f_i32.wrapping_add(n) << 23) as u32)
}

/// `(v as i32, v as i32 as f32)`: `v` truncated toward zero, for `|v| < 2^22` (all the
/// callers' chosen lanes pass; other `v` give some integer). No float-to-int
/// conversion instruction: Rust's saturating `as` is four scalar conversions per vector
/// on x86 (SSE2 has no saturating form) and keeps the wasm loop from vectorising, so
/// this rounds with the `1.5 * 2^23` trick (exact: every sum lies in `[2^23, 2^24)`,
/// where the float spacing is 1) and reads the integer from the sum's bits.
#[inline(always)]
fn truncate_small(v: f32) -> (i32, f32) {
    const ROUNDER: f32 = 12_582_912.0; // 1.5 * 2^23
    let v = if v > -4.0e6 && v < 4.0e6 { v } else { 0.0 }; // NaN fails both
    let nearest = (v + ROUNDER) - ROUNDER; // v rounded to an integer (ties to even)
    let away = if v >= 0.0 { nearest > v } else { nearest < v };
    let step = if v >= 0.0 { 1.0 } else { -1.0 };
    let toward_zero = if away { nearest - step } else { nearest };
    let k = ((toward_zero + ROUNDER).to_bits() as i32).wrapping_sub(ROUNDER.to_bits() as i32);
    (k, toward_zero)
}

/// [`truncate_small`] for `0 <= v < 2^22` (other `v` give some integer).
#[inline(always)]
fn truncate_small_positive(v: f32) -> (i32, f32) {
    const ROUNDER: f32 = 12_582_912.0; // 1.5 * 2^23
    let v = if v < 4.0e6 { v } else { 0.0 }; // NaN fails
    let nearest = (v + ROUNDER) - ROUNDER;
    let toward_zero = if nearest > v { nearest - 1.0 } else { nearest };
    let k = ((toward_zero + ROUNDER).to_bits() as i32).wrapping_sub(ROUNDER.to_bits() as i32);
    (k, toward_zero)
}

/// `libm::tanhf(x)` for every `x`.
#[inline(always)]
pub(super) fn tanh_lane(x0: f32) -> f32 {
    let bits = x0.to_bits();
    let w = (bits & 0x7fff_ffff) as i32;
    // x = |x|
    let x = f32::from_bits(w as u32);
    // Branches of musl, by |x|: > 10 or NaN; > log(3)/2; > log(5/3)/2; normal; subnormal.
    let huge = w > 0x4120_0000;
    let large = w > 0x3f0c_9f54;
    let medium = w > 0x3e82_c578;
    let normal = w >= 0x0080_0000;
    // The large and medium branches take expm1f(2x), the normal one expm1f(-2x).
    // (-2x is -(2x) exactly: the sign bit flipped.)
    let arg = f32::from_bits((2.0 * x).to_bits() | if medium { 0 } else { 0x8000_0000 });
    let t = expm1_lane::<false>(arg);
    // One division serves the large, medium and normal branches: `2 / (t + 2)`,
    // `t / (t + 2)` and `-t / (t + 2)`.
    let num = if large {
        2.0
    } else if medium {
        t
    } else {
        -t
    };
    let q = num / (t + 2.0);
    // The huge branch, `1 + 0 / x`, is 1 for a number and x quieted for a NaN (the
    // division and the addition each return their NaN operand with the quiet bit set),
    // written without a second division.
    let when_huge = if w > 0x7f80_0000 {
        f32::from_bits(w as u32 | 0x0040_0000)
    } else {
        1.0
    };
    let tt = if huge {
        when_huge
    } else if large {
        1.0 - q
    } else if normal {
        q
    } else {
        // Subnormal or zero: x itself.
        x
    };
    // `if sign { -tt } else { tt }`: a negation flips the sign bit only.
    f32::from_bits(tt.to_bits() ^ (bits & 0x8000_0000))
}

/// `libm::expm1f(x)`: for every `x` when `ALL_INPUTS`; without it, only for the
/// arguments `tanhf` passes (`x` in `[-0.52, -2^-125]` or `[0.5, 20]`; other lanes
/// give some float), which lets the tanh loop skip the branches those never reach.
#[inline(always)]
pub(super) fn expm1_lane<const ALL_INPUTS: bool>(x0: f32) -> f32 {
    const LN2_HI: f32 = f32::from_bits(0x3f31_7180); // 6.9313812256e-01 in libm
    const LN2_LO: f32 = f32::from_bits(0x3717_f7d1); // 9.0580006145e-06 in libm
    const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b); // 1.4426950216e+00 in libm
    const Q1: f32 = f32::from_bits(0xbd08_8868); // -3.3333212137e-2 in libm
    const Q2: f32 = f32::from_bits(0x3acf_3010); // 1.5807170421e-3 in libm

    let bits = x0.to_bits();
    let sign = (bits >> 31) != 0;
    let hx = (bits & 0x7fff_ffff) as i32;

    // Argument reduction, for 0.5 ln2 < |x| (and |x| <= log(FLT_MAX), beyond which the
    // lane returns early: k stays small so the powers of two below cannot overflow).
    let reduce = hx > 0x3eb1_7218 && hx <= 0x42b1_7217;
    // tanhf's arguments past 1.5 ln2 are positive.
    let (k_rounded, t_rounded) = if ALL_INPUTS {
        truncate_small(INV_LN2 * x0 + if sign { -0.5 } else { 0.5 })
    } else {
        truncate_small_positive(INV_LN2 * x0 + 0.5)
    };
    let (k_one, t_one) = if sign { (-1, -1.0) } else { (1, 1.0) };
    // k and t = k as f32.
    let (k, t) = if !reduce {
        (0, 0.0)
    } else if hx < 0x3f85_1592 {
        // |x| < 1.5 ln2: k = +-1, hi = x -+ ln2_hi, lo = +-ln2_lo (`t * ln2` below
        // gives those exactly for t = +-1).
        (k_one, t_one)
    } else {
        (k_rounded, t_rounded)
    };
    let hi = x0 - t * LN2_HI; // t * ln2_hi is exact here
    let lo = t * LN2_LO;
    let x_reduced = hi - lo;
    let x = if reduce { x_reduced } else { x0 };
    let c = if reduce { (hi - x_reduced) - lo } else { 0.0 };

    // x is now in the primary range.
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * Q2);
    let t3 = 3.0 - r1 * hfx;
    let e0 = hxs * ((r1 - t3) / (6.0 - x * t3));
    let when_k0 = x - (x * e0 - hxs);
    let e = (x * (e0 - c) - c) - hxs;
    // exp(x) ~ 2^k (x_reduced - e + 1)
    let when_k_minus1 = 0.5 * (x - e) - 0.5;
    // tanhf passes k = 1 only for x > 0.5 (reduced: x > -0.19).
    let when_k1 = if ALL_INPUTS && x < -0.25 {
        -2.0 * (e - (x + 0.5))
    } else {
        1.0 + 2.0 * (x - e)
    };
    let twopk = pow2(k);
    let uf = pow2(-k); // 2^-k
                       // k < 23: (x - e + (1 - uf)) 2^k; else (x - (e + uf) + 1) 2^k. Same operations,
                       // chosen operands: one multiply for both.
    let k_small = k < 23;
    let left = if k_small { x - e } else { x - (e + uf) };
    let right = if k_small { 1.0 - uf } else { 1.0 };
    let when_k_other = (left + right) * twopk;

    let mut r = if k == 0 {
        when_k0
    } else if k == -1 {
        when_k_minus1
    } else if k == 1 {
        when_k1
    } else {
        when_k_other
    };
    if ALL_INPUTS {
        // k < 0 (other than -1) or k > 56: exp(x) - 1 from exp(x).
        let y = x - e + 1.0;
        let y = if k == 128 {
            y * 2.0 * X1P127
        } else {
            y * twopk
        };
        r = if !(0..=56).contains(&k) && k != -1 {
            y - 1.0
        } else {
            r
        };
    }
    // |x| < 2^-25: x itself.
    r = if hx < 0x3300_0000 { x0 } else { r };
    if ALL_INPUTS {
        // The early returns, in reverse order of precedence.
        let filtered = hx >= 0x4195_b844; // |x| >= 27 ln2 or not finite
        r = if hx > 0x42b1_7217 && !sign {
            x0 * X1P127
        } else {
            r
        };
        r = if filtered && sign { -1.0 } else { r };
        r = if hx > 0x7f80_0000 { x0 } else { r };
    }
    r
}

/// `libm::expf(x)` for every `x`.
#[inline(always)]
pub(super) fn exp_lane(x0: f32) -> f32 {
    const LN2_HI: f32 = f32::from_bits(0x3f31_7200); // 6.9314575195e-01 in libm
    const LN2_LO: f32 = f32::from_bits(0x35bf_be8e); // 1.4286067653e-06 in libm
    const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b); // 1.4426950216e+00 in libm
    const P1: f32 = f32::from_bits(0x3e2a_aa8f); // 1.6666625440e-1 in libm
    const P2: f32 = f32::from_bits(0xbb35_5215); // -2.7667332906e-3 in libm

    let bits = x0.to_bits();
    let sign = (bits >> 31) != 0;
    let hx = (bits & 0x7fff_ffff) as i32;

    // Argument reduction, for 0.5 ln2 < |x| < 104 (beyond, the lane returns early).
    let reduce = hx > 0x3eb1_7218 && hx < 0x42d0_0000;
    let (k_rounded, kf_rounded) = truncate_small(INV_LN2 * x0 + if sign { -0.5 } else { 0.5 });
    let (k_one, kf_one) = if sign { (-1, -1.0) } else { (1, 1.0) };
    // k and kf = k as f32.
    let (k, kf) = if !reduce {
        (0, 0.0)
    } else if hx > 0x3f85_1592 {
        (k_rounded, kf_rounded)
    } else {
        (k_one, kf_one)
    };
    // With k = 0 these give hi = x, lo = 0 and x - 0 = x: libm's values for |x| small.
    let hi = x0 - kf * LN2_HI; // k * ln2_hi is exact here
    let lo = kf * LN2_LO;
    let x = hi - lo;

    // x is now in the primary range.
    let xx = x * x;
    let c = x - xx * (P1 + xx * P2);
    let y = 1.0 + (x * c / (2.0 - c) - lo + hi);
    // scalbnf(y, k): one prescale by 2^127 or 2^-102 when 2^k is not a normal float.
    let (pre, n) = if k > 127 {
        (X1P127, k - 127)
    } else if k < -126 {
        (X1PM102, k + 102)
    } else {
        (1.0, k)
    };
    let mut r = y * pre * pow2(n);

    // The early returns, in reverse order of precedence.
    // |x| <= 2^-14: 1 + x.
    r = if hx <= 0x3900_0000 { 1.0 + x0 } else { r };
    // x <= -103.972084: underflow to 0.
    r = if hx >= 0x42cf_f1b5 && sign { 0.0 } else { r };
    // x >= 88.722839: overflow.
    r = if hx >= 0x42b1_7218 && !sign {
        x0 * X1P127
    } else {
        r
    };
    // NaN: x itself.
    r = if hx > 0x7f80_0000 { x0 } else { r };
    r
}
