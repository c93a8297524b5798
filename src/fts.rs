//! How text is cut into words for SQLite FTS5, for both indexing and querying.
//!
//! Chinese has no spaces, and the queries people type are short: two characters (`金昌`,
//! `镍钴`, `稀土`) are the common case. FTS5's trigram tokenizer cannot serve a two-character
//! query from its index, and a dictionary segmenter (jieba) cuts `镍钴新材料` into words that a
//! query for `钴新` or a name the dictionary lacks would not match. So every run of Chinese
//! characters is indexed as its overlapping character pairs (`金昌市` → `金昌 昌市`) and the
//! stock `unicode61` tokenizer takes it from there: a query of two or more characters becomes
//! the phrase of its pairs, which matches exactly where the query occurs as a substring, and
//! English is matched by whole word, case-insensitively. Each distinct character is indexed
//! once more on its own, so a one-character query (`镍 钴`, `金 昌`) is an index lookup as
//! well, at the cost of one token per distinct character of a row.
//!
//! A query reads like a search box: its parts are separated by white space, `,`, `，` or `、`,
//! and every part must occur. Both sides are NFKC-normalised and English plurals are folded
//! onto their singular.

/// The longest search text accepted, in characters. The longest name or title in the data is
/// under 120 characters; pasting one whole, or a name with a place, fits with room to spare,
/// while the index work a query costs (and the literal scan when the index cannot answer)
/// stays bounded.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most parts (separated by spaces or commas) a search text may have. Every distinct part
/// is one more phrase for FTS5 to look up in each collection the query reaches (a dozen
/// lookups on `/v1/search`), and a short word is a prefix that may expand to much of the
/// vocabulary. The
/// longest title in the data is 16 words; a query of more words than that narrows nothing.
pub const MAX_QUERY_WORDS: usize = 24;

/// Why `text` is not a search text this service takes, if it is not: too long, or too many
/// parts. The message reads after the parameter's name.
pub fn query_problem(text: &str) -> Option<String> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Some(format!(
            "is {chars} characters long; a search text is at most {MAX_QUERY_CHARS} characters"
        ));
    }
    let words = text.split(is_separator).filter(|p| !p.is_empty()).count();
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

/// Text as both the index and a query see it: NFKC, so full-width letters (`Ｊｉｎｃｈａｎｇ`),
/// full-width punctuation and compatibility ideographs read as their plain forms.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect()
}

/// The characters that separate the parts of a query besides white space. `，` is `,` after
/// NFKC; `、` is the enumeration comma Chinese lists are written with.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '，' | '、')
}

/// An English word with its plural ending taken off (`patents` → `patent`, `policies` →
/// `policy`, `processes` → `process`), so singular and plural find each other. Words of three
/// letters or fewer, and endings that are rarely plurals (`-ss`, `-us`, `-is`), stay.
pub fn stem(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let n = lower.len();
    if n <= 3 || !lower.bytes().all(|b| b.is_ascii_alphabetic()) {
        return lower;
    }
    if n > 4 && lower.ends_with("ies") {
        return format!("{}y", &lower[..n - 3]);
    }
    if ["sses", "ches", "shes", "xes", "zes"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return lower[..n - 2].to_owned();
    }
    if lower.ends_with('s') && !["ss", "us", "is"].iter().any(|e| lower.ends_with(e)) {
        return lower[..n - 1].to_owned();
    }
    lower
}

/// `text` with every run of ASCII letters replaced by its [`stem`].
fn stem_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push_str(&stem(&word));
            word.clear();
        }
        out.push(c);
    }
    if !word.is_empty() {
        out.push_str(&stem(&word));
    }
    out
}

/// Text as the index stores it: Han runs as their overlapping pairs, everything else as is
/// for `unicode61` to split into words; then, after the text, every distinct Han character on
/// its own (so a one-character query is an index lookup too) and the stemmed form of each
/// stretch whose words stemming changes (so `patents` finds "Patent applications"). Both come
/// after the text, so the phrases a query makes of its pairs and words still only match
/// where they are written side by side.
pub fn index_text(text: &str) -> String {
    let text = normalize(text);
    let mut out = segment(&text);
    let mut singles: Vec<char> = text.chars().filter(|&c| is_han(c)).collect();
    singles.sort_unstable();
    singles.dedup();
    for c in singles {
        out.push(' ');
        out.push(c);
    }
    for chunk in text.split_whitespace() {
        let stemmed = stem_words(chunk);
        if !stemmed.eq_ignore_ascii_case(chunk) {
            out.push(' ');
            out.push_str(&segment(&stemmed));
        }
    }
    out
}

/// Han runs as their overlapping pairs, everything else as is.
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
    /// An FTS5 `MATCH` expression: one quoted phrase per part, all required, the last word of
    /// each a prefix; a lone Han character is a phrase of itself.
    Match(String),
    /// A `LIKE` pattern for the term as typed, wildcards escaped with `\`.
    Like(String),
}

/// The text the user typed, and how to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The text after NFKC, trimmed: what names are compared with.
    pub text: String,
    pub lookup: Lookup,
}

impl Term {
    /// Any text is a valid term: FTS5 syntax in it (`"`, `*`, `:`, parentheses, `AND`) is
    /// never passed through as syntax, since every part is quoted as a phrase.
    pub fn new(text: &str) -> Self {
        let text = normalize(text.trim()).trim().to_owned();
        let lookup = match_expression(&text)
            .map(Lookup::Match)
            .unwrap_or_else(|| Lookup::Like(like_pattern(&text)));
        Self { text, lookup }
    }
}

/// The pieces of one query part that are looked up apart: a Han character standing alone
/// (between non-Han characters) is a piece of its own, since the index holds it as a single
/// character, not as the start of a pair.
fn pieces(part: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = part.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let lone = is_han(c)
            && !(i > 0 && is_han(chars[i - 1]))
            && !chars.get(i + 1).is_some_and(|&n| is_han(n));
        if lone {
            if !current.is_empty() {
                out.push((std::mem::take(&mut current), false));
            }
            out.push((c.to_string(), true));
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push((current, false));
    }
    out
}

/// The `MATCH` expression for `text`, or `None` when there is nothing in it the index holds:
/// nothing but punctuation.
fn match_expression(text: &str) -> Option<String> {
    let mut phrases: Vec<String> = Vec::new();
    for part in text.split(is_separator).filter(|p| !p.is_empty()) {
        for (piece, lone) in pieces(part) {
            let phrase = if lone {
                format!("\"{piece}\"")
            } else {
                let has_word = piece.chars().any(char::is_alphanumeric);
                if !has_word {
                    continue;
                }
                // The `*` lets the last word be a prefix: `patent` finds `patents`, `Jin`
                // `Jinchang`. Han pairs are all two characters long, so a pair only ever
                // prefixes itself.
                format!(
                    "\"{}\"*",
                    segment(&stem_words(&piece)).trim().replace('"', "\"\"")
                )
            };
            // A part given twice requires nothing more the second time; the index folds
            // case, so `Nickel nickel` is one part too.
            if !phrases
                .iter()
                .any(|p| p.to_lowercase() == phrase.to_lowercase())
            {
                phrases.push(phrase);
            }
        }
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
    fn the_index_adds_single_characters_and_stems_after_the_text() {
        assert_eq!(index_text("金昌市").trim(), "金昌 昌市  市 昌 金");
        assert_eq!(
            index_text("Patent applications").trim(),
            "Patent applications application"
        );
        assert_eq!(index_text("Ｊｉｎｃｈａｎｇ").trim(), "Jinchang");
    }

    #[test]
    fn plurals_fold_onto_the_singular() {
        assert_eq!(stem("patents"), "patent");
        assert_eq!(stem("Policies"), "policy");
        assert_eq!(stem("processes"), "process");
        assert_eq!(stem("boxes"), "box");
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("gas"), "gas");
        assert_eq!(stem("nickel"), "nickel");
    }

    #[test]
    fn queries_become_quoted_phrases() {
        let m = |q: &str| Term::new(q).lookup;
        let phrase = |p: &str| Lookup::Match(p.into());
        assert_eq!(m("金昌"), phrase("\"金昌\"*"));
        assert_eq!(m("卫星互联网"), phrase("\"卫星 星互 互联 联网\"*"));
        assert_eq!(m(" nickel  Cobalt "), phrase("\"nickel\"* \"cobalt\"*"));
        assert_eq!(m("2+4"), phrase("\"2+4\"*"));
        assert_eq!(m("a\"b"), phrase("\"a\"\"b\"*"));
        assert_eq!(m("nickel ()"), phrase("\"nickel\"*"));
        assert_eq!(m("ab AB ab  cd ab"), phrase("\"ab\"* \"cd\"*"));
        assert_eq!(m("金昌 金昌"), phrase("\"金昌\"*"));
    }

    #[test]
    fn parts_split_on_separators_and_single_characters_are_phrases_too() {
        let m = |q: &str| Term::new(q).lookup;
        let phrase = |p: &str| Lookup::Match(p.into());
        assert_eq!(m("金"), phrase("\"金\""));
        assert_eq!(m("镍 钴"), phrase("\"镍\" \"钴\""));
        assert_eq!(m("金昌 镍"), phrase("\"金昌\"* \"镍\""));
        assert_eq!(m("稀土,包头"), phrase("\"稀土\"* \"包头\"*"));
        assert_eq!(
            m("稀土，包头、金昌"),
            phrase("\"稀土\"* \"包头\"* \"金昌\"*")
        );
        assert_eq!(m("A股"), phrase("\"a\"* \"股\""));
        assert_eq!(m("patents"), phrase("\"patent\"*"));
        assert_eq!(Term::new("Ｊｉｎｃｈａｎｇ").text, "Jinchang");
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
        assert_eq!(m("\"*():"), Lookup::Like("%\"*():%".into()));
        assert_eq!(m("%_"), Lookup::Like("%\\%\\_%".into()));
    }
}
