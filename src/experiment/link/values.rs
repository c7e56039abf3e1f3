//! Reading and writing single link values: the query-string split, percent escapes,
//! numbers and lists. Nothing here panics or allocates more than its input.

/// Most entries read from one list value (`hidden=`, `act=`, `feat=`); the rest are
/// ignored. Comfortably above every limit, so it only bounds work on hostile input.
pub(super) const MAX_LIST_ITEMS: usize = 64;

/// Splits `a=1&b=2` into percent-decoded `(key, value)` pairs, in order. An empty
/// segment (`a=1&&b=2`) is skipped; a segment without `=` has an empty value.
pub(super) fn split_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes; an escape that is malformed or decodes to invalid UTF-8 is
/// kept as written (the value is then reported as bad by whoever reads it).
pub(super) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The shortest text that reads back as exactly `v` (`0.03`, `1e-8`); `-0` is written
/// as `0` so that one value has one spelling.
pub(super) fn fmt_f32(v: f32) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if (1e-4..1e7).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Quotes a user-supplied value for a message, cut to a readable length.
pub(super) fn show(v: &str) -> String {
    const MAX: usize = 40;
    if v.chars().count() <= MAX {
        format!("'{v}'")
    } else {
        let head: String = v.chars().take(MAX).collect();
        format!("'{head}...'")
    }
}

/// A finite `f32`, or why not. Rejects `nan`, `inf` and values that overflow `f32`.
pub(super) fn parse_f32(v: &str) -> Result<f32, String> {
    let t = v.trim();
    let is_number_text = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    match t.parse::<f32>() {
        Ok(x) if is_number_text && x.is_finite() => Ok(x),
        Ok(_) if is_number_text => Err(format!("{} is too large", show(v))),
        _ => Err(format!("{} is not a number", show(v))),
    }
}

/// An integer read as written: in range of `i128`, or known to be below / above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WholeNumber {
    /// The value.
    Exact(i128),
    /// A run of digits too long for `i128`, negative.
    TooSmall,
    /// A run of digits too long for `i128`, positive.
    TooLarge,
}

/// A whole number (optional sign, digits), or why not.
pub(super) fn parse_whole(v: &str) -> Result<WholeNumber, String> {
    let t = v.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{} is not a whole number", show(v)));
    }
    Ok(match t.parse::<i128>() {
        Ok(n) => WholeNumber::Exact(n),
        Err(_) if t.starts_with('-') => WholeNumber::TooSmall,
        Err(_) => WholeNumber::TooLarge,
    })
}

/// A whole number in `min..=max`: `Ok((value, None))`, or clamped with a note, or an
/// error when it is not a number at all.
pub(super) fn parse_u64_clamped(
    v: &str,
    min: u64,
    max: u64,
) -> Result<(u64, Option<String>), String> {
    let n = parse_whole(v)?;
    let clamped = |to: u64| {
        Some(format!(
            "{} is outside {min}..={max}; clamped to {to}",
            show(v)
        ))
    };
    Ok(match n {
        WholeNumber::Exact(x) if x < min as i128 => (min, clamped(min)),
        WholeNumber::Exact(x) if x > max as i128 => (max, clamped(max)),
        WholeNumber::Exact(x) => (x as u64, None),
        WholeNumber::TooSmall => (min, clamped(min)),
        WholeNumber::TooLarge => (max, clamped(max)),
    })
}

/// `true`/`false` (also `1`/`0`), or why not.
pub(super) fn parse_bool(v: &str) -> Result<bool, String> {
    match v.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("{} is not true or false", show(v))),
    }
}

/// The items of a comma-separated list (`none` or empty: no items), at most
/// [`MAX_LIST_ITEMS`]; the flag says whether items were cut off.
pub(super) fn split_list(v: &str) -> (Vec<&str>, bool) {
    let t = v.trim();
    if t.is_empty() || t == "none" {
        return (Vec::new(), false);
    }
    let mut items: Vec<&str> = t
        .split(',')
        .map(str::trim)
        .take(MAX_LIST_ITEMS + 1)
        .collect();
    let cut = items.len() > MAX_LIST_ITEMS;
    items.truncate(MAX_LIST_ITEMS);
    (items, cut)
}

/// Writes a list as `a,b,c`, or `none` when empty.
pub(super) fn join_list<I: IntoIterator<Item = String>>(items: I) -> String {
    let v: Vec<String> = items.into_iter().collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_shortest_and_read_back_bit_for_bit() {
        let mut rng = crate::rng::Rng::new(9);
        for _ in 0..20_000 {
            let v = f32::from_bits(rng.next_u32());
            if !v.is_finite() {
                continue;
            }
            let back = parse_f32(&fmt_f32(v)).unwrap();
            assert!(back == v, "{v:e} -> {} -> {back:e}", fmt_f32(v));
        }
        assert_eq!(fmt_f32(0.03), "0.03");
        assert_eq!(fmt_f32(1e-8), "1e-8");
        assert_eq!(fmt_f32(-0.0), "0");
    }

    #[test]
    fn non_finite_and_non_numeric_floats_are_refused() {
        for bad in [
            "nan", "NaN", "inf", "-inf", "infinity", "", " ", "1e39", "0x10", "1,5",
        ] {
            assert!(parse_f32(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn whole_numbers_clamp_at_both_ends_even_past_i128() {
        assert_eq!(parse_u64_clamped("7", 1, 10), Ok((7, None)));
        assert_eq!(parse_u64_clamped("0", 1, 10).unwrap().0, 1);
        assert_eq!(parse_u64_clamped("-5", 1, 10).unwrap().0, 1);
        assert_eq!(parse_u64_clamped(&"9".repeat(60), 1, 10).unwrap().0, 10);
        assert_eq!(
            parse_u64_clamped(&format!("-{}", "9".repeat(60)), 1, 10)
                .unwrap()
                .0,
            1
        );
        assert!(parse_u64_clamped("1.5", 1, 10).is_err());
        assert!(parse_u64_clamped("--1", 1, 10).is_err());
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_stay() {
        assert_eq!(percent_decode("8%2C8"), "8,8");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "%ff");
        assert_eq!(
            split_pairs("a=1&&b&c=x=y"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "x=y".into())
            ]
        );
    }
}
