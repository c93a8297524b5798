//! `/v1/metrics/breakdown` and `/v1/series`: what a dashboard draws (bars per group, lines over
//! time) answered in one request over every metric the filters select, instead of the client
//! downloading every page and grouping it. The filters are the metrics list's own, read the
//! same way, so the answer and the list always describe the same rows.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::list::{over_budget, take_q};
use super::params::Params;
use crate::bundle::model::REGION_LEVELS;
use crate::db::DataVersion;
use crate::db::read::answers::{self, BY, BreakdownQuery, Checked, SeriesKey};
use crate::db::read::{DEFAULT_LIMIT, ListQuery, MAX_LIMIT, metrics::METRICS};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A value's names in both languages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Label {
    pub zh: Option<String>,
    pub en: Option<String>,
}

/// One group of a breakdown, for the OpenAPI document; SQLite builds the objects themselves.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreakdownGroup {
    /// One member per `by` field. Null for rows without that field (no period) and, with
    /// `level`, for rows whose region lies above that level.
    pub key: BTreeMap<String, Option<String>>,
    /// The names of the key's values (regions, indicators, subjects, sources), joined by ` · `
    /// when grouping by two fields; the value itself for fields without names.
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    /// The names per `by` field.
    pub labels: BTreeMap<String, Label>,
    /// Metrics in the group.
    pub count: i64,
    /// The sum of `value`; a floor when every figure is a lower bound, see `bounded`.
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    /// The one unit of every figure in the group.
    pub unit: String,
    /// Some figure of the group is not exact (`more_than`, `approx`, a range, …): the sum of
    /// \"more than\" figures is a lower bound, not a total.
    pub bounded: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreakdownMeta {
    /// Metrics selected: the list's total for the same filters.
    pub total: i64,
    pub groups: usize,
    pub by: Vec<String>,
    pub level: Option<String>,
    /// More than 10000 groups: the rest are left out.
    pub truncated: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    pub data: Vec<BreakdownGroup>,
    pub meta: BreakdownMeta,
}

/// One fact of a series.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    pub period: String,
    /// The first day the period covers (`2022` starts `2022-01-01`).
    pub period_start: Option<String>,
    /// The last day the period covers (`2021/2022` ends `2022-12-31`).
    pub period_end: Option<String>,
    pub value: f64,
    pub value_max: Option<f64>,
    pub qualifier: String,
    /// actual, target, plan or capacity: targets sit beside actuals in one series.
    pub kind: String,
    pub metric_id: String,
    pub source_id: String,
}

/// The facts of one indicator about one subject, in one unit and region, in time order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub indicator: String,
    pub unit: String,
    pub subject: super::metrics::Subject,
    pub region_id: String,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeriesMeta {
    /// Selected facts left out because they have no period.
    pub without_period: i64,
    /// Points on this page, over all its series.
    pub points: usize,
    pub limit: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeriesList {
    pub data: Vec<Series>,
    pub meta: SeriesMeta,
}

/// Reads `q` and every metrics filter, as the metrics list does.
fn metrics_query(params: &mut Params) -> ListQuery {
    let q = take_q(params);
    let mut filters = Vec::new();
    for filter in METRICS.filters {
        if let Some(value) = params.take_filter(filter) {
            filters.push((filter, value));
        }
    }
    ListQuery {
        collection: &METRICS,
        filters,
        q,
        sort: &METRICS.sorts[0],
        desc: false,
        limit: 1,
        cursor: None,
    }
}

/// Replaces the names an id filter was given (`region=甘肃`) by the ids they name, as the list
/// does, refusing what is neither an id nor a name with the closest ids. Asked only once the
/// answer's own checks found a value that is not an id, so a request naming ids, the usual
/// case, does without the names and the extra round trip for their data version.
async fn resolve_names(state: &AppState, query: &mut ListQuery) -> AppResult<()> {
    state
        .names
        .resolve(&state.pool, &state.reads, query, None)
        .await
        .map(|_| ())
        .map_err(|e| over_budget(e, state))
}

/// The answer as JSON, marked with the data version it was read at for the response cache.
fn json_response(body: String, version: i64) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.extensions_mut().insert(DataVersion(version));
    response
}

pub async fn breakdown(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let mut params = Params::parse(raw.as_deref())?;
    let names: Vec<&'static str> = BY.iter().map(|b| b.name).collect();
    let mut by = Vec::new();
    let asked = params.take_repeated("by");
    if asked.is_empty() && !params.given("by") {
        params.problem(
            "by",
            format!(
                "is required: one or two of {} to group by",
                names.join(", ")
            ),
        );
    }
    for name in &asked {
        match BY.iter().find(|b| b.name == name) {
            Some(b) if by.iter().any(|x: &&answers::By| x.name == b.name) => {
                params.problem("by", format!("`{name}` is given twice"));
            }
            Some(b) => by.push(b),
            None => params.problem(
                "by",
                format!("cannot group by `{name}`; expected {}", names.join(", ")),
            ),
        }
    }
    if asked.len() > 2 {
        params.problem("by", "takes at most two fields");
    }
    let level = params.take("level");
    if let Some(l) = &level {
        if !REGION_LEVELS.contains(&l.as_str()) {
            params.problem(
                "level",
                format!(
                    "unknown value `{l}`, expected one of {}",
                    REGION_LEVELS.join(", ")
                ),
            );
        } else if !asked.iter().any(|n| n == "region") {
            params.problem("level", "rolls regions up, so it needs by=region");
        }
    }
    let mut query = metrics_query(&mut params);
    params.finish()?;
    let mut resolved = false;
    let answer = loop {
        let ask = BreakdownQuery {
            query: &query,
            by: by.clone(),
            level: level.clone(),
        };
        match answers::breakdown(&state.pool, &state.reads, &ask)
            .await
            .map_err(|e| over_budget(e, &state))?
        {
            Checked::Answer(answer) => break answer,
            Checked::Missing(problems) if resolved => {
                return Err(AppError::InvalidParams(problems));
            }
            Checked::Missing(_) => {
                resolve_names(&state, &mut query).await?;
                resolved = true;
            }
        }
    };
    let meta = BreakdownMeta {
        total: answer.rows,
        groups: answer.groups.len(),
        by: by.iter().map(|b| b.name.to_owned()).collect(),
        level,
        truncated: answer.truncated,
    };
    let meta = serde_json::to_string(&meta).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json_response(
        format!("{{\"data\":[{}],\"meta\":{meta}}}", answer.groups.join(",")),
        answer.version,
    ))
}

/// A series cursor: the key of the last series shown, named for the order series come in, so
/// a cursor from when they came in another order is refused rather than followed to the
/// wrong place.
#[derive(Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesCursor {
    region_first: SeriesKey,
}

fn encode_series_cursor(key: SeriesKey) -> String {
    let cursor = SeriesCursor { region_first: key };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).expect("a cursor serializes"))
}

fn decode_series_cursor(raw: &str) -> Option<SeriesKey> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice::<SeriesCursor>(&bytes)
        .ok()
        .map(|c| c.region_first)
}

pub async fn series(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let mut params = Params::parse(raw.as_deref())?;
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
    let after = match params.take("cursor") {
        None => None,
        Some(c) => match decode_series_cursor(&c) {
            Some(k) => Some(k),
            None => {
                params.problem("cursor", "is not a cursor this route issued");
                None
            }
        },
    };
    let mut query = metrics_query(&mut params);
    params.finish()?;
    let mut resolved = false;
    let page = loop {
        match answers::series(&state.pool, &state.reads, &query, limit, after.as_ref())
            .await
            .map_err(|e| over_budget(e, &state))?
        {
            Checked::Answer(page) => break page,
            Checked::Missing(problems) if resolved => {
                return Err(AppError::InvalidParams(problems));
            }
            Checked::Missing(_) => {
                resolve_names(&state, &mut query).await?;
                resolved = true;
            }
        }
    };
    let next_cursor = page.next.map(encode_series_cursor);
    let meta = serde_json::to_string(&SeriesMeta {
        without_period: page.without_period,
        points: page.points,
        limit,
        next_cursor,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json_response(
        format!("{{\"data\":{},\"meta\":{meta}}}", page.series),
        page.version,
    ))
}
