//! Bulk flows against emulators that throttle like the services (issue 18): the client's
//! adaptive pacer (the default) beside fixed concurrency 16 with pacing off and default retries.
//!
//! Three workloads, each on a fresh in-process emulator (no sockets) with real time, on a
//! multi-thread tokio runtime:
//!
//! - `azure rotate`: rotating 2,000 stored tokens (create, check, revoke each: 6,000 requests)
//!   against Azure DevOps' per-user sliding-window metering scaled to 1,000 requests per second,
//!   holding up to 8 requests (`X-RateLimit-Delay`), refusing beyond that (429 TF400733);
//! - `azure offboard`: offboarding 50 users × 40 tokens through Token Admin (list, revoke in
//!   one batch, list again per user: 150 requests, all counted against the one admin) with the
//!   same metering scaled to 30 requests per second;
//! - `gitlab scan`: an administrator's scan of 20,000 tokens (200 pages of 100, plus the listing
//!   of revoked tokens) against GitLab's fixed windows scaled to 40 requests per second.
//!
//! For each it prints the mean time of both sides, the modelled minimum (requests admitted /
//! requests per second), the ratio of each to it, and the 429s (and held requests) per run.
//! `grep -E 'RATIO|429'` on the output gives the summary.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator as Azure, SeedPat, Throttle};
use patkit::gitlab::emulator::{Emulator as GitLab, SeedToken};
use patkit::gitlab::{GitLabClient, GitLabCredential};
use patkit::lifecycle::{Offboarding, Rotator, Scan};
use patkit::store::InMemoryTokenStore;
use patkit::testing::emulator_kit::ThrottleStats;
use patkit::transport::Pacing;
use patkit::{PatRecord, StoredPat, TokenStore};

const ROTATIONS: usize = 2_000;
const ROTATE_PER_SECOND: u32 = 1_000;
const USERS: usize = 50;
const TOKENS_PER_USER: usize = 40;
const OFFBOARD_PER_SECOND: u32 = 30;
const SCAN_TOKENS: usize = 20_000;
const SCAN_PER_SECOND: u32 = 40;
/// Azure DevOps holds requests before it blocks; how many of one user's may wait at once.
const HOLD: u32 = 8;
const FIXED_CONCURRENCY: usize = 16;

/// What one side of a workload did, per run.
#[derive(Default)]
struct Runs {
    admitted: Vec<u64>,
    refused: Vec<u64>,
    delayed: Vec<u64>,
    incomplete: Vec<usize>,
}

impl Runs {
    fn push(&mut self, stats: ThrottleStats, incomplete: usize) {
        self.admitted.push(stats.served + stats.delayed);
        self.refused.push(stats.refused);
        self.delayed.push(stats.delayed);
        self.incomplete.push(incomplete);
    }
}

fn mean<T: Copy + Into<f64>>(values: &[T]) -> f64 {
    values.iter().map(|&v| v.into()).sum::<f64>() / values.len().max(1) as f64
}

fn mean_u64(values: &[u64]) -> f64 {
    values.iter().map(|&v| v as f64).sum::<f64>() / values.len().max(1) as f64
}

fn sliding(per_second: u32) -> Throttle {
    Throttle::sliding(per_second, Duration::from_secs(1)).holding(HOLD, Duration::from_secs(30))
}

/// Prints the summary of one workload: both sides against the modelled minimum.
fn report(workload: &str, per_second: u32, paced: &Runs, fixed: &Runs) {
    if paced.admitted.is_empty() {
        return;
    }
    let admitted = mean_u64(&paced.admitted[paced.admitted.len().saturating_sub(support::SAMPLES)..]);
    let ideal = Duration::from_secs_f64(admitted / f64::from(per_second));
    println!("{workload}: modelled minimum = {admitted:.0} requests / {per_second} per second = {ideal:.3?}");
    support::against_ideal(&format!("{workload} paced/modelled"), &format!("{workload} paced"), ideal);
    support::against_ideal(
        &format!("{workload} fixed-{FIXED_CONCURRENCY}/modelled"),
        &format!("{workload} fixed"),
        ideal,
    );
    support::ratio(
        &format!("{workload} paced/fixed-{FIXED_CONCURRENCY}"),
        &format!("{workload} paced"),
        &format!("{workload} fixed"),
    );
    for (side, runs) in [("paced", paced), ("fixed-16, retries", fixed)] {
        println!(
            "429 {workload} {side}: {:.1} refused per run (max {}), {:.1} held per run, {:.1} requests admitted, {:.1} not done (tokens not rotated / users not fully offboarded / scan failed), over {} runs",
            mean_u64(&runs.refused),
            runs.refused.iter().max().unwrap_or(&0),
            mean_u64(&runs.delayed),
            mean_u64(&runs.admitted),
            mean(&runs.incomplete.iter().map(|&n| n as u32).collect::<Vec<_>>()),
            runs.refused.len(),
        );
    }
}

/// A fresh organization with `n` due tokens of Alice, all stored; the throttle is switched on
/// after seeding.
async fn rotate_setup(pacing: Pacing, fixed: bool) -> (Azure, Rotator) {
    let emulator = Azure::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(alice.bearer.clone()))
        .transport(emulator.clone())
        .pacing(pacing)
        .build()
        .unwrap();
    let store = Arc::new(InMemoryTokenStore::new());
    for i in 0..ROTATIONS {
        let seeded = emulator.seed_pat(
            "fabrikam",
            alice.id,
            SeedPat::new(format!("token {i}"), "vso.code").valid_to(emulator.now() + chrono::TimeDelta::days(2)),
        );
        let metadata = client.get(&seeded.id).await.unwrap();
        let record = PatRecord::new(format!("t{i:04}"), "azure-devops", "fabrikam", metadata, emulator.now());
        store.put(StoredPat { record, secret: seeded.secret }).await.unwrap();
    }
    emulator.set_throttle(Some(sliding(ROTATE_PER_SECOND)));
    let mut rotator = Rotator::new(client, store).lifetime(Duration::from_secs(30 * 86_400));
    if fixed {
        rotator = rotator.concurrency(FIXED_CONCURRENCY);
    }
    (emulator, rotator)
}

/// A fresh organization with `USERS` leavers of `TOKENS_PER_USER` tokens each.
fn offboard_setup(pacing: Pacing, fixed: bool) -> (Azure, Offboarding, Vec<String>) {
    let emulator = Azure::new();
    emulator.add_organization("fabrikam");
    let admin = emulator.add_user("Admin");
    emulator.make_org_admin("fabrikam", admin.id);
    let mut leavers = Vec::new();
    for u in 0..USERS {
        let leaver = emulator.add_user(&format!("Leaver {u}"));
        for i in 0..TOKENS_PER_USER {
            emulator.seed_pat("fabrikam", leaver.id, SeedPat::new(format!("t{i}"), "vso.code"));
        }
        leavers.push(leaver.descriptor.clone());
    }
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(admin.bearer.clone()))
        .transport(emulator.clone())
        .pacing(pacing)
        .build()
        .unwrap();
    emulator.set_throttle(Some(sliding(OFFBOARD_PER_SECOND)));
    let mut offboarding = Offboarding::new(client.token_admin());
    if fixed {
        offboarding = offboarding.concurrency(FIXED_CONCURRENCY);
    }
    (emulator, offboarding, leavers)
}

/// A fresh instance with `SCAN_TOKENS` tokens over 100 users, scanned by an administrator.
fn scan_setup(pacing: Pacing) -> (GitLab, Scan) {
    let emulator = GitLab::new();
    let root = emulator.add_admin("root");
    let admin = emulator.seed_token(root.id, SeedToken::new("admin", &["api"]));
    let users: Vec<u64> = (0..100).map(|u| emulator.add_user(&format!("user{u}")).id).collect();
    for i in 0..SCAN_TOKENS - 1 {
        emulator.seed_token(users[i % users.len()], SeedToken::new(&format!("t{i}"), &["read_api"]));
    }
    let client = GitLabClient::builder(GitLabCredential::private_token(admin.secret.expose_secret().to_owned()))
        .base_url("https://gitlab.example.com/api/v4")
        .transport(emulator.clone())
        .all_users(true)
        .pacing(pacing)
        .build()
        .unwrap();
    emulator.set_throttle(Some(Throttle::fixed(SCAN_PER_SECOND, Duration::from_secs(1))));
    (emulator, Scan::new().provider(client))
}

fn side(fixed: bool) -> (&'static str, Pacing) {
    if fixed { ("fixed", Pacing::Off) } else { ("paced", Pacing::default()) }
}

fn throttled(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let runs: Arc<Mutex<[Runs; 6]>> = Arc::default();
    let mut group = c.benchmark_group("throttled");
    group.sample_size(support::SAMPLES).warm_up_time(Duration::from_millis(1)).measurement_time(Duration::from_secs(1));

    for fixed in [false, true] {
        let (name, pacing) = side(fixed);
        let slot = usize::from(fixed);
        let runs = runs.clone();
        group.bench_function(format!("azure rotate {ROTATIONS} tokens, {ROTATE_PER_SECOND}/s, {name}"), |b| {
            let runs = runs.clone();
            let pacing = pacing.clone();
            b.to_async(&runtime).iter_custom(move |iters| {
                let (runs, pacing) = (runs.clone(), pacing.clone());
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (emulator, rotator) = rotate_setup(pacing.clone(), fixed).await;
                        let start = Instant::now();
                        let report = rotator.rotate_all().await.unwrap();
                        total += start.elapsed();
                        runs.lock().unwrap()[slot]
                            .push(emulator.throttle_stats(), ROTATIONS - report.rotated().count());
                    }
                    support::record(&format!("azure rotate {name}"), iters, total)
                }
            })
        });
    }
    for fixed in [false, true] {
        let (name, pacing) = side(fixed);
        let slot = 2 + usize::from(fixed);
        let runs = runs.clone();
        group.bench_function(
            format!("azure offboard {USERS}x{TOKENS_PER_USER}, {OFFBOARD_PER_SECOND}/s, {name}"),
            |b| {
                let runs = runs.clone();
                let pacing = pacing.clone();
                b.to_async(&runtime).iter_custom(move |iters| {
                    let (runs, pacing) = (runs.clone(), pacing.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let (emulator, offboarding, leavers) = offboard_setup(pacing.clone(), fixed);
                            let start = Instant::now();
                            let reports = offboarding.run_many(leavers.iter()).await;
                            total += start.elapsed();
                            let incomplete =
                                reports.iter().filter(|r| !r.as_ref().is_ok_and(|r| r.is_complete())).count();
                            runs.lock().unwrap()[slot].push(emulator.throttle_stats(), incomplete);
                        }
                        support::record(&format!("azure offboard {name}"), iters, total)
                    }
                })
            },
        );
    }
    for fixed in [false, true] {
        let (name, pacing) = side(fixed);
        let slot = 4 + usize::from(fixed);
        let runs = runs.clone();
        group.bench_function(format!("gitlab admin scan {SCAN_TOKENS} tokens, {SCAN_PER_SECOND}/s, {name}"), |b| {
            let runs = runs.clone();
            let pacing = pacing.clone();
            b.to_async(&runtime).iter_custom(move |iters| {
                let (runs, pacing) = (runs.clone(), pacing.clone());
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (emulator, scan) = scan_setup(pacing.clone());
                        let start = Instant::now();
                        let report = scan.run().await;
                        total += start.elapsed();
                        let incomplete = if report.is_ok() { 0 } else { SCAN_TOKENS };
                        runs.lock().unwrap()[slot].push(emulator.throttle_stats(), incomplete);
                    }
                    support::record(&format!("gitlab scan {name}"), iters, total)
                }
            })
        });
    }
    group.finish();

    let runs = runs.lock().unwrap();
    report("azure rotate", ROTATE_PER_SECOND, &runs[0], &runs[1]);
    report("azure offboard", OFFBOARD_PER_SECOND, &runs[2], &runs[3]);
    report("gitlab scan", SCAN_PER_SECOND, &runs[4], &runs[5]);
}

criterion_group!(benches, throttled);
criterion_main!(benches);
