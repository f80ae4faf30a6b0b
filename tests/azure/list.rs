//! `list`: one page, the page stream, resumption.
#![cfg(feature = "testing")]

use crate::common::*;
use futures_util::{StreamExt as _, TryStreamExt as _};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{ContinuationToken, Error, PatProviderExt as _, SortBy, StatusFilter};

fn token(n: usize) -> String {
    format!(
        r#"{{"displayName":"t{n:03}","validTo":"2021-01-01T00:00:00Z","scope":"vso.code","targetAccounts":["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],"validFrom":"2020-10-01T00:00:00Z","authorizationId":"00000000-0000-0000-0000-{n:012}","token":null}}"#
    )
}

fn page(range: std::ops::Range<usize>, continuation: Option<&str>) -> MockResponse {
    let items: Vec<String> = range.map(token).collect();
    let continuation = match continuation {
        Some(c) => format!("\"{c}\""),
        None => "null".to_owned(),
    };
    MockResponse::json(200, format!(r#"{{"continuationToken":{continuation},"patTokens":[{}]}}"#, items.join(",")))
}

/// Three pages: `p1`, `p2`, then a last page ending with `last` (`""` or `null`).
fn three_pages(last: Option<&str>) -> MockTransport {
    let route = |c: Option<&'static str>| {
        let r = Route::get("/_apis/tokens/pats")
            .query_has("displayFilterOption", "all")
            .query_has("sortByOption", "displayDate")
            .query_has("isSortAscending", "false")
            .query_has("$top", "2");
        match c {
            Some(c) => r.query_has("continuationToken", c),
            None => r.query(|q| !q.contains("continuationToken")),
        }
    };
    MockTransport::new()
        .on(route(None), page(0..2, Some("p1")))
        .on(route(Some("p1")), page(2..4, Some("p2")))
        .on(route(Some("p2")), page(4..5, last))
}

#[tokio::test]
async fn one_page_of_the_spec_example() {
    let mock = MockTransport::new().on(Route::get("/_apis/tokens/pats"), MockResponse::json(200, LIST_RESPONSE));
    let page = client(&mock).list().page(None).await.unwrap();
    assert_eq!(page.items.len(), 4);
    assert!(page.is_last());
}

#[tokio::test]
async fn the_stream_resends_the_filters_and_ends_on_an_empty_token() {
    let mock = three_pages(Some(""));
    let list = client(&mock).list().filter(StatusFilter::All).sort(SortBy::DisplayDate).ascending(false).page_size(2);
    let names: Vec<String> = list.items().map_ok(|m| m.display_name).try_collect().await.unwrap();
    assert_eq!(names, ["t000", "t001", "t002", "t003", "t004"]);
    mock.assert_request_count(3);
}

#[tokio::test]
async fn the_stream_ends_on_a_null_token() {
    let mock = three_pages(None);
    let list = client(&mock).list().filter(StatusFilter::All).sort(SortBy::DisplayDate).ascending(false).page_size(2);
    let pages: Vec<_> = list.pages().try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [2, 2, 1]);
    assert!(pages[2].is_last());
}

#[tokio::test]
async fn a_listing_resumes_from_a_saved_token() {
    let mock = three_pages(Some(""));
    let list = client(&mock).list().filter(StatusFilter::All).sort(SortBy::DisplayDate).ascending(false).page_size(2);
    let first = list.page(None).await.unwrap();
    let saved = first.continuation.clone().unwrap();
    assert_eq!(saved, ContinuationToken::new("p1"));
    // Later (another process, say): resume from the saved token.
    let rest: Vec<_> = list.pages_from(Some(saved)).try_collect().await.unwrap();
    let ids: Vec<String> = rest.into_iter().flatten().map(|m| m.display_name).collect();
    assert_eq!(ids, ["t002", "t003", "t004"]);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_yielding_it() {
    let mock = MockTransport::new()
        .on(Route::get("/_apis/tokens/pats").query(|q| !q.contains("continuationToken")), page(0..2, Some("p1")))
        .on(
            Route::get("/_apis/tokens/pats").query_has("continuationToken", "p1"),
            MockResponse::json(500, r#"{"message":"boom","typeKey":"X"}"#),
        );
    let results: Vec<_> = client(&mock).list().items().collect().await;
    assert_eq!(results.len(), 3);
    assert!(results[..2].iter().all(Result::is_ok));
    assert!(matches!(results[2], Err(Error::Api { status: 500, .. })));
}

#[tokio::test]
async fn the_provider_surface_lists_everything_too() {
    let mock = three_pages(Some(""));
    let client = client(&mock);
    let query = patkit::ListQuery {
        filter: StatusFilter::All,
        sort: SortBy::DisplayDate,
        ascending: false,
        page_size: Some(2),
    };
    let all: Vec<_> = client.list_all(query).try_collect().await.unwrap();
    assert_eq!(all.len(), 5);
}
