//! Faults by operation name, the request log, and the optional rate limiter (§2.16 #12).

use std::time::Duration;

use chrono::TimeDelta;

use super::{call, fixture, secret};
use crate::gitlab::emulator::{Fault, FaultRule, RateLimit, operations};
use crate::transport::{HttpTransport, TransportErrorKind};

#[tokio::test]
async fn a_server_error_fault_changes_nothing_and_commit_then_drop_commits() {
    let f = fixture();
    let path = format!("/personal_access_tokens/{}/rotate", f.alice_pat.id);
    f.emulator.inject(FaultRule::new(operations::ROTATE, Fault::ServerError { status: 503 }));
    let failed = call(&f.emulator, "POST", &path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!((failed.status, failed.body["message"].as_str()), (503, Some("503 Service Unavailable")));
    assert_eq!(f.emulator.family(f.alice_pat.id), [f.alice_pat.id], "not rotated");

    f.emulator.inject(FaultRule::new(operations::ROTATE, Fault::CommitThenDrop));
    let request = http::Request::post(format!("https://gitlab.example/api/v4{path}"))
        .header("private-token", secret(&f.alice_pat))
        .body(Vec::new())
        .unwrap();
    let error = f.emulator.send(request).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Interrupted);
    let family = f.emulator.family(f.alice_pat.id);
    assert_eq!(family.len(), 2, "the rotate was committed before the answer was lost");
    assert!(f.emulator.token(f.alice_pat.id).unwrap().revoked);
    assert_eq!(f.emulator.requests_seen(operations::ROTATE), 2);
    assert_eq!(f.emulator.requests_seen(operations::LIST), 0);
}

#[tokio::test]
async fn a_throttling_fault_answers_gitlabs_429() {
    let f = fixture();
    f.emulator
        .inject(FaultRule::new(operations::LIST, Fault::RateLimited { retry_after: Duration::from_millis(1500) }));
    let throttled = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&f.alice_pat)), None).await;
    assert_eq!((throttled.status, throttled.text.as_str()), (429, "Retry later\n"));
    assert_eq!(throttled.header("content-type"), Some("text/plain"));
    assert_eq!(throttled.header("retry-after"), Some("2"));
    assert!(throttled.header("ratelimit-resettime").unwrap().ends_with(" GMT"));
    assert_eq!(throttled.header("ratelimit-limit"), None, "no limiter, no budget to report");
    assert_eq!(call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&f.alice_pat)), None).await.status, 200);
}

#[tokio::test]
async fn the_rate_limiter_counts_per_user_and_resets_with_the_window() {
    let f = fixture();
    f.emulator.set_rate_limit(Some(RateLimit { limit: 2, period: Duration::from_secs(60) }));
    let get = |token: &str| {
        let (token, emulator) = (token.to_owned(), f.emulator.clone());
        async move { call(&emulator, "GET", "/personal_access_tokens/self", Some(&token), None).await }
    };
    let first = get(secret(&f.alice_pat)).await;
    assert_eq!(first.status, 200);
    assert_eq!((first.header("ratelimit-limit"), first.header("ratelimit-remaining")), (Some("2"), Some("1")));
    assert_eq!(first.header("ratelimit-observed"), Some("1"));
    assert_eq!(first.header("ratelimit-name"), Some("throttle_authenticated_api"));
    // 12:00:00 is on a window boundary; the window ends at 12:01:00.
    let reset = (super::start() + TimeDelta::seconds(60)).timestamp().to_string();
    assert_eq!(first.header("ratelimit-reset"), Some(reset.as_str()));
    assert_eq!(get(secret(&f.alice_pat)).await.status, 200);
    f.clock.advance(TimeDelta::seconds(15));
    let over = get(secret(&f.alice_pat)).await;
    assert_eq!((over.status, over.text.as_str(), over.header("retry-after")), (429, "Retry later\n", Some("45")));
    assert_eq!(over.header("ratelimit-remaining"), Some("0"));
    assert_eq!(get(secret(&f.bob_pat)).await.status, 200, "Bob has his own budget");
    f.clock.advance(TimeDelta::seconds(45));
    assert_eq!(get(secret(&f.alice_pat)).await.status, 200, "a new window");
    f.emulator.set_rate_limit(None);
    assert_eq!(get(secret(&f.alice_pat)).await.header("ratelimit-limit"), None);
}

/// A double submit: the same rotate sent many times at once. Exactly one wins; every other
/// finds the token already revoked, answers 400 and revokes the family — the winner's new token
/// included, as the service's reuse detection does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rotates_of_one_token_leave_one_winner_and_a_revoked_family() {
    let f = fixture();
    let target = f.emulator.seed_token(f.alice.id, crate::gitlab::emulator::SeedToken::new("ci", &["api"]));
    let path = format!("/personal_access_tokens/{}/rotate", target.id);
    let calls = (0..16).map(|_| {
        let (emulator, path, token) = (f.emulator.clone(), path.clone(), secret(&f.alice_pat).to_owned());
        tokio::spawn(async move { call(&emulator, "POST", &path, Some(&token), None).await.status })
    });
    let mut statuses = Vec::new();
    for c in calls {
        statuses.push(c.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400), "{statuses:?}");
    let family = f.emulator.family(target.id);
    assert_eq!(family.len(), 2, "one successor, no more");
    assert!(family.iter().all(|id| f.emulator.token(*id).unwrap().revoked));
}
