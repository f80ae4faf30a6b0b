//! The admin user list and users' SSH and GPG keys (offboarding by name):
//! `GET /rest/api/{v}/admin/users?filter=`, `GET /rest/ssh/{v}/keys?user=`,
//! `GET /rest/gpg/{v}/keys?user=`, paged like the token list.

use http::StatusCode;
use serde_json::{Value, json};

use super::auth::Principal;
use super::facts;
use super::state::{KeyEntry, Owner, UserEntry};
use super::tokens::Call;
use super::wire::json_response;
use crate::transport::HttpResponse;

type Answer = Result<HttpResponse, HttpResponse>;

impl Call<'_> {
    /// The slug the caller acts as, and whether that user is a system administrator (a
    /// project's or repository's token acts as nobody).
    fn acting_user(&self) -> Option<(&str, bool)> {
        let slug = match self.principal {
            Principal::Password { slug, .. } | Principal::Token { owner: Owner::User(slug) } => slug.as_str(),
            Principal::Token { .. } => return None,
        };
        self.state.users.get(slug).map(|u| (u.slug.as_str(), u.admin))
    }

    /// One page of `values` (`start`, `limit` capped by the server, `isLastPage`,
    /// `nextPageStart`).
    fn page(&self, values: Vec<Value>) -> Answer {
        let number = |name: &str, default: usize| -> Result<usize, HttpResponse> {
            match self.request.query(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| facts::invalid(Some(name), &format!("{name} must be a non-negative number"))),
            }
        };
        let start = number("start", 0)?;
        let limit = number("limit", facts::DEFAULT_LIMIT)?.clamp(1, self.state.max_limit);
        let total = values.len();
        let values: Vec<Value> = values.into_iter().skip(start).take(limit).collect();
        let end = start.saturating_add(values.len());
        let last = end >= total;
        let mut page =
            json!({"size": values.len(), "limit": limit, "start": start, "isLastPage": last, "values": values});
        if !last {
            page["nextPageStart"] = json!(end);
        }
        Ok(json_response(StatusCode::OK, &page))
    }

    /// `GET /rest/api/{v}/admin/users?filter=`: system administrators only (others 401);
    /// `filter` matches part of the username, display name or email, case-insensitively.
    pub(crate) fn admin_users(&mut self) -> Answer {
        if !self.acting_user().is_some_and(|(_, admin)| admin) {
            return Err(facts::not_permitted());
        }
        let filter = self.request.query("filter").unwrap_or_default().trim().to_lowercase();
        let values = self
            .state
            .users
            .values()
            .filter(|u| {
                filter.is_empty()
                    || u.slug.to_lowercase().contains(&filter)
                    || u.display_name.to_lowercase().contains(&filter)
                    || u.email.to_lowercase().contains(&filter)
            })
            .map(user_json)
            .collect();
        self.page(values)
    }

    /// `GET /rest/{ssh|gpg}/{v}/keys?user=`: the caller's own keys, or (system administrators)
    /// anyone's; others 401, an unknown user 404.
    pub(crate) fn keys(&mut self, gpg: bool) -> Answer {
        let Some((me, admin)) = self.acting_user() else {
            return Err(facts::not_permitted());
        };
        let slug = self.request.query("user").map_or_else(|| me.to_owned(), str::to_owned);
        if !admin && !slug.eq_ignore_ascii_case(me) {
            return Err(facts::not_permitted());
        }
        let user = self.state.users.get(&slug).ok_or_else(|| facts::no_such_user(&slug))?;
        let values = if gpg {
            user.gpg_keys.iter().map(gpg_json).collect()
        } else {
            user.ssh_keys.iter().map(ssh_json).collect()
        };
        self.page(values)
    }
}

fn user_json(u: &UserEntry) -> Value {
    json!({
        "name": u.slug,
        "emailAddress": u.email,
        "id": u.id,
        "displayName": u.display_name,
        "active": true,
        "slug": u.slug,
        "type": "NORMAL",
        "directoryName": "Bitbucket Internal Directory",
        "deletable": true,
        "mutableDetails": true,
        "mutableGroups": true,
    })
}

fn ssh_json(k: &KeyEntry) -> Value {
    json!({
        "id": k.id,
        "text": k.text,
        "label": k.label,
        "algorithmType": "ED25519",
        "bitLength": 256,
        "fingerprint": k.fingerprint,
        "createdDate": k.created.timestamp_millis(),
        "lastAuthenticated": k.last_authenticated.map(|t| t.timestamp_millis()),
    })
}

fn gpg_json(k: &KeyEntry) -> Value {
    json!({
        "id": k.id.to_string(),
        "fingerprint": k.fingerprint,
        "text": k.text,
        "subKeys": [],
    })
}
