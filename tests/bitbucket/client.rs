//! The client over a scripted transport: the glue around the pure builders and parsers (the 401
//! probe, paging, the neutral seam's refusals before sending).
#![cfg(all(feature = "testing", feature = "bitbucket"))]

use chrono::{DateTime, TimeDelta, Utc};
use patkit::auth::PasswordCredential;
use patkit::bitbucket::{BitbucketClient, NewToken, operations as op};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::RetryConfig;
use patkit::{Error, ManualClock, PatChanges, PatId, PatProvider, PatSpec, Scopes};

pub(crate) fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn client(mock: &MockTransport) -> BitbucketClient {
    BitbucketClient::builder("https://bitbucket.example/bb", PasswordCredential::new("alice", "pw-alice".to_owned()))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

const REFUSED: &str = r#"{"errors":[{"context":null,"message":"Authentication failed. Please check your credentials and try again.","exceptionName":"com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"}]}"#;

/// A 401 on another user's tokens is Forbidden when the password works (the probe reads the
/// caller's own user), and AuthRequired when the probe is refused too.
#[tokio::test]
async fn a_401_is_told_apart_by_one_probe_of_the_password() {
    let mock = MockTransport::new()
        .on(Route::get("/rest/access-tokens/1.0/users/bob"), MockResponse::json(401, REFUSED))
        .on(Route::get("/rest/api/latest/users/alice"), MockResponse::json(200, r#"{"slug":"alice"}"#));
    let err = client(&mock).for_user("bob").unwrap().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(mock.requests_to(&Route::get("/rest/api/latest/users/alice")).len(), 1);

    let mock = MockTransport::new()
        .on(Route::get("/rest/access-tokens/1.0/users/bob"), MockResponse::json(401, REFUSED))
        .on(Route::get("/rest/api/latest/users/alice"), MockResponse::json(401, REFUSED));
    let err = client(&mock).for_user("bob").unwrap().list().send().await.unwrap_err();
    assert!(matches!(err, Error::AuthRequired { .. }), "{err:?}");
}

/// A create whose answer is a 5xx is sent once (never retried), and nothing leaves for bad input.
#[tokio::test]
async fn a_create_is_sent_once_and_bad_input_never_leaves() {
    let mock =
        MockTransport::new().on(Route::put("/rest/access-tokens/1.0/users/alice"), MockResponse::json(503, "{}"));
    let client =
        BitbucketClient::builder("https://bitbucket.example", PasswordCredential::new("alice", "pw".to_owned()))
            .transport(mock.clone())
            .clock(ManualClock::new(now()))
            .build()
            .unwrap();
    let new = NewToken::new("ci", Scopes::parse("REPO_READ").unwrap());
    assert!(client.create(&new).await.is_err());
    mock.assert_request_count(1);
    let global = NewToken::new("ci", Scopes::parse("SYS_ADMIN").unwrap());
    assert!(matches!(client.create(&global).await, Err(Error::InvalidInput { field: "permissions", .. })));
    let past = PatSpec {
        valid_to: Some(now() - TimeDelta::days(1)),
        ..PatSpec::new("ci", Scopes::parse("REPO_READ").unwrap())
    };
    assert!(matches!(client.create_pat(past).await, Err(Error::InvalidInput { field: "valid_to", .. })));
    let expiry = PatChanges { valid_to: Some(now() + TimeDelta::days(3)), ..PatChanges::default() };
    assert!(matches!(client.update_pat(&PatId::new("1"), expiry).await, Err(Error::Unsupported { .. })));
    assert!(matches!(client.get_pat(&PatId::new("not-a-number")).await, Err(Error::NotFound { .. })));
    mock.assert_request_count(1);
    assert_eq!(patkit::transport::Operation::of(&mock.requests()[0]), Some(op::TOKEN_CREATE));
}

/// `valid_to` goes out as `expiryDays`, rounded up from the client's "now".
#[tokio::test]
async fn the_expiry_goes_out_as_whole_days_rounded_up() {
    let answer = r#"{"id":"000000000042","createdDate":1772366400000,"expiryDays":11,"name":"ci","permissions":["REPO_READ"],"token":"BBDC-x"}"#;
    let mock =
        MockTransport::new().on(Route::put("/rest/access-tokens/1.0/users/alice"), MockResponse::json(200, answer));
    let mut spec = PatSpec::new("ci", Scopes::parse("REPO_READ").unwrap());
    spec.valid_to = Some(now() + TimeDelta::days(10) + TimeDelta::seconds(1));
    let created = client(&mock).create_pat(spec).await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(mock.requests()[0].body()).unwrap();
    assert_eq!(sent["expiryDays"], 11);
    assert_eq!(mock.requests()[0].uri(), "https://bitbucket.example/bb/rest/access-tokens/1.0/users/alice");
    assert_eq!(created.metadata.id.as_str(), "000000000042", "leading zeros kept");
}

/// The sheet's create request and answer (BB-CHE) through the public API: `PUT` with
/// `{name, permissions, expiryDays}`, the password as Basic, and the answer's secret, epoch-ms
/// date and 90-day expiry.
#[tokio::test]
async fn the_sheets_create_request_and_answer() {
    let answer = r#"{
  "id": "158910532909", "createdDate": 1609249808751, "expiryDays": 90, "name": "che5",
  "permissions": ["PROJECT_WRITE", "REPO_WRITE"],
  "user": { "name": "ksmster", "emailAddress": "ksmster@gmail.com", "id": 2, "displayName": "ksmster",
            "active": true, "slug": "ksmster", "type": "NORMAL", "links": { "self": [ { "href": "https://x/users/ksmster" } ] } },
  "token": "token"
}"#;
    let mock =
        MockTransport::new().on(Route::put("/rest/access-tokens/1.0/users/ksmster"), MockResponse::json(200, answer));
    let client =
        BitbucketClient::builder("https://bitbucket.example", PasswordCredential::new("ksmster", "pw".to_owned()))
            .transport(mock.clone())
            .clock(ManualClock::new(now()))
            .build()
            .unwrap();
    let new = NewToken::new("che5", Scopes::parse("PROJECT_WRITE REPO_WRITE").unwrap()).expiry_days(90);
    let created = client.create(&new).await.unwrap();
    let request = &mock.requests()[0];
    assert_eq!(request.method(), http::Method::PUT);
    assert_eq!(request.uri(), "https://bitbucket.example/rest/access-tokens/1.0/users/ksmster");
    assert_eq!(request.body(), br#"{"name":"che5","permissions":["PROJECT_WRITE","REPO_WRITE"],"expiryDays":90}"#);
    assert_eq!(request.headers()["authorization"], "Basic a3Ntc3Rlcjpwdw=="); // ksmster:pw
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(created.metadata.id.as_str(), "158910532909");
    assert_eq!(created.secret.expose_secret(), "token");
    assert_eq!(created.metadata.valid_from.timestamp_millis(), 1_609_249_808_751);
    assert_eq!(created.metadata.valid_to, Some(created.metadata.valid_from + TimeDelta::days(90)));
}

/// The sheet's list answer (BB-KB) through the public API: the id keeps its leading zero, no
/// expiry means none, `isLastPage` ends the listing whatever `size` and `limit` say.
#[tokio::test]
async fn the_sheets_list_answer() {
    let answer = r#"{
  "size": 2, "limit": 25, "isLastPage": true,
  "values": [ { "id": "075905477751", "createdDate": 1610525968583, "name": "access token name",
                "permissions": ["REPO_ADMIN", "PROJECT_READ"],
                "user": { "name": "john.doe", "emailAddress": "test@email.com", "id": 52, "displayName": "John Doe",
                          "active": true, "slug": "john.doe", "type": "NORMAL",
                          "links": { "self": [ { "href": "http://localhost:7994/users/john.doe" } ] } } } ],
  "start": 0
}"#;
    let mock =
        MockTransport::new().on(Route::get("/rest/access-tokens/1.0/users/john.doe"), MockResponse::json(200, answer));
    let client =
        BitbucketClient::builder("https://bitbucket.example", PasswordCredential::new("john.doe", "pw".to_owned()))
            .transport(mock.clone())
            .build()
            .unwrap();
    let all: Vec<_> = futures_util::TryStreamExt::try_collect(patkit::PatProviderExt::list_all(
        &client,
        patkit::ListQuery::default(),
    ))
    .await
    .unwrap();
    assert_eq!(mock.request_count(), 1, "isLastPage ends the listing");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id.as_str(), "075905477751");
    assert_eq!(
        (all[0].display_name.as_str(), all[0].scopes.to_string()),
        ("access token name", "PROJECT_READ REPO_ADMIN".into())
    );
    assert_eq!(all[0].valid_to, None, "no expiryDays: never expires");
}

/// A prompted password (a terminal, a GUI) is asked once for the client's life, however many
/// calls it makes, and goes out only as the Basic header.
#[tokio::test]
async fn a_prompted_password_is_asked_once_for_many_calls() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&asked);
    let prompt = patkit::auth::prompt_fn(move |_, user| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(format!("pw-of-{user}"))
    });
    let page = r#"{"size":0,"limit":25,"start":0,"isLastPage":true,"values":[]}"#;
    let mock =
        MockTransport::new().on(Route::get("/rest/access-tokens/1.0/users/alice"), MockResponse::json(200, page));
    let client = BitbucketClient::builder("https://bitbucket.example", PasswordCredential::prompt("alice", prompt))
        .transport(mock.clone())
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(client.list().send().await.unwrap().is_last());
    }
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert!(mock.requests().iter().all(|r| r.headers()["authorization"] == "Basic YWxpY2U6cHctb2YtYWxpY2U=")); // alice:pw-of-alice
}
