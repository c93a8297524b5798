//! Where each quote first occurs in its source text, for thousands of quotes at once.
//!
//! Searching the text once per quote costs the length of the text for every metric, which on
//! a long article with thousands of metrics is minutes of CPU. Instead the text is indexed
//! once: a suffix array (every suffix's start, in the suffixes' byte order) finds the suffixes
//! that begin with a quote by binary search, and a range-minimum table over it picks the
//! smallest start among them, the first occurrence, without walking them. Building is
//! O(n log n) on the text's bytes and each lookup O(m log n) on the quote's, whatever the
//! text repeats.
//!
//! Matching bytes rather than characters is exact for UTF-8: a valid needle can only match a
//! valid text at a character boundary.

/// Suffixes per block of the range-minimum table: the two partial blocks at the ends of a
/// range are scanned, the whole blocks between them looked up.
const BLOCK: usize = 32;

/// Bytes per entry of the character-count table: a byte offset becomes a character offset by
/// one lookup and a count of at most this many bytes.
const STRIDE: usize = 256;

pub struct TextIndex<'t> {
    text: &'t [u8],
    suffixes: Vec<u32>,
    /// `minima[k][b]`: the smallest start among the suffixes of blocks `b .. b + 2^k`.
    minima: Vec<Vec<u32>>,
    /// `chars[i]`: the characters in the first `i * STRIDE` bytes.
    chars: Vec<u32>,
}

impl<'t> TextIndex<'t> {
    /// Texts are request bodies, far below the 4 GiB that 32-bit offsets allow; a longer one
    /// would not get here, but is refused loudly rather than indexed wrong.
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        assert!(
            u32::try_from(bytes.len()).is_ok(),
            "texts of 4 GiB and more are not indexed"
        );
        let suffixes = suffix_array(bytes);
        let mut level: Vec<u32> = suffixes
            .chunks(BLOCK)
            .map(|block| block.iter().copied().min().unwrap_or(u32::MAX))
            .collect();
        let mut minima = Vec::new();
        let mut width = 1;
        while width < level.len() {
            let next = (0..level.len() - width)
                .map(|b| level[b].min(level[b + width]))
                .collect();
            minima.push(std::mem::replace(&mut level, next));
            width *= 2;
        }
        minima.push(level);
        let mut chars = Vec::with_capacity(bytes.len() / STRIDE + 1);
        let mut count = 0u32;
        for chunk in bytes.chunks(STRIDE) {
            chars.push(count);
            count += chunk.iter().filter(|&&b| !is_continuation(b)).count() as u32;
        }
        chars.push(count);
        Self {
            text: bytes,
            suffixes,
            minima,
            chars,
        }
    }

    /// Whether `needle` occurs anywhere in the text.
    pub fn contains(&self, needle: &str) -> bool {
        self.first_byte(needle).is_some()
    }

    /// The character offset of the first occurrence of `needle`, as
    /// [`super::char_offset`] gives it.
    pub fn char_offset(&self, needle: &str) -> Option<usize> {
        self.first_byte(needle).map(|byte| self.chars_before(byte))
    }

    fn first_byte(&self, needle: &str) -> Option<usize> {
        let needle = needle.as_bytes();
        if needle.is_empty() {
            return Some(0);
        }
        let head = |start: u32| {
            let start = start as usize;
            &self.text[start..(start + needle.len()).min(self.text.len())]
        };
        let lo = self.suffixes.partition_point(|&s| head(s) < needle);
        let len = self.suffixes[lo..].partition_point(|&s| head(s) == needle);
        (len > 0).then(|| self.smallest(lo, lo + len) as usize)
    }

    /// The smallest suffix start in `suffixes[lo..hi]`, a non-empty range.
    fn smallest(&self, lo: usize, hi: usize) -> u32 {
        let (first, last) = (lo / BLOCK, (hi - 1) / BLOCK);
        if last - first < 2 {
            return self.suffixes[lo..hi]
                .iter()
                .copied()
                .min()
                .unwrap_or(u32::MAX);
        }
        let edges = self.suffixes[lo..(first + 1) * BLOCK]
            .iter()
            .chain(&self.suffixes[last * BLOCK..hi])
            .copied()
            .min()
            .unwrap_or(u32::MAX);
        // Whole blocks first + 1 ..= last - 1, covered by two overlapping powers of two.
        let (from, to) = (first + 1, last);
        let k = (to - from).ilog2() as usize;
        let table = &self.minima[k];
        edges.min(table[from]).min(table[to - (1 << k)])
    }

    fn chars_before(&self, byte: usize) -> usize {
        let row = byte / STRIDE;
        let counted = self.text[row * STRIDE..byte]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count();
        self.chars[row] as usize + counted
    }
}

/// The second and later bytes of a UTF-8 character: `10xxxxxx`.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The starts of all suffixes of `text` in lexicographic order, by prefix doubling: sorted by
/// their first `k` bytes, then by their first `2k` as pairs of ranks, with a stable counting
/// sort per round, until every suffix has a rank of its own.
fn suffix_array(text: &[u8]) -> Vec<u32> {
    let n = text.len();
    if n == 0 {
        return Vec::new();
    }
    let mut suffixes: Vec<u32> = (0..n as u32).collect();
    suffixes.sort_unstable_by_key(|&s| text[s as usize]);
    let mut rank = vec![0u32; n];
    let mut classes = 1usize;
    for w in 1..n {
        if text[suffixes[w] as usize] != text[suffixes[w - 1] as usize] {
            classes += 1;
        }
        rank[suffixes[w] as usize] = (classes - 1) as u32;
    }
    let mut buffer = vec![0u32; n];
    let mut counts: Vec<u32> = Vec::new();
    let mut k = 1usize;
    while classes < n {
        // By the second half: suffixes too short to have one come first, then the rest in
        // the order of the suffix `k` bytes further on, which is already sorted.
        let mut p = 0;
        for s in n.saturating_sub(k)..n {
            buffer[p] = s as u32;
            p += 1;
        }
        for &s in &suffixes {
            if s as usize >= k {
                buffer[p] = s - k as u32;
                p += 1;
            }
        }
        // Then stably by the first half.
        counts.clear();
        counts.resize(classes + 1, 0);
        for &s in &buffer {
            counts[rank[s as usize] as usize + 1] += 1;
        }
        for c in 1..counts.len() {
            counts[c] += counts[c - 1];
        }
        for &s in &buffer {
            let slot = &mut counts[rank[s as usize] as usize];
            suffixes[*slot as usize] = s;
            *slot += 1;
        }
        let key = |s: u32| {
            let s = s as usize;
            let second = if s + k < n { rank[s + k] + 1 } else { 0 };
            (rank[s], second)
        };
        buffer[suffixes[0] as usize] = 0;
        classes = 1;
        for w in 1..n {
            if key(suffixes[w]) != key(suffixes[w - 1]) {
                classes += 1;
            }
            buffer[suffixes[w] as usize] = (classes - 1) as u32;
        }
        std::mem::swap(&mut rank, &mut buffer);
        k *= 2;
    }
    suffixes
}

#[cfg(test)]
mod tests {
    use super::super::char_offset;
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
        let index = TextIndex::new(text);
        for needle in needles {
            assert_eq!(
                index.char_offset(needle),
                char_offset(text, needle),
                "{needle:?} in {} chars",
                text.chars().count()
            );
            assert_eq!(index.contains(needle), text.contains(needle.as_str()));
        }
    }

    #[test]
    fn the_index_finds_every_quote_and_omission_of_the_seed_where_a_search_does() {
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
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "金昌市金昌金川集团金川金昌市营业收入3315亿元，金昌市营业收入",
            "9家9家9家9家X9家9家mixed ascii 和中文 and 9家",
            "",
            "一",
        ] {
            agrees(text, &probes(text, 12));
        }
        // Long enough for whole blocks of the range-minimum table between the edges.
        let long: String = (0..400).map(|i| format!("段{}。", i % 7)).collect();
        agrees(&long, &probes(&long, 6));
        let repeated = "ab".repeat(3000);
        agrees(&repeated, &probes(&repeated[..40], 20));
    }

    #[test]
    fn the_suffix_array_is_in_lexicographic_order() {
        let text = "金川集团公司实现营业收入3315亿元，banana bandana 金川".as_bytes();
        let sa = suffix_array(text);
        let mut expected: Vec<u32> = (0..text.len() as u32).collect();
        expected.sort_by_key(|&s| &text[s as usize..]);
        assert_eq!(sa, expected);
    }
}
