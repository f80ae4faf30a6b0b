//! Token Admin (§3): an organization administrator lists a user's PATs, revokes them in bulk and
//! creates revocation rules.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::format::{format_date, parse_date};
use super::setup::{Organization, RevocationRuleSnapshot};
use super::state::{AdminCursor, PatEntry, SshKeyEntry, State};
use super::wire::{Incoming, empty, field, json, wrapped};
use crate::testing::emulator_kit::listing::Ordered;

/// Default `pageSize` (the spec's example uses 20; unverified).
const DEFAULT_PAGE_SIZE: i64 = 20;
/// Largest accepted `pageSize` (the emulator's choice; the spec only says an invalid page size
/// is a 400).
const MAX_PAGE_SIZE: i64 = 100;

const ZERO: Uuid = Uuid::nil();

fn bad_request(type_key: &str, message: &str) -> crate::transport::HttpResponse {
    wrapped(StatusCode::BAD_REQUEST, type_key, message, 0)
}

/// A `SessionToken` as Token Admin lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionTokenJson<'a> {
    client_id: Uuid,
    access_id: Uuid,
    authorization_id: Uuid,
    host_authorization_id: Uuid,
    user_id: Uuid,
    valid_from: String,
    valid_to: String,
    display_name: &'a str,
    scope: &'a str,
    target_accounts: Option<Vec<Uuid>>,
    token: Option<()>,
    alternate_token: Option<()>,
    is_valid: bool,
    is_public: bool,
    public_data: Option<()>,
    source: Option<()>,
}

impl<'a> SessionTokenJson<'a> {
    /// An SSH key: `isPublic: true`, no scope. The service's `publicData` (the public key,
    /// unverified) is left `null`: the emulator keeps no key material.
    fn ssh(key: &'a SshKeyEntry, now: DateTime<Utc>) -> Self {
        Self {
            client_id: ZERO,
            access_id: ZERO,
            authorization_id: key.id,
            host_authorization_id: ZERO,
            user_id: key.owner,
            valid_from: format_date(key.valid_from),
            valid_to: format_date(key.valid_to),
            display_name: &key.display_name,
            scope: "",
            target_accounts: Some(vec![key.org]),
            token: None,
            alternate_token: None,
            is_valid: key.valid_to > now,
            is_public: true,
            public_data: None,
            source: None,
        }
    }

    fn new(pat: &'a PatEntry, now: DateTime<Utc>) -> Self {
        Self {
            client_id: ZERO,
            access_id: ZERO,
            authorization_id: pat.id,
            host_authorization_id: ZERO,
            user_id: pat.owner,
            valid_from: format_date(pat.valid_from),
            valid_to: format_date(pat.valid_to),
            display_name: &pat.display_name,
            scope: &pat.scope,
            target_accounts: pat.targets.clone(),
            token: None,
            alternate_token: None,
            is_valid: pat.is_active(now),
            is_public: false,
            public_data: None,
            source: None,
        }
    }
}

/// `GET …/personalaccesstokens/{subjectDescriptor}`: the user's tokens visible in this
/// organization (revoked and expired included, with `isValid`), in creation order.
///
/// `pageSize` 1–100 (default 20), else 400. The continuation token is a uuid the emulator
/// remembers (with the organization and user it belongs to), `null` on the last page; an unknown
/// one is a 400. `isPublic=true` lists the user's SSH keys instead (seeded with
/// [`Emulator::seed_ssh_key`](super::Emulator::seed_ssh_key)). Dates carry
/// `Z` like the PAT API (the 2018 examples show none; clients should accept both).
pub(crate) fn list(
    state: &mut State,
    org: &Organization,
    descriptor: &str,
    request: &Incoming,
    now: DateTime<Utc>,
) -> crate::transport::HttpResponse {
    let Some(user) = state.user_by_descriptor(descriptor).map(|u| u.id) else {
        return if descriptor.split_once('.').is_some_and(|(kind, rest)| !kind.is_empty() && !rest.is_empty()) {
            wrapped(StatusCode::NOT_FOUND, "IdentityNotFoundException", "The user was not found.", 0)
        } else {
            bad_request("ArgumentException", "The subject descriptor is not valid.")
        };
    };
    let page_size = match request.query("pageSize").map(|p| p.trim().parse::<i64>()) {
        None => DEFAULT_PAGE_SIZE,
        Some(Ok(p)) if (1..=MAX_PAGE_SIZE).contains(&p) => p,
        Some(_) => return bad_request("ArgumentOutOfRangeException", "pageSize must be between 1 and 100."),
    };
    let offset = match request.query("continuationToken").map(str::trim).filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match Uuid::parse_str(t).ok().and_then(|c| state.admin_cursors.get(&c)) {
            Some(c) if c.org == org.id && c.user == user => c.offset,
            _ => return bad_request("ArgumentException", "The continuation token is not valid."),
        },
    };
    let ssh = request.query("isPublic").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let size = usize::try_from(page_size).unwrap_or(20);
    let (value, more) = if ssh {
        let keys: Vec<&SshKeyEntry> = state.ssh_keys.iter().filter(|k| k.owner == user && k.org == org.id).collect();
        let start = offset.min(keys.len());
        let end = offset.saturating_add(size).min(keys.len());
        (keys[start..end].iter().map(|k| SessionTokenJson::ssh(k, now)).collect::<Vec<_>>(), end < keys.len())
    } else {
        // Creation order, kept between pages: a page costs O(page).
        let (window, total) = state.listing_window(format!("admin {} {user}", org.id), now, offset, size, |pats| {
            Ordered::timeless(pats.iter().filter(|p| p.owner == user && p.targets_org(org.id)).map(|p| p.id).collect())
        });
        let more = offset.saturating_add(window.len()) < total;
        (window.into_iter().map(|p| SessionTokenJson::new(p, now)).collect::<Vec<_>>(), more)
    };
    let end = offset.saturating_add(size);
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Paged<'a> {
        value: Vec<SessionTokenJson<'a>>,
        continuation_token: Option<Uuid>,
    }
    let continuation = more.then(Uuid::new_v4);
    let body = serde_json::to_value(Paged { value, continuation_token: continuation }).unwrap_or(Value::Null);
    if let Some(c) = continuation {
        state.admin_cursors.insert(c, AdminCursor { org: org.id, user, offset: end });
    }
    json(StatusCode::OK, &body)
}

/// `POST …/revocations`: revokes each listed token visible in this organization, whoever owns
/// it. Unknown ids are skipped. 204. A body that is not an array of objects with a uuid
/// `authorizationId` is a 400 and revokes nothing.
pub(crate) fn revoke(state: &mut State, org: &Organization, request: &Incoming) -> crate::transport::HttpResponse {
    let body = match request.json("revocations") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(items) = body.as_array() else {
        return bad_request("ArgumentException", "The body must be an array of revocations.");
    };
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = item.as_object().and_then(|o| field(o, "authorizationId")).and_then(Value::as_str);
        match id.and_then(|s| Uuid::parse_str(s.trim()).ok()) {
            Some(id) => ids.push(id),
            None => return bad_request("ArgumentException", "Each revocation needs an authorizationId."),
        }
    }
    for id in ids {
        if let Some(pat) = state.pat_mut(id).filter(|p| p.targets_org(org.id)) {
            pat.revoked = true;
        }
    }
    empty(StatusCode::NO_CONTENT)
}

/// `POST …/revocationrules`: revokes every token visible in this organization that was created
/// before `createdBefore` (default: now) and carries ANY of the space-delimited `scopes`.
///
/// Scopes match literally (`app_token` only matches a rule that names `app_token`), and a cut-off
/// in the future acts as now: both are the emulator's reading of the spec text. 201, no body.
pub(crate) fn create_rule(
    state: &mut State,
    org: &Organization,
    request: &Incoming,
    now: DateTime<Utc>,
) -> crate::transport::HttpResponse {
    let body = match request.json("revocationRule") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(object) = body.as_object() else {
        return bad_request("ArgumentException", "The body must be a revocation rule.");
    };
    let scopes: Vec<String> = field(object, "scopes")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if scopes.is_empty() {
        return bad_request("ArgumentNullException", "Value cannot be null.\r\nParameter name: scopes");
    }
    let created_before = match field(object, "createdBefore") {
        None => now,
        Some(v) => match v.as_str().and_then(parse_date) {
            Some(t) => t.min(now),
            None => {
                return bad_request(
                    "JsonReaderException",
                    "Could not convert the value of 'createdBefore' to DateTime.",
                );
            }
        },
    };
    for pat in state.pats_mut().iter_mut().filter(|p| p.targets_org(org.id) && p.valid_from < created_before) {
        if pat.scopes().any(|s| scopes.iter().any(|r| r == s)) {
            pat.revoked = true;
        }
    }
    state.revocation_rules.push(RevocationRuleSnapshot {
        organization: org.id,
        scopes: scopes.join(" "),
        created_before,
    });
    empty(StatusCode::CREATED)
}
