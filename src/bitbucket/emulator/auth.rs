//! Who is calling (§5.2): HTTP Basic with a user's password, or a token (`Authorization: Bearer
//! <token>`, or Basic `user:token` for a personal token). Expired and deleted tokens do not
//! authenticate.

use chrono::{DateTime, Utc};

use super::facts;
use super::state::{Owner, State, digest, to_millis};
use super::wire::Incoming;
use crate::base64;
use crate::transport::HttpResponse;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// The user's password (Basic): may manage tokens.
    Password { slug: String, admin: bool },
    /// An access token (a user's, a project's or a repository's): may use the API, never
    /// manage tokens.
    Token { owner: Owner },
}

/// What the `Authorization` header presents.
enum Presented {
    Basic(String, String),
    Bearer(String),
}

fn presented(request: &Incoming) -> Option<Presented> {
    let auth = request.header("authorization")?;
    let (scheme, value) = auth.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Presented::Bearer(value.trim().to_owned()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::decode(value.trim(), base64::Alphabet::Standard)?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, secret) = text.split_once(':')?;
    Some(Presented::Basic(user.to_owned(), secret.to_owned()))
}

/// The user a request claims to be, for the rate limiter (nothing checked).
pub(crate) fn claimed_user(state: &State, request: &Incoming) -> String {
    match presented(request) {
        Some(Presented::Basic(user, _)) => user,
        Some(Presented::Bearer(token)) => {
            state.token_by_secret(&token).map(|t| t.owner.to_string()).unwrap_or_default()
        }
        None => String::new(),
    }
}

/// Authenticates the request and records a token's use (`lastAuthenticated`).
pub(crate) fn authenticate(
    state: &mut State,
    request: &Incoming,
    now: DateTime<Utc>,
) -> Result<Principal, HttpResponse> {
    let presented = presented(request).ok_or_else(facts::unauthenticated)?;
    let token_secret = match presented {
        Presented::Basic(user, secret) => {
            let entry = state.users.get(&user).ok_or_else(facts::unauthenticated)?;
            if entry.password == digest(&secret) {
                return Ok(Principal::Password { slug: entry.slug.clone(), admin: entry.admin });
            }
            // Basic `user:token` works for a personal token of that user (project and
            // repository tokens are Bearer-only, §5.2).
            match state.token_by_secret(&secret) {
                Some(t) if t.owner == Owner::User(user) => secret,
                _ => return Err(facts::unauthenticated()),
            }
        }
        Presented::Bearer(token) => token,
    };
    let token = state.token_by_secret(&token_secret).ok_or_else(facts::unauthenticated)?;
    if token.is_expired(now) {
        return Err(facts::unauthenticated());
    }
    let (id, owner) = (token.id.clone(), token.owner.clone());
    if let Some(t) = state.token_mut(&id) {
        t.last_authenticated = Some(to_millis(now));
    }
    Ok(Principal::Token { owner })
}
