//! Quantities as Chinese news writes them: "突破6800吨", "260亿元以上", "3—5家",
//! "上百家", "千亿级".
//!
//! Facts are stored in base units with their bound ("more than", "about"),
//! so every magnitude is multiplied out and every bounding word becomes a
//! [`Qualifier`]. Values are computed in decimal and converted to `f64` once,
//! so a figure the text states as a whole number compares equal to it.

mod lexicon;
#[cfg(test)]
pub(crate) mod news;
mod numeral;
mod scan;
#[cfg(test)]
mod tests;

use std::fmt;

use lexicon::{
    BOUNDED_UNITS, FILLER_PREFIXES, KWH_WORD, QUALIFIER_PREFIXES, SUFFIXES, UnitSpec, longest,
    range_separator_at, starts_with, unit_at,
};
use numeral::{Number, arabic_digit, is_chinese_numeral, read_neighbours, read_number};

pub use scan::{Found, is_date, scan};

/// Base unit a value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    #[serde(rename = "CNY")]
    Cny,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "t")]
    Tonne,
    #[serde(rename = "mm")]
    Millimetre,
    #[serde(rename = "m")]
    Metre,
    #[serde(rename = "m2")]
    SquareMetre,
    /// 亩, kept apart from m²: one mu is 2000/3 m², which no decimal writes exactly.
    #[serde(rename = "mu")]
    Mu,
    #[serde(rename = "m3")]
    CubicMetre,
    /// Power, as installed or rated capacity is stated.
    #[serde(rename = "kW")]
    Kilowatt,
    #[serde(rename = "GWh")]
    GigawattHour,
    #[serde(rename = "percent")]
    Percent,
    /// A difference of two percentages (个百分点), which is not a percent of anything.
    #[serde(rename = "percentage_point")]
    PercentagePoint,
    /// 倍: how many times another amount.
    #[serde(rename = "multiple")]
    Multiple,
    #[serde(rename = "count")]
    Count,
    #[serde(rename = "year")]
    Year,
    #[serde(rename = "month")]
    Month,
}

impl Unit {
    pub const ALL: [Unit; 16] = [
        Unit::Cny,
        Unit::Usd,
        Unit::Tonne,
        Unit::Millimetre,
        Unit::Metre,
        Unit::SquareMetre,
        Unit::Mu,
        Unit::CubicMetre,
        Unit::Kilowatt,
        Unit::GigawattHour,
        Unit::Percent,
        Unit::PercentagePoint,
        Unit::Multiple,
        Unit::Count,
        Unit::Year,
        Unit::Month,
    ];

    /// The code used in storage and JSON; identical to the serde name.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Cny => "CNY",
            Unit::Usd => "USD",
            Unit::Tonne => "t",
            Unit::Millimetre => "mm",
            Unit::Metre => "m",
            Unit::SquareMetre => "m2",
            Unit::Mu => "mu",
            Unit::CubicMetre => "m3",
            Unit::Kilowatt => "kW",
            Unit::GigawattHour => "GWh",
            Unit::Percent => "percent",
            Unit::PercentagePoint => "percentage_point",
            Unit::Multiple => "multiple",
            Unit::Count => "count",
            Unit::Year => "year",
            Unit::Month => "month",
        }
    }

    pub fn from_code(s: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.code() == s)
    }
}

/// How the written number bounds the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    Approx,
    MoreThan,
    AtLeast,
    LessThan,
    AtMost,
    Range,
}

impl Qualifier {
    pub const ALL: [Qualifier; 7] = [
        Qualifier::Exact,
        Qualifier::Approx,
        Qualifier::MoreThan,
        Qualifier::AtLeast,
        Qualifier::LessThan,
        Qualifier::AtMost,
        Qualifier::Range,
    ];

    /// The code used in storage and JSON; identical to the serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::Approx => "approx",
            Qualifier::MoreThan => "more_than",
            Qualifier::AtLeast => "at_least",
            Qualifier::LessThan => "less_than",
            Qualifier::AtMost => "at_most",
            Qualifier::Range => "range",
        }
    }

    pub fn from_code(s: &str) -> Option<Qualifier> {
        Qualifier::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// A quantity in base units. `value_max` is set only for ranges, where
/// `value` is the lower end.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: Unit,
    pub qualifier: Qualifier,
}

/// Why a string could not be read as a quantity. Each variant carries the
/// input so that a batch report can show it without extra bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    NoNumber(String),
    UnknownUnit { input: String, unit: String },
    Malformed(String),
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::NoNumber(input) => write!(f, "no number in {input:?}"),
            QuantityError::UnknownUnit { input, unit } => {
                write!(f, "unknown unit {unit:?} in {input:?}")
            }
            QuantityError::Malformed(input) => {
                write!(f, "{input:?} is not a quantity this parser can read")
            }
        }
    }
}

impl std::error::Error for QuantityError {}

/// The value as an integer when it is a whole number that `f64` holds exactly, so it can be
/// written without a fraction (`331500000000`, not `331500000000.0`).
pub fn whole(value: f64) -> Option<i64> {
    (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// Parses a quantity exactly as written, with its bounding words: "突破6800吨",
/// "260亿元以上", "3—5家".
///
/// Calendar years ("2022年") and dates are rejected as [`QuantityError::Malformed`]:
/// they are positions in time, not amounts.
pub fn parse(original: &str) -> Result<Quantity, QuantityError> {
    let malformed = || QuantityError::Malformed(original.to_owned());
    let chars: Vec<char> = original.trim().chars().collect();
    if !chars
        .iter()
        .any(|&c| arabic_digit(c).is_some() || is_chinese_numeral(c))
    {
        return Err(QuantityError::NoNumber(original.to_owned()));
    }
    if scan::date_end(&chars, 0) == Some(chars.len()) {
        return Err(malformed());
    }
    let reading = read(&chars, 0, Mode::Parse).ok_or_else(malformed)?;
    if reading.end < chars.len() {
        return Err(unread_tail(original, &chars, reading.unit_start));
    }
    let spec = match reading.unit {
        WrittenUnit::Known(spec) => spec,
        WrittenUnit::Unsupported => {
            return Err(QuantityError::UnknownUnit {
                input: original.to_owned(),
                unit: chars[reading.unit_start..reading.unit_end].iter().collect(),
            });
        }
        // 千亿级 alone is how news states output scale, which is money.
        WrittenUnit::None if reading.scale_word => UnitSpec::base(Unit::Cny),
        WrittenUnit::None => UnitSpec::COUNT,
    };
    let ends = [Some(reading.low), reading.high];
    if spec.unit == Unit::Year
        && reading.bounds.is_empty()
        && ends.iter().flatten().any(is_calendar_year)
    {
        return Err(malformed());
    }
    let qualifier = if reading.high.is_some() {
        Qualifier::Range
    } else {
        reading
            .bounds
            .iter()
            .try_fold(Qualifier::Exact, |acc, &q| merge(acc, q))
            .ok_or_else(malformed)?
    };
    let in_base_unit = |n: Number| n.value().shifted(spec.exp).to_f64().ok_or_else(malformed);
    let value = in_base_unit(reading.low)?;
    let value_max = reading.high.map(in_base_unit).transpose()?;
    if value_max.is_some_and(|max| max < value) {
        return Err(malformed());
    }
    Ok(Quantity {
        value,
        value_max,
        unit: spec.unit,
        qualifier,
    })
}

/// Combines two bounding words on one number. "约" adds nothing to another
/// bound; doubled bounds in the same direction ("超过…以上", common in news)
/// keep the strict one; opposite bounds contradict each other.
fn merge(a: Qualifier, b: Qualifier) -> Option<Qualifier> {
    use Qualifier::*;
    match (a, b) {
        (Exact | Approx, q) | (q, Approx) => Some(q),
        _ if a == b => Some(a),
        (MoreThan | AtLeast, MoreThan | AtLeast) => Some(MoreThan),
        (LessThan | AtMost, LessThan | AtMost) => Some(LessThan),
        _ => None,
    }
}

/// A bare four-digit year 1900–2100 before 年 names a year, not a duration;
/// any bounding word ("近2000年", "2000多年") makes it a duration again.
fn is_calendar_year(n: &Number) -> bool {
    n.positional == Some(4)
        && n.magnitude == 0
        && n.qualifier.is_none()
        && n.base
            .as_integer()
            .is_some_and(|year| (1900..=2100).contains(&year))
}

/// Explains text left over after the number: a word there is a unit we do
/// not know; anything else means the input was not a quantity.
fn unread_tail(original: &str, chars: &[char], unit_start: usize) -> QuantityError {
    let mut end = chars.len();
    while let Some(len) = suffix_ending_at(chars, end) {
        end -= len;
    }
    let tail = chars.get(unit_start..end).unwrap_or_default();
    if !tail.is_empty() && tail.iter().all(|&c| c.is_alphabetic()) {
        QuantityError::UnknownUnit {
            input: original.to_owned(),
            unit: tail.iter().collect(),
        }
    } else {
        QuantityError::Malformed(original.to_owned())
    }
}

fn suffix_ending_at(chars: &[char], end: usize) -> Option<usize> {
    let words = SUFFIXES.iter().map(|&(word, _)| word);
    words
        .chain(["级", "多", "余"])
        .map(|word| (word, word.chars().count()))
        .find(|&(word, len)| len <= end && starts_with(chars, end - len, word))
        .map(|(_, len)| len)
}

/// Which grammar a reading follows: `parse` accepts every filler word, `scan`
/// only bounding words, so that a span's text starts at a meaningful word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Parse,
    Scan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WrittenUnit {
    None,
    Known(UnitSpec),
    Unsupported,
}

/// One quantity as read from `chars`, before conversion. Shared by `parse`,
/// which demands that it covers the whole input, and `scan`, which takes the
/// longest reading at each position.
#[derive(Debug, Clone)]
struct Reading {
    low: Number,
    high: Option<Number>,
    /// Bounding words in reading order, including 多/余/上 inside the number.
    bounds: Vec<Qualifier>,
    unit: WrittenUnit,
    unit_start: usize,
    unit_end: usize,
    /// 级 was written: "on the order of".
    scale_word: bool,
    end: usize,
}

fn read(chars: &[char], start: usize, mode: Mode) -> Option<Reading> {
    let mut i = start;
    let mut bounds = Vec::new();
    let qualifier_words = || QUALIFIER_PREFIXES.iter().map(|&(w, q)| (w, Some(q)));
    match mode {
        Mode::Parse => {
            let fillers = || FILLER_PREFIXES.iter().map(|&w| (w, None));
            while let Some((len, bound)) = longest(chars, i, qualifier_words().chain(fillers())) {
                bounds.extend(bound);
                i += len;
            }
        }
        Mode::Scan => {
            if let Some((len, bound)) = longest(chars, i, qualifier_words()) {
                bounds.extend(bound);
                i += len;
                // "至少有90%", "约为800万度": the 有 or 为 belongs with the bound.
                if matches!(chars.get(i), Some('有' | '为')) {
                    i += 1;
                }
            }
        }
    }
    // 百分之五十 writes the unit before the number.
    let percent_words = starts_with(chars, i, "百分之");
    if percent_words {
        i += 3;
    }
    let (low, high) = match read_number(chars, i) {
        Some(low) if percent_words => (low, None),
        Some(mut low) => match read_range(chars, &low) {
            Some((high, inherit)) => {
                if inherit {
                    low.magnitude = high.magnitude;
                    low.scaled |= high.scaled;
                }
                (low, Some(high))
            }
            None => (low, None),
        },
        None => {
            let (low, high) = read_neighbours(chars, i)?;
            (low, Some(high))
        }
    };
    bounds.extend(low.qualifier);
    let mut j = high.unwrap_or(low).end;
    let unit_start = j;
    let magnitude = low.magnitude.max(high.map_or(0, |h| h.magnitude));
    let unit = if percent_words {
        WrittenUnit::Known(UnitSpec::base(Unit::Percent))
    } else if let Some((len, (unit, bound))) =
        longest(chars, j, BOUNDED_UNITS.iter().map(|&(w, u, q)| (w, (u, q))))
    {
        bounds.push(bound);
        j += len;
        WrittenUnit::Known(UnitSpec::base(unit))
    } else if let Some((len, spec)) = unit_at(chars, j) {
        let bare_kwh = starts_with(chars, j, KWH_WORD) && len == 1 && magnitude < 4;
        j += len;
        match spec {
            Some(_) if bare_kwh => WrittenUnit::Unsupported,
            Some(spec) => WrittenUnit::Known(spec),
            None => WrittenUnit::Unsupported,
        }
    } else {
        WrittenUnit::None
    };
    let unit_end = j;
    let scaled = low.scaled || high.is_some_and(|h| h.scaled);
    let mut scale_word = false;
    loop {
        if let Some((len, bound)) = longest(chars, j, SUFFIXES.iter().copied()) {
            bounds.push(bound);
            j += len;
        } else if chars.get(j) == Some(&'级') && scaled && !scale_word {
            // 级 after 5 would be a grade ("5级"), not a scale.
            scale_word = true;
            bounds.push(Qualifier::AtLeast);
            j += 1;
        } else if mode == Mode::Parse
            && unit != WrittenUnit::None
            && matches!(chars.get(j), Some('多' | '余'))
        {
            // "一年多": more than a year.
            bounds.push(Qualifier::MoreThan);
            j += 1;
        } else {
            break;
        }
    }
    Some(Reading {
        low,
        high,
        bounds,
        unit,
        unit_start,
        unit_end,
        scale_word,
        end: j,
    })
}

/// The upper end of a range after `low`, and whether `low` should borrow its
/// magnitude ("3~5万元" means 3万 to 5万). A unit may be repeated on both ends
/// ("3%—5%"), but must then be the same.
fn read_range(chars: &[char], low: &Number) -> Option<(Number, bool)> {
    let at = low.end;
    if let Some(sep) = range_separator_at(chars, at)
        && let Some(high) = read_number(chars, at + sep)
    {
        return Some((high, low.magnitude == 0));
    }
    let (unit_len, spec) = unit_at(chars, at)?;
    let sep = range_separator_at(chars, at + unit_len)?;
    let high = read_number(chars, at + unit_len + sep)?;
    let (_, second) = unit_at(chars, high.end)?;
    (spec.is_some() && second == spec).then_some((high, false))
}
