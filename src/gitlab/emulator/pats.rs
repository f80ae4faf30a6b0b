//! The personal access token endpoints (§2.1 rows 1–10) and `GET /user`.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::json;

use super::auth::Principal;
use super::create::{self, mint_secret};
use super::facts::{self, SCOPES, SELF_CREATE_SCOPES};
use super::listing;
use super::routes::TokenRef;
use super::state::{RotateRefusal, State, hash_secret};
use super::wire::{Incoming, empty, json_response, token_json};
use crate::transport::HttpResponse;

/// One call's context.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) principal: &'a Principal,
    pub(crate) request: &'a Incoming,
    pub(crate) now: DateTime<Utc>,
}

type Answer = Result<HttpResponse, HttpResponse>;

/// `{"error":"id is invalid"}`: a path id that is neither an integer nor `self`.
fn invalid_id() -> HttpResponse {
    facts::param_errors(&["id is invalid".to_owned()])
}

impl Call<'_> {
    /// The token `id` when the caller may see it: its owner, or an admin. Otherwise a non-admin
    /// gets 401 `{"message":"401 Unauthorized"}` whether the token is foreign or unknown (no
    /// disclosure, §2.4), and an admin gets 404 for an unknown id.
    fn visible(&self, id: u64) -> Result<u64, HttpResponse> {
        match self.state.tokens().get(&id) {
            Some(t) if self.principal.admin || t.user_id == self.principal.user_id => Ok(id),
            None if self.principal.admin => Err(facts::not_found("404 Not found")),
            _ => Err(facts::unauthorized()),
        }
    }

    /// The calling token's id; a non-PAT credential gets `refusal`.
    fn own_token(&self, refusal: fn() -> HttpResponse) -> Result<u64, HttpResponse> {
        self.principal.token_id.ok_or_else(refusal)
    }

    /// `GET /personal_access_tokens`: a non-admin sees their own tokens (a `user_id` of anyone
    /// else is 401), an admin everyone's (an unknown `user_id` is 404).
    pub(crate) fn list(&mut self) -> Answer {
        self.principal.require_read()?;
        let today = self.now.date_naive();
        let owner = match self.request.query("user_id") {
            Some(key) => {
                let found = self.state.find_user(key);
                match found {
                    Some(id) if self.principal.admin || id == self.principal.user_id => Some(id),
                    None if self.principal.admin => return Err(facts::not_found("404 User Not Found")),
                    _ => return Err(facts::unauthorized()),
                }
            }
            None if self.principal.admin => None,
            None => Some(self.principal.user_id),
        };
        listing::list(self.state, format!("pats {owner:?}"), self.request, today, |t| {
            owner.is_none_or(|o| t.user_id == o)
        })
    }

    /// `GET /personal_access_tokens/:id` and `…/self` (any scope for `self`; a non-PAT
    /// credential gets 400).
    pub(crate) fn get(&mut self, id: &TokenRef) -> Answer {
        let id = match id {
            TokenRef::SelfToken => self.own_token(facts::requires_pat)?,
            TokenRef::Id(id) => {
                self.principal.require_read()?;
                self.visible(*id)?
            }
            TokenRef::Invalid => return Err(invalid_id()),
        };
        Ok(json_response(StatusCode::OK, &token_json(&self.state.tokens()[&id], self.now.date_naive(), None)))
    }

    /// `GET /personal_access_tokens/self/associations`: the groups and projects the token's
    /// user is a member of (`min_access_level` filters; `page`/`per_page` page both).
    pub(crate) fn associations(&mut self) -> Answer {
        self.own_token(facts::requires_pat)?;
        let min = self.request.query("min_access_level").and_then(|v| v.parse::<u8>().ok()).unwrap_or(0);
        let user = self.principal.user_id;
        let member_of = |kind| {
            self.state
                .resources(kind)
                .values()
                .filter_map(|r| r.members.get(&user).filter(|l| **l >= min).map(|l| (r, *l)))
                .collect::<Vec<_>>()
        };
        let groups: Vec<_> = member_of(super::ResourceKind::Group)
            .into_iter()
            .map(|(g, level)| {
                json!({"id": g.id, "name": g.path.rsplit('/').next(), "full_path": g.path, "parent_id": null,
                       "access_levels": level, "visibility": "private"})
            })
            .collect();
        let projects: Vec<_> = member_of(super::ResourceKind::Project)
            .into_iter()
            .map(|(p, level)| {
                json!({"id": p.id, "name": p.path.rsplit('/').next(), "path_with_namespace": p.path,
                       "access_levels": {"project_access_level": level, "group_access_level": null},
                       "visibility": "private"})
            })
            .collect();
        // `page`/`per_page` (§2.3) cut both arrays to the same window; there is a next page
        // while either has more.
        listing::paged(groups.len().max(projects.len()), self.request, |skip, take| {
            let cut = |items: Vec<serde_json::Value>| items.into_iter().skip(skip).take(take).collect::<Vec<_>>();
            json!({"groups": cut(groups), "projects": cut(projects)})
        })
    }

    /// `POST /personal_access_tokens/:id/rotate` (`api`) and `…/self/rotate` (`api` or
    /// `self_rotate`; a non-PAT credential gets 405).
    pub(crate) fn rotate(&mut self, id: &TokenRef) -> Answer {
        let id = match id {
            TokenRef::SelfToken => {
                let id = self.own_token(facts::self_rotate_requires_pat)?;
                self.principal.require_any(&["api", "self_rotate"])?;
                id
            }
            TokenRef::Id(id) => {
                self.principal.require_write()?;
                self.visible(*id)?
            }
            TokenRef::Invalid => return Err(invalid_id()),
        };
        rotate_token(self.state, id, self.request, self.now)
    }

    /// `DELETE /personal_access_tokens/:id` (`api`) and `…/self` (any scope): a soft revoke.
    ///
    /// §2.17 leaves two answers open; the emulator picks:
    /// - a non-admin revoking a foreign (or unknown) id gets 401, like every other foreign-id
    ///   call (§2.16 #6), disclosing nothing;
    /// - revoking a revoked token gets 400 `{"message":"400 Bad request"}`, so a client must
    ///   resolve a lost revoke answer by reading, not by trusting a second 204.
    pub(crate) fn revoke(&mut self, id: &TokenRef) -> Answer {
        let id = match id {
            TokenRef::SelfToken => self.own_token(facts::requires_pat)?,
            TokenRef::Id(id) => {
                self.principal.require_write()?;
                self.visible(*id)?
            }
            TokenRef::Invalid => return Err(invalid_id()),
        };
        revoke_token(self.state, id)
    }

    /// `POST /users/:user_id/personal_access_tokens`: admins only (403), unknown user 404.
    pub(crate) fn create_for_user(&mut self, user: &str) -> Answer {
        self.principal.require_write()?;
        if !self.principal.admin {
            return Err(facts::forbidden());
        }
        let owner = self.state.find_user(user).ok_or_else(|| facts::not_found("404 User Not Found"))?;
        self.create(SCOPES, owner)
    }

    /// `POST /user/personal_access_tokens`: scopes `k8s_proxy` and `self_rotate` only.
    pub(crate) fn create_own(&mut self) -> Answer {
        self.principal.require_write()?;
        self.create(SELF_CREATE_SCOPES, self.principal.user_id)
    }

    fn create(&mut self, allowed: &[&str], owner: u64) -> Answer {
        let params = self.request.params()?;
        let entry = create::new_token(&params, allowed, owner, &self.state.settings, self.now)?;
        let secret = mint_secret();
        let id = self.state.insert_token(entry, hash_secret(&secret));
        let body = token_json(&self.state.tokens()[&id], self.now.date_naive(), Some(&secret));
        Ok(json_response(StatusCode::CREATED, &body))
    }

    /// `GET /user` (`api`, `read_api` or `read_user`).
    pub(crate) fn current_user(&mut self) -> Answer {
        self.principal.require_any(&["api", "read_api", "read_user"])?;
        let user = &self.state.users[&self.principal.user_id];
        Ok(json_response(
            StatusCode::OK,
            &json!({"id": user.id, "username": user.username, "name": user.username, "state": "active",
                    "is_admin": user.admin, "bot": user.bot}),
        ))
    }
}

/// Rotates token `id` (the caller may act on it): a revoked token gets 400 `Token already
/// revoked` and its whole family is revoked (reuse detection, §2.12), whatever `expires_at`
/// says; an expired one 401; otherwise `expires_at` is validated (default one week) and the
/// successor is answered with its secret, 200.
pub(crate) fn rotate_token(state: &mut State, id: u64, request: &Incoming, now: DateTime<Utc>) -> Answer {
    let today = now.date_naive();
    let secret = mint_secret();
    let hash = hash_secret(&secret);
    let expires_at = if state.tokens()[&id].revoked {
        None
    } else {
        let params = request.params()?;
        create::expiry(&params, today, create::rotate_default(&state.settings, today))?
    };
    match state.rotate(id, expires_at, now, hash) {
        Ok(new) => Ok(json_response(StatusCode::OK, &token_json(&state.tokens()[&new], today, Some(&secret)))),
        Err(RotateRefusal::AlreadyRevoked) => Err(facts::bad_request(Some("Token already revoked"))),
        Err(RotateRefusal::Expired) => Err(facts::unauthorized()),
    }
}

/// Revokes token `id`: 204, or 400 when it already was.
pub(crate) fn revoke_token(state: &mut State, id: u64) -> Answer {
    let token = state.tokens_mut().get_mut(&id).ok_or_else(|| facts::not_found("404 Not found"))?;
    if token.revoked {
        return Err(facts::bad_request(None));
    }
    token.revoked = true;
    Ok(empty(StatusCode::NO_CONTENT))
}
