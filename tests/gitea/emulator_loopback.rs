//! The Gitea / Forgejo emulator over loopback HTTP, through patkit's reqwest transport: a
//! password + one-time-code login that creates, pages through and deletes tokens; the new
//! token authenticating but never managing; a dropped connection after a committed create.
#![cfg(all(feature = "emulator", feature = "gitea", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use base64::Engine as _;
use patkit::gitea::emulator::{Emulator, Fault, FaultRule, Flavor, SeedToken, operations};
use patkit::transport::{HttpResponse, HttpTransport, ReqwestTransport, TransportError};
use serde_json::{Value, json};

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

async fn send(
    transport: &ReqwestTransport,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Result<HttpResponse, TransportError> {
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    if !bytes.is_empty() {
        request = request.header("content-type", "application/json");
    }
    transport.send(request.body(bytes).unwrap()).await
}

fn json_of(response: &HttpResponse) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgejo_password_login_with_otp_creates_pages_and_deletes_over_http() {
    let emulator = Emulator::new(Flavor::Forgejo);
    let alice = emulator.add_user("alice", "s3cret-pw");
    emulator.set_one_time_code(alice.id, Some("424242"));
    let mut seeded = Vec::new();
    for i in 0..6 {
        seeded.push(emulator.seed_token(alice.id, SeedToken::new(&format!("old-{i}"), &["read:user"])).id);
    }
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let api = format!("{}/api/v1", server.base_url());
    let transport = ReqwestTransport::new().unwrap();
    let login = basic("alice", "s3cret-pw");
    let headers = [("authorization", login.as_str()), ("x-forgejo-otp", "424242")];

    // Without the code: 401, in Gitea's error shape, pointing at this server's swagger page.
    let refused = send(&transport, "GET", &format!("{api}/users/alice/tokens"), &headers[..1], None).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(json_of(&refused)["url"], format!("{}/api/swagger", server.base_url()));

    let made = send(
        &transport,
        "POST",
        &format!("{api}/users/alice/tokens"),
        &headers,
        Some(json!({"name": "deploy", "scopes": ["write:repository", "read:user"]})),
    )
    .await
    .unwrap();
    assert_eq!(made.status(), 201);
    let made = json_of(&made);
    let secret = made["sha1"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 40);

    // Page until a short page: every token once, newest first, X-Total-Count on each page.
    let (mut seen, mut page) = (Vec::new(), 1);
    loop {
        let url = format!("{api}/users/alice/tokens?page={page}&limit=3");
        let response = send(&transport, "GET", &url, &headers, None).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers().get("x-total-count").unwrap(), "7");
        assert!(response.headers().get("link").is_none());
        let items = json_of(&response);
        let items = items.as_array().unwrap();
        assert!(items.iter().all(|t| t["sha1"] == ""));
        seen.extend(items.iter().map(|t| t["id"].as_u64().unwrap()));
        if items.len() < 3 {
            break;
        }
        page += 1;
    }
    let mut expected = seeded.clone();
    expected.push(made["id"].as_u64().unwrap());
    expected.reverse();
    assert_eq!((seen, page), (expected, 3));

    // The new token authenticates, but never manages tokens.
    let token = format!("token {secret}");
    let me = send(&transport, "GET", &format!("{api}/user"), &[("authorization", &token)], None).await.unwrap();
    assert_eq!((me.status().as_u16(), json_of(&me)["login"].as_str()), (200, Some("alice")));
    let as_token = send(&transport, "GET", &format!("{api}/users/alice/tokens"), &[("authorization", &token)], None)
        .await
        .unwrap();
    assert_eq!((as_token.status().as_u16(), json_of(&as_token)["message"].as_str()), (401, Some("auth required")));

    let deleted =
        send(&transport, "DELETE", &format!("{api}/users/alice/tokens/deploy"), &headers, None).await.unwrap();
    assert_eq!(deleted.status(), 204);
    let me = send(&transport, "GET", &format!("{api}/user"), &[("authorization", &token)], None).await.unwrap();
    assert_eq!(me.status(), 401, "a deleted token no longer authenticates");
    assert_eq!(emulator.requests_seen(operations::TOKEN_LIST), 1 + 3 + 1, "refused, three pages, the token's try");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_committed_then_dropped_leaves_the_token_and_no_answer() {
    let emulator = Emulator::gitea();
    emulator.add_user("bob", "pw");
    emulator.inject(FaultRule::new(operations::TOKEN_CREATE, Fault::CommitThenDrop));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let login = basic("bob", "pw");
    let url = format!("{}/api/v1/users/bob/tokens", server.base_url());
    let body = json!({"name": "ci", "scopes": ["all"]});
    let error = send(&transport, "POST", &url, &[("authorization", &login)], Some(body.clone())).await.unwrap_err();
    assert_ne!(error.kind(), patkit::transport::TransportErrorKind::Connect, "the request was sent: {error}");
    let snapshot = emulator.snapshot();
    assert_eq!(snapshot.tokens.len(), 1, "the create was committed");
    assert_eq!(snapshot.tokens[0].name, "ci");
    let retry = send(&transport, "POST", &url, &[("authorization", &login)], Some(body)).await.unwrap();
    assert_eq!(retry.status(), 400, "a blind retry meets the unique-name rule");
    server.shutdown().await;
}
