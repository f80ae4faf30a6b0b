//! GitHub App authentication over a scripted transport: the JWT GitHub would verify, the
//! installation token it is exchanged for, cached until shortly before it expires, refreshed
//! once for concurrent callers, and forgotten when GitHub refuses it.
#![cfg(all(feature = "testing", feature = "github"))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use patkit::github::{AppKey, GitHubApp, GitHubClient, GitHubCredential, GrantQuery};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::{HttpRequest, RetryConfig, TransportError, from_fn};
use patkit::{Error, ManualClock};

pub(crate) const KEY_PEM: &str = include_str!("../fixtures/github/app-key.pem");
const PUBLIC_PEM: &str = include_str!("../fixtures/github/app-key.pub.pem");
pub(crate) const INSTALLATION_TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
pub(crate) const EXCHANGE: &str = "/app/installations/4242/access_tokens";

pub(crate) fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

/// The exchange's answer: a token good for an hour from `now`.
pub(crate) fn issued(token: &str, expires_at: DateTime<Utc>) -> MockResponse {
    let body = format!(
        r#"{{"token":"{token}","expires_at":"{}","permissions":{{"personal_access_tokens":"write","personal_access_token_requests":"write"}},"repository_selection":"all"}}"#,
        expires_at.to_rfc3339()
    );
    MockResponse::json(201, body)
}

pub(crate) fn app_credential() -> GitHubCredential {
    GitHubCredential::app(GitHubApp::new("123456", AppKey::from_pem(KEY_PEM).unwrap()).unwrap(), 4242)
}

pub(crate) fn app_client(org: &str, mock: &MockTransport, clock: &ManualClock) -> GitHubClient {
    GitHubClient::builder(org, app_credential())
        .transport(mock.clone())
        .clock(clock.clone())
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

/// The SPKI public key of the fixture, as the `RSAPublicKey` ring verifies with.
fn public_key() -> Vec<u8> {
    let b64: String = PUBLIC_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    let spki = STANDARD.decode(b64).unwrap();
    // A 2048-bit key's SubjectPublicKeyInfo: 24 bytes of header, then the RSAPublicKey.
    spki[24..].to_vec()
}

fn bearer(request: &HttpRequest) -> String {
    request.headers()["authorization"].to_str().unwrap().strip_prefix("Bearer ").unwrap().to_owned()
}

#[tokio::test]
async fn the_jwt_verifies_with_the_apps_public_key_and_its_token_is_cached() {
    let clock = ManualClock::new(now());
    let mock = MockTransport::new()
        .on(Route::post(EXCHANGE), issued(INSTALLATION_TOKEN, now() + TimeDelta::hours(1)))
        .on(Route::get("/orgs/acme/personal-access-tokens"), MockResponse::json(200, "[]"));
    let client = app_client("acme", &mock, &clock);
    client.grants(&GrantQuery::new(), None).await.unwrap();
    client.grants(&GrantQuery::new(), None).await.unwrap();
    mock.assert_requested(&Route::post(EXCHANGE), 1);

    let exchange = &mock.requests_to(&Route::post(EXCHANGE))[0];
    assert_eq!(exchange.headers()["accept"], "application/vnd.github+json");
    assert_eq!(exchange.headers()["x-github-api-version"], "2022-11-28");
    let jwt = bearer(exchange);
    let parts: Vec<&str> = jwt.split('.').collect();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["iss"], "123456");
    assert_eq!(claims["iat"], now().timestamp() - 60);
    assert!((1..=600).contains(&(claims["exp"].as_i64().unwrap() - now().timestamp())));
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public_key());
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).expect("GitHub would accept the JWT");

    for listing in mock.requests_to(&Route::get("/orgs/acme/personal-access-tokens")) {
        assert_eq!(bearer(&listing), INSTALLATION_TOKEN, "the installation token, not the JWT");
    }
}

#[tokio::test]
async fn a_token_within_five_minutes_of_expiry_is_replaced() {
    let clock = ManualClock::new(now());
    let expires = now() + TimeDelta::hours(1);
    let mock = MockTransport::new().on_seq(
        Route::post(EXCHANGE),
        [issued("ghs_first", expires), issued("ghs_second", expires + TimeDelta::hours(1))],
    );
    let client = app_client("acme", &mock, &clock);
    let first = client.installation_token().await.unwrap().unwrap();
    assert_eq!(first.token().expose_secret(), "ghs_first");
    assert_eq!(first.expires_at(), expires);
    assert_eq!(first.permissions()["personal_access_tokens"], "write");
    clock.set(expires - TimeDelta::minutes(6));
    assert_eq!(client.installation_token().await.unwrap().unwrap().token().expose_secret(), "ghs_first");
    clock.set(expires - TimeDelta::minutes(4));
    assert_eq!(client.installation_token().await.unwrap().unwrap().token().expose_secret(), "ghs_second");
    mock.assert_requested(&Route::post(EXCHANGE), 2);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_exchange() {
    let exchanges = Arc::new(AtomicUsize::new(0));
    let counter = exchanges.clone();
    // A slow GitHub: every caller arrives while the first exchange is still under way.
    let transport = from_fn(move |_req: HttpRequest| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let body =
                format!(r#"{{"token":"ghs_shared","expires_at":"{}"}}"#, (now() + TimeDelta::hours(1)).to_rfc3339());
            Ok::<_, TransportError>(http::Response::builder().status(201).body(body.into_bytes()).unwrap())
        }
    });
    let client = GitHubClient::builder("acme", app_credential())
        .transport(transport)
        .clock(ManualClock::new(now()))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let calls = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(
            async move { client.installation_token().await.unwrap().unwrap().token().expose_secret().to_owned() },
        )
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap(), "ghs_shared");
    }
    assert_eq!(exchanges.load(Ordering::SeqCst), 1, "one exchange for sixteen concurrent callers");
}

#[tokio::test]
async fn a_refused_installation_token_is_forgotten_and_exchanged_again() {
    let clock = ManualClock::new(now());
    let expires = now() + TimeDelta::hours(1);
    let mock = MockTransport::new()
        .on_seq(Route::post(EXCHANGE), [issued("ghs_revoked", expires), issued("ghs_fresh", expires)])
        .on_seq(
            Route::get("/orgs/acme/personal-access-tokens"),
            [MockResponse::json(401, r#"{"message":"Bad credentials","status":"401"}"#), MockResponse::json(200, "[]")],
        );
    let client = app_client("acme", &mock, &clock);
    assert!(matches!(client.grants(&GrantQuery::new(), None).await, Err(Error::AuthRequired { .. })));
    client.grants(&GrantQuery::new(), None).await.unwrap();
    let listings = mock.requests_to(&Route::get("/orgs/acme/personal-access-tokens"));
    assert_eq!((bearer(&listings[0]).as_str(), bearer(&listings[1]).as_str()), ("ghs_revoked", "ghs_fresh"));
}

#[tokio::test]
async fn a_refused_jwt_is_an_auth_error_and_nothing_is_cached() {
    let mock = MockTransport::new().on(
        Route::post(EXCHANGE),
        MockResponse::json(401, r#"{"message":"A JSON web token could not be decoded","status":"401"}"#),
    );
    let client = app_client("acme", &mock, &ManualClock::new(now()));
    for _ in 0..2 {
        assert!(matches!(client.installation_token().await, Err(Error::AuthRequired { .. })));
    }
    mock.assert_requested(&Route::post(EXCHANGE), 2);
}

#[test]
fn the_key_comes_from_a_file_or_an_environment_variable_with_escaped_newlines() {
    let from_file = AppKey::from_pem_file("tests/fixtures/github/app-key.pem").unwrap();
    let name = "PATKIT_TEST_GITHUB_APP_KEY";
    // SAFETY: no other test of this binary reads or writes this variable.
    unsafe { std::env::set_var(name, KEY_PEM.trim().replace('\n', "\\n")) };
    let from_env = AppKey::from_env(name).unwrap();
    unsafe { std::env::remove_var(name) };
    assert_eq!(format!("{from_file:?}"), format!("{from_env:?}"));
    let missing = AppKey::from_env(name).unwrap_err();
    assert!(missing.to_string().contains(name), "{missing}");
    let err = AppKey::from_pem_file("tests/fixtures/github/nope.pem").unwrap_err();
    assert!(matches!(err, Error::Credential { .. }), "{err:?}");
    assert!(GitHubApp::new("", from_file).is_err());
}
