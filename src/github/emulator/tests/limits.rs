//! Rate-limit headers, the primary and secondary limits, and scripted faults.

use std::time::Duration;

use chrono::TimeDelta;

use super::*;
use crate::github::emulator::operations as op;
use crate::github::emulator::{Fault, FaultRule, PrimaryLimit, SecondaryLimit};

#[tokio::test]
async fn every_answer_carries_rate_limit_headers() {
    let fx = fixture();
    let secret = fx.octo_pat.secret.expose_secret();
    let first = call(&fx.emulator, "GET", "/user", Some(secret), None).await;
    let second = call(&fx.emulator, "GET", "/orgs/nope", Some(secret), None).await;
    assert_eq!(second.status, 404);
    for (answer, used) in [(&first, "1"), (&second, "2")] {
        assert_eq!(answer.header("x-ratelimit-limit"), Some("5000"));
        assert_eq!(answer.header("x-ratelimit-used"), Some(used));
        assert_eq!(answer.header("x-ratelimit-resource"), Some("core"));
        let reset: i64 = answer.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert_eq!(reset, (start() + TimeDelta::hours(1)).timestamp());
    }
    assert_eq!(second.header("x-ratelimit-remaining"), Some("4998"));
    let anonymous = call(&fx.emulator, "GET", "/orgs/acme", None, None).await;
    assert_eq!(anonymous.header("x-ratelimit-limit"), Some("60"));
    let free = call(&fx.emulator, "GET", "/rate_limit", Some(secret), None).await;
    assert_eq!(free.body["resources"]["core"]["used"], 2, "checking the limit costs nothing");
}

#[tokio::test]
async fn the_primary_limit_refuses_only_when_switched_on() {
    let fx = fixture();
    let secret = fx.octo_pat.secret.expose_secret();
    fx.emulator.set_primary_limit(Some(PrimaryLimit { per_hour: 2, status: 429 }));
    for _ in 0..2 {
        assert_eq!(call(&fx.emulator, "GET", "/user", Some(secret), None).await.status, 200);
    }
    let limited = call(&fx.emulator, "GET", "/user", Some(secret), None).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.message().starts_with("API rate limit exceeded for user ID"), "{limited:?}");
    fx.emulator.set_primary_limit(None);
    assert_eq!(call(&fx.emulator, "GET", "/user", Some(secret), None).await.status, 200);
}

#[tokio::test]
async fn the_secondary_limit_answers_retry_after() {
    let fx = fixture();
    let secret = fx.octo_pat.secret.expose_secret();
    fx.emulator.set_secondary_limit(Some(SecondaryLimit {
        per_minute: 1,
        retry_after: Duration::from_millis(1500),
        status: 403,
    }));
    assert_eq!(call(&fx.emulator, "GET", "/user", Some(secret), None).await.status, 200);
    let limited = call(&fx.emulator, "GET", "/user", Some(secret), None).await;
    assert_eq!((limited.status, limited.header("retry-after")), (403, Some("2")));
    assert!(limited.message().contains("secondary rate limit"));
    fx.clock.advance(TimeDelta::minutes(1));
    assert_eq!(call(&fx.emulator, "GET", "/user", Some(secret), None).await.status, 200);
}

#[tokio::test]
async fn faults_fire_by_operation_name_and_count_as_requests() {
    let fx = fixture();
    let token = installation_token(&fx, fx.installation).await;
    fx.emulator.inject(FaultRule::new(op::GRANT_LIST, Fault::ServerError { status: 503 }));
    fx.emulator.inject(FaultRule::new(op::CURRENT_USER, Fault::RateLimited { retry_after: Duration::from_secs(7) }));
    let failed = call(&fx.emulator, "GET", "/orgs/acme/personal-access-tokens", Some(&token), None).await;
    assert_eq!((failed.status, failed.body["status"].as_str()), (503, Some("503")));
    let throttled = call(&fx.emulator, "GET", "/user", Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!((throttled.status, throttled.header("retry-after")), (429, Some("7")));
    assert_eq!(
        throttled.header("x-ratelimit-limit"),
        Some("5000"),
        "a faulted answer still carries the caller's standing"
    );
    assert_eq!(failed.header("x-ratelimit-resource"), Some("core"));
    assert_eq!(call(&fx.emulator, "GET", "/orgs/acme/personal-access-tokens", Some(&token), None).await.status, 200);
    assert_eq!(fx.emulator.requests_seen(op::GRANT_LIST), 2);
    assert_eq!(fx.emulator.requests_seen(op::INSTALLATION_TOKEN), 1);

    fx.emulator.inject(FaultRule::new(op::GRANT_REVOKE, Fault::CommitThenDrop));
    let request =
        http::Request::post(format!("https://api.github.com/orgs/acme/personal-access-tokens/{}", fx.octo_grant))
            .header("authorization", format!("Bearer {token}"))
            .body(br#"{"action":"revoke"}"#.to_vec())
            .unwrap();
    let dropped = fx.emulator.send(request).await.unwrap_err();
    assert_eq!(dropped.kind(), crate::transport::TransportErrorKind::Interrupted);
    assert!(fx.emulator.snapshot().grants.is_empty(), "applied, then the answer was lost");
    let nowhere = call(&fx.emulator, "GET", "/nowhere", None, None).await;
    assert_eq!((nowhere.status, nowhere.header("x-ratelimit-limit")), (404, Some("60")));
    assert_eq!(fx.emulator.request_log().unclassified(), 1);
}
