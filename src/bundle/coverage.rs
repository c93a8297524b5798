//! Which numbers of an article no metric covers: the parser scans the text, every span that
//! is a quantity must lie inside a metric's `original` or inside an omission of the bundle.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

use super::model::Bundle;
use super::validate::{Quotes, char_offset};
use crate::quantity;

/// A number of the text that neither a metric nor an omission accounts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Character offset in the source text.
    pub start: usize,
    pub text: String,
    /// A few characters either side, to find it by eye.
    pub context: String,
}

/// Character ranges `[start, end)` of every occurrence of every needle, in one pass over the
/// text for all of them.
fn occurrences<'a>(text: &str, needles: impl Iterator<Item = &'a str>) -> Vec<(usize, usize)> {
    let needles: Vec<&str> = (needles.filter(|n| !n.is_empty()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let bytes: Vec<(usize, usize)> = match AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&needles)
    {
        Ok(ac) => ac
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect(),
        Err(_) => (needles.iter())
            .flat_map(|n| text.match_indices(n).map(|(at, n)| (at, at + n.len())))
            .collect(),
    };
    // Byte offsets to character offsets, in one walk over the text in order.
    let mut ends: Vec<(usize, usize)> = (bytes.iter().enumerate())
        .flat_map(|(i, &(start, end))| [(start, 2 * i), (end, 2 * i + 1)])
        .collect();
    ends.sort_unstable();
    let mut chars = vec![0; 2 * bytes.len()];
    let (mut byte, mut count) = (0, 0);
    for (at, slot) in ends {
        count += text[byte..at].chars().count();
        byte = at;
        chars[slot] = count;
    }
    chars.chunks(2).map(|c| (c[0], c[1])).collect()
}

/// Character ranges, sorted, with the furthest end reached so far: whether a span lies inside
/// one of them is a binary search, not a look at each.
struct Covered {
    starts: Vec<usize>,
    furthest: Vec<usize>,
}

impl Covered {
    fn new(mut ranges: Vec<(usize, usize)>) -> Self {
        ranges.sort_unstable();
        let mut furthest = Vec::with_capacity(ranges.len());
        let mut end = 0;
        for &(_, e) in &ranges {
            end = end.max(e);
            furthest.push(end);
        }
        Self {
            starts: ranges.into_iter().map(|(s, _)| s).collect(),
            furthest,
        }
    }

    /// Whether some range holds all of `[start, end)`.
    fn holds(&self, start: usize, end: usize) -> bool {
        let before = self.starts.partition_point(|&s| s <= start);
        before > 0 && self.furthest[before - 1] >= end
    }
}

pub fn gaps(bundle: &Bundle) -> Vec<Gap> {
    let text = &bundle.source.text;
    let quotes = Quotes::find(text, bundle.metrics.iter().map(|m| m.quote.as_str()));
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for m in &bundle.metrics {
        if let (Some(quote_start), Some(inner)) = (
            quotes.char_offset(&m.quote),
            char_offset(&m.quote, &m.original),
        ) {
            let start = quote_start + inner;
            covered.push((start, start + m.original.chars().count()));
        }
    }
    covered.extend(occurrences(
        text,
        bundle.omissions.iter().map(|o| o.text.as_str()),
    ));
    let covered = Covered::new(covered);
    let chars: Vec<char> = text.chars().collect();
    quantity::scan(text)
        .into_iter()
        .filter(|f| !quantity::is_date(&f.text))
        .filter(|f| !covered.holds(f.start, f.end))
        .map(|f| Gap {
            start: f.start,
            context: chars[f.start.saturating_sub(12)..(f.end + 12).min(chars.len())]
                .iter()
                .collect::<String>()
                .replace('\n', " "),
            text: f.text,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::parse::parse;

    /// The shipped seed accounts for every number of its articles.
    #[test]
    fn seed_leaves_no_number_unaccounted() {
        let mut report = String::new();
        for (name, text) in crate::db::seed::SEED {
            let bundle = parse(&serde_json::from_str(text).unwrap()).unwrap();
            for gap in gaps(&bundle) {
                report.push_str(&format!(
                    "{name}: `{}` at {} in …{}…\n",
                    gap.text, gap.start, gap.context
                ));
            }
        }
        assert!(
            report.is_empty(),
            "numbers no metric or omission covers:\n{report}"
        );
    }

    #[test]
    fn ranges_hold_a_span_only_when_one_of_them_holds_all_of_it() {
        let covered = Covered::new(vec![(10, 20), (0, 3), (12, 14), (30, 31)]);
        let naive = |s: usize, e: usize| {
            [(10, 20), (0, 3), (12, 14), (30, 31)]
                .iter()
                .any(|&(a, b)| a <= s && e <= b)
        };
        for s in 0..35 {
            for e in s + 1..36 {
                assert_eq!(covered.holds(s, e), naive(s, e), "[{s}, {e})");
            }
        }
    }

    #[test]
    fn occurrences_are_every_match_of_every_needle_in_characters() {
        let text = "金昌金昌市，a金昌";
        let mut found = occurrences(text, ["金昌", "昌市", "", "金昌"].into_iter());
        found.sort_unstable();
        assert_eq!(found, vec![(0, 2), (2, 4), (3, 5), (7, 9)]);
    }

    #[test]
    fn a_dropped_metric_shows_up_as_a_gap() {
        let (_, text) = crate::db::seed::SEED[0];
        let mut bundle = parse(&serde_json::from_str(text).unwrap()).unwrap();
        let dropped = bundle.metrics.pop().unwrap();
        let found = gaps(&bundle);
        assert!(
            found
                .iter()
                .any(|g| g.text.contains(&dropped.original) || dropped.original.contains(&g.text)),
            "dropping `{}` should leave a gap, got {found:?}",
            dropped.original
        );
    }
}
