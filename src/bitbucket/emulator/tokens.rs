//! The handlers: the five token operations of §5.1 for users, projects and repositories, and the
//! harmless reads under `/rest/api` a token is checked with.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::Principal;
use super::facts::{self, GLOBAL, PROJECT, REPO};
use super::state::{Owner, State, TokenEntry, digest, mint_secret, to_millis};
use super::wire::{Incoming, empty, json_response, token_json};
use crate::transport::HttpResponse;

type Answer = Result<HttpResponse, HttpResponse>;

/// One call's context.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) principal: &'a Principal,
    pub(crate) request: &'a Incoming,
    pub(crate) now: DateTime<Utc>,
}

/// The permissions of a create or update (§5.4) of `owner`'s token, or the 400 Bitbucket answers.
fn permissions(owner: &Owner, value: Option<&Value>) -> Result<Vec<String>, HttpResponse> {
    let missing = || facts::invalid(Some("permissions"), "At least one permission is required for an access token.");
    let items = match value {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(missing()),
    };
    let mut project = None;
    let mut repo = None;
    let mut out = Vec::new();
    for item in items {
        let p = item.as_str().ok_or_else(missing)?;
        if GLOBAL.contains(&p) {
            return Err(facts::invalid(
                Some("permissions"),
                &format!("Tokens may not have the following permission: {p}"),
            ));
        }
        let (slot, level) = match (PROJECT.iter().position(|x| *x == p), REPO.iter().position(|x| *x == p)) {
            (Some(_), _) if matches!(owner, Owner::Repository(..)) => {
                return Err(facts::invalid(
                    Some("permissions"),
                    "Repository access tokens may only have repository permissions.",
                ));
            }
            (Some(level), _) => (&mut project, level),
            (_, Some(level)) => (&mut repo, level),
            _ => {
                let shown: String = p.chars().take(64).collect();
                return Err(facts::invalid(Some("permissions"), &format!("{shown} is not a valid permission")));
            }
        };
        if slot.replace(level).is_some() {
            return Err(facts::invalid(
                Some("permissions"),
                "An access token may have at most one project permission and one repository permission.",
            ));
        }
        out.push(p.to_owned());
    }
    if let (Some(project), Some(repo)) = (project, repo)
        && repo < project
    {
        return Err(facts::invalid(
            Some("permissions"),
            &format!(
                "The repository permission must be at least {} when the project permission is {}.",
                REPO[project], PROJECT[project]
            ),
        ));
    }
    Ok(out)
}

/// A token name, or the 400.
fn name(value: Option<&Value>) -> Result<String, HttpResponse> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(facts::invalid(Some("name"), "A name is required for an access token.")),
    }
}

/// The JSON object of a write, or the 400.
fn body(request: &Incoming) -> Result<Map<String, Value>, HttpResponse> {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(facts::invalid(None, "The request body could not be read as a JSON object.")),
    }
}

/// 404 for an unknown user, project or repository.
fn missing(owner: &Owner) -> HttpResponse {
    match owner {
        Owner::User(slug) => facts::no_such_user(slug),
        Owner::Project(key) => facts::no_such_resource(&format!("Project {key}")),
        Owner::Repository(key, slug) => facts::no_such_resource(&format!("Repository {key}/{slug}")),
    }
}

impl Call<'_> {
    /// The caller may manage `owner`'s tokens: a user's own with the password, a project's or
    /// repository's administrators, a system administrator anyone's. A token never may (*pick*:
    /// token authentication on these routes is unverified, §5.2, so the emulator is strict).
    /// Anyone else gets 401 (§5.5); an unknown owner is 404 for a system administrator, 401 for
    /// anyone else (nothing disclosed).
    fn manage(&self, owner: &Owner) -> Result<(), HttpResponse> {
        let Principal::Password { slug: me, admin } = self.principal else { return Err(facts::password_required()) };
        if !self.state.exists(owner) {
            return Err(if *admin { missing(owner) } else { facts::not_permitted() });
        }
        if self.state.administers(me, owner) { Ok(()) } else { Err(facts::not_permitted()) }
    }

    /// The token `id` of `owner`, or 404.
    fn token(&self, owner: &Owner, id: &str) -> Result<&TokenEntry, HttpResponse> {
        self.state.tokens().get(id).filter(|t| t.owner == *owner).ok_or_else(|| facts::no_such_token(id))
    }

    fn render(&self, token: &TokenEntry, secret: Option<&str>) -> Value {
        let user = match &token.owner {
            Owner::User(slug) => self.state.users.get(slug),
            _ => None,
        };
        token_json(token, user, secret)
    }

    /// `GET …/{owner}?start=&limit=`: creation order, `limit` capped by the server.
    pub(crate) fn list(&mut self, owner: &Owner) -> Answer {
        self.manage(owner)?;
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
        let (window, total) = self.state.tokens_of(owner, start, limit);
        let window: Vec<TokenEntry> = window.into_iter().cloned().collect();
        let values: Vec<Value> = window.iter().map(|t| self.render(t, None)).collect();
        let end = start.saturating_add(values.len());
        let last = end >= total;
        let mut page =
            json!({"size": values.len(), "limit": limit, "start": start, "isLastPage": last, "values": values});
        if !last {
            page["nextPageStart"] = json!(end);
        }
        Ok(json_response(StatusCode::OK, &page))
    }

    /// `PUT …/{owner}`: with the password only (a token gets 401). A user's tokens only by that
    /// user (a system administrator for someone else gets 401 too: admins never create for
    /// others, §5.2); a project's or repository's by its administrators.
    pub(crate) fn create(&mut self, owner: &Owner) -> Answer {
        self.manage(owner)?;
        if let (Owner::User(slug), Principal::Password { slug: me, .. }) = (owner, self.principal)
            && slug != me
        {
            return Err(facts::not_permitted());
        }
        let params = body(self.request)?;
        let name = name(params.get("name"))?;
        let permissions = permissions(owner, params.get("permissions"))?;
        let policy = self.state.expiry;
        let expiry_days = match params.get("expiryDays") {
            None | Some(Value::Null) if policy.required => {
                return Err(facts::invalid(
                    Some("expiryDays"),
                    "An expiry is required for access tokens on this instance.",
                ));
            }
            None | Some(Value::Null) => None,
            Some(v) => {
                let days = v.as_u64().filter(|d| *d >= 1).and_then(|d| u32::try_from(d).ok());
                let days = days.ok_or_else(|| {
                    facts::invalid(Some("expiryDays"), "expiryDays must be a positive whole number of days.")
                })?;
                if let Some(max) = policy.max_days.filter(|max| days > *max) {
                    return Err(facts::invalid(
                        Some("expiryDays"),
                        &format!("Access tokens may not expire more than {max} days after they are created."),
                    ));
                }
                Some(days)
            }
        };
        let secret = mint_secret();
        let token = TokenEntry {
            id: self.state.fresh_id(),
            seq: 0,
            owner: owner.clone(),
            name,
            permissions,
            created: to_millis(self.now),
            expiry_days,
            last_authenticated: None,
            secret: digest(&secret),
        };
        let id = self.state.insert(token);
        let body = self.render(&self.state.tokens()[&id], Some(&secret));
        Ok(json_response(StatusCode::OK, &body))
    }

    /// `GET …/{owner}/{id}`.
    pub(crate) fn get(&mut self, owner: &Owner, id: &str) -> Answer {
        self.manage(owner)?;
        let token = self.token(owner, id)?;
        Ok(json_response(StatusCode::OK, &self.render(token, None)))
    }

    /// `POST …/{owner}/{id}`: name and permissions. An `expiryDays` is refused with 400
    /// (*pick*: the sheet allows ignoring or rejecting; rejecting shows a client its mistake).
    pub(crate) fn update(&mut self, owner: &Owner, id: &str) -> Answer {
        self.manage(owner)?;
        self.token(owner, id)?;
        let params = body(self.request)?;
        if params.get("expiryDays").is_some_and(|v| !v.is_null()) {
            return Err(facts::invalid(Some("expiryDays"), "The expiry of an access token cannot be changed."));
        }
        let name = params.get("name").map(|v| name(Some(v))).transpose()?;
        let permissions = params.get("permissions").map(|v| permissions(owner, Some(v))).transpose()?;
        let token = self.state.token_mut(id).ok_or_else(|| facts::no_such_token(id))?;
        if let Some(name) = name {
            token.name = name;
        }
        if let Some(permissions) = permissions {
            token.permissions = permissions;
        }
        let token = self.state.tokens()[id].clone();
        Ok(json_response(StatusCode::OK, &self.render(&token, None)))
    }

    /// `DELETE …/{owner}/{id}`: gone for good (204); again: 404.
    pub(crate) fn delete(&mut self, owner: &Owner, id: &str) -> Answer {
        self.manage(owner)?;
        self.token(owner, id)?;
        self.state.remove(id);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// `GET /rest/api/…/users/{slug}` (any authenticated caller), `…/projects/{key}[/repos/{slug}]`
    /// (any caller with the password, or a token of that project or repository).
    pub(crate) fn read(&mut self, owner: &Owner) -> Answer {
        if !self.state.exists(owner) {
            return Err(missing(owner));
        }
        let body = match owner {
            Owner::User(slug) => {
                let user = &self.state.users[slug];
                facts::user_json(user.id, &user.slug, &user.slug)
            }
            Owner::Project(key) => {
                self.token_may_read(owner)?;
                json!({"key": key, "name": key, "public": false, "type": "NORMAL"})
            }
            Owner::Repository(key, slug) => {
                self.token_may_read(owner)?;
                json!({"slug": slug, "name": slug, "project": {"key": key}, "public": false})
            }
        };
        Ok(json_response(StatusCode::OK, &body))
    }

    /// A project token reads its project and its repositories, a repository token its
    /// repository; a user's token (acting as the user) and a password anything.
    fn token_may_read(&self, target: &Owner) -> Result<(), HttpResponse> {
        match self.principal {
            Principal::Token { owner: Owner::Project(key) } => match target {
                Owner::Project(k) | Owner::Repository(k, _) if k == key => Ok(()),
                _ => Err(facts::not_permitted()),
            },
            Principal::Token { owner: own @ Owner::Repository(..) } if own != target => Err(facts::not_permitted()),
            _ => Ok(()),
        }
    }
}
