//! `GitLabClient` over a scripted transport: what is sent, what is never re-sent, and how
//! GitLab's answers become neutral errors.
#![cfg(feature = "testing")]

use chrono::{DateTime, NaiveDate, Utc};
use patkit::gitlab::{ExpiryDate, GitLabClient, GitLabCredential, Resource};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::TransportErrorKind;
use patkit::{Error, ManualClock, PatId};

pub(crate) const PAT: &str = r#"{"id":4,"name":"Test Token","revoked":false,"created_at":"2020-07-23T14:31:47.729Z",
  "description":"Test Token description","scopes":["api"],"user_id":3,"last_used_at":"2021-10-06T17:58:37.550Z",
  "active":true,"expires_at":null}"#;

pub(crate) const ROTATED: &str = r#"{"id":42,"name":"Rotated Token","revoked":false,"created_at":"2023-08-01T15:00:00.000Z",
  "description":"Test Token description","scopes":["api"],"user_id":1337,"last_used_at":null,"active":true,
  "expires_at":"2026-03-15","token":"s3cr3t"}"#;

pub(crate) fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

/// A client over `mock` with retries ON (the default), so the tests show what is never re-sent.
pub(crate) fn client(mock: &MockTransport) -> GitLabClient {
    GitLabClient::builder(GitLabCredential::private_token("glpat-management".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .build()
        .unwrap()
}

fn date(y: i32, m: u32, d: u32) -> ExpiryDate {
    ExpiryDate::new(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[tokio::test(start_paused = true)]
async fn a_rotate_is_never_re_sent_after_a_timeout_or_a_5xx() {
    let mock = MockTransport::new()
        .fail_next(Route::post("/personal_access_tokens/41/rotate"), TransportErrorKind::Timeout)
        .on(Route::post("/personal_access_tokens/41/rotate"), MockResponse::json(502, r#"{"message":"502"}"#));
    let client = client(&mock);
    let err = client.rotate(&PatId::new("41"), date(2026, 3, 15)).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    mock.assert_requested(&Route::post("/personal_access_tokens/41/rotate"), 1);
    let err = client.rotate(&PatId::new("41"), date(2026, 3, 15)).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 502, .. }), "{err:?}");
    mock.assert_requested(&Route::post("/personal_access_tokens/41/rotate"), 2);
    assert_eq!(mock.request_count(), 2, "no probe, no second rotate");
}

#[tokio::test(start_paused = true)]
async fn a_self_rotate_and_a_create_are_never_re_sent() {
    let mock = MockTransport::new()
        .on(Route::post("/personal_access_tokens/self/rotate"), MockResponse::status(503))
        .on(Route::post("/users/7/personal_access_tokens"), MockResponse::status(503));
    let client = client(&mock);
    assert!(client.rotate_self(date(2026, 3, 15)).await.is_err());
    let new = patkit::gitlab::NewPat::new("n", patkit::Scopes::parse("api").unwrap());
    assert!(client.create_for_user(&patkit::UserId::from("7"), &new).await.is_err());
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn reads_are_retried() {
    let mock = MockTransport::new()
        .on_seq(Route::get("/personal_access_tokens/4"), [MockResponse::status(503), MockResponse::json(200, PAT)]);
    assert_eq!(client(&mock).get(&PatId::new("4")).await.unwrap().metadata.display_name, "Test Token");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn a_401_for_an_id_is_not_found_when_the_credential_works() {
    let unauthorized = MockResponse::json(401, r#"{"message":"401 Unauthorized"}"#);
    let mock = MockTransport::new()
        .on(Route::get("/personal_access_tokens/99"), unauthorized.clone())
        .on(Route::post("/personal_access_tokens/99/rotate"), unauthorized.clone())
        .on(Route::delete("/personal_access_tokens/99"), unauthorized)
        .on(Route::get("/personal_access_tokens/self"), MockResponse::json(200, PAT));
    let client = client(&mock);
    let id = PatId::new("99");
    assert!(matches!(client.get(&id).await, Err(Error::NotFound { id: Some(ref got) }) if *got == id));
    assert!(matches!(client.rotate(&id, date(2026, 3, 15)).await, Err(Error::NotFound { .. })));
    assert!(matches!(client.revoke(&id).await, Err(Error::NotFound { .. })));
    mock.assert_requested(&Route::post("/personal_access_tokens/99/rotate"), 1);
    mock.assert_requested(&Route::get("/api/v4/personal_access_tokens/self").exact(), 3);
}

#[tokio::test]
async fn a_401_for_an_id_stays_auth_required_when_the_credential_is_refused_too() {
    let revoked =
        r#"{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}"#;
    let mock = MockTransport::new().default_response(MockResponse::json(401, revoked));
    let client = client(&mock);
    match client.get(&PatId::new("99")).await {
        Err(Error::AuthRequired { message: Some(m), hint: Some(_), .. }) => assert!(m.starts_with("Token was revoked")),
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.request_count(), 2, "the call and one probe");
}

#[tokio::test]
async fn an_oauth_credential_is_probed_with_get_user() {
    let mock = MockTransport::new()
        .on(Route::get("/personal_access_tokens/99"), MockResponse::json(401, r#"{"message":"401 Unauthorized"}"#))
        .on(Route::get("/api/v4/user").exact(), MockResponse::json(200, r#"{"id":3,"username":"alice"}"#));
    let client = GitLabClient::builder(GitLabCredential::oauth("oauth-token".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .build()
        .unwrap();
    assert!(matches!(client.get(&PatId::new("99")).await, Err(Error::NotFound { .. })));
    // The `self` endpoints take only an access token: refused before sending.
    let before = mock.request_count();
    for result in [
        client.get_self().await.map(|_| ()),
        client.revoke_self().await,
        client.associations(None, None).await.map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(Error::Credential { kind: patkit::CredentialErrorKind::NotAccepted, .. })),
            "{result:?}"
        );
    }
    assert_eq!(mock.request_count(), before);
    let first = &mock.requests()[0];
    assert_eq!(first.headers()["authorization"], "Bearer oauth-token");
    assert!(first.headers().get("private-token").is_none());
}

#[tokio::test]
async fn bad_input_sends_nothing() {
    let mock = MockTransport::new();
    let client = client(&mock);
    assert!(matches!(client.list().per_page(101).send().await, Err(Error::InvalidInput { field: "per_page", .. })));
    // 2026-03-01 is today at the client's clock: the token would be dead on arrival.
    assert!(matches!(
        client.rotate(&PatId::new("41"), date(2026, 3, 1)).await,
        Err(Error::InvalidInput { field: "expires_at", .. })
    ));
    assert!(matches!(client.rotate_self(date(2026, 3, 1)).await, Err(Error::InvalidInput { .. })));
    assert!(matches!(client.get(&PatId::new("not-a-number")).await, Err(Error::NotFound { .. })));
    let api = patkit::Scopes::parse("api").unwrap();
    assert!(matches!(
        client.create_own(&patkit::gitlab::NewPat::new("n", api)).await,
        Err(Error::InvalidInput { field: "scopes", .. })
    ));
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn a_plain_text_429_is_rate_limited() {
    let limited =
        MockResponse::status(429).header("retry-after", "17").header("ratelimit-remaining", "0").body("Retry later");
    let mock = MockTransport::new().on(Route::post("/personal_access_tokens/41/rotate"), limited);
    match client(&mock).rotate(&PatId::new("41"), date(2026, 3, 15)).await {
        Err(Error::RateLimited { retry_after, message }) => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(17)));
            assert_eq!(message.as_deref(), Some("Retry later"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.request_count(), 1, "a rotate is not retried even on 429");
}

#[tokio::test]
async fn pages_follow_link_when_the_totals_are_gone() {
    let link = r#"<https://gitlab.example/api/v4/personal_access_tokens?page=2&per_page=1>; rel="next", <https://gitlab.example/api/v4/personal_access_tokens?page=1&per_page=1>; rel="first""#;
    let mock = MockTransport::new()
        .on(
            Route::get("/personal_access_tokens").query(|q| !q.contains("page=2")),
            MockResponse::json(200, format!("[{PAT}]")).header("link", link),
        )
        .on(
            Route::get("/personal_access_tokens").query(|q| q.contains("page=2")),
            MockResponse::json(200, "[]").header("x-next-page", ""),
        );
    let client = client(&mock);
    let first = client.list().per_page(1).send().await.unwrap();
    let next = first.continuation.clone().expect("a next page");
    assert_eq!(next.as_str(), "2");
    assert!(client.list().per_page(1).page(next).send().await.unwrap().is_last());
    assert_eq!(mock.requests()[1].uri().query(), Some("per_page=1&page=2"));
}

#[tokio::test]
async fn revoking_an_already_revoked_token_is_ok() {
    let revoked_pat =
        PAT.replace(r#""revoked":false"#, r#""revoked":true"#).replace(r#""active":true"#, r#""active":false"#);
    let mock = MockTransport::new()
        .on(Route::delete("/personal_access_tokens/4"), MockResponse::json(400, r#"{"message":"400 Bad request"}"#))
        .on(Route::get("/personal_access_tokens/4"), MockResponse::json(200, revoked_pat));
    client(&mock).revoke(&PatId::new("4")).await.unwrap();
    let active = MockTransport::new()
        .on(Route::delete("/personal_access_tokens/4"), MockResponse::json(400, r#"{"message":"400 Bad request"}"#))
        .on(Route::get("/personal_access_tokens/4"), MockResponse::json(200, PAT));
    assert!(matches!(client(&active).revoke(&PatId::new("4")).await, Err(Error::Api { status: 400, .. })));
}

#[tokio::test]
async fn sudo_and_resource_tokens() {
    let mock = MockTransport::new()
        .on(Route::post("/projects/group%2Fapp/access_tokens/9/rotate"), MockResponse::json(200, ROTATED));
    let client = GitLabClient::builder(GitLabCredential::private_token("glpat-admin".to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .sudo("alice")
        .build()
        .unwrap();
    let rotated = client
        .resource_tokens(Resource::Project("group/app".into()))
        .rotate(&PatId::new("9"), date(2026, 3, 15))
        .await
        .unwrap();
    assert_eq!((rotated.previous.as_str(), rotated.created.metadata.id.as_str()), ("9", "42"));
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.headers()["sudo"], "alice");
    assert_eq!(sent.body(), br#"{"expires_at":"2026-03-15"}"#);
    assert!(GitLabClient::builder(GitLabCredential::private_token("x".to_owned())).sudo("a b").build().is_err());
}
