//! Rotating stored tokens that expire soon, crash-safely; `--dry-run` only prints the plan.
//!
//! Runs on the in-process emulator (seeded with a few tokens), so it needs no network or
//! credentials: `cargo run --example rotate --features emulator -- [--dry-run]`. Secrets are
//! never printed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::lifecycle::Rotator;
use patkit::store::InMemoryTokenStore;
use patkit::{PatRecord, StoredPat, TokenStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dry_run = std::env::args().skip(1).any(|a| a == "--dry-run");
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(alice.bearer.clone()))
        .transport(emulator.clone())
        .build()?;
    let store = Arc::new(InMemoryTokenStore::new());
    let now = emulator.now();
    for (name, days) in [("nuget-feed", 120), ("ci-build", 3), ("old-deploy", -5), ("release", 6)] {
        let seeded = emulator.seed_pat(
            "fabrikam",
            alice.id,
            SeedPat::new(name, "vso.code vso.packaging")
                .valid_from(now - TimeDelta::days(60))
                .valid_to(now + TimeDelta::days(days)),
        );
        let metadata = client.get(&seeded.id).await?;
        store
            .put(StoredPat {
                record: PatRecord::new(name, "azure-devops", "fabrikam", metadata, now),
                secret: seeded.secret,
            })
            .await?;
    }

    let rotator = Rotator::new(client, store.clone())
        .window(Duration::from_secs(7 * 86_400))
        .lifetime(Duration::from_secs(90 * 86_400))
        .concurrency(4);
    if dry_run {
        println!("dry run: nothing is changed\n");
        println!("{}", rotator.plan().await?);
        return Ok(());
    }
    let report = rotator.rotate_all().await?;
    println!("{report}");
    println!("\nserver state afterwards:");
    for token in emulator.snapshot().tokens {
        let state = if token.revoked {
            "revoked"
        } else if token.is_expired(emulator.now()) {
            "expired"
        } else {
            "active"
        };
        println!("  {:<45} {state}", token.display_name);
    }
    Ok(())
}
