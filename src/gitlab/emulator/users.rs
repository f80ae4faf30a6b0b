//! Users and their keys (`GET /users`, `GET /users/:id/keys`, `GET /users/:id/gpg_keys`), for
//! offboarding by name.

use serde_json::{Value, json};

use super::facts;
use super::listing::paged;
use super::pats::Call;
use super::state::{KeyEntry, UserEntry};
use super::wire::format_datetime;
use crate::transport::HttpResponse;

type Answer = Result<HttpResponse, HttpResponse>;

impl Call<'_> {
    /// `GET /users` (`api`, `read_api` or `read_user`), by id, paged like every list.
    /// `username=` matches one username exactly, case-insensitively; `search=` matches part of
    /// the name or username, and the email — an administrator's search matches any email, a
    /// regular user's only a public one, of which emulated users have none. Only
    /// administrators see `email` and `is_admin`.
    pub(crate) fn users(&mut self) -> Answer {
        self.principal.require_any(&["api", "read_api", "read_user"])?;
        let admin = self.principal.admin;
        let username = self.request.query("username").map(str::trim).filter(|u| !u.is_empty());
        let search = self.request.query("search").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        let hits: Vec<&UserEntry> = self
            .state
            .users
            .values()
            .filter(|u| username.is_none_or(|name| u.username.eq_ignore_ascii_case(name)))
            .filter(|u| {
                search.as_deref().is_none_or(|q| {
                    u.username.to_lowercase().contains(q)
                        || u.name.to_lowercase().contains(q)
                        || (admin && u.email.to_lowercase() == q)
                })
            })
            .collect();
        paged(hits.len(), self.request, |skip, take| {
            Value::Array(hits.iter().skip(skip).take(take).map(|u| user_json(u, admin)).collect())
        })
    }

    /// `GET /users/:id_or_username/keys` and `…/gpg_keys` (`api`, `read_api` or `read_user`):
    /// the user's keys with their public key text, paged. An unknown user is `404 User Not
    /// Found`.
    pub(crate) fn user_keys(&mut self, user: &str, gpg: bool) -> Answer {
        self.principal.require_any(&["api", "read_api", "read_user"])?;
        let entry = match user.parse::<u64>() {
            Ok(id) => self.state.users.get(&id),
            Err(_) => self.state.users.values().find(|u| u.username.eq_ignore_ascii_case(user)),
        }
        .ok_or_else(|| facts::not_found("404 User Not Found"))?;
        let keys = if gpg { &entry.gpg_keys } else { &entry.ssh_keys };
        paged(keys.len(), self.request, |skip, take| {
            Value::Array(keys.iter().skip(skip).take(take).map(|k| key_json(k, gpg)).collect())
        })
    }
}

fn user_json(u: &UserEntry, admin: bool) -> Value {
    let mut value = json!({
        "id": u.id,
        "username": u.username,
        "name": u.name,
        "state": if u.blocked { "blocked" } else { "active" },
        "locked": false,
        "avatar_url": null,
        "web_url": format!("https://gitlab.example/{}", u.username),
        "bot": u.bot,
    });
    if admin && let Value::Object(map) = &mut value {
        map.insert("email".into(), json!(u.email));
        map.insert("is_admin".into(), json!(u.admin));
    }
    value
}

/// `Entities::SSHKey` (`id`, `title`, `created_at`, `expires_at`, `last_used_at`, `usage_type`,
/// `key`) or `Entities::GpgKey` (`id`, `key`, `created_at`).
fn key_json(k: &KeyEntry, gpg: bool) -> Value {
    if gpg {
        return json!({ "id": k.id, "key": k.key, "created_at": format_datetime(k.created_at) });
    }
    json!({
        "id": k.id,
        "title": k.title,
        "created_at": format_datetime(k.created_at),
        "expires_at": k.expires_at.map(format_datetime),
        "last_used_at": k.last_used_at.map(format_datetime),
        "usage_type": "auth_and_signing",
        "key": k.key,
    })
}
