//! The emulator's service rules (§5.10), spoken to in raw HTTP so no client can agree with it by
//! construction: password-only create, `1.0` and `latest`, the secret once, permission messages,
//! immutable expiry, owner vs admin, 401 for permission failures, the rate limiter, faults.
#![cfg(all(feature = "emulator", feature = "bitbucket"))]

use std::time::Duration;

use base64::Engine as _;
use patkit::bitbucket::emulator::{Emulator, Fault, FaultRule, RateLimit, SeedToken};
use patkit::bitbucket::operations as op;
use patkit::transport::HttpTransport;
use serde_json::{Value, json};

fn basic(user: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")))
}

async fn call(emulator: &Emulator, method: &str, path: &str, auth: &str, body: Option<Value>) -> (u16, Value) {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("https://bitbucket.example{path}"))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.map(|b| b.to_string().into_bytes()).unwrap_or_default())
        .unwrap();
    let response = emulator.send(request).await.unwrap();
    let value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), value)
}

fn instance() -> Emulator {
    let emulator = Emulator::new();
    emulator.add_user("alice", "pw-alice");
    emulator.add_user("bob", "pw-bob");
    emulator.add_admin("root", "pw-root");
    emulator
}

const TOKENS: &str = "/rest/access-tokens/1.0/users/alice";

fn new_token() -> Value {
    json!({"name": "ci", "permissions": ["PROJECT_READ", "REPO_WRITE"], "expiryDays": 30})
}

#[tokio::test]
async fn only_the_password_creates_and_the_secret_is_shown_once() {
    let emulator = instance();
    let alice = basic("alice", "pw-alice");
    let (status, created) =
        call(&emulator, "PUT", "/rest/access-tokens/latest/users/alice", &alice, Some(new_token())).await;
    assert_eq!(status, 200, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()), "{id}");
    assert!(created["createdDate"].as_i64().unwrap() > 1_600_000_000_000, "epoch milliseconds");
    for auth in [format!("Bearer {secret}"), basic("alice", &secret)] {
        let (status, body) = call(&emulator, "PUT", TOKENS, &auth, Some(new_token())).await;
        assert_eq!(status, 401, "a token cannot mint a token: {body}");
        assert!(body["errors"][0]["exceptionName"].is_string());
    }
    let (status, _) = call(&emulator, "GET", "/rest/api/1.0/users/alice", &format!("Bearer {secret}"), None).await;
    assert_eq!(status, 200, "the token works for the API");
    let (_, got) = call(&emulator, "GET", &format!("{TOKENS}/{id}"), &alice, None).await;
    assert!(got.get("token").is_none() && got["lastAuthenticated"].is_i64(), "{got}");
    let (_, page) = call(&emulator, "GET", TOKENS, &alice, None).await;
    assert!(page["values"][0].get("token").is_none());
    assert_eq!(emulator.snapshot().tokens.len(), 1);
    let (status, _) = call(&emulator, "PUT", TOKENS, &basic("alice", "wrong"), Some(new_token())).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn permissions_are_validated_with_the_real_messages() {
    let emulator = instance();
    let alice = basic("alice", "pw-alice");
    for (permissions, message) in [
        (json!(["ADMIN"]), "Tokens may not have the following permission: ADMIN"),
        (json!(["ACCOUNT_READ"]), "ACCOUNT_READ is not a valid permission"),
        (json!([]), "At least one permission is required for an access token."),
        (
            json!(["REPO_READ", "REPO_WRITE"]),
            "An access token may have at most one project permission and one repository permission.",
        ),
        (
            json!(["PROJECT_ADMIN", "REPO_WRITE"]),
            "The repository permission must be at least REPO_ADMIN when the project permission is PROJECT_ADMIN.",
        ),
    ] {
        let (status, body) =
            call(&emulator, "PUT", TOKENS, &alice, Some(json!({"name": "n", "permissions": permissions}))).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["message"], message);
        assert_eq!(
            body["errors"][0]["exceptionName"],
            "com.atlassian.bitbucket.validation.ArgumentValidationException"
        );
    }
    let (status, body) = call(&emulator, "PUT", TOKENS, &alice, Some(json!({"permissions": ["REPO_READ"]}))).await;
    assert_eq!((status, body["errors"][0]["context"].as_str()), (400, Some("name")));
    assert!(emulator.snapshot().tokens.is_empty());
}

#[tokio::test]
async fn expiry_is_immutable_and_an_update_changes_name_and_permissions_only() {
    let emulator = instance();
    let seeded = emulator.seed_token("alice", SeedToken::new("ci", &["REPO_READ"]).expiry_days(30).id("012345678901"));
    let alice = basic("alice", "pw-alice");
    let path = format!("{TOKENS}/{}", seeded.id);
    let (status, body) = call(&emulator, "POST", &path, &alice, Some(json!({"name": "x", "expiryDays": 300}))).await;
    assert_eq!((status, body["errors"][0]["context"].as_str()), (400, Some("expiryDays")));
    assert_eq!(emulator.token(&seeded.id).unwrap().name, "ci", "a refused update changes nothing");
    let (status, body) =
        call(&emulator, "POST", &path, &alice, Some(json!({"name": "x", "permissions": ["REPO_ADMIN"]}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["id"].as_str(), body["name"].as_str(), body["expiryDays"].as_u64()),
        (Some("012345678901"), Some("x"), Some(30))
    );
}

#[tokio::test]
async fn owners_and_admins_manage_tokens_others_get_401_and_admins_never_create_for_others() {
    let emulator = instance();
    let seeded = emulator.seed_token("alice", SeedToken::new("ci", &["REPO_READ"]));
    let path = format!("{TOKENS}/{}", seeded.id);
    let (bob, root) = (basic("bob", "pw-bob"), basic("root", "pw-root"));
    for (method, p) in [("GET", TOKENS), ("GET", path.as_str()), ("DELETE", path.as_str())] {
        assert_eq!(call(&emulator, method, p, &bob, None).await.0, 401, "{method} {p} by another user");
    }
    assert_eq!(call(&emulator, "PUT", TOKENS, &bob, Some(new_token())).await.0, 401);
    assert_eq!(
        call(&emulator, "PUT", TOKENS, &root, Some(new_token())).await.0,
        401,
        "admins cannot create for others"
    );
    assert_eq!(call(&emulator, "GET", TOKENS, &root, None).await.1["size"], 1);
    assert_eq!(call(&emulator, "POST", &path, &root, Some(json!({"name": "renamed"}))).await.0, 200);
    assert_eq!(call(&emulator, "GET", "/rest/access-tokens/1.0/users/nobody", &root, None).await.0, 404);
    assert_eq!(
        call(
            &emulator,
            "GET",
            "/rest/access-tokens/1.0/users/bob/".to_owned().as_str().trim_end_matches('/'),
            &root,
            None
        )
        .await
        .1["size"],
        0
    );
    assert_eq!(
        call(&emulator, "GET", &format!("/rest/access-tokens/1.0/users/bob/{}", seeded.id), &root, None).await.0,
        404,
        "the id is alice's, not bob's"
    );
    assert_eq!(call(&emulator, "DELETE", &path, &root, None).await.0, 204);
    assert_eq!(call(&emulator, "DELETE", &path, &root, None).await.0, 404);
}

#[tokio::test]
async fn paging_has_the_sheets_fields_and_a_server_cap() {
    let emulator = instance();
    emulator.set_max_page_limit(3);
    for i in 0..5 {
        emulator.seed_token("alice", SeedToken::new(&format!("t{i}"), &["REPO_READ"]));
    }
    let alice = basic("alice", "pw-alice");
    let (_, page) = call(&emulator, "GET", &format!("{TOKENS}?limit=50"), &alice, None).await;
    assert_eq!((page["size"].as_u64(), page["limit"].as_u64(), page["start"].as_u64()), (Some(3), Some(3), Some(0)));
    assert_eq!((page["isLastPage"].as_bool(), page["nextPageStart"].as_u64()), (Some(false), Some(3)));
    let (_, last) = call(&emulator, "GET", &format!("{TOKENS}?start=3&limit=50"), &alice, None).await;
    assert_eq!((last["size"].as_u64(), last["isLastPage"].as_bool()), (Some(2), Some(true)));
    assert!(last.get("nextPageStart").is_none());
}

#[tokio::test]
async fn the_rate_limiter_and_faults_answer_in_bitbuckets_shape() {
    let emulator = instance();
    emulator.set_rate_limit(Some(RateLimit {
        capacity: 2,
        refill_per_second: 0.0,
        retry_after: Duration::from_secs(7),
    }));
    let alice = basic("alice", "pw-alice");
    for _ in 0..2 {
        assert_eq!(call(&emulator, "GET", TOKENS, &alice, None).await.0, 200);
    }
    let (status, body) = call(&emulator, "GET", TOKENS, &alice, None).await;
    assert_eq!(status, 429);
    assert!(body["errors"][0]["message"].is_string());
    assert_eq!(call(&emulator, "GET", TOKENS, &basic("root", "pw-root"), None).await.0, 200, "buckets are per user");
    emulator.set_rate_limit(None);

    emulator.inject(FaultRule::new(op::TOKEN_CREATE, Fault::CommitThenDrop).times(1));
    let request = http::Request::put(format!("https://bitbucket.example{TOKENS}"))
        .header("authorization", alice.as_str())
        .body(new_token().to_string().into_bytes())
        .unwrap();
    assert!(emulator.send(request).await.is_err(), "the connection dropped");
    assert_eq!(emulator.snapshot().tokens.len(), 1, "after the create was committed");
    assert_eq!(emulator.requests_seen(op::TOKEN_CREATE), 1);
    emulator.inject(FaultRule::new(op::TOKEN_LIST, Fault::ServerError { status: 503 }).times(1));
    let (status, body) = call(&emulator, "GET", TOKENS, &alice, None).await;
    assert_eq!((status, body["errors"].is_array()), (503, true));
}
