//! "Did you mean": the closest valid names to a mistyped one.

/// Up to three candidates close to `word`: a small edit distance (relative to the
/// length), or containing `word` as a prefix or substring of three or more letters.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let w = word.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .filter_map(|&c| {
            let d = edit_distance(&w, c);
            let near = d <= (c.chars().count() / 3).max(1);
            let core = w.trim_start_matches('-');
            let part = core.chars().count() >= 3 && c.contains(core);
            (near || part).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_matches_its_definition_on_small_cases() {
        // Reference: the recursive definition, checked exhaustively on short strings.
        fn reference(a: &[char], b: &[char]) -> usize {
            match (a.split_last(), b.split_last()) {
                (None, _) => b.len(),
                (_, None) => a.len(),
                (Some((x, ra)), Some((y, rb))) => (reference(ra, rb) + usize::from(x != y))
                    .min(reference(ra, b) + 1)
                    .min(reference(a, rb) + 1),
            }
        }
        let words = [
            "", "a", "ab", "ba", "abc", "cab", "spiral", "spirl", "xor", "gauss",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                assert_eq!(edit_distance(a, b), reference(&ca, &cb), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn closest_ranks_by_distance_and_keeps_three() {
        let names = ["abcg", "abce", "abzz", "abcf", "abcd", "wxyz"];
        assert_eq!(closest("abcd", &names), vec!["abcd", "abce", "abcf"]);
        assert!(closest("qqqq", &names).is_empty());
    }
}
