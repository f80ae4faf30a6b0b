//! Page/limit pagination with `X-Total-Count` and no `Link` (§3.5).

use http::StatusCode;
use serde_json::Value;

use super::state::Settings;
use super::wire::{Incoming, json_response, set_header};
use crate::transport::HttpResponse;

/// The `(skip, take)` window of the request's `page` (1-based; absent, 0, negative or not a
/// number is 1) and `limit` (absent, 0, negative or not a number is the default page size, 30;
/// above the maximum, 50, is the maximum; both as configured).
pub(crate) fn window(request: &Incoming, settings: &Settings) -> (usize, usize) {
    let limit = match request.query_int("limit") {
        n if n <= 0 => settings.default_page,
        n => usize::try_from(n).unwrap_or(settings.max_page).min(settings.max_page),
    };
    let page = usize::try_from(request.query_int("page").max(1)).unwrap_or(1);
    (page.saturating_sub(1).saturating_mul(limit), limit)
}

/// One page of `items` as a JSON array, with `X-Total-Count` (every item, not the page's) and
/// `Access-Control-Expose-Headers` naming it. No `Link`: the token list handler never sets one.
pub(crate) fn page(items: Vec<Value>, request: &Incoming, settings: &Settings) -> HttpResponse {
    let total = items.len();
    let (skip, take) = window(request, settings);
    windowed(items.into_iter().skip(skip).take(take).collect(), total)
}

/// [`page`] for a page already cut to its [`window`] out of `total` items.
pub(crate) fn windowed(page: Vec<Value>, total: usize) -> HttpResponse {
    let mut response = json_response(StatusCode::OK, &Value::Array(page));
    set_header(&mut response, "x-total-count", &total.to_string());
    set_header(&mut response, "access-control-expose-headers", "X-Total-Count");
    response
}
