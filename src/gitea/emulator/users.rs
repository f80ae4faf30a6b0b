//! The routes beside token management that the flows need: `GET /user` (a token's self-check,
//! §3.8), `GET /admin/users` (a site admin iterating users, §3.1), the user search and a
//! user's keys (offboarding by name), and `GET /version`.

use http::StatusCode;
use serde_json::{Value, json};

use super::facts::{self, FORGEJO_VERSION, GITEA_VERSION};
use super::listing;
use super::setup::Flavor;
use super::state::UserEntry;
use super::tokens::{Answer, Call};
use super::wire::{format_time, json_response, set_header};

/// Gitea's `User` body (the fields giteapy and the provider read).
fn user_json(user: &UserEntry) -> Value {
    json!({
        "id": user.id,
        "login": user.username,
        "login_name": "",
        "full_name": user.full_name,
        "email": user.email,
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

    /// `GET /users/search?q=&uid=&page=&limit=`: a signed-in caller (a token needs
    /// `read:user`); `q` matches part of the login or full name, case-insensitively, and — for a
    /// site admin only (the emulator's reading; unverified) — the whole email. `{"ok": true,
    /// "data": [...]}` with `X-Total-Count`, by ascending id.
    pub(crate) fn search_users(&mut self) -> Answer {
        let caller = self.principal.ok_or_else(facts::token_required)?;
        caller.require_scope(false, "user")?;
        let q = self.request.query("q").map(|q| q.trim().to_lowercase()).unwrap_or_default();
        let uid = self.request.query_int("uid");
        let hits: Vec<Value> = self
            .state
            .users
            .values()
            .filter(|u| uid <= 0 || i64::try_from(u.id).is_ok_and(|id| id == uid))
            .filter(|u| {
                q.is_empty()
                    || u.username.to_lowercase().contains(&q)
                    || u.full_name.to_lowercase().contains(&q)
                    || (caller.admin && u.email.to_lowercase() == q)
            })
            .map(user_json)
            .collect();
        let total = hits.len();
        let (skip, take) = listing::window(self.request, &self.state.settings);
        let data: Vec<Value> = hits.into_iter().skip(skip).take(take).collect();
        let mut response = json_response(StatusCode::OK, &json!({ "ok": true, "data": data }));
        set_header(&mut response, "x-total-count", &total.to_string());
        set_header(&mut response, "access-control-expose-headers", "X-Total-Count");
        Ok(response)
    }

    /// `GET /users/{username}/keys` and `…/gpg_keys`: a signed-in caller (a token needs
    /// `read:user`); an unknown user is 404. Paged like the token list.
    pub(crate) fn user_keys(&mut self, username: &str, gpg: bool) -> Answer {
        let caller = self.principal.ok_or_else(facts::token_required)?;
        caller.require_scope(false, "user")?;
        let user = self.state.find_user(username).ok_or_else(facts::not_found)?;
        let keys: Vec<Value> = if gpg {
            user.gpg_keys
                .iter()
                .map(|k| {
                    json!({
                        "id": k.id, "primary_key_id": "", "key_id": k.fingerprint, "public_key": k.key,
                        "emails": [], "subkeys": [], "can_sign": true, "can_encrypt_comms": false,
                        "can_encrypt_storage": false, "can_certify": true, "verified": false,
                        "created_at": format_time(k.created_at), "expires_at": "0001-01-01T00:00:00Z",
                    })
                })
                .collect()
        } else {
            user.ssh_keys
                .iter()
                .map(|k| {
                    json!({
                        "id": k.id, "key": k.key, "url": format!("http://localhost/api/v1/user/keys/{}", k.id),
                        "title": k.title, "fingerprint": k.fingerprint, "created_at": format_time(k.created_at),
                        "read_only": false, "key_type": "user",
                    })
                })
                .collect()
        };
        Ok(listing::page(keys, self.request, &self.state.settings))
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
