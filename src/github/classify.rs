//! Every GitHub answer becomes a typed result or a neutral error, here (§4.8, §4.10).
//!
//! Error bodies are `{"message", "documentation_url", "status"}`; a 422 adds
//! `"errors": [{"resource", "field", "code", "message"}]`. Quoted text is capped.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::ErrorCode;
use super::rate_limit::refusal_wait;
use crate::error::{AuthFailure, Error, Result};
use crate::model::PatId;
use crate::quote::cap;
use crate::transport::{HttpResponse, Operation};

/// What a request was, for classifying its answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asked<'a> {
    /// The operation.
    pub(crate) op: Operation,
    /// The grant, request or authorization the call was about: a 404 is then
    /// [`Error::NotFound`] for it.
    pub(crate) id: Option<&'a PatId>,
    /// A credential-authorization (SAML) call: a 404 is then [`ErrorCode::SamlNotEnabled`].
    pub(crate) saml: bool,
    /// A fine-grained PAT administration call: a 403 is then [`ErrorCode::AppRequired`]
    /// when the message says a personal access token was refused.
    pub(crate) app_only: bool,
}

impl Asked<'_> {
    pub(crate) fn op(op: Operation) -> Asked<'static> {
        Asked { op, id: None, saml: false, app_only: false }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Debug, Default, Deserialize)]
struct FieldError {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// `Ok(())` for a 2xx; else the neutral error.
pub(crate) fn check(response: &HttpResponse, asked: &Asked<'_>, now: DateTime<Utc>) -> Result<()> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let body: ErrorBody = if asked.op.is_sensitive() && status < 400 {
        ErrorBody::default()
    } else {
        serde_json::from_slice(response.body()).unwrap_or_default()
    };
    let message = body.message.clone().map(|m| cap(redact(&m)));
    if let Some(retry_after) = refusal_wait(status, response.headers(), message.as_deref(), now) {
        return Err(Error::RateLimited { retry_after, message });
    }
    let text = || message.clone().unwrap_or_else(|| format!("HTTP {status}"));
    let names_saml = message.as_deref().is_some_and(|m| m.contains("SAML"));
    Err(match status {
        401 => Error::AuthRequired { reason: AuthFailure::Unauthorized, message, hint: None },
        403 if response.headers().contains_key("x-github-sso") => {
            Error::Forbidden { code: Some(ErrorCode::SamlSsoRequired.code()), message: text() }
        }
        403 if asked.app_only && message.as_deref().is_some_and(|m| m.contains("personal access token")) => {
            Error::Forbidden { code: Some(ErrorCode::AppRequired.code()), message: text() }
        }
        403 => Error::Forbidden { code: None, message: text() },
        404 | 400 | 422 if asked.saml && (status == 404 || names_saml) => {
            Error::Rejected { code: ErrorCode::SamlNotEnabled.code(), message: Some(saml_hint(message)) }
        }
        404 if asked.id.is_some() => Error::NotFound { id: asked.id.cloned() },
        422 => {
            let first = body.errors.first();
            let code = first
                .and_then(|e| e.code.clone())
                .map_or(ErrorCode::ValidationFailed, |c| ErrorCode::Validation(cap(redact(&c))));
            let detail = first.map(|e| {
                let field = e.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default();
                redact(&format!("{field}{}", e.message.as_deref().or(e.code.as_deref()).unwrap_or("invalid")))
            });
            let message = match (message, detail) {
                (Some(m), Some(d)) => Some(cap(format!("{m} ({d})"))),
                (m, d) => m.or(d.map(cap)),
            };
            Error::Rejected { code: code.code(), message }
        }
        _ => Error::Api { status, code: None, message },
    })
}

fn saml_hint(message: Option<String>) -> String {
    let said = message.map(|m| format!(" (GitHub: {m})")).unwrap_or_default();
    format!(
        "the organization has no SAML credential authorizations to manage: SAML single sign-on is a GitHub \
         Enterprise Cloud feature, and this organization does not use it, or does not exist for this caller{said}"
    )
}

/// Decodes a JSON answer into `T` with the shared capped decoder; a decode error's path and
/// cause go through [`redact`].
pub(crate) fn decode<T: serde::de::DeserializeOwned>(response: &HttpResponse, op: Operation) -> Result<T> {
    crate::client::decode::json(response.body(), op, &[]).map_err(|e| match e {
        Error::Decode { path, source } => {
            Error::Decode { path: redact(&path), source: redact(&source.to_string()).into() }
        }
        other => other,
    })
}

/// `text` with every word that looks like a credential replaced by `[REDACTED]`: a GitHub token
/// (`ghp_`, `github_pat_`, `gho_`, `ghu_`, `ghs_`, `ghr_`), a JWT (`eyJ…`), or any run of 32 or
/// more token characters (a pre-2021 40-hex token). GitHub does not echo credentials; this is
/// the last line of defence should an answer (or a proxy's) ever do so.
pub(crate) fn redact(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '/' | '=');
    let looks_secret = |word: &str| {
        ["ghp_", "github_pat_", "gho_", "ghu_", "ghs_", "ghr_", "eyJ"].iter().any(|p| word.starts_with(p))
            || word.len() >= 32
    };
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_secret(word) {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ServiceCode;

    const OP: Operation = Operation::idempotent("t");

    pub(crate) fn respond(status: u16, body: &str) -> HttpResponse {
        http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn code(e: &Error) -> Option<ErrorCode> {
        let code: Option<&ServiceCode> = match e {
            Error::Forbidden { code, .. } | Error::Api { code, .. } => code.as_ref(),
            Error::Rejected { code, .. } => Some(code),
            _ => None,
        };
        code.map(ErrorCode::from)
    }

    #[test]
    fn the_sheets_errors_become_neutral_errors() {
        let asked = Asked::op(OP);
        let bad = r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#;
        assert!(matches!(check(&respond(401, bad), &asked, now()),
            Err(Error::AuthRequired { reason: AuthFailure::Unauthorized, message: Some(ref m), .. }) if m == "Bad credentials"));

        let id = PatId::new("25381");
        let about = Asked { id: Some(&id), ..asked };
        let nf = r#"{"message":"Not Found","documentation_url":"…","status":"404"}"#;
        assert!(
            matches!(check(&respond(404, nf), &about, now()), Err(Error::NotFound { id: Some(ref i) }) if *i == id)
        );
        assert!(matches!(check(&respond(404, nf), &asked, now()), Err(Error::Api { status: 404, .. })));

        let invalid = r#"{"message":"Validation Failed","errors":[{"resource":"PersonalAccessTokenRequest","field":"reason","code":"invalid","message":"reason is too long"}],"documentation_url":"…"}"#;
        let err = check(&respond(422, invalid), &asked, now()).unwrap_err();
        assert_eq!(code(&err), Some(ErrorCode::Validation("invalid".into())));
        assert!(err.to_string().contains("reason: reason is too long"), "{err}");
        let bare = check(&respond(422, r#"{"message":"Validation Failed"}"#), &asked, now()).unwrap_err();
        assert_eq!(code(&bare), Some(ErrorCode::ValidationFailed));
    }

    #[test]
    fn saml_enforcement_app_only_endpoints_and_orgs_without_saml_have_codes() {
        let sso = http::Response::builder()
            .status(403)
            .header("x-github-sso", "required; url=https://github.com/orgs/acme/sso?authorization_request=AbC")
            .body(br#"{"message":"Resource protected by organization SAML enforcement. You must grant your personal token access to this organization."}"#.to_vec())
            .unwrap();
        let err = check(&sso, &Asked::op(OP), now()).unwrap_err();
        assert_eq!(code(&err), Some(ErrorCode::SamlSsoRequired));
        assert!(matches!(err, Error::Forbidden { .. }));

        let pat = respond(403, r#"{"message":"Resource not accessible by personal access token"}"#);
        let app_only = Asked { app_only: true, ..Asked::op(OP) };
        assert_eq!(code(&check(&pat, &app_only, now()).unwrap_err()), Some(ErrorCode::AppRequired));
        assert_eq!(code(&check(&pat, &Asked::op(OP), now()).unwrap_err()), None);

        let saml = Asked { saml: true, ..Asked::op(OP) };
        let err = check(&respond(404, r#"{"message":"Not Found"}"#), &saml, now()).unwrap_err();
        assert_eq!(code(&err), Some(ErrorCode::SamlNotEnabled));
        assert!(err.to_string().contains("GitHub Enterprise Cloud"), "{err}");
        let named = respond(422, r#"{"message":"This organization does not have SAML enabled"}"#);
        assert_eq!(code(&check(&named, &saml, now()).unwrap_err()), Some(ErrorCode::SamlNotEnabled));
    }

    #[test]
    fn credentials_in_answers_are_never_quoted() {
        let echo = r#"{"message":"token ghs_CANARYinstall0000 and jwt eyJhbGciOiJSUzI1NiJ9.CANARY.sig and 0123456789abcdef0123456789abcdefCANARY refused"}"#;
        let err = check(&respond(400, echo), &Asked::op(OP), now()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(shown.contains("token [REDACTED] and jwt [REDACTED] and [REDACTED] refused"), "{shown}");
        let listing = respond(200, r#"[{"id":"ghp_CANARYlisted"}]"#);
        let err = decode::<Vec<crate::github::Grant>>(&listing, OP).unwrap_err();
        let shown = format!("{err} {err:?} {}", std::error::Error::source(&err).unwrap());
        assert!(!shown.contains("CANARY"), "{shown}");
        assert_eq!(redact("Not Found"), "Not Found");
        assert_eq!(redact("https://docs.github.com/rest/orgs"), "https://docs.github.com/rest/orgs");
    }

    #[test]
    fn rate_limits_carry_their_wait() {
        let limited = http::Response::builder()
            .status(403)
            .header("retry-after", "42")
            .body(br#"{"message":"You have exceeded a secondary rate limit."}"#.to_vec())
            .unwrap();
        match check(&limited, &Asked::op(OP), now()) {
            Err(e @ Error::RateLimited { .. }) => assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(42))),
            other => panic!("{other:?}"),
        }
        let primary = http::Response::builder()
            .status(429)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", (now().timestamp() + 5).to_string())
            .body(br#"{"message":"API rate limit exceeded"}"#.to_vec())
            .unwrap();
        assert_eq!(
            check(&primary, &Asked::op(OP), now()).unwrap_err().retry_after(),
            Some(std::time::Duration::from_secs(5))
        );
    }
}
