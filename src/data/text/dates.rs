//! A generated translation set: dates written in many human formats, each paired with
//! its ISO 8601 form `YYYY-MM-DD`. Dates run from 1950-01-01 to 2049-12-31 (so a
//! two-digit year is unambiguous: 50..99 are 19xx, 00..49 are 20xx). Every date is in
//! either the training or the test split, never both, so test accuracy measures dates
//! the model never saw.
//!
//! The formats ([`DATE_FORMATS`]), for 2021-03-03:
//!
//! | format | example |
//! |---|---|
//! | `LongMDY` | `March 3, 2021` |
//! | `LongDMY` | `3 March 2021` |
//! | `OrdinalOf` | `3rd of March, 2021` |
//! | `LongOrdinal` | `March 3rd, 2021` |
//! | `WordsOrdinal` | `the third of March 2021` |
//! | `ShortMDYY` | `Mar 3 21` |
//! | `ShortDMY` | `3 Mar 2021` |
//! | `Weekday` | `Wednesday, March 3, 2021` |
//! | `SlashMDY` | `03/03/2021` (US order) |
//! | `SlashMDYY` | `3/3/21` (US order, two-digit year) |
//! | `DotDMY` | `03.03.2021` (European order) |
//! | `SlashYMD` | `2021/03/03` |
//! | `Compact` | `20210303` |
//! | `Chinese` | `2021年3月3日` |

use super::chars::CharVocab;
use crate::rng::Rng;

/// Full month names.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Weekday names, Monday first.
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Ordinal words for days 1..=31.
const ORDINAL_WORDS: [&str; 31] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
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
    "twentieth",
    "twenty-first",
    "twenty-second",
    "twenty-third",
    "twenty-fourth",
    "twenty-fifth",
    "twenty-sixth",
    "twenty-seventh",
    "twenty-eighth",
    "twenty-ninth",
    "thirtieth",
    "thirty-first",
];

/// First year of the range.
pub const FIRST_YEAR: i32 = 1950;
/// Last year of the range.
pub const LAST_YEAR: i32 = 2049;

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimpleDate {
    /// The year.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
}

impl SimpleDate {
    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> SimpleDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        SimpleDate { year, month, day }
    }

    /// Days since 1970-01-01 (`days_from_civil`).
    pub fn to_days(self) -> i64 {
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// 0 for Monday .. 6 for Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> usize {
        (self.to_days() + 3).rem_euclid(7) as usize
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How a date is written (see the module's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// `March 3, 2021`.
    LongMDY,
    /// `3 March 2021`.
    LongDMY,
    /// `3rd of March, 2021`.
    OrdinalOf,
    /// `March 3rd, 2021`.
    LongOrdinal,
    /// `the third of March 2021`.
    WordsOrdinal,
    /// `Mar 3 21`.
    ShortMDYY,
    /// `3 Mar 2021`.
    ShortDMY,
    /// `Wednesday, March 3, 2021`.
    Weekday,
    /// `03/03/2021`.
    SlashMDY,
    /// `3/3/21`.
    SlashMDYY,
    /// `03.03.2021`.
    DotDMY,
    /// `2021/03/03`.
    SlashYMD,
    /// `20210303`.
    Compact,
    /// `2021年3月3日`.
    Chinese,
}

/// Every format, in the module table's order.
pub const DATE_FORMATS: [DateFormat; 14] = [
    DateFormat::LongMDY,
    DateFormat::LongDMY,
    DateFormat::OrdinalOf,
    DateFormat::LongOrdinal,
    DateFormat::WordsOrdinal,
    DateFormat::ShortMDYY,
    DateFormat::ShortDMY,
    DateFormat::Weekday,
    DateFormat::SlashMDY,
    DateFormat::SlashMDYY,
    DateFormat::DotDMY,
    DateFormat::SlashYMD,
    DateFormat::Compact,
    DateFormat::Chinese,
];

/// `1st`, `2nd`, `3rd`, `4th`, ..., `11th`, `12th`, `13th`, `21st`, ...
fn ordinal_suffix(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// `date` written in `format`.
pub fn format_date(date: SimpleDate, format: DateFormat) -> String {
    let (y, m, d) = (date.year, date.month, date.day);
    let month = MONTHS[(m - 1) as usize];
    let short = &month[..3];
    let yy = y.rem_euclid(100);
    let th = ordinal_suffix(d);
    match format {
        DateFormat::LongMDY => format!("{month} {d}, {y}"),
        DateFormat::LongDMY => format!("{d} {month} {y}"),
        DateFormat::OrdinalOf => format!("{d}{th} of {month}, {y}"),
        DateFormat::LongOrdinal => format!("{month} {d}{th}, {y}"),
        DateFormat::WordsOrdinal => {
            format!("the {} of {month} {y}", ORDINAL_WORDS[(d - 1) as usize])
        }
        DateFormat::ShortMDYY => format!("{short} {d} {yy:02}"),
        DateFormat::ShortDMY => format!("{d} {short} {y}"),
        DateFormat::Weekday => format!("{}, {month} {d}, {y}", WEEKDAYS[date.weekday()]),
        DateFormat::SlashMDY => format!("{m:02}/{d:02}/{y}"),
        DateFormat::SlashMDYY => format!("{m}/{d}/{yy:02}"),
        DateFormat::DotDMY => format!("{d:02}.{m:02}.{y}"),
        DateFormat::SlashYMD => format!("{y}/{m:02}/{d:02}"),
        DateFormat::Compact => format!("{y}{m:02}{d:02}"),
        DateFormat::Chinese => format!("{y}年{m}月{d}日"),
    }
}

/// One example: a written date and its ISO form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatePair {
    /// The date as written.
    pub source: String,
    /// `YYYY-MM-DD`.
    pub target: String,
    /// The date itself.
    pub date: SimpleDate,
    /// The format of `source`.
    pub format: DateFormat,
}

/// Training and test pairs, with vocabularies. Token ids: 0 `<pad>`, 1 `<start>`,
/// 2 `<end>`, then the vocabulary's characters (id = 3 + the character's index).
#[derive(Clone, Debug)]
pub struct DateSplit {
    /// Training pairs.
    pub train: Vec<DatePair>,
    /// Test pairs, on dates no training pair has.
    pub test: Vec<DatePair>,
    /// Characters of every format (all month and weekday names, digits, `年月日`, ...).
    pub source_vocab: CharVocab,
    /// The ISO characters: digits and `-`.
    pub target_vocab: CharVocab,
}

/// Ids before the characters: `<pad>`, `<start>`, `<end>`.
pub const DATE_SPECIAL_TOKENS: u32 = 3;

impl DateSplit {
    /// `<start>`, the ids of `text` (each character's id + 3), `<end>`, then `<pad>` up to
    /// `len` (cut to `len`); errs on a character outside `vocab`.
    pub fn encode(vocab: &CharVocab, text: &str, len: usize) -> Result<Vec<u32>, String> {
        let mut ids = vec![1];
        ids.extend(
            vocab
                .encode(text)?
                .into_iter()
                .map(|i| i + DATE_SPECIAL_TOKENS),
        );
        ids.push(2);
        ids.truncate(len);
        ids.resize(len, 0);
        Ok(ids)
    }
}

/// `train` and `test` pairs drawn from `seed`: the days of the range are shuffled, the
/// first tenth are the test dates and the rest the training dates; each pair takes a
/// random date of its split and a random format.
pub fn date_pairs(train: usize, test: usize, seed: u64) -> DateSplit {
    let first = SimpleDate {
        year: FIRST_YEAR,
        month: 1,
        day: 1,
    }
    .to_days();
    let last = SimpleDate {
        year: LAST_YEAR,
        month: 12,
        day: 31,
    }
    .to_days();
    let days = (last - first + 1) as usize;
    let mut rng = Rng::new(seed);
    let order = rng.permutation(days);
    let (test_days, train_days) = order.split_at(days / 10);
    let mut draw = |pool: &[usize], n: usize| -> Vec<DatePair> {
        (0..n)
            .map(|_| {
                let date = SimpleDate::from_days(first + pool[rng.below(pool.len())] as i64);
                let format = DATE_FORMATS[rng.below(DATE_FORMATS.len())];
                DatePair {
                    source: format_date(date, format),
                    target: date.iso(),
                    date,
                    format,
                }
            })
            .collect()
    };
    let (train, test) = (draw(train_days, train), draw(test_days, test));
    let (source_vocab, target_vocab) = date_vocabs();
    DateSplit {
        train,
        test,
        source_vocab,
        target_vocab,
    }
}

/// The source and target vocabularies of every [`DateSplit`] (they do not depend on
/// the seed): the source covers every format's characters, not only the ones drawn.
pub fn date_vocabs() -> (CharVocab, CharVocab) {
    let mut all = String::new();
    for m in MONTHS.iter().chain(&WEEKDAYS).chain(&ORDINAL_WORDS) {
        all.push_str(m);
    }
    all.push_str("0123456789 ,./-年月日thstndrdof");
    (
        CharVocab::from_text(&all),
        CharVocab::from_text("0123456789-"),
    )
}

/// Source tokens of a translator's input: `<start>`, the longest written date (36
/// characters: `Wednesday, September 27, 2023` is shorter than `the twenty-seventh of
/// September 2023`; pinned by a test over every date and format), `<end>`, and room
/// for two more characters typed by a person.
pub const DATE_SOURCE_LEN: usize = 40;

/// Target tokens of a translator, as fed to and predicted by its decoder: `<start>`
/// and the 10 ISO characters in, the 10 characters and `<end>` out.
pub const DATE_TARGET_LEN: usize = 11;

#[cfg(test)]
#[path = "dates_tests.rs"]
mod tests;
