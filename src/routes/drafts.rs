//! `POST /v1/drafts`: the draft bundle of an article's text, matched against the entities
//! stored in this database, with its review notes; the same draft `industry-facts extract`
//! prints. It stores nothing, but it is guarded like the writes: it is the first step of one,
//! and drafting a long text takes real work from the server.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::Routes;
use crate::error::{AppError, AppResult};
use crate::extract::{Known, Note, Options, check_options, draft};
use crate::http::auth::WriteAccess;
use crate::http::body::BodyLimit;
use crate::state::AppState;

/// Longest text drafted, in characters: far above any article (the seed's longest is about
/// 3,100), low enough that one request cannot keep a core busy for long.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// What a client sends: the article's text and what the text does not say about itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftRequest {
    text: String,
    source_id: Option<String>,
    title: Option<String>,
    publication: Option<String>,
    published: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    url: Option<String>,
}

/// The draft bundle and what a person should look at before importing it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DraftResponse {
    /// A bundle (docs/bundles.md) that passes `check --coverage` as it is.
    #[schema(value_type = Object)]
    pub data: crate::bundle::model::Bundle,
    pub review: Vec<Note>,
}

fn request(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> AppResult<DraftRequest> {
    let body = super::bundles::json_bytes(headers, body, limit, "a draft request")?;
    let mut de = serde_json::Deserializer::from_slice(&body);
    let parsed: DraftRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::BadRequest(format!("the body is not JSON: {inner}"))
        } else if at == "." {
            AppError::BadRequest(format!("the body is not a draft request: {inner}"))
        } else {
            AppError::BadRequest(format!("`{at}`: {inner}"))
        }
    })?;
    Ok(parsed)
}

async fn create(
    _: WriteAccess,
    State(state): State<AppState>,
    Extension(BodyLimit(limit)): Extension<BodyLimit>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<DraftResponse>> {
    let r = request(&headers, body, limit)?;
    let options = Options {
        source_id: r.source_id,
        title: r.title,
        publication: r.publication,
        published: r.published,
        authors: r.authors,
        url: r.url,
    };
    let mut problems: Vec<String> = check_options(&options)
        .into_iter()
        .map(|(field, message)| format!("`{field}`: {message}"))
        .collect();
    let length = r.text.chars().count();
    if r.text.trim().is_empty() {
        problems.push("`text`: must not be empty".into());
    } else if length > MAX_TEXT_CHARS {
        problems.push(format!(
            "`text`: {length} characters; drafts are made of articles of at most {MAX_TEXT_CHARS}"
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join("; ")));
    }
    // One snapshot of the catalog, however many writes land meanwhile.
    let mut tx = state.pool.begin().await?;
    let known: Known = crate::db::stored::load(&mut tx).await?.into();
    tx.commit().await?;
    let text = r.text;
    let drafted = tokio::task::spawn_blocking(move || draft(&text, &options, &known))
        .await
        .map_err(|e| AppError::Internal(format!("drafting failed: {e}")))?;
    tracing::info!(
        source = %drafted.bundle.source.id,
        metrics = drafted.bundle.metrics.len(),
        omissions = drafted.bundle.omissions.len(),
        notes = drafted.review.len(),
        "draft made"
    );
    Ok(Json(DraftResponse {
        data: drafted.bundle,
        review: drafted.review,
    }))
}

pub fn routes() -> Routes {
    Routes::new().add(Method::POST, "/v1/drafts", create)
}
