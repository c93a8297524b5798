//! The words that surround a number in Chinese news: bounding words, units and
//! range marks. `parse` and `scan` share these tables so that every span the
//! scanner cuts out is one the parser can read back.

use super::{Qualifier, Unit};

/// A supported unit and the power of ten that converts it to its base unit.
/// Conversions are powers of ten so they stay exact decimal shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct UnitSpec {
    pub unit: Unit,
    pub exp: i32,
}

impl UnitSpec {
    pub const COUNT: UnitSpec = UnitSpec::base(Unit::Count);

    pub const fn base(unit: Unit) -> UnitSpec {
        UnitSpec { unit, exp: 0 }
    }
}

/// Units written after a number. Longest match wins, so 平方米 beats 米, 人次 beats 人,
/// 千瓦时 beats 千瓦 and 个百分点 beats the counter 个.
///
/// One base unit per dimension: power in kW, energy in GWh, volume in m³, area in m² (with 亩
/// apart, see [`Unit::Mu`]). 万千瓦 and 亿千瓦时 need no entry: 万 and 亿 are magnitudes.
const UNITS: &[(&str, Unit, i32)] = &[
    ("元", Unit::Cny, 0),
    ("元人民币", Unit::Cny, 0),
    ("美元", Unit::Usd, 0),
    ("吨", Unit::Tonne, 0),
    ("千克", Unit::Tonne, -3),
    ("公斤", Unit::Tonne, -3),
    ("毫米", Unit::Millimetre, 0),
    ("厘米", Unit::Millimetre, 1),
    ("米", Unit::Metre, 0),
    ("公里", Unit::Metre, 3),
    ("平方米", Unit::SquareMetre, 0),
    ("平米", Unit::SquareMetre, 0),
    ("平方公里", Unit::SquareMetre, 6),
    ("平方千米", Unit::SquareMetre, 6),
    ("公顷", Unit::SquareMetre, 4),
    ("亩", Unit::Mu, 0),
    ("立方米", Unit::CubicMetre, 0),
    ("立方", Unit::CubicMetre, 0),
    ("m³", Unit::CubicMetre, 0),
    ("瓦", Unit::Kilowatt, -3),
    ("千瓦", Unit::Kilowatt, 0),
    ("兆瓦", Unit::Kilowatt, 3),
    ("吉瓦", Unit::Kilowatt, 6),
    ("kW", Unit::Kilowatt, 0),
    ("MW", Unit::Kilowatt, 3),
    ("GW", Unit::Kilowatt, 6),
    ("太瓦时", Unit::GigawattHour, 3),
    ("TWh", Unit::GigawattHour, 3),
    ("吉瓦时", Unit::GigawattHour, 0),
    ("GWh", Unit::GigawattHour, 0),
    ("兆瓦时", Unit::GigawattHour, -3),
    ("MWh", Unit::GigawattHour, -3),
    ("千瓦时", Unit::GigawattHour, -6),
    ("kWh", Unit::GigawattHour, -6),
    // 度 is a kilowatt-hour only after 万 or 亿; see `KWH_WORD`.
    (KWH_WORD, Unit::GigawattHour, -6),
    ("%", Unit::Percent, 0),
    ("％", Unit::Percent, 0),
    // 六成 is six tenths.
    ("成", Unit::Percent, 1),
    ("个百分点", Unit::PercentagePoint, 0),
    ("百分点", Unit::PercentagePoint, 0),
    ("倍", Unit::Multiple, 0),
    ("年", Unit::Year, 0),
    ("个月", Unit::Month, 0),
    ("项目", Unit::Count, 0),
    ("人次", Unit::Count, 0),
];

/// 度 is how electricity use is written in plain language (用电量12亿度), and also how
/// temperatures and angles are (1300度高温). Only a magnitude of 万 or more makes it energy;
/// a bare 度 is left unread so that a person decides.
pub(super) const KWH_WORD: &str = "度";

/// Single-character counters (量词); all of them count things.
const COUNTERS: &str =
    "家项个名人台颗条篇场根针件所片珠批次届期座位款种类套架枚户支处间辆只艘栋幢头";

/// Units we recognise but cannot express as a [`Unit`]. Knowing them keeps
/// 个小时 from being read as the counter 个, and lets `scan` show them whole so a
/// coverage report names what is missing.
const UNSUPPORTED: &[&str] = &["个小时", "小时", "个工作日", "工作日", "分钟", "光年"];

/// A unit word that carries its own bound: 三个多月 is more than three months.
pub(super) const BOUNDED_UNITS: &[(&str, Unit, Qualifier)] =
    &[("个多月", Unit::Month, Qualifier::MoreThan)];

/// Bounding words written before the number.
pub(super) const QUALIFIER_PREFIXES: &[(&str, Qualifier)] = &[
    ("约", Qualifier::Approx),
    ("大约", Qualifier::Approx),
    ("近", Qualifier::Approx),
    ("将近", Qualifier::Approx),
    ("接近", Qualifier::Approx),
    ("超", Qualifier::MoreThan),
    ("超过", Qualifier::MoreThan),
    ("突破", Qualifier::MoreThan),
    ("逾", Qualifier::MoreThan),
    ("高于", Qualifier::MoreThan),
    ("多于", Qualifier::MoreThan),
    ("至少", Qualifier::AtLeast),
    ("不低于", Qualifier::AtLeast),
    ("不少于", Qualifier::AtLeast),
    ("不足", Qualifier::LessThan),
    ("不到", Qualifier::LessThan),
    ("低于", Qualifier::LessThan),
    ("少于", Qualifier::LessThan),
    ("不超过", Qualifier::AtMost),
    ("最多", Qualifier::AtMost),
    ("至多", Qualifier::AtMost),
];

/// Words that may precede a number without bounding it ("达3.6亿元" is exactly
/// 3.6亿元). Only `parse` skips them; `scan` leaves them out of its spans.
pub(super) const FILLER_PREFIXES: &[&str] = &[
    "达", "达到", "高达", "多达", "仅", "仅有", "共", "共有", "共计", "合计", "累计", "总计", "有",
    "为",
];

/// Bounding words written after the number and unit. 级 is handled apart
/// because it also implies a currency; 多/余 after a unit ("一年多") only in
/// `parse`, since in running text the next word often starts with 多.
pub(super) const SUFFIXES: &[(&str, Qualifier)] = &[
    ("左右", Qualifier::Approx),
    ("以上", Qualifier::AtLeast),
    ("以内", Qualifier::AtMost),
    ("之内", Qualifier::AtMost),
    ("以下", Qualifier::AtMost),
];

/// Marks joining the two ends of a range; the dashes come in many code points.
const RANGE_SEPARATORS: &str = "-‐‑–—―−－~～〜至到";

/// Whether `word` is written at `chars[i..]`.
pub(super) fn starts_with(chars: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| chars.get(i + k) == Some(&w))
}

/// Longest word of `words` written at `chars[i..]`, with its length in chars.
pub(super) fn longest<'a, T: Copy>(
    chars: &[char],
    i: usize,
    words: impl IntoIterator<Item = (&'a str, T)>,
) -> Option<(usize, T)> {
    words
        .into_iter()
        .filter(|(word, _)| starts_with(chars, i, word))
        .map(|(word, value)| (word.chars().count(), value))
        .max_by_key(|(len, _)| *len)
}

/// The unit written at `chars[i..]`: its length and, when supported, how to
/// convert it. `Some((len, None))` is a known but unsupported unit.
pub(super) fn unit_at(chars: &[char], i: usize) -> Option<(usize, Option<UnitSpec>)> {
    let supported = UNITS
        .iter()
        .map(|&(word, unit, exp)| (word, Some(UnitSpec { unit, exp })));
    let unsupported = UNSUPPORTED.iter().map(|&word| (word, None));
    let counter = chars
        .get(i)
        .filter(|c| COUNTERS.contains(**c))
        .map(|_| (1, Some(UnitSpec::COUNT)));
    // Every table word is at least one char long, so a table match is never
    // shorter than a bare counter.
    longest(chars, i, supported.chain(unsupported)).or(counter)
}

/// Length of the range separator at `chars[i]`, if any.
pub(super) fn range_separator_at(chars: &[char], i: usize) -> Option<usize> {
    chars
        .get(i)
        .filter(|c| RANGE_SEPARATORS.contains(**c))
        .map(|_| 1)
}
