//! Throttling like GitLab (§2.9), over loopback HTTP: a per-user budget over fixed windows,
//! `RateLimit-*` on every answer, the plain-text 429 `Retry later` with `Retry-After` and
//! `RateLimit-ResetTime` over it; off by default. And a paced client against it: no 429.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use patkit::gitlab::emulator::{Emulator, SeedToken, Throttle};
use patkit::gitlab::{GitLabClient, GitLabCredential};
use patkit::transport::{HttpTransport, Pacing, ReqwestTransport, RetryConfig};
use patkit::{ListQuery, PatProvider};

fn header<'a>(response: &'a patkit::transport::HttpResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_window_budget_per_user_with_gitlabs_headers_and_429() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice");
    let token = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
    let bob = emulator.add_user("bob");
    let bobs = emulator.seed_token(bob.id, SeedToken::new("main", &["api"]));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let transport = ReqwestTransport::new().unwrap();
    let url = format!("{}/api/v4/personal_access_tokens/self", server.base_url());
    let get = |secret: &str| {
        let request = http::Request::get(&url).header("private-token", secret).body(Vec::new()).unwrap();
        transport.send(request)
    };
    let plain = get(token.secret.expose_secret()).await.unwrap();
    assert_eq!((plain.status().as_u16(), header(&plain, "ratelimit-limit")), (200, None), "off by default");

    // A window long enough that the test cannot straddle two of them unnoticed.
    emulator.set_throttle(Some(Throttle::fixed(2, Duration::from_secs(3600))));
    let first = get(token.secret.expose_secret()).await.unwrap();
    let window_end = (chrono::Utc::now().timestamp() / 3600 + 1) * 3600;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "ratelimit-name"), Some("throttle_authenticated_api"));
    assert_eq!((header(&first, "ratelimit-limit"), header(&first, "ratelimit-observed")), (Some("2"), Some("1")));
    assert_eq!(header(&first, "ratelimit-remaining"), Some("1"));
    assert_eq!(header(&first, "ratelimit-reset"), Some(window_end.to_string().as_str()), "the window's end");
    assert_eq!(get(token.secret.expose_secret()).await.unwrap().status(), 200);
    let over = get(token.secret.expose_secret()).await.unwrap();
    assert_eq!((over.status().as_u16(), over.body().as_slice()), (429, b"Retry later\n".as_slice()));
    assert_eq!(header(&over, "content-type"), Some("text/plain"));
    let retry_after: i64 = header(&over, "retry-after").unwrap().parse().unwrap();
    assert!((window_end - chrono::Utc::now().timestamp() - retry_after).abs() <= 1, "until the window ends");
    assert!(header(&over, "ratelimit-resettime").unwrap().ends_with(" GMT"));
    assert_eq!((header(&over, "ratelimit-observed"), header(&over, "ratelimit-remaining")), (Some("3"), Some("0")));
    assert_eq!(get(bobs.secret.expose_secret()).await.unwrap().status(), 200, "Bob's own budget");
    let stats = emulator.throttle_stats();
    assert_eq!((stats.served, stats.refused), (3, 1));
    server.shutdown().await;
}

/// Twelve page requests against 4 per 500 ms window: unpaced (retries off) the fifth is refused;
/// paced, every page arrives and nothing is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_client_waits_for_the_window_instead_of_being_refused() {
    let mut outcomes = Vec::new();
    for pacing in [Pacing::Off, Pacing::default()] {
        let emulator = Emulator::new();
        let alice = emulator.add_user("alice");
        let token = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let client = GitLabClient::builder(GitLabCredential::private_token(token.secret.expose_secret().to_owned()))
            .base_url(format!("{}/api/v4", server.base_url()))
            .retry(RetryConfig::none())
            .pacing(pacing)
            .build()
            .unwrap();
        emulator.set_throttle(Some(Throttle::fixed(4, Duration::from_millis(500))));
        let mut failed = 0;
        for _ in 0..12 {
            if client.list_pats(&ListQuery::default(), None).await.is_err() {
                failed += 1;
            }
        }
        outcomes.push((failed, emulator.throttle_stats().refused));
        server.shutdown().await;
    }
    assert!(outcomes[0].0 > 0 && outcomes[0].1 > 0, "unpaced: refused {outcomes:?}");
    assert_eq!(outcomes[1], (0, 0), "paced: every page, no 429");
}
