//! `GET` with `authorizationId`: one token.

use super::{Call, ok, parse_id, rejected, visible};
use crate::azure::emulator::facts::Code;
use crate::transport::HttpResponse;

pub(super) fn get(call: Call<'_>) -> HttpResponse {
    let Some(id) = parse_id(call.request.query("authorizationId")) else {
        return rejected(call.version, Code::InvalidAuthorizationId, "The authorization id is not a valid GUID.");
    };
    match visible(call.state, id, call.user, call.org.id) {
        Some(pat) => ok(call.version, pat, None),
        None => rejected(call.version, Code::TokenNotFound, "The token was not found."),
    }
}
