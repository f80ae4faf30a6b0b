//! List filters (§2.2), sort orders and offset pagination with GitLab's headers (§2.8).

use std::cmp::Ordering;

use chrono::NaiveDate;
use http::StatusCode;
use serde_json::Value;

use super::facts::{self, DEFAULT_PER_PAGE, MAX_PER_PAGE, TOTAL_LIMIT};
use super::state::{State, TokenEntry};
use super::wire::{Incoming, json_response, parse_date, parse_datetime, set_header, token_json};
use crate::http_url::append_pair;
use crate::transport::HttpResponse;

const SORTS: &[&str] = &[
    "created_asc",
    "created_desc",
    "expires_asc",
    "expires_desc",
    "last_used_asc",
    "last_used_desc",
    "name_asc",
    "name_desc",
];

fn invalid(name: &str) -> HttpResponse {
    facts::param_errors(&[format!("{name} is invalid")])
}

fn not_valid_value(name: &str) -> HttpResponse {
    facts::param_errors(&[format!("{name} does not have a valid value")])
}

/// Keeps the tokens the query's filters admit, in the asked order (default: ascending id).
/// Range filters are inclusive; a token without the compared time (never used, never expires)
/// never matches a range on it.
fn filter_and_sort<'t>(
    mut tokens: Vec<&'t TokenEntry>,
    request: &Incoming,
    today: NaiveDate,
) -> Result<Vec<&'t TokenEntry>, HttpResponse> {
    if let Some(state) = request.query("state") {
        let active = match state {
            "active" => true,
            "inactive" => false,
            _ => return Err(not_valid_value("state")),
        };
        tokens.retain(|t| t.is_active(today) == active);
    }
    if let Some(revoked) = request.query("revoked") {
        let revoked = boolean(revoked).ok_or_else(|| invalid("revoked"))?;
        tokens.retain(|t| t.revoked == revoked);
    }
    if let Some(search) = request.query("search") {
        let needle = search.to_lowercase();
        tokens.retain(|t| t.name.to_lowercase().contains(&needle));
    }
    for (name, after) in [("created_after", true), ("created_before", false)] {
        if let Some(v) = request.query(name) {
            let at = parse_datetime(v).ok_or_else(|| invalid(name))?;
            tokens.retain(|t| if after { t.created_at >= at } else { t.created_at <= at });
        }
    }
    for (name, after) in [("last_used_after", true), ("last_used_before", false)] {
        if let Some(v) = request.query(name) {
            let at = parse_datetime(v).ok_or_else(|| invalid(name))?;
            tokens.retain(|t| t.last_used_at.is_some_and(|u| if after { u >= at } else { u <= at }));
        }
    }
    for (name, after) in [("expires_after", true), ("expires_before", false)] {
        if let Some(v) = request.query(name) {
            let on = parse_date(v).ok_or_else(|| invalid(name))?;
            tokens.retain(|t| t.expires_at.is_some_and(|e| if after { e >= on } else { e <= on }));
        }
    }
    tokens.sort_by_key(|t| t.id);
    if let Some(sort) = request.query("sort") {
        if !SORTS.contains(&sort) {
            return Err(not_valid_value("sort"));
        }
        let desc = sort.ends_with("_desc");
        // Absent values (never used, never expires) sort last either way, as PostgreSQL's
        // NULLS LAST; ties keep ascending ids.
        let key = sort.rsplit_once('_').map_or(sort, |(k, _)| k);
        let by = |a: &&TokenEntry, b: &&TokenEntry| -> Ordering {
            let directed = |o: Ordering| if desc { o.reverse() } else { o };
            match key {
                "created" => directed(a.created_at.cmp(&b.created_at)),
                "name" => directed(a.name.cmp(&b.name)),
                "expires" => nulls_last(a.expires_at, b.expires_at, directed),
                _ => nulls_last(a.last_used_at, b.last_used_at, directed),
            }
        };
        tokens.sort_by(|a, b| by(a, b).then(a.id.cmp(&b.id)));
    }
    Ok(tokens)
}

/// A Grape `Boolean` parameter: `true`/`false`, `1`/`0`, `t`/`f`, `yes`/`no`, `y`/`n`,
/// `on`/`off`, any case (python-gitlab, for one, sends Python's `True`).
fn boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "t" | "yes" | "y" | "on" => Some(true),
        "false" | "0" | "f" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

/// Both present: their (directed) order; an absent one goes last.
fn nulls_last<T: Ord>(a: Option<T>, b: Option<T>, directed: impl Fn(Ordering) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => directed(a.cmp(&b)),
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

/// One page of the tokens `select` admits, filtered and ordered by the query, as the
/// PersonalAccessToken JSON array with `x-page`, `x-per-page`, `x-next-page`, `x-prev-page`,
/// `Link` and — at most 10,000 results — `x-total`, `x-total-pages` and `rel="last"`.
///
/// `scope` names the selection (whose tokens). The filtered, ordered ids are kept between pages
/// ([`State::listing`]), so later pages of one listing cost O(page).
pub(crate) fn list(
    state: &mut State,
    scope: String,
    request: &Incoming,
    today: NaiveDate,
    select: impl Fn(&TokenEntry) -> bool,
) -> Result<HttpResponse, HttpResponse> {
    // Every parameter but the window (and a credential) names the listing.
    let params: Vec<&(String, String)> =
        request.query.iter().filter(|(k, _)| !matches!(k.as_str(), "page" | "per_page" | "private_token")).collect();
    let (ids, tokens) = state.listing(format!("{scope} {params:?}"), today, |tokens| {
        let selected = tokens.values().filter(|t| select(t)).collect();
        Ok(filter_and_sort(selected, request, today)?.into_iter().map(|t| t.id).collect())
    })?;
    paged(ids.len(), request, |skip, take| {
        Value::Array(
            ids.iter()
                .skip(skip)
                .take(take)
                .filter_map(|id| tokens.get(id))
                .map(|t| token_json(t, today, None))
                .collect(),
        )
    })
}

/// One page of `total` results with the headers of [`list`]: `body(skip, take)` renders the
/// page's items (for associations, both arrays cut to the same window).
pub(crate) fn paged(
    total: usize,
    request: &Incoming,
    body: impl FnOnce(usize, usize) -> Value,
) -> Result<HttpResponse, HttpResponse> {
    let number = |name: &str, default: usize| -> Result<usize, HttpResponse> {
        match request.query(name) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<i64>().map_err(|_| invalid(name)).map(|n| usize::try_from(n).unwrap_or(0)),
        }
    };
    let page = number("page", 1)?.max(1);
    let per_page = match number("per_page", DEFAULT_PER_PAGE)? {
        0 => DEFAULT_PER_PAGE,
        n => n.min(MAX_PER_PAGE),
    };
    let pages = total.div_ceil(per_page).max(1);
    let mut response = json_response(StatusCode::OK, &body((page - 1).saturating_mul(per_page), per_page));
    let next = (page < pages).then_some(page + 1);
    let prev = (page > 1).then(|| (page - 1).min(pages));
    set_header(&mut response, "x-page", &page.to_string());
    set_header(&mut response, "x-per-page", &per_page.to_string());
    set_header(&mut response, "x-next-page", &next.map(|n| n.to_string()).unwrap_or_default());
    set_header(&mut response, "x-prev-page", &prev.map(|n| n.to_string()).unwrap_or_default());
    let counted = total <= TOTAL_LIMIT;
    if counted {
        set_header(&mut response, "x-total", &total.to_string());
        set_header(&mut response, "x-total-pages", &pages.to_string());
    }
    let link = |n: usize, rel: &str| format!("<{}>; rel=\"{rel}\"", page_url(request, n, per_page));
    let mut links = Vec::new();
    if let Some(p) = prev {
        links.push(link(p, "prev"));
    }
    if let Some(n) = next {
        links.push(link(n, "next"));
    }
    links.push(link(1, "first"));
    if counted {
        links.push(link(pages, "last"));
    }
    set_header(&mut response, "link", &links.join(", "));
    Ok(response)
}

/// The request's URL with `page` and `per_page` replaced (every other parameter kept).
fn page_url(request: &Incoming, page: usize, per_page: usize) -> String {
    let mut query = String::new();
    for (k, v) in request.query.iter().filter(|(k, _)| k != "page" && k != "per_page" && k != "private_token") {
        append_pair(&mut query, k, v);
    }
    append_pair(&mut query, "page", &page.to_string());
    append_pair(&mut query, "per_page", &per_page.to_string());
    format!("{}{}?{query}", request.origin, request.raw_path)
}
