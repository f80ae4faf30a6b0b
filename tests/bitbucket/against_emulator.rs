//! The Bitbucket client against the Bitbucket emulator — two implementations of the fact sheet
//! written apart — in process and over loopback HTTP: the provider conformance suite, every
//! operation, paging past a server cap, the expiry policy, and the admin seam.
#![cfg(all(feature = "emulator", feature = "bitbucket", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use futures_util::TryStreamExt as _;
use patkit::auth::PasswordCredential;
use patkit::bitbucket::emulator::{Emulator, EmulatorServer, ExpiryPolicy, SeedToken};
use patkit::bitbucket::{BitbucketClient, BitbucketClientBuilder, NewToken, TokenChanges};
use patkit::testing::provider_conformance::{self, Setup};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{
    Error, ListQuery, ManualClock, PatAdmin, PatId, PatProvider, PatProviderExt as _, PatSpec, Scopes, UserId,
};

/// An instance with a user, Alice (password `pw-alice`), and a system administrator, root.
pub(crate) struct Instance {
    pub(crate) emulator: Emulator,
    _server: Option<EmulatorServer>,
    base_url: String,
    loopback: bool,
}

/// The emulator's own clock, as the client's.
#[derive(Debug, Clone)]
pub(crate) struct EmulatorClock(pub(crate) Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.0.now()
    }
}

impl Instance {
    pub(crate) async fn new(loopback: bool) -> Self {
        Self::with_emulator(Emulator::new(), loopback).await
    }

    pub(crate) async fn with_emulator(emulator: Emulator, loopback: bool) -> Self {
        emulator.add_user("alice", "pw-alice");
        emulator.add_admin("root", "pw-root");
        let (server, base_url) = if loopback {
            let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
            let base = format!("{}/bitbucket", server.base_url());
            (Some(server), base)
        } else {
            (None, "https://bitbucket.example/bitbucket".to_owned())
        };
        Self { emulator, _server: server, base_url, loopback }
    }

    pub(crate) fn builder(&self, user: &str, password: &str) -> BitbucketClientBuilder {
        let builder = BitbucketClient::builder(&self.base_url, PasswordCredential::new(user, password.to_owned()))
            .clock(EmulatorClock(self.emulator.clone()))
            .retry(RetryConfig::none());
        if self.loopback {
            builder.transport(ReqwestTransport::new().unwrap())
        } else {
            builder.transport(self.emulator.clone())
        }
    }

    pub(crate) fn alice(&self) -> BitbucketClient {
        self.builder("alice", "pw-alice").build().unwrap()
    }

    pub(crate) fn root(&self) -> BitbucketClient {
        self.builder("root", "pw-root").build().unwrap()
    }
}

fn read() -> Scopes {
    Scopes::parse("REPO_READ").unwrap()
}

async fn conformance_on(loopback: bool) {
    let instance = Instance::new(loopback).await;
    let client = instance.alice();
    let setup =
        Setup::new(Scopes::parse("PROJECT_READ REPO_WRITE").unwrap()).clock(EmulatorClock(instance.emulator.clone()));
    provider_conformance::run_all(&client, &setup).await;
    let shared: Arc<dyn PatProvider> = Arc::new(client);
    provider_conformance::run_all(&shared, &setup).await;
    assert!(instance.emulator.snapshot().tokens.is_empty(), "the suite deleted what it made");
}

#[tokio::test]
async fn the_provider_conformance_suite_passes_in_process() {
    conformance_on(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_conformance_suite_passes_over_loopback() {
    conformance_on(true).await;
}

/// Create, get, list, update, check and delete over real HTTP, with the emulator's record
/// agreeing at each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_over_loopback() {
    let instance = Instance::new(true).await;
    let alice = instance.alice();
    let created = alice
        .create(&NewToken::new("deploy", Scopes::parse("PROJECT_WRITE REPO_WRITE").unwrap()).expiry_days(90))
        .await
        .unwrap();
    let id = created.metadata.id.clone();
    assert_eq!(id.as_str().len(), 12);
    let record = instance.emulator.token(id.as_str()).unwrap();
    assert_eq!((record.owner.as_str(), record.expiry_days), ("alice", Some(90)));
    assert_eq!(created.metadata.valid_to, Some(record.created + TimeDelta::days(90)));

    let got = alice.get(&id).await.unwrap();
    assert_eq!(got.metadata, created.metadata);
    assert_eq!(got.user_slug.as_deref(), Some("alice"));
    assert!(alice.list().send().await.unwrap().items.iter().any(|t| t.metadata.id == id));

    assert!(alice.check(&created.secret).await.unwrap());
    assert!(alice.get(&id).await.unwrap().last_authenticated.is_some(), "a checked token has authenticated");

    let updated = alice.update(&id, &TokenChanges::default().name("deploy-2").permissions(read())).await.unwrap();
    assert_eq!(
        (updated.metadata.display_name.as_str(), updated.metadata.scopes.to_string()),
        ("deploy-2", "REPO_READ".into())
    );
    assert_eq!(updated.metadata.valid_to, created.metadata.valid_to, "the expiry never changes");

    alice.delete(&id).await.unwrap();
    assert!(instance.emulator.token(id.as_str()).is_none(), "a hard delete");
    assert!(!alice.check(&created.secret).await.unwrap());
    assert!(matches!(alice.delete(&id).await, Err(Error::NotFound { .. })), "a second delete is NotFound (404)");
    assert!(matches!(alice.get(&id).await, Err(Error::NotFound { .. })));
}

/// A seeded id with a leading zero round-trips through every call that names it.
#[tokio::test]
async fn a_leading_zero_id_round_trips() {
    let instance = Instance::new(false).await;
    instance.emulator.seed_token("alice", SeedToken::new("old", &["REPO_READ"]).id("075905477751"));
    let alice = instance.alice();
    let listed = alice.list_all(ListQuery::default()).try_collect::<Vec<_>>().await.unwrap();
    assert_eq!(listed[0].id.as_str(), "075905477751");
    assert_eq!(alice.get(&listed[0].id).await.unwrap().metadata.display_name, "old");
    alice.revoke_pat(&listed[0].id).await.unwrap();
    assert!(instance.emulator.snapshot().tokens.is_empty());
}

/// The server caps `limit` below what was asked; the listing follows `nextPageStart` to the end
/// and reads every token once.
#[tokio::test]
async fn paging_follows_next_page_start_past_the_servers_cap() {
    let instance = Instance::new(false).await;
    instance.emulator.set_max_page_limit(2);
    for i in 0..7 {
        instance.emulator.seed_token("alice", SeedToken::new(&format!("t{i}"), &["REPO_READ"]));
    }
    let alice = instance.alice();
    let first = alice.list().limit(100).send().await.unwrap();
    assert_eq!((first.items.len(), first.continuation.as_ref().map(|c| c.as_str().to_owned())), (2, Some("2".into())));
    let query = ListQuery { page_size: Some(100), ..ListQuery::default() };
    let names: Vec<String> = alice.list_all(query).map_ok(|m| m.display_name).try_collect().await.unwrap();
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    assert_eq!(instance.emulator.requests_seen(patkit::bitbucket::operations::TOKEN_LIST), 5);
}

/// An administrator's required or maximum expiry refuses a create with a PolicyViolation; the
/// token is not made.
#[tokio::test]
async fn the_expiry_policy_is_a_policy_violation() {
    let instance = Instance::new(false).await;
    instance.emulator.set_expiry_policy(ExpiryPolicy { required: true, max_days: Some(90) });
    let alice = instance.alice();
    let none = alice.create_pat(PatSpec::new("n", read())).await;
    assert!(matches!(none, Err(Error::PolicyViolation { .. })), "{none:?}");
    let mut long = PatSpec::new("n", read());
    long.valid_to = Some(instance.emulator.now() + TimeDelta::days(91));
    assert!(matches!(alice.create_pat(long).await, Err(Error::PolicyViolation { .. })));
    let mut ok = PatSpec::new("n", read());
    ok.valid_to = Some(instance.emulator.now() + TimeDelta::days(90));
    assert_eq!(alice.create_pat(ok).await.unwrap().metadata.display_name, "n");
    assert_eq!(instance.emulator.snapshot().tokens.len(), 1);
}

/// Expired tokens stop authenticating (and are listed as expired, not active).
#[tokio::test]
async fn an_expired_token_stops_working() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let instance = Instance::with_emulator(Emulator::with_clock(clock.clone()), false).await;
    let alice = instance.alice();
    let created = alice.create(&NewToken::new("short", read()).expiry_days(1)).await.unwrap();
    assert!(alice.check(&created.secret).await.unwrap());
    clock.advance(TimeDelta::days(1));
    assert!(!alice.check(&created.secret).await.unwrap());
    let active: Vec<_> = alice.list_all(ListQuery::default()).try_collect().await.unwrap();
    assert!(active.is_empty(), "an expired token is not active");
    let expired = ListQuery { filter: patkit::StatusFilter::Expired, ..ListQuery::default() };
    assert_eq!(alice.list_all(expired).try_collect::<Vec<_>>().await.unwrap().len(), 1);
}

/// A system administrator lists and deletes another user's tokens by slug, cannot create for
/// them; a user who is not an administrator is Forbidden (Bitbucket's 401, told apart from a bad
/// password); a wrong password is AuthRequired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_offboards_a_user_and_nobody_else_may() {
    let instance = Instance::new(true).await;
    instance.emulator.add_user("bob", "pw-bob");
    let kept = instance.emulator.seed_token("bob", SeedToken::new("bob's", &["REPO_READ"]));
    for i in 0..3 {
        instance.emulator.seed_token("alice", SeedToken::new(&format!("a{i}"), &["REPO_READ"]));
    }
    let root = instance.root();
    let alice = UserId::from("alice");
    let page = root.list_user_pats(&alice, None).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(page.items.iter().all(|p| p.active == Some(true)));
    let ids: Vec<PatId> = page.items.iter().map(|p| p.metadata.id.clone()).collect();
    root.revoke_many(&ids).await.unwrap();
    assert_eq!(instance.emulator.snapshot().tokens_of("alice").count(), 0);
    assert!(instance.emulator.token(&kept.id).is_some(), "nobody else's token is touched");
    root.revoke_many(&ids).await.unwrap_err(); // no longer known to this admin: refused before sending

    let as_admin = root.for_user("alice").unwrap();
    assert!(!PatProvider::capabilities(&as_admin).create);
    assert!(matches!(as_admin.create(&NewToken::new("x", read())).await, Err(Error::Unsupported { .. })));
    assert!(root.list_user_pats(&UserId::from("nobody"), None).await.unwrap().items.is_empty());

    let bob = instance.builder("bob", "pw-bob").build().unwrap();
    assert!(matches!(bob.list_user_pats(&alice, None).await, Err(Error::Forbidden { .. })));
    let wrong = instance.builder("bob", "nope").build().unwrap();
    assert!(matches!(wrong.list().send().await, Err(Error::AuthRequired { .. })));
}
