//! Every paged listing of the crate ends: on a service that answers continuation `a → b → a → …`
//! (a two-token cycle) and on one that hands out fresh continuations forever, each ends with
//! [`Error::ListingCut`] naming the listing and why, instead of listing forever (issue 10,
//! finding 5). Covered: the client's PAT and Token Admin streams, the provider surface's
//! `list_all`, `find_by_display_name`, the search after an uncertain create, the expiry scan,
//! rotation recovery and offboarding.
//!
//! The scripted service yields to the runtime on every request and fails the test past
//! [`MAX_REQUESTS`], and every listing runs under a timeout: a listing that does not end is a
//! failure, not a hang.
#![cfg(feature = "testing")]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use futures_util::{StreamExt as _, TryStreamExt as _};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::lifecycle::{Offboarding, Outcome, Rotator, Scan, Step};
use patkit::store::{InMemoryTokenStore, RotationIntent};
use patkit::transport::{HttpRequest, HttpResponse, RetryConfig, from_fn};
use patkit::{
    Error, ListQuery, ListingCutReason, ManualClock, PatId, PatMetadata, PatProviderExt as _, PatRecord, PatSecret,
    Scopes, StoredPat, TokenStore as _,
};

/// Requests after which the scripted service fails the test: a listing still going by then
/// would go on forever.
const MAX_REQUESTS: usize = 2_000;

/// The time any one listing may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(30);

const DESCRIPTOR: &str = "aad.MjcwYjYwYzMtZThiMy03MGU1LWFjZDYtYzM5Zjk3ZDZmYTRh";
const DISPLAY_NAME: &str = "listed";

/// What the scripted service sends as the next continuation.
#[derive(Clone, Copy)]
enum Continuations {
    /// none → `a`, `a` → `b`, `b` → `a`, …
    Cycle,
    /// A new one on every page.
    Fresh,
}

/// A service whose PAT list and Token Admin list never end, whose creates fail with a 503 (so
/// the client searches for the token) and whose other calls succeed. Counts requests by kind.
#[derive(Clone)]
struct Endless {
    continuations: Continuations,
    lists: Arc<AtomicUsize>,
    others: Arc<AtomicUsize>,
}

impl Endless {
    fn new(continuations: Continuations) -> Self {
        Self { continuations, lists: Arc::default(), others: Arc::default() }
    }

    fn lists(&self) -> usize {
        self.lists.load(Ordering::SeqCst)
    }

    fn others(&self) -> usize {
        self.others.load(Ordering::SeqCst)
    }

    fn client(&self) -> AzureDevOpsClient {
        let this = self.clone();
        AzureDevOpsClient::builder("fabrikam", StaticCredential::new(BEARER.to_owned()))
            .transport(from_fn(move |request| {
                let response = this.answer(&request);
                async move {
                    // Let a timeout fire even if the caller never waits for anything else.
                    tokio::task::yield_now().await;
                    Ok(response)
                }
            }))
            .clock(ManualClock::new(now()))
            .retry(RetryConfig::none())
            .build()
            .unwrap()
    }

    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let path = request.uri().path();
        let listing = request.method() == http::Method::GET
            && (path.contains("/_apis/tokenadmin/personalaccesstokens/")
                || (path.ends_with("/_apis/tokens/pats") && query_value(request, "authorizationId").is_none()));
        if !listing {
            self.others.fetch_add(1, Ordering::SeqCst);
            return match *request.method() {
                http::Method::POST if path.ends_with("/_apis/tokens/pats") => respond(503, "{}"),
                http::Method::GET => respond(200, &format!(r#"{{"patToken":{},"patTokenError":"none"}}"#, token())),
                _ => respond(204, ""),
            };
        }
        let n = self.lists.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(n <= MAX_REQUESTS, "a listing sent {n} requests and was still going");
        let sent = query_value(request, "continuationToken");
        let next = match (self.continuations, sent.as_deref()) {
            (Continuations::Cycle, None | Some("b")) => "a".to_owned(),
            (Continuations::Cycle, Some(_)) => "b".to_owned(),
            (Continuations::Fresh, _) => format!("page-{n}"),
        };
        let body = if path.contains("/tokenadmin/") {
            format!(r#"{{"continuationToken":"{next}","value":[{}]}}"#, session_token())
        } else {
            format!(r#"{{"continuationToken":"{next}","patTokens":[{}]}}"#, token())
        };
        respond(200, &body)
    }
}

fn respond(status: u16, body: &str) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn token() -> String {
    format!(
        r#"{{"authorizationId":"4ab5764f-4193-4f1d-b995-64144880b7d7","displayName":"{DISPLAY_NAME}","scope":"vso.code","targetAccounts":["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],"validFrom":"2020-11-02T22:56:52Z","validTo":"2020-12-01T23:46:23Z","token":null}}"#
    )
}

fn session_token() -> String {
    r#"{"authorizationId":"952858d3-7084-4635-964e-3c2a57645185","userId":"bb5bb6c8-ef0a-400f-8987-92b3674d2043","validFrom":"2020-07-19T00:00:00","validTo":"2021-07-19T00:00:00","displayName":"t","scope":"vso.code","targetAccounts":null,"token":null,"isValid":true,"isPublic":false}"#.to_owned()
}

/// `listing` to its end, or a failure if it takes longer than [`TIMEOUT`].
async fn bounded<T>(what: &str, listing: impl Future<Output = T>) -> T {
    match tokio::time::timeout(TIMEOUT, listing).await {
        Ok(out) => out,
        Err(_) => panic!("{what} did not end within {TIMEOUT:?}"),
    }
}

/// Asserts `e` says the listing `listing` was cut because of a repeated continuation, after the
/// three pages of a two-token cycle (none → a, a → b, b → a).
#[track_caller]
fn assert_cut_by_cycle(e: &Error, listing: &str) {
    match e {
        Error::ListingCut { listing: got, reason: ListingCutReason::RepeatedContinuation, pages: 3 } => {
            assert_eq!(*got, listing);
            let shown = e.to_string();
            assert!(shown.contains(listing) && shown.contains("already sent"), "{shown}");
        }
        other => panic!("expected the {listing} listing cut by a repeated continuation, got {other:?}"),
    }
}

#[tokio::test]
async fn the_pat_stream_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let results: Vec<_> = bounded("the PAT stream", service.client().list().items().collect()).await;
    assert_eq!(results.len(), 4, "three pages of one token, then the error");
    assert!(results[..3].iter().all(Result::is_ok));
    assert_cut_by_cycle(results[3].as_ref().unwrap_err(), "PAT list");
    assert_eq!(service.lists(), 3);
}

#[tokio::test]
async fn the_token_admin_stream_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let pages: Vec<_> =
        bounded("the Token Admin stream", service.client().token_admin().list_pats(DESCRIPTOR).pages().collect()).await;
    assert_eq!(pages.len(), 4);
    assert_cut_by_cycle(pages[3].as_ref().unwrap_err(), "Token Admin PAT list");
    assert_eq!(service.lists(), 3);
}

#[tokio::test]
async fn the_provider_list_all_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let client = service.client();
    let result: Result<Vec<_>, _> = bounded("list_all", client.list_all(ListQuery::default()).try_collect()).await;
    assert_cut_by_cycle(&result.unwrap_err(), "PAT list");
}

#[tokio::test]
async fn list_all_through_dyn_provider_keeps_the_capped_pager() {
    // `list_all` needed `Self: Sized`, so the flows (which hold `dyn PatProvider`) could not
    // call it; it now works on `dyn`, `Arc<dyn>` and `Box<dyn>` with the same ListingCut.
    let service = Endless::new(Continuations::Cycle);
    let provider: Arc<dyn patkit::PatProvider> = Arc::new(service.client());
    let through_dyn: &dyn patkit::PatProvider = provider.as_ref();
    let result: Result<Vec<_>, _> =
        bounded("list_all on dyn", through_dyn.list_all(ListQuery::default()).try_collect()).await;
    assert_cut_by_cycle(&result.unwrap_err(), "PAT list");
    let result: Result<Vec<_>, _> =
        bounded("list_all on Arc<dyn>", provider.list_all(ListQuery::default()).try_collect()).await;
    assert_cut_by_cycle(&result.unwrap_err(), "PAT list");
    let boxed: Box<dyn patkit::PatProvider> = Box::new(service.client());
    let result: Result<Vec<_>, _> =
        bounded("list_all on Box<dyn>", boxed.list_all(ListQuery::default()).try_collect()).await;
    assert_cut_by_cycle(&result.unwrap_err(), "PAT list");
    assert_eq!(service.lists(), 9, "three pages per listing, then the cut");
}

#[tokio::test]
async fn find_by_display_name_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let result = bounded("find_by_display_name", service.client().find_by_display_name(DISPLAY_NAME)).await;
    assert_cut_by_cycle(&result.unwrap_err(), "search by display name");
    assert_eq!(service.lists(), 3);
}

#[tokio::test]
async fn the_search_after_an_uncertain_create_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let client = service.client();
    let result = bounded("the uncertain create's search", client.create(DISPLAY_NAME, scopes()).send()).await;
    match result {
        // What the pages read before the cut showed is kept (each token once).
        Err(Error::CreateOutcomeUnknown { found, source, .. }) => {
            assert_eq!(
                found.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
                ["4ab5764f-4193-4f1d-b995-64144880b7d7"]
            );
            assert!(matches!(*source, Error::Api { status: 503, .. }), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((service.others(), service.lists()), (1, 3), "the create, then three pages");
}

#[tokio::test]
async fn the_expiry_scan_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let scan = Scan::new().provider(service.client()).clock(ManualClock::new(now()));
    let result = bounded("the expiry scan", scan.run()).await;
    assert_cut_by_cycle(&result.unwrap_err(), "expiry scan");
    assert_eq!(service.lists(), 3);
}

#[tokio::test]
async fn rotation_recovery_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let store = Arc::new(InMemoryTokenStore::new());
    let mut record = PatRecord::new("ci", "azure-devops", "fabrikam", stored_metadata(), now());
    record.rotation = Some(RotationIntent {
        replacement_display_name: DISPLAY_NAME.to_owned(),
        started_at: now() - chrono::TimeDelta::hours(2),
        server_rotate: None,
    });
    store.put(StoredPat { record, secret: PatSecret::new("old-secret".into()) }).await.unwrap();
    let rotator = Rotator::new(service.client(), Arc::clone(&store)).clock(ManualClock::new(now()));

    let report = bounded("rotation recovery", rotator.recover_ignoring_lease()).await.unwrap();
    assert_eq!(report.entries.len(), 1);
    match &report.entries[0].outcome {
        Outcome::Failed(failure) => {
            assert_eq!(failure.step, Step::Recover);
            assert!(failure.left_for_recovery);
            assert_cut_by_cycle(&failure.error, "rotation recovery");
        }
        other => panic!("{other:?}"),
    }
    // Nothing was revoked on a listing that was cut, and the intent is kept for the next run.
    let entry = store.get("ci").await.unwrap().unwrap();
    assert!(entry.record.rotation.is_some());
    assert_eq!(entry.secret.expose_secret(), "old-secret");
}

#[tokio::test]
async fn offboarding_ends_on_a_two_token_cycle() {
    let service = Endless::new(Continuations::Cycle);
    let offboarding = Offboarding::new(service.client().token_admin());
    let result = bounded("offboarding", offboarding.run(DESCRIPTOR)).await;
    assert_cut_by_cycle(&result.unwrap_err(), "offboarding");
    assert_eq!((service.lists(), service.others()), (3, 0), "nothing revoked on a cut listing");
}

#[tokio::test]
async fn page_caps_bound_endless_fresh_continuations() {
    #[track_caller]
    fn assert_capped(e: &Error, listing: &str, max_pages: usize) {
        match e {
            Error::ListingCut { listing: got, reason: ListingCutReason::PageLimit { max_pages: cap }, pages } => {
                assert_eq!((*got, *cap, *pages), (listing, max_pages, max_pages));
            }
            other => panic!("expected {listing} capped at {max_pages}, got {other:?}"),
        }
    }

    let service = Endless::new(Continuations::Fresh);
    let results: Vec<_> = bounded("the PAT stream", service.client().list().max_pages(3).pages().collect()).await;
    assert_eq!(results.len(), 4, "three pages, then the error");
    assert_capped(results[3].as_ref().unwrap_err(), "PAT list", 3);
    assert_eq!(service.lists(), 3);

    let service = Endless::new(Continuations::Fresh);
    let admin = service.client().token_admin().list_pats(DESCRIPTOR).max_pages(2);
    let results: Vec<_> = bounded("the Token Admin stream", admin.items().collect()).await;
    assert_capped(results.last().unwrap().as_ref().unwrap_err(), "Token Admin PAT list", 2);

    let service = Endless::new(Continuations::Fresh);
    let scan = Scan::new().provider(service.client()).clock(ManualClock::new(now())).max_pages(4);
    assert_capped(&bounded("the expiry scan", scan.run()).await.unwrap_err(), "expiry scan", 4);
    assert_eq!(service.lists(), 4);

    let service = Endless::new(Continuations::Fresh);
    let offboarding = Offboarding::new(service.client().token_admin()).max_pages(5);
    assert_capped(&bounded("offboarding", offboarding.run(DESCRIPTOR)).await.unwrap_err(), "offboarding", 5);
    assert_eq!(service.lists(), 5);

    // The default cap holds where no cap is set.
    let service = Endless::new(Continuations::Fresh);
    let result = bounded("find_by_display_name", service.client().find_by_display_name(DISPLAY_NAME)).await;
    assert_capped(&result.unwrap_err(), "search by display name", patkit::DEFAULT_MAX_PAGES);
    assert_eq!(service.lists(), patkit::DEFAULT_MAX_PAGES);
}

#[tokio::test]
async fn a_cap_of_zero_pages_is_refused_before_anything_is_sent() {
    let service = Endless::new(Continuations::Cycle);
    let client = service.client();
    let results: Vec<_> = client.list().max_pages(0).items().collect().await;
    assert!(matches!(&results[..], [Err(Error::InvalidInput { field: "max_pages", .. })]), "{results:?}");
    let scan = Scan::new().provider(client.clone()).max_pages(0).run().await;
    assert!(matches!(scan, Err(Error::InvalidInput { field: "max_pages", .. })), "{scan:?}");
    let offboarding = Offboarding::new(client.token_admin()).max_pages(0).run(DESCRIPTOR).await;
    assert!(matches!(offboarding, Err(Error::InvalidInput { field: "max_pages", .. })), "{offboarding:?}");
    assert_eq!(service.lists() + service.others(), 0);
}

fn scopes() -> Scopes {
    Scopes::parse("vso.code").unwrap()
}

fn stored_metadata() -> PatMetadata {
    PatMetadata {
        id: PatId::new("11111111-1111-1111-1111-111111111111"),
        display_name: "ci".into(),
        scopes: scopes(),
        valid_from: now() - chrono::TimeDelta::days(20),
        valid_to: Some(now() + chrono::TimeDelta::days(2)),
        extras: patkit::Extras::new(),
    }
}
