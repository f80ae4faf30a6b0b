//! Faults by operation name, the request log, routing, the version route, and what is kept of
//! each secret.

use std::time::Duration;

use serde_json::json;

use super::{ALICE_PW, basic, call, create, fixture, fixture_of, secret};
use crate::gitea::emulator::{Fault, FaultRule, Flavor, operations};
use crate::transport::{HttpTransport, TransportErrorKind};

#[tokio::test]
async fn faults_fire_by_operation_name_in_the_api_error_shape() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    f.emulator.inject(FaultRule::new(operations::TOKEN_LIST, Fault::ServerError { status: 503 }));
    f.emulator.inject(FaultRule::new(
        operations::TOKEN_LIST,
        Fault::RateLimited { retry_after: Duration::from_millis(1500) },
    ));
    f.emulator
        .inject(FaultRule::new(operations::TOKEN_DELETE, Fault::SlowDown { retry_after: Duration::from_secs(4) }));
    let list = || call(&f.emulator, "GET", "/users/alice/tokens", &login, None);
    let failed = list().await;
    assert_eq!((failed.status, failed.message()), (503, "Service Unavailable"));
    assert_eq!(failed.body["url"], "https://gitea.example/api/swagger");
    let throttled = list().await;
    assert_eq!((throttled.status, throttled.header("retry-after")), (429, Some("2")));
    assert_eq!(list().await.status, 200);
    let slowed = call(&f.emulator, "DELETE", "/users/alice/tokens/alice-main", &login, None).await;
    assert_eq!((slowed.status, slowed.header("retry-after")), (204, Some("4")), "acted on, with a pace hint");
    assert!(f.emulator.token(f.alice_pat.id).is_none());
    assert_eq!(f.emulator.requests_seen(operations::TOKEN_LIST), 3);
    assert_eq!(f.emulator.requests_seen(operations::TOKEN_DELETE), 1);
    assert_eq!(f.emulator.requests_seen(operations::TOKEN_CREATE), 0);
}

#[tokio::test]
async fn commit_then_drop_creates_the_token_and_loses_the_answer() {
    let f = fixture();
    f.emulator.inject(FaultRule::new(operations::TOKEN_CREATE, Fault::CommitThenDrop));
    let request = http::Request::post("https://gitea.example/api/v1/users/alice/tokens")
        .header("authorization", basic("alice", ALICE_PW).1)
        .body(serde_json::to_vec(&json!({"name": "lost", "scopes": ["all"]})).unwrap())
        .unwrap();
    let error = f.emulator.send(request).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Interrupted);
    let made = f.emulator.snapshot();
    assert!(made.tokens_of(f.alice.id).iter().any(|t| t.name == "lost"), "the create was committed");
    // A retry with the same name now meets the unique-name rule: the client must list to recover.
    let retry =
        create(&f.emulator, "alice", &[basic("alice", ALICE_PW)], json!({"name": "lost", "scopes": ["all"]})).await;
    assert_eq!(retry.status, 400);
}

#[tokio::test]
async fn unknown_routes_are_404_and_counted_apart() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    for (method, path) in [("GET", "/users/alice/tokens/1"), ("PATCH", "/users/alice/tokens/1"), ("GET", "/nothing")] {
        let answer = call(&f.emulator, method, path, &login, None).await;
        assert_eq!((answer.status, answer.body["errors"].clone()), (404, json!([])), "{method} {path}");
    }
    let outside = http::Request::get("https://gitea.example/api/v4/user").body(Vec::new()).unwrap();
    assert_eq!(f.emulator.send(outside).await.unwrap().status(), 404);
    let log = f.emulator.request_log();
    assert_eq!((log.unclassified(), log.total()), (4, 4));
    let _ = secret(&f.alice_pat);
}

#[tokio::test]
async fn the_version_route_tells_the_flavours_apart() {
    for (flavor, version, forgejo_route) in
        [(Flavor::Gitea, "1.22.6", 404), (Flavor::Forgejo, "9.0.3+gitea-1.22.0", 200)]
    {
        let f = fixture_of(flavor);
        let answer = call(&f.emulator, "GET", "/version", &[], None).await;
        assert_eq!((answer.status, answer.body["version"].as_str()), (200, Some(version)));
        let request = http::Request::get("https://forge.example/api/forgejo/v1/version").body(Vec::new()).unwrap();
        assert_eq!(f.emulator.send(request).await.unwrap().status(), forgejo_route, "{flavor:?}");
        assert_eq!(f.emulator.requests_seen(operations::VERSION), 1 + u64::from(forgejo_route == 200));
        assert_eq!(f.emulator.flavor(), flavor);
    }
}

#[test]
fn only_digests_of_secrets_passwords_and_codes_are_kept() {
    let f = fixture();
    f.emulator.set_one_time_code(f.alice.id, Some("918273"));
    let state = f.emulator.lock();
    let dump = format!("{state:?}");
    for plain in [secret(&f.alice_pat), ALICE_PW, "918273"] {
        assert!(!dump.contains(plain), "the model holds a plain secret: {plain}");
    }
    assert!(state.token_by_secret(secret(&f.alice_pat)).is_some(), "yet the token is found by its digest");
    assert!(state.find_user("alice").unwrap().password.as_ref().unwrap().matches(ALICE_PW));
    assert!(state.find_user("alice").unwrap().otp.as_ref().unwrap().matches("918273"));
}
