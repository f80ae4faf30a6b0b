//! `DELETE`: revoke a token.

use http::StatusCode;

use super::{Call, bad_request, parse_id, visible};
use crate::azure::emulator::wire::empty;
use crate::transport::HttpResponse;

/// `DELETE`: revoke. Idempotent by design: an unknown id, someone else's token, a token not
/// visible from this organization and an already revoked token all get the same 204 and change
/// nothing, so the answer never reveals whether a foreign id exists. A missing or malformed id is
/// a 400.
pub(super) fn revoke(call: Call<'_>) -> HttpResponse {
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
    empty(StatusCode::NO_CONTENT)
}
