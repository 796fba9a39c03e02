//! HTTP endpoints: `/healthz` (alive), `/readyz` (a valid desired state loaded and one pass
//! finished), `/metrics` (Prometheus text), `/status` (every resource's conditions, JSON).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::Shared;

/// Serves the endpoints on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/status", get(status))
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

async fn readyz(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let health = shared.health();
    match health.not_ready_reason() {
        None => (StatusCode::OK, "ready\n".to_owned()),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let text = shared.metrics(|metrics| metrics.render());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}

async fn status(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let health = shared.health();
    let resources: Vec<_> = shared.status(|board| board.all().cloned().collect());
    axum::Json(json!({
        "revision": health.revision,
        "passes": health.passes,
        "ready": health.not_ready_reason().is_none(),
        "desiredStateErrors": health.invalid,
        "resources": resources,
    }))
}
