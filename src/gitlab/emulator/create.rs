//! What every create and rotate shares: the parameters (Grape's validation order and messages),
//! the expiry rules of §2.11, and minting a `glpat-` secret (§2.13).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::facts::{self, MAX_LIFETIME_DAYS};
use super::state::{Settings, TokenEntry};
use super::wire::{list_param, parse_date, string_param};
use crate::transport::HttpResponse;

/// The 64-character alphabet of the older `glpat-` + 20 characters format (§2.13).
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Length of the random part after `glpat-`.
pub(crate) const RANDOM_LEN: usize = 20;

/// Mints `glpat-` + 20 random characters (the older, non-routable format of §2.13; clients must
/// treat the value as opaque either way).
pub(crate) fn mint_secret() -> String {
    let mut bytes = [0u8; RANDOM_LEN];
    getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
    // 64 symbols: the low six bits of each byte are uniform.
    let random: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 63)])).collect();
    format!("glpat-{random}")
}

/// The last date a token created or rotated today may expire on.
pub(crate) fn max_expiry(today: NaiveDate) -> NaiveDate {
    today + TimeDelta::days(MAX_LIFETIME_DAYS)
}

/// The `expires_at` of a create or rotate: the parameter if sent, else `default`.
///
/// - Not a date: 400 `{"error":"expires_at is invalid"}` (Grape's coercion message).
/// - After today + 365 days: 400 `{"message":{"expires_at":["must be before YYYY-MM-DD"]}}`.
/// - Today: accepted, and the token is dead on arrival — the service does this (§2.15), so the
///   emulator does too, for clients to prove they never ask for it.
/// - Before today: §2.17 does not say; the emulator picks the safe refusal, 400
///   `{"message":{"expires_at":["must be in the future"]}}`, rather than minting a token that
///   never worked.
pub(crate) fn expiry(
    params: &Map<String, Value>,
    today: NaiveDate,
    default: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, HttpResponse> {
    let date = match params.get("expires_at") {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::String(s)) if s.is_empty() => return Ok(default),
        Some(Value::String(s)) => parse_date(s),
        Some(_) => None,
    };
    let date = date.ok_or_else(|| facts::param_errors(&["expires_at is invalid".to_owned()]))?;
    if date < today {
        return Err(facts::validation("expires_at", "must be in the future"));
    }
    let max = max_expiry(today);
    if date > max {
        return Err(facts::validation("expires_at", &format!("must be before {}", max.format("%Y-%m-%d"))));
    }
    Ok(Some(date))
}

/// The default `expires_at` of a create: today + the maximum lifetime when expiry is required,
/// else none (§2.11).
pub(crate) fn create_default(settings: &Settings, today: NaiveDate) -> Option<NaiveDate> {
    settings.expiry_required.then(|| max_expiry(today))
}

/// The default `expires_at` of a rotate: one week when expiry is required, else none (§2.11).
pub(crate) fn rotate_default(settings: &Settings, today: NaiveDate) -> Option<NaiveDate> {
    settings.expiry_required.then(|| today + TimeDelta::days(facts::ROTATE_DEFAULT_DAYS))
}

/// Reads `name`, `scopes` (each in `allowed`), `description` and `expires_at` of a create into a
/// new token for `user_id` (id 0: the state allocates it).
pub(crate) fn new_token(
    params: &Map<String, Value>,
    allowed: &[&str],
    user_id: u64,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<TokenEntry, HttpResponse> {
    let name = string_param(params, "name").filter(|n| !n.trim().is_empty());
    let scopes = list_param(params, "scopes");
    let mut missing = Vec::new();
    if name.is_none() {
        missing.push("name is missing".to_owned());
    }
    if scopes.is_none() {
        missing.push("scopes is missing".to_owned());
    }
    if !missing.is_empty() {
        return Err(facts::param_errors(&missing));
    }
    let (name, mut scopes) = (name.unwrap_or_default(), scopes.unwrap_or_default());
    if scopes.iter().any(|s| !allowed.contains(&s.as_str())) {
        return Err(facts::param_errors(&["scopes does not have a valid value".to_owned()]));
    }
    scopes.dedup();
    let description = string_param(params, "description");
    if description.as_ref().is_some_and(|d| d.chars().count() > 255) {
        return Err(facts::validation("description", "is too long (maximum is 255 characters)"));
    }
    if name.chars().count() > 255 {
        return Err(facts::validation("name", "is too long (maximum is 255 characters)"));
    }
    let today = now.date_naive();
    let expires_at = expiry(params, today, create_default(settings, today))?;
    Ok(TokenEntry {
        id: 0,
        user_id,
        name,
        description,
        scopes,
        created_at: now,
        last_used_at: None,
        expires_at,
        revoked: false,
        previous_id: None,
        resource: None,
        access_level: None,
    })
}
