//! The date pairs parsed back, each format by its own reading (written here apart from
//! the generator), must give the pair's ISO date.

use super::*;
use std::collections::HashSet;

fn month_of(name: &str) -> u32 {
    let name = name.trim_end_matches(',');
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.to_lowercase();
    let i = full
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(&lower)))
        .unwrap_or_else(|| panic!("no month {name}"));
    i as u32 + 1
}

fn num(s: &str) -> u32 {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {s:?}"))
}

fn year_of(s: &str) -> i32 {
    let s = s.trim_end_matches(',');
    match s.len() {
        2 => {
            let yy = num(s) as i32;
            if yy >= 50 {
                1900 + yy
            } else {
                2000 + yy
            }
        }
        _ => num(s) as i32,
    }
}

fn ordinal_word(w: &str) -> u32 {
    let ones = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    ];
    let teens = [
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
    ];
    if let Some(i) = ones.iter().position(|o| *o == w) {
        return i as u32 + 1;
    }
    if let Some(i) = teens.iter().position(|o| *o == w) {
        return i as u32 + 10;
    }
    match w.split_once('-') {
        Some(("twenty", rest)) => 20 + ordinal_word(rest),
        Some(("thirty", rest)) => 30 + ordinal_word(rest),
        None if w == "twentieth" => 20,
        None if w == "thirtieth" => 30,
        _ => panic!("no ordinal {w}"),
    }
}

/// Reads `text` written in `format`: (year, month, day).
fn parse(text: &str, format: DateFormat) -> (i32, u32, u32) {
    let t: Vec<&str> = text.split(' ').collect();
    let by = |sep: char| -> Vec<&str> { text.split(sep).collect() };
    use DateFormat as F;
    match format {
        F::LongMDY | F::LongOrdinal => (year_of(t[2]), month_of(t[0]), num(t[1])),
        F::LongDMY | F::ShortDMY => (year_of(t[2]), month_of(t[1]), num(t[0])),
        F::OrdinalOf => (year_of(t[3]), month_of(t[2]), num(t[0])),
        F::WordsOrdinal => {
            assert_eq!((t[0], t[2]), ("the", "of"));
            (year_of(t[4]), month_of(t[3]), ordinal_word(t[1]))
        }
        F::ShortMDYY => (year_of(t[2]), month_of(t[0]), num(t[1])),
        F::Weekday => {
            let (y, m, d) = (year_of(t[3]), month_of(t[1]), num(t[2]));
            // Zeller's congruence, apart from the generator's day count.
            let (yy, mm) = if m < 3 { (y - 1, m + 12) } else { (y, m) };
            let (k, j) = (yy.rem_euclid(100), yy.div_euclid(100));
            let h = (d as i32 + 13 * (mm as i32 + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7;
            let names = [
                "Saturday,",
                "Sunday,",
                "Monday,",
                "Tuesday,",
                "Wednesday,",
                "Thursday,",
                "Friday,",
            ];
            assert_eq!(t[0], names[h as usize], "{text}");
            (y, m, d)
        }
        F::SlashMDY | F::SlashMDYY => {
            let p = by('/');
            (year_of(p[2]), num(p[0]), num(p[1]))
        }
        F::DotDMY => {
            let p = by('.');
            (year_of(p[2]), num(p[1]), num(p[0]))
        }
        F::SlashYMD => {
            let p = by('/');
            (year_of(p[0]), num(p[1]), num(p[2]))
        }
        F::Compact => (num(&text[..4]) as i32, num(&text[4..6]), num(&text[6..8])),
        F::Chinese => {
            let (y, rest) = text.split_once('年').unwrap();
            let (m, rest) = rest.split_once('月').unwrap();
            let d = rest.strip_suffix('日').unwrap();
            (year_of(y), num(m), num(d))
        }
    }
}

#[test]
fn every_pair_parses_back_to_its_iso_date_in_every_format() {
    let split = date_pairs(3000, 600, 7);
    let mut formats = HashSet::new();
    for p in split.train.iter().chain(&split.test) {
        let (y, m, d) = parse(&p.source, p.format);
        assert_eq!(format!("{y:04}-{m:02}-{d:02}"), p.target, "{}", p.source);
        formats.insert(p.format);
        // Every character is in the vocabularies.
        assert!(split.source_vocab.encode(&p.source).is_ok(), "{}", p.source);
        assert!(split.target_vocab.encode(&p.target).is_ok());
    }
    assert_eq!(formats.len(), DATE_FORMATS.len());
    assert_eq!(
        format_date(
            SimpleDate {
                year: 2021,
                month: 3,
                day: 3
            },
            DateFormat::Chinese
        ),
        "2021年3月3日"
    );
}

#[test]
fn test_dates_are_held_out_and_the_draw_is_seeded() {
    let split = date_pairs(4000, 500, 3);
    let train: HashSet<SimpleDate> = split.train.iter().map(|p| p.date).collect();
    assert!(split.test.iter().all(|p| !train.contains(&p.date)));
    assert_eq!(date_pairs(4000, 500, 3).test, split.test);
    assert_ne!(date_pairs(4000, 500, 4).test, split.test);
    for p in &split.train {
        assert!((FIRST_YEAR..=LAST_YEAR).contains(&p.date.year));
    }
}

#[test]
fn day_counts_round_trip_over_the_whole_range() {
    let start = SimpleDate {
        year: FIRST_YEAR,
        month: 1,
        day: 1,
    }
    .to_days();
    let mut prev: Option<SimpleDate> = None;
    for n in start..start + 36_525 {
        let d = SimpleDate::from_days(n);
        assert_eq!(d.to_days(), n);
        if let Some(p) = prev {
            assert!(d > p);
        }
        prev = Some(d);
    }
    assert_eq!(prev.unwrap().iso(), "2049-12-31");
}

#[test]
fn encoding_adds_start_end_and_padding() {
    let split = date_pairs(1, 1, 1);
    let ids = DateSplit::encode(&split.target_vocab, "2021-03-03", 14).unwrap();
    assert_eq!(ids.len(), 14);
    assert_eq!((ids[0], ids[11], ids[12]), (1, 2, 0));
    let back: Vec<u32> = ids[1..11].iter().map(|i| i - DATE_SPECIAL_TOKENS).collect();
    assert_eq!(split.target_vocab.decode(&back), "2021-03-03");
    assert!(DateSplit::encode(&split.target_vocab, "2021/03", 14).is_err());
}

#[test]
fn every_date_in_every_format_fits_the_source_length() {
    let first = SimpleDate {
        year: FIRST_YEAR,
        month: 1,
        day: 1,
    }
    .to_days();
    let mut longest = 0;
    for n in first..first + 36_525 {
        let d = SimpleDate::from_days(n);
        for f in DATE_FORMATS {
            longest = longest.max(format_date(d, f).chars().count());
        }
    }
    // The module's note: 36 characters, `<start>` and `<end>` around them.
    assert_eq!(longest, 36);
    assert!(longest + 2 <= DATE_SOURCE_LEN);
    assert_eq!(
        DateSplit::encode(&date_vocabs().1, "2021-03-03", 12)
            .unwrap()
            .len(),
        DATE_TARGET_LEN + 1
    );
    let split = date_pairs(1, 1, 9);
    assert_eq!(split.source_vocab, date_vocabs().0);
}
