//! Canary secrets (the password, the one-time code, a created token's secret, a checked token)
//! never come out of `Debug`, `Display`, an error or a TRACE-level log line, even when the
//! server echoes them back.
#![cfg(feature = "testing")]

use patkit::auth::PasswordCredential;
use patkit::gitea::{Flavor, GiteaClient, NewToken};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{ManualClock, PatProvider, PatSecret, Scopes};

use crate::client_operations::{BASE, CREATED, now};
use crate::trace_capture::TraceCapture;

const PASSWORD: &str = "pw-CANARY-password-0001";
const CODE: &str = "CANARY-otp-0002";
const NEW_SECRET: &str = "cafe0000000000000000000000000000canary03";
const CHECKED: &str = "beef0000000000000000000000000000canary04";

fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    assert!(!lower.contains("canary"), "{what} leaked a canary: {text}");
}

#[tokio::test]
async fn the_canaries_go_nowhere() {
    let (capture, _guard) = TraceCapture::start();
    let created = CREATED.replace("9fcb1158165773dd010fca5f0cf7174316c3e37d", NEW_SECRET);
    // A malformed answer that still holds the secret, in the field that fails to decode.
    let broken = created.replace(r#""id":7"#, &format!(r#""id":"{NEW_SECRET}""#));
    let echo = format!(r#"{{"message":"bad login alice:{PASSWORD} with code {CODE}","url":"x"}}"#);
    let mock = MockTransport::new()
        .on_seq(
            Route::post("/users/alice/tokens"),
            [
                MockResponse::json(201, created),
                MockResponse::json(201, broken),
                MockResponse::json(500, format!(r#"{{"message":"boom","sha1":"{NEW_SECRET}"}}"#)),
                MockResponse::json(401, echo.clone()),
            ],
        )
        .on_seq(
            Route::get("/users/alice/tokens"),
            // Twice: first for the searches after the two uncertain creates, then for the lists.
            [1, 2]
                .map(|_| {
                    [
                        MockResponse::json(403, echo.clone()),
                        // A listing echoing the password where a number belongs: the decode error quotes it.
                        MockResponse::json(200, format!(r#"[{{"id":"{PASSWORD}","name":"n"}}]"#)),
                    ]
                })
                .into_iter()
                .flatten(),
        )
        .on_seq(
            Route::get("/api/v1/user").exact(),
            [
                MockResponse::json(401, r#"{"message":"invalid token"}"#),
                MockResponse::json(400, format!(r#"{{"message":"token {CHECKED} is odd"}}"#)),
            ],
        );
    let credential = PasswordCredential::new("alice", PASSWORD.to_owned()).with_one_time_code(CODE.to_owned());
    let client = GiteaClient::builder(BASE, credential)
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .flavor(Flavor::Forgejo)
        .build()
        .unwrap();
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));
    let new = NewToken::new("ci-bot", Scopes::parse("write:repository").unwrap());
    let ok = client.create(&new).await.unwrap();
    assert_eq!(ok.secret.expose_secret(), NEW_SECRET);
    assert_clean("created Debug", &format!("{ok:?}"));
    for _ in 0..3 {
        let err = client.create(&new).await.unwrap_err();
        let source = std::error::Error::source(&err).map(|s| s.to_string()).unwrap_or_default();
        assert_clean("create error", &format!("{err} {err:?} {source}"));
    }
    for _ in 0..2 {
        let err = client.list().send().await.unwrap_err();
        let source = std::error::Error::source(&err).map(|s| s.to_string()).unwrap_or_default();
        assert_clean("list error", &format!("{err} {err:?} {source}"));
    }
    assert!(!client.check_pat(&PatSecret::new(CHECKED.into())).await.unwrap());
    let err = client.check_pat(&PatSecret::new(CHECKED.into())).await.unwrap_err();
    assert_clean("check error", &format!("{err} {err:?}"));
    for request in mock.requests() {
        assert_clean("request Debug", &format!("{request:?}"));
    }
    let trace = capture.contents();
    assert!(trace.contains("gitea_token"), "the capture saw the client's requests: {trace}");
    assert_clean("trace", &trace);
}
