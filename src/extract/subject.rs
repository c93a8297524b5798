//! Whom a number is about: the entity named nearest to it, looking in its clause, then its
//! sentence, then earlier in the article. Among entities named together the most specific
//! wins (a project over the company building it, a district over its province), unless the
//! indicator is usually stated for one kind of subject (GDP for a region) or the number is a
//! target set by a policy named with it.
//!
//! Names listed next to a number are what it counts, not whom it is about
//! (甲公司、乙公司等近30个项目).

use std::ops::Range;

use super::known::Known;
use super::names::{Kind, Mention};
use super::text::Doc;

/// How far the subject was looked for, which says how sure the choice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The number is part of the name (8吉瓦时…项目).
    Inside,
    Clause,
    Sentence,
    /// Named in an earlier sentence.
    Earlier,
    /// Only the article's main region.
    Guess,
    /// Nothing is named: a stand-in.
    Nowhere,
}

fn closing(c: char) -> bool {
    "”》」』）)".contains(c)
}

fn opening(c: char) -> bool {
    "“《「『（(".contains(c)
}

/// A name followed by 、 or 等, or the last item right before the number after a 、.
fn listed(doc: &Doc, m: &Mention, span: &Range<usize>) -> bool {
    if m.referring || m.end > span.start {
        return false;
    }
    let mut after = m.end;
    while doc.chars.get(after).is_some_and(|&c| closing(c)) {
        after += 1;
    }
    if doc.chars.get(after) == Some(&'、') || doc.has(after, "等") {
        return true;
    }
    let mut before = m.start;
    while before > 0 && opening(doc.chars[before - 1]) {
        before -= 1;
    }
    after >= span.start && before > 0 && doc.chars[before - 1] == '、'
}

fn distance(m: &Mention, span: &Range<usize>) -> usize {
    if m.end <= span.start {
        span.start - m.end
    } else {
        // A name after the number is a little less likely to be its subject.
        m.start.saturating_sub(span.end) + 1
    }
}

/// The most specific of some mentions that are all about as near.
fn pick<'a>(
    known: &Known,
    candidates: &[&'a Mention],
    span: &Range<usize>,
    prefer: Option<Kind>,
    target: bool,
) -> Option<&'a Mention> {
    let mut pool: Vec<&Mention> = candidates.to_vec();
    let keep = |pool: &mut Vec<&Mention>, kind: Kind| {
        if pool.iter().any(|m| m.kind == kind) {
            pool.retain(|m| m.kind == kind);
            true
        } else {
            false
        }
    };
    let narrowed =
        prefer.is_some_and(|k| keep(&mut pool, k)) || (target && keep(&mut pool, Kind::Policy));
    if !narrowed {
        let best = pool.iter().map(|m| m.kind).min()?;
        pool.retain(|m| m.kind == best);
    }
    if pool.iter().all(|m| m.kind == Kind::Region) {
        // The deepest region that the others contain.
        let deepest = pool
            .iter()
            .filter(|m| {
                pool.iter().all(|o| {
                    known.within(&m.id, &o.id) || known.within(&o.id, &m.id) || o.id == m.id
                })
            })
            .max_by_key(|m| (known.depth(&m.id), std::cmp::Reverse(distance(m, span))));
        if let Some(m) = deepest {
            return Some(m);
        }
    }
    pool.into_iter().min_by_key(|m| distance(m, span))
}

/// The subject of the number at `span`, and how far it was looked for.
pub fn choose<'a>(
    doc: &Doc,
    known: &Known,
    mentions: &'a [Mention],
    span: &Range<usize>,
    prefer: Option<Kind>,
    target: bool,
) -> Option<(&'a Mention, Reach)> {
    if let Some(m) = mentions
        .iter()
        .find(|m| !m.referring && m.start <= span.start && span.end <= m.end)
    {
        return Some((m, Reach::Inside));
    }
    let clause = doc.clause_of(span.start);
    let sentence = doc.sentence_of(span.start);
    let usable = |m: &&Mention| {
        let overlapping = m.start < span.end && span.start < m.end;
        let member = m.start >= clause.start && m.end <= clause.end && listed(doc, m, span);
        !(m.informant || overlapping || member)
    };
    let within = |r: &Range<usize>| -> Vec<&Mention> {
        mentions
            .iter()
            .filter(|m| m.start >= r.start && m.end <= r.end)
            .filter(usable)
            .collect()
    };
    // A clause that names only some other kind of subject than the one wanted (a region where
    // a policy's target is stated) gives way to its sentence.
    let wanted = prefer.or(target.then_some(Kind::Policy));
    let mut fallback = None;
    for (range, reach) in [
        (clause.clone(), Reach::Clause),
        (sentence.clone(), Reach::Sentence),
    ] {
        let found = within(&range);
        let lacking = wanted.is_some_and(|k| !found.iter().any(|m| m.kind == k));
        match pick(known, &found, span, prefer, target) {
            Some(m) if reach == Reach::Clause && lacking => {
                fallback = fallback.or(Some((m, reach)))
            }
            Some(m) => return Some((m, reach)),
            None => {}
        }
    }
    if fallback.is_some() {
        return fallback;
    }
    let earlier: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.end <= sentence.start && !m.informant)
        .collect();
    let paragraph = doc.paragraph_of(span.start);
    let preferred = prefer.and_then(|k| {
        earlier
            .iter()
            .rev()
            .find(|m| m.kind == k && m.start >= paragraph.start)
    });
    if let Some(m) = preferred.or(earlier.last()) {
        return Some((m, Reach::Earlier));
    }
    main_region(mentions).map(|m| (m, Reach::Guess))
}

/// The region the article names most often (the first named, on a tie).
pub fn main_region(mentions: &[Mention]) -> Option<&Mention> {
    let regions: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.kind == Kind::Region && m.unknown.is_none())
        .collect();
    regions
        .iter()
        .max_by_key(|m| {
            let count = regions.iter().filter(|o| o.id == m.id).count();
            (count, std::cmp::Reverse(m.start))
        })
        .copied()
}

/// The region nearest to `at`, for a subject stored without one.
pub fn nearest_region(mentions: &[Mention], at: usize) -> Option<&Mention> {
    let regions = mentions
        .iter()
        .filter(|m| m.kind == Kind::Region && m.unknown.is_none());
    regions
        .clone()
        .rfind(|m| m.end <= at)
        .or_else(|| regions.clone().find(|m| m.start >= at))
}
