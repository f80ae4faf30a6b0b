//! Project and group access tokens through the neutral seam: `ResourceTokens` as a
//! `PatProvider` scoped to one resource (the conformance suite, in process and over loopback),
//! a `Rotator` rotating a project access token stored for CI server-side (bot user kept), and a
//! rotate whose answer is lost, resolved by recovery.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveTime, TimeDelta, Utc};
use patkit::gitlab::emulator::{Emulator, EmulatorServer, Fault, FaultRule, ResourceKind, SeedToken, SeededToken};
use patkit::gitlab::{GitLabClient, GitLabCredential, Resource, ResourceTokens, operations as op};
use patkit::lifecycle::{FindingKind, Outcome, RecoveryAction, RotationMethod, Rotator, Scan, SkipReason};
use patkit::store::InMemoryTokenStore;
use patkit::testing::provider_conformance::{self, Setup};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CreatedPat, PatId, PatMetadata, PatProvider, PatRecord, Scopes, StoredPat, TokenStore};

/// An instance with a project `ci/app` whose Maintainer, Alice, manages its access tokens with
/// her own token (scope `api`).
struct Instance {
    emulator: Emulator,
    project: u64,
    management: patkit::PatSecret,
    _server: Option<EmulatorServer>,
    base_url: String,
    loopback: bool,
}

impl Instance {
    async fn new(loopback: bool) -> Self {
        let emulator = Emulator::new();
        let alice = emulator.add_user("alice").id;
        let project = emulator.add_project("ci/app");
        emulator.add_member(ResourceKind::Project, project, alice, 40);
        let management = emulator.seed_token(alice, SeedToken::new("management", &["api"])).secret;
        let (server, base_url) = if loopback {
            let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
            let base = format!("{}/api/v4", server.base_url());
            (Some(server), base)
        } else {
            (None, "https://gitlab.example.com/api/v4".to_owned())
        };
        Self { emulator, project, management, _server: server, base_url, loopback }
    }

    fn client(&self, retry: RetryConfig) -> GitLabClient {
        let builder =
            GitLabClient::builder(GitLabCredential::private_token(self.management.expose_secret().to_owned()))
                .base_url(&self.base_url)
                .clock(EmulatorClock(self.emulator.clone()))
                .retry(retry);
        let builder = if self.loopback {
            builder.transport(ReqwestTransport::new().unwrap())
        } else {
            builder.transport(self.emulator.clone())
        };
        builder.build().unwrap()
    }

    fn tokens(&self) -> ResourceTokens {
        self.client(RetryConfig::default()).resource_tokens(Resource::Project(self.project.to_string()))
    }

    /// A project access token made the way a Maintainer would (the web UI), expiring in 30 days.
    fn seed(&self, name: &str) -> (SeededToken, CreatedPat) {
        self.seed_in(self.project, name)
    }

    /// Like [`seed`](Self::seed), on project `project`.
    fn seed_in(&self, project: u64, name: &str) -> (SeededToken, CreatedPat) {
        let expires = (self.emulator.now() + TimeDelta::days(30)).date_naive();
        let seed = SeedToken::new(name, &["read_api"]).expires_at(Some(expires));
        let seeded = self.emulator.seed_resource_token(ResourceKind::Project, project, seed);
        let token = self.emulator.token(seeded.id).unwrap();
        let created = CreatedPat {
            metadata: PatMetadata {
                id: PatId::new(seeded.id.to_string()),
                display_name: token.name,
                scopes: Scopes::parse(&token.scopes.join(" ")).unwrap(),
                valid_from: token.created_at,
                valid_to: token.expires_at.map(|d| d.and_time(NaiveTime::MIN).and_utc()),
                extras: patkit::Extras::new(),
            },
            secret: seeded.secret.clone(),
        };
        (seeded, created)
    }

    /// Seeds a token on `provider`'s project and stores it as entry `name` of `provider`.
    async fn stored(&self, store: &InMemoryTokenStore, provider: &ResourceTokens, name: &str) -> SeededToken {
        let Resource::Project(project) = provider.resource() else { panic!("a project") };
        let (seeded, created) = self.seed_in(project.parse().unwrap(), "ci deploy");
        let record = PatRecord::new(
            name,
            provider.provider_name(),
            provider.organization(),
            created.metadata,
            self.emulator.now(),
        );
        store.put(StoredPat { record, secret: created.secret }).await.unwrap();
        seeded
    }
}

/// The emulator's own clock, as the client's and the rotator's.
#[derive(Debug, Clone)]
struct EmulatorClock(Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.0.now()
    }
}

async fn conformance_on(loopback: bool) {
    let instance = Instance::new(loopback).await;
    let tokens = instance.tokens();
    let seeder = |name: &str| instance.seed(name).1;
    let setup =
        Setup::new(Scopes::parse("read_api").unwrap()).seeder(&seeder).clock(EmulatorClock(instance.emulator.clone()));
    provider_conformance::run_all(&tokens, &setup).await;
    let shared: Arc<dyn PatProvider> = Arc::new(tokens);
    provider_conformance::run_all(&shared, &setup).await;
}

#[tokio::test]
async fn resource_tokens_pass_the_provider_conformance_suite_in_process() {
    conformance_on(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_tokens_pass_the_provider_conformance_suite_over_loopback() {
    conformance_on(true).await;
}

/// The provider names the host and the resource, claims no create (a rotation must keep the
/// bot user), and lists only that resource's tokens.
#[tokio::test]
async fn a_resource_provider_is_scoped_to_its_resource() {
    let instance = Instance::new(false).await;
    let tokens = instance.tokens();
    assert_eq!(tokens.provider_name(), patkit::gitlab::PROVIDER_NAME);
    assert_eq!(tokens.organization(), format!("gitlab.example.com/projects/{}", instance.project));
    let caps = tokens.capabilities();
    assert!(!caps.create && caps.rotate_server_side && caps.check && caps.list_own, "{caps:?}");
    let other = instance.emulator.add_project("ci/other");
    let foreign = instance.emulator.seed_resource_token(ResourceKind::Project, other, SeedToken::new("x", &["api"]));
    let (mine, _) = instance.seed("mine");
    let listed: Vec<String> = tokens
        .list_pats(&patkit::ListQuery::default(), None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.id.as_str().to_owned())
        .collect();
    assert!(listed.contains(&mine.id.to_string()) && !listed.contains(&foreign.id.to_string()), "{listed:?}");
    let other_tokens = instance.client(RetryConfig::default()).resource_tokens(Resource::Project(other.to_string()));
    assert_ne!(other_tokens.organization(), tokens.organization(), "entries of two resources never match");
    let group = instance.client(RetryConfig::default()).resource_tokens(Resource::Group("7".into()));
    assert_eq!(group.organization(), "gitlab.example.com/groups/7");
    // A rotator for the other project leaves this project's stored entry alone.
    let store = Arc::new(InMemoryTokenStore::new());
    let stored = instance.stored(&store, &tokens, "ci-deploy").await;
    let rotator = Rotator::from_arcs(Arc::new(other_tokens), store.clone()).force(true);
    let report = rotator.rotate("ci-deploy").await;
    assert!(matches!(report.outcome, Outcome::Skipped(SkipReason::OtherProvider { .. })), "{report}");
    assert!(!instance.emulator.token(stored.id).unwrap().revoked, "the entry's token is untouched");
    assert_eq!(instance.emulator.requests_seen(op::RESOURCE_TOKEN_ROTATE), 0);
}

/// A project access token stored for CI is rotated by a `Rotator` server-side: the stored
/// replacement works, the old token is revoked, and the token still belongs to the same bot
/// user (so its membership is kept).
#[tokio::test]
async fn a_rotator_rotates_a_stored_project_access_token_keeping_its_bot_user() {
    let instance = Instance::new(false).await;
    let tokens = instance.tokens();
    let store = Arc::new(InMemoryTokenStore::new());
    let old = instance.stored(&store, &tokens, "ci-deploy").await;
    let rotator = Rotator::from_arcs(Arc::new(tokens.clone()), store.clone())
        .clock(EmulatorClock(instance.emulator.clone()))
        .window(Duration::from_secs(60 * 86_400));
    let report = rotator.rotate("ci-deploy").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.method, RotationMethod::ServerSide);
    assert_eq!(rotation.old.id.as_str(), old.id.to_string());
    let stored = store.get("ci-deploy").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata, rotation.new);
    assert!(tokens.check_pat(&stored.secret).await.unwrap(), "the stored replacement works");
    assert!(!tokens.check_pat(&old.secret).await.unwrap(), "the old token no longer works");
    let old_now = instance.emulator.token(old.id).unwrap();
    assert!(old_now.revoked, "the old token is revoked");
    let new = instance.emulator.token(stored.record.metadata.id.as_str().parse().unwrap()).unwrap();
    assert_eq!(new.user_id, old.user_id, "the bot user is unchanged");
    assert_eq!(new.resource, Some((ResourceKind::Project, instance.project)));
    assert_eq!(new.previous_id, Some(old.id));
    assert_eq!(instance.emulator.requests_seen(op::RESOURCE_TOKEN_CREATE), 0, "nothing was created");
}

/// The server commits the rotate and the answer is lost: the rotation fails and leaves its
/// intent, with a single rotate sent; recovery reads what happened, rotates the orphan once and
/// stores a working token of the same bot user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_rotate_answer_is_recovered_by_rotating_the_orphan_once() {
    let instance = Instance::new(true).await;
    let tokens = instance.tokens();
    let store = Arc::new(InMemoryTokenStore::new());
    let old = instance.stored(&store, &tokens, "ci-deploy").await;
    instance.emulator.inject(FaultRule::new(op::RESOURCE_TOKEN_ROTATE, Fault::CommitThenDrop).times(1));
    let rotator = Rotator::from_arcs(Arc::new(tokens.clone()), store.clone())
        .clock(EmulatorClock(instance.emulator.clone()))
        .window(Duration::from_secs(60 * 86_400));
    let report = rotator.rotate("ci-deploy").await;
    assert!(matches!(report.outcome, Outcome::Failed(_)), "{report}");
    assert_eq!(instance.emulator.requests_seen(op::RESOURCE_TOKEN_ROTATE), 1, "the rotate was sent once");
    let pending = store.get("ci-deploy").await.unwrap().unwrap();
    assert_eq!(pending.record.metadata.id.as_str(), old.id.to_string(), "the old token is still the stored one");
    let intent = pending.record.rotation.expect("the intent is left for recovery");
    assert_eq!(intent.server_rotate, Some(PatId::new(old.id.to_string())));
    let orphan = instance.emulator.token(old.id).unwrap().rotated_to.expect("the server applied the rotate");

    let recovered = rotator.recover_ignoring_lease().await.unwrap();
    let [entry] = recovered.entries.as_slice() else { panic!("{recovered:?}") };
    let orphan_id = PatId::new(orphan.to_string());
    assert!(
        entry
            .recovered
            .iter()
            .any(|a| matches!(a, RecoveryAction::RotatedOrphan { orphan, .. } if *orphan == orphan_id)),
        "{entry:?}"
    );
    assert_eq!(instance.emulator.requests_seen(op::RESOURCE_TOKEN_ROTATE), 2, "the orphan was rotated once");
    let stored = store.get("ci-deploy").await.unwrap().unwrap();
    assert!(stored.record.rotation.is_none(), "the intent is cleared");
    assert!(tokens.check_pat(&stored.secret).await.unwrap(), "the stored token works");
    let new = instance.emulator.token(stored.record.metadata.id.as_str().parse().unwrap()).unwrap();
    assert_eq!((new.previous_id, new.user_id), (Some(orphan), old.user_id), "rotated from the orphan, same bot");
    assert!(new.active && instance.emulator.token(orphan).unwrap().revoked, "the family is intact");
}

/// A `Scan` of one project's tokens with a store that holds entries of two projects reconciles
/// only this project's entry, and never lists the other project's tokens.
#[tokio::test]
async fn a_scan_of_a_resource_reconciles_only_its_own_entries() {
    let instance = Instance::new(false).await;
    let tokens = instance.tokens();
    let other = instance.emulator.add_project("ci/other");
    let other_tokens = instance.client(RetryConfig::default()).resource_tokens(Resource::Project(other.to_string()));
    let store = Arc::new(InMemoryTokenStore::new());
    let mine = instance.stored(&store, &tokens, "ci-deploy").await;
    let theirs = instance.stored(&store, &other_tokens, "other-deploy").await;
    let (unstored, _) = instance.seed("made by hand");

    let report = Scan::new()
        .provider(tokens)
        .store(store.clone())
        .clock(EmulatorClock(instance.emulator.clone()))
        .run()
        .await
        .unwrap();
    let entries: Vec<&str> = report.findings.iter().filter_map(|f| f.entry.as_deref()).collect();
    assert_eq!(entries, ["ci-deploy"], "{report:?}");
    let ids: Vec<String> = report.findings.iter().map(|f| f.token.id.as_str().to_owned()).collect();
    assert!(ids.contains(&mine.id.to_string()), "{ids:?}");
    assert!(!ids.contains(&theirs.id.to_string()), "the other project's token is not scanned: {ids:?}");
    let hand = report.findings.iter().find(|f| f.token.id.as_str() == unstored.id.to_string());
    assert!(matches!(hand.map(|f| &f.kind), Some(FindingKind::NotStored)), "{report:?}");
}
