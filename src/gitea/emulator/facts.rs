//! The service facts the emulator answers with, spelled here from the fact sheet
//! (`forges-pat-api.md` §3) and never borrowed from a Gitea client: the scope vocabulary, page
//! sizes, the OTP headers, and every refusal's status and message.
//!
//! Where the sheet marks a wording **unverified** (or says nothing), the function's doc says
//! which answer the emulator picked.

use http::StatusCode;

/// The scope categories of §3.7, in Gitea's own order (the order normalized scopes come back in).
pub(crate) const CATEGORIES: [&str; 9] =
    ["activitypub", "admin", "misc", "notification", "organization", "package", "issue", "repository", "user"];

/// `page` default (§3.5).
pub(crate) const DEFAULT_PAGE_SIZE: usize = 30;
/// `limit` cap, `MAX_RESPONSE_ITEMS` (§3.5).
pub(crate) const MAX_PAGE_SIZE: usize = 50;

/// Gitea's two-factor header (§3.2).
pub(crate) const GITEA_OTP_HEADER: &str = "x-gitea-otp";
/// Forgejo's two-factor header (§3.10).
pub(crate) const FORGEJO_OTP_HEADER: &str = "x-forgejo-otp";

/// What `GET /version` answers on the Gitea flavour (beyond the sheet: the emulator's pick).
pub(crate) const GITEA_VERSION: &str = "1.22.6";
/// What `GET /version` answers on the Forgejo flavour: Forgejo's own version, then the Gitea
/// version it is compatible with (beyond the sheet: the emulator's pick).
pub(crate) const FORGEJO_VERSION: &str = "9.0.3+gitea-1.22.0";

/// A refusal, in Gitea's `APIError` shape `{"message":…,"url":…}` (§3.4); `APINotFound` adds
/// `"errors":[]`. The `url` (the instance's swagger page) is filled in when it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// `APINotFound`: the body carries `"errors":[]`.
    pub(crate) not_found: bool,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), not_found: false }
    }
}

/// A token (or no credential at all) on a token-management route (§3.2, §3.11 #1):
/// 401 `auth required`. For no credential the sheet is silent; the emulator picks the same 401.
pub(crate) fn auth_required() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "auth required")
}

/// Basic auth with an unknown user or a wrong password (§3.4: wording **unverified**). The
/// emulator picks one message for both, which tells nothing about which was wrong and quotes
/// nothing the caller sent.
pub(crate) fn bad_login() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "invalid username, password or token")
}

/// A two-factor account whose Basic login came without the flavour's OTP header, or with a wrong
/// code (§3.2: 401; wording **unverified**, the emulator's pick).
pub(crate) fn bad_otp() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "invalid provided OTP")
}

/// A route that needs a signed-in user, called anonymously (`GET /user`; the emulator's pick of
/// Gitea's `reqToken` answer).
pub(crate) fn token_required() -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "token is required")
}

/// Not self and not a site admin (§3.2, §3.11 #3).
pub(crate) fn not_self_or_admin() -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "doer should be the site admin or be same as the contextUser")
}

/// A site-admin route called by someone else (beyond the sheet; the emulator's pick).
pub(crate) fn not_site_admin() -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "user should be the site admin")
}

/// A token without any of the scopes a route needs (beyond the sheet; the emulator's pick).
pub(crate) fn insufficient_scope(needed: &[&str]) -> Refusal {
    Refusal::new(
        StatusCode::FORBIDDEN,
        format!("token does not have at least one of required scope(s): [{}]", needed.join(" ")),
    )
}

/// Create with a name the user already has (§3.4).
pub(crate) fn name_used() -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "access token name has been used already")
}

/// Create with a scope outside the vocabulary (§3.4). `scope` is the caller's own text, capped.
pub(crate) fn invalid_scope(scope: &str) -> Refusal {
    let scope: String = scope.chars().take(64).collect();
    Refusal::new(
        StatusCode::BAD_REQUEST,
        format!("invalid access token scope provided: invalid access token scope: {scope}"),
    )
}

/// Create without any scope (§3.4, 1.22+; Forgejo: "(no scope)" is not supported either).
pub(crate) fn no_scope() -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "access token must have a scope")
}

/// Create without `name` (§3.4: 422 binding error; exact text **unverified**, the emulator
/// picks `[Name]: Required`).
pub(crate) fn name_required() -> Refusal {
    Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "[Name]: Required")
}

/// A create body that is not a JSON object of the right types (a binding error, 422; the
/// emulator's pick of wording).
pub(crate) fn unreadable_body(field: &str) -> Refusal {
    Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, format!("[{field}]: DeserializationError"))
}

/// Forgejo: a repository-specific token naming a repository that does not exist (§3.10 is
/// **partly unverified**; the emulator's pick).
pub(crate) fn unknown_repository() -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "repository does not exist")
}

/// Delete by a name several of the user's tokens carry (§3.4).
pub(crate) fn ambiguous_name() -> Refusal {
    Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "multiple matches for token name")
}

/// `APINotFound` (§3.4): an unknown token, user or route.
pub(crate) fn not_found() -> Refusal {
    Refusal { status: StatusCode::NOT_FOUND, message: "The target couldn't be found.".to_owned(), not_found: true }
}

/// A scripted 5xx ([`Fault::ServerError`](super::Fault::ServerError)); a status outside
/// 500–599 is taken as 500.
pub(crate) fn server_error(status: u16) -> Refusal {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Refusal::new(status, status.canonical_reason().unwrap_or("Internal Server Error"))
}

/// A scripted throttle ([`Fault::RateLimited`](super::Fault::RateLimited)). Gitea has no rate
/// limiter of its own (§3.6); a proxy in front of it might. The emulator answers 429 in the
/// `APIError` shape with `Retry-After`.
pub(crate) fn throttled() -> Refusal {
    Refusal::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
}
