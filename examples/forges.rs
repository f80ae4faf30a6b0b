//! Password-minted tokens — Forgejo (Gitea) and Bitbucket Data Center — toured on the built-in
//! emulators (no network, no credentials):
//! `cargo run --example forges --features emulator,gitea,bitbucket`.
//!
//! 1. a password credential that asks once for the password and at every login for the
//!    two-factor code (here a scripted "terminal");
//! 2. a scan of Forgejo tokens, which never expire: reported as `NoExpiry`, and past a
//!    maximum age as `Stale`;
//! 3. rotation by age on Forgejo (create a uniquely named replacement, store and check it, then
//!    delete the old token);
//! 4. rotation by expiry on Bitbucket (the replacement carries the new expiry in whole days).
//!
//! Secrets, passwords and codes are never printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use futures_util::TryStreamExt as _;
use patkit::auth::{PasswordCredential, PromptFor, prompt_fn};
use patkit::bitbucket::BitbucketClient;
use patkit::gitea::{Flavor, GiteaClient};
use patkit::lifecycle::{Rotator, Scan};
use patkit::store::InMemoryTokenStore;
use patkit::{ListQuery, PatId, PatProvider, PatProviderExt as _, PatRecord, StoredPat, TokenStore};

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("1. A password login with a two-factor code, asked of a (scripted) terminal");
    let forgejo = patkit::gitea::emulator::Emulator::forgejo();
    let alice = forgejo.add_user("alice", "correct horse battery staple");
    forgejo.set_one_time_code(alice.id, Some("492039"));
    let asked = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&asked);
    let terminal = prompt_fn(move |what, user| {
        count.fetch_add(1, Ordering::SeqCst);
        println!("   (the terminal asks {user} for {what:?})");
        Ok(match what {
            PromptFor::Password => "correct horse battery staple".to_owned(),
            _ => "492039".to_owned(),
        })
    });
    let login = PasswordCredential::prompt("alice", terminal.clone()).with_one_time_code_prompt(terminal);
    println!("   {login:?}");
    let client = GiteaClient::builder("https://code.example.org/api/v1", login)
        .flavor(Flavor::Forgejo)
        .transport(forgejo.clone())
        .build()?;
    println!("   capabilities: {:?}\n", client.capabilities());

    println!("2. Scan: Forgejo tokens never expire; one older than 90 days is stale");
    let store = Arc::new(InMemoryTokenStore::new());
    for (name, age) in [("ci-deploy", 200), ("ci-docs", 10)] {
        let seeded = forgejo.seed_token(
            alice.id,
            patkit::gitea::emulator::SeedToken::new(name, &["write:repository"])
                .created_at(forgejo.now() - TimeDelta::days(age)),
        );
        let id = PatId::new(seeded.id.to_string());
        let listed: Vec<_> = client.list_all(ListQuery::default()).try_collect().await?;
        let metadata = listed.into_iter().find(|t| t.id == id).ok_or("seeded token not listed")?;
        let record = PatRecord::new(name, client.provider_name(), client.organization(), metadata, forgejo.now());
        store.put(StoredPat { record, secret: seeded.secret }).await?;
    }
    let scan = Scan::new().provider(Arc::new(client.clone())).store(store.clone()).max_age(90 * DAY).run().await?;
    println!("{scan}\n");

    println!("3. Rotate by age: every token older than 90 days gets a replacement");
    let report = Rotator::new(client.clone(), store.clone()).max_age(90 * DAY).rotate_all().await?;
    println!("{report}");
    println!(
        "   the terminal was asked {} times (the password once, a code per login)\n",
        asked.load(Ordering::SeqCst)
    );

    println!("4. Bitbucket Data Center: expiry is whole days from creation, fixed; rotation re-creates");
    let bitbucket = patkit::bitbucket::emulator::Emulator::new();
    bitbucket.add_user("ci-bot", "hunter2-but-longer");
    let seeded = bitbucket.seed_token(
        "ci-bot",
        patkit::bitbucket::emulator::SeedToken::new("ci-mirror", &["PROJECT_READ", "REPO_WRITE"])
            .created(bitbucket.now() - TimeDelta::days(87))
            .expiry_days(90),
    );
    let client = BitbucketClient::builder(
        "https://bitbucket.example.com",
        PasswordCredential::new("ci-bot", "hunter2-but-longer".to_owned()),
    )
    .transport(bitbucket.clone())
    .build()?;
    let metadata = client.get_pat(&PatId::new(seeded.id.clone())).await?;
    let record = PatRecord::new("ci-mirror", client.provider_name(), client.organization(), metadata, bitbucket.now());
    store.put(StoredPat { record, secret: seeded.secret }).await?;
    let rotator = Rotator::new(client, store.clone()).window(7 * DAY).lifetime(90 * DAY);
    println!("{}", rotator.rotate("ci-mirror").await);
    let stored = store.get("ci-mirror").await?.ok_or("entry missing")?;
    println!(
        "   stored: {} ({}), expires {:?}",
        stored.record.metadata.display_name, stored.record.metadata.id, stored.record.metadata.valid_to
    );
    println!("   tokens left on the server: {}", bitbucket.snapshot().tokens.len());
    Ok(())
}
