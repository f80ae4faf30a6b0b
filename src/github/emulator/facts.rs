//! The service facts the emulator answers with, spelled here from the fact sheet
//! (`forges-pat-api.md` §4) and never borrowed from a GitHub client: limits, token prefixes,
//! the JWT rules, and every refusal's status and message.
//!
//! Where the sheet marks a wording **unverified** (or says nothing), the function's doc says
//! which answer the emulator picked.

use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};

/// `per_page` default (§4.9).
pub(crate) const DEFAULT_PER_PAGE: usize = 30;
/// `per_page` cap (§4.9); more is taken as 100.
pub(crate) const MAX_PER_PAGE: usize = 100;
/// At most this many ids in a bulk revoke or bulk review (§4.2).
pub(crate) const MAX_BULK_IDS: usize = 100;
/// At most this many logins in `owner[]` (§4.2, exact maximum **unverified**).
pub(crate) const MAX_OWNER_FILTER: usize = 10;
/// At most this many ids in `token_id[]` (§4.2, exact maximum **unverified**).
pub(crate) const MAX_TOKEN_ID_FILTER: usize = 50;
/// A review `reason` is at most this many characters (§4.2).
pub(crate) const MAX_REASON_CHARS: usize = 1024;
/// At most this many credentials in one `POST /credentials/revoke` (§4.4).
pub(crate) const MAX_REVOKE_CREDENTIALS: usize = 1000;
/// `POST /credentials/revoke` requests per hour per caller (§4.4: "about 60").
pub(crate) const CREDENTIALS_REVOKE_PER_HOUR: u32 = 60;

/// Primary limit of a PAT-authenticated user, per hour (§4.10).
pub(crate) const USER_LIMIT: u32 = 5_000;
/// Primary limit of an App installation, per hour (§4.10: 5,000 at least).
pub(crate) const INSTALLATION_LIMIT: u32 = 5_000;
/// Primary limit of unauthenticated callers, per hour (§4.10).
pub(crate) const ANONYMOUS_LIMIT: u32 = 60;

/// An installation token lives one hour (GitHub's documented lifetime; the sheet's §4.11 names
/// the endpoint, the brief the hour).
pub(crate) const INSTALLATION_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// An App JWT's `exp` may be at most this far after "now" (GitHub's documented 10 minutes; the
/// sheet is silent: the emulator's pick, with [`JWT_LEEWAY`] on top).
pub(crate) const JWT_MAX_LIFETIME: Duration = Duration::from_secs(600);
/// Clock skew allowed on an App JWT's `iat` (in the future) and `exp` (beyond the ten minutes):
/// GitHub advises backdating `iat` by 60 s; the emulator's pick is to tolerate 60 s either way.
pub(crate) const JWT_LEEWAY: Duration = Duration::from_secs(60);

/// The prefixes `POST /credentials/revoke` accepts (§4.4).
pub(crate) const REVOCABLE_PREFIXES: [&str; 5] = ["ghp_", "github_pat_", "gho_", "ghu_", "ghr_"];

const DOCS: &str = "https://docs.github.com/rest";

/// A refusal, in GitHub's error shape (§4.8): `message`, `documentation_url`, `status` (a
/// string), and for a 422 `errors[]`; with the headers it travels with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) documentation_url: &'static str,
    pub(crate) errors: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), documentation_url: DOCS, errors: None, headers: Vec::new() }
    }

    /// The same refusal with one more header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// No credential on a route that needs one (GitHub's usual 401 wording).
pub(crate) fn requires_authentication() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "Requires authentication")
}

/// An unknown, expired or revoked token (§4.4: 401 "Bad credentials"). An App JWT offered where
/// a token is needed gets the same (the emulator's pick).
pub(crate) fn bad_credentials() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "Bad credentials")
}

/// An App JWT that cannot be read or whose signature does not verify (the sheet is silent; the
/// emulator's pick of GitHub's wording). Says nothing about which part failed.
pub(crate) fn jwt_undecodable() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "A JSON web token could not be decoded")
}

/// An App JWT whose `exp` is past (emulator's pick of wording).
pub(crate) fn jwt_expired() -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    )
}

/// An App JWT whose `exp` is more than ten minutes (plus leeway) ahead (emulator's pick of
/// wording).
pub(crate) fn jwt_too_long() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "'Expiration time' claim ('exp') is too far in the future")
}

/// An App JWT whose `iat` is missing, not an integer, in the future beyond the leeway, or not
/// before `exp` (emulator's pick of wording).
pub(crate) fn jwt_bad_iat() -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    )
}

/// An App JWT whose `iss` names no registered App (emulator's pick of wording).
pub(crate) fn integration_not_found() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "Integration not found")
}

/// An installation token without the org permission a route needs, or any App credential on a
/// route for users (§4.2: 403).
pub(crate) fn not_accessible_by_integration() -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "Resource not accessible by integration")
}

/// A classic or fine-grained PAT on the App-only fine-grained PAT endpoints (§4.2: 403, wording
/// **unverified**), or a fine-grained PAT on the SAML endpoints (the emulator's pick).
pub(crate) fn not_accessible_by_pat() -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "Resource not accessible by personal access token")
}

/// A classic PAT that lacks the OAuth scope a route needs: 403 with `X-Accepted-OAuth-Scopes`
/// naming what would do (the emulator's pick of status and wording).
pub(crate) fn missing_scope(accepted: &str) -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "Resource not accessible by personal access token")
        .with_header("x-accepted-oauth-scopes", accepted)
}

/// SAML enforcement (§4.4, §4.12 #8): a PAT without a SAML authorization for the org.
pub(crate) fn saml_required(org: &str, origin_request: u64) -> Refusal {
    Refusal::new(
        StatusCode::FORBIDDEN,
        "Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.",
    )
    .with_header(
        "x-github-sso",
        format!("required; url=https://github.com/orgs/{org}/sso?authorization_request={origin_request}"),
    )
}

/// `Not Found` (§4.8): an unknown org, grant, request, credential or route, an org the caller
/// may not see (non-disclosure), and the SAML routes of an org without SAML (the sheet is silent
/// on that last one: the emulator's pick, so a client cannot tell "no SAML" from "no such org"
/// by status alone).
pub(crate) fn not_found() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "Not Found")
}

/// A 422 with one `errors[]` entry (§4.8).
pub(crate) fn validation(resource: &str, field: &str, code: &str, message: &str) -> Refusal {
    let mut r = Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed");
    r.errors = Some(json!([{ "resource": resource, "field": field, "code": code, "message": message }]));
    r
}

/// An authenticated `POST /credentials/revoke` (§4.4: 403; wording the emulator's pick).
pub(crate) fn revoke_must_be_anonymous() -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "This endpoint must be called without authentication")
}

/// Primary rate limit exceeded (§4.10): 403 or 429 with `x-ratelimit-remaining: 0` and
/// "API rate limit exceeded for …".
pub(crate) fn primary_limit(status: StatusCode, whom: &str) -> Refusal {
    Refusal::new(status, format!("API rate limit exceeded for {whom}."))
}

/// Secondary rate limit (§4.10): 403 or 429, with `retry-after`.
pub(crate) fn secondary_limit(status: StatusCode, retry_after_secs: u64) -> Refusal {
    Refusal::new(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
        .with_header("retry-after", retry_after_secs.to_string())
}

/// A scripted 5xx ([`Fault::ServerError`](super::Fault::ServerError)); a status outside
/// 500–599 is taken as 500.
pub(crate) fn server_error(status: u16) -> Refusal {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Refusal::new(status, status.canonical_reason().unwrap_or("Server Error"))
}
