//! `/v1/search`: one text search across every collection.

use axum::http::Method;
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use super::Routes;
use super::enterprises::Enterprise;
use super::indicators::Indicator;
use super::list::{KeyType, ListQuery, Resource, SortSpec, list_handler};
use super::metrics::push_quote_or_indicator_ids;
use super::params::{FilterKind, FilterSpec, FilterValue};
use super::policies::Policy;
use super::projects::Project;
use super::regions::Region;
use super::sources::Source;
use crate::db::search_index::{self, DocKind};
use crate::fts::Term;

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Hit {
    /// The collection: region, enterprise, project, policy, indicator, source or metric.
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub type_: String,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The matched text around the first match.
    pub snippet: String,
}

const SEARCH_TYPES: &[&str] = &[
    "region",
    "enterprise",
    "project",
    "policy",
    "indicator",
    "source",
    "metric",
];

/// One collection's part of the search: how its rows are named and what the snippet shows.
struct Branch {
    doc: &'static DocKind,
    /// Orders collections among equally relevant hits.
    rank: i64,
    from: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    /// A table of alternative names `(owner column, alias)`, when the collection has one.
    aliases: Option<(&'static str, &'static str)>,
    /// What the snippet is cut from; `{term}` stands for the search term.
    snippet: &'static str,
    /// The collection's own `q` rule, so `/v1/search` finds what each list's `q` finds.
    search: fn(&mut QueryBuilder<'_, Sqlite>, &Term),
}

const BRANCHES: [Branch; 7] = [
    Branch {
        doc: &search_index::REGION,
        rank: 1,
        from: "regions r",
        name_zh: "r.name_zh",
        name_en: "r.name_en",
        aliases: Some(("region_aliases", "region_id")),
        snippet: "r.name_zh || ' ' || r.name_en || ' ' || \
            COALESCE((SELECT group_concat(alias, ' ') FROM region_aliases WHERE region_id = r.id), '')",
        search: Region::push_search,
    },
    Branch {
        doc: &search_index::ENTERPRISE,
        rank: 2,
        from: "enterprises e",
        name_zh: "e.name_zh",
        name_en: "e.name_en",
        aliases: Some(("enterprise_aliases", "enterprise_id")),
        snippet: "e.name_zh || ' ' || e.name_en || ' ' || \
            COALESCE((SELECT group_concat(alias, ' ') FROM enterprise_aliases WHERE enterprise_id = e.id), '') || ' ' || \
            COALESCE((SELECT group_concat(industry, ' ') FROM enterprise_industries WHERE enterprise_id = e.id), '')",
        search: Enterprise::push_search,
    },
    Branch {
        doc: &search_index::PROJECT,
        rank: 3,
        from: "projects p",
        name_zh: "p.name_zh",
        name_en: "p.name_en",
        aliases: None,
        snippet: "p.name_zh || ' ' || p.name_en || ' ' || COALESCE(p.description, '')",
        search: Project::push_search,
    },
    Branch {
        doc: &search_index::POLICY,
        rank: 4,
        from: "policies po",
        name_zh: "po.title_zh",
        name_en: "po.title_en",
        aliases: None,
        snippet: "po.title_zh || ' ' || po.title_en || ' ' || COALESCE(po.summary, '')",
        search: Policy::push_search,
    },
    Branch {
        doc: &search_index::INDICATOR,
        rank: 5,
        from: "indicators i",
        name_zh: "i.name_zh",
        name_en: "i.name_en",
        aliases: None,
        snippet: "i.name_zh || ' ' || i.name_en || ' ' || COALESCE(i.description, '')",
        search: Indicator::push_search,
    },
    Branch {
        doc: &search_index::SOURCE,
        rank: 6,
        from: "sources s",
        name_zh: "s.title",
        name_en: "s.title",
        aliases: None,
        // Only the stretch of the article around the term (as typed; otherwise its start):
        // whole articles would be carried through the sort of every hit.
        snippet: "s.title || ' ' || substr(s.text, max(1, instr(s.text, {term}) - 60), 240)",
        search: Source::push_search,
    },
    Branch {
        doc: &search_index::METRIC,
        rank: 7,
        from: "metrics m CROSS JOIN indicators ind ON ind.id = m.indicator",
        name_zh: "ind.name_zh",
        name_en: "ind.name_en",
        aliases: None,
        snippet: "m.quote || ' ' || ind.name_zh || ' ' || ind.name_en",
        search: |qb, term| {
            qb.push(" AND m.id IN (");
            push_quote_or_indicator_ids(qb, term);
            qb.push(")");
        },
    },
];

/// Pushes one collection's hits for `term`, each with its tier: 0 when a name or alias is
/// the term itself (ignoring ASCII case), 1 when a name contains it, 2 for any other match.
fn push_branch(qb: &mut QueryBuilder<'_, Sqlite>, b: &Branch, term: &Term) {
    let a = b.doc.alias();
    let (zh, en) = (b.name_zh, b.name_en);
    qb.push(format!(
        "SELECT '{}' AS type, {} AS rank, {a}.id AS id, {zh} AS name_zh, {en} AS name_en, ",
        b.doc.kind, b.rank
    ));
    for (i, part) in b.snippet.split("{term}").enumerate() {
        if i > 0 {
            qb.push_bind(term.text.clone());
        }
        qb.push(part);
    }
    qb.push(" AS haystack, CASE WHEN lower({zh}) = lower(".replace("{zh}", zh));
    qb.push_bind(term.text.clone());
    qb.push(format!(") OR lower({en}) = lower("));
    qb.push_bind(term.text.clone());
    qb.push(")");
    if let Some((table, owner)) = b.aliases {
        qb.push(format!(
            " OR EXISTS (SELECT 1 FROM {table} WHERE {owner} = {a}.id AND lower(alias) = lower("
        ));
        qb.push_bind(term.text.clone());
        qb.push("))");
    }
    qb.push(format!(" THEN 0 WHEN instr(lower({zh}), lower("));
    qb.push_bind(term.text.clone());
    qb.push(format!(")) > 0 OR instr(lower({en}), lower("));
    qb.push_bind(term.text.clone());
    qb.push(format!(
        ")) > 0 THEN 1 ELSE 2 END AS tier FROM {} WHERE 1 = 1",
        b.from
    ));
    (b.search)(qb, term);
}

impl Resource for Hit {
    type Item = Self;
    const COLLECTION: &'static str = "search";
    const NOUN: &'static str = "result";
    const COLUMNS: &'static str = "h.type, h.id, h.name_zh, h.name_en, h.haystack AS snippet";
    /// Unused: the union is built per term by `push_from`.
    const FROM: &'static str = "";
    /// Ids are unique within a collection only, so the key is collection and id together.
    const ID: &'static str = "(h.rank || ':' || h.id)";
    /// Unused: each collection's part of the union applies its own search.
    const DOC: &'static DocKind = &search_index::SOURCE;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "relevance",
            expr: "(h.tier * 10 + h.rank)",
            key: KeyType::Number,
        },
        SortSpec {
            name: "type",
            expr: "h.rank",
            key: KeyType::Number,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[FilterSpec {
        name: "type",
        kind: FilterKind::Enum(SEARCH_TYPES),
        doc: "Only results of this collection.",
    }];
    const CSV_COLUMNS: &'static [&'static str] = &["type", "id", "name_zh", "name_en", "snippet"];
    const REQUIRES_Q: bool = true;

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        if name == "type" {
            qb.push(" AND h.type = ").push_bind(value.text());
        }
    }

    /// The union of every collection's hits for the term, each part filtered by its own index.
    fn push_from(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, counting: bool) {
        let Some(term) = &query.q else {
            qb.push(
                "(SELECT NULL AS type, 0 AS rank, NULL AS id, NULL AS name_zh, NULL AS name_en, \
                     NULL AS haystack, 0 AS tier WHERE 0) h",
            );
            return;
        };
        qb.push("(");
        for (i, branch) in BRANCHES.iter().enumerate() {
            if i > 0 {
                qb.push(" UNION ALL ");
            }
            if counting {
                // Counting needs which rows match, not their names, snippets or tiers.
                qb.push(format!(
                    "SELECT '{}' AS type, {} AS rank, {}.id AS id FROM {} WHERE 1 = 1",
                    branch.doc.kind,
                    branch.rank,
                    branch.doc.alias(),
                    branch.from
                ));
                (branch.search)(qb, term);
            } else {
                push_branch(qb, branch, term);
            }
        }
        qb.push(") h");
    }

    /// Each part of the union has applied the term already.
    fn push_search(_qb: &mut QueryBuilder<'_, Sqlite>, _term: &Term) {}

    fn finish_page(items: &mut [Self], q: Option<&str>) {
        for hit in items {
            hit.snippet = snippet(&hit.snippet, q.unwrap_or(""), 30);
        }
    }
}

/// Up to `context` characters either side of the first case-insensitive match.
pub fn snippet(text: &str, term: &str, context: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let needle: Vec<char> = term.chars().flat_map(char::to_lowercase).collect();
    // Lowercasing can change lengths only outside ASCII letters; fall back to the start then.
    let at = if lower.len() == chars.len() && !needle.is_empty() {
        lower
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
            .unwrap_or(0)
    } else {
        0
    };
    let start = at.saturating_sub(context);
    let end = (at + needle.len() + context).min(chars.len());
    let mut out: String = chars[start..end]
        .iter()
        .collect::<String>()
        .replace('\n', " ");
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

pub fn routes() -> Routes {
    Routes::new().add(Method::GET, "/v1/search", list_handler::<Hit>)
}
