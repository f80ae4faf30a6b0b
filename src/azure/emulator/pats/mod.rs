//! The PAT Lifecycle API: create, get, list, update, revoke on `/{org}/_apis/tokens/pats`, one
//! file per operation; the checks they share are here.
//!
//! Logical failures are HTTP 200 with `patToken: null` and a `patTokenError` (§2.3); malformed
//! requests are 400 WrappedExceptions.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::azure::emulator::facts::{Code, FULL_ACCESS_SCOPE, is_pat_scope, op};
use crate::azure::emulator::format::parse_date;
use crate::azure::emulator::routes::ApiVersion;
use crate::azure::emulator::setup::Organization;
use crate::azure::emulator::state::{PatEntry, SERVICE_MAX_LIFESPAN, State};
use crate::azure::emulator::wire::{Incoming, PatTokenJson, field, json, wrapped};
use crate::transport::HttpResponse;

mod create;
mod get;
mod list;
mod revoke;
mod update;

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
        op::CREATE => create::create(call),
        op::GET => get::get(call),
        op::LIST => list::list(call),
        op::UPDATE => update::update(call),
        _ => revoke::revoke(call),
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
/// [`Emulator::set_global_pat_retirement`]: crate::azure::emulator::Emulator::set_global_pat_retirement
/// [`TenantPolicies::global_pat_creation_blocked`]: crate::azure::emulator::TenantPolicies::global_pat_creation_blocked
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

fn parse_id(raw: Option<&str>) -> Option<Uuid> {
    raw.and_then(|s| Uuid::parse_str(s.trim()).ok())
}
