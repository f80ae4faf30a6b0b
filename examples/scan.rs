//! Expiry scan, reconciled between a store and the server, with a notification hook.
//!
//! Runs on the in-process emulator (seeded with a few tokens), so it needs no network or
//! credentials: `cargo run --example scan --features emulator`. Secrets are never printed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::lifecycle::{Finding, Scan, sink_fn};
use patkit::store::InMemoryTokenStore;
use patkit::{PatRecord, StoredPat, TokenStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(alice.bearer.clone()))
        .transport(emulator.clone())
        .build()?;
    let store = Arc::new(InMemoryTokenStore::new());
    let now = emulator.now();

    // Stored tokens: one fine, one expiring in 3 days, one expired, one revoked in the web UI.
    for (name, days, revoke) in
        [("nuget-feed", 120, false), ("ci-build", 3, false), ("old-deploy", -5, false), ("release", 40, true)]
    {
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
        if revoke {
            client.revoke(&seeded.id).await?;
        }
    }
    // And one made by hand that no store knows about.
    emulator.seed_pat("fabrikam", alice.id, SeedPat::new("made by hand", "vso.work"));

    let alert = sink_fn(|finding: Finding| async move {
        if finding.kind.needs_attention() {
            println!("ALERT {finding}");
        }
    });
    let report =
        Scan::new().provider(client).store(store).window(Duration::from_secs(14 * 86_400)).run_with(&alert).await?;
    println!();
    println!("{report}");
    Ok(())
}
