//! The handlers: the five token operations of §5.1 for users, and `GET /rest/api/…/users/{slug}`.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::Principal;
use super::facts::{self, GLOBAL, PROJECT, REPO};
use super::state::{State, TokenEntry, digest, mint_secret, to_millis};
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

/// The permissions of a create or update (§5.4), or the 400 Bitbucket answers.
fn permissions(value: Option<&Value>) -> Result<Vec<String>, HttpResponse> {
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
            (Some(level), _) => (&mut project, level),
            (_, Some(level)) => (&mut repo, level),
            _ => {
                let shown: String = p.chars().take(64).collect();
                return Err(facts::invalid(Some("permissions"), &format!("{shown} is not a valid permission")));
            }
        };
        if slot.replace(level).is_some_and(|old| old != level) || out.iter().any(|o: &String| o == p) {
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

impl Call<'_> {
    /// The caller may manage `slug`'s tokens: their owner with the password, or a system
    /// administrator. A token never may (*pick*: token authentication on these routes is
    /// unverified, §5.2, so the emulator is strict). Someone else gets 401 (§5.5); an
    /// administrator naming an unknown user 404.
    fn manage(&self, slug: &str) -> Result<(), HttpResponse> {
        match self.principal {
            Principal::Token { .. } => Err(facts::password_required()),
            Principal::Password { slug: me, .. } if me == slug => Ok(()),
            Principal::Password { admin: true, .. } if self.state.users.contains_key(slug) => Ok(()),
            Principal::Password { admin: true, .. } => Err(facts::no_such_user(slug)),
            Principal::Password { .. } => Err(facts::not_permitted()),
        }
    }

    /// The token `id` of `slug`, or 404.
    fn token(&self, slug: &str, id: &str) -> Result<&TokenEntry, HttpResponse> {
        self.state.tokens.get(id).filter(|t| t.owner == slug).ok_or_else(|| facts::no_such_token(id))
    }

    fn render(&self, token: &TokenEntry, secret: Option<&str>) -> Value {
        token_json(token, self.state.users.get(&token.owner), secret)
    }

    /// `GET …/users/{slug}?start=&limit=`: creation order, `limit` capped by the server.
    pub(crate) fn list(&mut self, slug: &str) -> Answer {
        self.manage(slug)?;
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
        let all = self.state.tokens_of(slug);
        let values: Vec<Value> = all.iter().skip(start).take(limit).map(|t| self.render(t, None)).collect();
        let end = start.saturating_add(values.len());
        let last = end >= all.len();
        let mut page =
            json!({"size": values.len(), "limit": limit, "start": start, "isLastPage": last, "values": values});
        if !last {
            page["nextPageStart"] = json!(end);
        }
        Ok(json_response(StatusCode::OK, &page))
    }

    /// `PUT …/users/{slug}`: only the owner, with the password (a token gets 401, an
    /// administrator for someone else 401 too: admins never create for others, §5.2).
    pub(crate) fn create(&mut self, slug: &str) -> Answer {
        match self.principal {
            Principal::Token { .. } => return Err(facts::password_required()),
            Principal::Password { slug: me, .. } if me == slug => {}
            Principal::Password { admin: true, .. } if !self.state.users.contains_key(slug) => {
                return Err(facts::no_such_user(slug));
            }
            Principal::Password { .. } => return Err(facts::not_permitted()),
        }
        let params = body(self.request)?;
        let name = name(params.get("name"))?;
        let permissions = permissions(params.get("permissions"))?;
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
            owner: slug.to_owned(),
            name,
            permissions,
            created: to_millis(self.now),
            expiry_days,
            last_authenticated: None,
            secret: digest(&secret),
        };
        let id = self.state.insert(token);
        let body = self.render(&self.state.tokens[&id], Some(&secret));
        Ok(json_response(StatusCode::OK, &body))
    }

    /// `GET …/users/{slug}/{id}`.
    pub(crate) fn get(&mut self, slug: &str, id: &str) -> Answer {
        self.manage(slug)?;
        let token = self.token(slug, id)?;
        Ok(json_response(StatusCode::OK, &self.render(token, None)))
    }

    /// `POST …/users/{slug}/{id}`: name and permissions. An `expiryDays` is refused with 400
    /// (*pick*: the sheet allows ignoring or rejecting; rejecting shows a client its mistake).
    pub(crate) fn update(&mut self, slug: &str, id: &str) -> Answer {
        self.manage(slug)?;
        self.token(slug, id)?;
        let params = body(self.request)?;
        if params.get("expiryDays").is_some_and(|v| !v.is_null()) {
            return Err(facts::invalid(Some("expiryDays"), "The expiry of an access token cannot be changed."));
        }
        let name = params.get("name").map(|v| name(Some(v))).transpose()?;
        let permissions = params.get("permissions").map(|v| permissions(Some(v))).transpose()?;
        let token = self.state.tokens.get_mut(id).ok_or_else(|| facts::no_such_token(id))?;
        if let Some(name) = name {
            token.name = name;
        }
        if let Some(permissions) = permissions {
            token.permissions = permissions;
        }
        let token = self.state.tokens[id].clone();
        Ok(json_response(StatusCode::OK, &self.render(&token, None)))
    }

    /// `DELETE …/users/{slug}/{id}`: gone for good (204); again: 404.
    pub(crate) fn delete(&mut self, slug: &str, id: &str) -> Answer {
        self.manage(slug)?;
        self.token(slug, id)?;
        self.state.tokens.remove(id);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// `GET /rest/api/…/users/{slug}`: any authenticated caller.
    pub(crate) fn user(&mut self, slug: &str) -> Answer {
        let user = self.state.users.get(slug).ok_or_else(|| facts::no_such_user(slug))?;
        Ok(json_response(StatusCode::OK, &facts::user_json(user.id, &user.slug, &user.slug)))
    }
}
