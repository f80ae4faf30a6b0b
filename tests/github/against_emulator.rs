//! The GitHub client against the GitHub emulator — two implementations of the fact sheet
//! written apart — in process and over loopback HTTP: App authentication end to end, the
//! provider conformance suite, offboarding a login from three organizations (grants and SAML
//! authorizations), token checks and the leaked-token report.
#![cfg(all(feature = "emulator", feature = "github", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use patkit::github::emulator::{Emulator, EmulatorServer, SeedAuthorization, SeedGrant, SeedPat};
use patkit::github::{
    AppKey, GitHubApp, GitHubClient, GitHubClientBuilder, GitHubCredential, GitHubOffboarding, GrantQuery, TokenKind,
};
use patkit::testing::provider_conformance::{self, Setup};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CreatedPat, PatId, PatMetadata, PatProvider, Scopes};

const PUBLIC_KEY: &str = include_str!("../fixtures/github/app-key.pub.pem");
const PRIVATE_KEY: &str = include_str!("../fixtures/github/app-key.pem");
const GRANTS: [(&str, &str); 2] = [("personal_access_tokens", "write"), ("personal_access_token_requests", "write")];

/// The emulator's own clock, as the client's.
#[derive(Debug, Clone)]
struct EmulatorClock(Emulator);

impl patkit::Clock for EmulatorClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
}

/// An instance with one App installed in each of `orgs`.
struct Instance {
    emulator: Emulator,
    app: u64,
    installations: Vec<(String, u64)>,
    _server: Option<EmulatorServer>,
    base_url: String,
    loopback: bool,
}

impl Instance {
    async fn new(orgs: &[&str], loopback: bool) -> Self {
        let emulator = Emulator::new();
        let app = emulator.register_app(PUBLIC_KEY);
        let installations = orgs
            .iter()
            .map(|org| {
                emulator.add_org(org);
                ((*org).to_owned(), emulator.install_app(app, org, &GRANTS))
            })
            .collect();
        let (server, base_url) = if loopback {
            let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
            let base = server.base_url().to_owned();
            (Some(server), base)
        } else {
            (None, "https://api.github.example".to_owned())
        };
        Self { emulator, app, installations, _server: server, base_url, loopback }
    }

    fn builder(&self, org: &str, credential: GitHubCredential) -> GitHubClientBuilder {
        let builder = GitHubClient::builder(org, credential)
            .base_url(&self.base_url)
            .clock(EmulatorClock(self.emulator.clone()))
            .retry(RetryConfig::none())
            .revoke_wait(Duration::from_millis(5), Duration::from_secs(10));
        if self.loopback {
            builder.transport(ReqwestTransport::new().unwrap())
        } else {
            builder.transport(self.emulator.clone())
        }
    }

    /// The App's installation client for `org`.
    fn app_client(&self, org: &str) -> GitHubClient {
        let installation = self.installations.iter().find(|(o, _)| o == org).unwrap().1;
        let app = GitHubApp::new(self.app.to_string(), AppKey::from_pem(PRIVATE_KEY).unwrap()).unwrap();
        self.builder(org, GitHubCredential::app(app, installation)).build().unwrap()
    }

    /// A fine-grained PAT of `owner` named `name` with a grant in `org`: what the client's
    /// listing shows, and the secret.
    fn grant(&self, org: &str, owner: &str, name: &str) -> CreatedPat {
        let pat = self.emulator.seed_pat(SeedPat::fine_grained(owner, name));
        let grant = self.emulator.seed_grant(org, SeedGrant::new(pat.token_id).repositories(&["api"]));
        CreatedPat {
            metadata: PatMetadata {
                id: PatId::new(grant.to_string()),
                display_name: name.to_owned(),
                scopes: Scopes::parse("contents:read").unwrap(),
                valid_from: self.emulator.now(),
                valid_to: None,
                extras: patkit::Extras::new(),
            },
            secret: pat.secret,
        }
    }
}

async fn conformance_on(loopback: bool) {
    let instance = Instance::new(&["acme"], loopback).await;
    let client = instance.app_client("acme");
    let seeder = |name: &str| instance.grant("acme", "octocat", name);
    let setup =
        Setup::new(Scopes::parse("repo").unwrap()).seeder(&seeder).clock(EmulatorClock(instance.emulator.clone()));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_authenticates_once_and_lists_grants_with_every_filter_over_loopback() {
    let instance = Instance::new(&["acme"], true).await;
    for i in 0..130 {
        instance.grant("acme", if i % 2 == 0 { "alice" } else { "bob" }, &format!("t{i}"));
    }
    let client = instance.app_client("acme");
    let all = client.all_grants(&GrantQuery::new().per_page(50), 100).await.unwrap();
    assert_eq!(all.len(), 130, "every grant once, over Link pages");
    let alices = client.all_grants(&GrantQuery::new().owner("alice"), 100).await.unwrap();
    assert_eq!(alices.len(), 65);
    let token = client.installation_token().await.unwrap().expect("an App credential has an installation token");
    assert!(token.expires_at() > instance.emulator.now());
    assert_eq!(
        instance.emulator.snapshot().installation_tokens.len(),
        1,
        "one exchange for every call: the installation token is cached"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboarding_a_login_from_three_organizations_leaves_no_grant_and_no_saml_authorization() {
    let orgs = ["acme", "beta", "corp"];
    let instance = Instance::new(&orgs, true).await;
    let emulator = &instance.emulator;
    for org in orgs {
        for i in 0..3 {
            instance.grant(org, "leaver", &format!("{org}-{i}"));
        }
        instance.grant(org, "stayer", &format!("{org}-stays"));
    }
    // corp enforces SAML: its owner's classic PAT (authorized) removes authorizations.
    emulator.set_saml("corp", true);
    emulator.add_org_owner("corp", "boss");
    let boss = emulator.seed_pat(SeedPat::classic("boss", "admin", &["admin:org", "read:org"]));
    emulator.seed_authorization("corp", SeedAuthorization::pat(boss.token_id));
    let laptop = emulator.seed_pat(SeedPat::classic("leaver", "laptop", &["repo", "read:org"]));
    emulator.seed_authorization("corp", SeedAuthorization::pat(laptop.token_id));
    let stayer = emulator.seed_pat(SeedPat::classic("stayer", "desk", &["repo"]));
    emulator.seed_authorization("corp", SeedAuthorization::pat(stayer.token_id));

    let owner =
        instance.builder("corp", GitHubCredential::token(boss.secret.expose_secret().to_owned())).build().unwrap();
    let offboarding =
        || orgs.iter().fold(GitHubOffboarding::new(), |o, org| o.grants(instance.app_client(org))).saml(owner.clone());

    let dry = offboarding().dry_run(true).run("leaver").await.unwrap();
    let leavers = |snapshot: &patkit::github::emulator::Snapshot| {
        orgs.iter().map(|org| snapshot.grants_in(org).iter().filter(|g| g.owner == "leaver").count()).sum::<usize>()
    };
    assert_eq!(leavers(&emulator.snapshot()), 9, "a dry run changes nothing: {dry}");

    let report = offboarding().run("leaver").await.unwrap();
    assert!(report.is_complete(), "{report}");
    let snapshot = emulator.snapshot();
    assert_eq!(leavers(&snapshot), 0, "no grant of the leaver's is left: {report}");
    assert!(snapshot.authorizations_in("corp").iter().all(|a| a.login != "leaver"), "no SAML authorization left");
    for org in orgs {
        assert_eq!(
            snapshot.grants_in(org).iter().filter(|g| g.owner == "stayer").count(),
            1,
            "{org}: others untouched"
        );
    }
    assert!(snapshot.authorizations_in("corp").iter().any(|a| a.login == "stayer"));
    // Honest about what GitHub cannot do: the tokens themselves still authenticate.
    assert!(!report.tokens_still_alive().is_empty(), "{report}");
    assert!(report.to_string().contains("cannot revoke"), "{report}");
    let check = owner.check_token(&laptop.secret).await.unwrap();
    assert!(check.works, "the leaver's classic PAT still works outside the organization");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_checks_read_scopes_and_expiry_and_a_leaked_token_is_revoked() {
    let instance = Instance::new(&["acme"], true).await;
    let expires = instance.emulator.now() + chrono::TimeDelta::days(20);
    let classic =
        instance.emulator.seed_pat(SeedPat::classic("octocat", "ci", &["repo", "read:org"]).expires_at(expires));
    let client = instance.app_client("acme");
    assert_eq!(TokenKind::of(&classic.secret), TokenKind::Classic);
    let check = client.check_token(&classic.secret).await.unwrap();
    assert!(check.works);
    assert_eq!(check.scopes.as_deref(), Some(&["repo".to_owned(), "read:org".to_owned()][..]));
    assert_eq!(check.expires_at.map(|t| t.timestamp()), Some(expires.timestamp()));
    client.report_leaked(std::slice::from_ref(&classic.secret)).await.unwrap();
    let after = client.check_token(&classic.secret).await.unwrap();
    assert!(!after.works, "a reported leaked token is revoked");
    assert!(matches!(
        client.check_token(&patkit::PatSecret::new("ghp_not-a-token".to_owned())).await,
        Ok(c) if !c.works
    ));
}
