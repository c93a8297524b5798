//! Drafts: from the text of a new article to a bundle a person reviews in minutes instead of
//! writing in hours.
//!
//! Every number the quantity scanner finds becomes a metric or an omission, so a draft passes
//! `check --coverage` as it is; value, unit, bound and original come from the parser, so they
//! always agree. Kind, period, subject and indicator are read from the words around each
//! number and the entities already known; what is guessed rather than read is listed in a
//! review report beside the draft, never inside it, so the draft stays a valid bundle.
//!
//! A draft is self-contained, like each seed bundle: it copies the definitions of the known
//! entities it refers to (with their regions up to the country), and proposes the ones that
//! are new.

pub mod command;
pub mod evaluate;
mod indicator;
pub mod known;
mod names;
mod omit;
mod subject;
mod text;
mod timing;
mod vocabulary;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Serialize;

use crate::bundle::model::{
    Bundle, Enterprise, Indicator, Metric, Omission, Project, Region, Source, Subject,
};
use crate::bundle::{Catalog, coverage, parse_and_validate};
use crate::quantity::{self, Found, Quantity, is_date};
use indicator::{Indicators, Reason};
pub use known::Known;
use names::{Kind, Mention, Names, hashed};
use subject::Reach;
use text::Doc;
use timing::Basis;

/// What the article does not say about itself, given by whoever asks for the draft.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub source_id: Option<String>,
    pub title: Option<String>,
    pub publication: Option<String>,
    pub published: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub url: Option<String>,
}

/// One thing for a person to look at, located by a JSON pointer into the draft.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Note {
    pub pointer: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Draft {
    pub bundle: Bundle,
    pub review: Vec<Note>,
}

impl Draft {
    /// The bundle as JSON, in the field order of docs/bundles.md.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.bundle).expect("a bundle serializes")
    }
}

/// Why the options cannot describe a source; each message names the option.
pub fn check_options(options: &Options) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if let Some(id) = &options.source_id
        && !crate::bundle::validate::is_slug(id)
    {
        problems.push((
            "source_id".into(),
            format!("`{id}` is not an id: use lowercase ASCII letters, digits and single hyphens"),
        ));
    }
    if let Some(date) = &options.published
        && crate::bundle::dates::parse_partial_date(date).is_none()
    {
        problems.push((
            "published".into(),
            format!("`{date}` is not a partial ISO date (2021, 2021-07 or 2021-07-15)"),
        ));
    }
    if let Some(url) = &options.url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        problems.push(("url".into(), "must be an http(s) URL".into()));
    }
    for (field, value) in [
        ("title", &options.title),
        ("publication", &options.publication),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            problems.push((field.into(), "must not be empty when given".into()));
        }
    }
    problems
}

/// The publication named in the dateline (科技日报讯 → 科技日报).
fn publication_in(doc: &Doc) -> Option<String> {
    let head: String = doc.chars.iter().take(600).collect();
    let at = head.find("报讯")?;
    let before: String = head[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic() && !c.is_ascii())
        .collect();
    let name: String = before.chars().rev().collect::<String>() + "报";
    (name.chars().count() >= 3).then_some(name)
}

/// Reporters named in the byline (◎本报记者 某某 通讯员 某某, or （通讯员某某 记者某某）).
fn authors_in(doc: &Doc) -> Vec<String> {
    let mut out = Vec::new();
    for p in doc.paragraphs.iter().take(8) {
        let line = doc.slice(p.clone());
        let byline = if let Some(rest) = line.strip_prefix('◎') {
            rest.to_owned()
        } else if let Some(open) = line.find("讯（") {
            let rest = &line[open + "讯（".len()..];
            match rest.find('）') {
                Some(close) => rest[..close].to_owned(),
                None => continue,
            }
        } else {
            continue;
        };
        for word in byline.split_whitespace() {
            let mut name = word;
            for title in ["本报记者", "记者", "通讯员", "实习生", "本报"] {
                name = name.strip_prefix(title).unwrap_or(name);
            }
            let n = name.chars().count();
            if (2..=4).contains(&n)
                && name.chars().all(|c| c.is_alphabetic() && !c.is_ascii())
                && !out.iter().any(|a| a == name)
            {
                out.push(name.to_owned());
            }
        }
        break;
    }
    out
}

/// The quote of the number at `span`: its clause, with the clause before when the number
/// opens its own, cut so that its first occurrence in the text is here and the original's
/// first occurrence in it is this number. `None` when the passage is a verbatim repeat.
fn quote(doc: &Doc, text: &str, span: &Range<usize>) -> Option<String> {
    let clause = doc.clause_of(span.start);
    let sentence = doc.sentence_of(span.start);
    let paragraph = doc.paragraph_of(span.start);
    let (mut start, mut end) = (clause.start, clause.end);
    if span.start - start < 4
        && let Some(previous) = doc
            .clauses
            .iter()
            .rev()
            .find(|c| c.end < clause.start && c.start >= sentence.start)
    {
        start = previous.start;
    }
    if end - start > 80 {
        start = start.max(span.start.saturating_sub(40));
        end = end.min(span.end + 30);
    }
    let original = doc.slice(span.clone());
    let original_here =
        |s: usize, e: usize| doc.find_all(s..e, &original).first() == Some(&span.start);
    while !original_here(start, end) {
        start = doc.find_all(start..end, &original)[0] + 1;
    }
    let first_here = |s: usize, e: usize| {
        let q = doc.slice(s..e);
        text.find(&q).map(|b| text[..b].chars().count()) == Some(s)
    };
    loop {
        if first_here(start, end) {
            return Some(doc.slice(start..end));
        }
        if end < paragraph.end {
            end += 1;
        } else if start > paragraph.start && original_here(start - 1, end) {
            start -= 1;
        } else {
            return None;
        }
    }
}

struct Built {
    metrics: Vec<(Metric, Range<usize>)>,
    omissions: Vec<Omission>,
    notes: Vec<(Place, String)>,
    used: BTreeSet<(Kind, String)>,
    proposed_indicators: BTreeMap<String, Indicator>,
    proposed: Vec<Proposal>,
}

/// A name the catalog does not know, to be defined in the draft.
struct Proposal {
    mention: Mention,
    region: Option<String>,
    /// For a project: the enterprise named as its owner (某某公司的某某项目).
    owner: Option<String>,
}

/// Where a note belongs before the draft's positions are known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Source(&'static str),
    Metric(usize, &'static str),
    Omission(usize),
}

/// The draft of a bundle for `text`, matched against `known`.
pub fn draft(text: &str, options: &Options, known: &Known) -> Draft {
    let doc = Doc::new(text);
    let published = options.published.clone();
    let pub_year = published
        .as_deref()
        .and_then(|p| p.get(..4))
        .and_then(|y| y.parse::<u16>().ok());
    let found = quantity::scan(text);
    let marks = timing::marks(&doc, &found, pub_year);
    let names = Names::new(known);
    let numbers: Vec<Range<usize>> = found.iter().map(|f| f.start..f.end).collect();
    let mentions = names.find(&doc, known, &numbers);
    let indicators = Indicators::new(known);
    let mut b = Built {
        metrics: Vec::new(),
        omissions: Vec::new(),
        notes: Vec::new(),
        used: BTreeSet::new(),
        proposed_indicators: BTreeMap::new(),
        proposed: Vec::new(),
    };
    let main_region = subject::main_region(&mentions).map(|m| m.id.clone());
    let mut omitted_texts = BTreeSet::new();
    for f in &found {
        if f.quantity.is_none() && is_date(&f.text) {
            continue;
        }
        if let Some(reason) = omit::reason(&doc, f, &found) {
            let text = omit::context(&doc, &(f.start..f.end), &found);
            if omitted_texts.insert(text.clone()) {
                b.notes.push((
                    Place::Omission(b.omissions.len()),
                    format!("`{}` left out: {reason}", f.text),
                ));
                b.omissions.push(Omission {
                    text,
                    reason: reason.into(),
                });
            }
            continue;
        }
        let q = f.quantity.clone().expect("omitted when unread");
        metric(
            &doc,
            known,
            &indicators,
            &mentions,
            &marks,
            f,
            q,
            pub_year,
            main_region.as_deref(),
            &mut b,
        );
    }
    let source = Source {
        id: options
            .source_id
            .clone()
            .unwrap_or_else(|| hashed("draft", text)),
        title: options.title.clone().unwrap_or_else(|| {
            doc.paragraphs
                .iter()
                .map(|p| doc.slice(p.clone()).trim().to_owned())
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(120).collect())
                .unwrap_or_else(|| "untitled".into())
        }),
        publication: options
            .publication
            .clone()
            .or_else(|| publication_in(&doc))
            .unwrap_or_else(|| "unknown".into()),
        published,
        authors: if options.authors.is_empty() {
            authors_in(&doc)
        } else {
            options.authors.clone()
        },
        url: options.url.clone(),
        text: text.to_owned(),
    };
    if options.title.is_none() {
        b.notes.push((
            Place::Source("title"),
            "taken from the first line of the text".into(),
        ));
    }
    if options.publication.is_none() {
        b.notes.push((
            Place::Source("publication"),
            if source.publication == "unknown" {
                "not given and not named in the text: set it".into()
            } else {
                "read from the dateline".into()
            },
        ));
    }
    if source.published.is_none() {
        b.notes.push((
            Place::Source("published"),
            "not given: periods such as 今年 could not be dated".into(),
        ));
    }
    assemble(known, source, b, &mentions)
}

/// The places of the names in the sentence of `span`.
fn name_ranges(mentions: &[Mention], span: &Range<usize>) -> Vec<Range<usize>> {
    let near = span.start.saturating_sub(200)..span.end + 200;
    mentions
        .iter()
        .filter(|m| m.start < near.end && near.start < m.end)
        .map(Mention::range)
        .collect()
}

/// A metric for the number `f`, with notes on what was guessed.
#[allow(clippy::too_many_arguments)]
fn metric(
    doc: &Doc,
    known: &Known,
    indicators: &Indicators,
    mentions: &[Mention],
    marks: &[timing::Mark],
    f: &Found,
    q: Quantity,
    pub_year: Option<u16>,
    main_region: Option<&str>,
    b: &mut Built,
) {
    let span = f.start..f.end;
    let Some(quote) = quote(doc, &doc.slice(0..doc.chars.len()), &span) else {
        let text = omit::context(doc, &span, &[]);
        b.notes.push((
            Place::Omission(b.omissions.len()),
            format!(
                "`{}` left out: the passage repeats one stated earlier",
                f.text
            ),
        ));
        b.omissions.push(Omission {
            text,
            reason: "a passage repeated verbatim from earlier in the text".into(),
        });
        return;
    };
    let i = b.metrics.len();
    let counter = f
        .text
        .chars()
        .last()
        .filter(|c| c.is_alphabetic() && !c.is_ascii());
    // A percentage right after an amount is that amount's growth.
    let previous = b
        .metrics
        .last()
        .filter(|(_, r)| doc.sentence_of(r.start) == doc.sentence_of(span.start));
    let growth = (q.unit == quantity::Unit::Percent && indicator::states_growth(doc, &span))
        .then(|| previous.map(|(m, _)| m.indicator.clone()))
        .flatten()
        .and_then(|id| {
            indicators
                .by_id(&id)
                .map(|c| c.indicator.clone())
                .or_else(|| b.proposed_indicators.get(&id).cloned())
        })
        .filter(|base| base.unit != "percent")
        .map(|base| (base.name_zh.clone(), indicators.growth_of(&base)));
    let (candidate, reason) = match growth {
        Some((base, c)) => (Some(c), Reason::Growth(base)),
        None => match indicators.choose(doc, &name_ranges(mentions, &span), &span, q.unit, counter)
        {
            Some((k, reason)) => (Some(indicators.candidates[k].clone()), reason),
            None => (None, Reason::New(indicator::words_before(doc, &span))),
        },
    };
    let indicator = match &candidate {
        Some(c) => {
            if !c.stored {
                b.proposed_indicators
                    .insert(c.indicator.id.clone(), c.indicator.clone());
            }
            c.indicator.clone()
        }
        None => {
            let words = match &reason {
                Reason::New(w) if !w.is_empty() => w.clone(),
                _ => format!("{}（{}）", f.text, q.unit.code()),
            };
            let id = format!(
                "new_{}",
                hashed(q.unit.code(), &words)
                    .replace('-', "_")
                    .to_lowercase()
            );
            let ind = Indicator {
                id,
                name_zh: words.clone(),
                name_en: words.clone(),
                unit: q.unit.code().into(),
                description: None,
            };
            b.proposed_indicators.insert(ind.id.clone(), ind.clone());
            ind
        }
    };
    match &reason {
        Reason::Named(_) => {}
        Reason::Resembles(w) => b.notes.push((
            Place::Metric(i, "indicator"),
            format!("`{}`: most of `{w}` is written near it", indicator.id),
        )),
        Reason::Counter => b.notes.push((
            Place::Metric(i, "indicator"),
            format!("`{}`: only the counter or unit points at it", indicator.id),
        )),
        Reason::Growth(base) => b.notes.push((
            Place::Metric(i, "indicator"),
            format!(
                "`{}`: read as the growth of {base} stated before it",
                indicator.id
            ),
        )),
        Reason::New(_) => b.notes.push((
            Place::Metric(i, "indicator"),
            format!(
                "no known indicator fits; proposed `{}` named `{}`: name it or pick another",
                indicator.id, indicator.name_zh
            ),
        )),
    }
    let fixed_kind = candidate.as_ref().and_then(|c| c.kind);
    let (kind, trigger) = match fixed_kind {
        Some(k) => (k, None),
        None => timing::kind(doc, &span, q.unit, marks, pub_year),
    };
    if let Some(word) = trigger {
        b.notes
            .push((Place::Metric(i, "kind"), format!("{kind}, from `{word}`")));
    }
    let prefer = candidate.as_ref().and_then(|c| c.subject);
    let chosen = subject::choose(doc, known, mentions, &span, prefer, kind == "target")
        .map(|(m, reach)| (m.clone(), reach));
    // No name at all: the country, for a person to replace, rather than losing the number.
    let fallback = || {
        let country = known.regions.iter().find(|r| r.level == "country")?;
        let m = Mention {
            start: span.start,
            end: span.start,
            kind: Kind::Region,
            id: country.id.clone(),
            referring: false,
            unknown: None,
            informant: false,
        };
        Some((m, Reach::Nowhere))
    };
    let Some((who, reach)) = chosen.or_else(fallback) else {
        return omit_instead(
            b,
            f,
            "no region or entity is named to attach it to",
            "nothing in the text says whose number it is",
        );
    };
    let who = &who;
    match reach {
        Reach::Inside | Reach::Clause | Reach::Sentence => {}
        Reach::Earlier => b.notes.push((
            Place::Metric(i, "subject"),
            format!("`{}`, named in an earlier sentence", who.id),
        )),
        Reach::Guess => b.notes.push((
            Place::Metric(i, "subject"),
            format!(
                "`{}` is a guess: nothing near the number names its subject",
                who.id
            ),
        )),
        Reach::Nowhere => b.notes.push((
            Place::Metric(i, "subject"),
            format!(
                "`{}` stands in: the text names no place or entity the draft knows",
                who.id
            ),
        )),
    }
    let about_policy = who.kind == Kind::Policy;
    let (period, basis) = timing::period(
        doc,
        &span,
        marks,
        &timing::Undated {
            kind,
            unit: q.unit,
            about_policy,
        },
        pub_year,
    );
    match basis {
        Basis::Sentence | Basis::Undated => {}
        Basis::Paragraph => b.notes.push((
            Place::Metric(i, "period"),
            "taken from a time named earlier in the paragraph".into(),
        )),
        Basis::Publication => b.notes.push((
            Place::Metric(i, "period"),
            "guessed from the publication date: the text names no time for it".into(),
        )),
    }
    // A subject stored without a region needs the metric's own.
    let subject_region = match who.kind {
        Kind::Region => Some(Some(who.id.clone())),
        Kind::Enterprise => known.enterprise(&who.id).map(|e| e.region_id.clone()),
        Kind::Project => known.project(&who.id).map(|p| p.region_id.clone()),
        Kind::Policy => known.policy(&who.id).map(|p| p.region_id.clone()),
    };
    let country = || {
        let c = known.regions.iter().find(|r| r.level == "country")?;
        b.notes.push((
            Place::Metric(i, "subject"),
            format!(
                "placed in `{}`: the text names no place the draft knows",
                c.id
            ),
        ));
        Some(c.id.clone())
    };
    let near_region = subject::nearest_region(mentions, span.start)
        .map(|m| m.id.clone())
        .or_else(|| main_region.map(str::to_owned))
        .or_else(country);
    let region_id = match subject_region {
        Some(Some(_)) => None,
        // Stored without a region, or proposed (its region is then its own).
        Some(None) => near_region.clone(),
        None => None,
    };
    let new_place = who.unknown.as_ref().is_some_and(|u| u.place.is_some());
    if who.unknown.is_some() && !new_place && near_region.is_none() {
        return omit_instead(
            b,
            f,
            &format!("no known region to place {} in", who.id),
            "its subject is new and no known region is named",
        );
    }
    if new_place {
        propose_region(b, mentions, known, &who.id);
    } else if who.unknown.is_some() {
        if let Some(r) = &near_region {
            propose_region(b, mentions, known, r);
        }
        if !b.proposed.iter().any(|p| p.mention.id == who.id) {
            // 某某公司的某某项目: the company is the project's. (The name itself, not a
            // word such as 该项目 that refers to it, says whose it is.)
            let named = mentions
                .iter()
                .find(|m| m.id == who.id && !m.referring)
                .unwrap_or(who);
            let owner = mentions
                .iter()
                .find(|m| {
                    m.kind == Kind::Enterprise
                        && named.kind == Kind::Project
                        && m.end + 1 == named.start
                        && doc.chars[m.end] == '的'
                })
                .cloned();
            if let Some(o) = &owner {
                match o.unknown {
                    Some(_) if !b.proposed.iter().any(|p| p.mention.id == o.id) => {
                        b.proposed.push(Proposal {
                            mention: o.clone(),
                            region: near_region.clone(),
                            owner: None,
                        })
                    }
                    Some(_) => {}
                    None => {
                        b.used.insert((Kind::Enterprise, o.id.clone()));
                    }
                }
            }
            b.proposed.push(Proposal {
                mention: who.clone(),
                region: near_region.clone(),
                owner: owner.map(|o| o.id),
            });
        }
    } else {
        b.used.insert((who.kind, who.id.clone()));
    }
    if let Some(r) = &region_id {
        propose_region(b, mentions, known, r);
    }
    b.metrics.push((
        Metric {
            indicator: indicator.id.clone(),
            subject: Subject {
                type_: who.kind.as_str().into(),
                id: who.id.clone(),
            },
            region_id,
            value: q.value,
            value_max: q.value_max,
            unit: q.unit.code().into(),
            qualifier: q.qualifier.as_str().into(),
            kind: kind.into(),
            period,
            original: f.text.clone(),
            quote,
        },
        span,
    ));
}

/// Makes the region `id` part of the draft: a stored one is copied, a new place is proposed,
/// and so is the new place it lies in, up to a stored region.
fn propose_region(b: &mut Built, mentions: &[Mention], known: &Known, id: &str) {
    if known.region(id).is_some() {
        b.used.insert((Kind::Region, id.to_owned()));
        return;
    }
    if b.proposed.iter().any(|p| p.mention.id == id) {
        return;
    }
    let Some(m) = mentions.iter().find(|m| m.id == id && m.unknown.is_some()) else {
        return;
    };
    let parent = m
        .unknown
        .as_ref()
        .and_then(|u| u.place.as_ref())
        .and_then(|p| p.parent.clone());
    b.proposed.push(Proposal {
        mention: m.clone(),
        region: parent.clone(),
        owner: None,
    });
    if let Some(parent) = parent {
        propose_region(b, mentions, known, &parent);
    }
}

/// Keeps the number `f` as an omission after all, dropping the notes written for the metric
/// it would have been.
fn omit_instead(b: &mut Built, f: &Found, note: &str, reason: &str) {
    let i = b.metrics.len();
    b.notes
        .retain(|(place, _)| !matches!(place, Place::Metric(j, _) if *j == i));
    b.notes.push((
        Place::Omission(b.omissions.len()),
        format!("`{}` left out: {note}", f.text),
    ));
    b.omissions.push(Omission {
        text: f.text.clone(),
        reason: reason.into(),
    });
}

/// Puts the bundle together: the known entities it refers to with everything they refer to,
/// the proposed ones, the notes at their final positions; then makes sure it is valid and
/// covers every number, turning anything that is not into an omission with a note.
fn assemble(known: &Known, source: Source, b: Built, mentions: &[Mention]) -> Draft {
    let Built {
        metrics,
        mut omissions,
        notes,
        mut used,
        proposed_indicators,
        proposed,
    } = b;
    let mut bundle = Bundle {
        source,
        regions: Vec::new(),
        enterprises: Vec::new(),
        projects: Vec::new(),
        policies: Vec::new(),
        indicators: Vec::new(),
        metrics: Vec::new(),
        omissions: Vec::new(),
        positions: BTreeMap::new(),
    };
    let mut new_regions = Vec::new();
    let mut new_enterprises = Vec::new();
    let mut new_projects = Vec::new();
    for Proposal {
        mention: m,
        region,
        owner,
    } in &proposed
    {
        let Some(u) = &m.unknown else { continue };
        if let Some(r) = region
            && known.region(r).is_some()
        {
            used.insert((Kind::Region, r.clone()));
        }
        if let Some(place) = &u.place {
            new_regions.push(Region {
                id: m.id.clone(),
                name_zh: u.name.clone(),
                name_en: u.name.clone(),
                level: place.level.into(),
                parent_id: place.parent.clone(),
                admin_code: None,
                aliases: place.short.iter().cloned().collect(),
            });
            continue;
        }
        match m.kind {
            Kind::Project => new_projects.push(Project {
                id: m.id.clone(),
                name_zh: u.name.clone(),
                name_en: u.name.clone(),
                region_id: region.clone(),
                enterprise_ids: owner.iter().cloned().collect(),
                status: "unknown".into(),
                started: None,
                description: None,
            }),
            _ => new_enterprises.push(Enterprise {
                id: m.id.clone(),
                name_zh: u.name.clone(),
                name_en: u.name.clone(),
                kind: u.enterprise_kind.unwrap_or("company").into(),
                region_id: region.clone(),
                industries: Vec::new(),
                aliases: Vec::new(),
            }),
        }
    }
    // Everything the used entities refer to, until nothing new is added.
    loop {
        let before = used.len();
        for (kind, id) in used.clone() {
            let refs: Vec<(Kind, String)> = match kind {
                Kind::Region => known
                    .region(&id)
                    .and_then(|r| r.parent_id.clone())
                    .map(|p| (Kind::Region, p))
                    .into_iter()
                    .collect(),
                Kind::Enterprise => known
                    .enterprise(&id)
                    .and_then(|e| e.region_id.clone())
                    .map(|r| (Kind::Region, r))
                    .into_iter()
                    .collect(),
                Kind::Project => known
                    .project(&id)
                    .map(|p| {
                        p.region_id
                            .iter()
                            .map(|r| (Kind::Region, r.clone()))
                            .chain(
                                p.enterprise_ids
                                    .iter()
                                    .map(|e| (Kind::Enterprise, e.clone())),
                            )
                            .collect()
                    })
                    .unwrap_or_default(),
                Kind::Policy => known
                    .policy(&id)
                    .and_then(|p| p.region_id.clone())
                    .map(|r| (Kind::Region, r))
                    .into_iter()
                    .collect(),
            };
            used.extend(refs);
        }
        if used.len() == before {
            break;
        }
    }
    for (kind, id) in &used {
        match kind {
            Kind::Region => bundle.regions.extend(known.region(id).cloned()),
            Kind::Enterprise => bundle.enterprises.extend(known.enterprise(id).cloned()),
            Kind::Project => bundle.projects.extend(known.project(id).cloned()),
            Kind::Policy => bundle.policies.extend(known.policy(id).cloned()),
        }
    }
    // Parents before children reads best and is how the seed is written.
    bundle
        .regions
        .sort_by_key(|r| (known.depth(&r.id), r.id.clone()));
    bundle.regions.extend(new_regions);
    bundle.enterprises.extend(new_enterprises);
    bundle.projects.extend(new_projects);
    let metric_indicators: BTreeSet<&str> =
        metrics.iter().map(|(m, _)| m.indicator.as_str()).collect();
    bundle.indicators = known
        .indicators
        .iter()
        .filter(|i| metric_indicators.contains(i.id.as_str()))
        .cloned()
        .chain(
            proposed_indicators
                .into_values()
                .filter(|i| metric_indicators.contains(i.id.as_str())),
        )
        .collect();
    let mut review: Vec<Note> = Vec::new();
    let mut metric_notes: BTreeMap<usize, Vec<(&'static str, String)>> = BTreeMap::new();
    let mut omission_notes: BTreeMap<usize, String> = BTreeMap::new();
    for (place, message) in notes {
        match place {
            Place::Source(field) => review.push(Note {
                pointer: format!("/source/{field}"),
                message,
            }),
            Place::Metric(i, field) => metric_notes.entry(i).or_default().push((field, message)),
            Place::Omission(i) => {
                omission_notes.insert(i, message);
            }
        }
    }
    bundle.metrics = metrics.into_iter().map(|(m, _)| m).collect();
    bundle.omissions = std::mem::take(&mut omissions);
    for (i, r) in bundle.regions.iter().enumerate() {
        if known.region(&r.id).is_none() {
            review.push(Note {
                pointer: format!("/regions/{i}"),
                message: format!(
                    "new: `{}` is not stored; check the name, level ({}) and parent, give name_en and admin_code",
                    r.name_zh, r.level
                ),
            });
        }
    }
    for (i, e) in bundle.enterprises.iter().enumerate() {
        if known.enterprise(&e.id).is_none() {
            review.push(Note {
                pointer: format!("/enterprises/{i}"),
                message: format!("new: `{}` is not stored; check the name, give name_en, kind, region and industries", e.name_zh),
            });
        }
    }
    for (i, p) in bundle.projects.iter().enumerate() {
        if known.project(&p.id).is_none() {
            review.push(Note {
                pointer: format!("/projects/{i}"),
                message: format!(
                    "new: `{}` is not stored; check the name, give name_en, status and region",
                    p.name_zh
                ),
            });
        }
    }
    for (i, ind) in bundle.indicators.iter().enumerate() {
        if !known.indicators.iter().any(|k| k.id == ind.id) {
            review.push(Note {
                pointer: format!("/indicators/{i}"),
                message: format!(
                    "new indicator `{}` ({}): check its id and names",
                    ind.id, ind.name_zh
                ),
            });
        }
    }
    let unplaced: BTreeSet<String> = mentions
        .iter()
        .filter_map(|m| m.unknown.as_ref().map(|u| (m, u)))
        .filter(|(m, _)| {
            !bundle.enterprises.iter().any(|e| e.id == m.id)
                && !bundle.projects.iter().any(|p| p.id == m.id)
                && !bundle.regions.iter().any(|r| r.id == m.id)
        })
        .map(|(_, u)| u.name.clone())
        .collect();
    if !unplaced.is_empty() {
        review.push(Note {
            pointer: "/source/text".into(),
            message: format!(
                "names not stored and not used as a subject: {}",
                unplaced.into_iter().collect::<Vec<_>>().join("、")
            ),
        });
    }
    for (i, list) in &metric_notes {
        for (field, message) in list {
            review.push(Note {
                pointer: format!("/metrics/{i}/{field}"),
                message: message.clone(),
            });
        }
    }
    for (i, message) in &omission_notes {
        review.push(Note {
            pointer: format!("/omissions/{i}"),
            message: message.clone(),
        });
    }
    make_sound(&mut bundle, &mut review);
    Draft { bundle, review }
}

/// Turns whatever the validator refuses or the coverage check misses into omissions, so a
/// draft is always a valid bundle that accounts for every number.
fn make_sound(bundle: &mut Bundle, review: &mut Vec<Note>) {
    for _ in 0..3 {
        let raw = serde_json::to_value(&*bundle).expect("a bundle serializes");
        let problems = match parse_and_validate(&raw, &Catalog::default()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        let refused: BTreeSet<usize> = problems
            .iter()
            .filter_map(|p| p.pointer.strip_prefix("/metrics/"))
            .filter_map(|rest| rest.split('/').next()?.parse().ok())
            .collect();
        for p in problems
            .iter()
            .filter(|p| !p.pointer.starts_with("/metrics/"))
        {
            review.push(Note {
                pointer: p.pointer.clone(),
                message: format!("the draft is not valid here: {}", p.message),
            });
        }
        for &i in refused.iter().rev() {
            let m = bundle.metrics.remove(i);
            review.retain(|n| !n.pointer.starts_with(&format!("/metrics/{i}/")));
            renumber(review, i);
            review.push(Note {
                pointer: format!("/omissions/{}", bundle.omissions.len()),
                message: format!(
                    "`{}` left out: it could not be made a valid metric",
                    m.original
                ),
            });
            bundle.omissions.push(Omission {
                text: m.quote.clone(),
                reason: "could not be drafted as a valid metric".into(),
            });
        }
        let gaps = coverage::gaps(bundle);
        for gap in &gaps {
            if bundle.omissions.iter().any(|o| o.text == gap.text) {
                continue;
            }
            review.push(Note {
                pointer: format!("/omissions/{}", bundle.omissions.len()),
                message: format!(
                    "`{}` left out: a repeat the draft could not place",
                    gap.text
                ),
            });
            bundle.omissions.push(Omission {
                text: gap.text.clone(),
                reason: "a number repeated in the text".into(),
            });
        }
        if refused.is_empty() && gaps.is_empty() {
            return;
        }
    }
}

/// Moves the notes of metrics after `removed` one position down.
fn renumber(review: &mut [Note], removed: usize) {
    for n in review.iter_mut() {
        if let Some(rest) = n.pointer.strip_prefix("/metrics/")
            && let Some((index, field)) = rest.split_once('/')
            && let Ok(i) = index.parse::<usize>()
            && i > removed
        {
            n.pointer = format!("/metrics/{}/{field}", i - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::news;

    fn options_of(source: &Source) -> Options {
        Options {
            source_id: Some(source.id.clone()),
            title: Some(source.title.clone()),
            publication: Some(source.publication.clone()),
            published: source.published.clone(),
            authors: source.authors.clone(),
            url: source.url.clone(),
        }
    }

    /// Valid on its own (it defines what it refers to), against the catalog it was drafted
    /// against, and every number of the text accounted for.
    fn assert_sound(draft: &Draft, known: &Known) {
        let raw = draft.to_json();
        let alone = parse_and_validate(&raw, &Catalog::default());
        assert!(alone.is_ok(), "{:?}", alone.err());
        let mut catalog = Catalog::default();
        catalog.absorb(&Bundle {
            source: draft.bundle.source.clone(),
            regions: known.regions.clone(),
            enterprises: known.enterprises.clone(),
            projects: known.projects.clone(),
            policies: known.policies.clone(),
            indicators: known.indicators.clone(),
            metrics: Vec::new(),
            omissions: Vec::new(),
            positions: BTreeMap::new(),
        });
        catalog.sources.clear();
        let valid = parse_and_validate(&raw, &catalog).expect("valid against its catalog");
        assert_eq!(coverage::gaps(&valid.bundle), Vec::new());
        for note in &draft.review {
            let pointer = note
                .pointer
                .trim_end_matches(|c: char| c.is_ascii_lowercase() || c == '_');
            let pointer = pointer.trim_end_matches('/');
            assert!(
                raw.pointer(pointer).is_some(),
                "{} points nowhere",
                note.pointer
            );
        }
    }

    #[test]
    fn every_seed_article_drafts_into_a_sound_bundle() {
        let known = Known::embedded_seed();
        for made in known::seed_bundles() {
            let d = draft(&made.source.text, &options_of(&made.source), &known);
            assert_sound(&d, &known);
            assert_eq!(d.bundle.source.text, made.source.text);
            assert!(
                d.bundle.metrics.len() >= made.metrics.len(),
                "{}",
                made.source.id
            );
        }
    }

    #[test]
    fn new_articles_draft_into_sound_bundles_with_and_without_a_catalog() {
        for known in [Known::embedded_seed(), Known::default()] {
            for (article, readings) in news::READINGS {
                let d = draft(article, &Options::default(), &known);
                assert_sound(&d, &known);
                // Every reading is a metric or an omission, with the parser's values.
                for (original, value, unit, _) in readings.iter() {
                    let as_metric = d.bundle.metrics.iter().find(|m| m.original == *original);
                    if let Some(m) = as_metric {
                        assert_eq!((m.value, m.unit.as_str()), (*value, unit.code()));
                    } else if !known.regions.is_empty() {
                        assert!(
                            d.bundle.omissions.iter().any(|o| o.text.contains(original)),
                            "{original} is neither a metric nor an omission"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_draft_of_a_new_article_reads_its_kinds_periods_and_places() {
        let known = Known::embedded_seed();
        let options = Options {
            published: Some("2023-04-19".into()),
            ..Options::default()
        };
        let d = draft(news::STORAGE, &options, &known);
        let get = |original: &str| {
            d.bundle
                .metrics
                .iter()
                .find(|m| m.original == original)
                .unwrap_or_else(|| panic!("no metric `{original}`"))
        };
        let cases: &[(&str, &str, Option<&str>, &str, &str)] = &[
            (
                "12.6亿元",
                "actual",
                Some("2023"),
                "jinchang-etdz",
                "investment",
            ),
            (
                "8.5个百分点",
                "actual",
                Some("2023"),
                "jinchang-etdz",
                "change_in_points",
            ),
            (
                "5吉瓦时",
                "capacity",
                None,
                "",
                "battery_production_capacity",
            ),
            ("30亿元", "plan", None, "", "output_value"),
            (
                "突破500万千瓦",
                "capacity",
                None,
                "jinchang",
                "installed_capacity",
            ),
            ("四成", "actual", Some("2022"), "jinchang", "share"),
            (
                "3倍以上",
                "target",
                Some("2025"),
                "jinchang",
                "growth_multiple",
            ),
        ];
        for &(original, kind, period, subject, indicator) in cases {
            let m = get(original);
            assert_eq!(m.kind, kind, "{original}");
            assert_eq!(m.period.as_deref(), period, "{original}");
            if !subject.is_empty() {
                assert_eq!(m.subject.id, subject, "{original}");
            }
            assert_eq!(m.indicator, indicator, "{original}");
        }
        // The new project is proposed, in the zone the article places it.
        let project = d
            .bundle
            .projects
            .iter()
            .find(|p| p.name_zh == "储能电池生产基地项目")
            .expect("the project is proposed");
        assert_eq!(project.region_id.as_deref(), Some("jinchang-etdz"));
        assert_eq!(get("1亿6千万元").subject.id, project.id);
        assert!(
            d.review
                .iter()
                .any(|n| n.message.contains("储能电池生产基地项目")),
            "{:?}",
            d.review
        );
    }
}
