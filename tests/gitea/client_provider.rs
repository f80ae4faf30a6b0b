//! `GiteaClient` through the neutral seams (`PatProvider`, `PatAdmin`) over a scripted
//! transport: capabilities, creates that ignore expiry, own listings, deletes, checks, a site
//! administrator's listing and deletion, and the replacement spec of a rotation.
#![cfg(feature = "testing")]

use chrono::TimeDelta;
use futures_util::TryStreamExt as _;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{
    Error, ExpiryGranularity, ListQuery, PatAdmin, PatId, PatProvider, PatProviderExt, PatSecret, PatSpec, Scopes,
    StatusFilter, UserId,
};

use crate::client_operations::{CREATED, client, now, page_of};

#[test]
fn capabilities_are_honest() {
    let client = client(&MockTransport::new());
    let caps = PatProvider::capabilities(&client);
    assert!(caps.create && caps.list_own && caps.revoke && caps.check, "{caps:?}");
    assert!(!caps.get && !caps.update && !caps.update_expiry && !caps.rotate_server_side, "{caps:?}");
    assert_eq!(caps.expiry, ExpiryGranularity::Never);
    assert_eq!(caps.name_max_len, Some(patkit::gitea::NAME_MAX_CHARS));
    assert_eq!((PatProvider::provider_name(&client), client.organization()), ("gitea", "gitea.example"));
    let admin = PatAdmin::capabilities(&client);
    assert!(admin.admin_list_user && admin.revoke_many && !admin.revocation_rules, "{admin:?}");
}

#[tokio::test]
async fn create_pat_ignores_the_expiry_and_refuses_extras() {
    let mock = MockTransport::new().on(Route::post("/users/alice/tokens"), MockResponse::json(201, CREATED));
    let client = client(&mock);
    let mut spec = PatSpec::new("ci-bot", Scopes::parse("write:repository read:user").unwrap());
    spec.valid_to = Some(now() + TimeDelta::days(30));
    let created = client.create_pat(spec.clone()).await.unwrap();
    assert_eq!(created.metadata.valid_to, None, "Gitea tokens never expire");
    let body: serde_json::Value = serde_json::from_slice(mock.last_request().unwrap().body()).unwrap();
    assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["name", "scopes"], "no expiry is sent");
    spec.extras.insert("description", "x");
    assert!(matches!(client.create_pat(spec).await, Err(Error::InvalidInput { field: "extras", .. })));
    let too_long = PatSpec::new("n".repeat(256), Scopes::parse("all").unwrap());
    assert!(matches!(client.create_pat(too_long).await, Err(Error::InvalidInput { field: "name", .. })));
    mock.assert_request_count(1);
}

#[tokio::test]
async fn own_listings_page_on_and_revoked_or_expired_ones_are_empty_without_a_request() {
    let mock = MockTransport::new()
        .on(
            Route::get("/users/alice/tokens").query_has("page", "1"),
            MockResponse::json(200, page_of(1..=2)).header("x-total-count", "3"),
        )
        .on(
            Route::get("/users/alice/tokens").query_has("page", "2"),
            MockResponse::json(200, page_of([3])).header("x-total-count", "3"),
        );
    let client = client(&mock);
    let query = ListQuery { page_size: Some(2), ..ListQuery::default() };
    let all: Vec<_> = client.list_all(query).try_collect().await.unwrap();
    assert_eq!(all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
    assert!(all.iter().all(|m| m.valid_to.is_none()));
    assert_eq!(mock.requests()[1].uri().query(), Some("page=2&limit=2"));
    mock.assert_request_count(2);
    for filter in [StatusFilter::Revoked, StatusFilter::Expired] {
        let page = client.list_pats(&ListQuery { filter, ..ListQuery::default() }, None).await.unwrap();
        assert!(page.items.is_empty() && page.is_last(), "{filter:?}");
    }
    mock.assert_request_count(2);
    // The flows ask for pages of 100: Gitea's maximum, 50, is sent instead of a refusal.
    client.list_pats(&ListQuery { page_size: Some(100), ..ListQuery::default() }, None).await.unwrap();
    assert_eq!(mock.last_request().unwrap().uri().query(), Some("page=1&limit=50"));
    let empty = ListQuery { page_size: Some(0), ..ListQuery::default() };
    assert!(matches!(client.list_pats(&empty, None).await, Err(Error::InvalidInput { field: "limit", .. })));
}

#[tokio::test]
async fn revoke_pat_deletes_by_id_and_an_unknown_id_is_not_found() {
    let missing =
        r#"{"message":"The target couldn't be found.","url":"https://gitea.example/api/swagger","errors":[]}"#;
    let mock = MockTransport::new()
        .on(Route::delete("/api/v1/users/alice/tokens/7").exact(), MockResponse::status(204))
        .on(Route::delete("/api/v1/users/alice/tokens/9").exact(), MockResponse::json(404, missing));
    let client = client(&mock);
    client.revoke_pat(&PatId::new("7")).await.unwrap();
    assert!(matches!(client.revoke_pat(&PatId::new("9")).await, Err(Error::NotFound { .. })));
    // An id that is no integer would be taken as a token *name* by Gitea: nothing is sent.
    assert!(matches!(client.revoke_pat(&PatId::new("ci-bot")).await, Err(Error::NotFound { .. })));
    mock.assert_request_count(2);
}

#[tokio::test]
async fn unsupported_operations_send_nothing() {
    let mock = MockTransport::new();
    let client = client(&mock);
    assert!(matches!(client.get_pat(&PatId::new("7")).await, Err(Error::Unsupported { operation: "get_pat", .. })));
    assert!(matches!(
        client.rotate_pat(&PatId::new("7"), None).await,
        Err(Error::Unsupported { operation: "rotate_pat", .. })
    ));
    assert!(matches!(
        client.update_pat(&PatId::new("7"), patkit::PatChanges::default()).await,
        Err(Error::Unsupported { operation: "update_pat", .. })
    ));
    mock.assert_request_count(0);
}

#[tokio::test]
async fn an_admin_lists_a_user_and_deletes_as_that_user() {
    let mock = MockTransport::new()
        .on(Route::get("/users/bob/tokens"), MockResponse::json(200, page_of([4, 5, 6])).header("x-total-count", "3"))
        .on(
            Route::get("/users/ghost/tokens"),
            MockResponse::json(404, r#"{"message":"user does not exist","errors":[]}"#),
        )
        .on(Route::delete("/api/v1/users/bob/tokens/4").exact(), MockResponse::status(204))
        .on(
            Route::delete("/api/v1/users/bob/tokens/5").exact(),
            MockResponse::json(404, r#"{"message":"The target couldn't be found."}"#),
        )
        .on(Route::delete("/api/v1/users/bob/tokens/6").exact(), MockResponse::status(204));
    let admin = client(&mock);
    let page = admin.list_user_pats(&UserId::from("bob"), None).await.unwrap();
    assert_eq!(page.items.iter().map(|t| t.active).collect::<Vec<_>>(), [Some(true); 3]);
    assert_eq!(mock.requests()[0].uri().query(), Some("page=1&limit=50"));
    assert!(admin.list_user_pats(&UserId::from("ghost"), None).await.unwrap().items.is_empty());
    // An id no listing showed: its owner is unknown, so nothing at all is deleted.
    let unknown = admin.revoke_many(&[PatId::new("4"), PatId::new("99")]).await;
    assert!(matches!(unknown, Err(Error::InvalidInput { field: "ids", .. })));
    mock.assert_request_count(2);
    // A clone shares what the listing learnt; a token already gone counts as deleted.
    admin.clone().revoke_many(&[PatId::new("4"), PatId::new("5"), PatId::new("6")]).await.unwrap();
    for id in ["4", "5", "6"] {
        mock.assert_requested(&Route::delete(format!("/api/v1/users/bob/tokens/{id}")).exact(), 1);
    }
    // Deleted tokens are forgotten: deleting one again needs a fresh listing.
    assert!(matches!(admin.revoke_many(&[PatId::new("4")]).await, Err(Error::InvalidInput { field: "ids", .. })));
    mock.assert_no_unexpected();
}

#[tokio::test]
async fn a_rotation_keeps_the_scopes_and_refuses_ones_it_cannot_send() {
    let mock = MockTransport::new().on(Route::get("/users/alice/tokens"), MockResponse::json(200, page_of([1])));
    let client = client(&mock);
    let old = client.list_pats(&ListQuery::default(), None).await.unwrap().items.remove(0);
    let replacement = client.replacement_spec(&old).unwrap();
    assert_eq!(replacement.spec.scopes.to_string(), "read:repository");
    assert!(replacement.spec.extras.is_empty() && replacement.note.is_none() && replacement.spec.valid_to.is_none());
    let legacy = patkit::PatMetadata { scopes: Scopes::parse("repo admin:org").unwrap(), ..old };
    assert!(matches!(client.replacement_spec(&legacy), Err(Error::InvalidInput { field: "scopes", .. })));
}

#[tokio::test]
async fn check_pat_is_the_token_check() {
    let mock = MockTransport::new()
        .on(Route::get("/api/v1/user").exact(), MockResponse::json(401, r#"{"message":"invalid token"}"#));
    assert!(
        !client(&mock).check_pat(&PatSecret::new("0123456789abcdef0123456789abcdef01234567".into())).await.unwrap()
    );
}

/// The properties of `provider_conformance` that need no server state hold over a scripted
/// transport (the lead runs the whole suite against the Gitea emulator).
#[tokio::test]
async fn the_stateless_conformance_properties_hold() {
    use patkit::testing::provider_conformance as conformance;
    let mock = MockTransport::new()
        .on(Route::get("/api/v1/user").exact(), MockResponse::json(401, r#"{"message":"invalid token"}"#));
    let client = client(&mock);
    conformance::capabilities_are_coherent(&client).await;
    conformance::unsupported_operations_say_so(
        &client,
        &conformance::Setup::new(Scopes::parse("read:repository").unwrap()),
    )
    .await;
    conformance::get_of_an_unknown_id_is_not_found(&client).await;
    conformance::check_refuses_an_unknown_secret(&client).await;
    assert_eq!(mock.request_count(), 1, "only the check reached the transport");
    mock.assert_no_unexpected();
}

/// Offboarding through a site administrator's client: every token of the user is deleted as
/// that user, and the check listing catches a token a server answered 404 for but still keeps
/// (some Gitea versions scope the delete to the caller, so an administrator's delete of another
/// user's token can answer 404 and delete nothing).
#[tokio::test]
async fn offboarding_deletes_as_the_user_and_the_check_listing_catches_a_survivor() {
    let mock = MockTransport::new()
        .on_seq(
            Route::get("/users/bob/tokens"),
            [
                MockResponse::json(200, page_of([4, 5, 6])).header("x-total-count", "3"),
                MockResponse::json(200, page_of([5])).header("x-total-count", "1"),
            ],
        )
        .on(Route::delete("/api/v1/users/bob/tokens/4").exact(), MockResponse::status(204))
        .on(
            Route::delete("/api/v1/users/bob/tokens/5").exact(),
            MockResponse::json(404, r#"{"message":"The target couldn't be found."}"#),
        )
        .on(Route::delete("/api/v1/users/bob/tokens/6").exact(), MockResponse::status(204));
    let report = patkit::lifecycle::Offboarding::new(client(&mock)).run("bob").await.unwrap();
    assert_eq!(report.found.len(), 3);
    assert_eq!(report.revoked.iter().map(PatId::as_str).collect::<Vec<_>>(), ["4", "5", "6"]);
    assert_eq!(report.still_valid.iter().map(PatId::as_str).collect::<Vec<_>>(), ["5"]);
    assert!(!report.is_complete());
    mock.assert_no_unexpected();
}

/// A rotation of a stored Gitea token by age: create a uniquely named replacement with the same
/// scopes (no expiry sent), check it with the new token itself, store it, and only then delete
/// the old token.
#[tokio::test]
async fn a_rotator_creates_a_unique_name_checks_stores_then_deletes() {
    use patkit::store::InMemoryTokenStore;
    use patkit::{PatRecord, StoredPat, TokenStore};
    let old = r#"{"id":3,"name":"ci","sha1":"","token_last_eight":"aaaaaaaa","scopes":["write:repository"],
                  "created_at":"2025-12-01T00:00:00Z"}"#;
    let new =
        r#"{"id":8,"name":"ci~r","sha1":"cafecafecafecafecafecafecafecafecafecafe","token_last_eight":"cafecafe"}"#;
    let mock = MockTransport::new()
        .on_seq(
            Route::get("/users/alice/tokens"),
            [MockResponse::json(200, format!("[{old}]")).header("x-total-count", "1")],
        )
        .on(
            Route::get("/users/alice/tokens"),
            MockResponse::json(200, format!("[{new},{old}]")).header("x-total-count", "2"),
        )
        .on(Route::post("/users/alice/tokens"), MockResponse::json(201, new))
        .on(Route::get("/api/v1/user").exact(), MockResponse::json(200, r#"{"id":1,"login":"alice"}"#))
        .on(Route::delete("/api/v1/users/alice/tokens/3").exact(), MockResponse::status(204));
    let client = client(&mock);
    let store = std::sync::Arc::new(InMemoryTokenStore::new());
    let listed = client.list().send().await.unwrap().items.remove(0).metadata;
    let record = PatRecord::new("ci", PatProvider::provider_name(&client), client.organization(), listed, now());
    store
        .put(StoredPat { record, secret: PatSecret::new("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()) })
        .await
        .unwrap();
    let rotator = patkit::lifecycle::Rotator::from_arcs(std::sync::Arc::new(client.clone()), store.clone())
        .clock(patkit::ManualClock::new(now()))
        .max_age(std::time::Duration::from_secs(30 * 86_400));
    let report = rotator.rotate("ci").await;
    assert!(matches!(report.outcome, patkit::lifecycle::Outcome::Rotated(_)), "{report}");
    let stored = store.get("ci").await.unwrap().unwrap();
    assert_eq!(stored.secret.expose_secret(), "cafecafecafecafecafecafecafecafecafecafe");
    assert_eq!(stored.record.metadata.id.as_str(), "8");
    let sent = mock.requests();
    let create = sent.iter().position(|r| r.method() == http::Method::POST).expect("a create");
    let check = sent.iter().position(|r| r.uri().path() == "/api/v1/user").expect("a check");
    let delete = sent.iter().position(|r| r.method() == http::Method::DELETE).expect("a delete");
    assert!(create < check && check < delete, "create, check the new token, then delete the old one");
    assert_eq!(sent[check].headers()["authorization"], "token cafecafecafecafecafecafecafecafecafecafe");
    let body: serde_json::Value = serde_json::from_slice(sent[create].body()).unwrap();
    assert!(body["name"].as_str().unwrap().starts_with("ci~r2026"), "a unique name: {body}");
    assert_eq!(body["scopes"], serde_json::json!(["write:repository"]));
    assert!(body.get("expires_at").is_none());
    mock.assert_no_unexpected();
}

/// A scan of a Gitea client: every token never expires, and one whose age is unknown (no
/// `created_at` in the listing) counts as old.
#[tokio::test]
async fn a_scan_reports_no_expiry_and_an_unknown_age_as_stale() {
    use patkit::lifecycle::{FindingKind, Scan};
    let recent = r#"{"id":2,"name":"recent","sha1":"","scopes":["all"],"created_at":"2026-02-20T00:00:00Z"}"#;
    let mock = MockTransport::new().on(
        Route::get("/users/alice/tokens"),
        MockResponse::json(200, format!("[{recent},{}]", crate::client_operations::listed(1)))
            .header("x-total-count", "2"),
    );
    let report = Scan::new()
        .provider(client(&mock))
        .clock(patkit::ManualClock::new(now()))
        .max_age(std::time::Duration::from_secs(90 * 86_400))
        .run()
        .await
        .unwrap();
    let kinds = |id: &str| -> Vec<FindingKind> {
        report.findings.iter().filter(|f| f.token.id.as_str() == id).map(|f| f.kind.clone()).collect()
    };
    assert!(matches!(kinds("2")[..], [FindingKind::NoExpiry { .. }]), "{:?}", kinds("2"));
    assert!(kinds("1").iter().any(|k| matches!(k, FindingKind::Stale { .. })), "{:?}", kinds("1"));
    assert_eq!(mock.requests()[0].uri().query(), Some("page=1&limit=50"));
}
