//! Faults on demand: latency, 429, 5xx, slow-down on a 200, and "commit the create, then drop
//! the connection", per operation and per count.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::time::Duration;

use crate::emulator_support::{Harness, Mode, V71};
use http::Method;
use patkit::azure::emulator::{Fault, FaultRule};
use patkit::azure::operations as op;
use patkit::transport::{HttpTransport, ReqwestTransport, TransportErrorKind};
use serde_json::json;

fn create_body() -> serde_json::Value {
    json!({"displayName": "t", "scope": "vso.code"})
}

#[tokio::test(start_paused = true)]
async fn latency_is_virtual_time_in_process() {
    let h = Harness::new(Mode::InProcess).await;
    h.emulator.inject(FaultRule::new(op::LIST, Fault::Latency(Duration::from_secs(30))).times(2));
    let started = tokio::time::Instant::now();
    assert_eq!(h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.status, 200);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    // Other operations are not delayed.
    let started = tokio::time::Instant::now();
    h.create_ok(&h.alice, "x", "vso.code").await;
    assert_eq!(started.elapsed(), Duration::ZERO);
    h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await;
    let started = tokio::time::Instant::now();
    h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await;
    assert_eq!(started.elapsed(), Duration::ZERO, "spent after two");
}

#[tokio::test]
async fn latency_over_loopback_trips_a_client_timeout() {
    let h = Harness::new(Mode::Loopback).await;
    h.emulator.inject(FaultRule::new(op::LIST, Fault::Latency(Duration::from_secs(5))));
    let impatient = ReqwestTransport::builder().timeout(Duration::from_millis(150)).build().unwrap();
    let mut request = http::Request::get(format!("{}/fabrikam/_apis/tokens/pats?api-version={V71}", h.base))
        .body(Vec::new())
        .unwrap();
    request.headers_mut().insert("authorization", h.alice.bearer.bearer_authorization());
    let err = impatient.send(request).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Timeout);
    // The fault was once: the next list is immediate.
    assert_eq!(h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.status, 200);
}

#[tokio::test]
async fn server_errors_for_the_next_n_creates_are_not_applied() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.inject(FaultRule::new(op::CREATE, Fault::ServerError { status: 503 }).times(2));
        for _ in 0..2 {
            let r = h.create(&h.alice, create_body()).await;
            let v = r.assert_wrapped(503, "VssServiceException");
            assert!(v["message"].as_str().unwrap().starts_with("TF400898"), "{mode:?}");
        }
        assert!(h.emulator.snapshot().tokens.is_empty());
        h.create_ok(&h.alice, "third", "vso.code").await;
        assert_eq!(h.emulator.requests_seen(op::CREATE), 3);
        h.shutdown().await;
    }
}

#[tokio::test]
async fn every_third_list_is_throttled() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator
            .inject(FaultRule::new(op::LIST, Fault::RateLimited { retry_after: Duration::from_millis(1500) }).every(3));
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let r = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await;
            if r.status == 429 {
                assert_eq!(r.header("retry-after"), Some("2"), "rounded up to whole seconds");
            }
            statuses.push(r.status.as_u16());
        }
        assert_eq!(statuses, [200, 200, 429, 200, 200, 429], "{mode:?}");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn slow_down_adds_retry_after_to_a_success() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.inject(FaultRule::new(op::CREATE, Fault::SlowDown { retry_after: Duration::from_secs(3) }));
        let r = h.create(&h.alice, create_body()).await;
        assert_eq!(r.status, 200, "{mode:?}");
        assert_eq!(r.header("retry-after"), Some("3"));
        assert_eq!(r.header("x-ratelimit-delay"), Some("3.000"));
        assert_eq!(h.emulator.snapshot().tokens.len(), 1, "applied");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn commit_then_drop_applies_the_create_and_breaks_the_exchange() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
        let err = h.pats(Method::POST, "").bearer(&h.alice.bearer).json(&create_body()).try_send().await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Interrupted, "{mode:?}: {err}");
        assert!(!err.is_before_send());
        let snap = h.emulator.snapshot();
        assert_eq!(snap.tokens.len(), 1, "{mode:?}: the create was committed");
        assert_eq!(snap.tokens[0].display_name, "t");
        // The server keeps serving new connections.
        let list = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(list["patTokens"].as_array().unwrap().len(), 1);
        h.shutdown().await;
    }
}

#[tokio::test]
async fn any_operation_rules_and_clearing() {
    let h = Harness::new(Mode::InProcess).await;
    h.emulator.inject(FaultRule::any_operation(Fault::ServerError { status: 500 }).always());
    assert_eq!(h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.status, 500);
    assert_eq!(h.req(Method::GET, "_apis/connectionData").bearer(&h.alice.bearer).send().await.status, 500);
    h.emulator.clear_faults();
    assert_eq!(h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.status, 200);
}
