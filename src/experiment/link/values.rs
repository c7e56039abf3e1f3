//! Reading and writing single link values: the query-string split, percent escapes,
//! numbers and lists. Nothing here panics or allocates more than its input.

/// Most entries read from one list value (`hidden=`, `act=`, `feat=`); the rest are
/// ignored. Comfortably above every limit, so it only bounds work on hostile input.
pub(super) const MAX_LIST_ITEMS: usize = 64;

/// Splits `a=1&b=2` into percent-decoded `(key, value)` pairs, in order. An empty
/// segment (`a=1&&b=2`) is skipped; a segment without `=` has an empty value.
pub(super) fn split_pairs(s: &str) -> Vec<(String, String)> {
    let pairs = s.split('&').filter(|seg| !seg.is_empty());
    pairs
        .map(|seg| {
            let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes; an escape that is malformed or decodes to invalid UTF-8 is
/// kept as written (the value is then reported as bad by whoever reads it).
fn percent_decode(s: &str) -> String {
    let (bytes, mut out, mut i) = (s.as_bytes(), Vec::with_capacity(s.len()), 0);
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|_| bytes[i] == b'%');
        let hex = hex.and_then(|h| std::str::from_utf8(h).ok());
        let (b, len) = match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => (b, 3),
            None => (bytes[i], 1),
        };
        out.push(b);
        i += len;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The shortest text that reads back as exactly `v` (`0.03`, `1e-8`); `-0` is written
/// as `0` so that one value has one spelling.
pub(super) fn fmt_f32(v: f32) -> String {
    match v.abs() {
        0.0 => "0".to_string(),
        a if (1e-4..1e7).contains(&a) => format!("{v}"),
        _ => format!("{v:e}"),
    }
}

/// Quotes a user-supplied value for a message, cut to a readable length.
pub(super) fn show(v: &str) -> String {
    const MAX: usize = 40;
    match v.char_indices().nth(MAX) {
        None => format!("'{v}'"),
        Some((cut, _)) => format!("'{}...'", &v[..cut]),
    }
}

/// A finite `f32`, or why not. Rejects `nan`, `inf` and values that overflow `f32`.
pub(super) fn parse_f32(v: &str) -> Result<f32, String> {
    let t = v.trim();
    let number_text = !t.is_empty()
        && (t.chars()).all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    match t.parse::<f32>() {
        Ok(x) if number_text && x.is_finite() => Ok(x),
        Ok(_) if number_text => Err(format!("{} is too large", show(v))),
        _ => Err(format!("{} is not a number", show(v))),
    }
}

/// A whole number (optional sign, digits) in `min..=max`: as written, or clamped with a
/// note (even past `i128`), or an error when it is not a whole number at all.
pub(super) fn parse_u64_clamped(
    v: &str,
    min: u64,
    max: u64,
) -> Result<(u64, Option<String>), String> {
    let t = v.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("{} is not a whole number", show(v)));
    }
    // Only too many digits fail to parse: the number is below or above any range.
    let n = (t.parse::<i128>()).unwrap_or(if t.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    });
    let to = n.clamp(min as i128, max as i128) as u64;
    let note = || format!("{} is outside {min}..={max}; clamped to {to}", show(v));
    Ok((to, (n != to as i128).then(note)))
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
pub(super) fn join_list(items: impl IntoIterator<Item = String>) -> String {
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
            if v.is_finite() {
                let back = parse_f32(&fmt_f32(v)).unwrap();
                assert!(back == v, "{v:e} -> {} -> {back:e}", fmt_f32(v));
            }
        }
        assert_eq!(fmt_f32(0.03), "0.03");
        assert_eq!(fmt_f32(1e-8), "1e-8");
        assert_eq!(fmt_f32(-0.0), "0");
    }

    #[test]
    fn non_finite_and_non_numeric_floats_are_refused() {
        let bad = [
            "nan", "NaN", "inf", "-inf", "infinity", "", " ", "1e39", "0x10", "1,5",
        ];
        for b in bad {
            assert!(parse_f32(b).is_err(), "{b}");
        }
    }

    #[test]
    fn whole_numbers_clamp_at_both_ends_even_past_i128() {
        let clamped = |v: &str| parse_u64_clamped(v, 1, 10).unwrap().0;
        assert_eq!(parse_u64_clamped("7", 1, 10), Ok((7, None)));
        assert_eq!(clamped("0"), 1);
        assert_eq!(clamped("-5"), 1);
        assert_eq!(clamped(&"9".repeat(60)), 10);
        assert_eq!(clamped(&format!("-{}", "9".repeat(60))), 1);
        assert!(parse_u64_clamped("1.5", 1, 10).is_err());
        assert!(parse_u64_clamped("--1", 1, 10).is_err());
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_stay() {
        assert_eq!(percent_decode("8%2C8"), "8,8");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "%ff");
        let pairs = [("a", "1"), ("b", ""), ("c", "x=y")].map(|(k, v)| (k.into(), v.into()));
        assert_eq!(split_pairs("a=1&&b&c=x=y"), pairs);
    }
}
