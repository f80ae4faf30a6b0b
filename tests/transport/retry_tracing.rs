//! `RetryTransport`'s tracing events, captured at TRACE with a canary bearer token.
//!
//! Alone in its own test binary: tracing caches per-callsite interest globally, so a test on
//! another thread without a subscriber could make this one miss events.
#![cfg(feature = "testing")]

use std::time::Duration;

use crate::trace_capture::TraceCapture;
use patkit::azure::operations as op;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::{BackoffConfig, HttpRequest, HttpTransport, RetryConfig, RetryTransport, TransportErrorKind};

const CANARY: &str = "CANARY-retry-trace-bearer-7b21";

fn request() -> HttpRequest {
    let mut request = http::Request::delete("https://vssps.dev.azure.com/org/_apis/tokens/pats?authorizationId=1")
        .body(br#"{"displayName":"x"}"#.to_vec())
        .unwrap();
    let mut auth = http::HeaderValue::from_str(&format!("Bearer {CANARY}")).unwrap();
    auth.set_sensitive(true);
    request.headers_mut().insert(http::header::AUTHORIZATION, auth);
    request.extensions_mut().insert(op::REVOKE);
    request
}

fn route() -> Route {
    Route::delete("/_apis/tokens/pats")
}

fn config() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        backoff: BackoffConfig { initial: Duration::from_secs(1), max: Duration::from_secs(10), multiplier: 2.0 },
        budget: Duration::from_secs(60),
        jitter: false,
    }
}

#[tokio::test(start_paused = true)]
async fn each_retry_emits_a_tracing_event_without_secrets() {
    let (capture, _guard) = TraceCapture::start();

    let mock = MockTransport::new()
        .on_seq(
            route(),
            [
                MockResponse::status(503).header("retry-after", "2"),
                MockResponse::status(200).header("retry-after", "1"),
            ],
        )
        .fail_next(route(), TransportErrorKind::Connect);
    let transport = RetryTransport::new(mock.clone(), config());
    transport.send(request()).await.unwrap();
    transport.send(request()).await.unwrap_err(); // sequence used up: unexpected
    mock.take_unexpected();

    let log = capture.contents();
    let retries: Vec<&str> = log.lines().filter(|l| l.contains("retrying request")).collect();
    assert_eq!(retries.len(), 2, "{log}");
    assert!(
        retries[0].contains("operation=\"revoke\"")
            && retries[0].contains("attempt=2")
            && retries[0].contains("error_kind=Connect")
            && retries[0].contains("wait_ms=1000"),
        "{}",
        retries[0]
    );
    assert!(
        retries[1].contains("attempt=3") && retries[1].contains("status=503") && retries[1].contains("wait_ms=2000"),
        "{}",
        retries[1]
    );
    assert!(log.contains("pacing"), "{log}");
    assert!(!log.contains(CANARY) && !log.contains("Bearer") && !log.contains("displayName"), "{log}");
}
