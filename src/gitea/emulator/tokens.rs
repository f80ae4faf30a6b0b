//! The token endpoints (§3.1): list, create, delete, behind the guards every one of them shares
//! (the user must exist, the caller must be that user or a site admin, and must have logged in
//! with the password).

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::{Principal, Via};
use super::facts::{self, Refusal};
use super::listing;
use super::scopes;
use super::setup::Flavor;
use super::state::{State, TokenEntry, mint_secret};
use super::wire::{Incoming, empty, format_time, json_response};
use crate::transport::HttpResponse;

/// One call's context.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) principal: Option<&'a Principal>,
    pub(crate) request: &'a Incoming,
    pub(crate) flavor: Flavor,
    pub(crate) now: DateTime<Utc>,
}

pub(crate) type Answer = Result<HttpResponse, Refusal>;

impl Call<'_> {
    /// The guards of the `/users/{username}/tokens` group, in the order the service applies
    /// them: the user must exist (404), the caller must be signed in (401 `auth required`, the
    /// emulator's pick for no credential), be that user or a site admin (403), and have used
    /// Basic auth with the password (401 `auth required`). Returns the user's id.
    fn manage(&self, username: &str) -> Result<u64, Refusal> {
        let target = self.state.find_user(username).ok_or_else(facts::not_found)?.id;
        let caller = self.principal.ok_or_else(facts::auth_required)?;
        if !caller.admin && caller.user_id != target {
            return Err(facts::not_self_or_admin());
        }
        if caller.via != Via::Password {
            return Err(facts::auth_required());
        }
        Ok(target)
    }

    /// `GET /users/{username}/tokens`: newest first (Gitea's model orders by creation time,
    /// descending; ties, as tokens made in one second, by id, descending — the sheet is silent,
    /// this is the emulator's reading of Gitea), `sha1` empty, paged with `X-Total-Count`.
    pub(crate) fn list(&mut self, username: &str) -> Answer {
        let owner = self.manage(username)?;
        let (skip, take) = listing::window(self.request, &self.state.settings);
        let ids = self.state.listing(format!("tokens {owner}"), |tokens| {
            let mut mine: Vec<&TokenEntry> = tokens.values().filter(|t| t.user_id == owner).collect();
            mine.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
            mine.into_iter().map(|t| t.id).collect()
        });
        let total = ids.len();
        let window: Vec<u64> = ids.iter().skip(skip).take(take).copied().collect();
        let state = &*self.state;
        let items =
            window.iter().filter_map(|id| state.tokens().get(id)).map(|t| token_json(state, t, None, self.flavor));
        Ok(listing::windowed(items.collect(), total))
    }

    /// `POST /users/{username}/tokens`: binding (422), then the unique name (400), the scopes
    /// (400), Forgejo's repositories (400), and 201 with the secret in `sha1`.
    pub(crate) fn create(&mut self, username: &str) -> Answer {
        let owner = self.manage(username)?;
        let body = read_body(&self.request.body)?;
        let name = match body.get("name") {
            None | Some(Value::Null) => return Err(facts::name_required()),
            Some(Value::String(s)) if s.is_empty() => return Err(facts::name_required()),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(facts::unreadable_body("Name")),
        };
        let requested = string_list(&body, "scopes").ok_or_else(|| facts::unreadable_body("Scopes"))?;
        let repositories = match self.flavor {
            Flavor::Forgejo => repository_targets(&body).ok_or_else(|| facts::unreadable_body("Repositories"))?,
            Flavor::Gitea => Vec::new(),
        };
        if self.state.tokens().values().any(|t| t.user_id == owner && t.name == name) {
            return Err(facts::name_used());
        }
        let scopes = scopes::normalize(&requested).map_err(|bad| facts::invalid_scope(&bad))?;
        if scopes.is_empty() {
            return Err(facts::no_scope());
        }
        let repositories = repositories
            .iter()
            .map(|(o, n)| self.state.find_repo(o, n))
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(facts::unknown_repository)?;
        let entry = TokenEntry {
            id: 0,
            user_id: owner,
            name,
            scopes,
            last_eight: String::new(),
            created_at: self.now,
            last_used_at: self.now,
            repositories,
        };
        let secret = mint_secret();
        let id = self.state.insert_token(entry, &secret);
        let body = token_json(self.state, &self.state.tokens()[&id], Some(&secret), self.flavor);
        Ok(json_response(StatusCode::CREATED, &body))
    }

    /// `DELETE /users/{username}/tokens/{token}`: `{token}` that parses as a non-zero integer is
    /// an id (only the user's own tokens: another user's id is 404); anything else is a name
    /// (none 404, several 422). 204, and the token no longer authenticates.
    pub(crate) fn delete(&mut self, username: &str, token: &str) -> Answer {
        let owner = self.manage(username)?;
        let id = match token.parse::<i64>().unwrap_or(0) {
            0 => {
                let matches: Vec<u64> = self
                    .state
                    .tokens()
                    .values()
                    .filter(|t| t.user_id == owner && t.name == token)
                    .map(|t| t.id)
                    .collect();
                match matches.as_slice() {
                    [] => return Err(facts::not_found()),
                    [id] => *id,
                    _ => return Err(facts::ambiguous_name()),
                }
            }
            n => u64::try_from(n)
                .ok()
                .filter(|id| self.state.tokens().get(id).is_some_and(|t| t.user_id == owner))
                .ok_or_else(facts::not_found)?,
        };
        self.state.delete_token(id);
        Ok(empty(StatusCode::NO_CONTENT))
    }
}

/// The create body: a JSON object (an empty body is an empty object); anything else is a
/// binding error, 422.
fn read_body(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(facts::unreadable_body("")),
    }
}

/// A `[]string` field: absent or null is empty; anything but an array of strings is `None`.
fn string_list(body: &Map<String, Value>, field: &str) -> Option<Vec<String>> {
    match body.get(field) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(_) => None,
    }
}

/// Forgejo's `repositories: [{"owner":…,"name":…}]` (§3.10); `None` when malformed.
fn repository_targets(body: &Map<String, Value>) -> Option<Vec<(String, String)>> {
    match body.get("repositories") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|r| Some((r.get("owner")?.as_str()?.to_owned(), r.get("name")?.as_str()?.to_owned())))
            .collect(),
        Some(_) => None,
    }
}

/// The `AccessToken` body (§3.3): `sha1` is the secret in a create answer and `""` everywhere
/// else; Forgejo adds `repositories` for a repository-specific token.
pub(crate) fn token_json(state: &State, token: &TokenEntry, secret: Option<&str>, flavor: Flavor) -> Value {
    let mut body = json!({
        "id": token.id,
        "name": token.name,
        "sha1": secret.unwrap_or(""),
        "token_last_eight": token.last_eight,
        "scopes": token.scopes,
        "created_at": format_time(token.created_at),
        "last_used_at": format_time(token.last_used_at),
    });
    if flavor == Flavor::Forgejo && !token.repositories.is_empty() {
        let repos: Vec<Value> = token
            .repositories
            .iter()
            .filter_map(|id| state.repos.get(id))
            .map(|r| json!({"id": r.id, "name": r.name, "owner": r.owner, "full_name": format!("{}/{}", r.owner, r.name)}))
            .collect();
        body["repositories"] = Value::Array(repos);
    }
    body
}
