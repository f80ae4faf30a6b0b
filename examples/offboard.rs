//! Offboarding: revoke every PAT of a user who leaves, through Token Admin; `--dry-run` only
//! reports what would be revoked.
//!
//! Runs on the in-process emulator (a leaver with a dozen tokens, a colleague with a few), so it
//! needs no network or credentials: `cargo run --example offboard --features emulator -- [--dry-run]`.

use chrono::TimeDelta;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::lifecycle::Offboarding;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dry_run = std::env::args().skip(1).any(|a| a == "--dry-run");
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let admin = emulator.add_user("Org Admin");
    emulator.make_org_admin("fabrikam", admin.id);
    let leaver = emulator.add_user("Leaver");
    let colleague = emulator.add_user("Colleague");
    for i in 0..12 {
        let issued = emulator.now() - TimeDelta::days(30 * i);
        emulator.seed_pat(
            "fabrikam",
            leaver.id,
            SeedPat::new(format!("leaver token {i}"), "vso.code").valid_from(issued),
        );
    }
    for i in 0..3 {
        emulator.seed_pat("fabrikam", colleague.id, SeedPat::new(format!("colleague token {i}"), "vso.build"));
    }
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(admin.bearer.clone()))
        .transport(emulator.clone())
        .build()?;

    let report = Offboarding::new(client.token_admin()).dry_run(dry_run).run(&leaver.descriptor).await?;
    println!("{report}");
    let snapshot = emulator.snapshot();
    println!(
        "\nserver: leaver has {} active token(s); colleague has {} active token(s)",
        snapshot.tokens_of(leaver.id).filter(|t| t.is_active(snapshot.now)).count(),
        snapshot.tokens_of(colleague.id).filter(|t| t.is_active(snapshot.now)).count(),
    );
    Ok(())
}
