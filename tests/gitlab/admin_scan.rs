//! An administrator's scan of every user's tokens: a `GitLabClient` built with
//! `all_users(true)` lists without a `user_id` filter, so `Scan` sees the whole instance.
#![cfg(all(feature = "emulator", feature = "gitlab"))]

use std::collections::BTreeSet;

use chrono::Utc;
use patkit::gitlab::GitLabClient;
use patkit::gitlab::GitLabCredential;
use patkit::gitlab::emulator::{Emulator, SeedToken};
use patkit::lifecycle::{Scan, View};
use patkit::{PatProvider, PatSecret};

/// The emulator's own clock, as the client's and the scan's.
#[derive(Debug, Clone)]
struct EmulatorClock(Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.0.now()
    }
}

fn client(emulator: &Emulator, secret: &PatSecret, all_users: bool) -> GitLabClient {
    GitLabClient::builder(GitLabCredential::private_token(secret.expose_secret().to_owned()))
        .base_url("https://gitlab.example.com/api/v4")
        .transport(emulator.clone())
        .clock(EmulatorClock(emulator.clone()))
        .all_users(all_users)
        .build()
        .unwrap()
}

/// The ids a scan of `provider` reports from the server's listing.
async fn scanned(emulator: &Emulator, provider: GitLabClient) -> BTreeSet<u64> {
    let report = Scan::new().provider(provider).clock(EmulatorClock(emulator.clone())).run().await.unwrap();
    report.findings.iter().filter(|f| f.view == View::Server).map(|f| f.token.id.as_str().parse().unwrap()).collect()
}

/// Alice and Bob each hold tokens; an admin's `all_users(true)` scan finds the tokens of both
/// (and the admin's own), while the default scan finds only the admin's own token.
#[tokio::test]
async fn an_admin_scan_with_all_users_finds_every_users_tokens() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root");
    let admin = emulator.seed_token(root.id, SeedToken::new("admin", &["read_api"]));
    let alice = emulator.add_user("alice").id;
    let bob = emulator.add_user("bob").id;
    let alices: Vec<u64> =
        (0..2).map(|i| emulator.seed_token(alice, SeedToken::new(&format!("alice {i}"), &["read_api"])).id).collect();
    let bobs = emulator.seed_token(bob, SeedToken::new("bob ci", &["api"])).id;

    let everyone = client(&emulator, &admin.secret, true);
    assert_eq!(everyone.organization(), "gitlab.example.com");
    let found = scanned(&emulator, everyone).await;
    let expected: BTreeSet<u64> = [admin.id, alices[0], alices[1], bobs].into();
    assert_eq!(found, expected, "every user's tokens are scanned");

    let own = scanned(&emulator, client(&emulator, &admin.secret, false)).await;
    assert_eq!(own, BTreeSet::from([admin.id]), "by default a scan sees the caller's own tokens only");
}

/// `all_users(true)` with a credential that is not an admin's: GitLab answers the caller's own
/// tokens only (as the option's docs say), never anyone else's.
#[tokio::test]
async fn all_users_without_an_admin_credential_sees_only_the_callers_tokens() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let bob = emulator.add_user("bob").id;
    let mine = emulator.seed_token(alice, SeedToken::new("alice", &["read_api"]));
    emulator.seed_token(bob, SeedToken::new("bob", &["read_api"]));
    let found = scanned(&emulator, client(&emulator, &mine.secret, true)).await;
    assert_eq!(found, BTreeSet::from([mine.id]));
}
