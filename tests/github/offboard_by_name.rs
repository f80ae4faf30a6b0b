//! Offboarding by name against the GitHub emulator over loopback HTTP: a login found as an
//! organization member (an email query is unsupported: GitHub shows no member's private
//! email), the login's SAML-authorized SSH key and classic PAT reported and left, its
//! fine-grained PAT grants revoked through the App installation, and a dry run that revokes
//! nothing.
#![cfg(all(feature = "emulator", feature = "github", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use patkit::github::emulator::{Emulator, EmulatorServer, SeedAuthorization, SeedGrant, SeedPat};
use patkit::github::{AppKey, GitHubApp, GitHubClient, GitHubCredential};
use patkit::lifecycle::{OffboardByName, OrganizationStatus};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CredentialKind, Error, MatchKind, UserDirectory, UserLookup, resolve_user};

const PUBLIC_KEY: &str = include_str!("../fixtures/github/app-key.pub.pem");
const PRIVATE_KEY: &str = include_str!("../fixtures/github/app-key.pem");
const GRANTS: [(&str, &str); 2] = [("personal_access_tokens", "write"), ("personal_access_token_requests", "write")];

struct World {
    emulator: Emulator,
    _server: EmulatorServer,
    base_url: String,
    app: u64,
    installation: u64,
    owner_token: String,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::new();
        let app = emulator.register_app(PUBLIC_KEY);
        emulator.add_org("corp");
        let installation = emulator.install_app(app, "corp", &GRANTS);
        emulator.set_saml("corp", true);
        emulator.add_org_owner("corp", "boss");
        let boss = emulator.seed_pat(SeedPat::classic("boss", "admin", &["admin:org", "read:org"]));
        emulator.seed_authorization("corp", SeedAuthorization::pat(boss.token_id));
        emulator.add_org_member("corp", "leaver");
        for name in ["laptop", "ci"] {
            let pat = emulator.seed_pat(SeedPat::fine_grained("leaver", name));
            emulator.seed_grant("corp", SeedGrant::new(pat.token_id).repositories(&["api"]));
        }
        let classic = emulator.seed_pat(SeedPat::classic("leaver", "old", &["repo"]));
        emulator.seed_authorization("corp", SeedAuthorization::pat(classic.token_id));
        emulator.seed_authorization("corp", SeedAuthorization::other("leaver", "SSH key", &[]));
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let base_url = server.base_url();
        Self {
            emulator,
            _server: server,
            base_url,
            app,
            installation,
            owner_token: boss.secret.expose_secret().to_owned(),
        }
    }

    fn client(&self, credential: GitHubCredential) -> GitHubClient {
        GitHubClient::builder("corp", credential)
            .base_url(&self.base_url)
            .transport(ReqwestTransport::new().unwrap())
            .retry(RetryConfig::none())
            .revoke_wait(Duration::from_millis(5), Duration::from_secs(10))
            .build()
            .unwrap()
    }

    fn installation(&self) -> GitHubClient {
        let app = GitHubApp::new(self.app.to_string(), AppKey::from_pem(PRIVATE_KEY).unwrap()).unwrap();
        self.client(GitHubCredential::app(app, self.installation))
    }

    fn owner(&self) -> GitHubClient {
        self.client(GitHubCredential::token(self.owner_token.clone()))
    }

    fn grants(&self) -> usize {
        self.emulator.snapshot().grants_in("corp").len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_found_by_login_and_email_is_unsupported() {
    let world = World::new().await;
    let owner = world.owner();
    let found = resolve_user("Leaver", owner.find_users("Leaver").await.unwrap());
    assert!(matches!(found, UserLookup::Found { matched_by: MatchKind::Login, .. }), "{found:?}");
    assert!(owner.find_users("stranger").await.unwrap().is_empty(), "not a member");
    assert!(owner.find_users("not a login!").await.unwrap().is_empty());
    assert!(matches!(owner.find_users("leaver@corp.example").await, Err(Error::Unsupported { .. })));
    // The installation may ask too.
    assert!(world.installation().is_member("leaver").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_are_revoked_saml_credentials_reported_and_a_dry_run_changes_nothing() {
    let world = World::new().await;
    let flow = |dry_run| {
        OffboardByName::new().organization_parts("corp", world.installation(), world.owner()).dry_run(dry_run)
    };

    let dry = flow(true).run("leaver").await.unwrap();
    assert_eq!(dry.organizations[0].status(), OrganizationStatus::DryRun, "{dry}");
    assert_eq!(dry.organizations[0].offboarding.as_ref().unwrap().revoked.len(), 2);
    assert_eq!(world.grants(), 2);

    let done = flow(false).run("leaver").await.unwrap();
    let section = &done.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::Offboarded, "{done}");
    assert_eq!(world.grants(), 0);
    let mut kinds: Vec<_> = section.credentials_untouched.iter().map(|c| c.kind.as_str().to_owned()).collect();
    kinds.sort();
    assert_eq!(kinds, ["ssh_key", "token"]);
    assert!(section.credentials_untouched.iter().any(|c| c.kind == CredentialKind::SshKey && c.fingerprint.is_some()));
    // Still authorized: offboarding by name reports them, GitHubOffboarding removes them.
    assert_eq!(world.emulator.snapshot().authorizations_in("corp").len(), 3);
    let everything = format!("{done}{done:?}{}", serde_json::to_string(&done).unwrap());
    assert!(!everything.contains(&world.owner_token));
}
