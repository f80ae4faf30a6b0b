//! The service facts the emulator answers with, spelled here from the fact sheet
//! (`forges-pat-api.md` §2) and never borrowed from the GitLab client: operation names, the scope
//! vocabulary, lifetimes, page sizes and the exact error texts.

use http::StatusCode;
use serde_json::json;

use super::wire::{json_response, plain_message};
use crate::transport::HttpResponse;

/// Every scope a personal access token may carry (§2.10).
pub(crate) const SCOPES: &[&str] = &[
    "api",
    "read_api",
    "read_user",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "self_rotate",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "ai_features",
    "sudo",
    "admin_mode",
    "read_service_ping",
];

/// Scopes only an administrator's token may carry (§2.10); project and group access tokens never
/// carry them, nor `read_user` (their bot is not a person).
pub(crate) const ADMIN_ONLY_SCOPES: &[&str] = &["sudo", "admin_mode", "read_service_ping"];

/// The only scopes `POST /user/personal_access_tokens` accepts (§2.3).
pub(crate) const SELF_CREATE_SCOPES: &[&str] = &["k8s_proxy", "self_rotate"];

/// Longest lifetime of a token, in days from today (§2.11).
pub(crate) const MAX_LIFETIME_DAYS: i64 = 365;

/// The rotate default when expiry is required and `expires_at` is omitted (§2.11).
pub(crate) const ROTATE_DEFAULT_DAYS: i64 = 7;

/// Page size default and cap (§2.8).
pub(crate) const DEFAULT_PER_PAGE: usize = 20;
/// Page size cap (§2.8).
pub(crate) const MAX_PER_PAGE: usize = 100;
/// Above this many results `x-total`, `x-total-pages` and `rel="last"` are omitted (§2.8).
pub(crate) const TOTAL_LIMIT: usize = 10_000;

/// `last_used_at` moves at most this often (§2.7).
pub(crate) const LAST_USED_GRANULARITY_MINUTES: i64 = 10;

/// Project/group access levels (guest … owner).
pub(crate) const ACCESS_LEVELS: &[u8] = &[10, 20, 30, 40, 50];
/// Maintainer: the least level that manages resource access tokens.
pub(crate) const MAINTAINER: u8 = 40;

/// Missing, unknown or garbage credential, and a foreign or unknown token id for a non-admin
/// (§2.6, §2.4).
pub(crate) fn unauthorized() -> HttpResponse {
    plain_message(StatusCode::UNAUTHORIZED, "401 Unauthorized")
}

/// An expired credential (§2.6).
pub(crate) fn expired_credential() -> HttpResponse {
    invalid_token("Token is expired. You can either do re-authorization or token refresh.")
}

/// A revoked credential (§2.6).
pub(crate) fn revoked_credential() -> HttpResponse {
    invalid_token("Token was revoked. You have to re-authorize from the user.")
}

fn invalid_token(description: &str) -> HttpResponse {
    json_response(StatusCode::UNAUTHORIZED, &json!({"error": "invalid_token", "error_description": description}))
}

/// The credential lacks every one of `scopes` (§2.6); the `scope` field names them, space-separated.
pub(crate) fn insufficient_scope(scopes: &[&str]) -> HttpResponse {
    json_response(
        StatusCode::FORBIDDEN,
        &json!({
            "error": "insufficient_scope",
            "error_description": "The request requires higher privileges than provided by the access token.",
            "scope": scopes.join(" "),
        }),
    )
}

/// `{"message":"403 Forbidden"}` (§2.6).
pub(crate) fn forbidden() -> HttpResponse {
    plain_message(StatusCode::FORBIDDEN, "403 Forbidden")
}

/// A non-admin sent `Sudo` (§2.5).
pub(crate) fn sudo_not_admin() -> HttpResponse {
    plain_message(StatusCode::FORBIDDEN, "403 Forbidden - Must be admin to use sudo")
}

/// `{"message":"404 <what> Not Found"}`, e.g. `404 Not found` for a token (§2.6).
pub(crate) fn not_found(message: &str) -> HttpResponse {
    plain_message(StatusCode::NOT_FOUND, message)
}

/// Grape's parameter errors: `{"error":"name is missing, scopes is missing"}` (§2.6).
pub(crate) fn param_errors(errors: &[String]) -> HttpResponse {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": errors.join(", ")}))
}

/// A model validation error on one field: `{"message":{"field":["text"]}}` (§2.6).
pub(crate) fn validation(field: &str, text: &str) -> HttpResponse {
    json_response(StatusCode::BAD_REQUEST, &json!({"message": {field: [text]}}))
}

/// `bad_request!(reason)`: `{"message":"400 Bad request - <reason>"}`, or without a reason
/// `{"message":"400 Bad request"}` (§2.6, §2.12).
pub(crate) fn bad_request(reason: Option<&str>) -> HttpResponse {
    match reason {
        Some(r) => plain_message(StatusCode::BAD_REQUEST, &format!("400 Bad request - {r}")),
        None => plain_message(StatusCode::BAD_REQUEST, "400 Bad request"),
    }
}

/// A non-PAT credential on `GET`/`DELETE …/self` (§2.4).
pub(crate) fn requires_pat() -> HttpResponse {
    plain_message(
        StatusCode::BAD_REQUEST,
        "400 Bad request - This endpoint requires token type to be a personal access token",
    )
}

/// A non-PAT credential on `POST …/self/rotate` (§2.4: 405).
pub(crate) fn self_rotate_requires_pat() -> HttpResponse {
    plain_message(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed")
}

/// An unmatched route (Grape's own answer).
pub(crate) fn no_route() -> HttpResponse {
    json_response(StatusCode::NOT_FOUND, &json!({"error": "404 Not Found"}))
}
