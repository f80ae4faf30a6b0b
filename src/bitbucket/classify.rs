//! Every Bitbucket answer becomes a typed result or a neutral error, here.
//!
//! Error bodies are `{"errors":[{"context":…,"message":"…","exceptionName":"…"}]}` (§5.5): the
//! first error's `exceptionName` travels as the [`ServiceCode`], the messages (joined with `; `)
//! as the message, always capped. A 400 whose error's `context` is `expiryDays` is a
//! [`Error::PolicyViolation`] (an administrator's required or maximum expiry); other 400s are
//! [`Error::Api`]. Bitbucket answers **401** both for a bad password and for a permission failure
//! (another user's tokens, not an administrator): this layer says [`Error::AuthRequired`], and the
//! client tells the two apart (see [`BitbucketClient`](super::BitbucketClient)).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::{AuthFailure, Error, Result, ServiceCode};
use crate::model::PatId;
use crate::quote::cap;
use crate::transport::{HttpResponse, Operation};

/// What patkit tells a caller whose Bitbucket password was refused.
pub(crate) const AUTH_HINT: &str = "Bitbucket did not accept the user name and password (HTTP Basic): check them, and \
                                    that Basic authentication is enabled (SSO-only instances refuse it)";

/// The field names of Bitbucket's token answers (the only keys a decode error of a create answer
/// may show).
pub(crate) const SCHEMA_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "lastAuthenticated",
    "expiryDays",
    "expiryDate",
    "name",
    "permissions",
    "user",
    "slug",
    "token",
    "size",
    "limit",
    "start",
    "isLastPage",
    "nextPageStart",
    "values",
];

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorItem {
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    exception_name: Option<String>,
}

/// What the body said.
struct Said {
    code: Option<ServiceCode>,
    message: Option<String>,
    contexts: Vec<String>,
}

fn said(response: &HttpResponse, op: Operation) -> Said {
    let body = response.body();
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if !parsed.errors.is_empty() => {
            let code = parsed.errors.iter().find_map(|e| e.exception_name.clone()).map(|c| ServiceCode::new(cap(c)));
            let messages: Vec<&str> = parsed.errors.iter().filter_map(|e| e.message.as_deref()).collect();
            let message = (!messages.is_empty()).then(|| cap(messages.join("; ")));
            let contexts = parsed.errors.iter().filter_map(|e| e.context.clone()).collect();
            Said { code, message, contexts }
        }
        _ => {
            // Not Bitbucket's error shape: plain text is quoted (capped) unless the answer is to
            // a sensitive call (it could be anything); HTML never.
            let text = std::str::from_utf8(body)
                .ok()
                .map(str::trim)
                .filter(|t| !t.is_empty() && !t.starts_with('<') && !t.starts_with('{') && !op.is_sensitive());
            Said { code: None, message: text.map(|t| cap(t.to_owned())), contexts: Vec::new() }
        }
    }
}

/// `Ok(())` for a 2xx; else the neutral error. `id` is the token the call was about (a 404 is
/// then [`Error::NotFound`]).
pub(crate) fn check(response: &HttpResponse, op: Operation, id: Option<&PatId>, now: DateTime<Utc>) -> Result<()> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let Said { code, message, contexts } = said(response, op);
    Err(match status {
        401 => Error::AuthRequired { reason: AuthFailure::Unauthorized, message, hint: Some(AUTH_HINT.into()) },
        403 => Error::Forbidden { code, message: message.unwrap_or_else(|| "403 Forbidden".to_owned()) },
        404 if id.is_some() => Error::NotFound { id: id.cloned() },
        429 => Error::RateLimited { retry_after: crate::transport::retry_after(response.headers(), now), message },
        400 if contexts.iter().any(|c| c == "expiryDays") => {
            Error::PolicyViolation { code: code.unwrap_or_else(|| ServiceCode::new("expiryDays")), message }
        }
        _ => Error::Api { status, code, message },
    })
}

/// Decodes a JSON answer into `T` with the shared capped decoder.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(response: &HttpResponse, op: Operation) -> Result<T> {
    crate::client::decode::json(response.body(), op, SCHEMA_FIELDS)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use super::*;

    const OP: Operation = Operation::idempotent("t");

    pub(crate) fn respond(status: u16, body: &str) -> HttpResponse {
        http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap()
    }

    pub(crate) fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn errors(context: Option<&str>, message: &str, exception: &str) -> String {
        serde_json::json!({"errors": [{"context": context, "message": message, "exceptionName": exception}]})
            .to_string()
    }

    #[test]
    fn the_errors_body_becomes_neutral_errors() {
        let id = PatId::new("075905477751");
        let bad_permission = errors(
            None,
            "Tokens may not have the following permission: ADMIN",
            "com.atlassian.bitbucket.validation.ArgumentValidationException",
        );
        match check(&respond(400, &bad_permission), OP, None, now()) {
            Err(Error::Api { status: 400, code: Some(code), message: Some(m) }) => {
                assert_eq!(code, "com.atlassian.bitbucket.validation.ArgumentValidationException");
                assert_eq!(m, "Tokens may not have the following permission: ADMIN");
            }
            other => panic!("{other:?}"),
        }
        let policy =
            errors(Some("expiryDays"), "Expiry must be at most 90 days", "com.atlassian.x.ValidationException");
        assert!(matches!(check(&respond(400, &policy), OP, None, now()), Err(Error::PolicyViolation { .. })));
        let auth = errors(
            None,
            "Authentication failed. Please check your credentials and try again.",
            "com.atlassian.bitbucket.AuthorisationException",
        );
        match check(&respond(401, &auth), OP, Some(&id), now()) {
            Err(Error::AuthRequired { message: Some(m), hint: Some(_), .. }) => {
                assert!(m.starts_with("Authentication failed"))
            }
            other => panic!("{other:?}"),
        }
        let missing =
            errors(None, "No token with id 075905477751 exists", "com.atlassian.bitbucket.NoSuchEntityException");
        assert!(
            matches!(check(&respond(404, &missing), OP, Some(&id), now()), Err(Error::NotFound { id: Some(ref got) }) if *got == id)
        );
        assert!(matches!(check(&respond(404, &missing), OP, None, now()), Err(Error::Api { status: 404, .. })));
        let two = r#"{"errors":[{"context":"name","message":"a"},{"context":"permissions","message":"b"}]}"#;
        assert!(
            matches!(check(&respond(400, two), OP, None, now()), Err(Error::Api { message: Some(ref m), code: None, .. }) if m == "a; b")
        );
    }

    #[test]
    fn a_429_carries_retry_after_and_text_is_capped_and_never_quoted_for_a_create() {
        let limited = http::Response::builder().status(429).header("retry-after", "5").body(Vec::new()).unwrap();
        assert_eq!(check(&limited, OP, None, now()).unwrap_err().retry_after(), Some(Duration::from_secs(5)));
        let long = errors(None, &"x".repeat(100_000), "E");
        assert!(
            check(&respond(500, &long), OP, None, now()).unwrap_err().to_string().len()
                < crate::quote::MAX_QUOTED + 100
        );
        let sensitive = Operation::not_idempotent("mint").sensitive();
        let err = check(&respond(502, "proxy saw BBDC-CANARY"), sensitive, None, now()).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("CANARY"));
        let err = check(&respond(502, "proxy down"), OP, None, now()).unwrap_err();
        assert!(err.to_string().contains("proxy down"));
    }
}
