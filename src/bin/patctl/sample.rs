//! `--emulator`: an in-process emulator of Azure DevOps with sample tokens, so every command can
//! be tried without an organization. Nothing leaves the process; the state ends with it.

use std::sync::Arc;

use chrono::TimeDelta;
use patkit::azure::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::azure::{AzureDevOpsClient, PROVIDER_NAME};
use patkit::store::InMemoryTokenStore;
use patkit::{Clock, PatRecord, StoredPat, TokenStore};

use crate::failure::Failure;

/// The organization of the sample.
pub const ORG: &str = "fabrikam";

/// The emulator with its sample users and a store holding some of Alice's tokens.
#[derive(Debug)]
pub struct Sample {
    pub emulator: Emulator,
    pub alice: EmulatedUser,
    pub store: Arc<dyn TokenStore>,
}

impl Sample {
    /// Seeds: Alice (you, an organization admin) with tokens expired, expiring soon, fine,
    /// revoked and global, plus `extra` more; Bob (to offboard; `bob@fabrikam.example`) with
    /// three and an SSH key. Four of Alice's are
    /// in the store.
    /// The emulator's "now" comes from `clock`.
    pub async fn new(extra: u32, clock: Arc<dyn Clock>) -> Result<Self, Failure> {
        let emulator = Emulator::with_clock(clock);
        emulator.add_organization(ORG);
        let alice = emulator.add_user("Alice");
        emulator.make_org_admin(ORG, alice.id);
        let bob = emulator.add_user("Bob");
        emulator.add_member(ORG, bob.id);
        emulator.set_user_identity(bob.id, "bob@fabrikam.example", Some("bob@fabrikam.example"));
        emulator.seed_ssh_key(ORG, bob.id, "bob's laptop");
        let now = emulator.now();
        let days = TimeDelta::days;

        let seed = |name: &str, scope: &str, valid_to: TimeDelta| {
            emulator.seed_pat(
                ORG,
                alice.id,
                SeedPat::new(name, scope).valid_from(now - days(30)).valid_to(now + valid_to),
            )
        };
        let stored = [
            ("ci/nuget-feed", seed("nuget feed (CI)", "vso.packaging", days(3))),
            ("ci/build-agent", seed("build agent", "vso.build_execute vso.code", days(200))),
            ("deploy/release", seed("release pipeline", "vso.release_execute", days(10))),
            ("tools/old-script", seed("old script", "vso.code", days(-2))),
        ];
        seed("laptop git", "vso.code_write", days(25));
        emulator.seed_pat(
            ORG,
            alice.id,
            SeedPat::new("leaked token", "vso.code").valid_to(now + days(90)).revoked(true),
        );
        emulator.seed_pat(ORG, alice.id, SeedPat::new("everything", "vso.code").valid_to(now + days(60)).global());
        for i in 0..extra {
            seed(&format!("sample {i:05}"), "vso.code", days(1 + i64::from(i % 300)));
        }
        for (name, scope) in [("bob laptop", "vso.code_write"), ("bob ci", "vso.build"), ("bob feed", "vso.packaging")]
        {
            emulator.seed_pat(ORG, bob.id, SeedPat::new(name, scope).valid_to(now + days(45)));
        }

        let client = AzureDevOpsClient::builder(ORG, alice.credential()).transport(emulator.clone()).build()?;
        let store = InMemoryTokenStore::new();
        for (entry, seeded) in stored {
            let metadata = client.get(&seeded.id).await?;
            let record = PatRecord::new(entry, PROVIDER_NAME, ORG, metadata, now);
            store.put(StoredPat { record, secret: seeded.secret }).await?;
        }
        Ok(Self { emulator, alice, store: Arc::new(store) })
    }

    /// The subject descriptor of the sample user called `name` (case-insensitive), e.g. `Bob`.
    pub fn descriptor_of(&self, name: &str) -> Option<String> {
        self.emulator
            .snapshot()
            .users
            .into_iter()
            .find(|u| u.display_name.eq_ignore_ascii_case(name))
            .map(|u| u.descriptor)
    }
}

/// `--emulator --provider gitlab`: an in-process GitLab emulator. You are `alice`, an instance
/// administrator whose `api`+`sudo` PAT manages her own tokens (so `create` works, as an
/// administrator creating for herself); some of her tokens are in an in-memory store.
#[derive(Debug)]
pub struct GitLabSample {
    pub client: patkit::gitlab::GitLabClient,
    pub store: Arc<dyn TokenStore>,
}

impl GitLabSample {
    /// Seeds alice's tokens: expiring in 3 days, in 10 days, in 200 days, and one revoked; the
    /// first three are in the store.
    pub async fn new(clock: Arc<dyn Clock>) -> Result<Self, Failure> {
        use patkit::gitlab::emulator::{Emulator as GitLab, SeedToken};
        let emulator = GitLab::with_clock(clock.clone());
        let alice = emulator.add_admin("alice");
        let today = clock.now().date_naive();
        let in_days = |d: i64| Some(today + TimeDelta::days(d));
        let admin = emulator
            .seed_token(alice.id, SeedToken::new("patctl sample (admin)", &["api", "sudo"]).expires_at(in_days(300)));
        let client = patkit::gitlab::GitLabClient::builder(patkit::gitlab::GitLabCredential::private_token(
            admin.secret.expose_secret().to_owned(),
        ))
        .base_url("https://gitlab.example/api/v4")
        .transport(emulator.clone())
        .clock(clock.clone())
        .create_for_user(alice.id.to_string())
        .build()?;
        let store = InMemoryTokenStore::new();
        for (entry, name, days) in
            [("ci/registry", "registry (CI)", 3), ("deploy/prod", "deploy prod", 10), ("tools/bot", "bot", 200)]
        {
            let seeded = emulator
                .seed_token(alice.id, SeedToken::new(name, &["read_registry", "read_api"]).expires_at(in_days(days)));
            let metadata = client.get(&patkit::PatId::new(seeded.id.to_string())).await?.metadata;
            let record = PatRecord::new(entry, patkit::gitlab::PROVIDER_NAME, client.host(), metadata, clock.now());
            store.put(StoredPat { record, secret: seeded.secret }).await?;
        }
        emulator.seed_token(alice.id, SeedToken::new("leaked", &["api"]).expires_at(in_days(90)).revoked());
        Ok(Self { client, store: Arc::new(store) })
    }
}
