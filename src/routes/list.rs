//! The HTTP side of every list: the query string checked into a [`ListQuery`] (every problem
//! named at once), the page rendered as the `{data, meta}` envelope or as CSV, `Link:
//! rel="next"` and `X-Total-Count`, and the cursor as an opaque token. What a collection holds
//! and how it is read is in `db::read`.

use axum::Extension;
use axum::body::Body;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use super::Routes;
use super::params::Params;
use crate::db::read::facets::{
    DEFAULT_FACET_SIZE, FacetRequest, Facets, MAX_FACET_SIZE, facets_of, fetch_facets,
};
use crate::db::read::{self, Collection, Cursor, DEFAULT_LIMIT, Key, ListQuery, MAX_LIMIT};
use crate::db::{self, DataVersion};
use crate::error::{AppError, AppResult};
use crate::fts::{Term, query_problem};
use crate::state::AppState;

/// The cursor as a client holds it.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    /// The sort the cursor was made for; a cursor is meaningless under another.
    s: String,
    k: serde_json::Value,
    id: String,
}

fn encode_cursor(sort: &str, cursor: &Cursor) -> String {
    let k = match &cursor.key {
        Key::Text(s) => serde_json::json!(s),
        Key::Number(n) => serde_json::json!(n),
    };
    let token = Token {
        s: sort.to_owned(),
        k,
        id: cursor.id.clone(),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("a cursor serializes"))
}

fn decode_cursor(raw: &str) -> Option<Token> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// `bom`: whether the body starts with a UTF-8 byte order mark, which Excel needs to read
    /// the file as UTF-8 rather than the system's legacy code page.
    Csv {
        bom: bool,
    },
}

/// `bom=true|false`: CSV only; asking for a byte order mark on JSON is refused rather than
/// ignored, since JSON must not start with one.
fn take_bom(params: &mut Params, format: Format) -> Format {
    let bom = match params.take("bom").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            params.problem("bom", format!("`{other}` is not true or false"));
            return format;
        }
    };
    match format {
        Format::Csv { .. } => Format::Csv { bom },
        Format::Json if bom => {
            params.problem(
                "bom",
                "applies to CSV only (format=csv or Accept: text/csv); JSON never starts with a byte order mark",
            );
            format
        }
        Format::Json => format,
    }
}

pub fn take_format(params: &mut Params, headers: &HeaderMap) -> Format {
    match params.take("format").as_deref() {
        Some("csv") => Format::Csv { bom: false },
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
            if wants_csv {
                Format::Csv { bom: false }
            } else {
                Format::Json
            }
        }
    }
}

/// How `sort` spells an order (`value`, `-value`); a cursor remembers it.
fn sort_label(query: &ListQuery) -> String {
    format!("{}{}", if query.desc { "-" } else { "" }, query.sort.name)
}

/// Checks a list request's query string against the collection.
pub fn parse(
    collection: &'static Collection,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> AppResult<(ListQuery, Format)> {
    parse_with_facets(collection, raw, headers).map(|(query, format, _)| (query, format))
}

/// `facet`, `facet_size` and `facet_level`, checked.
fn take_facets(
    collection: &'static Collection,
    params: &mut Params,
    format: Format,
) -> FacetRequest {
    let offered = facets_of(collection.name);
    let names = || {
        if offered.is_empty() {
            "this list has no facetable fields".to_owned()
        } else {
            let names: Vec<_> = offered.iter().map(|f| f.name).collect();
            format!("facetable fields: {}", names.join(", "))
        }
    };
    let mut request = FacetRequest {
        size: DEFAULT_FACET_SIZE,
        ..FacetRequest::default()
    };
    for name in params.take_many("facet") {
        match offered.iter().find(|f| f.name == name) {
            Some(f) => request.facets.push(f),
            None => params.problem("facet", format!("cannot facet on `{name}`; {}", names())),
        }
    }
    if let Some(v) = params.take("facet_size") {
        match v.parse::<i64>() {
            Ok(n) if (1..=MAX_FACET_SIZE).contains(&n) => request.size = n,
            _ => params.problem(
                "facet_size",
                format!("`{v}` is not a whole number from 1 to {MAX_FACET_SIZE}"),
            ),
        }
    }
    if let Some(v) = params.take("facet_level") {
        if !crate::bundle::model::REGION_LEVELS.contains(&v.as_str()) {
            params.problem(
                "facet_level",
                format!(
                    "unknown value `{v}`, expected one of {}",
                    crate::bundle::model::REGION_LEVELS.join(", ")
                ),
            );
        } else if !request.facets.iter().any(|f| f.region) {
            params.problem(
                "facet_level",
                "rolls up a region facet; ask for one with facet=region (or facet=parent)",
            );
        } else {
            request.level = Some(v);
        }
    }
    if matches!(format, Format::Csv { .. }) && params.given("facet") {
        params.problem(
            "facet",
            "facets come in the JSON envelope only; drop it or ask for format=json",
        );
    }
    request
}

/// `q`, checked against the limits on search text; a blank one is named too.
pub fn take_q(params: &mut Params) -> Option<Term> {
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
    q
}

/// Checks a list request's query string against the collection, facets included.
pub fn parse_with_facets(
    collection: &'static Collection,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> AppResult<(ListQuery, Format, FacetRequest)> {
    let mut params = Params::parse(raw)?;
    let limit = match params.take("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (0..=MAX_LIMIT).contains(&n) => n,
            _ => {
                params.problem(
                    "limit",
                    format!("`{v}` is not a whole number from 0 to {MAX_LIMIT}"),
                );
                DEFAULT_LIMIT
            }
        },
    };
    let default = &collection.sorts[0];
    let (sort, desc) = match params.take("sort") {
        None => (default, false),
        Some(v) => {
            let (name, desc) = match v.strip_prefix('-') {
                Some(name) => (name.to_owned(), true),
                None => (v.clone(), false),
            };
            match collection.sorts.iter().find(|s| s.name == name) {
                Some(s) => (s, desc),
                None => {
                    let names: Vec<_> = collection.sorts.iter().map(|s| s.name).collect();
                    params.problem(
                        "sort",
                        format!(
                            "cannot sort on `{name}`; sortable fields: {} (prefix - for descending)",
                            names.join(", ")
                        ),
                    );
                    (default, false)
                }
            }
        }
    };
    let label = format!("{}{}", if desc { "-" } else { "" }, sort.name);
    let cursor = match params.take("cursor") {
        None => None,
        Some(v) => match decode_cursor(&v) {
            Some(t) if t.s == label => Some(Cursor {
                key: match t.k {
                    serde_json::Value::Number(n) => Key::Number(n.as_f64().unwrap_or_default()),
                    other => Key::Text(other.as_str().unwrap_or_default().to_owned()),
                },
                id: t.id,
            }),
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
    let q = take_q(&mut params);
    if !params.given("q") && collection.requires_q {
        params.problem("q", "is required: the text to search for");
    }
    let format = take_format(&mut params, headers);
    let facets = take_facets(collection, &mut params, format);
    let format = take_bom(&mut params, format);
    let mut filters = Vec::new();
    for filter in collection.filters {
        if let Some(value) = params.take_filter(filter) {
            filters.push((filter, value));
        }
    }
    params.finish()?;
    Ok((
        ListQuery {
            collection,
            filters,
            q,
            sort,
            desc,
            limit,
            cursor,
        },
        format,
        facets,
    ))
}

#[derive(Debug, Serialize)]
pub struct Meta {
    pub total: i64,
    pub limit: i64,
    pub next_cursor: Option<String>,
    /// Only when the request asked for facets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

/// The single-item envelope, `{"data": {…}}`.
#[derive(Debug, Serialize)]
pub struct Item<T> {
    pub data: T,
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

/// A page's headers: its content type, `Link` to the next page and the total.
fn page_response(
    body: Body,
    content_type: &'static str,
    next: Option<String>,
    total: i64,
    uri: &Uri,
) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(link) = next.map(|c| next_link(uri, &c))
        && let Ok(value) = HeaderValue::from_str(&link)
    {
        headers.insert(header::LINK, value);
    }
    headers.insert("x-total-count", HeaderValue::from(total));
    response
}

pub async fn list(
    state: &AppState,
    collection: &'static Collection,
    version: Option<DataVersion>,
    raw: Option<&str>,
    headers: &HeaderMap,
    uri: &Uri,
) -> AppResult<Response> {
    let (mut query, format, facets) = parse_with_facets(collection, raw, headers)?;
    let version = version.map(|DataVersion(v)| v);
    // Names resolve against the version the response cache read for this request, or else the
    // last one a statement saw; a page read under another version is read again below, with
    // names resolved at the current one.
    let names_at = resolve(state, &mut query, version.or_else(|| state.counts.latest())).await?;
    let moved = |page_version: i64| names_at.is_some_and(|v| v != page_version);
    let label = sort_label(&query);
    match format {
        Format::Json => {
            let mut page =
                read::fetch_page(&state.pool, &state.reads, &state.counts, version, &query)
                    .await
                    .map_err(|e| over_budget(e, state))?;
            if moved(page.version) {
                query = parse_with_facets(collection, raw, headers)?.0;
                resolve(state, &mut query, None).await?;
                page = read::fetch_page(&state.pool, &state.reads, &state.counts, None, &query)
                    .await
                    .map_err(|e| over_budget(e, state))?;
            }
            let next = page.next.as_ref().map(|c| encode_cursor(&label, c));
            let facets = if facets.facets.is_empty() {
                None
            } else {
                Some(
                    fetch_facets(&state.pool, &state.reads, &query, &facets)
                        .await
                        .map_err(|e| over_budget(e, state))?,
                )
            };
            let meta = Meta {
                total: page.total,
                limit: page.limit,
                next_cursor: next.clone(),
                facets,
            };
            let meta =
                serde_json::to_string(&meta).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut body = String::with_capacity(page.items.len() + meta.len() + 20);
            body.push_str("{\"data\":[");
            body.push_str(&page.items);
            body.push_str("],\"meta\":");
            body.push_str(&meta);
            body.push('}');
            let mut response =
                page_response(Body::from(body), "application/json", next, page.total, uri);
            response.extensions_mut().insert(DataVersion(page.version));
            Ok(response)
        }
        Format::Csv { bom } => {
            let mut page =
                read::stream_csv(&state.pool, &state.reads, &state.counts, version, &query)
                    .await
                    .map_err(|e| over_budget(e, state))?;
            if moved(page.version) {
                drop(page);
                query = parse_with_facets(collection, raw, headers)?.0;
                resolve(state, &mut query, None).await?;
                page = read::stream_csv(&state.pool, &state.reads, &state.counts, None, &query)
                    .await
                    .map_err(|e| over_budget(e, state))?;
            }
            let next = page.next.as_ref().map(|c| encode_cursor(&label, c));
            let lines = if bom {
                let mark = Bytes::from_static("\u{feff}".as_bytes());
                stream::iter([Ok(mark)]).chain(page.lines).boxed()
            } else {
                page.lines
            };
            let version = page.version;
            let mut response = page_response(
                Body::from_stream(lines),
                "text/csv; charset=utf-8",
                next,
                page.total,
                uri,
            );
            response.extensions_mut().insert(DataVersion(version));
            // A browser saves the page as a file named after the collection instead of
            // showing it.
            let disposition = format!("attachment; filename=\"{}.csv\"", collection.name);
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, value);
            }
            Ok(response)
        }
    }
}

/// Names given where ids are expected, replaced by the ids (see `db::read::names`).
async fn resolve(
    state: &AppState,
    query: &mut ListQuery,
    expected: Option<i64>,
) -> AppResult<Option<i64>> {
    state
        .names
        .resolve(&state.pool, &state.reads, query, expected)
        .await
        .map_err(|e| over_budget(e, state))
}

/// A statement SQLite stopped at the read budget is the request's own cost, not a fault of
/// the server: 503 `timeout`, not 500.
pub fn over_budget(error: db::Error, state: &AppState) -> AppError {
    state.reads.over_budget(error).into()
}

pub async fn item(
    state: &AppState,
    collection: &'static Collection,
    id: &str,
    raw: Option<&str>,
) -> AppResult<Response> {
    Params::parse(raw)?.finish()?;
    match read::fetch_item(&state.pool, &state.reads, collection, id)
        .await
        .map_err(|e| over_budget(e, state))?
    {
        Some((json, version)) => {
            let body = format!("{{\"data\":{json}}}");
            let mut response = Body::from(body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response.extensions_mut().insert(DataVersion(version));
            Ok(response)
        }
        None => Err(AppError::NotFound(format!(
            "no {} with id `{id}`",
            collection.noun
        ))),
    }
}

/// `GET path` lists the collection and, when given, `GET item_path` answers one item. The
/// paths are spelt out where the routes are declared, so `/v1/metrics` can be found by
/// searching for it; they must name the collection they serve.
pub fn routes(
    path: &'static str,
    item_path: Option<&'static str>,
    collection: &'static Collection,
) -> Routes {
    assert_eq!(
        path.strip_prefix("/v1/"),
        Some(collection.name),
        "the list route of `{}`",
        collection.name
    );
    let routes = Routes::new().add(
        Method::GET,
        path,
        move |State(state): State<AppState>,
              version: Option<Extension<DataVersion>>,
              RawQuery(raw): RawQuery,
              headers: HeaderMap,
              OriginalUri(uri): OriginalUri| async move {
            let version = version.map(|Extension(v)| v);
            list(&state, collection, version, raw.as_deref(), &headers, &uri).await
        },
    );
    let Some(item_path) = item_path else {
        return routes;
    };
    assert_eq!(
        item_path.strip_prefix(path),
        Some("/{id}"),
        "the item route of `{}`",
        collection.name
    );
    routes.add(
        Method::GET,
        item_path,
        move |State(state): State<AppState>,
              Path(id): Path<String>,
              RawQuery(raw): RawQuery| async move {
            item(&state, collection, &id, raw.as_deref()).await
        },
    )
}
