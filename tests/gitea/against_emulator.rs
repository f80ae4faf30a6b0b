//! The Gitea client against the Gitea emulator — two implementations of the fact sheet written
//! apart — on both flavours, in process and over loopback HTTP: the provider conformance suite,
//! every client operation, a two-factor login, paging without `Link` past a server cap, and a
//! site administrator offboarding a user.
#![cfg(all(feature = "emulator", feature = "gitea", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use futures_util::TryStreamExt as _;
use patkit::auth::PasswordCredential;
use patkit::gitea::emulator::{Emulator, EmulatorServer, Flavor as EmulatedFlavor, SeedToken};
use patkit::gitea::{ErrorCode, Flavor, GiteaClient, GiteaClientBuilder, NewToken};
use patkit::lifecycle::Offboarding;
use patkit::testing::provider_conformance::{self, Setup};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{Error, ListQuery, PatAdmin, PatId, PatProvider, PatProviderExt as _, Scopes, UserId};

/// An instance of one flavour with a user, Alice (password `pw-alice`, and on Forgejo a one-time
/// code `271828`), another user, Bob, and a site administrator, root.
struct Instance {
    emulator: Emulator,
    flavor: Flavor,
    alice: u64,
    bob: u64,
    _server: Option<EmulatorServer>,
    base_url: String,
    loopback: bool,
}

/// The emulator's own clock, as the client's.
#[derive(Debug, Clone)]
struct EmulatorClock(Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
}

impl Instance {
    async fn new(flavor: Flavor, loopback: bool) -> Self {
        let emulator = Emulator::new(match flavor {
            Flavor::Forgejo => EmulatedFlavor::Forgejo,
            _ => EmulatedFlavor::Gitea,
        });
        let alice = emulator.add_user("alice", "pw-alice").id;
        if flavor == Flavor::Forgejo {
            emulator.set_one_time_code(alice, Some("271828"));
        }
        let bob = emulator.add_user("bob", "pw-bob").id;
        emulator.add_admin("root", "pw-root");
        let (server, base_url) = if loopback {
            let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
            let base = format!("{}/api/v1", server.base_url());
            (Some(server), base)
        } else {
            (None, "https://gitea.example/api/v1".to_owned())
        };
        Self { emulator, flavor, alice, bob, _server: server, base_url, loopback }
    }

    fn builder(&self, credential: PasswordCredential) -> GiteaClientBuilder {
        let builder = GiteaClient::builder(&self.base_url, credential)
            .flavor(self.flavor)
            .clock(EmulatorClock(self.emulator.clone()))
            .retry(RetryConfig::none());
        if self.loopback {
            builder.transport(ReqwestTransport::new().unwrap())
        } else {
            builder.transport(self.emulator.clone())
        }
    }

    fn alice(&self) -> GiteaClient {
        let mut login = PasswordCredential::new("alice", "pw-alice".to_owned());
        if self.flavor == Flavor::Forgejo {
            login = login.with_one_time_code("271828".to_owned());
        }
        self.builder(login).build().unwrap()
    }

    fn root(&self) -> GiteaClient {
        self.builder(PasswordCredential::new("root", "pw-root".to_owned())).build().unwrap()
    }
}

fn scopes(text: &str) -> Scopes {
    Scopes::parse(text).unwrap()
}

async fn conformance_on(flavor: Flavor, loopback: bool) {
    let instance = Instance::new(flavor, loopback).await;
    let client = instance.alice();
    let setup = Setup::new(scopes("read:repository write:issue")).clock(EmulatorClock(instance.emulator.clone()));
    provider_conformance::run_all(&client, &setup).await;
    let shared: Arc<dyn PatProvider> = Arc::new(client);
    provider_conformance::run_all(&shared, &setup).await;
    assert!(instance.emulator.snapshot().tokens_of(instance.alice).is_empty(), "the suite deleted what it made");
}

#[tokio::test]
async fn the_provider_conformance_suite_passes_on_gitea_in_process() {
    conformance_on(Flavor::Gitea, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_conformance_suite_passes_on_gitea_over_loopback() {
    conformance_on(Flavor::Gitea, true).await;
}

#[tokio::test]
async fn the_provider_conformance_suite_passes_on_forgejo_with_a_one_time_code_in_process() {
    conformance_on(Flavor::Forgejo, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_conformance_suite_passes_on_forgejo_with_a_one_time_code_over_loopback() {
    conformance_on(Flavor::Forgejo, true).await;
}

async fn every_operation_on(flavor: Flavor) {
    let instance = Instance::new(flavor, true).await;
    let alice = instance.alice();

    // Create: the secret is the answer's sha1, only there; the token authenticates.
    let made = alice.create(&NewToken::new("deploy", scopes("write:repository"))).await.unwrap();
    assert_eq!(made.secret.expose_secret().len(), 40);
    assert!(alice.check(&made.secret).await.unwrap(), "the new token authenticates");
    let id: u64 = made.metadata.id.as_str().parse().unwrap();
    let stored = instance.emulator.token(id).unwrap();
    assert_eq!(stored.token_last_eight, made.secret.expose_secret()[32..]);

    // Names are unique per user: a second "deploy" is refused, typed; Bob may use the name.
    match alice.create(&NewToken::new("deploy", scopes("read:user"))).await {
        Err(error @ Error::Rejected { .. }) => {
            let Error::Rejected { code, .. } = &error else { unreachable!() };
            assert_eq!(ErrorCode::from(code), ErrorCode::NameTaken, "{error}");
        }
        other => panic!("a taken name must be refused, got {other:?}"),
    }
    instance.emulator.seed_token(instance.bob, SeedToken::new("deploy", &["read:user"]));

    // List: the one token, no secret.
    let listed: Vec<_> = alice.list_all(ListQuery::default()).try_collect().await.unwrap();
    assert_eq!(listed.iter().map(|t| t.display_name.as_str()).collect::<Vec<_>>(), ["deploy"]);
    assert_eq!(listed[0].id, made.metadata.id);
    assert_eq!(listed[0].valid_to, None, "Gitea tokens never expire");

    // Delete by name: one match → deleted; two matches → 422, typed, nothing deleted.
    alice.delete_by_name("deploy").await.unwrap();
    assert!(instance.emulator.token(id).is_none());
    for _ in 0..2 {
        instance.emulator.seed_token(instance.alice, SeedToken::new("twin", &["read:user"]));
    }
    match alice.delete_by_name("twin").await {
        Err(Error::Rejected { code, .. }) => assert_eq!(ErrorCode::from(&code), ErrorCode::AmbiguousName),
        other => panic!("an ambiguous name must be refused, got {other:?}"),
    }
    assert_eq!(instance.emulator.snapshot().tokens_of(instance.alice).len(), 2, "nothing deleted");
    assert!(matches!(alice.delete_by_name("no-such").await, Err(Error::NotFound { .. })));

    // Delete by id; again is NotFound; a deleted token no longer authenticates.
    let twins: Vec<u64> = instance.emulator.snapshot().tokens_of(instance.alice).iter().map(|t| t.id).collect();
    let gone = instance.emulator.seed_token(instance.alice, SeedToken::new("gone", &["read:user"]));
    alice.delete(&PatId::new(gone.id.to_string())).await.unwrap();
    assert!(matches!(alice.delete(&PatId::new(gone.id.to_string())).await, Err(Error::NotFound { .. })));
    assert!(!alice.check(&gone.secret).await.unwrap());
    for twin in twins {
        alice.revoke_pat(&PatId::new(twin.to_string())).await.unwrap();
    }

    // Bob's token is untouched, and Alice may not touch his list.
    assert_eq!(instance.emulator.snapshot().tokens_of(instance.bob).len(), 1);
    assert!(instance.emulator.snapshot().tokens_of(instance.alice).is_empty());
    let peek = alice.list_user(UserId::new("bob")).send().await;
    assert!(matches!(peek, Err(Error::Forbidden { .. })), "{peek:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_over_loopback_on_gitea() {
    every_operation_on(Flavor::Gitea).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_over_loopback_on_forgejo() {
    every_operation_on(Flavor::Forgejo).await;
}

#[tokio::test]
async fn a_two_factor_login_without_its_code_is_refused_with_a_hint_and_nothing_changes() {
    let instance = Instance::new(Flavor::Forgejo, false).await;
    instance.emulator.seed_token(instance.alice, SeedToken::new("kept", &["read:user"]));
    let no_code = instance.builder(PasswordCredential::new("alice", "pw-alice".to_owned())).build().unwrap();
    let wrong_code = instance
        .builder(PasswordCredential::new("alice", "pw-alice".to_owned()).with_one_time_code("000000".to_owned()))
        .build()
        .unwrap();
    for client in [no_code, wrong_code] {
        let refused = client.create(&NewToken::new("new", scopes("read:user"))).await.unwrap_err();
        let Error::AuthRequired { hint, .. } = &refused else {
            panic!("a refused login is AuthRequired, got {refused:?}")
        };
        let hint = hint.as_deref().unwrap_or_default();
        assert!(hint.contains("one-time code"), "the hint names the code: {hint}");
        assert!(!format!("{refused} {refused:?}").contains("pw-alice"));
    }
    let names: Vec<String> =
        instance.emulator.snapshot().tokens_of(instance.alice).iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, ["kept"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_without_link_lists_every_token_once_even_under_a_server_cap() {
    let instance = Instance::new(Flavor::Gitea, true).await;
    let mut seeded: Vec<String> = (0..137)
        .map(|i| instance.emulator.seed_token(instance.alice, SeedToken::new(&format!("t{i:03}"), &["read:user"])).id)
        .map(|id| id.to_string())
        .collect();
    seeded.sort();
    for (default, max) in [(30, 50), (7, 20)] {
        instance.emulator.set_page_sizes(default, max);
        let mut listed: Vec<String> = instance
            .alice()
            .list_all(ListQuery::default())
            .map_ok(|t| t.id.as_str().to_owned())
            .try_collect()
            .await
            .unwrap();
        listed.sort();
        assert_eq!(listed, seeded, "page sizes {default}/{max}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_administrator_offboards_a_user_and_nobody_else() {
    let instance = Instance::new(Flavor::Gitea, true).await;
    for i in 0..60 {
        instance.emulator.seed_token(instance.alice, SeedToken::new(&format!("a{i}"), &["read:user"]));
    }
    instance.emulator.seed_token(instance.bob, SeedToken::new("bobs", &["read:user"]));
    let root = instance.root();
    let alice = UserId::new("alice");

    // A user is not an administrator: Alice cannot list Bob's tokens through the admin seam.
    assert!(instance.alice().list_user_pats(&UserId::new("bob"), None).await.is_err());

    let dry = Offboarding::new(root.clone()).dry_run(true).run(alice.clone()).await.unwrap();
    assert_eq!(dry.found.len(), 60, "{dry}");
    assert_eq!(instance.emulator.snapshot().tokens_of(instance.alice).len(), 60, "a dry run changes nothing");

    let report = Offboarding::new(root.clone()).run(alice).await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked.len(), 60, "{report}");
    assert!(report.still_valid.is_empty(), "{report}");
    assert!(instance.emulator.snapshot().tokens_of(instance.alice).is_empty());
    assert_eq!(instance.emulator.snapshot().tokens_of(instance.bob).len(), 1, "nobody else's token is touched");
}
