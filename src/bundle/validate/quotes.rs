//! Where each quote of a bundle first occurs in its source text, for thousands of quotes at
//! once.
//!
//! Searching the text once per quote costs the length of the text for every metric: on a long
//! article with thousands of metrics that is seconds to minutes of CPU. Instead all quotes go
//! into one Aho-Corasick automaton and the text is read once. The automaton says, at each
//! byte, which quotes end there; a state whose quotes have all been recorded is not looked at
//! again, so quotes nested in each other over a repetitive text (`9家`, `9家9家`, … over
//! `9家9家9家…`) cost no more than distinct ones. The whole is linear in the text, plus the
//! size of the automaton.

use std::collections::{HashMap, HashSet};

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use super::char_offset;

pub struct Quotes<'t> {
    text: &'t str,
    /// Character offset of the first occurrence of each needle found; needles asked for and
    /// not found are absent.
    first: HashMap<&'t str, usize>,
    /// Every needle the index was built for, found or not.
    asked: HashSet<&'t str>,
}

impl<'t> Quotes<'t> {
    /// Finds the first occurrence of each of `needles` in `text`. Empty needles are left to
    /// the plain search, which finds them at 0.
    pub fn find(text: &'t str, needles: impl IntoIterator<Item = &'t str>) -> Self {
        let asked: HashSet<&str> = needles.into_iter().filter(|n| !n.is_empty()).collect();
        let patterns: Vec<&str> = asked.iter().copied().collect();
        let ends = match first_ends(text, &patterns) {
            Some(ends) => ends,
            // An automaton too large to build: the plain search gives the same answers.
            None => {
                let first = (patterns.iter())
                    .filter_map(|&p| char_offset(text, p).map(|at| (p, at)))
                    .collect();
                return Self { text, first, asked };
            }
        };
        // Byte offsets to character offsets, in one walk over the text in order.
        let mut starts: Vec<(usize, &str)> = (patterns.iter().zip(ends))
            .filter_map(|(&p, end)| end.map(|end| (end - p.len(), p)))
            .collect();
        starts.sort_unstable();
        let mut first = HashMap::with_capacity(starts.len());
        let (mut byte, mut chars) = (0, 0);
        for (start, p) in starts {
            chars += text[byte..start].chars().count();
            byte = start;
            first.insert(p, chars);
        }
        Self { text, first, asked }
    }

    /// The character offset of the first occurrence of `needle`, as [`char_offset`] gives it.
    pub fn char_offset(&self, needle: &str) -> Option<usize> {
        if self.asked.contains(needle) {
            self.first.get(needle).copied()
        } else {
            char_offset(self.text, needle)
        }
    }

    /// Whether `needle` occurs in the text.
    pub fn contains(&self, needle: &str) -> bool {
        self.char_offset(needle).is_some()
    }
}

/// The byte offset just past the first occurrence of each pattern, by one pass over `text`;
/// `None` when the automaton cannot be built.
fn first_ends(text: &str, patterns: &[&str]) -> Option<Vec<Option<usize>>> {
    let mut ends = vec![None; patterns.len()];
    if patterns.is_empty() {
        return Some(ends);
    }
    let nfa = NFA::builder()
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(patterns)
        .ok()?;
    let mut missing = patterns.len();
    let mut recorded = HashSet::new();
    let mut sid = nfa.start_state(Anchored::No).ok()?;
    for (at, &byte) in text.as_bytes().iter().enumerate() {
        sid = nfa.next_state(Anchored::No, sid, byte);
        if nfa.is_special(sid) && nfa.is_match(sid) && recorded.insert(sid) {
            for i in 0..nfa.match_len(sid) {
                let end = &mut ends[nfa.match_pattern(sid, i).as_usize()];
                if end.is_none() {
                    *end = Some(at + 1);
                    missing -= 1;
                }
            }
            if missing == 0 {
                break;
            }
        }
    }
    Some(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every substring of `text` up to `longest` characters, and a few that are not in it.
    fn probes(text: &str, longest: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        for start in 0..chars.len() {
            for len in 1..=longest.min(chars.len() - start) {
                out.push(chars[start..start + len].iter().collect());
            }
        }
        out.extend([
            "不在文中的话".to_owned(),
            "zzz".to_owned(),
            format!("{text}。"),
        ]);
        out
    }

    fn agrees(text: &str, needles: &[String]) {
        let quotes = Quotes::find(text, needles.iter().map(String::as_str));
        for needle in needles {
            assert_eq!(
                quotes.char_offset(needle),
                char_offset(text, needle),
                "{needle:?} in {} chars",
                text.chars().count()
            );
            assert_eq!(quotes.contains(needle), text.contains(needle.as_str()));
        }
    }

    #[test]
    fn every_quote_and_omission_of_the_seed_is_found_where_a_search_finds_it() {
        let mut checked = 0;
        for (name, raw) in crate::db::seed::SEED {
            let bundle: serde_json::Value = serde_json::from_str(raw).unwrap();
            let text = bundle["source"]["text"].as_str().unwrap();
            let mut needles: Vec<String> = ["metrics", "omissions"]
                .iter()
                .flat_map(|c| bundle[*c].as_array().into_iter().flatten())
                .flat_map(|item| [&item["quote"], &item["text"], &item["original"]])
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            assert!(!needles.is_empty(), "{name} has quotes");
            checked += needles.len();
            // A quote changed by one character is found nowhere, by either.
            needles.extend(needles.clone().iter().map(|q| format!("{q}了")));
            agrees(text, &needles);
        }
        assert!(checked > 100, "{checked} needles");
    }

    #[test]
    fn every_substring_is_found_at_its_first_occurrence() {
        for text in [
            "abracadabra",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "金昌市金昌金川集团金川金昌市营业收入3315亿元，金昌市营业收入",
            "9家9家9家9家X9家9家mixed ascii 和中文 and 9家",
            "",
            "一",
        ] {
            agrees(text, &probes(text, 12));
        }
        let long: String = (0..300).map(|i| format!("段{}。", i % 7)).collect();
        agrees(&long, &probes(&long, 6));
    }

    #[test]
    fn quotes_not_given_to_the_index_are_still_found() {
        let text = "园区完成投资120亿元，生产器件超过3万件。";
        let quotes = Quotes::find(text, ["生产器件超过3万件"]);
        assert_eq!(quotes.char_offset("生产器件超过3万件"), Some(12));
        assert_eq!(quotes.char_offset("完成投资"), Some(2));
        assert_eq!(quotes.char_offset(""), Some(0));
        assert_eq!(quotes.char_offset("没有"), None);
    }
}
