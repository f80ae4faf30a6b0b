//! `GitLabClient` through the neutral seams (`PatProvider`, `PatAdmin`) over a scripted
//! transport: capabilities, the expiry rule on rotate and create, own listings, checks, admin
//! listing and revocation.
#![cfg(feature = "testing")]

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::TryStreamExt as _;
use patkit::gitlab::{GitLabClient, GitLabCredential};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{
    Error, ExpiryGranularity, ListQuery, ManualClock, PatAdmin, PatId, PatProvider, PatProviderExt, PatSecret, PatSpec,
    Scopes, UserId,
};

use crate::client::{PAT, ROTATED, client, now};

fn client_at(mock: &MockTransport, at: DateTime<Utc>) -> GitLabClient {
    GitLabClient::builder(GitLabCredential::private_token("glpat-management".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .clock(ManualClock::new(at))
        .build()
        .unwrap()
}

fn sent_expiry(mock: &MockTransport) -> String {
    let body: serde_json::Value = serde_json::from_slice(mock.last_request().unwrap().body()).unwrap();
    body["expires_at"].as_str().expect("expires_at is always sent").to_owned()
}

#[test]
fn capabilities_are_honest() {
    let mock = MockTransport::new();
    let caps = PatProvider::capabilities(&client(&mock));
    assert!(caps.get && caps.list_own && caps.revoke && caps.rotate_server_side && caps.check);
    assert!(!caps.create && !caps.update && !caps.update_expiry, "{caps:?}");
    assert_eq!(caps.expiry, ExpiryGranularity::Date);
    let admin = GitLabClient::builder(GitLabCredential::private_token("x".to_owned()))
        .transport(mock.clone())
        .create_for_user("42")
        .build()
        .unwrap();
    assert!(PatProvider::capabilities(&admin).create);
    assert_eq!(PatProvider::provider_name(&admin), "gitlab");
    assert_eq!(admin.organization(), "gitlab.com");
    let admin_caps = PatAdmin::capabilities(&admin);
    assert!(admin_caps.admin_list_user && admin_caps.revoke_many && !admin_caps.revocation_rules);
    assert!(
        GitLabClient::builder(GitLabCredential::private_token("x".to_owned()))
            .create_for_user("alice")
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn rotate_pat_always_sends_an_expiry_rounded_up_and_alive_for_an_hour() {
    let mock =
        MockTransport::new().on(Route::post("/personal_access_tokens/41/rotate"), MockResponse::json(200, ROTATED));
    // No expiry asked: now + 90 days (2026-05-30T12:00Z), rounded up.
    let rotated = client(&mock).rotate_pat(&PatId::new("41"), None).await.unwrap();
    assert_eq!(sent_expiry(&mock), "2026-05-31");
    assert_eq!((rotated.previous.as_str(), rotated.created.metadata.id.as_str()), ("41", "42"));
    // An instant is rounded up to the next midnight.
    client(&mock).rotate_pat(&PatId::new("41"), Some(now() + TimeDelta::days(10))).await.unwrap();
    assert_eq!(sent_expiry(&mock), "2026-03-12");
    // At 23:30 UTC, asking for ten minutes from now: the next midnight is only 30 minutes
    // away, so the day after is sent; the token never dies within the hour.
    let late: DateTime<Utc> = "2026-03-01T23:30:00Z".parse().unwrap();
    client_at(&mock, late).rotate_pat(&PatId::new("41"), Some(late + TimeDelta::minutes(10))).await.unwrap();
    assert_eq!(sent_expiry(&mock), "2026-03-03");
    // An instant in the past still gives a living token.
    client_at(&mock, late).rotate_pat(&PatId::new("41"), Some(late - TimeDelta::days(3))).await.unwrap();
    assert_eq!(sent_expiry(&mock), "2026-03-03");
}

#[tokio::test]
async fn create_pat_is_unsupported_unless_configured_and_then_rounds_up() {
    let created = ROTATED.replace(r#""id":42"#, r#""id":5"#);
    let mock =
        MockTransport::new().on(Route::post("/users/42/personal_access_tokens"), MockResponse::json(201, created));
    let spec = |name: &str| {
        let mut spec = PatSpec::new(name, Scopes::parse("api read_repository").unwrap());
        spec.valid_to = Some(now() + TimeDelta::hours(11) + TimeDelta::minutes(30));
        spec.extras.insert("description", "ci");
        spec
    };
    assert!(matches!(client(&mock).create_pat(spec("n")).await, Err(Error::Unsupported { .. })));
    assert_eq!(mock.request_count(), 0);
    // 23:30 the same day: the next midnight is 30 minutes after it, still more than an hour from now.
    let admin = GitLabClient::builder(GitLabCredential::private_token("x".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .create_for_user("42")
        .build()
        .unwrap();
    let new = admin.create_pat(spec("ci")).await.unwrap();
    assert_eq!(new.metadata.id.as_str(), "5");
    let body: serde_json::Value = serde_json::from_slice(mock.last_request().unwrap().body()).unwrap();
    assert_eq!(body["expires_at"], "2026-03-02");
    assert_eq!(body["description"], "ci");
    assert_eq!(body["scopes"], serde_json::json!(["api", "read_repository"]));
}

#[tokio::test]
async fn own_listings_narrow_to_the_caller_and_page_on() {
    let mock = MockTransport::new()
        .on(Route::get("/api/v4/user").exact(), MockResponse::json(200, r#"{"id":3,"username":"alice"}"#))
        .on(
            Route::get("/personal_access_tokens").query(|q| !q.contains("page=2")),
            MockResponse::json(200, format!("[{PAT}]")).header("x-next-page", "2"),
        )
        .on(
            Route::get("/personal_access_tokens").query(|q| q.contains("page=2")),
            MockResponse::json(200, format!("[{}]", PAT.replace(r#""id":4"#, r#""id":5"#))).header("x-next-page", ""),
        );
    let client = client(&mock);
    let all: Vec<_> =
        client.list_all(ListQuery { page_size: Some(100), ..ListQuery::default() }).try_collect().await.unwrap();
    assert_eq!(all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["4", "5"]);
    let lists = mock.requests_to(&Route::get("/personal_access_tokens"));
    assert_eq!(lists[0].uri().query(), Some("state=active&sort=name_asc&user_id=3&per_page=100"));
    assert_eq!(lists[1].uri().query(), Some("state=active&sort=name_asc&user_id=3&per_page=100&page=2"));
    mock.assert_requested(&Route::get("/api/v4/user").exact(), 1);
    for (filter, query) in [
        (patkit::StatusFilter::Revoked, "revoked=true&sort=expires_desc&user_id=3"),
        (patkit::StatusFilter::Expired, "state=inactive&revoked=false&sort=expires_desc&user_id=3"),
        (patkit::StatusFilter::All, "sort=expires_desc&user_id=3"),
    ] {
        let q = ListQuery { filter, sort: patkit::SortBy::DisplayDate, ascending: false, page_size: None };
        client.list_pats(&q, None).await.unwrap();
        let sent = mock.requests_to(&Route::get("/personal_access_tokens")).pop().unwrap();
        assert_eq!(sent.uri().query(), Some(query), "{filter:?}");
    }
    let too_big = ListQuery { page_size: Some(500), ..ListQuery::default() };
    assert!(matches!(client.list_pats(&too_big, None).await, Err(Error::InvalidInput { field: "per_page", .. })));
}

#[tokio::test(start_paused = true)]
async fn check_pat_asks_self_with_the_secret_and_without_sudo() {
    let mock = MockTransport::new()
        .on(Route::get("/personal_access_tokens/self").query(|_| true), MockResponse::json(200, PAT));
    let client = GitLabClient::builder(GitLabCredential::private_token("glpat-admin".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .sudo("alice")
        .build()
        .unwrap();
    assert!(client.check_pat(&PatSecret::new("glpat-checked".into())).await.unwrap());
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.headers()["private-token"], "glpat-checked");
    assert!(sent.headers().get("sudo").is_none());
    let refused = MockTransport::new().default_response(MockResponse::json(401, r#"{"message":"401 Unauthorized"}"#));
    assert!(!crate::client::client(&refused).check_pat(&PatSecret::new("glpat-x".into())).await.unwrap());
    let broken = MockTransport::new().default_response(MockResponse::status(500));
    assert!(crate::client::client(&broken).check_pat(&PatSecret::new("glpat-x".into())).await.is_err());
}

#[tokio::test]
async fn admin_lists_a_user_and_revokes_one_by_one() {
    let revoked = PAT.replace(r#""id":4"#, r#""id":6"#).replace(r#""active":true"#, r#""active":false"#);
    let mock = MockTransport::new()
        .on(
            Route::get("/personal_access_tokens").query(|q| q.contains("user_id=5")),
            MockResponse::json(200, format!("[{PAT},{revoked}]")),
        )
        .on(
            Route::get("/personal_access_tokens").query(|q| q.contains("user_id=404")),
            MockResponse::json(404, r#"{"message":"404 User Not Found"}"#),
        )
        .on(Route::delete("/personal_access_tokens/4"), MockResponse::status(204))
        .on(Route::delete("/personal_access_tokens/6"), MockResponse::json(404, r#"{"message":"404 Not found"}"#))
        .on(Route::delete("/personal_access_tokens/7"), MockResponse::status(204));
    let admin = client(&mock);
    let page = admin.list_user_pats(&UserId::from("5"), None).await.unwrap();
    assert_eq!(page.items.iter().map(|t| t.active).collect::<Vec<_>>(), [Some(true), Some(false)]);
    assert_eq!(mock.requests()[0].uri().query(), Some("user_id=5&per_page=100"));
    assert!(admin.list_user_pats(&UserId::from("404"), None).await.unwrap().items.is_empty());
    admin.revoke_many(&[PatId::new("4"), PatId::new("6"), PatId::new("7")]).await.unwrap();
    for id in ["4", "6", "7"] {
        mock.assert_requested(&Route::delete(format!("/personal_access_tokens/{id}")), 1);
    }
}

#[tokio::test]
async fn a_rotation_keeps_the_description() {
    let mock = MockTransport::new().on(Route::get("/personal_access_tokens/4"), MockResponse::json(200, PAT));
    let client = client(&mock);
    let old = client.get_pat(&PatId::new("4")).await.unwrap();
    let replacement = client.replacement_spec(&old).unwrap();
    assert_eq!(replacement.spec.display_name, "Test Token");
    assert_eq!(replacement.spec.extras.get("description"), Some("Test Token description"));
    assert_eq!(replacement.spec.scopes.to_string(), "api");
    assert!(replacement.note.is_none() && client.retirement(&old).is_none());
}

/// The properties of `provider_conformance` that need no server state hold over a scripted
/// transport (the whole suite runs against the GitLab emulator).
#[tokio::test]
async fn the_stateless_conformance_properties_hold() {
    use patkit::testing::provider_conformance as conformance;
    let mock = MockTransport::new()
        .on(Route::get("/personal_access_tokens/self"), MockResponse::json(401, r#"{"message":"401 Unauthorized"}"#));
    let client = client(&mock);
    conformance::capabilities_are_coherent(&client).await;
    conformance::unsupported_operations_say_so(
        &client,
        &conformance::Setup::new(patkit::Scopes::parse("read_api").unwrap()),
    )
    .await;
    conformance::get_of_an_unknown_id_is_not_found(&client).await;
    conformance::check_refuses_an_unknown_secret(&client).await;
    assert_eq!(mock.request_count(), 1, "only the check reached the transport");
    mock.assert_no_unexpected();
}
