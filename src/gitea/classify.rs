//! Every Gitea answer becomes a typed result or a neutral error, here.
//!
//! Error bodies are `{"message": "…", "url": "…"}` (a 404 adds `"errors": []`); Gitea sends no
//! codes, so the messages of §3.4 a caller must tell apart get an [`ErrorCode`]. Quoted text is
//! always capped, and the login's password and one-time code are cut out of it should a server
//! ever echo them.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ErrorCode, Flavor};
use crate::error::{AuthFailure, Error, Result};
use crate::model::PatId;
use crate::quote::cap;
use crate::transport::{HttpResponse, Operation};

/// The field names Gitea's token answers use (the only keys a decode error of a sensitive answer
/// may show).
pub(crate) const SCHEMA_FIELDS: &[&str] =
    &["id", "name", "sha1", "token_last_eight", "scopes", "created_at", "last_used_at", "repositories"];

/// What a request was, for classifying its answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asked<'a> {
    /// The operation.
    pub(crate) op: Operation,
    /// The token the call was about (a 404 is then [`Error::NotFound`] for it).
    pub(crate) id: Option<&'a PatId>,
    /// Whether the request was a password login (management) that carried a one-time code;
    /// `None` for a call made with a token.
    pub(crate) otp_sent: Option<bool>,
    /// Gitea or Forgejo (for hints).
    pub(crate) flavor: Flavor,
    /// Text that must never be quoted (the login's password and one-time code).
    pub(crate) scrub: &'a [&'a str],
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// The message of an error answer: JSON `message`, else plain text unless the operation is
/// sensitive (text that is not Gitea's shape could be anything) or it is HTML. Capped, scrubbed.
fn message(response: &HttpResponse, asked: &Asked<'_>) -> Option<String> {
    let body = response.body();
    let text = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => match parsed.message? {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
        Err(_) => {
            let text = std::str::from_utf8(body).ok()?.trim();
            if text.is_empty() || text.starts_with('<') || asked.op.is_sensitive() {
                return None;
            }
            text.to_owned()
        }
    };
    Some(cap(scrub(text, asked.scrub)))
}

/// `text` with every one of `secrets` (empty ones aside) replaced by `[REDACTED]`.
fn scrub(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, "[REDACTED]");
        }
    }
    text
}

/// `error` with `secrets` cut out of every text it quotes (messages, and a decode error's path
/// and cause, which quote the answer): the last line of defence should a server echo the
/// password or the one-time code anywhere.
pub(crate) fn scrubbed(error: Error, secrets: &[&str]) -> Error {
    let s = |text: Option<String>| text.map(|t| scrub(t, secrets));
    match error {
        Error::AuthRequired { reason, message, hint } => Error::AuthRequired { reason, message: s(message), hint },
        Error::Forbidden { code, message } => Error::Forbidden { code, message: scrub(message, secrets) },
        Error::Rejected { code, message } => Error::Rejected { code, message: s(message) },
        Error::PolicyViolation { code, message } => Error::PolicyViolation { code, message: s(message) },
        Error::RateLimited { retry_after, message } => Error::RateLimited { retry_after, message: s(message) },
        Error::Api { status, code, message } => Error::Api { status, code, message: s(message) },
        Error::Decode { path, source } => {
            Error::Decode { path: scrub(path, secrets), source: scrub(source.to_string(), secrets).into() }
        }
        other => other,
    }
}

/// What patkit tells a caller whose password login was refused: whether a one-time code may be
/// missing, or the one sent may be wrong.
pub(crate) fn login_hint(flavor: Flavor, otp_sent: bool) -> String {
    let (forge, header) = (flavor.name(), flavor.otp_header_display());
    if otp_sent {
        format!(
            "{forge} refused the password login that carried a one-time code ({header}): the code may be wrong or \
             used up (each is good once, for about 30 seconds), or the user name or password is wrong"
        )
    } else {
        format!(
            "{forge} refused the password login: check the user name and password ({forge} mints and lists tokens \
             only with the account's password, never with a token; accounts that sign in only through SSO have none). \
             If the account uses two-factor authentication, a one-time code is missing: add one with \
             PasswordCredential::with_one_time_code, with_one_time_code_from_env or with_one_time_code_prompt \
             (sent as {header})"
        )
    }
}

/// Whether a body is an HTML page (a sign-in page of a proxy in front of Gitea).
fn is_html(response: &HttpResponse) -> bool {
    let html_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    html_type || response.body().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// `Ok(())` for a 2xx with a body that is no HTML page; else the neutral error. A redirect (never
/// followed) or an HTML page instead of JSON is a sign-in in front of Gitea (an SSO proxy):
/// [`Error::AuthRequired`].
pub(crate) fn check(response: &HttpResponse, asked: &Asked<'_>, now: DateTime<Utc>) -> Result<()> {
    let status = response.status().as_u16();
    let hint = || asked.otp_sent.map(|otp| Cow::Owned(login_hint(asked.flavor, otp)));
    if (200..300).contains(&status) {
        if is_html(response) {
            return Err(Error::AuthRequired { reason: AuthFailure::HtmlBody, message: None, hint: hint() });
        }
        return Ok(());
    }
    if (300..400).contains(&status) {
        return Err(Error::AuthRequired { reason: AuthFailure::Redirect, message: None, hint: hint() });
    }
    let message = message(response, asked);
    Err(match status {
        401 => Error::AuthRequired { reason: AuthFailure::Unauthorized, message, hint: hint() },
        403 => Error::Forbidden { code: None, message: message.unwrap_or_else(|| "403 Forbidden".to_owned()) },
        404 if asked.id.is_some() => Error::NotFound { id: asked.id.cloned() },
        429 => Error::RateLimited { retry_after: crate::transport::retry_after(response.headers(), now), message },
        _ => match message.as_deref().and_then(|m| ErrorCode::of_message(status, m)) {
            Some(code) => Error::Rejected { code: code.code(), message },
            None => Error::Api { status, code: None, message },
        },
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

    pub(crate) fn asked(otp_sent: Option<bool>) -> Asked<'static> {
        Asked { op: OP, id: None, otp_sent, flavor: Flavor::Gitea, scrub: &[] }
    }

    const URL: &str = r#""url":"https://gitea.example/api/swagger""#;

    #[test]
    fn the_sheets_errors_become_neutral_errors() {
        let body = |m: &str| format!(r#"{{"message":"{m}",{URL}}}"#);
        match check(
            &respond(403, &body("doer should be the site admin or be same as the contextUser")),
            &asked(Some(false)),
            now(),
        ) {
            Err(Error::Forbidden { code: None, message }) => assert!(message.starts_with("doer should be")),
            other => panic!("{other:?}"),
        }
        match check(&respond(400, &body("access token name has been used already")), &asked(Some(false)), now()) {
            Err(Error::Rejected { code, message: Some(m) }) => {
                assert_eq!(ErrorCode::from(&code), ErrorCode::NameTaken);
                assert_eq!(m, "access token name has been used already");
            }
            other => panic!("{other:?}"),
        }
        let scope = body("invalid access token scope provided: invalid access token scope: repo");
        assert!(matches!(check(&respond(400, &scope), &asked(Some(false)), now()),
            Err(Error::Rejected { ref code, .. }) if *code == "invalid_scope"));
        assert!(matches!(check(&respond(400, &body("access token must have a scope")), &asked(Some(false)), now()),
            Err(Error::Rejected { ref code, .. }) if *code == "no_scope"));
        assert!(matches!(check(&respond(422, &body("multiple matches for token name")), &asked(Some(false)), now()),
            Err(Error::Rejected { ref code, .. }) if *code == "ambiguous_name"));
        match check(&respond(422, &body("[Name]: Required")), &asked(Some(false)), now()) {
            Err(Error::Api { status: 422, code: None, message: Some(m) }) => assert_eq!(m, "[Name]: Required"),
            other => panic!("{other:?}"),
        }
        let id = PatId::new("7");
        let not_found = format!(r#"{{"message":"The target couldn't be found.",{URL},"errors":[]}}"#);
        let about = Asked { id: Some(&id), ..asked(Some(false)) };
        assert!(
            matches!(check(&respond(404, &not_found), &about, now()), Err(Error::NotFound { id: Some(ref got) }) if *got == id)
        );
        assert!(matches!(
            check(&respond(404, &not_found), &asked(Some(false)), now()),
            Err(Error::Api { status: 404, .. })
        ));
        assert!(check(&respond(204, ""), &about, now()).is_ok());
    }

    #[test]
    fn a_refused_login_says_whether_a_one_time_code_may_be_missing() {
        let refused = format!(r#"{{"message":"auth required",{URL}}}"#);
        match check(&respond(401, &refused), &asked(Some(false)), now()) {
            Err(Error::AuthRequired { message: Some(m), hint: Some(h), .. }) => {
                assert_eq!(m, "auth required");
                assert!(h.contains("one-time code is missing") && h.contains("X-Gitea-OTP"), "{h}");
            }
            other => panic!("{other:?}"),
        }
        let forgejo = Asked { flavor: Flavor::Forgejo, ..asked(Some(true)) };
        match check(&respond(401, &refused), &forgejo, now()) {
            Err(Error::AuthRequired { hint: Some(h), .. }) => {
                assert!(h.contains("may be wrong") && h.contains("X-Forgejo-OTP") && !h.contains("is missing"), "{h}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check(&respond(401, &refused), &asked(None), now()),
            Err(Error::AuthRequired { hint: None, .. })
        ));
    }

    #[test]
    fn an_echoed_password_or_code_is_cut_out_and_text_is_capped() {
        let scrub = ["pw-CANARY", "271828"];
        let echo = Asked { scrub: &scrub, ..asked(Some(true)) };
        let body = r#"{"message":"user alice with password pw-CANARY and code 271828 is wrong"}"#;
        let err = check(&respond(401, body), &echo, now()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("CANARY") && !shown.contains("271828"), "{shown}");
        assert!(shown.contains("[REDACTED]"), "{shown}");
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(100_000));
        let err = check(&respond(500, &long), &asked(Some(false)), now()).unwrap_err();
        assert!(err.to_string().len() < crate::quote::MAX_QUOTED + 100);
        let sensitive = Asked { op: Operation::not_idempotent("mint").sensitive(), ..asked(Some(false)) };
        let err = check(&respond(502, "upstream said 9fcb1158165773dd010fca5f0cf7174316c3e37d"), &sensitive, now())
            .unwrap_err();
        assert!(!err.to_string().contains("9fcb"), "{err}");
        let html = check(&respond(500, "<html>oops</html>"), &asked(Some(false)), now()).unwrap_err();
        assert!(matches!(html, Error::Api { status: 500, message: None, .. }));
    }

    #[test]
    fn a_decode_error_quoting_an_echoed_password_is_scrubbed() {
        let body = br#"[{"id":"pw-CANARY","name":"n"}]"#;
        let err =
            crate::client::decode::json::<Vec<crate::gitea::wire::TokenWire>>(body, OP, SCHEMA_FIELDS).unwrap_err();
        assert!(format!("{}", std::error::Error::source(&err).unwrap()).contains("pw-CANARY"), "the premise");
        let err = scrubbed(err, &["pw-CANARY"]);
        let shown = format!("{err} {err:?} {}", std::error::Error::source(&err).unwrap());
        assert!(!shown.contains("CANARY") && shown.contains("[REDACTED]"), "{shown}");
        let api = scrubbed(Error::Api { status: 500, code: None, message: Some("x 271828 y".into()) }, &["271828", ""]);
        assert!(matches!(api, Error::Api { message: Some(ref m), .. } if m == "x [REDACTED] y"));
    }

    #[test]
    fn a_redirect_or_an_html_page_is_a_sign_in_in_front_of_gitea() {
        let redirect = http::Response::builder()
            .status(302)
            .header("location", "https://sso.example/login")
            .body(Vec::new())
            .unwrap();
        assert!(matches!(
            check(&redirect, &asked(Some(false)), now()),
            Err(Error::AuthRequired { reason: AuthFailure::Redirect, hint: Some(_), .. })
        ));
        let page = respond(200, "  <!DOCTYPE html><html>sign in</html>");
        assert!(matches!(
            check(&page, &asked(Some(false)), now()),
            Err(Error::AuthRequired { reason: AuthFailure::HtmlBody, .. })
        ));
        let typed = http::Response::builder()
            .status(200)
            .header("content-type", "text/html; charset=utf-8")
            .body(b"hi".to_vec())
            .unwrap();
        assert!(matches!(
            check(&typed, &asked(Some(false)), now()),
            Err(Error::AuthRequired { reason: AuthFailure::HtmlBody, .. })
        ));
        assert!(check(&respond(200, "[]"), &asked(Some(false)), now()).is_ok());
        assert!(check(&respond(204, ""), &asked(Some(false)), now()).is_ok());
    }

    #[test]
    fn a_proxys_429_is_rate_limited_with_retry_after() {
        let response = http::Response::builder().status(429).header("retry-after", "7").body(Vec::new()).unwrap();
        assert_eq!(
            check(&response, &asked(Some(false)), now()).unwrap_err().retry_after(),
            Some(std::time::Duration::from_secs(7))
        );
    }
}
