//! HTTP endpoints: the status page (`/`, with `/page.js` and `/page.css`), `/status` (every
//! resource's conditions and the last pass, JSON), `/changes` (the recent changes, JSON), `/plan` (the last pass's plan, JSON),
//! `/metrics` (Prometheus text), `/healthz` (alive) and `/readyz` (a valid desired state
//! loaded and one pass finished). Every response carries the security headers; with a token,
//! everything but `/healthz` and `/readyz` requires it. Read-only: every route is a GET.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::auth::Token;
use super::page::{self, Filter, View};
use super::shared::Shared;

/// The page may load only its own script, style sheet and JSON, and may not be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Serves the endpoints on `listener` until `shutdown` is cancelled; with `token`, every
/// endpoint but `/healthz` and `/readyz` requires it.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    token: Option<Token>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router(shared, token))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

fn router(shared: Arc<Shared>, token: Option<Token>) -> Router {
    let mut guarded = Router::new()
        .route("/", get(page))
        .route("/page.js", get(script))
        .route("/page.css", get(style))
        .route("/status", get(status))
        .route("/changes", get(changes))
        .route("/plan", get(last_plan))
        .route("/metrics", get(metrics));
    if let Some(token) = token {
        guarded = guarded.route_layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_token,
        ));
    }
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .merge(guarded)
        .layer(middleware::map_response(security_headers))
        .with_state(shared)
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Answers 401 unless the request carries the token. The challenge offers `Basic` too, so a
/// browser asks for it (the password is the token) and sends it with every later request.
async fn require_token(State(token): State<Arc<Token>>, request: Request, next: Next) -> Response {
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| token.authorizes(value));
    if authorized {
        return next.run(request).await;
    }
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "a token is required: Authorization: Bearer <token>\n",
    )
        .into_response();
    let headers = response.headers_mut();
    headers.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"afu9-posture\""),
    );
    headers.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"afu9-posture\", charset=\"UTF-8\""),
    );
    response
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Html<String> {
    let health = shared.health();
    let resources: Vec<_> = shared.status(|board| board.all().cloned().collect());
    let changes: Vec<_> = shared.changes(|c| c.newest_first().cloned().collect());
    let filter = Filter::parse(uri.query());
    Html(page::render(&View {
        health: &health,
        resources: &resources,
        changes: &changes,
        filter: &filter,
    }))
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        page::SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::STYLE,
    )
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
        "role": health.role,
        "leaseHolder": health.lease_holder,
        "desiredStateErrors": health.invalid,
        "refusedRevision": health.refused,
        "held": health.held,
        "acceptedRisks": health.accepted_risks,
        "lastPass": health.last_pass,
        "events": {
            "queue": health.listening,
            "passes": health.event_passes,
            "lastPass": health.last_event_pass,
        },
        "resources": resources,
    }))
}

/// The last pass's plan as `afu9ctl plan -o json` writes it, each drift with its provenance;
/// `null` before the first pass.
async fn last_plan(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    axum::Json(shared.plan())
}

async fn changes(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let changes: Vec<_> = shared.changes(|c| c.newest_first().cloned().collect());
    axum::Json(json!({ "capacity": super::changes::CAPACITY, "changes": changes }))
}
