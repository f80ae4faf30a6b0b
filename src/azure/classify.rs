//! The one place where the service's answers become typed results or typed errors.
//!
//! The service has surprises: a sign-in page with HTTP 203 instead of 401, redirects to
//! `_signin`, HTML bodies, logical errors inside HTTP 200 bodies (`patTokenError`), an error-code
//! enum that keeps growing, and `Retry-After` as seconds or a date. All of that is decided here.

use std::borrow::Cow;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::auth::AUTH_HINT;
use super::wire::{PatTokenResultWire, PatTokenWire, WrappedExceptionWire};
use super::{PatTokenError, Policy};
use crate::azure::operations as op;
use crate::error::{AuthFailure, Error, Result, ServiceCode};
use crate::model::PatId;
use crate::quote::cap;
use crate::transport::{HttpResponse, Operation};

/// Turns any non-success answer into the matching [`Error`]; `Ok(())` for a 2xx JSON (or empty)
/// answer. `now` is used for a `Retry-After` given as a date.
pub(crate) fn check_status(response: &HttpResponse, op: Operation, now: DateTime<Utc>) -> Result<()> {
    let status = response.status().as_u16();
    if status == 203 {
        return Err(auth_required(AuthFailure::SignInPage, None));
    }
    if (300..400).contains(&status) {
        return Err(auth_required(AuthFailure::Redirect, None));
    }
    if is_html(response) {
        return Err(auth_required(AuthFailure::HtmlBody, None));
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    let wrapped = wrapped_exception(response);
    let (code, message) = match wrapped {
        Some(w) => (w.type_key.map(|k| ServiceCode::new(cap(k))), w.message.map(cap)),
        None => (None, None),
    };
    Err(match status {
        401 if op::is_token_admin(op) => Error::AuthRequired {
            reason: AuthFailure::Unauthorized,
            message,
            hint: Some(Cow::Borrowed(ADMIN_AUTH_HINT)),
        },
        401 => auth_required(AuthFailure::Unauthorized, message),
        403 => Error::Forbidden {
            code,
            message: message.unwrap_or_else(|| "the service refused the request (HTTP 403)".to_owned()),
        },
        404 if [op::GET, op::UPDATE, op::REVOKE].contains(&op) => Error::NotFound { id: None },
        429 => Error::RateLimited { retry_after: retry_after(response, now), message },
        _ => Error::Api { status, code, message },
    })
}

/// What to do when Token Admin answers 401.
const ADMIN_AUTH_HINT: &str = "Token Admin also answers 401 when the caller is not an organization administrator \
     (Project Collection Administrator); sign in as one (`az login`) with a Microsoft Entra user token, or use a PAT \
     with the vso.tokenadministration scope";

/// [`Error::AuthRequired`] with Azure DevOps' hint.
fn auth_required(reason: AuthFailure, message: Option<String>) -> Error {
    Error::AuthRequired { reason, message, hint: Some(Cow::Borrowed(AUTH_HINT)) }
}

/// Whether the body is HTML (by content type, or by its first byte when there is none).
fn is_html(response: &HttpResponse) -> bool {
    let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    match content_type {
        Some(ct) => ct.to_ascii_lowercase().contains("text/html"),
        None => response.body().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<'),
    }
}

fn wrapped_exception(response: &HttpResponse) -> Option<WrappedExceptionWire> {
    serde_json::from_slice(response.body()).ok()
}

/// `Retry-After` (seconds, HTTP date, or the `retry-after-ms` forms), relative to `now`: the
/// same reading the retry decorator uses.
pub(crate) fn retry_after(response: &HttpResponse, now: DateTime<Utc>) -> Option<Duration> {
    crate::transport::retry_after(response.headers(), now)
}

/// Field names of the bodies of sensitive answers (a create's `PatTokenResult`): the only keys a
/// sensitive decode error may name.
const SENSITIVE_BODY_FIELDS: &[&str] = &[
    "patToken",
    "patTokenError",
    "patTokenErrorMessage",
    "authorizationId",
    "displayName",
    "scope",
    "targetAccounts",
    "token",
    "validFrom",
    "validTo",
];

/// Decodes a JSON body, naming the failing field; for sensitive operations (create) only the
/// schema's own field names may appear in the error (see [`crate::client::decode`]).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], op: Operation) -> Result<T> {
    crate::client::decode::json(body, op, SENSITIVE_BODY_FIELDS)
}

/// Turns a `PatTokenResult` into its token, or the `patTokenError` into a typed error.
pub(crate) fn pat_token_result(result: PatTokenResultWire, id: Option<&PatId>) -> Result<PatTokenWire> {
    let code = result.pat_token_error.unwrap_or(PatTokenError::None);
    match (code, result.pat_token) {
        (PatTokenError::None, Some(token)) => Ok(token),
        (PatTokenError::None, None) => Err(Error::Decode {
            path: "patToken".to_owned(),
            source: "`patToken` is null but `patTokenError` is `none`".into(),
        }),
        (code, _) => Err(rejection(code, result.pat_token_error_message, id)),
    }
}

/// The typed error for a `patTokenError` other than `none`. An unknown code and the message are
/// kept, capped like every service text (an answer must not be able to grow an error without
/// bound).
pub(crate) fn rejection(code: PatTokenError, message: Option<String>, id: Option<&PatId>) -> Error {
    use PatTokenError as E;
    let message = message.map(cap);
    let code = match code {
        E::Unknown(raw) => E::Unknown(cap(raw)),
        known => known,
    };
    if Policy::from_code(&code).is_some() {
        return Error::PolicyViolation { code: ServiceCode::from(&code), message };
    }
    match code {
        E::TokenNotFound | E::AuthorizationNotFound => Error::NotFound { id: id.cloned() },
        E::AccessDenied => Error::Forbidden {
            code: Some(ServiceCode::from(&code)),
            message: message.unwrap_or_else(|| "access denied to this token".to_owned()),
        },
        code => Error::Rejected { code: ServiceCode::from(&code), message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::MAX_QUOTED;
    use chrono::TimeZone;

    fn response(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
        let mut b = http::Response::builder().status(status);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
    }

    const INVALID_ACCESS: &str = r#"{"$id":"1","innerException":null,"message":"The requested operation is not allowed.","typeName":"Microsoft.TeamFoundation.Framework.Server.InvalidAccessException, Microsoft.TeamFoundation.Framework.Server","typeKey":"InvalidAccessException","errorCode":0,"eventId":3000}"#;

    #[test]
    fn auth_failures_in_all_their_shapes() {
        let cases = [
            (response(203, Some("text/html; charset=utf-8"), "<html>sign in</html>"), AuthFailure::SignInPage),
            (response(302, None, ""), AuthFailure::Redirect),
            (response(200, Some("text/html"), "<!DOCTYPE html>"), AuthFailure::HtmlBody),
            (response(200, None, "  <html>"), AuthFailure::HtmlBody),
            (
                response(
                    401,
                    Some("application/json"),
                    r#"{"message":"TF400813: not authorized","typeKey":"UnauthorizedRequestException"}"#,
                ),
                AuthFailure::Unauthorized,
            ),
        ];
        for (resp, expected) in cases {
            match check_status(&resp, op::LIST, now()) {
                Err(Error::AuthRequired { reason, .. }) => assert_eq!(reason, expected),
                other => panic!("{expected:?}: got {other:?}"),
            }
        }
        let err = check_status(&response(401, None, ""), op::LIST, now()).unwrap_err();
        assert!(err.to_string().contains("Entra"), "hint names Entra: {err}");
    }

    #[test]
    fn the_sign_in_hint_is_azures_and_rides_in_the_hint_field() {
        for op in [op::LIST, op::ADMIN_LIST_PATS] {
            match check_status(&response(401, None, ""), op, now()).unwrap_err() {
                Error::AuthRequired { message: None, hint: Some(hint), .. } => {
                    assert!(hint.contains("az login"), "{hint}")
                }
                other => panic!("{op:?}: {other:?}"),
            }
        }
        // The neutral error adds no provider's advice of its own.
        let neutral = Error::AuthRequired { reason: AuthFailure::Unauthorized, message: None, hint: None };
        let text = neutral.to_string();
        assert!(!text.contains("az login") && !text.contains("Entra"), "{text}");
    }

    #[test]
    fn a_token_admin_401_says_an_administrator_is_needed() {
        let err = check_status(&response(401, None, ""), op::ADMIN_LIST_PATS, now()).unwrap_err();
        assert!(err.to_string().contains("not an organization administrator"), "{err}");
        let err = check_status(&response(401, None, ""), op::LIST, now()).unwrap_err();
        assert!(!err.to_string().contains("administrator"), "{err}");
    }

    #[test]
    fn forbidden_keeps_the_service_message() {
        let err = check_status(&response(403, Some("application/json"), INVALID_ACCESS), op::LIST, now()).unwrap_err();
        match err {
            Error::Forbidden { code, message } => {
                assert_eq!(code.as_ref().map(ServiceCode::as_str), Some("InvalidAccessException"));
                assert_eq!(message, "The requested operation is not allowed.");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rate_limit_reads_retry_after_in_both_forms() {
        let mut resp = response(429, None, r#"{"message":"TF400733: The request has been canceled"}"#);
        resp.headers_mut().insert("retry-after", "7".parse().unwrap());
        assert_eq!(check_status(&resp, op::LIST, now()).unwrap_err().retry_after(), Some(Duration::from_secs(7)));
        resp.headers_mut().insert("retry-after", "Fri, 27 Nov 2026 12:00:30 GMT".parse().unwrap());
        assert_eq!(retry_after(&resp, now()), Some(Duration::from_secs(30)));
        resp.headers_mut().insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&resp, now()), None);
    }

    #[test]
    fn other_statuses_parse_wrapped_exceptions() {
        let body = r#"{"$id":"1","message":"No api-version was supplied for the \"POST\" request.","typeKey":"VssVersionNotSpecifiedException","errorCode":0,"eventId":0}"#;
        match check_status(&response(400, Some("application/json"), body), op::CREATE, now()).unwrap_err() {
            Error::Api { status: 400, code, message } => {
                assert_eq!(code.as_ref().map(ServiceCode::as_str), Some("VssVersionNotSpecifiedException"));
                assert!(message.unwrap().contains("api-version"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_status(&response(500, None, "oops"), op::LIST, now()),
            Err(Error::Api { status: 500, code: None, message: None })
        ));
        assert!(matches!(check_status(&response(404, None, ""), op::GET, now()), Err(Error::NotFound { .. })));
        assert!(matches!(check_status(&response(404, None, ""), op::LIST, now()), Err(Error::Api { status: 404, .. })));
        assert!(check_status(&response(204, None, ""), op::REVOKE, now()).is_ok());
    }

    #[test]
    fn every_policy_code_maps_to_its_policy() {
        let cases = [
            ("globalPatPolicyViolation", Policy::GlobalPat),
            ("fullScopePatPolicyViolation", Policy::FullScope),
            ("patLifespanPolicyViolation", Policy::MaxLifespan),
            ("disablePatCreationPolicyViolation", Policy::PatCreationDisabled),
            ("globalPATCreationBlocked", Policy::GlobalPatRetired),
            ("failedToReadTenantPolicy", Policy::Unreadable),
            ("failedToReadOrgPolicy", Policy::Unreadable),
        ];
        for (code, policy) in cases {
            let body = format!(r#"{{"patToken":null,"patTokenError":"{code}"}}"#);
            let result: PatTokenResultWire = decode(body.as_bytes(), op::CREATE).unwrap();
            match pat_token_result(result, None) {
                Err(e @ Error::PolicyViolation { .. }) => {
                    assert_eq!(Policy::of(&e), Some(policy));
                    assert_eq!(PatTokenError::of(&e).unwrap().as_str(), code);
                }
                other => panic!("{code}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn in_body_rejections_including_unknown_codes() {
        let id = PatId::new("4ab5764f-4193-4f1d-b995-64144880b7d7");
        let parse = |body: &str| pat_token_result(decode(body.as_bytes(), op::GET).unwrap(), Some(&id)).map(|_| ());
        assert!(matches!(
            parse(r#"{"patToken":null,"patTokenError":"tokenNotFound"}"#),
            Err(Error::NotFound { id: Some(_) })
        ));
        assert!(matches!(parse(r#"{"patToken":null,"patTokenError":"accessDenied"}"#), Err(Error::Forbidden { .. })));
        match parse(r#"{"patToken":null,"patTokenError":"somethingNew2027","patTokenErrorMessage":"why"}"#) {
            Err(Error::Rejected { code, message }) => {
                assert_eq!(PatTokenError::from(&code), PatTokenError::Unknown("somethingNew2027".into()));
                assert_eq!(message.as_deref(), Some("why"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(r#"{"patToken":null,"patTokenError":"none"}"#), Err(Error::Decode { .. })));
    }

    #[test]
    fn rejections_cap_unknown_codes_and_messages() {
        // Found by tests/azure/hostile_input.rs: a long unknown `patTokenError` went whole into the
        // error's Display, and revoke passed `patTokenErrorMessage` on uncapped.
        let long = "x".repeat(10_000);
        let err = rejection(PatTokenError::parse(&long), Some(long.clone()), None);
        match &err {
            Error::Rejected { code, message: Some(message) } => {
                assert_eq!(code.as_str().len(), MAX_QUOTED + '…'.len_utf8());
                assert_eq!(message.len(), MAX_QUOTED + '…'.len_utf8());
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().len() < 2 * MAX_QUOTED + 100, "{}", err.to_string().len());
        let body = format!(r#"{{"patToken":null,"patTokenError":"{long}"}}"#);
        let result: PatTokenResultWire = decode(body.as_bytes(), op::GET).unwrap();
        assert!(pat_token_result(result, None).err().unwrap().to_string().len() < MAX_QUOTED + 100);
    }

    #[test]
    fn decode_errors_name_the_field_and_hide_sensitive_bodies() {
        let body =
            br#"{"patToken":{"authorizationId":"x","validTo":12345,"token":"CANARY-SECRET"},"patTokenError":"none"}"#;
        let err = decode::<PatTokenResultWire>(body, op::CREATE).err().unwrap();
        match &err {
            Error::Decode { path, .. } => assert_eq!(path, "patToken.validTo"),
            other => panic!("{other:?}"),
        }
        let shown = format!("{err} {err:?} {}", std::error::Error::source(&err).unwrap());
        assert!(!shown.contains("CANARY"), "{shown}");
        let body = br#"{"patToken":{"authorizationId":"x","validTo":"CANARY-SECRET"},"patTokenError":"none"}"#;
        let err = decode::<PatTokenResultWire>(body, op::CREATE).err().unwrap();
        assert!(!format!("{err:?} {}", std::error::Error::source(&err).unwrap()).contains("CANARY"));
    }

    #[test]
    fn decode_errors_cap_the_body_text_they_quote() {
        // The security review (issue 10, finding 9): serde's message and the path quoted any
        // amount of a get/list/update/admin-list body.
        let long = "x".repeat(100_000);
        for body in [
            format!(r#"{{"patToken":{{"validTo":"{long}"}}}}"#),
            format!(r#"{{"patToken":{{"{long}":[]"#),
            format!(r#"{{"patToken":{{"displayName":{long}}}}}"#),
        ] {
            for op in [op::GET, op::LIST, op::UPDATE, op::ADMIN_LIST_PATS] {
                let err = decode::<PatTokenResultWire>(body.as_bytes(), op).err().unwrap();
                let Error::Decode { path, source } = &err else { panic!("{err:?}") };
                assert!(path.len() <= MAX_QUOTED + '…'.len_utf8(), "{op:?}: path of {} bytes", path.len());
                let source = source.to_string();
                assert!(source.len() <= MAX_QUOTED + '…'.len_utf8(), "{op:?}: source of {} bytes", source.len());
                assert!(err.to_string().len() < MAX_QUOTED + 100);
            }
        }
        // A short message stays whole.
        let err = decode::<PatTokenResultWire>(br#"{"patToken":{"validTo":12}}"#, op::GET).err().unwrap();
        assert!(std::error::Error::source(&err).unwrap().to_string().starts_with("invalid type: integer `12`"));
    }

    #[test]
    fn sensitive_decode_paths_name_schema_fields_only() {
        // Found by azure::classify_props: the path named any key of the body, so a create answer
        // with a token in a key position showed it.
        let path = |body: &str, op| match decode::<PatTokenResultWire>(body.as_bytes(), op) {
            Err(Error::Decode { path, .. }) => path,
            other => panic!("{:?}", other.map(|_| ())),
        };
        let body = r#"{"patToken":{"CANARY-SECRET":["#;
        assert_eq!(path(body, op::CREATE), "patToken.?");
        assert_eq!(path(body, op::GET), "patToken.CANARY-SECRET", "non-sensitive paths stay whole");
        assert_eq!(path(r#"{"patToken":{"targetAccounts":[1]}}"#, op::CREATE), "patToken.targetAccounts[0]");
        assert_eq!(path("[", op::CREATE), ".");
        for field in ["authorizationId", "displayName", "scope", "token", "validFrom", "validTo"] {
            let body = format!(r#"{{"patToken":{{"{field}":[]}}}}"#);
            assert_eq!(path(&body, op::CREATE), format!("patToken.{field}"));
        }
        for field in ["patTokenError", "patTokenErrorMessage"] {
            assert_eq!(path(&format!(r#"{{"{field}":[]}}"#), op::CREATE), field);
        }
    }
}
