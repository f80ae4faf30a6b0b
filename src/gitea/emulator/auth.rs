//! Who is calling (§3.2): a token (`Authorization: token …` or `Bearer …`, Basic with the token
//! as password or as user name, `?token=` / `?access_token=`), or a password login (Basic
//! `user:password`, plus the flavour's one-time code header for a two-factor account).

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::facts::{self, Refusal};
use super::scopes;
use super::setup::Flavor;
use super::state::State;
use super::wire::Incoming;
use crate::base64;

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Via {
    /// Basic auth with the account's password (and one-time code): what token management needs.
    Password,
    /// One of the user's tokens, with its scopes.
    Token { id: u64, scopes: Vec<String> },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub(crate) user_id: u64,
    pub(crate) admin: bool,
    pub(crate) via: Via,
}

impl Principal {
    /// Goes ahead for a password login, or a token with `read:`/`write:` `category` (`all`
    /// included); otherwise 403.
    pub(crate) fn require_scope(&self, write: bool, category: &str) -> Result<(), Refusal> {
        match &self.via {
            Via::Password => Ok(()),
            Via::Token { scopes, .. } if scopes::grants(scopes, write, category) => Ok(()),
            Via::Token { .. } => {
                let needed = if write { format!("write:{category}") } else { format!("read:{category}") };
                Err(facts::insufficient_scope(&[&needed]))
            }
        }
    }
}

/// The token the request presents in the query (when allowed) or the `Authorization` header.
/// The copies are wiped when dropped.
enum Presented {
    Nothing,
    Token(Zeroizing<String>),
    Basic { user: Zeroizing<String>, password: Zeroizing<String> },
}

fn presented(state: &State, request: &Incoming) -> Result<Presented, Refusal> {
    if state.settings.query_tokens {
        let query = request.query("token").or_else(|| request.query("access_token"));
        if let Some(token) = query.filter(|t| !t.is_empty()) {
            return Ok(Presented::Token(Zeroizing::new(token.to_owned())));
        }
    }
    let Some(auth) = request.header("authorization") else { return Ok(Presented::Nothing) };
    let (scheme, value) = auth.trim().split_once(' ').unwrap_or((auth.trim(), ""));
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Presented::Token(Zeroizing::new(value.to_owned())));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        if !state.settings.basic_auth {
            return Ok(Presented::Nothing);
        }
        let bytes = Zeroizing::new(base64::decode(value, base64::Alphabet::Standard).ok_or_else(facts::bad_login)?);
        let decoded = std::str::from_utf8(&bytes).map_err(|_| facts::bad_login())?;
        let (user, password) = decoded.split_once(':').unwrap_or((decoded, ""));
        return Ok(Presented::Basic {
            user: Zeroizing::new(user.to_owned()),
            password: Zeroizing::new(password.to_owned()),
        });
    }
    Ok(Presented::Nothing)
}

/// The caller, `None` when anonymous. An unknown token counts as no credential (the route then
/// answers its own 401), as Gitea's token verifier does; a failed password login is refused at
/// once with 401.
pub(crate) fn authenticate(
    state: &mut State,
    request: &Incoming,
    flavor: Flavor,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, Refusal> {
    let token_id = match presented(state, request)? {
        Presented::Nothing => return Ok(None),
        Presented::Token(secret) => state.token_by_secret(&secret),
        Presented::Basic { user, password } => {
            // A token as the password, or as the user name with an empty or `x-oauth-basic`
            // password, is token auth (and so refused by token management).
            let as_token = state.token_by_secret(&password).or_else(|| {
                (password.is_empty() || password.as_str() == "x-oauth-basic")
                    .then(|| state.token_by_secret(&user))
                    .flatten()
            });
            match as_token {
                Some(id) => Some(id),
                None => return password_login(state, request, flavor, &user, &password).map(Some),
            }
        }
    };
    let Some(id) = token_id else { return Ok(None) };
    let token = &state.tokens()[&id];
    let (user_id, scopes) = (token.user_id, token.scopes.clone());
    let Some(user) = state.users.get(&user_id) else { return Ok(None) };
    let admin = user.admin;
    state.touch(id, now);
    Ok(Some(Principal { user_id, admin, via: Via::Token { id, scopes } }))
}

fn password_login(
    state: &State,
    request: &Incoming,
    flavor: Flavor,
    user: &str,
    password: &str,
) -> Result<Principal, Refusal> {
    let entry = state.find_user(user).ok_or_else(facts::bad_login)?;
    let known = entry.password.as_ref().ok_or_else(facts::bad_login)?;
    if !known.matches(password) {
        return Err(facts::bad_login());
    }
    if let Some(otp) = &entry.otp {
        let code = request.header(flavor.otp_header()).map(str::trim).ok_or_else(facts::bad_otp)?;
        if !otp.matches(code) {
            return Err(facts::bad_otp());
        }
    }
    Ok(Principal { user_id: entry.id, admin: entry.admin, via: Via::Password })
}
