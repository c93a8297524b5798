//! Bounds on every request, so that load or a stuck request degrades into quick, explicit 503s
//! instead of unbounded queues: a cap on requests in flight that sheds the excess, and a
//! deadline for each request.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::load_shed::error::Overloaded;
use tower::{BoxError, ServiceBuilder};
use tower_http::timeout::TimeoutLayer;

use crate::error::AppError;

/// Gives every request `limit` to produce its response. The timeout layer answers with a bare
/// status; the map turns that into the service's problem document. Nothing else inside
/// produces a 503 without a content type, so the two cannot be confused.
pub fn deadline(router: Router, limit: Duration) -> Router {
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limit,
        ))
        .layer(axum::middleware::map_response(
            move |response: Response| async move {
                let bare = response.status() == StatusCode::SERVICE_UNAVAILABLE
                    && !response.headers().contains_key(header::CONTENT_TYPE);
                if bare {
                    AppError::Timeout(limit).into_response()
                } else {
                    response
                }
            },
        ))
}

/// Admits at most `max` requests at once across all routes (one semaphore, not one per
/// route) and refuses the rest at once with 503 and `Retry-After`, so clients back off
/// instead of waiting in a queue the server cannot bound.
pub fn shed_load(router: Router, max: usize) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded))
            .layer(LoadShedLayer::new())
            .layer(GlobalConcurrencyLimitLayer::new(max)),
    )
}

async fn overloaded(error: BoxError) -> Result<Response, Infallible> {
    let error = if error.is::<Overloaded>() {
        AppError::Overloaded
    } else {
        AppError::Internal(format!("middleware failed: {error}"))
    };
    Ok(error.into_response())
}
