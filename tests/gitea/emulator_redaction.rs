//! What the Gitea emulator logs: the operation and status of each request, never a password, a
//! one-time code, a Basic header or a token (the emulator is public and runs inside people's
//! test suites, whose logs are kept).
#![cfg(all(feature = "emulator", feature = "gitea", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use base64::Engine as _;
use patkit::gitea::emulator::{Emulator, SeedToken};
use patkit::transport::{HttpTransport, ReqwestTransport};
use serde_json::Value;

use crate::trace_capture::TraceCapture;

const PASSWORD: &str = "canary-password-8c1e";
const OTP: &str = "770413";

/// A current-thread runtime: the server's tasks and the client run on the capturing thread.
#[tokio::test(flavor = "current_thread")]
async fn no_password_code_or_token_reaches_a_log_line() {
    // With a single registered dispatcher, tracing decides a call site's interest from the
    // default of whichever thread reaches it first: another test's thread without a subscriber
    // would mark the emulator's event "never" for everyone. A second registered dispatcher makes
    // every call site ask each thread's own default instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let (capture, _guard) = TraceCapture::start();
    let emulator = Emulator::forgejo();
    let alice = emulator.add_user("alice", PASSWORD);
    emulator.set_one_time_code(alice.id, Some(OTP));
    let seeded = emulator.seed_token(alice.id, SeedToken::new("old", &["all"]));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"));
    let api = format!("{}/api/v1/users/alice/tokens", server.base_url());
    let request = |method: &str, url: String, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(url)
            .header("authorization", format!("Basic {basic}"))
            .header("x-forgejo-otp", OTP)
            .body(body.as_bytes().to_vec())
            .unwrap()
    };

    let made = transport.send(request("POST", api.clone(), r#"{"name":"new","scopes":["all"]}"#)).await.unwrap();
    assert_eq!(made.status(), 201);
    let made: Value = serde_json::from_slice(made.body()).unwrap();
    let secret = made["sha1"].as_str().unwrap().to_owned();
    let listed = transport.send(request("GET", format!("{api}?token={secret}"), "")).await.unwrap();
    assert_eq!(listed.status(), 401, "a query token is token auth, refused by token management");
    assert_eq!(transport.send(request("DELETE", format!("{api}/old"), "")).await.unwrap().status(), 204);
    assert_eq!(transport.send(request("GET", api.clone(), "")).await.unwrap().status(), 200);
    server.shutdown().await;

    let logged = capture.contents();
    assert!(logged.contains("patkit gitea emulator"), "the emulator's events were captured: {logged}");
    assert!(logged.contains("gitea_token_create"), "{logged}");
    for canary in [PASSWORD, OTP, basic.as_str(), secret.as_str(), seeded.secret.expose_secret()] {
        assert!(!logged.contains(canary), "a secret reached the log");
    }
    let debug = format!("{emulator:?} {:?} {seeded:?}", emulator.snapshot());
    for canary in [PASSWORD, OTP, secret.as_str(), seeded.secret.expose_secret()] {
        assert!(!debug.contains(canary), "a secret reached Debug");
    }
}
