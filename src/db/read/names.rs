//! Names where ids are expected: `region=甘肃`, `region=Gansu` or an alias stand for `gansu`,
//! and a tag or id that matches nothing is refused with the closest ones rather than answered
//! with an empty list. The ids and names of each kind of entity are read once per data version
//! and kept. A request resolves against the entries kept for the version it expects (the one
//! the response cache read for it, or the last one any statement saw) without a statement of
//! its own; the caller checks that expectation against the version its page ran under.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;

use super::{FilterKind, FilterValue, ListQuery};
use crate::db::budget::{Reads, Weight};
use crate::db::error::{Error, Result};
use crate::problems::ParamProblem;

/// What a filter's values name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Region,
    Enterprise,
    Project,
    Policy,
    Indicator,
    Source,
    Industry,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Enterprise => "enterprise",
            Self::Project => "project",
            Self::Policy => "policy",
            Self::Indicator => "indicator",
            Self::Source => "source",
            Self::Industry => "industry tag",
        }
    }

    /// Each row: the id, then a JSON array of the names it may be given by.
    fn sql(self) -> &'static str {
        match self {
            Self::Region => {
                "SELECT r.id, json_array(r.name_zh, r.name_en) AS names, \
                 (SELECT json_group_array(alias) FROM region_aliases WHERE region_id = r.id) \
                 FROM regions r"
            }
            Self::Enterprise => {
                "SELECT e.id, json_array(e.name_zh, e.name_en), \
                 (SELECT json_group_array(alias) FROM enterprise_aliases WHERE enterprise_id = e.id) \
                 FROM enterprises e"
            }
            Self::Project => "SELECT id, json_array(name_zh, name_en), '[]' FROM projects",
            Self::Policy => "SELECT id, json_array(title_zh, title_en), '[]' FROM policies",
            Self::Indicator => "SELECT id, json_array(name_zh, name_en), '[]' FROM indicators",
            Self::Source => "SELECT id, json_array(title), '[]' FROM sources",
            Self::Industry => {
                "SELECT DISTINCT industry, '[]', '[]' FROM enterprise_industries ORDER BY industry"
            }
        }
    }
}

/// The kinds a filter's values may name, by its parameter.
fn kinds_of(param: &str, kind: FilterKind) -> &'static [Kind] {
    match (param, kind) {
        ("region" | "parent", FilterKind::Ref(_)) => &[Kind::Region],
        ("enterprise", FilterKind::Ref(_)) => &[Kind::Enterprise],
        ("indicator", FilterKind::Ref(_)) => &[Kind::Indicator],
        ("source", FilterKind::Ref(_)) => &[Kind::Source],
        ("subject", FilterKind::Ref(_)) => {
            &[Kind::Region, Kind::Enterprise, Kind::Project, Kind::Policy]
        }
        ("industry", FilterKind::Tag) => &[Kind::Industry],
        _ => &[],
    }
}

#[derive(Debug)]
struct Entry {
    id: String,
    /// Lowercased.
    names: Vec<String>,
}

/// The entries of one kind and the data version they were read at.
type Kept = (i64, Arc<Vec<Entry>>);

/// The entries of each kind, under the data version they were read at.
#[derive(Clone, Default)]
pub struct Names {
    inner: Arc<Mutex<HashMap<Kind, Kept>>>,
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Names")
    }
}

/// Suffixes of Chinese place names a reader leaves out: `甘肃` for `甘肃省`.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "省",
    "市",
    "县",
    "区",
];

fn plain(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    for suffix in SUFFIXES {
        if let Some(stem) = lower.strip_suffix(suffix)
            && stem.chars().count() >= 2
        {
            return stem.to_owned();
        }
    }
    lower
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The three ids closest to `wanted`: those whose id or a name contains it (or is contained
/// in it) first, then by edit distance.
fn closest(wanted: &str, entries: &[&Entry]) -> Vec<String> {
    let wanted = wanted.trim().to_lowercase();
    let mut ranked: Vec<((bool, usize), &str)> = entries
        .iter()
        .map(|e| {
            let score = std::iter::once(e.id.as_str())
                .chain(e.names.iter().map(String::as_str))
                .filter(|n| !n.is_empty())
                .map(|n| {
                    let within = n.contains(&wanted) || wanted.contains(n);
                    (!within, edit_distance(&wanted, n))
                })
                .min()
                .unwrap_or((true, usize::MAX));
            (score, e.id.as_str())
        })
        .collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    ranked
        .into_iter()
        .take(3)
        .map(|(_, id)| id.to_owned())
        .collect()
}

/// The id `wanted` stands for, or what to tell the client.
fn resolve_one(wanted: &str, entries: &[&Entry]) -> Result<String, Vec<String>> {
    if entries.iter().any(|e| e.id == wanted) {
        return Ok(wanted.to_owned());
    }
    let lower = wanted.trim().to_lowercase();
    let stem = plain(wanted);
    let rules: [fn(&Entry, &str, &str) -> bool; 3] = [
        |e: &Entry, lower: &str, _: &str| e.id.eq_ignore_ascii_case(lower),
        |e: &Entry, lower: &str, _: &str| e.names.iter().any(|n| n == lower),
        |e: &Entry, _: &str, stem: &str| e.names.iter().any(|n| plain(n) == stem),
    ];
    for matches in rules {
        let mut ids: Vec<&str> = entries
            .iter()
            .filter(|e| matches(e, &lower, &stem))
            .map(|e| e.id.as_str())
            .collect();
        ids.dedup();
        match ids.as_slice() {
            [] => continue,
            [one] => return Ok((*one).to_owned()),
            several => return Err(several.iter().map(|s| (*s).to_owned()).collect()),
        }
    }
    Err(Vec::new())
}

fn quoted(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Names {
    /// The entries of `kinds` kept for `version`, if every one of them is.
    fn kept(&self, version: i64, kinds: &[Kind]) -> Option<HashMap<Kind, Arc<Vec<Entry>>>> {
        let kept = self.inner.lock().ok()?;
        kinds
            .iter()
            .map(|k| {
                kept.get(k)
                    .filter(|(v, _)| *v == version)
                    .map(|(_, e)| (*k, e.clone()))
            })
            .collect()
    }

    /// The entries of `kinds` at the current data version, read where not kept, and that
    /// version.
    async fn entries(
        &self,
        pool: &SqlitePool,
        reads: &Reads,
        kinds: &[Kind],
    ) -> Result<(i64, HashMap<Kind, Arc<Vec<Entry>>>)> {
        let mut conn = reads.acquire(pool, Weight::Light).await?;
        let version: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        let mut out = HashMap::new();
        for &kind in kinds {
            let kept = self
                .inner
                .lock()
                .ok()
                .and_then(|m| m.get(&kind).cloned())
                .filter(|(v, _)| *v == version);
            let entries = match kept {
                Some((_, entries)) => entries,
                None => {
                    let rows: Vec<(String, String, Option<String>)> =
                        sqlx::query_as(kind.sql()).fetch_all(&mut *conn).await?;
                    let entries: Vec<Entry> = rows
                        .into_iter()
                        .map(|(id, names, aliases)| {
                            let mut all: Vec<String> =
                                serde_json::from_str(&names).unwrap_or_default();
                            all.extend(
                                serde_json::from_str::<Vec<String>>(
                                    aliases.as_deref().unwrap_or("[]"),
                                )
                                .unwrap_or_default(),
                            );
                            Entry {
                                id,
                                names: all.iter().map(|n| n.trim().to_lowercase()).collect(),
                            }
                        })
                        .collect();
                    let entries = Arc::new(entries);
                    if let Ok(mut m) = self.inner.lock() {
                        m.insert(kind, (version, entries.clone()));
                    }
                    entries
                }
            };
            out.insert(kind, entries);
        }
        Ok((version, out))
    }

    /// Replaces each name an id filter was given by the id it names, and refuses an unknown or
    /// ambiguous one (or an unknown tag) naming the closest ids. Resolves against the entries
    /// kept for `expected` when there are such, and otherwise (or when those leave a name
    /// unresolved, which a newer version might not) against the current ones. Returns the data
    /// version of the entries used, `None` when no filter names anything.
    pub async fn resolve(
        &self,
        pool: &SqlitePool,
        reads: &Reads,
        query: &mut ListQuery,
        expected: Option<i64>,
    ) -> Result<Option<i64>> {
        let mut wanted: Vec<Kind> = query
            .filters
            .iter()
            .flat_map(|(f, _)| kinds_of(f.param, f.kind).iter().copied())
            .collect();
        if wanted.is_empty() {
            return Ok(None);
        }
        wanted.sort_by_key(|k| *k as u8);
        wanted.dedup();
        if let Some(version) = expected
            && let Some(entries) = self.kept(version, &wanted)
            && let Ok(values) = resolve_with(&entries, query)
        {
            apply(query, values);
            return Ok(Some(version));
        }
        let (version, entries) = self.entries(pool, reads, &wanted).await?;
        let values = resolve_with(&entries, query)?;
        apply(query, values);
        Ok(Some(version))
    }
}

/// The filters' values with each name replaced by the id it names, in the order of
/// `query.filters`, or every name that names nothing or more than one thing.
fn resolve_with(
    entries: &HashMap<Kind, Arc<Vec<Entry>>>,
    query: &ListQuery,
) -> Result<Vec<Option<FilterValue>>> {
    let mut out = Vec::with_capacity(query.filters.len());
    let mut problems = Vec::new();
    for (filter, value) in &query.filters {
        let kinds = kinds_of(filter.param, filter.kind);
        if kinds.is_empty() {
            out.push(None);
            continue;
        }
        let pool: Vec<&Entry> = kinds
            .iter()
            .filter_map(|k| entries.get(k))
            .flat_map(|e| e.iter())
            .collect();
        let noun = kinds[0].noun();
        let mut resolved: Vec<FilterValue> = Vec::new();
        for v in value.values() {
            let text = v.text();
            match resolve_one(&text, &pool) {
                Ok(id) => {
                    let id = FilterValue::Text(id);
                    if !resolved.contains(&id) {
                        resolved.push(id);
                    }
                }
                Err(several) if !several.is_empty() => problems.push(ParamProblem {
                    param: filter.param.to_owned(),
                    message: format!(
                        "`{text}` names more than one {noun}: {}; give one id",
                        quoted(&several)
                    ),
                }),
                Err(_) => {
                    let near = closest(&text, &pool);
                    let hint = if near.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", quoted(&near))
                    };
                    let what = if matches!(filter.kind, FilterKind::Tag) {
                        format!("no {noun} `{text}`")
                    } else {
                        format!("no {noun} with id or name `{text}`")
                    };
                    problems.push(ParamProblem {
                        param: filter.param.to_owned(),
                        message: format!("{what}{hint}"),
                    });
                }
            }
        }
        out.push(Some(match resolved.len() {
            1 => resolved.remove(0),
            _ => FilterValue::Any(resolved),
        }));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(problems))
    }
}

fn apply(query: &mut ListQuery, values: Vec<Option<FilterValue>>) {
    for ((_, value), new) in query.filters.iter_mut().zip(values) {
        if let Some(new) = new {
            *value = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, names: &[&str]) -> Entry {
        Entry {
            id: id.into(),
            names: names.iter().map(|n| n.to_lowercase()).collect(),
        }
    }

    #[test]
    fn names_and_stems_resolve_and_misses_suggest() {
        let gansu = entry("gansu", &["甘肃省", "Gansu"]);
        let guangxi = entry("guangxi", &["广西壮族自治区", "Guangxi"]);
        let all = [&gansu, &guangxi];
        for given in ["gansu", "GANSU", "甘肃省", "甘肃", "gansu "] {
            assert_eq!(resolve_one(given, &all), Ok("gansu".into()), "{given}");
        }
        assert_eq!(resolve_one("广西", &all), Ok("guangxi".into()));
        assert_eq!(resolve_one("gansuu", &all), Err(Vec::new()));
        assert_eq!(closest("gansuu", &all)[0], "gansu");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
