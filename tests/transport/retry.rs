//! `RetryTransport` over `MockTransport`, in virtual time (`start_paused`): no real sleeping.
#![cfg(feature = "testing")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use patkit::ManualClock;
use patkit::azure::operations as op;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::{
    BackoffConfig, HttpRequest, HttpTransport, Operation, RetryConfig, RetryTransport, TransportErrorKind, from_fn,
};
use tokio::time::Instant;

const CANARY: &str = "CANARY-retry-bearer-0e4d";

/// No jitter, waits of 1 s, 2 s, 4 s, … capped at 10 s, 3 retries, 60 s budget.
fn config() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        backoff: BackoffConfig { initial: Duration::from_secs(1), max: Duration::from_secs(10), multiplier: 2.0 },
        budget: Duration::from_secs(60),
        jitter: false,
    }
}

fn request(operation: Option<Operation>) -> HttpRequest {
    let mut request =
        http::Request::post("https://vssps.dev.azure.com/org/_apis/tokens/pats?api-version=7.1-preview.1")
            .body(br#"{"displayName":"x"}"#.to_vec())
            .unwrap();
    let mut auth = http::HeaderValue::from_str(&format!("Bearer {CANARY}")).unwrap();
    auth.set_sensitive(true);
    request.headers_mut().insert(http::header::AUTHORIZATION, auth);
    if let Some(op) = operation {
        request.extensions_mut().insert(op);
    }
    request
}

fn route() -> Route {
    Route::post("/_apis/tokens/pats")
}

/// `mock` wrapped so that the virtual time of each arrival is recorded.
fn timed(mock: &MockTransport) -> (impl HttpTransport + 'static, Arc<Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let (mock, log) = (mock.clone(), arrivals.clone());
    let transport = from_fn(move |request| {
        log.lock().unwrap().push(Instant::now());
        let mock = mock.clone();
        async move { mock.send(request).await }
    });
    (transport, arrivals)
}

/// The gaps between consecutive arrivals.
fn gaps(arrivals: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    arrivals.lock().unwrap().windows(2).map(|w| w[1] - w[0]).collect()
}

fn secs(s: &[u64]) -> Vec<Duration> {
    s.iter().map(|&s| Duration::from_secs(s)).collect()
}

#[tokio::test(start_paused = true)]
async fn idempotent_operations_eventually_succeed_after_503_503_200() {
    let mock = MockTransport::new()
        .on_seq(route(), [MockResponse::status(503), MockResponse::status(503), MockResponse::json(200, "{}")]);
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, config());
    let response = transport.send(request(Some(op::LIST))).await.unwrap();
    assert_eq!(response.status(), 200);
    mock.assert_request_count(3);
    assert_eq!(gaps(&arrivals), secs(&[1, 2]));
    // Every attempt carried the same request.
    for sent in mock.requests() {
        assert_eq!(sent.body(), br#"{"displayName":"x"}"#);
        assert_eq!(sent.headers()[http::header::AUTHORIZATION].to_str().unwrap(), format!("Bearer {CANARY}"));
        assert_eq!(Operation::of(&sent), Some(op::LIST));
    }
}

#[tokio::test(start_paused = true)]
async fn each_retryable_status_is_retried_for_idempotent_operations() {
    for status in [408, 429, 500, 502, 503, 504] {
        for op in [op::GET, op::LIST, op::UPDATE, op::REVOKE] {
            let mock = MockTransport::new().on_seq(route(), [MockResponse::status(status), MockResponse::status(200)]);
            let transport = RetryTransport::new(mock.clone(), config());
            assert_eq!(transport.send(request(Some(op))).await.unwrap().status(), 200, "{status} {op:?}");
            mock.assert_request_count(2);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 501] {
        let mock = MockTransport::new().on(route(), MockResponse::status(status));
        let transport = RetryTransport::new(mock.clone(), config());
        assert_eq!(transport.send(request(Some(op::GET))).await.unwrap().status(), status);
        mock.assert_request_count(1);
    }
}

#[tokio::test(start_paused = true)]
async fn connect_errors_are_retried_for_every_operation_even_create_and_untagged() {
    for op in [Some(op::GET), Some(op::CREATE), Some(op::ADMIN_CREATE_REVOCATION_RULE), None] {
        let mock = MockTransport::new()
            .on(route(), MockResponse::status(201))
            .fail_next(route(), TransportErrorKind::Connect)
            .fail_next(route(), TransportErrorKind::Connect);
        let (transport_inner, arrivals) = timed(&mock);
        let transport = RetryTransport::new(transport_inner, config());
        assert_eq!(transport.send(request(op)).await.unwrap().status(), 201, "{op:?}");
        mock.assert_request_count(3);
        assert_eq!(gaps(&arrivals), secs(&[1, 2]));
    }
}

#[tokio::test(start_paused = true)]
async fn timeout_and_interrupted_are_retried_only_for_idempotent_operations() {
    for kind in [TransportErrorKind::Timeout, TransportErrorKind::Interrupted] {
        let mock = MockTransport::new().on(route(), MockResponse::status(200)).fail_next(route(), kind);
        let transport = RetryTransport::new(mock.clone(), config());
        assert_eq!(transport.send(request(Some(op::REVOKE))).await.unwrap().status(), 200);
        mock.assert_request_count(2);

        for op in [Some(op::CREATE), Some(Operation::conditional_write("store_conditional_write")), None] {
            let mock = MockTransport::new().on(route(), MockResponse::status(200)).fail_next(route(), kind);
            let transport = RetryTransport::new(mock.clone(), config());
            assert_eq!(transport.send(request(op)).await.unwrap_err().kind(), kind, "{op:?}");
            mock.assert_request_count(1);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn other_error_kinds_are_never_retried() {
    for kind in [TransportErrorKind::Refused, TransportErrorKind::ResponseTooLarge, TransportErrorKind::Other] {
        let mock = MockTransport::new().on(route(), MockResponse::status(200)).fail_next(route(), kind);
        let transport = RetryTransport::new(mock.clone(), config());
        assert_eq!(transport.send(request(Some(op::GET))).await.unwrap_err().kind(), kind);
        mock.assert_request_count(1);
    }
}

#[tokio::test(start_paused = true)]
async fn create_and_conditional_store_writes_are_never_retried_once_they_may_have_reached_the_server() {
    for status in [408, 429, 500, 502, 503, 504] {
        for op in [
            Some(op::CREATE),
            Some(op::ADMIN_CREATE_REVOCATION_RULE),
            Some(Operation::conditional_write("store_conditional_write")),
            None,
        ] {
            let mock = MockTransport::new()
                .on_seq(route(), [MockResponse::status(status).header("retry-after", "1"), MockResponse::status(200)]);
            let transport = RetryTransport::new(mock.clone(), config());
            let started = Instant::now();
            assert_eq!(transport.send(request(op)).await.unwrap().status(), status, "{op:?}");
            assert_eq!(started.elapsed(), Duration::ZERO);
            mock.assert_request_count(1);
        }
    }
}

/// The retry decorator reads only what a request's builder declared: an operation no provider in
/// this crate knows is retried exactly as its idempotency says, whatever it is named and whether
/// or not it is sensitive.
#[tokio::test(start_paused = true)]
async fn an_operation_declared_by_any_request_builder_is_retried_as_its_idempotency_says() {
    use patkit::transport::Idempotency;
    for idempotency in [Idempotency::Idempotent, Idempotency::NotIdempotent, Idempotency::ConditionalWrite] {
        for sensitive in [false, true] {
            let declared = Operation::new("forge_rotate", idempotency);
            let declared = if sensitive { declared.sensitive() } else { declared };
            let mock = MockTransport::new().on_seq(route(), [MockResponse::status(503), MockResponse::status(200)]);
            let transport = RetryTransport::new(mock.clone(), config());
            let status = transport.send(request(Some(declared))).await.unwrap().status();
            let retried = idempotency == Idempotency::Idempotent;
            assert_eq!(status, if retried { 200 } else { 503 }, "{declared:?}");
            mock.assert_request_count(if retried { 2 } else { 1 });
        }
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_lengthens_the_wait_but_never_shortens_it() {
    let mock = MockTransport::new().on_seq(
        route(),
        [
            MockResponse::status(429).header("retry-after", "7"), // backoff 1 s < 7 s
            MockResponse::status(503).header("retry-after", "1"), // backoff 2 s > 1 s
            MockResponse::status(200),
        ],
    );
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, RetryConfig { jitter: true, ..config() }).seed(3);
    assert_eq!(transport.send(request(Some(op::GET))).await.unwrap().status(), 200);
    let gaps = gaps(&arrivals);
    assert_eq!(gaps[0], Duration::from_secs(7));
    assert!(gaps[1] >= Duration::from_secs(1) && gaps[1] <= Duration::from_secs(2), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_measured_with_the_injected_clock() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap());
    let mock = MockTransport::new().on_seq(
        route(),
        [MockResponse::status(503).header("retry-after", "Sun, 01 Mar 2026 12:00:20 GMT"), MockResponse::status(200)],
    );
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, config()).clock(clock.clone());
    assert_eq!(transport.send(request(Some(op::UPDATE))).await.unwrap().status(), 200);
    assert_eq!(gaps(&arrivals), secs(&[20]));

    // A date already past means no extra wait: the backoff alone applies.
    clock.advance(TimeDelta::minutes(5));
    let mock = MockTransport::new().on_seq(
        route(),
        [MockResponse::status(503).header("retry-after", "Sun, 01 Mar 2026 12:00:20 GMT"), MockResponse::status(200)],
    );
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, config()).clock(clock);
    assert_eq!(transport.send(request(Some(op::UPDATE))).await.unwrap().status(), 200);
    assert_eq!(gaps(&arrivals), secs(&[1]));
}

#[tokio::test(start_paused = true)]
async fn retry_after_on_a_success_paces_the_next_request() {
    let mock = MockTransport::new().on_seq(
        route(),
        [MockResponse::status(200).header("retry-after", "5"), MockResponse::status(200), MockResponse::status(200)],
    );
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, config());
    let started = Instant::now();
    assert_eq!(transport.send(request(Some(op::LIST))).await.unwrap().status(), 200);
    assert_eq!(started.elapsed(), Duration::ZERO, "the paced response itself is returned at once");
    assert_eq!(transport.send(request(Some(op::CREATE))).await.unwrap().status(), 200);
    assert_eq!(transport.send(request(Some(op::LIST))).await.unwrap().status(), 200);
    assert_eq!(gaps(&arrivals), secs(&[5, 0]), "only the next request waits");
}

#[tokio::test(start_paused = true)]
async fn pacing_lasts_at_most_one_budget() {
    // Found by the hostile-input work: `Retry-After: 3153600000` on one 200 made the next
    // request wait a hundred years.
    let mock = MockTransport::new()
        .on_seq(route(), [MockResponse::status(200).header("retry-after", "3153600000"), MockResponse::status(200)]);
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, config());
    assert_eq!(transport.send(request(Some(op::LIST))).await.unwrap().status(), 200);
    assert_eq!(transport.send(request(Some(op::LIST))).await.unwrap().status(), 200);
    assert_eq!(gaps(&arrivals), vec![config().budget]);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_budget_returns_the_last_response_at_once() {
    let mock = MockTransport::new()
        .on_seq(route(), [MockResponse::status(429).header("retry-after", "3600"), MockResponse::status(200)]);
    let transport = RetryTransport::new(mock.clone(), config());
    let started = Instant::now();
    let response = transport.send(request(Some(op::GET))).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3600");
    assert_eq!(started.elapsed(), Duration::ZERO);
    mock.assert_request_count(1);
}

#[tokio::test(start_paused = true)]
async fn budget_exhaustion_returns_the_last_response_or_error() {
    // Waits 4 s, then 8 s would end at 12 s > 10 s: two attempts, the second answer returned.
    let budgeted = RetryConfig {
        max_retries: 10,
        backoff: BackoffConfig { initial: Duration::from_secs(4), max: Duration::from_secs(60), multiplier: 2.0 },
        budget: Duration::from_secs(10),
        jitter: false,
    };
    let mock =
        MockTransport::new().on_seq(route(), [MockResponse::status(503), MockResponse::status(502).header("x-n", "2")]);
    let (transport_inner, arrivals) = timed(&mock);
    let transport = RetryTransport::new(transport_inner, budgeted.clone());
    let started = Instant::now();
    let response = transport.send(request(Some(op::GET))).await.unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["x-n"], "2");
    assert_eq!(started.elapsed(), Duration::from_secs(4));
    assert_eq!(gaps(&arrivals), secs(&[4]));

    let mock = MockTransport::new()
        .fail_next(route(), TransportErrorKind::Connect)
        .fail_next(route(), TransportErrorKind::Timeout)
        .on(route(), MockResponse::status(200));
    let transport = RetryTransport::new(mock.clone(), budgeted);
    assert_eq!(transport.send(request(Some(op::GET))).await.unwrap_err().kind(), TransportErrorKind::Timeout);
    mock.assert_request_count(2);
}

#[tokio::test(start_paused = true)]
async fn max_retries_is_honoured() {
    for max_retries in [0, 1, 3] {
        let mock = MockTransport::new().on(route(), MockResponse::status(503));
        let transport = RetryTransport::new(mock.clone(), RetryConfig { max_retries, ..config() });
        assert_eq!(transport.send(request(Some(op::GET))).await.unwrap().status(), 503);
        mock.assert_request_count(max_retries as usize + 1);
    }
    let mock = MockTransport::new().on(route(), MockResponse::status(503));
    let transport = RetryTransport::new(mock.clone(), RetryConfig::none());
    transport.send(request(Some(op::GET))).await.unwrap();
    mock.assert_request_count(1);
}

#[tokio::test(start_paused = true)]
async fn jitter_stays_within_zero_and_the_backoff_ceiling() {
    let jittered = RetryConfig {
        max_retries: 12,
        backoff: BackoffConfig { initial: Duration::from_secs(1), max: Duration::from_secs(16), multiplier: 2.0 },
        budget: Duration::from_secs(3600),
        jitter: true,
    };
    let mut all_runs = Vec::new();
    for seed in [1, 2, 3, 1] {
        let mock = MockTransport::new().on(route(), MockResponse::status(503));
        let (transport_inner, arrivals) = timed(&mock);
        let transport = RetryTransport::new(transport_inner, jittered.clone()).seed(seed);
        transport.send(request(Some(op::LIST))).await.unwrap();
        let gaps = gaps(&arrivals);
        assert_eq!(gaps.len(), 12);
        for (n, gap) in gaps.iter().enumerate() {
            let ceiling = Duration::from_secs((1u64 << n).min(16));
            assert!(*gap <= ceiling, "retry {n}: {gap:?} > {ceiling:?}");
        }
        all_runs.push(gaps);
    }
    assert_eq!(all_runs[0], all_runs[3], "the same seed gives the same waits");
    assert_ne!(all_runs[0], all_runs[1], "different seeds give different waits");
    // Jitter actually spreads: the capped waits (retries 4..) are not all at the ceiling.
    let capped: Vec<Duration> = all_runs.iter().flat_map(|g| g[4..].iter().copied()).collect();
    assert!(capped.iter().any(|g| *g < Duration::from_secs(12)), "{capped:?}");
}
