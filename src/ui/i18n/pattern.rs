//! Messages with holes: `"training diverged at step {}: {} is NaN or infinite"` matched
//! against a message the core wrote, and the Chinese pattern filled with what was in
//! the holes. Plain Rust with no imports, so the native tests include this file as it
//! is (`#[path]`).

/// `message` with the first pattern that matches it rewritten: `patterns` are
/// `(english, chinese)` with `{}` holes in both, in the same order; each hole's text is
/// itself put through `translate` (a message inside a message, a name that has a
/// Chinese entry). `None` when no pattern matches.
pub fn rewrite(
    message: &str,
    patterns: &[(&str, &str)],
    translate: &dyn Fn(&str) -> String,
) -> Option<String> {
    patterns.iter().find_map(|(en, zh)| {
        let holes = holes(en, message)?;
        Some(fill(zh, &holes, translate))
    })
}

/// `template` with its holes filled: `{}` takes the next of `holes`, `{N}` the N-th
/// (from 0), for a language that puts them in another order; each through `translate`.
pub fn fill(template: &str, holes: &[&str], translate: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 16 * holes.len());
    let mut next = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inside = &after[..close];
        let index = match inside {
            "" => {
                next += 1;
                Some(next - 1)
            }
            n => n.parse::<usize>().ok(),
        };
        match index.and_then(|i| holes.get(i)) {
            Some(hole) => out.push_str(&translate(hole)),
            // Not a hole: kept as written.
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The text in each `{}` of `pattern` when `message` has its shape: literal pieces in
/// order, the first at the start and the last at the end; a hole takes the shortest
/// text up to the next piece (the last hole takes the rest). `None` when the shape
/// differs or a hole would be empty.
pub fn holes<'m>(pattern: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let mut pieces = pattern.split("{}");
    let mut at = message.strip_prefix(pieces.next()?)?;
    let rest: Vec<&str> = pieces.collect();
    let mut found = Vec::with_capacity(rest.len());
    for (i, piece) in rest.iter().enumerate() {
        let hole = if i + 1 == rest.len() {
            at.strip_suffix(piece)?
        } else if piece.is_empty() {
            // Two holes side by side: no way to tell where one ends.
            return None;
        } else {
            &at[..at.find(piece)?]
        };
        if hole.is_empty() {
            return None;
        }
        found.push(hole);
        at = &at[(hole.len() + piece.len()).min(at.len())..];
    }
    // Without holes the message is the pattern itself.
    (!rest.is_empty() || at.is_empty()).then_some(found)
}
