//! `PUT`: change a token.

use serde_json::Value;
use uuid::Uuid;

use super::{
    Call, Check, bool_field, check_display_name, check_scope, check_shape_policies, date_field, limit_valid_to, object,
    ok, parse_id, rejected, visible,
};
use crate::azure::emulator::facts::Code;
use crate::azure::emulator::format::to_ticks;
use crate::azure::emulator::state::PatEntry;
use crate::azure::emulator::wire::field;
use crate::transport::HttpResponse;

/// `PUT`: rename, rescope, re-target or change the expiry of one token. Omitted fields keep their
/// values. A revoked token gives `invalidToken`; extending an expired one gives
/// `expiredPatCannotBeExtended` while [`TenantPolicies::block_extending_expired`] is on. When the
/// update changes the expiry, scopes or targets, the resulting token must satisfy the global and
/// full-scope policies; a rename alone never trips them.
///
/// [`TenantPolicies::block_extending_expired`]: crate::azure::emulator::TenantPolicies::block_extending_expired
pub(super) fn update(call: Call<'_>) -> HttpResponse {
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
