//! Canaries: the App's private key, its JWT and the installation token never come out of
//! `Debug`, `Display`, an error or a TRACE-level log line, even when GitHub (or a proxy) echoes
//! them back.
#![cfg(all(feature = "testing", feature = "github"))]

use chrono::TimeDelta;
use patkit::github::{GitHubClient, GrantQuery, Review};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::RetryConfig;
use patkit::{ManualClock, PatId, PatSecret};

use crate::client_app_auth::{EXCHANGE, KEY_PEM, app_credential, issued, now};
use crate::trace_capture::TraceCapture;

const TOKEN: &str = "ghs_CANARYinstallation000000000000000000";

#[tokio::test]
async fn the_key_the_jwt_and_the_installation_token_go_nowhere() {
    let (capture, _guard) = TraceCapture::start();
    let echo = format!(r#"{{"message":"token {TOKEN} is not allowed here"}}"#);
    let mock = MockTransport::new()
        .on(Route::post(EXCHANGE), issued(TOKEN, now() + TimeDelta::hours(1)))
        .on_seq(
            Route::get("/orgs/acme/personal-access-tokens"),
            [
                MockResponse::json(403, echo.clone()),
                MockResponse::json(
                    422,
                    format!(r#"{{"message":"Validation Failed","errors":[{{"field":"{TOKEN}","code":"{TOKEN}"}}]}}"#),
                ),
                // A listing echoing the token where a number belongs: the decode error would quote it.
                MockResponse::json(200, format!(r#"[{{"id":"{TOKEN}"}}]"#)),
            ],
        )
        .on(Route::post("/orgs/acme/personal-access-token-requests/42"), MockResponse::json(500, echo.clone()))
        .on(Route::get("/user").exact(), MockResponse::json(400, echo));
    let client = GitHubClient::builder("acme", app_credential())
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let mut shown = Vec::new();
    for _ in 0..3 {
        let err = client.grants(&GrantQuery::new(), None).await.unwrap_err();
        shown.push(format!("{err} {err:?} {:?}", std::error::Error::source(&err).map(ToString::to_string)));
    }
    let err = client.review_request(&PatId::new("42"), &Review::approve()).await.unwrap_err();
    shown.push(format!("{err} {err:?}"));
    let installation = client.installation_token().await.unwrap().unwrap();
    shown.push(format!("{client:?} {:?} {installation:?}", client.credential()));
    let check = client.check_token(&PatSecret::new(TOKEN.to_owned())).await;
    shown.push(format!("{check:?}"));

    let jwt = mock.requests_to(&Route::post(EXCHANGE))[0].headers()["authorization"].to_str().unwrap().to_owned();
    let jwt = jwt.strip_prefix("Bearer ").unwrap().to_owned();
    let key_body: String = KEY_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    let logs = capture.contents();
    assert!(logs.contains("patkit.request"), "the capture saw the client's requests: {logs}");
    for text in shown.iter().chain([&logs]) {
        assert!(!text.contains("CANARY"), "the installation token leaked: {text}");
        assert!(!text.contains(&jwt) && !text.contains(jwt.split('.').nth(2).unwrap()), "the JWT leaked: {text}");
        for line in KEY_PEM.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "the private key leaked: {text}");
        }
        assert!(!text.contains(&key_body[..64]));
    }
}
