//! `GET` without `authorizationId`: a page of the caller's tokens.

use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;

use super::{Call, DEFAULT_TOP, MAX_TOP, bad_request};
use crate::azure::emulator::state::PatEntry;
use crate::azure::emulator::wire::{PatTokenJson, json};
use crate::base64;
use crate::testing::emulator_kit::listing::Ordered;
use crate::transport::HttpResponse;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Active,
    Revoked,
    Expired,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    DisplayName,
    DisplayDate,
    Status,
}

/// An enum query value by name (case-insensitive) or by its .NET number (unverified for the
/// REST endpoint; accepted leniently).
fn enum_param<T: Copy>(raw: Option<&str>, default: T, values: &[(&str, &str, T)]) -> Option<T> {
    let Some(raw) = raw.map(str::trim) else {
        return Some(default);
    };
    values.iter().find(|(name, number, _)| raw.eq_ignore_ascii_case(name) || raw == *number).map(|(_, _, v)| *v)
}

/// The list continuation token: an opaque encoding of the next offset (the service's decodes to
/// a start row, §2.1). It carries no filters.
pub(crate) fn encode_offset(offset: usize) -> String {
    base64::encode(format!("row:{offset}"), base64::Alphabet::UrlNoPad)
}

fn decode_offset(token: &str) -> Option<usize> {
    let bytes = base64::decode(token.trim(), base64::Alphabet::UrlNoPad)?;
    String::from_utf8(bytes).ok()?.strip_prefix("row:")?.parse().ok()
}

fn status_rank(pat: &PatEntry, now: DateTime<Utc>) -> u8 {
    if pat.revoked {
        2
    } else if pat.is_expired(now) {
        1
    } else {
        0
    }
}

/// A token's primary sort key: its expiry for `displayDate`, its status rank for `status`.
type Primary = (Option<DateTime<Utc>>, u8);

/// The ids of `user`'s tokens visible in `org` that `filter` admits, in the listing's order,
/// and until when that stays right: the first instant after `now` one of them expires (which
/// moves it between the filters, and between the `status` ranks).
fn ordered(
    pats: &[PatEntry],
    user: Uuid,
    org: Uuid,
    filter: Filter,
    sort: SortBy,
    ascending: bool,
    now: DateTime<Utc>,
) -> Ordered<Uuid, DateTime<Utc>> {
    let mine = pats.iter().filter(|p| p.owner == user && p.targets_org(org));
    let valid_until = mine.clone().filter(|p| !p.revoked && !p.is_expired(now)).map(|p| p.valid_to).min();
    let admitted = mine.filter(|p| match filter {
        Filter::Active => p.is_active(now),
        Filter::Revoked => p.revoked,
        Filter::Expired => !p.revoked && p.is_expired(now),
        Filter::All => true,
    });
    // The primary key, then the display name case-insensitively, then the id.
    let mut keyed: Vec<(Primary, &PatEntry)> = admitted
        .map(|p| {
            let primary = match sort {
                SortBy::DisplayName => (None, 0),
                SortBy::DisplayDate => (Some(p.valid_to), 0),
                SortBy::Status => (None, status_rank(p, now)),
            };
            (primary, p)
        })
        .collect();
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb).then_with(|| cmp_lowercase(&a.display_name, &b.display_name)).then(a.id.cmp(&b.id))
    });
    if !ascending {
        keyed.reverse();
    }
    Ordered { ids: keyed.into_iter().map(|(_, p)| p.id).collect(), valid_until }
}

/// `a.to_lowercase().cmp(&b.to_lowercase())`, without allocating when both are ASCII.
fn cmp_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// `GET` without `authorizationId`: one page of the caller's tokens visible in this
/// organization.
///
/// `$top` defaults to 20; above 100 it is clamped to 100 (a client asking for more still pages
/// correctly); 0 or less is a 400 `ArgumentOutOfRangeException`. `displayDate` sorts by expiry
/// (`validTo`, the date the UI shows; unverified), `status` sorts active < expired < revoked;
/// ties break by display name, then id, so pages are stable.
pub(super) fn list(call: Call<'_>) -> HttpResponse {
    let Call { state, user, org, request, now, .. } = call;
    let filter = enum_param(
        request.query("displayFilterOption"),
        Filter::Active,
        &[
            ("active", "1", Filter::Active),
            ("revoked", "2", Filter::Revoked),
            ("expired", "3", Filter::Expired),
            ("all", "4", Filter::All),
        ],
    );
    let sort = enum_param(
        request.query("sortByOption"),
        SortBy::DisplayName,
        &[
            ("displayName", "1", SortBy::DisplayName),
            ("displayDate", "2", SortBy::DisplayDate),
            ("status", "3", SortBy::Status),
        ],
    );
    let ascending = match request.query("isSortAscending").map(str::trim) {
        None => Some(true),
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    };
    let (Some(filter), Some(sort), Some(ascending)) = (filter, sort, ascending) else {
        return bad_request(
            "ArgumentException",
            "displayFilterOption, sortByOption or isSortAscending has an invalid value.",
        );
    };
    let top = match request.query("$top").map(|t| t.trim().parse::<i64>()) {
        None => DEFAULT_TOP,
        Some(Ok(t)) if t > 0 => t.min(MAX_TOP),
        Some(_) => return bad_request("ArgumentOutOfRangeException", "$top must be a number between 1 and 100."),
    };
    let offset = match request.query("continuationToken").map(str::trim).filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match decode_offset(t) {
            Some(o) => o,
            None => return bad_request("ArgumentException", "The continuation token is not valid."),
        },
    };
    let top = usize::try_from(top).unwrap_or(20);
    let query = format!("pats {user} {} {filter:?} {sort:?} {ascending}", org.id);
    let (window, total) =
        state.listing_window(query, now, offset, top, |pats| ordered(pats, user, org.id, filter, sort, ascending, now));
    let end = offset.saturating_add(window.len());
    let page: Vec<PatTokenJson<'_>> = window.into_iter().map(|p| PatTokenJson::new(p, None)).collect();
    let continuation = if end < total { encode_offset(end) } else { String::new() };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PagedPatTokens<'a> {
        continuation_token: String,
        pat_tokens: Vec<PatTokenJson<'a>>,
    }
    json(StatusCode::OK, &PagedPatTokens { continuation_token: continuation, pat_tokens: page })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_round_trip_and_garbage() {
        assert_eq!(decode_offset(&encode_offset(1234)), Some(1234));
        assert_eq!(decode_offset("not a token"), None);
        assert_eq!(decode_offset(&base64::encode("row:x", base64::Alphabet::UrlNoPad)), None);
    }

    #[test]
    fn case_insensitive_order_matches_to_lowercase() {
        for (a, b) in
            [("abc", "ABD"), ("Zed", "alpha"), ("same", "SAME"), ("ΣΑΣ", "σας"), ("Émile", "emile"), ("a", "")]
        {
            assert_eq!(cmp_lowercase(a, b), a.to_lowercase().cmp(&b.to_lowercase()), "{a} vs {b}");
        }
    }

    #[test]
    fn enum_params_accept_names_and_numbers() {
        let values = [("active", "1", 1), ("revoked", "2", 2)];
        assert_eq!(enum_param(None, 0, &values), Some(0));
        assert_eq!(enum_param(Some("Revoked"), 0, &values), Some(2));
        assert_eq!(enum_param(Some("1"), 0, &values), Some(1));
        assert_eq!(enum_param(Some("bogus"), 0, &values), None);
    }
}
