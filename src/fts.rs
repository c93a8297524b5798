//! How text is cut into words for SQLite FTS5, for both indexing and querying.
//!
//! Chinese has no spaces, and the queries people type are short: two characters (`金昌`,
//! `镍钴`, `稀土`) are the common case. FTS5's trigram tokenizer cannot serve a two-character
//! query from its index, and a dictionary segmenter (jieba) cuts `镍钴新材料` into words that a
//! query for `钴新` or a name the dictionary lacks would not match. So every run of Chinese
//! characters is indexed as its overlapping character pairs (`金昌市` → `金昌 昌市`) and the
//! stock `unicode61` tokenizer takes it from there: a query of two or more characters becomes
//! the phrase of its pairs, which matches exactly where the query occurs as a substring, and
//! English is matched by whole word, case-insensitively. A lone Chinese character cannot be
//! looked up this way; such a query falls back to a literal `LIKE` scan.

/// Han ideographs, the characters written without spaces between words.
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Text as the index stores it: Han runs as their overlapping pairs, everything else as is
/// for `unicode61` to split into words.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut run: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_han(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn flush(run: &mut Vec<char>, out: &mut String) {
    if run.is_empty() {
        return;
    }
    out.push(' ');
    if run.len() == 1 {
        out.push(run[0]);
        out.push(' ');
    }
    for pair in run.windows(2) {
        out.push(pair[0]);
        out.push(pair[1]);
        out.push(' ');
    }
    run.clear();
}

/// How a search term is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// An FTS5 `MATCH` expression: one quoted phrase per space-separated part, all required,
    /// the last word of each a prefix.
    Match(String),
    /// A `LIKE` pattern for the term as typed, wildcards escaped with `\`.
    Like(String),
}

/// The text the user typed, and how to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub lookup: Lookup,
}

impl Term {
    /// Any text is a valid term: FTS5 syntax in it (`"`, `*`, `:`, parentheses, `AND`) is
    /// never passed through as syntax, since every part is quoted as a phrase.
    pub fn new(text: &str) -> Self {
        let text = text.trim().to_owned();
        let lookup = match_expression(&text)
            .map(Lookup::Match)
            .unwrap_or_else(|| Lookup::Like(like_pattern(&text)));
        Self { text, lookup }
    }
}

/// The `MATCH` expression for `text`, or `None` when the index cannot answer it: a lone Han
/// character, or nothing but punctuation.
fn match_expression(text: &str) -> Option<String> {
    let mut phrases = Vec::new();
    for part in text.split_whitespace() {
        let mut words = 0;
        let mut han_run = 0;
        let mut lone_han = false;
        let mut in_word = false;
        for c in part.chars() {
            if is_han(c) {
                han_run += 1;
            } else {
                lone_han |= han_run == 1;
                han_run = 0;
            }
            let word_char = c.is_alphanumeric() && !is_han(c);
            if word_char && !in_word {
                words += 1;
            }
            in_word = word_char;
        }
        lone_han |= han_run == 1;
        let pairs = part.chars().filter(|&c| is_han(c)).count();
        if lone_han {
            return None;
        }
        if words == 0 && pairs == 0 {
            continue;
        }
        // The `*` lets the last word be a prefix: `patent` finds `patents`, `Jin` `Jinchang`.
        // Han pairs are all two characters long, so a pair only ever prefixes itself.
        phrases.push(format!(
            "\"{}\"*",
            segment(part).trim().replace('"', "\"\"")
        ));
    }
    if phrases.is_empty() {
        None
    } else {
        Some(phrases.join(" "))
    }
}

/// A `LIKE` pattern matching `term` anywhere, with its wildcards taken literally.
pub fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_runs_become_pairs_and_words_stay() {
        assert_eq!(segment("金昌市").trim(), "金昌 昌市");
        assert_eq!(segment("金").trim(), "金");
        assert_eq!(segment("Jinchang 金昌").trim(), "Jinchang  金昌");
        assert_eq!(segment("Jinchang").trim(), "Jinchang");
        assert_eq!(segment("5G基站，3315亿元").trim(), "5G 基站 ，3315 亿元");
    }

    #[test]
    fn queries_become_quoted_phrases() {
        let m = |q: &str| Term::new(q).lookup;
        let phrase = |p: &str| Lookup::Match(p.into());
        assert_eq!(m("金昌"), phrase("\"金昌\"*"));
        assert_eq!(m("卫星互联网"), phrase("\"卫星 星互 互联 联网\"*"));
        assert_eq!(m(" nickel  Cobalt "), phrase("\"nickel\"* \"Cobalt\"*"));
        assert_eq!(m("2+4"), phrase("\"2+4\"*"));
        assert_eq!(m("a\"b"), phrase("\"a\"\"b\"*"));
        assert_eq!(m("nickel ()"), phrase("\"nickel\"*"));
    }

    #[test]
    fn what_the_index_cannot_answer_is_scanned_literally() {
        let m = |q: &str| Term::new(q).lookup;
        assert_eq!(m("金"), Lookup::Like("%金%".into()));
        assert_eq!(m("镍 钴"), Lookup::Like("%镍 钴%".into()));
        assert_eq!(m("\"*():"), Lookup::Like("%\"*():%".into()));
        assert_eq!(m("%_"), Lookup::Like("%\\%\\_%".into()));
        assert_eq!(m("A股"), Lookup::Like("%A股%".into()));
    }
}
