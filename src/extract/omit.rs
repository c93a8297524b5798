//! Which numbers of an article are not amounts: ordinals, codes, names with numbers, a heading
//! repeating a figure given below, "one" of something named, spans of time that date the
//! facts around them. Each is kept as an omission with its reason, so the draft still
//! accounts for every number of the text.

use std::ops::Range;

use super::text::Doc;
use crate::quantity::{Found, Unit};

/// Why the number `f` is not a metric, or `None` when it is one.
pub fn reason(doc: &Doc, f: &Found, all: &[Found]) -> Option<&'static str> {
    let text = f.text.as_str();
    let Some(q) = &f.quantity else {
        return Some(if text.starts_with('第') {
            "an ordinal, not an amount"
        } else if matches!(text, "十三五" | "十四五" | "十五五") {
            "the name of a five-year plan period"
        } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
            "a code or model name with a number in it"
        } else if text.ends_with('强') {
            "a ranking, not an amount"
        } else if text.ends_with(['号', '期', '届', '代', '版']) {
            "a name or number in a series, not an amount"
        } else if text.ends_with('年') {
            "a span of years, which dates the facts around it"
        } else {
            "a unit the vocabulary does not have"
        });
    };
    let last = text.chars().last().unwrap_or(' ');
    if doc.is_heading(f.start) && restated_below(doc, f, all) {
        return Some("a heading restating a figure given in full below");
    }
    if q.unit == Unit::Count && q.value == 1.0 && text.starts_with('一') {
        return Some("one thing named, not an amount");
    }
    if q.unit == Unit::Count && q.value.fract() != 0.0 {
        return Some("a name or phase number, not a count");
    }
    if q.unit == Unit::Count
        && (last.is_ascii_digit() || "十百千万亿零〇一二两三四五六七八九".contains(last))
    {
        return Some("a number with no unit: a name, code or label");
    }
    if matches!(q.unit, Unit::Year | Unit::Month) {
        // 近两年, 两年来, 两年前: a time, not an amount of it.
        let dates = text.starts_with('近')
            || ["来", "以来", "前", "后", "间"]
                .iter()
                .any(|w| doc.has(f.end, w));
        if dates {
            return Some("a span of time that dates the facts around it");
        }
        if text.starts_with(['几', '数']) {
            return Some("a vague span with no value");
        }
    }
    None
}

/// Whether the same figure is written again after the heading it stands in.
fn restated_below(doc: &Doc, f: &Found, all: &[Found]) -> bool {
    let heading = doc.paragraph_of(f.start);
    all.iter()
        .any(|g| g.start >= heading.end && g.text == f.text && !doc.is_heading(g.start))
}

/// A readable stretch of text around the span for the omission, which never reaches into
/// another number (an omission accounts for every number inside it).
pub fn context(doc: &Doc, span: &Range<usize>, all: &[Found]) -> String {
    let taken = |i: usize| all.iter().any(|g| g.start <= i && i < g.end);
    let stop = |c: char| "，。、；：！？,.;:!?（）()\n".contains(c) || c.is_whitespace();
    let mut start = span.start;
    while start > 0 && span.start - start < 4 && !stop(doc.chars[start - 1]) && !taken(start - 1) {
        start -= 1;
    }
    let mut end = span.end;
    while end < doc.chars.len() && end - span.end < 4 && !stop(doc.chars[end]) && !taken(end) {
        end += 1;
    }
    doc.slice(start..end)
}
