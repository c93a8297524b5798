//! `/v1/search`: one text search across every collection.

use axum::Router;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, ListQuery, Resource, SortSpec, fetch_page, render};
use super::params::{FilterKind, FilterSpec, FilterValue};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

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

/// One row per searchable thing: its names and the text a query may match.
const UNION: &str = "(
    SELECT 'region' AS type, 1 AS rank, r.id, r.name_zh, r.name_en,
           r.name_zh || ' ' || r.name_en || ' ' ||
           COALESCE((SELECT group_concat(alias, ' ') FROM region_aliases WHERE region_id = r.id), '') AS haystack
      FROM regions r
    UNION ALL
    SELECT 'enterprise', 2, e.id, e.name_zh, e.name_en,
           e.name_zh || ' ' || e.name_en || ' ' ||
           COALESCE((SELECT group_concat(alias, ' ') FROM enterprise_aliases WHERE enterprise_id = e.id), '') || ' ' ||
           COALESCE((SELECT group_concat(industry, ' ') FROM enterprise_industries WHERE enterprise_id = e.id), '')
      FROM enterprises e
    UNION ALL
    SELECT 'project', 3, p.id, p.name_zh, p.name_en,
           p.name_zh || ' ' || p.name_en || ' ' || COALESCE(p.description, '') FROM projects p
    UNION ALL
    SELECT 'policy', 4, po.id, po.title_zh, po.title_en,
           po.title_zh || ' ' || po.title_en || ' ' || COALESCE(po.summary, '') FROM policies po
    UNION ALL
    SELECT 'indicator', 5, i.id, i.name_zh, i.name_en,
           i.name_zh || ' ' || i.name_en || ' ' || COALESCE(i.description, '') FROM indicators i
    UNION ALL
    SELECT 'source', 6, s.id, s.title, s.title, s.title || ' ' || s.text FROM sources s
    UNION ALL
    SELECT 'metric', 7, m.id, ind.name_zh, ind.name_en, m.quote
      FROM metrics m JOIN indicators ind ON ind.id = m.indicator
) h";

impl Resource for Hit {
    type Item = Self;
    const COLLECTION: &'static str = "search";
    const NOUN: &'static str = "result";
    const COLUMNS: &'static str = "h.type, h.id, h.name_zh, h.name_en, h.haystack AS snippet";
    const FROM: &'static str = UNION;
    /// Ids are unique within a collection only, so the key is collection and id together.
    const ID: &'static str = "(h.rank || ':' || h.id)";
    const SEARCH: &'static str = "h.id || ' ' || h.haystack";
    const SORTS: &'static [SortSpec] = &[SortSpec {
        name: "type",
        expr: "h.rank",
        key: KeyType::Number,
    }];
    const FILTERS: &'static [FilterSpec] = &[FilterSpec {
        name: "type",
        kind: FilterKind::Enum(SEARCH_TYPES),
        doc: "Only results of this collection.",
    }];
    const CSV_COLUMNS: &'static [&'static str] = &["type", "id", "name_zh", "name_en", "snippet"];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        if name == "type" {
            qb.push(" AND h.type = ").push_bind(value.text());
        }
    }

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

async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
) -> AppResult<Response> {
    let query = ListQuery::parse::<Hit>(raw.as_deref(), &headers)?;
    if query.q.as_deref().is_none_or(str::is_empty) {
        return Err(AppError::param("q", "is required: the text to search for"));
    }
    let page = fetch_page::<Hit>(&state.pool, &query).await?;
    render(page, query.format, &uri, Hit::CSV_COLUMNS)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/search", get(search))
}
