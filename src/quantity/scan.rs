//! Finding quantity-like spans in running news text.
//!
//! The scanner reports more than it can parse on purpose: dates, ordinals,
//! codes like "5G" and numbers with units we do not know come back as spans
//! with no quantity, so a coverage report can show what was left unread.

use super::lexicon::{longest, unit_at};
use super::numeral::{is_chinese_numeral, read_number};
use super::{Mode, Quantity, Reading, Unit, WrittenUnit, parse, read};

/// A quantity-like span of the scanned text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Offset in chars (Unicode scalar values), not bytes.
    pub start: usize,
    /// Exclusive, in chars.
    pub end: usize,
    pub text: String,
    /// `parse(text).ok()`: `None` for dates, ordinals and unknown units.
    pub quantity: Option<Quantity>,
}

/// Every quantity-like span in running text, in order, for coverage reports.
pub fn scan(text: &str) -> Vec<Found> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match step(&chars, i) {
            Step::Span(end) => {
                let text: String = chars[i..end].iter().collect();
                let quantity = parse(&text).ok();
                found.push(Found {
                    start: i,
                    end,
                    text,
                    quantity,
                });
                i = end;
            }
            Step::Skip(len) => i += len,
        }
    }
    found
}

/// Words in which a numeral does not count anything. Only words whose
/// numeral is followed by a counter or magnitude need to be here; the rest
/// are never reported anyway and are listed for the reader's benefit.
const STOP_WORDS: &[&str] = &[
    "一批",
    "一方面",
    "一号",
    "一站式",
    "一目了然",
    "一次性",
    "一体",
    "一系列",
    "万一",
    "千方百计",
    "千万不",
    "千万别",
    "百家争鸣",
    "乱七八糟",
    "三五成群",
    "一成不变",
    "十成十",
];

/// Characters that begin the next word after a bare number rather than
/// naming its unit.
const FUNCTION_CHARS: &str = "和与及或的是在为等中后前以至到比";

enum Step {
    Span(usize),
    Skip(usize),
}

fn step(chars: &[char], i: usize) -> Step {
    if let Some(end) = ordinal_end(chars, i).or_else(|| date_end(chars, i)) {
        return Step::Span(end);
    }
    if let Some((len, ())) = longest(chars, i, STOP_WORDS.iter().map(|&w| (w, ()))) {
        return Step::Skip(len);
    }
    if chars[i].is_ascii_alphabetic() {
        let end = ascii_word_end(chars, i);
        return if chars[i..end].iter().any(char::is_ascii_digit) {
            Step::Span(end)
        } else {
            Step::Skip(end - i)
        };
    }
    match read(chars, i, Mode::Scan) {
        Some(reading) if worth_reporting(&reading) => Step::Span(extended_end(chars, &reading)),
        _ => Step::Skip(1),
    }
}

/// Arabic digits always look like a quantity. A Chinese numeral does only
/// when something marks it as one, since 一 and 千 also live inside words
/// (一段时期, 千方百计).
fn worth_reporting(reading: &Reading) -> bool {
    let low = &reading.low;
    !low.chinese
        || reading.unit != WrittenUnit::None
        || reading.scale_word
        || low.qualifier.is_some()
        || low.magnitude > 0
        // 二十 is a number; 三五 alone is more often an idiom (三五成群).
        || (reading.high.is_none() && low.end - low.start >= 2)
}

/// Extends a bare Arabic number over what follows it, so that "5G", "500强"
/// and "50岁" are reported whole (and unparsed) rather than as counts.
fn extended_end(chars: &[char], reading: &Reading) -> usize {
    let number_end = reading.high.as_ref().unwrap_or(&reading.low).end;
    let bare = !reading.low.chinese && reading.unit == WrittenUnit::None;
    if !bare || reading.end != number_end {
        return reading.end;
    }
    match chars.get(reading.end) {
        Some(c) if c.is_ascii_alphabetic() => ascii_word_end(chars, reading.end),
        Some(&c) if is_han(c) && !FUNCTION_CHARS.contains(c) && !is_chinese_numeral(c) => {
            reading.end + 1
        }
        _ => reading.end,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// End of a code such as "G20" or "PM2.5".
fn ascii_word_end(chars: &[char], i: usize) -> usize {
    let digit = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
    let mut j = i;
    while chars.get(j).is_some_and(|&c| {
        c.is_ascii_alphanumeric() || (c == '.' && j > i && digit(j - 1) && digit(j + 1))
    }) {
        j += 1;
    }
    j
}

/// End of an ordinal: 第十四次, 第一枚, or a five-year plan such as 十四五.
fn ordinal_end(chars: &[char], i: usize) -> Option<usize> {
    if chars[i] == '第' {
        let end = read_number(chars, i + 1)?.end;
        return Some(match unit_at(chars, end) {
            Some((len, Some(spec))) if spec.unit == Unit::Count => end + len,
            _ => end,
        });
    }
    let plan = chars.get(i..i + 3)?;
    (plan[0] == '十' && "一二三四五六七八九".contains(plan[1]) && plan[2] == '五').then_some(i + 3)
}

/// Whether the whole of `text` is a date ("3月12日", "2021年7月"): a position in time,
/// which a coverage report does not ask a metric for.
pub fn is_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    !chars.is_empty() && date_end(&chars, 0) == Some(chars.len())
}

/// End of a date starting at `chars[i]`: 2022年, 2021年7月, 3月12日, 16日,
/// 二〇二二年, 2023-03-12. Shared with `parse`, which rejects dates.
pub(super) fn date_end(chars: &[char], i: usize) -> Option<usize> {
    let number = read_number(chars, i)?;
    let digits = number.positional?;
    let value = number.value().as_integer()?;
    let end = number.end;
    let is_year = digits == 4 && (1900..=2100).contains(&value);
    match chars.get(end) {
        Some('年') if is_year => Some(month_day_end(chars, end + 1).unwrap_or(end + 1)),
        Some('-' | '/' | '.') if is_year => iso_date_end(chars, end),
        _ if !number.chinese && digits <= 2 => month_day_end(chars, i),
        _ => None,
    }
}

/// "7月", "3月12日", "3月12号" or a lone day "16日".
fn month_day_end(chars: &[char], i: usize) -> Option<usize> {
    let (month, end) = small_integer(chars, i)?;
    match chars.get(end)? {
        '月' if (1..=12).contains(&month) => {
            let after_month = end + 1;
            Some(day_end(chars, after_month, &['日', '号']).unwrap_or(after_month))
        }
        '日' => day_end(chars, i, &['日']),
        _ => None,
    }
}

fn day_end(chars: &[char], i: usize, marks: &[char]) -> Option<usize> {
    let (day, end) = small_integer(chars, i)?;
    let mark = chars.get(end)?;
    ((1..=31).contains(&day) && marks.contains(mark)).then_some(end + 1)
}

/// The month and day of "2023-03-12", after the year.
fn iso_date_end(chars: &[char], separator_at: usize) -> Option<usize> {
    let separator = chars[separator_at];
    let (month, end) = small_integer(chars, separator_at + 1)?;
    if !(1..=12).contains(&month) || chars.get(end) != Some(&separator) {
        return None;
    }
    let (day, end) = small_integer(chars, end + 1)?;
    (1..=31).contains(&day).then_some(end)
}

/// One or two Arabic digits, not followed by a third.
fn small_integer(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let digit = |k: usize| chars.get(k).and_then(|&c| super::numeral::arabic_digit(c));
    let mut value = 0;
    let mut j = i;
    while let Some(d) = digit(j) {
        if j - i == 2 {
            return None;
        }
        value = value * 10 + d;
        j += 1;
    }
    (j > i).then_some((value, j))
}
