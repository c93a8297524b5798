//! The list machinery every collection shares: filters, text search, keyset pagination over a
//! whitelisted sort, the `{data, meta}` envelope, `Link: rel="next"` and CSV.

use axum::Extension;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, QueryBuilder, Row, Sqlite, SqliteConnection};

use super::Routes;
use super::counts::CountCache;
use super::csv::to_csv;
use super::params::{FilterKind, FilterSpec, FilterValue, Params};
use crate::db::DataVersion;
use crate::db::budget::{Weight, is_interrupted};
use crate::db::search_index::DocKind;
use crate::error::{AppError, AppResult};
use crate::fts::{Lookup, Term, query_problem};
use crate::state::AppState;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// Whether a sort key compares as text or as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Text,
    Number,
}

/// A field a collection sorts on, mapped to a non-null SQL expression.
#[derive(Debug, Clone, Copy)]
pub struct SortSpec {
    pub name: &'static str,
    pub expr: &'static str,
    pub key: KeyType,
}

/// A queryable collection. The SQL fragments are constants of the program, never input.
pub trait Resource: for<'r> FromRow<'r, SqliteRow> + Serialize + Send + Unpin + 'static {
    /// The item as `GET /v1/{collection}/{id}` shows it.
    type Item: for<'r> FromRow<'r, SqliteRow> + Serialize + Send + Unpin + 'static;
    const COLLECTION: &'static str;
    const NOUN: &'static str;
    const COLUMNS: &'static str;
    const ITEM_COLUMNS: &'static str = Self::COLUMNS;
    const FROM: &'static str;
    /// What counting reads: `FROM` without the joins that only add columns, which SQLite
    /// would otherwise perform for every counted row.
    const COUNT_FROM: &'static str = Self::FROM;
    const ID: &'static str;
    /// What `q` searches: this kind's entries in the full-text index.
    const DOC: &'static DocKind;
    const SORTS: &'static [SortSpec];
    const FILTERS: &'static [FilterSpec];
    const CSV_COLUMNS: &'static [&'static str];
    /// Whether a request must give `q` (the search route has nothing to list without it).
    const REQUIRES_Q: bool = false;

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue);

    /// A last touch on the page, with the search term (the search route builds snippets here).
    fn finish_page(_items: &mut [Self], _q: Option<&str>) {}

    /// The rows a query reads from (`counting`: only to count them); the search route builds
    /// its own for each term.
    fn push_from(qb: &mut QueryBuilder<'_, Sqlite>, _query: &ListQuery, counting: bool) {
        qb.push(if counting {
            Self::COUNT_FROM
        } else {
            Self::FROM
        });
    }

    /// Pushes ` AND (rows whose text matches the term)`.
    fn push_search(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
        qb.push(format!(" AND {} IN (", Self::ID));
        push_matching(qb, Self::DOC, term);
        qb.push(")");
    }
}

/// Pushes a subquery selecting the ids of `kind` whose text matches `term`: from the index
/// when it can answer, else by a literal scan of the same text.
pub fn push_matching(qb: &mut QueryBuilder<'_, Sqlite>, kind: &DocKind, term: &Term) {
    match &term.lookup {
        Lookup::Match(expr) => {
            qb.push(format!(
                "SELECT ref_id FROM search_docs WHERE kind = '{}' AND rowid IN \
                 (SELECT rowid FROM search_fts WHERE search_fts MATCH ",
                kind.kind
            ));
            qb.push_bind(expr.clone());
            qb.push(")");
        }
        Lookup::Like(pattern) => {
            qb.push(format!(
                "SELECT {}.id FROM {} WHERE ({}) LIKE ",
                kind.alias(),
                kind.table,
                kind.text
            ));
            qb.push_bind(pattern.clone());
            qb.push(" ESCAPE '\\'");
        }
    }
}

/// Pushes ` AND column IN (the region and every region below it)`.
pub fn push_region_subtree(qb: &mut QueryBuilder<'_, Sqlite>, column: &str, region: String) {
    qb.push(format!(
        " AND {column} IN (SELECT descendant FROM region_closure WHERE ancestor = "
    ));
    qb.push_bind(region);
    qb.push(")");
}

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    /// The sort the cursor was made for; a cursor is meaningless under another.
    s: String,
    k: serde_json::Value,
    id: String,
}

fn encode_cursor(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).expect("a cursor serializes"))
}

fn decode_cursor(raw: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// Everything a list request asked for, checked.
pub struct ListQuery {
    pub filters: Vec<(&'static FilterSpec, FilterValue)>,
    pub q: Option<Term>,
    pub sort: SortSpec,
    pub desc: bool,
    pub limit: i64,
    cursor: Option<Cursor>,
    pub format: Format,
}

pub fn take_format(params: &mut Params, headers: &HeaderMap) -> Format {
    match params.take("format").as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(other) => {
            params.problem(
                "format",
                format!("unknown value `{other}`, expected one of json, csv"),
            );
            Format::Json
        }
        None => {
            let wants_csv = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/csv"));
            if wants_csv { Format::Csv } else { Format::Json }
        }
    }
}

impl ListQuery {
    pub fn parse<R: Resource>(raw: Option<&str>, headers: &HeaderMap) -> AppResult<Self> {
        let mut params = Params::parse(raw)?;
        let limit = match params.take("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    params.problem(
                        "limit",
                        format!("`{v}` is not a whole number from 1 to {MAX_LIMIT}"),
                    );
                    DEFAULT_LIMIT
                }
            },
        };
        let (sort, desc) = match params.take("sort") {
            None => (R::SORTS[0], false),
            Some(v) => {
                let (name, desc) = match v.strip_prefix('-') {
                    Some(name) => (name.to_owned(), true),
                    None => (v.clone(), false),
                };
                match R::SORTS.iter().find(|s| s.name == name) {
                    Some(s) => (*s, desc),
                    None => {
                        let names: Vec<_> = R::SORTS.iter().map(|s| s.name).collect();
                        params.problem(
                            "sort",
                            format!("cannot sort on `{name}`; sortable fields: {} (prefix - for descending)", names.join(", ")),
                        );
                        (R::SORTS[0], false)
                    }
                }
            }
        };
        let sort_label = sort_label(&sort, desc);
        let cursor = match params.take("cursor") {
            None => None,
            Some(v) => match decode_cursor(&v) {
                Some(c) if c.s == sort_label => Some(c),
                Some(_) => {
                    params.problem(
                        "cursor",
                        "was made for another sort order; start again without it",
                    );
                    None
                }
                None => {
                    params.problem("cursor", "is not a cursor this service issued");
                    None
                }
            },
        };
        let q = match params.take("q") {
            Some(text) => match query_problem(&text) {
                Some(problem) => {
                    params.problem("q", problem);
                    None
                }
                None => Some(Term::new(&text)),
            },
            None => None,
        };
        if q.as_ref().is_some_and(|t| t.text.is_empty()) {
            params.problem("q", "is blank: give the text to search for");
        }
        if !params.given("q") && R::REQUIRES_Q {
            params.problem("q", "is required: the text to search for");
        }
        let format = take_format(&mut params, headers);
        let mut filters = Vec::new();
        for spec in R::FILTERS {
            if let Some(value) = params.take_filter(spec) {
                filters.push((spec, value));
            }
        }
        params.finish()?;
        Ok(Self {
            filters,
            q,
            sort,
            desc,
            limit,
            cursor,
            format,
        })
    }
}

/// How `sort` spells an order (`value`, `-value`); a cursor remembers it.
fn sort_label(sort: &SortSpec, desc: bool) -> String {
    format!("{}{}", if desc { "-" } else { "" }, sort.name)
}

fn push_where<R: Resource>(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    qb.push(" WHERE 1 = 1");
    for (spec, value) in &query.filters {
        R::push_filter(qb, spec.name, value);
    }
    if let Some(term) = &query.q {
        R::push_search(qb, term);
    }
}

fn push_key(qb: &mut QueryBuilder<'_, Sqlite>, key: &serde_json::Value) {
    match key {
        serde_json::Value::Number(n) => {
            qb.push_bind(n.as_f64().unwrap_or_default());
        }
        other => {
            qb.push_bind(other.as_str().unwrap_or_default().to_owned());
        }
    }
}

/// Answers 400 naming the parameter when a filter names an id that does not exist.
async fn check_refs(conn: &mut SqliteConnection, query: &ListQuery) -> AppResult<()> {
    let mut problems = Vec::new();
    for (spec, value) in &query.filters {
        if let FilterKind::Ref(sql) = spec.kind {
            let found: Option<(i64,)> = sqlx::query_as(sql)
                .bind(value.text())
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                problems.push(crate::error::ParamProblem {
                    param: spec.name.to_owned(),
                    message: format!(
                        "no {} with id `{}`",
                        spec.name.replace('_', " "),
                        value.text()
                    ),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidParams(problems))
    }
}

#[derive(Debug, Serialize)]
pub struct Meta {
    pub total: i64,
    pub limit: i64,
    pub next_cursor: Option<String>,
}

/// The single-item envelope, `{"data": {…}}`.
#[derive(Debug, Serialize)]
pub struct Item<T> {
    pub data: T,
}

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: Meta,
}

/// The statement counting every row a list request matches. `prefix` goes before it, so a
/// test can ask SQLite how it would run the very statement a request runs.
pub fn count_query<R: Resource>(query: &ListQuery, prefix: &str) -> QueryBuilder<'static, Sqlite> {
    let mut count = QueryBuilder::<Sqlite>::new(format!("{prefix}SELECT COUNT(*) FROM "));
    R::push_from(&mut count, query, true);
    push_where::<R>(&mut count, query);
    count
}

/// The statement reading one page, one row more than the limit to learn whether a next page
/// exists; `prefix` as for [`count_query`].
pub fn page_query<R: Resource>(query: &ListQuery, prefix: &str) -> QueryBuilder<'static, Sqlite> {
    let expr = query.sort.expr;
    // SQLite hands back INTEGER for whole REALs in expressions; the cast keeps the key type fixed.
    let key_expr = match query.sort.key {
        KeyType::Text => expr.to_owned(),
        KeyType::Number => format!("CAST({expr} AS REAL)"),
    };
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "{prefix}SELECT {}, {key_expr} AS sort_key, {} AS sort_id FROM ",
        R::COLUMNS,
        R::ID,
    ));
    R::push_from(&mut qb, query, false);
    let dir = if query.desc { "DESC" } else { "ASC" };
    let order = format!(" ORDER BY {expr} {dir}, {} {dir}", R::ID);
    if R::COUNT_FROM == R::FROM {
        push_page_rows::<R>(&mut qb, query, &order);
    } else {
        // The page's ids first, from the bare table, and only then the joins for those rows:
        // otherwise every candidate row would be joined before the sort picks the page.
        qb.push(format!(" WHERE {} IN (SELECT {} FROM ", R::ID, R::ID));
        R::push_from(&mut qb, query, true);
        push_page_rows::<R>(&mut qb, query, &order);
        qb.push(")");
        qb.push(order);
    }
    qb
}

/// Pushes the filters, the cursor condition, the order and the limit of a page.
fn push_page_rows<R: Resource>(
    qb: &mut QueryBuilder<'static, Sqlite>,
    query: &ListQuery,
    order: &str,
) {
    push_where::<R>(qb, query);
    let expr = query.sort.expr;
    let op = if query.desc { " < " } else { " > " };
    if let Some(c) = &query.cursor {
        if expr == R::ID {
            qb.push(format!(" AND {}{op}", R::ID));
            qb.push_bind(c.id.clone());
        } else {
            // A row value, which SQLite turns into one seek on the (key, id) index, so a page
            // deep in the list costs what the first one does.
            qb.push(format!(" AND ({expr}, {}){op}(", R::ID));
            push_key(qb, &c.k);
            qb.push(", ");
            qb.push_bind(c.id.clone());
            qb.push(")");
        }
    }
    qb.push(order);
    qb.push(" LIMIT ");
    qb.push_bind(query.limit + 1);
}

/// What decides a total: the collection, its filters and the search term; not the sort, the
/// page size or the cursor.
fn count_key<R: Resource>(query: &ListQuery) -> String {
    let mut key = String::from(R::COLLECTION);
    for (spec, value) in &query.filters {
        key.push('\0');
        key.push_str(spec.name);
        key.push('=');
        key.push_str(&value.text());
    }
    if let Some(term) = &query.q {
        key.push_str("\0q=");
        key.push_str(&term.text);
    }
    key
}

async fn total<R: Resource>(
    conn: &mut SqliteConnection,
    counts: &CountCache,
    version: Option<DataVersion>,
    query: &ListQuery,
) -> AppResult<i64> {
    let version = match version {
        Some(DataVersion(v)) => v,
        None => crate::db::data_version(&mut *conn).await?,
    };
    let key = count_key::<R>(query);
    if let Some(total) = counts.get(version, &key) {
        return Ok(total);
    }
    let total: i64 = count_query::<R>(query, "")
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    counts.put(version, key, total);
    Ok(total)
}

/// One page of `R`; `version` is the data version the response cache already read, if any.
pub async fn fetch_page<R: Resource>(
    conn: &mut SqliteConnection,
    counts: &CountCache,
    version: Option<DataVersion>,
    query: &ListQuery,
) -> AppResult<Page<R>> {
    check_refs(conn, query).await?;
    let total = total::<R>(conn, counts, version, query).await?;
    let mut qb = page_query::<R>(query, "");
    let rows = qb.build().fetch_all(&mut *conn).await?;

    let has_next = rows.len() as i64 > query.limit;
    let mut data = Vec::with_capacity(rows.len());
    let mut next_cursor = None;
    for (i, row) in rows.iter().enumerate() {
        if i as i64 == query.limit {
            break;
        }
        data.push(R::from_row(row)?);
        if has_next && i as i64 == query.limit - 1 {
            let k = match query.sort.key {
                KeyType::Text => serde_json::json!(row.try_get::<String, _>("sort_key")?),
                KeyType::Number => serde_json::json!(row.try_get::<f64, _>("sort_key")?),
            };
            next_cursor = Some(encode_cursor(&Cursor {
                s: sort_label(&query.sort, query.desc),
                k,
                id: row.try_get("sort_id")?,
            }));
        }
    }
    R::finish_page(&mut data, query.q.as_ref().map(|t| t.text.as_str()));
    Ok(Page {
        data,
        meta: Meta {
            total,
            limit: query.limit,
            next_cursor,
        },
    })
}

/// The next page's URL: the request's own, with the cursor replaced.
fn next_link(uri: &Uri, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    pairs.retain(|(k, _)| k != "cursor");
    pairs.push(("cursor".into(), cursor.to_owned()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("<{}?{query}>; rel=\"next\"", uri.path())
}

/// Renders a page as JSON or CSV with its `Link` header.
pub fn render<T: Serialize>(
    page: Page<T>,
    format: Format,
    uri: &Uri,
    columns: &[&str],
) -> AppResult<Response> {
    let link = page.meta.next_cursor.as_deref().map(|c| next_link(uri, c));
    let mut response = match format {
        Format::Json => axum::Json(&page).into_response(),
        Format::Csv => {
            let body = to_csv(columns, &page.data)?;
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
        }
    };
    let headers = response.headers_mut();
    if let Some(link) = link
        && let Ok(value) = HeaderValue::from_str(&link)
    {
        headers.insert(header::LINK, value);
    }
    headers.insert("x-total-count", HeaderValue::from(page.meta.total));
    Ok(response)
}

pub async fn list<R: Resource>(
    state: &AppState,
    version: Option<DataVersion>,
    raw: Option<&str>,
    headers: &HeaderMap,
    uri: &Uri,
) -> AppResult<Response> {
    let query = ListQuery::parse::<R>(raw, headers)?;
    // Searching text is what can grow expensive; a plain list walks an index a page at a time.
    let weight = if query.q.is_some() {
        Weight::Heavy
    } else {
        Weight::Light
    };
    let mut conn = state.reads.acquire(&state.pool, weight).await?;
    let page = fetch_page::<R>(&mut conn, &state.counts, version, &query)
        .await
        .map_err(|e| over_budget(e, state))?;
    drop(conn);
    render(page, query.format, uri, R::CSV_COLUMNS)
}

/// A statement SQLite stopped at the read budget is the request's own cost, not a fault of
/// the server: 503 `timeout`, not 500.
fn over_budget(error: AppError, state: &AppState) -> AppError {
    match error {
        AppError::Database(e) if is_interrupted(&e) => AppError::QueryTimeout(state.reads.budget()),
        other => other,
    }
}

pub async fn item<R: Resource>(
    state: &AppState,
    id: &str,
    raw: Option<&str>,
) -> AppResult<Response> {
    Params::parse(raw)?.finish()?;
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = ?",
        R::ITEM_COLUMNS,
        R::FROM,
        R::ID
    );
    let mut conn = state.reads.acquire(&state.pool, Weight::Light).await?;
    let item: Option<R::Item> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| over_budget(e.into(), state))?;
    match item {
        Some(data) => Ok(axum::Json(Item { data }).into_response()),
        None => Err(AppError::NotFound(format!("no {} with id `{id}`", R::NOUN))),
    }
}

pub async fn list_handler<R: Resource>(
    State(state): State<AppState>,
    version: Option<Extension<DataVersion>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
) -> AppResult<Response> {
    let version = version.map(|Extension(v)| v);
    list::<R>(&state, version, raw.as_deref(), &headers, &uri).await
}

async fn item_handler<R: Resource>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    item::<R>(&state, &id, raw.as_deref()).await
}

/// `GET /v1/{collection}` and `GET /v1/{collection}/{id}` for one resource.
pub fn routes<R: Resource>() -> Routes {
    Routes::new()
        .add(
            Method::GET,
            format!("/v1/{}", R::COLLECTION),
            list_handler::<R>,
        )
        .add(
            Method::GET,
            format!("/v1/{}/{{id}}", R::COLLECTION),
            item_handler::<R>,
        )
}
