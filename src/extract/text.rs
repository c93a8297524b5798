//! An article cut into paragraphs, sentences and clauses, all as character ranges, so that
//! every later step can ask "what else is said in the same clause as this number".
//!
//! A quotation with its attribution ("“……。”某某介绍。") is one sentence: the speaker named
//! after the quote is who the numbers inside it are about.

use std::ops::Range;

pub struct Doc {
    pub chars: Vec<char>,
    pub paragraphs: Vec<Range<usize>>,
    pub sentences: Vec<Range<usize>>,
    pub clauses: Vec<Range<usize>>,
}

const SENTENCE_ENDS: &str = "。！？!?";
/// Inside a sentence, these separate clauses; the enumeration comma 、 does not, since the
/// items of a list share the words that introduce it (设计年产A35.8万吨、B10吨).
const CLAUSE_ENDS: &str = "，,；;：:（）()。！？!?";
const OPENING_QUOTES: &str = "“「『";
const CLOSING_QUOTES: &str = "”」』";

impl Doc {
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut paragraphs = Vec::new();
        let mut start = 0;
        for (i, &c) in chars.iter().enumerate() {
            if c == '\n' {
                if i > start {
                    paragraphs.push(start..i);
                }
                start = i + 1;
            }
        }
        if chars.len() > start {
            paragraphs.push(start..chars.len());
        }
        let mut sentences = Vec::new();
        for p in &paragraphs {
            let mut depth = 0usize;
            let mut start = p.start;
            for i in p.clone() {
                let c = chars[i];
                if OPENING_QUOTES.contains(c) {
                    depth += 1;
                } else if CLOSING_QUOTES.contains(c) {
                    depth = depth.saturating_sub(1);
                } else if depth == 0 && SENTENCE_ENDS.contains(c) {
                    sentences.push(start..i + 1);
                    start = i + 1;
                }
            }
            if p.end > start {
                sentences.push(start..p.end);
            }
        }
        let mut clauses = Vec::new();
        for s in &sentences {
            let mut start = s.start;
            for i in s.clone() {
                if CLAUSE_ENDS.contains(chars[i]) {
                    if i > start {
                        clauses.push(start..i);
                    }
                    start = i + 1;
                }
            }
            if s.end > start {
                clauses.push(start..s.end);
            }
        }
        Doc {
            chars,
            paragraphs,
            sentences,
            clauses,
        }
    }

    pub fn slice(&self, range: Range<usize>) -> String {
        self.chars[range.start.min(self.chars.len())..range.end.min(self.chars.len())]
            .iter()
            .collect()
    }

    fn containing(ranges: &[Range<usize>], at: usize) -> Range<usize> {
        let i = ranges.partition_point(|r| r.end <= at);
        match ranges.get(i) {
            Some(r) if r.start <= at => r.clone(),
            _ => at..at,
        }
    }

    pub fn paragraph_of(&self, at: usize) -> Range<usize> {
        Self::containing(&self.paragraphs, at)
    }

    pub fn sentence_of(&self, at: usize) -> Range<usize> {
        Self::containing(&self.sentences, at)
    }

    pub fn clause_of(&self, at: usize) -> Range<usize> {
        Self::containing(&self.clauses, at)
    }

    /// A paragraph with no sentence end: a headline, a subheading or a byline.
    pub fn is_heading(&self, at: usize) -> bool {
        let p = self.paragraph_of(at);
        p.len() < 40 && !self.chars[p].iter().any(|&c| SENTENCE_ENDS.contains(c))
    }

    /// Whether `word` is written at `at`.
    pub fn has(&self, at: usize, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(k, w)| self.chars.get(at + k) == Some(&w))
    }

    /// Char offsets of every occurrence of `word` within `range`.
    pub fn find_all(&self, range: Range<usize>, word: &str) -> Vec<usize> {
        let len = word.chars().count();
        if len == 0 || range.end < len {
            return Vec::new();
        }
        (range.start..=range.end - len)
            .filter(|&i| self.has(i, word))
            .collect()
    }

    /// Whether any of `words` is written within `range`.
    pub fn contains_any(&self, range: Range<usize>, words: &[&str]) -> bool {
        words
            .iter()
            .any(|w| !self.find_all(range.clone(), w).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quotation_and_its_speaker_are_one_sentence() {
        let doc = Doc::new("标题\n“产量达到5吨。效率很高。”某公司经理说。今年，产值增长。");
        let sentences: Vec<String> = doc.sentences.iter().map(|s| doc.slice(s.clone())).collect();
        assert_eq!(
            sentences,
            [
                "标题",
                "“产量达到5吨。效率很高。”某公司经理说。",
                "今年，产值增长。"
            ]
        );
        let at = doc.chars.iter().position(|&c| c == '5').unwrap();
        assert_eq!(doc.slice(doc.clause_of(at)), "“产量达到5吨");
        assert!(doc.is_heading(0));
        assert!(!doc.is_heading(at));
    }

    #[test]
    fn list_items_share_their_clause() {
        let doc = Doc::new("设计年产铜35.8万吨、黄金10吨，年销售收入可达260亿元。");
        let at = doc.find_all(0..doc.chars.len(), "10吨")[0];
        assert_eq!(doc.slice(doc.clause_of(at)), "设计年产铜35.8万吨、黄金10吨");
    }
}
