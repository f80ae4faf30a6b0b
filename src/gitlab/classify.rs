//! Every GitLab answer becomes a typed result or a neutral error, here.
//!
//! Error bodies come in two shapes (§2.6): `{"message": "…"}` (a string, or a map of field →
//! messages) and `{"error": "…", "error_description": "…"}`; a 429 is plain text (`Retry later`).
//! Quoted text is always capped ([`cap`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::{AuthFailure, Error, Result, ServiceCode};
use crate::model::PatId;
use crate::quote::cap;
use crate::transport::{HttpResponse, Operation};

/// What patkit tells a caller whose GitLab credential was refused.
pub(crate) const AUTH_HINT: &str = "GitLab did not accept the credential: use an access token (PRIVATE-TOKEN) or OAuth \
                                    token that is neither expired nor revoked, with the `api` scope for writes";

/// The field names GitLab's token answers use (the only keys a decode error of a sensitive answer
/// may show).
pub(crate) const SCHEMA_FIELDS: &[&str] = &[
    "id",
    "name",
    "revoked",
    "created_at",
    "description",
    "scopes",
    "user_id",
    "last_used_at",
    "active",
    "expires_at",
    "access_level",
    "token",
    "expired",
    "groups",
    "projects",
    "web_url",
    "path_with_namespace",
];

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// What the body said: the service's code (`error` when it came with an `error_description`),
/// the message, and the fields of a validation map.
struct Said {
    code: Option<ServiceCode>,
    message: Option<String>,
    fields: Vec<String>,
}

fn said(response: &HttpResponse, op: Operation) -> Said {
    let body = response.body();
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        // Plain text (a 429's `Retry later`): quoted, capped, unless the operation is sensitive
        // (text that is not GitLab's error shape could be anything); HTML never.
        let text = std::str::from_utf8(body)
            .ok()
            .map(str::trim)
            .filter(|t| !t.is_empty() && !t.starts_with('<') && (!op.is_sensitive() || *t == "Retry later"));
        return Said { code: None, message: text.map(|t| cap(t.to_owned())), fields: Vec::new() };
    };
    let mut fields = Vec::new();
    let message = match parsed.message {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Object(map)) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(field, msgs)| {
                    fields.push(field.clone());
                    let msgs = match msgs {
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", "),
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{field} {msgs}")
                })
                .collect();
            Some(parts.join("; "))
        }
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let (code, message) = match (parsed.error, parsed.error_description, message) {
        (Some(code), Some(description), _) => (Some(ServiceCode::new(cap(code))), Some(description)),
        (Some(error), None, None) => (None, Some(error)),
        (error, _, message) => (error.map(|e| ServiceCode::new(cap(e))), message),
    };
    Said { code, message: message.map(cap), fields: fields.into_iter().map(cap).collect() }
}

/// `Ok(())` for a 2xx; else the neutral error. `id` is the token the call was about (a 404 is
/// then [`Error::NotFound`]); a 401 is [`Error::AuthRequired`] here, which the client turns into
/// `NotFound` when a probe shows the credential itself is fine.
pub(crate) fn check(response: &HttpResponse, op: Operation, id: Option<&PatId>, now: DateTime<Utc>) -> Result<()> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let Said { code, message, fields } = said(response, op);
    Err(match status {
        401 => Error::AuthRequired { reason: AuthFailure::Unauthorized, message, hint: Some(AUTH_HINT.into()) },
        403 => Error::Forbidden { code, message: message.unwrap_or_else(|| "403 Forbidden".to_owned()) },
        404 if id.is_some() => Error::NotFound { id: id.cloned() },
        429 => Error::RateLimited { retry_after: retry_after(response, now), message },
        400 | 422 if fields.iter().any(|f| f == "expires_at") => {
            Error::PolicyViolation { code: ServiceCode::new("expires_at"), message }
        }
        _ => Error::Api { status, code, message },
    })
}

/// `Retry-After`, else `RateLimit-Reset` (Unix seconds) relative to `now`.
pub(crate) fn retry_after(response: &HttpResponse, now: DateTime<Utc>) -> Option<Duration> {
    crate::transport::retry_after(response.headers(), now).or_else(|| {
        let reset = response.headers().get("ratelimit-reset")?.to_str().ok()?.trim().parse::<i64>().ok()?;
        let at = DateTime::<Utc>::from_timestamp(reset, 0)?;
        Some((at - now).to_std().unwrap_or(Duration::ZERO))
    })
}

/// Decodes a JSON answer into `T` with the shared capped decoder.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(response: &HttpResponse, op: Operation) -> Result<T> {
    crate::client::decode::json(response.body(), op, SCHEMA_FIELDS)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const OP: Operation = Operation::idempotent("t");

    pub(crate) fn respond(status: u16, body: &str) -> HttpResponse {
        http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap()
    }

    pub(crate) fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn both_error_shapes_become_neutral_errors() {
        let id = PatId::new("7");
        match check(&respond(401, r#"{"message":"401 Unauthorized"}"#), OP, Some(&id), now()) {
            Err(Error::AuthRequired { message: Some(m), hint: Some(_), .. }) => assert_eq!(m, "401 Unauthorized"),
            other => panic!("{other:?}"),
        }
        let expired = r#"{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}"#;
        match check(&respond(401, expired), OP, None, now()) {
            Err(Error::AuthRequired { message: Some(m), .. }) => assert!(m.starts_with("Token is expired")),
            other => panic!("{other:?}"),
        }
        let scope = r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}"#;
        match check(&respond(403, scope), OP, None, now()) {
            Err(Error::Forbidden { code: Some(c), message }) => {
                assert_eq!(c, "insufficient_scope");
                assert!(message.starts_with("The request requires"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(check(&respond(404, r#"{"message":"404 Not found"}"#), OP, Some(&id), now()), Err(Error::NotFound { id: Some(ref got) }) if *got == id)
        );
        match check(&respond(400, r#"{"error":"name is missing, scopes is missing"}"#), OP, None, now()) {
            Err(Error::Api { status: 400, code: None, message: Some(m) }) => {
                assert_eq!(m, "name is missing, scopes is missing")
            }
            other => panic!("{other:?}"),
        }
        match check(&respond(400, r#"{"message":{"expires_at":["must be before 2025-06-01"]}}"#), OP, None, now()) {
            Err(Error::PolicyViolation { code, message: Some(m) }) => {
                assert_eq!(code, "expires_at");
                assert_eq!(m, "expires_at must be before 2025-06-01");
            }
            other => panic!("{other:?}"),
        }
        match check(&respond(400, r#"{"message":"400 Bad request - Token already revoked"}"#), OP, Some(&id), now()) {
            Err(Error::Api { status: 400, message: Some(m), .. }) => assert!(m.ends_with("Token already revoked")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_text_429_is_rate_limited_with_retry_after_or_reset() {
        let response =
            http::Response::builder().status(429).header("retry-after", "30").body(b"Retry later".to_vec()).unwrap();
        match check(&response, OP, None, now()) {
            Err(Error::RateLimited { retry_after, message }) => {
                assert_eq!(retry_after, Some(Duration::from_secs(30)));
                assert_eq!(message.as_deref(), Some("Retry later"));
            }
            other => panic!("{other:?}"),
        }
        let reset = (now().timestamp() + 12).to_string();
        let response = http::Response::builder().status(429).header("ratelimit-reset", reset).body(Vec::new()).unwrap();
        assert_eq!(check(&response, OP, None, now()).unwrap_err().retry_after(), Some(Duration::from_secs(12)));
    }

    #[test]
    fn plain_text_of_a_sensitive_answer_is_never_quoted() {
        let sensitive = Operation::not_idempotent("mint").sensitive();
        let err = check(&respond(502, "upstream said glpat-CANARY"), sensitive, None, now()).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("CANARY"), "{err:?}");
        let err = check(&respond(502, "upstream said glpat-x"), OP, None, now()).unwrap_err();
        assert!(err.to_string().contains("upstream said"), "{err}");
        let limited = check(&respond(429, "Retry later"), sensitive, None, now()).unwrap_err();
        assert!(matches!(limited, Error::RateLimited { message: Some(ref m), .. } if m == "Retry later"));
    }

    #[test]
    fn quoted_text_is_capped() {
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(100_000));
        let err = check(&respond(500, &long), OP, None, now()).unwrap_err();
        assert!(err.to_string().len() < crate::quote::MAX_QUOTED + 100);
    }
}
