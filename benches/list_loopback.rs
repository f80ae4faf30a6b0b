//! Listing 10,000 PATs (100 pages of 100) from the emulator over loopback HTTP: patkit
//! (`client.list().page_size(100).items()`, `ReqwestTransport`, retries on) against a
//! hand-written reqwest + serde_json loop sending the same requests with the same headers and
//! parsing each page into a struct. Prints `RATIO list_loopback patkit/baseline`.
//!
//! `cargo bench --features emulator --bench list_loopback`

mod support;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use criterion::{SamplingMode, criterion_main};
use futures_util::TryStreamExt as _;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::azure::{AzureDevOpsClient, USER_AGENT};
use patkit::transport::ReqwestTransport;
use patkit::{BearerToken, SortBy};

const TOKENS: usize = 10_000;
const PAGE: u32 = 100;

async fn patkit(client: &AzureDevOpsClient) -> usize {
    let items = client.list().sort(SortBy::DisplayDate).page_size(PAGE).items();
    items.try_fold(0usize, |n, _| async move { Ok(n + 1) }).await.unwrap()
}

async fn baseline(http: &reqwest::Client, base: &str, bearer: &BearerToken) -> usize {
    let mut count = 0;
    let mut continuation: Option<String> = None;
    loop {
        let mut url = url::Url::parse(&format!("{base}/fabrikam/_apis/tokens/pats")).unwrap();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", "7.1-preview.1")
                .append_pair("displayFilterOption", "active")
                .append_pair("sortByOption", "displayDate")
                .append_pair("isSortAscending", "true")
                .append_pair("$top", &PAGE.to_string());
            if let Some(c) = &continuation {
                q.append_pair("continuationToken", c);
            }
        }
        let response = http
            .get(url)
            .header("accept", "application/json")
            .header("user-agent", USER_AGENT)
            .header("x-tfs-fedauthredirect", "Suppress")
            .header("authorization", bearer.bearer_authorization())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let body = response.bytes().await.unwrap();
        let page: support::Paged = serde_json::from_slice(&body).unwrap();
        count += page.pat_tokens.len();
        match page.continuation_token.filter(|c| !c.is_empty()) {
            Some(c) => continuation = Some(c),
            None => return count,
        }
    }
}

fn bench() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let now = emulator.now();
    let seeding = Instant::now();
    for i in 0..TOKENS {
        // Distinct expiries, listed by date (the emulator orders the listing once and keeps it
        // between pages, so its own time per page stays small next to the client's).
        let seed = SeedPat::new(format!("bench-{i:05}"), "vso.code vso.build")
            .valid_to(now + TimeDelta::minutes(60 + i as i64));
        emulator.seed_pat("fabrikam", alice.id, seed);
    }
    eprintln!("seeded {TOKENS} tokens in {:?}", seeding.elapsed());
    let server = rt.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
    let base = server.base_url();

    let client = AzureDevOpsClient::builder("fabrikam", alice.credential())
        .base_url(&base)
        .transport(ReqwestTransport::new().unwrap())
        .build()
        .unwrap();
    // The same settings as ReqwestTransport's defaults. patkit turns on reqwest's
    // `rustls-no-provider`, so this process installs a crypto provider for this client (patkit's
    // own transport brings its own and is unaffected).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let bearer = alice.bearer.clone();

    let mut c = support::criterion(Duration::from_secs(8));
    let mut group = c.benchmark_group("list_loopback");
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("baseline", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (http, base, bearer) = (http.clone(), base.clone(), bearer.clone());
            async move {
                let started = Instant::now();
                for _ in 0..iters {
                    assert_eq!(baseline(&http, &base, &bearer).await, TOKENS);
                }
                support::record("baseline", iters, started.elapsed())
            }
        })
    });
    group.bench_function("patkit", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let client = client.clone();
            async move {
                let started = Instant::now();
                for _ in 0..iters {
                    assert_eq!(patkit(&client).await, TOKENS);
                }
                support::record("patkit", iters, started.elapsed())
            }
        })
    });
    // The two alternating, listing by listing, so that both see the same machine load (other
    // work on a small shared machine shifts sequential measurements by more than 5%).
    group.bench_function("paired", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (client, http, base, bearer) = (client.clone(), http.clone(), base.clone(), bearer.clone());
            async move {
                let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
                for i in 0..iters {
                    let (mut a, mut b) = (Duration::ZERO, Duration::ZERO);
                    let (mut cpu_a, mut cpu_b) = (Duration::ZERO, Duration::ZERO);
                    // Alternate which goes first, too.
                    for side in [i % 2, 1 - i % 2] {
                        let started = Instant::now();
                        let cpu = support::thread_cpu_time().unwrap_or_default();
                        if side == 0 {
                            assert_eq!(patkit(&client).await, TOKENS);
                            a = started.elapsed();
                            cpu_a = support::thread_cpu_time().unwrap_or_default() - cpu;
                        } else {
                            assert_eq!(baseline(&http, &base, &bearer).await, TOKENS);
                            b = started.elapsed();
                            cpu_b = support::thread_cpu_time().unwrap_or_default() - cpu;
                        }
                    }
                    support::record_pair("listing", a, b);
                    support::record_pair("listing cpu", cpu_a, cpu_b);
                    ours += a;
                    theirs += b;
                }
                support::record("patkit (paired)", iters, ours);
                support::record("baseline (paired)", iters, theirs);
                ours + theirs
            }
        })
    });
    group.finish();
    support::ratio("list_loopback patkit/baseline (sequential)", "patkit", "baseline");
    support::ratio("list_loopback patkit/baseline (paired)", "patkit (paired)", "baseline (paired)");
    support::paired_median("list_loopback patkit/baseline (paired, median)", "listing");
    // Server and client share one current-thread runtime, so this thread's CPU time is all of
    // the work, without the waits for other processes.
    support::paired_median("list_loopback patkit/baseline (paired, CPU time, median)", "listing cpu");
    rt.block_on(server.shutdown());
}

fn benches() {
    bench();
}

criterion_main!(benches);
