//! One authenticated request's handler context, shared by the route handlers.

use chrono::{DateTime, Utc};

use super::auth::Principal;
use super::state::State;
use super::wire::Incoming;
use crate::transport::HttpResponse;

/// What a handler answers: a response, or a refusal rendered in GitHub's error shape.
pub(crate) type Answer = Result<HttpResponse, super::facts::Refusal>;

/// A handler's view of one request.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) principal: &'a Principal,
    pub(crate) request: &'a Incoming,
    pub(crate) now: DateTime<Utc>,
}

/// A path id: a decimal number, or `None` (which the handlers answer 404).
pub(crate) fn parse_id(text: &str) -> Option<u64> {
    text.parse().ok()
}
