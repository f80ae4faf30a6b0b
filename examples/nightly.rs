//! A nightly rotation job over a team store in OpenBao / Vault, as a scheduler runs it: finish
//! what a crashed run left, rotate what is due with a grace period and a hand-off, print the
//! reports as JSON, and exit non-zero when a person is needed. The guide
//! `patkit::guide::unattended` explains each step.
//!
//! For real: the store from `BAO_ADDR`/`VAULT_ADDR` and a login (a token, an agent's token file
//! or an AppRole: see `patkit::store::VaultConfig`), the organization in `PATKIT_ORGANIZATION`,
//! the Azure DevOps user's Entra token from `AZURE_DEVOPS_ENTRA_TOKEN` or the Azure CLI's login,
//! and a hand-off program in `PATKIT_HANDOFF` (it gets the new secret on standard input):
//!
//! ```text
//! BAO_ADDR=https://bao.example.com:8200 BAO_ROLE_ID=… BAO_SECRET_ID_FILE=/run/secrets/secret-id \
//! PATKIT_ORGANIZATION=fabrikam PATKIT_HANDOFF=/usr/local/bin/push-token \
//!   cargo run --example nightly --features vault
//! ```
//!
//! `--emulator` runs it offline: the provider is the in-process emulator seeded with a few
//! tokens (also written to the store); the store is OpenBao when `BAO_ADDR`/`VAULT_ADDR` is set,
//! else an in-memory store. Secrets are never printed.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use patkit::TokenStore;
use patkit::azure::{AzureDevOpsClient, DefaultCredential};
use patkit::lifecycle::{CommandHook, HandOff, HookError, RotationHook, Rotator};
use patkit::store::{InMemoryTokenStore, VaultTokenStore};

/// Rotate what expires within two weeks, for 90 days, keeping the old token valid for a day.
const WINDOW: Duration = Duration::from_secs(14 * 86_400);
const LIFETIME: Duration = Duration::from_secs(90 * 86_400);
const GRACE: Duration = Duration::from_secs(86_400);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let emulated = std::env::args().skip(1).any(|a| a == "--emulator");
    let vault_configured =
        ["BAO_ADDR", "VAULT_ADDR"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    let store: Arc<dyn TokenStore> = if vault_configured || !emulated {
        Arc::new(VaultTokenStore::from_env()?)
    } else {
        eprintln!("BAO_ADDR / VAULT_ADDR not set: using an in-memory store");
        Arc::new(InMemoryTokenStore::new())
    };

    let (client, _emulator) = if emulated {
        let (client, emulator) = emulated::client_with_due_tokens(store.as_ref()).await?;
        (client, Some(emulator))
    } else {
        let organization = std::env::var("PATKIT_ORGANIZATION").map_err(|_| "set PATKIT_ORGANIZATION")?;
        (AzureDevOpsClient::builder(&organization, DefaultCredential::new()).build()?, None)
    };

    let mut rotator = Rotator::from_arcs(Arc::new(client), store).window(WINDOW).lifetime(LIFETIME).grace(GRACE);
    rotator = match std::env::var_os("PATKIT_HANDOFF") {
        Some(program) => rotator.hook(CommandHook::new(program).timeout(Duration::from_secs(60))),
        None => rotator.hook(Announce),
    };

    // 1. Finish or undo what a killed run left, and revoke tokens whose grace period is over.
    let recovered = rotator.recover().await?;
    // 2. Rotate what is due.
    let rotated = rotator.rotate_all().await?;
    // 3. Reports as data, for the scheduler's log or a webhook.
    println!("{}", serde_json::to_string_pretty(&recovered)?);
    println!("{}", serde_json::to_string_pretty(&rotated)?);

    let failures = recovered.failed().count() + rotated.failed().count();
    eprintln!("rotated {}, skipped {}, failed {failures}", rotated.rotated().count(), rotated.skipped().count());
    Ok(if failures == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The hand-off when no program is configured: says where the new token went (metadata only).
#[derive(Debug)]
struct Announce;

#[async_trait::async_trait]
impl RotationHook for Announce {
    fn name(&self) -> &str {
        "announce"
    }

    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        let until = hand_off.retiring_until.map_or_else(|| "now".to_owned(), |t| t.to_rfc3339());
        eprintln!("{}: new token {} stored; the old one is revoked after {until}", hand_off.entry, hand_off.new.id);
        Ok(())
    }
}

mod emulated {
    use chrono::TimeDelta;
    use patkit::auth::StaticCredential;
    use patkit::azure::AzureDevOpsClient;
    use patkit::azure::emulator::{Emulator, SeedPat};
    use patkit::{PatProvider, PatRecord, StoredPat, TokenStore};

    /// The emulator with one organization and user, and four stored tokens: two due.
    pub async fn client_with_due_tokens(
        store: &dyn TokenStore,
    ) -> Result<(AzureDevOpsClient, Emulator), Box<dyn std::error::Error>> {
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let robot = emulator.add_user("Rotation robot");
        let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(robot.bearer.clone()))
            .transport(emulator.clone())
            .build()?;
        let now = emulator.now();
        for (name, days) in
            [("nightly/nuget-feed", 120), ("nightly/ci-build", 3), ("nightly/release", 10), ("nightly/docs", 60)]
        {
            let seeded = emulator.seed_pat(
                "fabrikam",
                robot.id,
                SeedPat::new(name, "vso.code")
                    .valid_from(now - TimeDelta::days(30))
                    .valid_to(now + TimeDelta::days(days)),
            );
            let metadata = client.get_pat(&seeded.id).await?;
            let record = PatRecord::new(name, client.provider_name(), "fabrikam", metadata, now);
            store.put(StoredPat { record, secret: seeded.secret }).await?;
        }
        Ok((client, emulator))
    }
}
