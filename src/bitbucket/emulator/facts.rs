//! The service facts the emulator answers with, spelled here from the fact sheet
//! (`forges-pat-api.md` §5) and never borrowed from the Bitbucket client: the permission
//! vocabulary, page sizes, and the error body with its texts. Where the sheet gives no wording
//! (marked *pick*), the emulator's text is its own.

use http::StatusCode;
use serde_json::{Value, json};

use crate::transport::HttpResponse;

/// Project-level permissions, weakest first (§5.4).
pub(crate) const PROJECT: [&str; 3] = ["PROJECT_READ", "PROJECT_WRITE", "PROJECT_ADMIN"];
/// Repository-level permissions, weakest first (§5.4).
pub(crate) const REPO: [&str; 3] = ["REPO_READ", "REPO_WRITE", "REPO_ADMIN"];
/// Global and system permissions a token never holds (§5.4).
pub(crate) const GLOBAL: [&str; 4] = ["LICENSED_USER", "PROJECT_CREATE", "ADMIN", "SYS_ADMIN"];

/// `limit` when none is sent (§5.6).
pub(crate) const DEFAULT_LIMIT: usize = 25;
/// The server's cap on `limit` unless set otherwise (§5.6 leaves it unverified; *pick*).
pub(crate) const DEFAULT_MAX_LIMIT: usize = 100;

/// Validation failures.
pub(crate) const VALIDATION: &str = "com.atlassian.bitbucket.validation.ArgumentValidationException";
/// Authentication failures and permission failures (both 401, §5.5).
pub(crate) const AUTHENTICATION: &str = "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException";
/// A permission failure.
pub(crate) const AUTHORISATION: &str = "com.atlassian.bitbucket.AuthorisationException";
/// Unknown user or token.
pub(crate) const NO_SUCH_ENTITY: &str = "com.atlassian.bitbucket.NoSuchEntityException";
/// Rate limited (*pick*).
pub(crate) const RATE_LIMITED: &str = "com.atlassian.bitbucket.throttle.RateLimitedException";
/// A server error (*pick*).
pub(crate) const SERVER_ERROR: &str = "com.atlassian.bitbucket.ServiceException";

/// `{"errors":[{"context":…,"message":…,"exceptionName":…}]}` (§5.5).
pub(crate) fn errors(status: StatusCode, context: Option<&str>, message: &str, exception: &str) -> HttpResponse {
    let body = json!({"errors": [{"context": context, "message": message, "exceptionName": exception}]});
    super::wire::json_response(status, &body)
}

/// A 400 about `context`.
pub(crate) fn invalid(context: Option<&str>, message: &str) -> HttpResponse {
    errors(StatusCode::BAD_REQUEST, context, message, VALIDATION)
}

/// A refused credential (§5.5's common DC wording).
pub(crate) fn unauthenticated() -> HttpResponse {
    errors(
        StatusCode::UNAUTHORIZED,
        None,
        "Authentication failed. Please check your credentials and try again.",
        AUTHENTICATION,
    )
}

/// A permission failure: Bitbucket uses 401 here too (§5.5; wording *pick*).
pub(crate) fn not_permitted() -> HttpResponse {
    errors(StatusCode::UNAUTHORIZED, None, "You are not permitted to access this resource", AUTHORISATION)
}

/// A token presented where only a password will do (create, and every token route: *pick*).
pub(crate) fn password_required() -> HttpResponse {
    errors(
        StatusCode::UNAUTHORIZED,
        None,
        "Access tokens cannot be used to manage access tokens; authenticate with your password",
        AUTHORISATION,
    )
}

/// An unknown user.
pub(crate) fn no_such_user(slug: &str) -> HttpResponse {
    let shown: String = slug.chars().take(64).collect();
    errors(StatusCode::NOT_FOUND, None, &format!("User {shown} does not exist."), NO_SUCH_ENTITY)
}

/// An unknown project or repository.
pub(crate) fn no_such_resource(what: &str) -> HttpResponse {
    let shown: String = what.chars().take(128).collect();
    errors(StatusCode::NOT_FOUND, None, &format!("{shown} does not exist."), NO_SUCH_ENTITY)
}

/// An unknown token.
pub(crate) fn no_such_token(id: &str) -> HttpResponse {
    let shown: String = id.chars().take(64).collect();
    errors(StatusCode::NOT_FOUND, None, &format!("No access token exists with ID {shown}."), NO_SUCH_ENTITY)
}

/// No route (Bitbucket's generic 404).
pub(crate) fn no_route() -> HttpResponse {
    errors(StatusCode::NOT_FOUND, None, "The requested resource does not exist.", NO_SUCH_ENTITY)
}

/// The user JSON of `/rest/api/…/users/{slug}` and of a token's `user` field.
pub(crate) fn user_json(id: u64, slug: &str, display_name: &str) -> Value {
    json!({
        "name": slug,
        "emailAddress": format!("{slug}@bitbucket.example"),
        "id": id,
        "displayName": display_name,
        "active": true,
        "slug": slug,
        "type": "NORMAL",
        "links": {"self": [{"href": format!("http://bitbucket.example/users/{slug}")}]},
    })
}
