//! The auth gate (§5, §11 item 2): who is calling, and what they may call.

use chrono::{DateTime, Utc};
use http::{HeaderValue, StatusCode, header};
use uuid::Uuid;

use super::format::hash_secret;
use super::state::{BearerSubject, State};
use super::wire::{Incoming, sign_in_page, wrapped};
use crate::base64;
use crate::transport::HttpResponse;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Principal {
    /// An Entra user token.
    User(Uuid),
    /// An app-only Entra token (service principal or managed identity), with its id.
    App(Uuid),
    /// A PAT sent as Basic auth.
    Pat { id: Uuid, owner: Uuid },
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unauthenticated {
    /// No credential, or a scheme the service does not know.
    Anonymous,
    /// A bearer token that is unknown or expired.
    BadBearer,
    /// Basic credentials whose PAT is unknown, revoked, expired or not for this organization.
    BadBasic,
}

/// Identifies the caller of a request to organization `org`.
pub(crate) fn authenticate(
    state: &State,
    request: &Incoming,
    org: Uuid,
    now: DateTime<Utc>,
) -> Result<Principal, Unauthenticated> {
    let Some(value) = request.header("authorization") else {
        return Err(Unauthenticated::Anonymous);
    };
    let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let entry = state.bearers.get(&hash_secret(credential)).ok_or(Unauthenticated::BadBearer)?;
        if entry.expires_at.is_some_and(|at| at <= now) {
            return Err(Unauthenticated::BadBearer);
        }
        return Ok(match entry.subject {
            BearerSubject::User(id) => Principal::User(id),
            BearerSubject::App(id) => Principal::App(id),
        });
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::decode(credential, base64::Alphabet::Standard)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(Unauthenticated::BadBasic)?;
        // `user:password`; the PAT is the password and the user name is ignored.
        let pat = decoded.split_once(':').map_or(decoded.as_str(), |(_, p)| p);
        let id = state.secret_index.get(&hash_secret(pat)).ok_or(Unauthenticated::BadBasic)?;
        let entry = state.pat(*id).ok_or(Unauthenticated::BadBasic)?;
        if !state.pat_usable(entry, org, now) {
            return Err(Unauthenticated::BadBasic);
        }
        return Ok(Principal::Pat { id: entry.id, owner: entry.owner });
    }
    Err(Unauthenticated::Anonymous)
}

/// The answer to an unauthenticated request (§5.3).
///
/// Basic credentials that fail always get a 401 (a client sending Basic is not a browser). A
/// missing or bad bearer gets a 401 WrappedException when the request carries
/// `X-TFS-FedAuthRedirect: Suppress`, and otherwise the 203 HTML sign-in page.
pub(crate) fn unauthenticated(why: Unauthenticated, request: &Incoming) -> HttpResponse {
    let suppress = request.header("x-tfs-fedauthredirect").is_some_and(|v| v.trim().eq_ignore_ascii_case("suppress"));
    if why != Unauthenticated::BadBasic && !suppress {
        return sign_in_page();
    }
    let message = match why {
        Unauthenticated::Anonymous => {
            "TF400813: Resource not available for anonymous access. Client authentication required."
        }
        Unauthenticated::BadBearer | Unauthenticated::BadBasic => {
            "TF400813: The user '' is not authorized to access this resource."
        }
    };
    let mut response = wrapped(StatusCode::UNAUTHORIZED, "UnauthorizedRequestException", message, 3000);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm=\"https://vssps.dev.azure.com/\", TFS-Federated",
        ),
    );
    response
}

/// The PAT Lifecycle API admits Entra user tokens only (§5.1): a PAT or an app-only token gets
/// 403 `InvalidAccessException` with the messages of §6.2.
pub(crate) fn require_user(principal: Principal) -> Result<Uuid, HttpResponse> {
    match principal {
        Principal::User(id) => Ok(id),
        Principal::Pat { .. } => Err(forbidden("The requested operation is not allowed.")),
        Principal::App(_) => Err(service_principal_refused()),
    }
}

/// Token Admin admits organization administrators (§5.2): an Entra user token of an admin, or —
/// the emulator's reading of the spec's file-level basic/PAT security and the community reports
/// the sheet marks unverified — an admin's PAT that carries `vso.tokenadministration`. A
/// non-admin (or a PAT without that scope) gets 401 as the spec lists; an app-only token gets the
/// same 403 as on the PAT API.
pub(crate) fn require_org_admin(state: &State, principal: Principal, org: Uuid) -> Result<Uuid, HttpResponse> {
    let is_admin = |user: Uuid| state.user(user).is_some_and(|u| u.admin_of.contains(&org));
    let allowed = match principal {
        Principal::User(id) => is_admin(id).then_some(id),
        Principal::Pat { id, owner } => {
            let scoped = state.pat(id).is_some_and(|p| p.scopes().any(|s| s == "vso.tokenadministration"));
            (scoped && is_admin(owner)).then_some(owner)
        }
        Principal::App(_) => return Err(service_principal_refused()),
    };
    allowed.ok_or_else(|| {
        let who = match principal {
            Principal::User(id) | Principal::Pat { owner: id, .. } | Principal::App(id) => id,
        };
        wrapped(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedRequestException",
            &format!("TF400813: The user '{who}' is not authorized to access this resource."),
            3000,
        )
    })
}

/// Graph reads admit members of the organization (Project Collection Valid Users; the `vso.graph`
/// scope for a PAT): an Entra user token of a member, or a member's PAT with `vso.graph` or
/// `vso.graph_manage`. Others get the same 401 as Token Admin; an app-only token the same 403.
pub(crate) fn require_member(state: &State, principal: Principal, org: Uuid) -> Result<Uuid, HttpResponse> {
    let member = |user: Uuid| state.user(user).is_some_and(|u| u.is_member(org));
    let allowed = match principal {
        Principal::User(id) => member(id).then_some(id),
        Principal::Pat { id, owner } => {
            let scoped = state.pat(id).is_some_and(|p| p.scopes().any(|s| s == "vso.graph" || s == "vso.graph_manage"));
            (scoped && member(owner)).then_some(owner)
        }
        Principal::App(_) => return Err(service_principal_refused()),
    };
    allowed.ok_or_else(|| {
        wrapped(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedRequestException",
            "TF400813: The user is not authorized to access this resource.",
            3000,
        )
    })
}

fn forbidden(message: &str) -> HttpResponse {
    wrapped(StatusCode::FORBIDDEN, "InvalidAccessException", message, 3000)
}

fn service_principal_refused() -> HttpResponse {
    forbidden("Service principals are not allowed to perform this action.")
}

/// Whom a request counts against for throttling (§7 meters each user): the user behind a bearer
/// token or a PAT, the app behind an app-only token, else one shared anonymous budget. Expiry and
/// organization are not checked here; the auth gate does that.
pub(crate) fn caller_key(state: &State, request: &Incoming) -> String {
    let Some(value) = request.header("authorization") else { return "anonymous".to_owned() };
    let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer")
        && let Some(entry) = state.bearers.get(&hash_secret(credential))
    {
        return match entry.subject {
            BearerSubject::User(id) => format!("user {id}"),
            BearerSubject::App(id) => format!("app {id}"),
        };
    }
    if scheme.eq_ignore_ascii_case("basic")
        && let Some(pat) =
            base64::decode(credential, base64::Alphabet::Standard).and_then(|b| String::from_utf8(b).ok())
        && let Some(id) = state.secret_index.get(&hash_secret(pat.split_once(':').map_or(pat.as_str(), |(_, p)| p)))
        && let Some(entry) = state.pat(*id)
    {
        return format!("user {}", entry.owner);
    }
    "anonymous".to_owned()
}
