//! Canary secrets (the management token, a checked token, a rotated token's new secret) never
//! come out of `Debug`, `Display`, an error or a TRACE-level log line.
#![cfg(feature = "testing")]

use patkit::gitlab::{ExpiryDate, GitLabClient, GitLabCredential};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{ManualClock, PatId, PatProvider, PatSecret};

use crate::client::{ROTATED, now};
use crate::trace_capture::TraceCapture;

const MANAGEMENT: &str = "glpat-CANARYmanagement0001";
const NEW_SECRET: &str = "glpat-CANARYrotated00000002";
const CHECKED: &str = "glpat-CANARYchecked00000003";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains("CANARY"), "{what} leaked a canary: {text}");
}

#[tokio::test]
async fn the_canaries_go_nowhere() {
    let (capture, _guard) = TraceCapture::start();
    let rotated = ROTATED.replace("s3cr3t", NEW_SECRET);
    // A malformed answer that still holds the secret, in the field that fails to decode.
    let broken = rotated.replace(r#""revoked":false"#, &format!(r#""revoked":"{NEW_SECRET}""#));
    let mock = MockTransport::new()
        .on_seq(
            Route::post("/personal_access_tokens/41/rotate"),
            [
                MockResponse::json(200, rotated),
                MockResponse::json(200, broken),
                MockResponse::json(500, format!(r#"{{"message":"boom","token":"{NEW_SECRET}"}}"#)),
            ],
        )
        .on(Route::get("/personal_access_tokens/self"), MockResponse::json(401, r#"{"message":"401 Unauthorized"}"#));
    let client = GitLabClient::builder(GitLabCredential::private_token(MANAGEMENT.to_owned()))
        .base_url("https://gitlab.example/api/v4")
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .build()
        .unwrap();
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));
    let date = ExpiryDate::covering(now() + chrono::TimeDelta::days(30), now());
    let ok = client.rotate(&PatId::new("41"), date).await.unwrap();
    assert_eq!(ok.created.secret.expose_secret(), NEW_SECRET);
    assert_clean("rotated Debug", &format!("{ok:?}"));
    for _ in 0..2 {
        let err = client.rotate(&PatId::new("41"), date).await.unwrap_err();
        let source = std::error::Error::source(&err).map(|s| s.to_string()).unwrap_or_default();
        assert_clean("rotate error", &format!("{err} {err:?} {source}"));
    }
    assert!(!client.check_pat(&PatSecret::new(CHECKED.into())).await.unwrap());
    for request in mock.requests() {
        assert_clean("request Debug", &format!("{request:?}"));
    }
    let trace = capture.contents();
    assert!(trace.contains("gitlab_pat"), "the capture saw the client's requests: {trace}");
    assert_clean("trace", &trace);
}
