//! The routes beside token management that the flows need: `GET /user` (a token's self-check,
//! §3.8), `GET /admin/users` (a site admin iterating users, §3.1) and `GET /version`.

use http::StatusCode;
use serde_json::{Value, json};

use super::facts::{self, FORGEJO_VERSION, GITEA_VERSION};
use super::listing;
use super::setup::Flavor;
use super::state::UserEntry;
use super::tokens::{Answer, Call};
use super::wire::{format_time, json_response};

/// Gitea's `User` body (the fields giteapy and the provider read).
fn user_json(user: &UserEntry) -> Value {
    json!({
        "id": user.id,
        "login": user.username,
        "login_name": "",
        "full_name": "",
        "email": format!("{}@noreply.localhost", user.username.to_lowercase()),
        "avatar_url": "",
        "language": "",
        "is_admin": user.admin,
        "created": format_time(user.created_at),
        "last_login": format_time(user.created_at),
        "restricted": false,
        "active": true,
        "prohibit_login": false,
        "username": user.username,
    })
}

impl Call<'_> {
    /// `GET /user`: needs a signed-in caller (401 `token is required`) and, for a token,
    /// `read:user` (403).
    pub(crate) fn current_user(&mut self) -> Answer {
        let caller = self.principal.ok_or_else(facts::token_required)?;
        caller.require_scope(false, "user")?;
        Ok(json_response(StatusCode::OK, &user_json(&self.state.users[&caller.user_id])))
    }

    /// `GET /admin/users`: a token needs `read:admin` (403), the caller must be a site admin
    /// (403); every user by ascending id, paged with `X-Total-Count`.
    pub(crate) fn admin_users(&mut self) -> Answer {
        let caller = self.principal.ok_or_else(facts::token_required)?;
        caller.require_scope(false, "admin")?;
        if !caller.admin {
            return Err(facts::not_site_admin());
        }
        let users = self.state.users.values().map(user_json).collect();
        Ok(listing::page(users, self.request, &self.state.settings))
    }

    /// `GET /version`, no credential needed: `{"version":…}` for the flavour.
    pub(crate) fn version(&mut self) -> Answer {
        let version = match self.flavor {
            Flavor::Gitea => GITEA_VERSION,
            Flavor::Forgejo => FORGEJO_VERSION,
        };
        Ok(json_response(StatusCode::OK, &json!({ "version": version })))
    }
}
