//! Several rotator *processes* share one OpenBao KV mount and coordinate through its
//! check-and-set alone (issue 17 item 2).
//!
//! `harness = false`: this binary is its own child. The parent serves the Azure DevOps emulator
//! on loopback, seeds [`ENTRIES`] tokens that are due for rotation and stores them in the real
//! OpenBao dev server (`PATKIT_VAULT_ADDR` / `PATKIT_VAULT_TOKEN`, set by
//! `scripts/with-services.sh`) under a fresh prefix. Then it starts [`PROCESSES`] copies of
//! itself with `PATKIT_ROTATION_CHILD` set; each configures its store from environment
//! variables alone (`BAO_ADDR`, `BAO_TOKEN`, `PATKIT_VAULT_PREFIX`: `VaultTokenStore::from_env`)
//! and its provider as the real Azure DevOps client against the emulator's URL, waits for the
//! start signal on stdin, and rotates every due entry (`Rotator::rotate_all` in the first
//! process, the same over a seeded shuffle of the names in the others, so they contend in
//! different orders). Each prints one summary line.
//!
//! Afterwards the parent checks, from the emulator and the store:
//! - every entry was rotated exactly once: the rotations the children report add up to
//!   [`ENTRIES`], the emulator saw exactly [`ENTRIES`] creates, and each stored token is a
//!   replacement of that entry's seeded token;
//! - no orphan: the tokens still active at the emulator are exactly the stored ones, and every
//!   seeded token is revoked;
//! - nothing lost: every stored secret authenticates at the emulator, and no entry is left with
//!   an intent or a `previous`.
//!
//! Without a server it prints a notice and passes, unless `PATKIT_REQUIRE_SERVICES=1`.
//! `PATKIT_ROTATION_SEED` (default 17) seeds the shuffles.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use chrono::TimeDelta;
use futures_util::{StreamExt, TryStreamExt, stream};
use patkit::BearerToken;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::lifecycle::{Outcome, Rotator, SkipReason, VerifyOptions};
use patkit::store::{PatRecord, StoredPat, TokenStore, VaultToken, VaultTokenStore};
use patkit::transport::ReqwestTransport;

const CHILD_ENV: &str = "PATKIT_ROTATION_CHILD";
const URL_ENV: &str = "PATKIT_ROTATION_EMULATOR_URL";
const BEARER_ENV: &str = "PATKIT_ROTATION_BEARER";
const SEED_ENV: &str = "PATKIT_ROTATION_SEED";
const ORG: &str = "fabrikam";
/// Entries all processes rotate.
const ENTRIES: usize = 500;
/// Rotator processes.
const PROCESSES: usize = 4;
/// Entries each process rotates at once.
const CONCURRENCY: usize = 8;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    match std::env::var(CHILD_ENV).ok() {
        Some(index) => runtime.block_on(child(index.parse().unwrap())),
        None => {
            eprintln!("test processes_share_one_openbao_mount_through_check_and_set ...");
            if runtime.block_on(parent()) {
                eprintln!("test processes_share_one_openbao_mount_through_check_and_set ... ok");
            }
        }
    }
}

fn seed() -> u64 {
    std::env::var(SEED_ENV).ok().and_then(|s| s.parse().ok()).unwrap_or(17)
}

/// A tiny seeded generator for the shuffles (xorshift64*).
fn shuffle<T>(items: &mut [T], mut state: u64) {
    state = state.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..items.len()).rev() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let j = (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// One rotator process: store from the environment, real client against the emulator's URL.
async fn child(index: u64) {
    let url = std::env::var(URL_ENV).unwrap();
    let bearer = BearerToken::new(std::env::var(BEARER_ENV).unwrap());
    let client = AzureDevOpsClient::builder(ORG, StaticCredential::from(bearer))
        .base_url(url)
        .transport(ReqwestTransport::new().unwrap())
        .build()
        .unwrap();
    let store = VaultTokenStore::from_env().expect("the store from BAO_ADDR, BAO_TOKEN and PATKIT_VAULT_PREFIX");
    let rotator = Rotator::new(client, store.clone())
        .concurrency(CONCURRENCY)
        .verify(VerifyOptions { attempts: 3, backoff: std::time::Duration::from_millis(50) });

    // Ready: wait for the start signal, so every process starts at once.
    println!("READY");
    std::io::stdout().flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();

    let started = Instant::now();
    let report = if index == 0 {
        rotator.rotate_all().await.expect("listing the store")
    } else {
        let mut names: Vec<String> = store.list().await.unwrap().into_iter().map(|r| r.name).collect();
        shuffle(&mut names, seed() + index);
        rotator.rotate_names(names).await
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &report.entries {
        let kind = match &entry.outcome {
            Outcome::Rotated(_) => "rotated",
            Outcome::Skipped(SkipReason::NotDue { .. }) => "not_due",
            Outcome::Skipped(SkipReason::InProgress { .. }) => "in_progress",
            Outcome::Skipped(_) => "other_skip",
            Outcome::Failed(failure) => {
                eprintln!("child {index}: {} failed: {failure:?}", entry.name);
                "failed"
            }
            _ => "other",
        };
        *counts.entry(kind).or_default() += 1;
        if !entry.recovered.is_empty() {
            *counts.entry("recovered_steps").or_default() += entry.recovered.len();
        }
    }
    let counts: Vec<String> = counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("SUMMARY process={index} ms={} {}", started.elapsed().as_millis(), counts.join(" "));
}

/// Returns whether it ran (false: skipped for want of a server).
async fn parent() -> bool {
    let address = std::env::var("PATKIT_VAULT_ADDR").ok().filter(|v| !v.is_empty());
    let root = std::env::var("PATKIT_VAULT_TOKEN").ok().filter(|v| !v.is_empty());
    let (Some(address), Some(root)) = (address, root) else {
        if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") {
            panic!("PATKIT_REQUIRE_SERVICES=1 but PATKIT_VAULT_ADDR/PATKIT_VAULT_TOKEN are not set");
        }
        eprintln!("SKIPPED: no OpenBao/Vault server (run under scripts/with-services.sh)");
        return false;
    };
    let started = Instant::now();

    // The provider every process shares: the emulator on loopback.
    let emulator = Emulator::new();
    emulator.add_organization(ORG);
    let alice = emulator.add_user("Alice");
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let in_process = AzureDevOpsClient::builder(ORG, alice.credential()).transport(emulator.clone()).build().unwrap();

    // The store, under a prefix of its own.
    let prefix = format!("patkit-rotation-processes/{}", uuid::Uuid::new_v4().simple());
    let store =
        VaultTokenStore::builder(&address, VaultToken::new(root.clone()), Arc::new(ReqwestTransport::new().unwrap()))
            .prefix(prefix.clone())
            .build()
            .unwrap();

    // 500 tokens made 28 days ago that expire in 2 days: all due (the window is 7 days); their
    // replacements get the same 30-day lifetime, so they are not due again.
    let now = emulator.now();
    let mut seeded: BTreeMap<String, patkit::PatId> = BTreeMap::new();
    let mut entries = Vec::new();
    for i in 0..ENTRIES {
        let name = format!("team/svc-{i:03}");
        let seed = emulator.seed_pat(
            ORG,
            alice.id,
            SeedPat::new(format!("svc-{i:03}"), "vso.packaging")
                .valid_from(now - TimeDelta::days(28))
                .valid_to(now + TimeDelta::days(2)),
        );
        let metadata = in_process.get(&seed.id).await.unwrap();
        seeded.insert(name.clone(), seed.id.clone());
        entries
            .push(StoredPat { record: PatRecord::new(&name, "azure-devops", ORG, metadata, now), secret: seed.secret });
    }
    stream::iter(entries)
        .map(|entry| {
            let store = store.clone();
            async move { store.put(entry).await }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let creates_before = emulator.requests_seen(patkit::azure::operations::CREATE);
    eprintln!("seeded {ENTRIES} entries in {:?}", started.elapsed());

    // The processes: configured from the environment only.
    let mut children = Vec::new();
    for index in 0..PROCESSES {
        let mut command = Command::new(std::env::current_exe().unwrap());
        for var in
            ["VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "BAO_NAMESPACE", "VAULT_TOKEN_FILE", "BAO_TOKEN_FILE"]
        {
            command.env_remove(var);
        }
        let mut child = command
            .env(CHILD_ENV, index.to_string())
            .env(URL_ENV, server.base_url())
            .env(BEARER_ENV, alice.bearer.expose_secret())
            .env(SEED_ENV, seed().to_string())
            .env("BAO_ADDR", &address)
            .env("BAO_TOKEN", &root)
            .env("PATKIT_VAULT_PREFIX", &prefix)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        stdout.read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "READY", "child {index} did not start");
        children.push((child, stdout));
    }
    let rotation_started = Instant::now();
    for (child, _) in &mut children {
        child.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    }
    // Wait on blocking threads, so the emulator keeps serving on this runtime meanwhile.
    let mut rotated = 0;
    let mut failed = 0;
    for (index, (mut child, mut stdout)) in children.into_iter().enumerate() {
        let (status, summary) = tokio::task::spawn_blocking(move || {
            let mut summary = String::new();
            stdout.read_line(&mut summary).unwrap();
            (child.wait().unwrap(), summary)
        })
        .await
        .unwrap();
        assert!(status.success(), "child {index} exited with {status}");
        eprintln!("{}", summary.trim());
        let count = |key: &str| -> usize {
            summary
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
                .map_or(0, |v| v.parse().unwrap())
        };
        rotated += count("rotated");
        failed += count("failed");
    }
    eprintln!("{PROCESSES} processes rotated {rotated} entries in {:?} (seed {})", rotation_started.elapsed(), seed());

    // Exactly once.
    assert_eq!(failed, 0, "some rotations failed (see above)");
    assert_eq!(rotated, ENTRIES, "rotations reported by all processes together");
    assert_eq!(
        emulator.requests_seen(patkit::azure::operations::CREATE) - creates_before,
        ENTRIES as u64,
        "creates at the emulator: one per entry"
    );

    // What is stored: every entry, clean, holding a replacement of its own seeded token.
    let snapshot = emulator.snapshot();
    let now = emulator.now();
    let records = store.list().await.unwrap();
    assert_eq!(records.len(), ENTRIES);
    let mut stored_ids = BTreeSet::new();
    for record in &records {
        let entry = store.get(&record.name).await.unwrap().unwrap();
        assert!(entry.record.rotation.is_none() && entry.record.previous.is_none(), "{}: left unfinished", record.name);
        let old = &seeded[&record.name];
        assert_ne!(&entry.record.metadata.id, old, "{}: not rotated", record.name);
        let token = snapshot.token(&entry.record.metadata.id).expect("the stored token is at the emulator");
        let old_name = &snapshot.token(old).unwrap().display_name;
        assert!(
            token.display_name.starts_with(&format!("{old_name}~r")),
            "{}: stores {:?}, not a replacement of {old_name:?}",
            record.name,
            token.display_name
        );
        assert!(token.is_active(now), "{}: the stored token is not active", record.name);
        // Nothing lost: the stored secret authenticates.
        assert!(in_process.check_pat(&entry.secret).await.unwrap(), "{}: the stored secret is refused", record.name);
        assert!(snapshot.token(old).unwrap().revoked, "{}: the replaced token is still valid", record.name);
        stored_ids.insert(entry.record.metadata.id.clone());
    }
    // No orphan: what is active at the emulator is exactly what is stored.
    let active: BTreeSet<_> = snapshot.tokens_of(alice.id).filter(|t| t.is_active(now)).map(|t| t.id.clone()).collect();
    assert_eq!(active.len(), ENTRIES, "active tokens at the emulator");
    assert_eq!(active, stored_ids, "an active token is not stored (an orphan), or a stored one is not active");
    assert_eq!(snapshot.tokens_of(alice.id).count(), 2 * ENTRIES, "seeded + one replacement each");

    for record in &records {
        store.remove(&record.name).await.unwrap();
    }
    server.shutdown().await;
    eprintln!("total {:?}", started.elapsed());
    true
}
