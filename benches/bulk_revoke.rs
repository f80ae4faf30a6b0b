//! Revoking 1,000 tokens with 20 ms of injected latency on every request, in process:
//! - Token Admin bulk revoke (`token_admin().revoke(&ids)`, batches of 100, sent one after the
//!   other) against the ideal of batches × latency = 10 × 20 ms;
//! - one `client.revoke(id)` per token at concurrency 16 (`buffer_unordered(16)`) against the
//!   ideal of 1,000 × 20 ms / 16.
//!
//! Real time (the latency is a tokio sleep), new tokens seeded before each iteration. Prints
//! `RATIO bulk_revoke …` for both.
//!
//! `cargo bench --features emulator --bench bulk_revoke`

mod support;

use std::time::{Duration, Instant};

use criterion::{SamplingMode, criterion_main};
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use patkit::PatId;
use patkit::azure::emulator::{EmulatedUser, Emulator, Fault, FaultRule, SeedPat};
use patkit::azure::operations as op;
use patkit::azure::{AzureDevOpsClient, MAX_REVOCATIONS_PER_REQUEST};

const TOKENS: usize = 1_000;
const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 16;

fn seed(emulator: &Emulator, owner: &EmulatedUser) -> Vec<PatId> {
    (0..TOKENS)
        .map(|i| emulator.seed_pat("fabrikam", owner.id, SeedPat::new(format!("r-{i}"), "vso.code")).id)
        .collect()
}

fn bench() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let admin = emulator.add_user("Admin");
    emulator.make_org_admin("fabrikam", admin.id);
    let alice = emulator.add_user("Alice");
    emulator.inject(FaultRule::new(op::ADMIN_REVOKE, Fault::Latency(LATENCY)).always());
    emulator.inject(FaultRule::new(op::REVOKE, Fault::Latency(LATENCY)).always());
    let admin_client =
        AzureDevOpsClient::builder("fabrikam", admin.credential()).transport(emulator.clone()).build().unwrap();
    let alice_client =
        AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build().unwrap();

    let mut c = support::criterion(Duration::from_secs(14));
    let mut group = c.benchmark_group("bulk_revoke");
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("token_admin_1000", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (emulator, alice, client) = (emulator.clone(), alice.clone(), admin_client.clone());
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let ids = seed(&emulator, &alice);
                    let started = Instant::now();
                    client.token_admin().revoke(&ids).await.unwrap();
                    spent += started.elapsed();
                    assert!(emulator.token(&ids[TOKENS - 1]).unwrap().revoked);
                }
                support::record("token_admin", iters, spent)
            }
        })
    });
    group.bench_function("revoke_each_1000_c16", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (emulator, alice, client) = (emulator.clone(), alice.clone(), alice_client.clone());
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let ids = seed(&emulator, &alice);
                    let started = Instant::now();
                    stream::iter(ids.iter().map(|id| client.revoke(id)))
                        .buffer_unordered(CONCURRENCY)
                        .try_collect::<Vec<()>>()
                        .await
                        .unwrap();
                    spent += started.elapsed();
                    assert!(ids.iter().all(|id| emulator.token(id).unwrap().revoked));
                }
                support::record("each_c16", iters, spent)
            }
        })
    });
    group.finish();
    let batches = TOKENS.div_ceil(MAX_REVOCATIONS_PER_REQUEST) as u32;
    support::against_ideal("bulk_revoke token_admin measured/ideal", "token_admin", LATENCY * batches);
    support::against_ideal(
        "bulk_revoke revoke_each_c16 measured/ideal",
        "each_c16",
        LATENCY * TOKENS as u32 / CONCURRENCY as u32,
    );
    eprintln!("tokens in the emulator at the end: {}", emulator.snapshot().tokens.len());
}

fn benches() {
    bench();
}

criterion_main!(benches);
