//! Who is calling: an installation token, a classic or fine-grained PAT, or no one (§4.2, §4.4).
//! App JWTs are checked only where they are used (`POST /app/installations/{id}/access_tokens`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::facts::{self, Refusal};
use super::limits::Caller;
use super::setup::TokenKind;
use super::state::{State, token_digest};
use super::wire::Incoming;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    Anonymous,
    Installation { id: u64, org: String, permissions: BTreeMap<String, String> },
    Pat { token_id: u64, user_id: u64, owner: String, kind: TokenKind, scopes: Vec<String> },
}

impl Principal {
    pub(crate) fn caller(&self) -> Caller {
        match self {
            Self::Anonymous => Caller::Anonymous,
            Self::Installation { id, .. } => Caller::Installation(*id),
            Self::Pat { user_id, .. } => Caller::User(*user_id),
        }
    }
}

/// The credential of `Authorization: Bearer …` or `Authorization: token …` (`None`: no header;
/// `Some("")`: a header of another scheme).
pub(crate) fn credential(request: &Incoming) -> Option<&str> {
    let value = request.header("authorization")?.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let accepted = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    Some(if accepted { rest.trim() } else { "" })
}

/// Who `request` counts against, without authenticating it (no last-use update, no refusal):
/// for the rate-limit headers of an answer that never reached a handler.
pub(crate) fn identify(state: &State, request: &Incoming, now: DateTime<Utc>) -> Caller {
    let Some(secret) = credential(request) else { return Caller::Anonymous };
    if let Some(token) = state.installation_tokens.get(&token_digest(secret)).filter(|t| t.expires_at > now) {
        return Caller::Installation(token.installation_id);
    }
    match state.pat_by_secret(secret).and_then(|id| state.pats().get(&id)) {
        Some(pat) if !pat.revoked && pat.expires_at.is_none_or(|e| e > now) => Caller::User(state.user_id(&pat.owner)),
        _ => Caller::Anonymous,
    }
}

/// The caller of `request`. An unknown, expired or revoked token is 401 "Bad credentials"; so is
/// an App JWT (it authenticates only the App routes) and a header of another scheme. A PAT that
/// authenticates is marked used now.
pub(crate) fn authenticate(state: &mut State, request: &Incoming, now: DateTime<Utc>) -> Result<Principal, Refusal> {
    let Some(secret) = credential(request) else { return Ok(Principal::Anonymous) };
    if secret.starts_with("ghs_") {
        let token = state.installation_tokens.get(&token_digest(secret)).filter(|t| t.expires_at > now);
        let token = token.ok_or_else(facts::bad_credentials)?;
        let installation = state.installations.get(&token.installation_id).ok_or_else(facts::bad_credentials)?;
        return Ok(Principal::Installation {
            id: token.installation_id,
            org: installation.org.clone(),
            permissions: token.permissions.clone(),
        });
    }
    let id = state.pat_by_secret(secret).ok_or_else(facts::bad_credentials)?;
    let user_id = state.pats().get(&id).map(|p| state.user_id(&p.owner)).unwrap_or(0);
    let pat = state.pats_mut().get_mut(&id).ok_or_else(facts::bad_credentials)?;
    if pat.revoked || pat.expires_at.is_some_and(|e| e <= now) {
        return Err(facts::bad_credentials());
    }
    pat.last_used_at = Some(now);
    Ok(Principal::Pat { token_id: id, user_id, owner: pat.owner.clone(), kind: pat.kind, scopes: pat.scopes.clone() })
}
