//! Rotating 1,000 stored tokens with 20 ms of injected server latency at concurrency 16.
//!
//! Transport: the emulator **in process** (no sockets), with `Fault::Latency(20 ms)` on every
//! request, on a multi-thread tokio runtime with real time. Store: `InMemoryTokenStore` (no
//! latency). A rotation makes 3 requests (create, check, revoke), so the ideal is
//!
//! ```text
//! ideal = n × requests_per_rotation × latency / concurrency = 1000 × 3 × 20 ms / 16 = 3.75 s
//! ```
//!
//! The bench prints the ratio measured / ideal (1.0 is perfect pipelining).
//! `PATKIT_BENCH_TOKENS` changes n (default 1000).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, Fault, FaultRule, SeedPat};
use patkit::lifecycle::Rotator;
use patkit::store::InMemoryTokenStore;
use patkit::{PatRecord, StoredPat, TokenStore};

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 16;
const REQUESTS_PER_ROTATION: u32 = 3;

fn tokens() -> usize {
    std::env::var("PATKIT_BENCH_TOKENS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

/// A fresh emulator with `n` due tokens, all stored; latency switched on after seeding.
async fn setup(n: usize) -> Rotator {
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(alice.bearer.clone()))
        .transport(emulator.clone())
        .build()
        .unwrap();
    let store = Arc::new(InMemoryTokenStore::new());
    for i in 0..n {
        let seeded = emulator.seed_pat(
            "fabrikam",
            alice.id,
            SeedPat::new(format!("token {i}"), "vso.code").valid_to(emulator.now() + chrono::TimeDelta::days(2)),
        );
        let metadata = client.get(&seeded.id).await.unwrap();
        let record = PatRecord::new(format!("t{i:04}"), "azure-devops", "fabrikam", metadata, emulator.now());
        store.put(StoredPat { record, secret: seeded.secret }).await.unwrap();
    }
    emulator.inject(FaultRule::any_operation(Fault::Latency(LATENCY)).always());
    Rotator::new(client, store).concurrency(CONCURRENCY).lifetime(Duration::from_secs(30 * 86_400))
}

fn rotation(c: &mut Criterion) {
    let n = tokens();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let measured = Arc::new(Mutex::new(Vec::new()));
    let mut group = c.benchmark_group("rotation");
    group.sample_size(10).warm_up_time(Duration::from_millis(1)).measurement_time(Duration::from_secs(1));
    group.bench_function(format!("{n} tokens, 20 ms latency, concurrency {CONCURRENCY}, in-process emulator"), |b| {
        let measured = measured.clone();
        b.to_async(&runtime).iter_custom(move |iters| {
            let measured = measured.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let rotator = setup(n).await;
                    let start = Instant::now();
                    let report = rotator.rotate_all().await.unwrap();
                    let elapsed = start.elapsed();
                    assert_eq!(report.rotated().count(), n, "{report}");
                    measured.lock().unwrap().push(elapsed);
                    total += elapsed;
                }
                total
            }
        })
    });
    group.finish();

    let ideal = LATENCY * REQUESTS_PER_ROTATION * n as u32 / CONCURRENCY as u32;
    let mut runs = measured.lock().unwrap().clone();
    runs.sort();
    if let (Some(min), Some(median)) = (runs.first(), runs.get(runs.len() / 2)) {
        println!(
            "rotation: n = {n}, ideal = n × {REQUESTS_PER_ROTATION} requests × {} ms / {CONCURRENCY} = {:.3} s; \
             measured median {:.3} s (min {:.3} s) over {} runs; ratio median/ideal = {:.3}, min/ideal = {:.3}",
            LATENCY.as_millis(),
            ideal.as_secs_f64(),
            median.as_secs_f64(),
            min.as_secs_f64(),
            runs.len(),
            median.as_secs_f64() / ideal.as_secs_f64(),
            min.as_secs_f64() / ideal.as_secs_f64(),
        );
    }
}

criterion_group!(benches, rotation);
criterion_main!(benches);
