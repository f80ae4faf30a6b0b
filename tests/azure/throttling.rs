//! Throttling like the service (§7), over loopback HTTP: per-user metering over a sliding
//! window, requests held (answered late with `X-RateLimit-Delay`) and then refused with 429
//! TF400733 and `Retry-After`, the `X-RateLimit-*` headers on every answer; off by default. And
//! a paced client against it: a burst of concurrent calls gets no 429.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::time::{Duration, Instant};

use crate::emulator_support::{Harness, Mode};
use http::Method;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat, Throttle};
use patkit::transport::{Pacing, RetryConfig};

fn unix_seconds_up(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

#[tokio::test]
async fn metering_holds_then_refuses_with_the_services_headers_per_user() {
    let h = Harness::new(Mode::Loopback).await;
    let list = |user| h.pats(Method::GET, "").bearer(user).send();
    let plain = list(&h.alice.bearer).await;
    assert_eq!((plain.status.as_u16(), plain.header("x-ratelimit-limit")), (200, None), "off by default");

    h.emulator.set_throttle(Some(Throttle::sliding(2, Duration::from_millis(200)).holding(1, Duration::from_secs(1))));
    let first = list(&h.alice.bearer).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-ratelimit-resource"), Some("Core"));
    assert_eq!((first.header("x-ratelimit-limit"), first.header("x-ratelimit-remaining")), (Some("2"), Some("1")));
    let reset = unix_seconds_up(h.now() + chrono::TimeDelta::milliseconds(200)).to_string();
    assert_eq!(first.header("x-ratelimit-reset"), Some(reset.as_str()), "usage back to zero a window after");
    assert_eq!(first.header("x-ratelimit-delay"), None);
    assert_eq!(list(&h.alice.bearer).await.header("x-ratelimit-remaining"), Some("0"));
    let bob = list(&h.bob.bearer).await;
    assert_eq!((bob.status.as_u16(), bob.header("x-ratelimit-remaining")), (200, Some("1")), "Bob's own budget");

    // Over the limit: held until the window has room (the emulator's clock stands still, so
    // the room is 200 ms away), then answered.
    let started = Instant::now();
    let held = list(&h.alice.bearer).await;
    assert!(started.elapsed() >= Duration::from_millis(200), "held for {:?}", started.elapsed());
    assert_eq!((held.status.as_u16(), held.header("x-ratelimit-delay")), (200, Some("0.200")));
    assert_eq!(held.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(held.header("retry-after"), None, "a held answer is a success to use, not to retry");

    // One may wait at a time; the next is blocked.
    let blocked = list(&h.alice.bearer).await;
    let v = blocked.assert_wrapped(429, "ClientRequestThrottledException");
    assert!(v["message"].as_str().unwrap().starts_with("TF400733: The request has been canceled"), "{v}");
    assert_eq!(blocked.header("retry-after"), Some("1"), "200 ms to room, in whole seconds");
    assert_eq!((blocked.header("x-ratelimit-limit"), blocked.header("x-ratelimit-remaining")), (Some("2"), Some("0")));

    h.clock.advance(chrono::TimeDelta::seconds(1));
    assert_eq!(list(&h.alice.bearer).await.header("x-ratelimit-remaining"), Some("1"), "the window slid on");
    let stats = h.emulator.throttle_stats();
    assert_eq!((stats.served, stats.delayed, stats.refused), (4, 1, 1));
    h.emulator.set_throttle(None);
    assert_eq!(list(&h.alice.bearer).await.header("x-ratelimit-limit"), None, "switched off");
}

/// 24 concurrent calls against a budget of 5 per 300 ms that holds 4 requests (the pacer's
/// default held allowance; the emulator on the system clock, so the window slides): unpaced
/// (retries off) several are refused; paced, none is, and all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_client_stays_under_the_limit_where_an_unpaced_one_is_refused() {
    let throttle = Throttle::sliding(5, Duration::from_millis(300)).holding(4, Duration::from_secs(5));
    let mut refused = Vec::new();
    for pacing in [Pacing::Off, Pacing::default()] {
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let seeded = emulator.seed_pat("fabrikam", alice.id, SeedPat::new("probe", "vso.code"));
        let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let client = AzureDevOpsClient::builder("fabrikam", alice.credential())
            .base_url(server.base_url())
            .retry(RetryConfig::none())
            .pacing(pacing)
            .build()
            .unwrap();
        emulator.set_throttle(Some(throttle));
        let calls = (0..24).map(|_| {
            let (client, id) = (client.clone(), seeded.id.clone());
            tokio::spawn(async move { client.get(&id).await })
        });
        let results = futures_util::future::join_all(calls).await;
        let failures = results.into_iter().filter(|r| r.as_ref().unwrap().is_err()).count();
        let stats = emulator.throttle_stats();
        assert_eq!(failures as u64, stats.refused, "every refusal reached the caller (no retries)");
        refused.push(stats.refused);
        server.shutdown().await;
    }
    assert!(refused[0] > 0, "unpaced, the burst collides with the limit: {refused:?}");
    assert_eq!(refused[1], 0, "paced: no 429 at all");
}
