//! `POST /api/hooks/git`: a forge (GitHub, Gitea, GitLab) tells the server that the remote moved,
//! and the server pulls at once. The request must be signed with the shared secret (see
//! [`crate::git::webhook`]); its body is read only to check the signature — nothing in it chooses
//! what happens, so the hook can do nothing but pull (fetch and fast-forward the configured
//! upstream). Requests arriving while a pull is queued are coalesced into it.
//!
//! Without a configured secret the route answers 404: there is no webhook, and a 401 would only
//! invite guessing a secret that does not exist.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiResult};
use super::state::AppState;
use crate::git::webhook::{self, Signatures};

/// `POST /api/hooks/git`.
#[utoipa::path(post, path = "/api/hooks/git", tag = "operations",
    request_body(content = String, description = "The forge's event (any body; only its signature matters)"),
    params(
        ("X-Hub-Signature-256" = Option<String>, Header, description = "GitHub: sha256=<hex HMAC-SHA256 of the body>"),
        ("X-Gitea-Signature" = Option<String>, Header, description = "Gitea, Forgejo: <hex HMAC-SHA256 of the body>"),
        ("X-Gitlab-Token" = Option<String>, Header, description = "GitLab: the secret itself"),
    ),
    responses(
        (status = 202, description = "A pull is queued (or one already was)"),
        (status = 401, body = super::api::ErrorBody, description = "Missing or invalid signature"),
        (status = 404, body = super::api::ErrorBody, description = "No webhook secret is configured, or the root is not a git work tree"),
    ))]
pub async fn git(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let Some(secret) = state.config.webhook_secret.as_deref() else {
        return Err(ApiError::not_found(
            "no webhook is configured (set DAFTAR_WEBHOOK_SECRET or [git] webhook_secret)",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signatures = Signatures {
        github: header("x-hub-signature-256"),
        gitea: header("x-gitea-signature"),
        gitlab: header("x-gitlab-token"),
    };
    if let Err(refusal) = webhook::verify(secret, &body, signatures) {
        tracing::warn!(reason = %refusal, "webhook refused");
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", refusal.to_string()));
    }
    let Some(puller) = &state.puller else {
        return Err(ApiError::not_found("the knowledge root is not a git work tree: there is nothing to pull"));
    };
    let queued = puller.trigger();
    tracing::info!(queued, "webhook: pull requested");
    let status = if queued { "queued" } else { "coalesced" };
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "pull": status })).into_response()).into_response())
}
