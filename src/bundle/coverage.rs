//! Which numbers of an article no metric covers: the parser scans the text, every span that
//! is a quantity must lie inside a metric's `original` or inside an omission of the bundle.

use super::model::Bundle;
use super::validate::char_offset;
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

/// Character ranges `[start, end)` of every occurrence of `needle`.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let len = needle.chars().count();
    text.match_indices(needle)
        .map(|(byte, _)| {
            let start = text[..byte].chars().count();
            (start, start + len)
        })
        .collect()
}

pub fn gaps(bundle: &Bundle) -> Vec<Gap> {
    let text = &bundle.source.text;
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for m in &bundle.metrics {
        if let (Some(quote_start), Some(inner)) = (
            char_offset(text, &m.quote),
            char_offset(&m.quote, &m.original),
        ) {
            let start = quote_start + inner;
            covered.push((start, start + m.original.chars().count()));
        }
    }
    for o in &bundle.omissions {
        covered.extend(occurrences(text, &o.text));
    }
    let chars: Vec<char> = text.chars().collect();
    quantity::scan(text)
        .into_iter()
        .filter(|f| !quantity::is_date(&f.text))
        .filter(|f| !covered.iter().any(|&(a, b)| a <= f.start && f.end <= b))
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
