//! The GitLab client against the GitLab emulator — two implementations of the fact sheet written
//! apart — in process and over loopback HTTP: the provider conformance suite, the admin seam, a
//! rotate whose answer is lost after the server committed it, and the expiry rule end to end.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use chrono::{NaiveTime, TimeDelta, TimeZone, Utc};
use patkit::gitlab::emulator::{Emulator, EmulatorServer, Fault, FaultRule, SeedToken};
use patkit::gitlab::{GitLabClient, GitLabCredential, operations as op};
use patkit::testing::provider_conformance::{self, Setup};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CreatedPat, ManualClock, PatAdmin, PatId, PatMetadata, PatProvider, Scopes, UserId};

/// An instance with one user, Alice, and her management token (scope `api`).
struct Instance {
    emulator: Emulator,
    alice: u64,
    management: patkit::PatSecret,
    _server: Option<EmulatorServer>,
    base_url: String,
    loopback: bool,
}

impl Instance {
    async fn new(loopback: bool) -> Self {
        Self::with_emulator(Emulator::new(), loopback).await
    }

    async fn with_emulator(emulator: Emulator, loopback: bool) -> Self {
        let alice = emulator.add_user("alice").id;
        let management = emulator.seed_token(alice, SeedToken::new("management", &["api"])).secret;
        let (server, base_url) = if loopback {
            let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
            let base = format!("{}/api/v4", server.base_url());
            (Some(server), base)
        } else {
            (None, "https://gitlab.example.com/api/v4".to_owned())
        };
        Self { emulator, alice, management, _server: server, base_url, loopback }
    }

    fn client_with(&self, secret: &patkit::PatSecret) -> patkit::gitlab::GitLabClientBuilder {
        let builder = GitLabClient::builder(GitLabCredential::private_token(secret.expose_secret().to_owned()))
            .base_url(&self.base_url)
            .clock(EmulatorClock(self.emulator.clone()));
        if self.loopback {
            builder.transport(ReqwestTransport::new().unwrap())
        } else {
            builder.transport(self.emulator.clone())
        }
    }

    fn client(&self) -> GitLabClient {
        self.client_with(&self.management).build().unwrap()
    }

    /// A token of Alice's made the way a person would (the web UI), as the conformance suite's
    /// seeder: its metadata as GitLab reports it.
    fn seed(&self, name: &str) -> CreatedPat {
        let expires = (self.emulator.now() + TimeDelta::days(30)).date_naive();
        let seeded =
            self.emulator.seed_token(self.alice, SeedToken::new(name, &["read_api"]).expires_at(Some(expires)));
        let token = self.emulator.token(seeded.id).unwrap();
        CreatedPat {
            metadata: PatMetadata {
                id: PatId::new(seeded.id.to_string()),
                display_name: token.name,
                scopes: Scopes::parse(&token.scopes.join(" ")).unwrap(),
                valid_from: token.created_at,
                valid_to: token.expires_at.map(|d| d.and_time(NaiveTime::MIN).and_utc()),
                extras: patkit::Extras::new(),
            },
            secret: seeded.secret,
        }
    }
}

/// The emulator's own clock, as the client's (the suite compares expiries against "now").
#[derive(Debug, Clone)]
struct EmulatorClock(Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.0.now()
    }
}

async fn conformance_on(loopback: bool) {
    let instance = Instance::new(loopback).await;
    let client = instance.client();
    let seeder = |name: &str| instance.seed(name);
    let setup = Setup::new(Scopes::parse("read_api").unwrap()).seeder(&seeder);
    provider_conformance::run_all(&client, &setup).await;
    let shared: Arc<dyn PatProvider> = Arc::new(client);
    provider_conformance::run_all(&shared, &setup).await;
}

#[tokio::test]
async fn the_provider_conformance_suite_passes_in_process() {
    conformance_on(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_conformance_suite_passes_over_loopback() {
    conformance_on(true).await;
}

/// An admin client built with `create_for_user` can create (the capability says so): the token
/// is the user's, and its secret authenticates.
#[tokio::test]
async fn an_admin_creates_tokens_for_a_user() {
    let emulator = Emulator::new();
    let admin = emulator.add_admin("root");
    let admin_secret = emulator.seed_token(admin.id, SeedToken::new("admin", &["api"])).secret;
    let instance = Instance::with_emulator(emulator, false).await;
    let client = instance.client_with(&admin_secret).create_for_user(UserId::new(instance.alice.to_string()));
    let client = client.build().unwrap();
    assert!(PatProvider::capabilities(&client).create);
    let created =
        client.create_pat(patkit::PatSpec::new("for alice", Scopes::parse("read_api").unwrap())).await.unwrap();
    assert_eq!(instance.emulator.token(created.metadata.id.as_str().parse().unwrap()).unwrap().user_id, instance.alice);
    assert!(client.check_pat(&created.secret).await.unwrap(), "the minted secret authenticates");
}

/// Offboarding's seam: an admin lists a user's tokens by `user_id` and revokes them.
#[tokio::test]
async fn an_admin_lists_and_revokes_a_users_tokens() {
    let emulator = Emulator::new();
    let admin = emulator.add_admin("root");
    let admin_secret = emulator.seed_token(admin.id, SeedToken::new("admin", &["api"])).secret;
    let instance = Instance::with_emulator(emulator, false).await;
    let bob = instance.emulator.add_user("bob").id;
    for i in 0..3 {
        instance.emulator.seed_token(bob, SeedToken::new(&format!("bob {i}"), &["read_api"]));
    }
    let client = instance.client_with(&admin_secret).build().unwrap();
    let user = UserId::new(bob.to_string());
    let page = client.list_user_pats(&user, None).await.unwrap();
    assert_eq!(page.items.len(), 3, "{page:?}");
    let ids: Vec<PatId> = page.items.iter().map(|t| t.metadata.id.clone()).collect();
    client.revoke_many(&ids).await.unwrap();
    let snapshot = instance.emulator.snapshot();
    assert!(snapshot.tokens.iter().filter(|t| t.user_id == bob).all(|t| t.revoked), "every token of Bob's revoked");
    assert!(!instance.emulator.token(ids[0].as_str().parse().unwrap()).unwrap().active);
}

/// The server commits a rotate and the connection drops before its answer: the client reports
/// the failure, sends no second rotate, and the family is intact — the old token revoked, its
/// successor active and findable by reading (same name, `previous_id`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotate_whose_answer_is_lost_is_never_resent_and_the_family_survives() {
    let instance = Instance::new(true).await;
    let old = instance.emulator.seed_token(instance.alice, SeedToken::new("ci", &["read_api"]));
    instance.emulator.inject(FaultRule::new(op::PAT_ROTATE, Fault::CommitThenDrop).times(1));
    // Retries on, as by default: the rotate must still go out once.
    let client = instance.client_with(&instance.management).retry(RetryConfig::default()).build().unwrap();
    let old_id = PatId::new(old.id.to_string());
    let err = client.rotate_pat(&old_id, None).await.expect_err("the answer was lost");
    assert!(!matches!(err, patkit::Error::Api { status: 400, .. }), "no second rotate hit reuse detection: {err}");
    assert_eq!(instance.emulator.requests_seen(op::PAT_ROTATE), 1, "the rotate was sent once");
    let family = instance.emulator.family(old.id);
    let old_now = instance.emulator.token(old.id).unwrap();
    assert!(old_now.revoked, "the server applied the rotate");
    let successor = instance.emulator.token(old_now.rotated_to.expect("a successor")).unwrap();
    assert!(successor.active && !successor.revoked, "the family is intact: {family:?}");
    assert_eq!((successor.name.as_str(), successor.previous_id), ("ci", Some(old.id)));
    // Reading finds it: an active token of the same name, newer than the old one.
    let found: Vec<_> = client
        .list()
        .search("ci")
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|t| t.metadata.display_name == "ci" && t.active)
        .collect();
    assert_eq!(found.iter().map(|t| t.metadata.id.clone()).collect::<Vec<_>>(), [PatId::new(successor.id.to_string())]);
}

/// A token is never rotated (or created) to an expiry that leaves it dead within the hour, at any
/// time of day: the date sent is always at least an hour ahead of the emulator's "now", and the
/// emulator keeps the token active.
#[tokio::test]
async fn no_token_is_rotated_to_an_expiry_that_dies_within_the_hour() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap());
    let emulator = Emulator::with_clock(Arc::new(clock.clone()));
    let instance = Instance::with_emulator(emulator, false).await;
    let client = instance.client();
    let mut current = instance.emulator.seed_token(instance.alice, SeedToken::new("late", &["read_api"])).id;
    // Every 20 minutes of a day, asking for the shortest expiry there is (one minute from now).
    for step in 0..72 {
        clock.set(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(20 * step));
        let now = patkit::Clock::now(&clock);
        let rotated = client.rotate_pat(&PatId::new(current.to_string()), Some(now + TimeDelta::minutes(1))).await;
        let rotated = rotated.unwrap_or_else(|e| panic!("at {now}: {e}"));
        let valid_to = rotated.created.metadata.valid_to.expect("an expiry");
        assert!(valid_to - now >= TimeDelta::hours(1), "at {now}: the new token dies at {valid_to}");
        current = rotated.created.metadata.id.as_str().parse().unwrap();
        assert!(instance.emulator.token(current).unwrap().active, "at {now}: the emulator keeps it active");
    }
}

/// Offboarding a GitLab user as an administrator: every token of the user found by `user_id`,
/// each revoked, and the check afterwards finds none still valid; the admin's and another user's
/// tokens are untouched. A dry run first changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboarding_revokes_every_token_of_the_user_and_nobody_elses() {
    let emulator = Emulator::new();
    let admin = emulator.add_admin("root");
    let admin_secret = emulator.seed_token(admin.id, SeedToken::new("admin", &["api"])).secret;
    let instance = Instance::with_emulator(emulator, true).await;
    let bob = instance.emulator.add_user("bob").id;
    let bobs: Vec<u64> = (0..3)
        .map(|i| instance.emulator.seed_token(bob, SeedToken::new(&format!("bob {i}"), &["read_api"])).id)
        .collect();
    let client = instance.client_with(&admin_secret).build().unwrap();
    let user = UserId::new(bob.to_string());

    let dry = patkit::lifecycle::Offboarding::new(client.clone()).dry_run(true).run(user.clone()).await.unwrap();
    assert_eq!(dry.found.len(), 3, "{dry}");
    assert!(bobs.iter().all(|id| instance.emulator.token(*id).unwrap().active), "a dry run revokes nothing");

    let report = patkit::lifecycle::Offboarding::new(client).run(user).await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked.len(), 3, "{report}");
    assert!(report.still_valid.is_empty(), "{report}");
    assert!(bobs.iter().all(|id| instance.emulator.token(*id).unwrap().revoked), "every token of Bob's revoked");
    let snapshot = instance.emulator.snapshot();
    let others_active = snapshot.tokens.iter().filter(|t| t.user_id != bob && t.active).count();
    assert_eq!(others_active, 2, "the admin's and Alice's management tokens stay");
}
