//! Per-operation client overhead, in process: each operation through `AzureDevOpsClient` (retry
//! decorator on, tracing span, request building, credential call, parsing into the model) against
//! the same request prebuilt once and handed straight to the emulator's transport. Prints one
//! `RATIO overhead <op> client/direct` per operation: create, get, list page, update, revoke.
//!
//! Everything runs on one current-thread runtime, so the ratios use this thread's CPU time (the
//! work itself, not the waits for other processes on a busy machine); criterion's own lines show
//! wall time.
//!
//! `cargo bench --features emulator --bench overhead`

mod support;

use std::time::Duration;

use chrono::TimeDelta;
use criterion::criterion_main;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::azure::operations as op;
use patkit::transport::{HttpRequest, HttpTransport, Operation};
use patkit::{PatId, Scopes, SortBy};

const BASE: &str = "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1";

fn request(method: http::Method, url: String, op: Operation, user: &EmulatedUser, body: Option<String>) -> HttpRequest {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(url)
        .header("accept", "application/json")
        .header("user-agent", patkit::azure::USER_AGENT)
        .header("x-tfs-fedauthredirect", "Suppress")
        .header("authorization", user.bearer.bearer_authorization())
        .extension(op);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder.body(body.unwrap_or_default().into_bytes()).unwrap()
}

fn bench() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let now = emulator.now();
    // A realistic account: 200 tokens, so a list page is full (100) and lookups are not trivial.
    let ids: Vec<PatId> = (0..200)
        .map(|i| {
            let seed =
                SeedPat::new(format!("tok-{i:03}"), "vso.code").valid_to(now + TimeDelta::hours(1 + i64::from(i)));
            emulator.seed_pat("fabrikam", alice.id, seed).id
        })
        .collect();
    let target = ids[150].clone();
    let client =
        AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build().unwrap();
    let direct = emulator.clone();
    let valid_to = (now + TimeDelta::days(30)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let scopes = Scopes::parse("vso.code").unwrap();

    // Creates last: each one adds a token, which would make the other operations' emulator
    // work grow.
    let prebuilt = [
        ("get", request(http::Method::GET, format!("{BASE}&authorizationId={target}"), op::GET, &alice, None)),
        (
            "list page",
            request(
                http::Method::GET,
                format!("{BASE}&displayFilterOption=active&sortByOption=displayDate&isSortAscending=true&$top=100"),
                op::LIST,
                &alice,
                None,
            ),
        ),
        (
            "update",
            request(
                http::Method::PUT,
                BASE.into(),
                op::UPDATE,
                &alice,
                Some(format!(r#"{{"authorizationId":"{target}","validTo":"{valid_to}"}}"#)),
            ),
        ),
        ("revoke", request(http::Method::DELETE, format!("{BASE}&authorizationId={target}"), op::REVOKE, &alice, None)),
        (
            "create",
            request(
                http::Method::POST,
                BASE.into(),
                op::CREATE,
                &alice,
                Some(r#"{"displayName":"bench-create","scope":"vso.code","allOrgs":false}"#.into()),
            ),
        ),
    ];

    let mut c = support::criterion(Duration::from_secs(2));
    let mut group = c.benchmark_group("overhead");
    for (op, prebuilt) in &prebuilt {
        let client_label = format!("{op}/client");
        let direct_label = format!("{op}/direct");
        group.bench_function(&client_label, |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (client, target, scopes, label) =
                    (client.clone(), target.clone(), scopes.clone(), client_label.clone());
                let valid_to = now + TimeDelta::days(30);
                let op = *op;
                async move {
                    let mark = support::mark();
                    for _ in 0..iters {
                        match op {
                            "create" => drop(client.create("bench-create", scopes.clone()).send().await.unwrap()),
                            "get" => drop(client.get(&target).await.unwrap()),
                            "list page" => {
                                drop(client.list().sort(SortBy::DisplayDate).page_size(100).page(None).await.unwrap())
                            }
                            "update" => drop(client.update(&target).expires_at(valid_to).send().await.unwrap()),
                            "revoke" => client.revoke(&target).await.unwrap(),
                            _ => unreachable!(),
                        }
                    }
                    support::record_cpu(&label, iters, mark)
                }
            })
        });
        group.bench_function(&direct_label, |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (direct, label) = (direct.clone(), direct_label.clone());
                let prebuilt = prebuilt.clone();
                async move {
                    let mark = support::mark();
                    for _ in 0..iters {
                        let response = direct.send(prebuilt.clone()).await.unwrap();
                        assert!(response.status().is_success());
                    }
                    support::record_cpu(&label, iters, mark)
                }
            })
        });
        if *op == "list page" {
            // The list page once more, the direct way plus what a hand-written client would do with the
            // answer: parse it with serde_json into a struct. Separates patkit's parsing from the rest.
            group.bench_function("list page/direct+serde", |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (direct, prebuilt) = (direct.clone(), prebuilt.clone());
                    async move {
                        let mark = support::mark();
                        for _ in 0..iters {
                            let response = direct.send(prebuilt.clone()).await.unwrap();
                            let page: support::Paged = serde_json::from_slice(response.body()).unwrap();
                            assert_eq!(page.pat_tokens.len(), 100);
                        }
                        support::record_cpu("list page/direct+serde", iters, mark)
                    }
                })
            });
            // And the two alternating in blocks of 20 pages, CPU time per block, for a ratio that
            // machine load and the order of the runs do not move.
            group.bench_function("list page/paired", |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (client, direct, prebuilt) = (client.clone(), direct.clone(), prebuilt.clone());
                    async move {
                        let started = std::time::Instant::now();
                        for i in 0..iters {
                            let mut cpu = [Duration::ZERO; 2];
                            for side in [i % 2, 1 - i % 2] {
                                let start = support::thread_cpu_time().unwrap_or_default();
                                for _ in 0..20 {
                                    if side == 0 {
                                        let page = client.list().sort(SortBy::DisplayDate).page_size(100);
                                        assert_eq!(page.page(None).await.unwrap().items.len(), 100);
                                    } else {
                                        let response = direct.send(prebuilt.clone()).await.unwrap();
                                        let page: support::Paged = serde_json::from_slice(response.body()).unwrap();
                                        assert_eq!(page.pat_tokens.len(), 100);
                                    }
                                }
                                cpu[side as usize] = support::thread_cpu_time().unwrap_or_default() - start;
                            }
                            support::record_pair("list page", cpu[0], cpu[1]);
                        }
                        started.elapsed()
                    }
                })
            });
        }
    }
    group.finish();
    support::ratio("overhead list page client/direct+serde", "list page/client", "list page/direct+serde");
    support::paired_median("overhead list page client/direct+serde (paired, CPU time, median)", "list page");
    for (op, _) in &prebuilt {
        support::ratio(&format!("overhead {op} client/direct"), &format!("{op}/client"), &format!("{op}/direct"));
    }
    eprintln!("tokens in the emulator at the end: {}", emulator.snapshot().tokens.len());
}

fn benches() {
    bench();
}

criterion_main!(benches);
