//! The GitLab emulator over loopback HTTP, through patkit's reqwest transport: the same service
//! as in process, `Link` headers that point back at the server, a dropped connection after a
//! committed rotate, and the rate limiter's plain-text 429.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use patkit::gitlab::emulator::{Emulator, Fault, FaultRule, RateLimit, SeedToken, operations};
use patkit::transport::{HttpResponse, HttpTransport, ReqwestTransport};
use serde_json::Value;

async fn send(
    transport: &ReqwestTransport,
    method: &str,
    url: &str,
    token: &str,
) -> Result<HttpResponse, patkit::transport::TransportError> {
    let request =
        http::Request::builder().method(method).uri(url).header("private-token", token).body(Vec::new()).unwrap();
    transport.send(request).await
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The URL of `rel="next"` in a `Link` header.
fn next_link(response: &HttpResponse) -> Option<String> {
    header(response, "link")?
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| l.split(';').next().unwrap().trim_start_matches('<').trim_end_matches('>').to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_lead_through_every_page_and_rotate_works_over_http() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice");
    let main = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
    let mut expected = vec![main.id];
    for i in 0..6 {
        expected.push(emulator.seed_token(alice.id, SeedToken::new(&format!("t{i}"), &["api"])).id);
    }
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let token = main.secret.expose_secret();

    let mut url = Some(format!("{}/api/v4/personal_access_tokens?per_page=3", server.base_url()));
    let (mut seen, mut pages) = (Vec::new(), 0);
    while let Some(next) = url {
        assert!(next.starts_with(&server.base_url()), "links point back at the server: {next}");
        let response = send(&transport, "GET", &next, token).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        seen.extend(body.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()));
        pages += 1;
        url = next_link(&response);
    }
    assert_eq!((seen, pages), (expected, 3));

    let rotate = format!("{}/api/v4/personal_access_tokens/{}/rotate", server.base_url(), main.id);
    let rotated = send(&transport, "POST", &rotate, token).await.unwrap();
    assert_eq!(rotated.status(), 200);
    let body: Value = serde_json::from_slice(rotated.body()).unwrap();
    let new_secret = body["token"].as_str().unwrap().to_owned();
    let me = send(&transport, "GET", &format!("{}/api/v4/personal_access_tokens/self", server.base_url()), &new_secret)
        .await
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(me.body()).unwrap()["id"], body["id"]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotate_committed_before_the_connection_dropped_is_found_by_reading() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice");
    let main = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
    let ci = emulator.seed_token(alice.id, SeedToken::new("ci", &["api"]));
    emulator.inject(FaultRule::new(operations::ROTATE, Fault::CommitThenDrop));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let rotate = format!("{}/api/v4/personal_access_tokens/{}/rotate", server.base_url(), ci.id);
    assert!(send(&transport, "POST", &rotate, main.secret.expose_secret()).await.is_err(), "no answer");
    // Reading shows the old token revoked and a successor with the same name.
    let list = format!("{}/api/v4/personal_access_tokens?search=ci&state=active", server.base_url());
    let listed: Value =
        serde_json::from_slice(send(&transport, "GET", &list, main.secret.expose_secret()).await.unwrap().body())
            .unwrap();
    let successor = listed[0]["id"].as_u64().unwrap();
    assert_eq!(emulator.token(successor).unwrap().previous_id, Some(ci.id));
    assert!(emulator.token(ci.id).unwrap().revoked);
    assert_eq!(emulator.requests_seen(operations::ROTATE), 1);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_answers_plain_text_retry_later_over_http() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice");
    let main = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
    emulator.set_rate_limit(Some(RateLimit { limit: 1, period: Duration::from_secs(3600) }));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let url = format!("{}/api/v4/user", server.base_url());
    let first = send(&transport, "GET", &url, main.secret.expose_secret()).await.unwrap();
    assert_eq!((first.status().as_u16(), header(&first, "ratelimit-remaining")), (200, Some("0")));
    let second = send(&transport, "GET", &url, main.secret.expose_secret()).await.unwrap();
    assert_eq!(second.status().as_u16(), 429);
    assert_eq!(second.body().as_slice(), b"Retry later\n");
    let wait: u64 = header(&second, "retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait));
    server.shutdown().await;
}
