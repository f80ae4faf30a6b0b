//! Fine-grained PAT grants and requests of an org (§4.2), for GitHub App installations only.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::{Value, json};

use super::auth::Principal;
use super::call::{Answer, Call, parse_id};
use super::facts::{self, Refusal};
use super::paging;
use super::state::{GrantEntry, Job, Pending, permissions_json};
use super::wire::{empty, format_time, json_response};

/// The App permission each kind of route needs.
const GRANTS_PERMISSION: &str = "personal_access_tokens";
const REQUESTS_PERMISSION: &str = "personal_access_token_requests";

/// Grants or requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Grants,
    Requests,
}

impl Kind {
    fn permission(self) -> &'static str {
        match self {
            Self::Grants => GRANTS_PERMISSION,
            Self::Requests => REQUESTS_PERMISSION,
        }
    }
}

impl Call<'_> {
    /// An installation of `org` whose token has `kind`'s permission (`write` for a change):
    /// a PAT gets 403 "… by personal access token", no credential 401, an installation of
    /// another org (or an unknown org) 404, a missing permission 403 "… by integration".
    fn require_app(&self, org: &str, kind: Kind, write: bool) -> Result<String, Refusal> {
        let org_entry = self.state.org(org).ok_or_else(facts::not_found)?;
        match self.principal {
            Principal::Anonymous => Err(facts::requires_authentication()),
            Principal::Pat { .. } => Err(facts::not_accessible_by_pat()),
            Principal::Installation { org: installed, permissions, .. } => {
                if !installed.eq_ignore_ascii_case(&org_entry.login) {
                    return Err(facts::not_found());
                }
                let level = permissions.get(kind.permission()).map(String::as_str);
                let allowed = if write { level == Some("write") } else { matches!(level, Some("read" | "write")) };
                if allowed { Ok(org_entry.login.clone()) } else { Err(facts::not_accessible_by_integration()) }
            }
        }
    }

    fn entries(&self, kind: Kind) -> &std::collections::BTreeMap<u64, GrantEntry> {
        match kind {
            Kind::Grants => self.state.grants(),
            Kind::Requests => self.state.requests(),
        }
    }

    fn simple_user(&self, login: &str) -> Value {
        let id = self.state.user_id(login);
        let origin = &self.request.origin;
        json!({
            "login": login,
            "id": id,
            "node_id": format!("U_emu{id}"),
            "avatar_url": format!("{origin}/avatars/u/{id}"),
            "url": format!("{origin}/users/{login}"),
            "html_url": format!("https://github.com/{login}"),
            "type": "User",
            "site_admin": false,
        })
    }

    fn grant_json(&self, entry: &GrantEntry, kind: Kind) -> Value {
        let pat = self.state.pats().get(&entry.token_id);
        let org_id = self.state.org(&entry.org).map_or(0, |o| o.id);
        let what = match kind {
            Kind::Grants => "personal-access-tokens",
            Kind::Requests => "personal-access-token-requests",
        };
        let mut body = json!({
            "id": entry.id,
            "owner": self.simple_user(pat.map_or("", |p| p.owner.as_str())),
            "repository_selection": entry.repository_selection,
            "repositories_url": format!("{}/organizations/{org_id}/{what}/{}/repositories", self.request.origin, entry.id),
            "permissions": permissions_json(&entry.permissions),
            "token_id": entry.token_id,
            "token_name": pat.map_or("", |p| p.name.as_str()),
            "token_expired": pat.and_then(|p| p.expires_at).is_some_and(|e| e <= self.now),
            "token_expires_at": pat.and_then(|p| p.expires_at).map(format_time),
            "token_last_used_at": pat.and_then(|p| p.last_used_at).map(format_time),
        });
        match kind {
            Kind::Grants => body["access_granted_at"] = json!(format_time(entry.at)),
            Kind::Requests => {
                body["reason"] = json!(entry.reason);
                body["created_at"] = json!(format_time(entry.at));
            }
        }
        body
    }

    /// `GET /orgs/{org}/personal-access-tokens` and `…-token-requests`, filtered and sorted.
    pub(crate) fn list(&mut self, org: &str, kind: Kind) -> Answer {
        let org = self.require_app(org, kind, false)?;
        let filter = Filter::read(self.request)?;
        // Every parameter but the window names the listing; its order is kept between pages.
        let params: Vec<&(String, String)> =
            self.request.query.iter().filter(|(k, _)| !matches!(k.as_str(), "page" | "per_page")).collect();
        let query = format!("{kind:?} {org} {params:?}");
        if self.state.kept_listing(&query).is_none() {
            let mut found: Vec<&GrantEntry> =
                self.entries(kind).values().filter(|g| g.org == org && filter.keeps(g, self)).collect();
            found.sort_by_key(|g| (g.at, g.id));
            if filter.descending {
                found.reverse();
            }
            let ids = found.into_iter().map(|g| g.id).collect();
            self.state.keep_listing(query.clone(), ids);
        }
        let ids = self.state.kept_listing(&query).unwrap_or_default();
        let (skip, take) = paging::skip_take(self.request);
        let window = ids.iter().skip(skip).take(take).filter_map(|id| self.entries(kind).get(id));
        let items = window.map(|g| self.grant_json(g, kind)).collect();
        Ok(paging::windowed(items, ids.len(), self.request))
    }

    /// `GET …/{id}/repositories`: a `subset`'s repositories, every org repository for `all`.
    pub(crate) fn repositories(&mut self, org: &str, id: &str, kind: Kind) -> Answer {
        let org = self.require_app(org, kind, false)?;
        let entry = parse_id(id)
            .and_then(|id| self.entries(kind).get(&id))
            .filter(|g| g.org == org)
            .ok_or_else(facts::not_found)?;
        let org_entry = self.state.org(&org).ok_or_else(facts::not_found)?;
        let origin = &self.request.origin;
        let items = org_entry
            .repositories
            .iter()
            .filter(|(_, name)| {
                entry.repository_selection == "all" || entry.repositories.iter().any(|r| r.eq_ignore_ascii_case(name))
            })
            .map(|(rid, name)| {
                json!({
                    "id": rid,
                    "node_id": format!("R_emu{rid}"),
                    "name": name,
                    "full_name": format!("{}/{name}", org_entry.login),
                    "private": true,
                    "owner": { "login": org_entry.login, "id": org_entry.id, "type": "Organization" },
                    "html_url": format!("https://github.com/{}/{name}", org_entry.login),
                    "url": format!("{origin}/repos/{}/{name}", org_entry.login),
                })
            })
            .collect();
        Ok(paging::page(items, self.request))
    }

    /// `POST /orgs/{org}/personal-access-tokens/{pat_id}` `{"action":"revoke"}` → 204.
    pub(crate) fn revoke_one(&mut self, org: &str, id: &str) -> Answer {
        let org = self.require_app(org, Kind::Grants, true)?;
        let body = self.request.json().unwrap_or(Value::Null);
        let id = parse_id(id).filter(|id| self.state.grants().get(id).is_some_and(|g| g.org == org));
        let id = id.ok_or_else(facts::not_found)?;
        if body["action"] != "revoke" {
            return Err(facts::validation("PersonalAccessToken", "action", "invalid", "action must be \"revoke\""));
        }
        self.state.grants_mut().remove(&id);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// `POST /orgs/{org}/personal-access-tokens` `{"action":"revoke","pat_ids":[…]}` → 202,
    /// applied later.
    pub(crate) fn revoke_bulk(&mut self, org: &str) -> Answer {
        let org = self.require_app(org, Kind::Grants, true)?;
        let body = self.request.json().unwrap_or(Value::Null);
        if body["action"] != "revoke" {
            return Err(facts::validation("PersonalAccessToken", "action", "invalid", "action must be \"revoke\""));
        }
        let ids = self.bulk_ids(&body, "pat_ids", Kind::Grants, &org)?;
        self.queue(Job::RevokeGrants { org, ids });
        Ok(json_response(StatusCode::ACCEPTED, &json!({})))
    }

    /// `POST /orgs/{org}/personal-access-token-requests/{id}` → 204.
    pub(crate) fn review_one(&mut self, org: &str, id: &str) -> Answer {
        let org = self.require_app(org, Kind::Requests, true)?;
        let body = self.request.json().unwrap_or(Value::Null);
        let id = parse_id(id).filter(|id| self.state.requests().get(id).is_some_and(|g| g.org == org));
        let id = id.ok_or_else(facts::not_found)?;
        let approve = review_action(&body)?;
        self.state.review(id, approve, self.now);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// `POST /orgs/{org}/personal-access-token-requests` → 202, applied later.
    pub(crate) fn review_bulk(&mut self, org: &str) -> Answer {
        let org = self.require_app(org, Kind::Requests, true)?;
        let body = self.request.json().unwrap_or(Value::Null);
        let approve = review_action(&body)?;
        let ids = self.bulk_ids(&body, "pat_request_ids", Kind::Requests, &org)?;
        self.queue(Job::Review { org, ids, approve });
        Ok(json_response(StatusCode::ACCEPTED, &json!({})))
    }

    /// 1..=100 ids, each a grant (or request) of `org` (an unknown id is 422 — the sheet is
    /// silent; the emulator's pick, so a mistaken token id is caught rather than queued).
    fn bulk_ids(&self, body: &Value, field: &str, kind: Kind, org: &str) -> Result<Vec<u64>, Refusal> {
        let resource = "PersonalAccessToken";
        let ids: Option<Vec<u64>> = body[field].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect());
        let ids = ids.filter(|ids| Some(ids.len()) == body[field].as_array().map(Vec::len));
        let ids =
            ids.ok_or_else(|| facts::validation(resource, field, "missing_field", "an array of ids is required"))?;
        if ids.is_empty() || ids.len() > facts::MAX_BULK_IDS {
            return Err(facts::validation(resource, field, "invalid", "between 1 and 100 ids are allowed"));
        }
        if ids.iter().any(|id| self.entries(kind).get(id).is_none_or(|g| g.org != org)) {
            return Err(facts::validation(resource, field, "invalid", "unknown id"));
        }
        Ok(ids)
    }

    pub(crate) fn queue(&mut self, job: Job) {
        let delay = self.state.bulk_delay;
        let after = chrono::TimeDelta::from_std(delay.after).unwrap_or(chrono::TimeDelta::MAX);
        let due_at = self.now.checked_add_signed(after).unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.state.pending.push(Pending { job, due_at, requests_left: delay.requests.max(1) });
    }
}

/// `approve` → true, `deny` → false; a `reason` over 1,024 characters is 422.
fn review_action(body: &Value) -> Result<bool, Refusal> {
    let resource = "PersonalAccessTokenRequest";
    if body["reason"].as_str().is_some_and(|r| r.chars().count() > facts::MAX_REASON_CHARS) {
        return Err(facts::validation(
            resource,
            "reason",
            "invalid",
            "reason is too long (maximum is 1024 characters)",
        ));
    }
    match body["action"].as_str() {
        Some("approve") => Ok(true),
        Some("deny") => Ok(false),
        _ => Err(facts::validation(resource, "action", "invalid", "action must be \"approve\" or \"deny\"")),
    }
}

/// The list filters (§4.2): `owner[]` (≤10), `repository`, `permission`, `last_used_before`,
/// `last_used_after`, `token_id[]` (≤50), `sort=created_at`, `direction`.
struct Filter {
    owners: Vec<String>,
    repository: Option<String>,
    permission: Option<String>,
    before: Option<DateTime<Utc>>,
    after: Option<DateTime<Utc>>,
    token_ids: Vec<u64>,
    descending: bool,
}

fn time_param(request: &super::wire::Incoming, name: &str) -> Result<Option<DateTime<Utc>>, Refusal> {
    request
        .query(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| facts::validation("PersonalAccessToken", name, "invalid", "must be an ISO 8601 timestamp"))
        })
        .transpose()
}

impl Filter {
    fn read(request: &super::wire::Incoming) -> Result<Self, Refusal> {
        let invalid = |field: &str, message: &str| facts::validation("PersonalAccessToken", field, "invalid", message);
        let owners: Vec<String> = request.query_all("owner").into_iter().map(str::to_owned).collect();
        if owners.len() > facts::MAX_OWNER_FILTER {
            return Err(invalid("owner", "at most 10 owners"));
        }
        let raw_ids = request.query_all("token_id");
        if raw_ids.len() > facts::MAX_TOKEN_ID_FILTER {
            return Err(invalid("token_id", "at most 50 token ids"));
        }
        let token_ids = raw_ids
            .iter()
            .map(|v| v.parse::<u64>().map_err(|_| invalid("token_id", "token ids are integers")))
            .collect::<Result<Vec<_>, _>>()?;
        if request.query("sort").is_some_and(|s| s != "created_at") {
            return Err(invalid("sort", "sort must be created_at"));
        }
        let descending = match request.query("direction") {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(invalid("direction", "direction must be asc or desc")),
        };
        Ok(Self {
            owners,
            repository: request.query("repository").map(str::to_owned),
            permission: request.query("permission").map(str::to_owned),
            before: time_param(request, "last_used_before")?,
            after: time_param(request, "last_used_after")?,
            token_ids,
            descending,
        })
    }

    /// Whether `g` passes. A token never used passes no `last_used_*` filter (the emulator's
    /// pick); `repository` matches a `subset` naming it and every `all`.
    fn keeps(&self, g: &GrantEntry, call: &Call<'_>) -> bool {
        let pat = call.state.pats().get(&g.token_id);
        let owner = pat.map_or("", |p| p.owner.as_str());
        let last_used = pat.and_then(|p| p.last_used_at);
        (self.owners.is_empty() || self.owners.iter().any(|o| o.eq_ignore_ascii_case(owner)))
            && self.repository.as_ref().is_none_or(|r| {
                g.repository_selection == "all" || g.repositories.iter().any(|x| x.eq_ignore_ascii_case(r))
            })
            && self.permission.as_ref().is_none_or(|p| g.permissions.values().any(|m| m.contains_key(p)))
            && self.before.is_none_or(|b| last_used.is_some_and(|u| u < b))
            && self.after.is_none_or(|a| last_used.is_some_and(|u| u > a))
            && (self.token_ids.is_empty() || self.token_ids.contains(&g.token_id))
    }
}
