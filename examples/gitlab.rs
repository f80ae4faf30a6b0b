//! The GitLab lifecycle, toured on the built-in GitLab emulator (no network, no credentials):
//! `cargo run --example gitlab --features emulator,gitlab`.
//!
//! 1. a rotation of stored tokens through GitLab's server-side rotate (the store is written
//!    before anything else, the rotate is never re-sent);
//! 2. the date-only expiry rule (a token never dies within the hour of being made);
//! 3. a scan of what the store holds against what the server holds;
//! 4. offboarding a user as an administrator.
//!
//! Secrets are never printed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use patkit::gitlab::emulator::{Emulator, SeedToken};
use patkit::gitlab::{ExpiryDate, GitLabClient, GitLabCredential};
use patkit::lifecycle::{Offboarding, Rotator, Scan};
use patkit::store::InMemoryTokenStore;
use patkit::{PatId, PatProvider, PatRecord, StoredPat, TokenStore, UserId};

const BASE_URL: &str = "https://gitlab.example.com/api/v4";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice");
    // Alice's management token (scope `api`) rotates her CI tokens; it is not one of them.
    let management = emulator.seed_token(alice.id, SeedToken::new("management", &["api"]));
    let client = GitLabClient::builder(GitLabCredential::private_token(management.secret.expose_secret().to_owned()))
        .base_url(BASE_URL)
        .transport(emulator.clone())
        .build()?;
    println!("capabilities: {:?}\n", client.capabilities());

    println!("1. Rotate stored tokens that expire within a week (server-side: the old one is revoked)");
    let store = Arc::new(InMemoryTokenStore::new());
    let today = emulator.now().date_naive();
    for (name, days) in [("ci-deploy", 3), ("ci-packages", 120)] {
        let seeded = emulator.seed_token(
            alice.id,
            SeedToken::new(name, &["read_api", "read_registry"])
                .created_at(emulator.now() - TimeDelta::days(60))
                .expires_at(Some(today + TimeDelta::days(days))),
        );
        let metadata = client.get(&PatId::new(seeded.id.to_string())).await?.metadata;
        store
            .put(StoredPat {
                record: PatRecord::new(name, client.provider_name(), client.organization(), metadata, emulator.now()),
                secret: seeded.secret,
            })
            .await?;
    }
    let rotator = Rotator::new(client.clone(), store.clone()).window(Duration::from_secs(7 * 86_400));
    println!("{}\n", rotator.plan().await?);
    let report = rotator.rotate_all().await?;
    println!("{report}\n");

    println!("2. Expiry is a date that ends at 00:00 UTC: asking for one minute gives at least an hour");
    let now = emulator.now();
    let date = ExpiryDate::covering(now + TimeDelta::minutes(1), now);
    println!(
        "   asked {}, sending expires_at={} (dies {})\n",
        now + TimeDelta::minutes(1),
        date.date(),
        date.ends_at()
    );

    println!("3. Scan the store against the server");
    let scan = Scan::new().provider(client.clone()).store(store.clone()).window(Duration::from_secs(30 * 86_400));
    println!("{}\n", scan.run().await?);

    println!("4. Offboard Bob as an administrator: list his tokens by user id, revoke each");
    let bob = emulator.add_user("bob");
    for name in ["laptop", "old-ci"] {
        emulator.seed_token(bob.id, SeedToken::new(name, &["read_repository"]));
    }
    let root = emulator.add_admin("root");
    let admin_token = emulator.seed_token(root.id, SeedToken::new("admin", &["api"]));
    let admin = GitLabClient::builder(GitLabCredential::private_token(admin_token.secret.expose_secret().to_owned()))
        .base_url(BASE_URL)
        .transport(emulator.clone())
        .build()?;
    let report = Offboarding::new(admin).run(UserId::new(bob.id.to_string())).await?;
    println!("{report}");
    let left = emulator.snapshot().tokens.iter().filter(|t| t.user_id == bob.id && t.active).count();
    println!("   Bob's active tokens left on the server: {left}");
    Ok(())
}
