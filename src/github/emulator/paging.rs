//! `page` / `per_page` pagination with a `Link` header (§4.9).

use http::StatusCode;
use serde_json::Value;

use super::facts;
use super::wire::{Incoming, json_response, set_header};
use crate::http_url::append_pair;
use crate::transport::HttpResponse;

/// `(page, per_page)`: `page` 1-based (absent, 0 or not a number is 1); `per_page` default 30,
/// at most 100 (more is 100; absent, 0 or not a number is 30).
pub(crate) fn window(request: &Incoming) -> (usize, usize) {
    let number = |name| request.query(name).and_then(|v| v.trim().parse::<usize>().ok()).filter(|n| *n > 0);
    let per_page = number("per_page").map_or(facts::DEFAULT_PER_PAGE, |n| n.min(facts::MAX_PER_PAGE));
    (number("page").unwrap_or(1), per_page)
}

fn link(request: &Incoming, page: usize, rel: &str) -> String {
    let mut query = String::new();
    for (k, v) in request.query.iter().filter(|(k, _)| k != "page") {
        append_pair(&mut query, k, v);
    }
    append_pair(&mut query, "page", &page.to_string());
    format!("<{}{}?{query}>; rel=\"{rel}\"", request.origin, request.path)
}

/// The `(skip, take)` of the request's page.
pub(crate) fn skip_take(request: &Incoming) -> (usize, usize) {
    let (page, per_page) = window(request);
    ((page - 1).saturating_mul(per_page), per_page)
}

/// One page of `items` as a JSON array, with `Link` (`prev`/`first` after the first page,
/// `next`/`last` before the last; none when everything fits on one page).
pub(crate) fn page(items: Vec<Value>, request: &Incoming) -> HttpResponse {
    let total = items.len();
    let (skip, take) = skip_take(request);
    windowed(items.into_iter().skip(skip).take(take).collect(), total, request)
}

/// [`page`] for a page already cut by [`skip_take`] out of `total` items.
pub(crate) fn windowed(shown: Vec<Value>, total: usize, request: &Incoming) -> HttpResponse {
    let (page, per_page) = window(request);
    let last = total.div_ceil(per_page).max(1);
    let mut response = json_response(StatusCode::OK, &Value::Array(shown));
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(request, (page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link(request, page + 1, "next"));
        links.push(link(request, last, "last"));
    }
    if page > 1 {
        links.push(link(request, 1, "first"));
    }
    if !links.is_empty() {
        set_header(&mut response, "link", &links.join(", "));
    }
    response
}
