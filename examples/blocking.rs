//! The lifecycle without async: mint a token into a file store, scan, rotate, revoke — a plain
//! `fn main`, no `#[tokio::main]`, through `patkit::blocking`.
//!
//! Runs on the in-process emulator, so it needs no network or credentials:
//! `cargo run --example blocking --features emulator,blocking`. Secrets are never printed.

use std::time::Duration;

use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::Emulator;
use patkit::blocking::{self, Provider, Rotator, Runtime, Scan, Store};
use patkit::lifecycle;
use patkit::store::FileTokenStore;
use patkit::{PatSpec, Scopes, SystemClock};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;

    // One runtime for the whole program, shared by every wrapper.
    let runtime = Runtime::new()?;
    let provider = Provider::new(&runtime, client);
    let dir = std::env::temp_dir().join(format!("patkit-blocking-example-{}", std::process::id()));
    let store = Store::open(&runtime, FileTokenStore::open(&dir))?;

    // A token that lives five days, created and stored in one step (or revoked if it cannot be stored).
    let mut spec = PatSpec::new("ci feed", Scopes::parse("vso.packaging")?);
    spec.valid_to = Some(emulator.now() + chrono::TimeDelta::days(5));
    let stored = blocking::mint_and_store(&provider, &store, spec, "ci/feed", &SystemClock)?;
    println!("stored {} as {:?}", stored.record.metadata.id, stored.record.name);

    // The scan sees it expiring within a week.
    let scan = lifecycle::Scan::new()
        .provider(provider.shared())
        .store(store.shared())
        .window(Duration::from_secs(7 * 86_400));
    println!("{}", Scan::new(&runtime, scan).run()?);

    // So the rotation replaces it, and revokes the old one once the new one is stored.
    let rotator = Rotator::new(&runtime, lifecycle::Rotator::new(provider.shared(), store.shared()));
    println!("{}", rotator.rotate_all()?);
    let current = store.get("ci/feed")?.expect("the entry is kept");
    println!("the stored token works: {}", provider.check_pat(&current.secret)?);
    println!("the old token works: {}", provider.check_pat(&stored.secret)?);

    provider.revoke_pat(&current.record.metadata.id)?;
    store.remove("ci/feed")?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
