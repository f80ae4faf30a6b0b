//! The PAT Lifecycle API: create, get, list, update, revoke on `/{org}/_apis/tokens/pats`.
//!
//! Logical failures are HTTP 200 with `patToken: null` and a `patTokenError` (§2.3); malformed
//! requests are 400 WrappedExceptions.

use std::cmp::Ordering;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::facts::{Code, FULL_ACCESS_SCOPE, is_pat_scope, op};
use super::format::{hash_secret, mint_pat, parse_date, to_ticks};
use super::routes::ApiVersion;
use super::setup::Organization;
use super::state::{PatEntry, SERVICE_MAX_LIFESPAN, State};
use super::wire::{Incoming, PatTokenJson, field, json, wrapped};
use crate::transport::HttpResponse;

/// Default page size of a listing (DECOMP; unverified for the hosted service).
pub(crate) const DEFAULT_TOP: i64 = 20;
/// Largest page of a listing ("limit of 100").
pub(crate) const MAX_TOP: i64 = 100;
/// Longest accepted display name (the emulator's choice; the sheet has no limit).
const MAX_DISPLAY_NAME: usize = 256;

/// One PAT API call by `user` in `org`.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) user: Uuid,
    pub(crate) org: &'a Organization,
    pub(crate) request: &'a Incoming,
    pub(crate) version: ApiVersion,
    pub(crate) now: DateTime<Utc>,
}

pub(crate) fn handle(call: Call<'_>, operation: &str) -> HttpResponse {
    match operation {
        op::CREATE => create(call),
        op::GET => get(call),
        op::LIST => list(call),
        op::UPDATE => update(call),
        _ => revoke(call),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PatTokenResult<'a> {
    pat_token: Option<PatTokenJson<'a>>,
    pat_token_error: &'a str,
    /// Outer `None`: the field is absent (before 7.2); `Some(None)`: `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pat_token_error_message: Option<Option<&'a str>>,
}

fn ok(version: ApiVersion, pat: &PatEntry, secret: Option<&str>) -> HttpResponse {
    json(
        StatusCode::OK,
        &PatTokenResult {
            pat_token: Some(PatTokenJson::new(pat, secret)),
            pat_token_error: Code::None.as_str(),
            pat_token_error_message: version.has_error_message().then_some(None),
        },
    )
}

/// A logical failure: HTTP 200, `patToken: null`.
fn rejected(version: ApiVersion, code: Code, message: &str) -> HttpResponse {
    json(
        StatusCode::OK,
        &PatTokenResult {
            pat_token: None,
            pat_token_error: code.as_str(),
            pat_token_error_message: version.has_error_message().then_some(Some(message)),
        },
    )
}

fn bad_request(type_key: &str, message: &str) -> HttpResponse {
    wrapped(StatusCode::BAD_REQUEST, type_key, message, 0)
}

/// The body as a JSON object, or the 400 for anything else.
fn object(request: &Incoming, what: &str) -> Result<Map<String, Value>, HttpResponse> {
    match request.json(what)? {
        Value::Object(o) => Ok(o),
        _ => Err(bad_request("JsonSerializationException", &format!("{what} must be a JSON object."))),
    }
}

/// A token the caller may see from this organization: their own, and global or targeting it.
fn visible(state: &State, id: Uuid, user: Uuid, org: Uuid) -> Option<&PatEntry> {
    state.pat(id).filter(|p| p.owner == user && p.targets_org(org))
}

type Check<T> = Result<T, (Code, &'static str)>;

fn check_display_name(value: &Value) -> Check<String> {
    let Some(s) = value.as_str() else {
        return Err((Code::InvalidDisplayName, "The display name must be a string."));
    };
    if s.trim().is_empty() {
        return Err((Code::DisplayNameRequired, "A display name is required."));
    }
    if s.chars().count() > MAX_DISPLAY_NAME || s.chars().any(char::is_control) {
        return Err((Code::InvalidDisplayName, "The display name is too long or contains control characters."));
    }
    Ok(s.to_owned())
}

/// Scopes: at least one, each `app_token` or a well-formed `vso.*` name (never an Entra-only
/// permission). Stored as sent, in order, single-spaced.
fn check_scope(value: Option<&Value>) -> Check<String> {
    let s = value.and_then(Value::as_str).unwrap_or("");
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.is_empty() || parts.iter().any(|p| !is_pat_scope(p)) {
        return Err((Code::InvalidScope, "The scope is missing or not a valid scope."));
    }
    Ok(parts.join(" "))
}

/// A date field: `Ok(None)` when absent, 400 when present but not a date.
fn date_field(object: &Map<String, Value>, name: &str) -> Result<Option<DateTime<Utc>>, HttpResponse> {
    match field(object, name) {
        None => Ok(None),
        Some(v) => v.as_str().and_then(parse_date).map(Some).ok_or_else(|| {
            bad_request("JsonReaderException", &format!("Could not convert the value of '{name}' to DateTime."))
        }),
    }
}

fn bool_field(object: &Map<String, Value>, name: &str) -> Result<Option<bool>, HttpResponse> {
    match field(object, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => {
            Err(bad_request("JsonReaderException", &format!("Could not convert the value of '{name}' to Boolean.")))
        }
    }
}

/// Applies the lifespan rules to a requested expiry for a token created at `created`: the
/// service's one-year ceiling clamps silently; the tenant maximum clamps (7.2) or rejects.
fn limit_valid_to(state: &State, created: DateTime<Utc>, requested: DateTime<Utc>) -> Check<DateTime<Utc>> {
    let mut limit = created + SERVICE_MAX_LIFESPAN;
    if let Some(max) = state.tenant.max_lifespan {
        let policy = created + max;
        if requested > policy && state.tenant.reject_over_lifespan {
            return Err((
                Code::PatLifespanPolicyViolation,
                "The expiration exceeds the maximum lifespan allowed by policy.",
            ));
        }
        limit = limit.min(policy);
    }
    Ok(requested.min(limit))
}

/// The tenant's global and full-scope policies for a token that is (or becomes) `global` with
/// `scope`, and the service-wide global-PAT retirement: from 2026-12-01 on the emulator's clock
/// (unless switched off with [`Emulator::set_global_pat_retirement`]) or while
/// [`TenantPolicies::global_pat_creation_blocked`] is set, creating or regenerating a global
/// token gives `globalPATCreationBlocked` (§9, BLOG-GPAT).
///
/// [`Emulator::set_global_pat_retirement`]: super::Emulator::set_global_pat_retirement
/// [`TenantPolicies::global_pat_creation_blocked`]: super::TenantPolicies::global_pat_creation_blocked
fn check_shape_policies(state: &State, now: DateTime<Utc>, global: bool, scope: &str) -> Check<()> {
    if global && (state.tenant.global_pat_creation_blocked || state.global_pats_retired(now)) {
        return Err((Code::GlobalPatCreationBlocked, "Creating global personal access tokens is blocked."));
    }
    if global && state.tenant.restrict_global_pats {
        return Err((Code::GlobalPatPolicyViolation, "Global personal access tokens are restricted by policy."));
    }
    if state.tenant.restrict_full_scope_pats && scope.split_whitespace().any(|s| s == FULL_ACCESS_SCOPE) {
        return Err((
            Code::FullScopePatPolicyViolation,
            "Full-scoped personal access tokens are restricted by policy.",
        ));
    }
    Ok(())
}

fn create(call: Call<'_>) -> HttpResponse {
    let Call { state, user, org, request, version, now } = call;
    let body = match object(request, "patTokenCreateRequest") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (valid_to, all_orgs) = match (date_field(&body, "validTo"), bool_field(&body, "allOrgs")) {
        (Ok(v), Ok(a)) => (v, a.unwrap_or(false)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let checked = (|| -> Check<PatEntry> {
        if !state.may_create_in(org.id, user) {
            return Err((
                Code::DisablePatCreationPolicyViolation,
                "Personal access token creation is restricted in this organization.",
            ));
        }
        let display_name = match field(&body, "displayName") {
            None => return Err((Code::DisplayNameRequired, "A display name is required.")),
            Some(v) => check_display_name(v)?,
        };
        let scope = check_scope(field(&body, "scope"))?;
        let requested = valid_to.unwrap_or(now + SERVICE_MAX_LIFESPAN);
        if requested <= now {
            return Err((Code::InvalidValidTo, "The expiration date must be in the future."));
        }
        check_shape_policies(state, now, all_orgs, &scope)?;
        let valid_to = limit_valid_to(state, now, requested)?;
        Ok(PatEntry {
            id: Uuid::new_v4(),
            owner: user,
            display_name,
            scope,
            valid_from: to_ticks(now),
            valid_to: to_ticks(valid_to),
            targets: if all_orgs { None } else { Some(vec![org.id]) },
            revoked: false,
            legacy_format: false,
        })
    })();
    let entry = match checked {
        Ok(e) => e,
        Err((code, message)) => return rejected(version, code, message),
    };
    let Ok(secret) = mint_pat() else {
        return wrapped(StatusCode::INTERNAL_SERVER_ERROR, "InvalidOperationException", "No randomness available.", 0);
    };
    let response = ok(version, &entry, Some(&secret));
    state.insert_pat(entry, hash_secret(&secret));
    response
}

fn parse_id(raw: Option<&str>) -> Option<Uuid> {
    raw.and_then(|s| Uuid::parse_str(s.trim()).ok())
}

fn get(call: Call<'_>) -> HttpResponse {
    let Some(id) = parse_id(call.request.query("authorizationId")) else {
        return rejected(call.version, Code::InvalidAuthorizationId, "The authorization id is not a valid GUID.");
    };
    match visible(call.state, id, call.user, call.org.id) {
        Some(pat) => ok(call.version, pat, None),
        None => rejected(call.version, Code::TokenNotFound, "The token was not found."),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Active,
    Revoked,
    Expired,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    DisplayName,
    DisplayDate,
    Status,
}

/// An enum query value by name (case-insensitive) or by its .NET number (unverified for the
/// REST endpoint; accepted leniently).
fn enum_param<T: Copy>(raw: Option<&str>, default: T, values: &[(&str, &str, T)]) -> Option<T> {
    let Some(raw) = raw.map(str::trim) else {
        return Some(default);
    };
    values.iter().find(|(name, number, _)| raw.eq_ignore_ascii_case(name) || raw == *number).map(|(_, _, v)| *v)
}

/// The list continuation token: an opaque encoding of the next offset (the service's decodes to
/// a start row, §2.1). It carries no filters.
pub(crate) fn encode_offset(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("row:{offset}"))
}

fn decode_offset(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("row:")?.parse().ok()
}

fn status_rank(pat: &PatEntry, now: DateTime<Utc>) -> u8 {
    if pat.revoked {
        2
    } else if pat.is_expired(now) {
        1
    } else {
        0
    }
}

/// `GET` without `authorizationId`: one page of the caller's tokens visible in this
/// organization.
///
/// `$top` defaults to 20; above 100 it is clamped to 100 (a client asking for more still pages
/// correctly); 0 or less is a 400 `ArgumentOutOfRangeException`. `displayDate` sorts by expiry
/// (`validTo`, the date the UI shows; unverified), `status` sorts active < expired < revoked;
/// ties break by display name, then id, so pages are stable.
fn list(call: Call<'_>) -> HttpResponse {
    let Call { state, user, org, request, now, .. } = call;
    let filter = enum_param(
        request.query("displayFilterOption"),
        Filter::Active,
        &[
            ("active", "1", Filter::Active),
            ("revoked", "2", Filter::Revoked),
            ("expired", "3", Filter::Expired),
            ("all", "4", Filter::All),
        ],
    );
    let sort = enum_param(
        request.query("sortByOption"),
        SortBy::DisplayName,
        &[
            ("displayName", "1", SortBy::DisplayName),
            ("displayDate", "2", SortBy::DisplayDate),
            ("status", "3", SortBy::Status),
        ],
    );
    let ascending = match request.query("isSortAscending").map(str::trim) {
        None => Some(true),
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    };
    let (Some(filter), Some(sort), Some(ascending)) = (filter, sort, ascending) else {
        return bad_request(
            "ArgumentException",
            "displayFilterOption, sortByOption or isSortAscending has an invalid value.",
        );
    };
    let top = match request.query("$top").map(|t| t.trim().parse::<i64>()) {
        None => DEFAULT_TOP,
        Some(Ok(t)) if t > 0 => t.min(MAX_TOP),
        Some(_) => return bad_request("ArgumentOutOfRangeException", "$top must be a number between 1 and 100."),
    };
    let offset = match request.query("continuationToken").map(str::trim).filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match decode_offset(t) {
            Some(o) => o,
            None => return bad_request("ArgumentException", "The continuation token is not valid."),
        },
    };
    let mut items: Vec<&PatEntry> = state
        .pats
        .iter()
        .filter(|p| p.owner == user && p.targets_org(org.id))
        .filter(|p| match filter {
            Filter::Active => p.is_active(now),
            Filter::Revoked => p.revoked,
            Filter::Expired => !p.revoked && p.is_expired(now),
            Filter::All => true,
        })
        .collect();
    let by_name = |a: &PatEntry, b: &PatEntry| {
        a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()).then(a.id.cmp(&b.id))
    };
    items.sort_by(|a, b| {
        let primary = match sort {
            SortBy::DisplayName => Ordering::Equal,
            SortBy::DisplayDate => a.valid_to.cmp(&b.valid_to),
            SortBy::Status => status_rank(a, now).cmp(&status_rank(b, now)),
        };
        let order = primary.then_with(|| by_name(a, b));
        if ascending { order } else { order.reverse() }
    });
    let top = usize::try_from(top).unwrap_or(20);
    let end = offset.saturating_add(top).min(items.len());
    let page: Vec<PatTokenJson<'_>> =
        items.get(offset.min(end)..end).unwrap_or(&[]).iter().map(|p| PatTokenJson::new(p, None)).collect();
    let continuation = if end < items.len() { encode_offset(end) } else { String::new() };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PagedPatTokens<'a> {
        continuation_token: String,
        pat_tokens: Vec<PatTokenJson<'a>>,
    }
    json(StatusCode::OK, &PagedPatTokens { continuation_token: continuation, pat_tokens: page })
}

/// `PUT`: rename, rescope, re-target or change the expiry of one token. Omitted fields keep their
/// values. A revoked token gives `invalidToken`; extending an expired one gives
/// `expiredPatCannotBeExtended` while [`TenantPolicies::block_extending_expired`] is on. When the
/// update changes the expiry, scopes or targets, the resulting token must satisfy the global and
/// full-scope policies; a rename alone never trips them.
///
/// [`TenantPolicies::block_extending_expired`]: super::TenantPolicies::block_extending_expired
fn update(call: Call<'_>) -> HttpResponse {
    let Call { state, user, org, request, version, now } = call;
    let body = match object(request, "patTokenUpdateRequest") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (valid_to, all_orgs) = match (date_field(&body, "validTo"), bool_field(&body, "allOrgs")) {
        (Ok(v), Ok(a)) => (v, a),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let id = parse_id(field(&body, "authorizationId").and_then(Value::as_str));
    let checked = (|| -> Check<(Uuid, PatEntry)> {
        let id = id.ok_or((Code::InvalidAuthorizationId, "The authorization id is missing or not a valid GUID."))?;
        let current = visible(state, id, user, org.id).ok_or((Code::TokenNotFound, "The token was not found."))?;
        if current.revoked {
            return Err((Code::InvalidToken, "The token has been revoked and cannot be updated."));
        }
        let mut next = current.clone();
        if let Some(v) = field(&body, "displayName") {
            next.display_name = check_display_name(v)?;
        }
        let scope_given = field(&body, "scope").is_some();
        if scope_given {
            next.scope = check_scope(field(&body, "scope"))?;
        }
        if let Some(requested) = valid_to {
            if requested <= now {
                return Err((Code::InvalidValidTo, "The expiration date must be in the future."));
            }
            if current.is_expired(now) && state.tenant.block_extending_expired {
                return Err((Code::ExpiredPatCannotBeExtended, "An expired token cannot be extended."));
            }
            next.valid_to = to_ticks(limit_valid_to(state, current.valid_from, requested)?);
        }
        if let Some(global) = all_orgs {
            next.targets = if global { None } else { Some(vec![org.id]) };
        }
        if valid_to.is_some() || scope_given || all_orgs.is_some() {
            check_shape_policies(state, now, next.targets.is_none(), &next.scope)?;
        }
        Ok((id, next))
    })();
    match checked {
        Ok((id, next)) => {
            let response = ok(version, &next, None);
            if let Some(slot) = state.pat_mut(id) {
                *slot = next;
            }
            response
        }
        Err((code, message)) => rejected(version, code, message),
    }
}

/// `DELETE`: revoke. Idempotent by design: an unknown id, someone else's token, a token not
/// visible from this organization and an already revoked token all get the same 204 and change
/// nothing, so the answer never reveals whether a foreign id exists. A missing or malformed id is
/// a 400.
fn revoke(call: Call<'_>) -> HttpResponse {
    let raw = call.request.query("authorizationId");
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return bad_request("ArgumentNullException", "Value cannot be null.\r\nParameter name: authorizationId");
    };
    let Some(id) = parse_id(Some(raw)) else {
        return bad_request("ArgumentException", "The authorization id is not a valid GUID.");
    };
    if visible(call.state, id, call.user, call.org.id).is_some()
        && let Some(pat) = call.state.pat_mut(id)
    {
        pat.revoked = true;
    }
    super::wire::empty(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_round_trip_and_garbage() {
        assert_eq!(decode_offset(&encode_offset(1234)), Some(1234));
        assert_eq!(decode_offset("not a token"), None);
        assert_eq!(decode_offset(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("row:x")), None);
    }

    #[test]
    fn enum_params_accept_names_and_numbers() {
        let values = [("active", "1", 1), ("revoked", "2", 2)];
        assert_eq!(enum_param(None, 0, &values), Some(0));
        assert_eq!(enum_param(Some("Revoked"), 0, &values), Some(2));
        assert_eq!(enum_param(Some("1"), 0, &values), Some(1));
        assert_eq!(enum_param(Some("bogus"), 0, &values), None);
    }
}
