//! `POST`: create a token.

use http::StatusCode;
use uuid::Uuid;

use super::{
    Call, Check, bool_field, check_display_name, check_scope, check_shape_policies, date_field, limit_valid_to, object,
    ok, rejected,
};
use crate::azure::emulator::facts::Code;
use crate::azure::emulator::format::{hash_secret, mint_pat, to_ticks};
use crate::azure::emulator::state::{PatEntry, SERVICE_MAX_LIFESPAN};
use crate::azure::emulator::wire::{field, wrapped};
use crate::transport::HttpResponse;

pub(super) fn create(call: Call<'_>) -> HttpResponse {
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
