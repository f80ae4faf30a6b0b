//! The canaries — the password, a created token's secret, a checked token — never come out of
//! `Debug`, `Display`, an error or a TRACE-level log line, whatever the service answers.
#![cfg(all(feature = "testing", feature = "bitbucket"))]

use patkit::auth::PasswordCredential;
use patkit::bitbucket::{BitbucketClient, NewToken};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::RetryConfig;
use patkit::{ManualClock, PatId, PatProvider, PatSecret, Scopes};

use crate::client::now;
use crate::trace_capture::TraceCapture;

const PASSWORD: &str = "pw-CANARY-password-0001";
const NEW_SECRET: &str = "BBDC-CANARYcreated000000000000000000000002";
const CHECKED: &str = "BBDC-CANARYchecked000000000000000000000003";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains("CANARY"), "{what} leaked a canary: {text}");
}

#[tokio::test]
async fn the_canaries_go_nowhere() {
    let (capture, _guard) = TraceCapture::start();
    let created = format!(
        r#"{{"id":"000000000001","createdDate":1772366400000,"name":"ci","permissions":["REPO_READ"],"token":"{NEW_SECRET}"}}"#
    );
    // A malformed answer that still holds the secret, in the field that fails to decode.
    let broken = created.replace(r#""createdDate":1772366400000"#, &format!(r#""createdDate":"{NEW_SECRET}""#));
    let echoed = format!(r#"{{"errors":[{{"message":"bad","exceptionName":"E","context":"{NEW_SECRET}"}}]}}"#);
    let mock = MockTransport::new()
        .on_seq(
            Route::put("/rest/access-tokens/1.0/users/alice"),
            [
                MockResponse::json(200, created),
                MockResponse::json(200, broken),
                MockResponse::json(400, echoed),
                MockResponse::json(502, format!("proxy saw {NEW_SECRET} and {PASSWORD}")),
                MockResponse::json(401, r#"{"errors":[{"message":"Authentication failed."}]}"#),
            ],
        )
        .on(Route::get("/rest/api/latest/users/alice"), MockResponse::json(401, "{}"))
        .on(Route::get("/rest/access-tokens/1.0/users/alice/000000000001"), MockResponse::json(500, "oops"));
    let credential = PasswordCredential::new("alice", PASSWORD.to_owned());
    let client = BitbucketClient::builder("https://bitbucket.example", credential.clone())
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    assert_clean("client Debug", &format!("{client:?} {client:#?} {credential:?}"));
    let new = NewToken::new("ci", Scopes::parse("REPO_READ").unwrap());
    let ok = client.create(&new).await.unwrap();
    assert_eq!(ok.secret.expose_secret(), NEW_SECRET);
    assert_clean("created Debug", &format!("{ok:?}"));
    for _ in 0..4 {
        let err = client.create(&new).await.unwrap_err();
        let source = std::error::Error::source(&err).map(|s| s.to_string()).unwrap_or_default();
        assert_clean("create error", &format!("{err} {err:?} {source}"));
    }
    let err = client.get(&PatId::new("000000000001")).await.unwrap_err();
    assert!(err.to_string().contains("oops"), "a read's plain text is quoted: {err}");
    assert!(!client.check_pat(&PatSecret::new(CHECKED.into())).await.unwrap());
    for request in mock.requests() {
        assert_clean("request Debug", &format!("{request:?}"));
    }
    let trace = capture.contents();
    assert!(trace.contains("bitbucket_token"), "the capture saw the client's requests: {trace}");
    assert_clean("trace", &trace);
}
