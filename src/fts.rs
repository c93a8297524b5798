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

/// The longest search text accepted, in characters. The longest name or title in the data is
/// under 120 characters; pasting one whole, or a name with a place, fits with room to spare,
/// while the index work a query costs (and the literal scan when the index cannot answer)
/// stays bounded.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most space-separated words a search text may have. Every distinct word is one more
/// phrase for FTS5 to look up in each collection the query reaches (a dozen lookups on
/// `/v1/search`), and a short word is a prefix that may expand to much of the vocabulary. The
/// longest title in the data is 16 words; a query of more words than that narrows nothing.
pub const MAX_QUERY_WORDS: usize = 24;

/// Why `text` is not a search text this service takes, if it is not: too long, or too many
/// words. The message reads after the parameter's name.
pub fn query_problem(text: &str) -> Option<String> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Some(format!(
            "is {chars} characters long; a search text is at most {MAX_QUERY_CHARS} characters"
        ));
    }
    let words = text.split_whitespace().count();
    if words > MAX_QUERY_WORDS {
        return Some(format!(
            "has {words} words; a search text has at most {MAX_QUERY_WORDS} words"
        ));
    }
    None
}

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
    // A word given twice requires nothing more the second time; the index folds case, so
    // `Nickel nickel` is one word too.
    let mut seen: Vec<String> = Vec::new();
    for part in text.split_whitespace() {
        let folded = part.to_lowercase();
        if seen.contains(&folded) {
            continue;
        }
        seen.push(folded);
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
        assert_eq!(m("ab AB ab  cd ab"), phrase("\"ab\"* \"cd\"*"));
        assert_eq!(m("金昌 金昌"), phrase("\"金昌\"*"));
    }

    #[test]
    fn long_or_wordy_queries_are_refused_with_the_limit() {
        assert_eq!(query_problem("镍钴 nickel"), None);
        let at_limit = "x".repeat(MAX_QUERY_CHARS);
        assert_eq!(query_problem(&at_limit), None);
        let long = "金".repeat(MAX_QUERY_CHARS + 1);
        let message = query_problem(&long).expect("too long");
        assert!(message.contains(&MAX_QUERY_CHARS.to_string()), "{message}");
        let wordy = vec!["a"; MAX_QUERY_WORDS + 1].join(" ");
        let message = query_problem(&wordy).expect("too many words");
        assert!(message.contains(&MAX_QUERY_WORDS.to_string()), "{message}");
        assert_eq!(query_problem(&vec!["a"; MAX_QUERY_WORDS].join(" ")), None);
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
