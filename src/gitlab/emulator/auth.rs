//! Who is calling: the credential (`PRIVATE-TOKEN`, `Authorization: Bearer`, or the discouraged
//! `private_token` query parameter, §2.5), its distinct failure answers (§2.6), `Sudo`, Admin
//! Mode, and the scope checks.

use chrono::{DateTime, Utc};

use super::facts;
use super::state::{Credential, State, hash_secret};
use super::wire::Incoming;
use crate::transport::HttpResponse;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// The user the call acts as (the `Sudo` target when one is named).
    pub(crate) user_id: u64,
    /// The PAT that authenticated, `None` for an OAuth token.
    pub(crate) token_id: Option<u64>,
    /// The credential's scopes.
    pub(crate) scopes: Vec<String>,
    /// An instance administrator (with `admin_mode` in its scopes when Admin Mode is on).
    pub(crate) admin: bool,
}

impl Principal {
    /// Goes ahead when the credential has any of `scopes`; otherwise 403 `insufficient_scope`.
    pub(crate) fn require_any(&self, scopes: &[&str]) -> Result<(), HttpResponse> {
        if scopes.iter().any(|s| self.scopes.iter().any(|have| have == s)) {
            Ok(())
        } else {
            Err(facts::insufficient_scope(scopes))
        }
    }

    /// Writes need `api`.
    pub(crate) fn require_write(&self) -> Result<(), HttpResponse> {
        self.require_any(&["api"])
    }

    /// Reads need `api` or `read_api`. (§2.17 leaves open whether the PAT GET routes accept
    /// `read_api`; the emulator follows GL-DOC-SCOPES, which grants `read_api` every GET route.)
    pub(crate) fn require_read(&self) -> Result<(), HttpResponse> {
        self.require_any(&["api", "read_api"])
    }
}

/// The secret the request presents, from the first of `PRIVATE-TOKEN`, `Authorization: Bearer`
/// and `?private_token=`.
fn presented(request: &Incoming) -> Option<&str> {
    if let Some(token) = request.header("private-token") {
        return Some(token.trim());
    }
    if let Some(auth) = request.header("authorization") {
        let (scheme, value) = auth.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| value.trim());
    }
    request.query("private_token")
}

/// The user the request's credential belongs to, without checking anything else (for the rate
/// limiter's per-user budget).
pub(crate) fn owner_of_presented(state: &State, request: &Incoming) -> Option<u64> {
    match state.secrets.get(&hash_secret(presented(request)?))? {
        Credential::Pat(id) => state.tokens().get(id).map(|t| t.user_id),
        Credential::OAuth { user_id, .. } => Some(*user_id),
    }
}

/// Authenticates the request, applies `Sudo`, and records the token's use.
pub(crate) fn authenticate(
    state: &mut State,
    request: &Incoming,
    now: DateTime<Utc>,
) -> Result<Principal, HttpResponse> {
    let secret = presented(request).ok_or_else(facts::unauthorized)?;
    let credential = state.secrets.get(&hash_secret(secret)).cloned().ok_or_else(facts::unauthorized)?;
    let (user_id, token_id, scopes) = match credential {
        Credential::Pat(id) => {
            let token = state.tokens().get(&id).ok_or_else(facts::unauthorized)?;
            if token.revoked {
                return Err(facts::revoked_credential());
            }
            if token.is_expired(now.date_naive()) {
                return Err(facts::expired_credential());
            }
            (token.user_id, Some(id), token.scopes.clone())
        }
        Credential::OAuth { user_id, scopes } => (user_id, None, scopes),
    };
    // A blocked user's credentials stop working (§2.5). The service's exact answer is not on the
    // fact sheet; the emulator answers as for an unknown credential, which discloses nothing.
    let user = state.users.get(&user_id).filter(|u| !u.blocked).ok_or_else(facts::unauthorized)?;
    let admin_mode_ok = !state.settings.admin_mode || scopes.iter().any(|s| s == "admin_mode");
    let mut principal = Principal { user_id, token_id, admin: user.admin && admin_mode_ok, scopes };
    if let Some(sudo) = request.header("sudo") {
        if !user.admin {
            return Err(facts::sudo_not_admin());
        }
        principal.require_any(&["sudo"])?;
        let target = state.find_user(sudo.trim()).ok_or_else(|| {
            facts::not_found(&format!(
                "404 User with ID or username '{}' Not Found",
                sudo.chars().take(64).collect::<String>()
            ))
        })?;
        let target_admin = state.users.get(&target).is_some_and(|u| u.admin);
        principal.user_id = target;
        principal.admin = target_admin && admin_mode_ok;
    }
    if let Some(id) = token_id {
        state.touch(id, now);
    }
    Ok(principal)
}
