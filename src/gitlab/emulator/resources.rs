//! Project and group access tokens (§2.1 row 14): each token belongs to a bot user that is a
//! member of its project or group at the token's access level.
//!
//! Callers need Maintainer (40) or more on the project or group, or to be an admin. A project
//! or group the caller cannot see is 404 (`404 Project Not Found` / `404 Group Not Found`), one
//! they see with a lower level is 403. Revoke is soft here too (the token stays listed with
//! `revoked: true` and its bot stays a member; the service may later remove the bot, which no
//! client should rely on either way), and rotate follows the PAT rules, reuse detection
//! included.

use http::StatusCode;

use super::create::{self, mint_secret};
use super::facts::{self, ACCESS_LEVELS, ADMIN_ONLY_SCOPES, MAINTAINER, SCOPES};
use super::listing;
use super::pats::{Call, revoke_token, rotate_token};
use super::routes::TokenRef;
use super::setup::ResourceKind;
use super::state::hash_secret;
use super::wire::{json_response, token_json};
use crate::transport::HttpResponse;

type Answer = Result<HttpResponse, HttpResponse>;

fn not_found(kind: ResourceKind) -> HttpResponse {
    match kind {
        ResourceKind::Project => facts::not_found("404 Project Not Found"),
        ResourceKind::Group => facts::not_found("404 Group Not Found"),
    }
}

impl Call<'_> {
    /// The resource's id and the caller's level on it (admins count as Owner).
    fn manage(&self, kind: ResourceKind, key: &str) -> Result<(u64, u8), HttpResponse> {
        let id = self.state.find_resource(kind, key).ok_or_else(|| not_found(kind))?;
        if self.principal.admin {
            return Ok((id, 50));
        }
        match self.state.resources(kind)[&id].members.get(&self.principal.user_id) {
            None => Err(not_found(kind)),
            Some(level) if *level < MAINTAINER => Err(facts::forbidden()),
            Some(level) => Ok((id, *level)),
        }
    }

    /// The token `token` of resource `(kind, id)`, or 404.
    fn resource_token(&self, kind: ResourceKind, id: u64, token: &TokenRef) -> Result<u64, HttpResponse> {
        let token = match token {
            TokenRef::Id(t) => *t,
            TokenRef::SelfToken => self.principal.token_id.ok_or_else(facts::self_rotate_requires_pat)?,
            TokenRef::Invalid => return Err(facts::param_errors(&["token_id is invalid".to_owned()])),
        };
        match self.state.tokens().get(&token) {
            Some(t) if t.resource == Some((kind, id)) => Ok(token),
            _ => Err(facts::not_found("404 Not Found")),
        }
    }

    /// `GET …/access_tokens`, with the list filters and pagination of the PAT list.
    pub(crate) fn resource_list(&mut self, kind: ResourceKind, key: &str) -> Answer {
        self.principal.require_read()?;
        let (id, _) = self.manage(kind, key)?;
        let today = self.now.date_naive();
        listing::list(self.state, format!("{kind:?} {id}"), self.request, today, |t| t.resource == Some((kind, id)))
    }

    /// `GET …/access_tokens/:token_id`.
    pub(crate) fn resource_get(&mut self, kind: ResourceKind, key: &str, token: &TokenRef) -> Answer {
        self.principal.require_read()?;
        let (id, _) = self.manage(kind, key)?;
        let token = self.resource_token(kind, id, token)?;
        Ok(json_response(StatusCode::OK, &token_json(&self.state.tokens()[&token], self.now.date_naive(), None)))
    }

    /// `POST …/access_tokens`: `name`, `scopes` (no admin-only scope, no `read_user`),
    /// `access_level` (10–50, default 40, at most the caller's own), `description`,
    /// `expires_at`. Creates the bot user `{project|group}_{id}_bot_{random}`.
    pub(crate) fn resource_create(&mut self, kind: ResourceKind, key: &str) -> Answer {
        self.principal.require_write()?;
        let (id, caller_level) = self.manage(kind, key)?;
        let params = self.request.params()?;
        let allowed: Vec<&str> =
            SCOPES.iter().copied().filter(|s| !ADMIN_ONLY_SCOPES.contains(s) && *s != "read_user").collect();
        let level = match params.get("access_level") {
            None | Some(serde_json::Value::Null) => MAINTAINER,
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .and_then(|l| u8::try_from(l).ok())
                .filter(|l| ACCESS_LEVELS.contains(l))
                .ok_or_else(|| facts::param_errors(&["access_level does not have a valid value".to_owned()]))?,
        };
        let mut entry = create::new_token(&params, &allowed, 0, &self.state.settings, self.now)?;
        if level > caller_level {
            return Err(facts::bad_request(Some(
                "Access level of the token can't be greater the access level of the user who created the token",
            )));
        }
        let prefix = match kind {
            ResourceKind::Project => "project",
            ResourceKind::Group => "group",
        };
        let tag = &mint_secret()[6..14];
        let bot = self.state.add_user(&format!("{prefix}_{id}_bot_{}", tag.to_lowercase()), false, true);
        if let Some(resource) = self.state.resources_mut(kind).get_mut(&id) {
            resource.members.insert(bot, level);
        }
        entry.user_id = bot;
        entry.resource = Some((kind, id));
        entry.access_level = Some(level);
        let secret = mint_secret();
        let token = self.state.insert_token(entry, hash_secret(&secret));
        let body = token_json(&self.state.tokens()[&token], self.now.date_naive(), Some(&secret));
        Ok(json_response(StatusCode::CREATED, &body))
    }

    /// `POST …/access_tokens/:token_id/rotate` (`api`), and `…/self/rotate` for the calling
    /// token when it is one of this resource's (`api` or `self_rotate`).
    pub(crate) fn resource_rotate(&mut self, kind: ResourceKind, key: &str, token: &TokenRef) -> Answer {
        let id = match token {
            // A bot's token rotating itself: `api` or `self_rotate`, as for a PAT's self-rotate,
            // and it need not be a Maintainer of its own resource.
            TokenRef::SelfToken => {
                self.principal.require_any(&["api", "self_rotate"])?;
                self.state.find_resource(kind, key).ok_or_else(|| not_found(kind))?
            }
            _ => {
                self.principal.require_write()?;
                self.manage(kind, key)?.0
            }
        };
        let token = self.resource_token(kind, id, token)?;
        rotate_token(self.state, token, self.request, self.now)
    }

    /// `DELETE …/access_tokens/:token_id`: 204, 400 when already revoked.
    pub(crate) fn resource_revoke(&mut self, kind: ResourceKind, key: &str, token: &TokenRef) -> Answer {
        self.principal.require_write()?;
        let (id, _) = self.manage(kind, key)?;
        let token = self.resource_token(kind, id, token)?;
        revoke_token(self.state, token)
    }
}
