//! Page/limit pagination with `X-Total-Count` and no `Link` (§3.5).

use http::StatusCode;
use serde_json::Value;

use super::facts::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use super::wire::{Incoming, json_response, set_header};
use crate::transport::HttpResponse;

/// The `(skip, take)` window of the request's `page` (1-based; absent, 0, negative or not a
/// number is 1) and `limit` (absent, 0, negative or not a number is 30; above 50 is 50).
pub(crate) fn window(request: &Incoming) -> (usize, usize) {
    let limit = match request.query_int("limit") {
        n if n <= 0 => DEFAULT_PAGE_SIZE,
        n => usize::try_from(n).unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE),
    };
    let page = usize::try_from(request.query_int("page").max(1)).unwrap_or(1);
    (page.saturating_sub(1).saturating_mul(limit), limit)
}

/// One page of `items` as a JSON array, with `X-Total-Count` (every item, not the page's) and
/// `Access-Control-Expose-Headers` naming it. No `Link`: the token list handler never sets one.
pub(crate) fn page(items: Vec<Value>, request: &Incoming) -> HttpResponse {
    let total = items.len();
    let (skip, take) = window(request);
    let page: Vec<Value> = items.into_iter().skip(skip).take(take).collect();
    let mut response = json_response(StatusCode::OK, &Value::Array(page));
    set_header(&mut response, "x-total-count", &total.to_string());
    set_header(&mut response, "access-control-expose-headers", "X-Total-Count");
    response
}
