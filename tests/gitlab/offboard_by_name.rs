//! Offboarding by name against the GitLab emulator over loopback HTTP: an administrator finds
//! a user by email and by username (a regular user's search never matches an email), nobody
//! for an unknown name, fuzzy search hits never acted on, SSH and GPG keys reported and left,
//! and a dry run that revokes nothing.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::gitlab::emulator::{Emulator, EmulatorServer, SeedToken};
use patkit::gitlab::{GitLabClient, GitLabCredential, operations as op};
use patkit::lifecycle::{OffboardByName, OrganizationStatus};
use patkit::transport::ReqwestTransport;
use patkit::{CredentialKind, MatchKind, PatSecret, UserDirectory, UserLookup, resolve_user};

struct World {
    emulator: Emulator,
    _server: EmulatorServer,
    base_url: String,
    root: PatSecret,
    carol: PatSecret,
    bob: u64,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::new();
        let root = emulator.add_admin("root");
        let root = emulator.seed_token(root.id, SeedToken::new("admin", &["api"])).secret;
        let carol = emulator.add_user("carol");
        let carol = emulator.seed_token(carol.id, SeedToken::new("mine", &["read_user"])).secret;
        let bob = emulator.add_user("bob").id;
        emulator.set_user_identity(bob, "Bob Builder", "bob@corp.example");
        emulator.add_user("bobby");
        for name in ["laptop", "ci"] {
            emulator.seed_token(bob, SeedToken::new(name, &["read_api"]));
        }
        emulator.add_ssh_key(bob, "bob laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYCANARY bob", None);
        emulator
            .add_gpg_key(bob, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nGPGCANARY\n-----END PGP PUBLIC KEY BLOCK-----");
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let base_url = format!("{}/api/v4", server.base_url());
        Self { emulator, _server: server, base_url, root, carol, bob }
    }

    fn client(&self, secret: &PatSecret) -> GitLabClient {
        GitLabClient::builder(GitLabCredential::private_token(secret.expose_secret().to_owned()))
            .base_url(&self.base_url)
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap()
    }

    fn revoked(&self) -> usize {
        self.emulator.snapshot().tokens.iter().filter(|t| t.revoked).count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_finds_by_email_and_username_a_user_by_neither() {
    let world = World::new().await;
    let admin = world.client(&world.root);

    let by_email = resolve_user("bob@corp.example", admin.find_users("bob@corp.example").await.unwrap());
    let UserLookup::Found { user, matched_by: MatchKind::Email } = by_email else { panic!("{by_email:?}") };
    assert_eq!(user.id.as_str(), world.bob.to_string());
    assert_eq!((user.login.as_deref(), user.display_name.as_deref()), (Some("bob"), Some("Bob Builder")));

    let by_login = resolve_user("BOB", admin.find_users("BOB").await.unwrap());
    assert!(matches!(by_login, UserLookup::Found { matched_by: MatchKind::Login, .. }), "{by_login:?}");
    assert!(world.emulator.requests_seen(op::USERS) >= 4, "username= and search= for each query");

    // "bo" is part of two usernames and names neither.
    assert!(
        matches!(resolve_user("bo", admin.find_users("bo").await.unwrap()), UserLookup::NotFound { similar } if similar.len() == 2)
    );
    assert!(admin.find_users("nobody@corp.example").await.unwrap().is_empty());
    // A regular user's search matches public emails only; Bob has none.
    assert!(world.client(&world.carol).find_users("bob@corp.example").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_reported_untouched_and_a_dry_run_revokes_nothing() {
    let world = World::new().await;
    let flow =
        |dry_run| OffboardByName::new().organization("gitlab.example", world.client(&world.root)).dry_run(dry_run);

    let dry = flow(true).run("bob@corp.example").await.unwrap();
    assert_eq!(dry.organizations[0].status(), OrganizationStatus::DryRun);
    assert_eq!(dry.organizations[0].offboarding.as_ref().unwrap().revoked.len(), 2);
    assert_eq!(world.revoked(), 0);
    assert!(dry.to_string().contains("would revoke"));

    let done = flow(false).run("bob@corp.example").await.unwrap();
    let section = &done.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::Offboarded, "{done}");
    assert_eq!(world.revoked(), 2);
    let kinds: Vec<_> = section.credentials_untouched.iter().map(|c| c.kind.clone()).collect();
    assert_eq!(kinds, [CredentialKind::SshKey, CredentialKind::GpgKey]);
    assert_eq!(section.credentials_untouched[0].title.as_deref(), Some("bob laptop"));
    let everything = format!("{done}{done:?}{}", serde_json::to_string(&done).unwrap());
    assert!(!everything.contains("KEYCANARY") && !everything.contains("GPGCANARY"), "no key material");
    // The keys are still there.
    let still = world.client(&world.root).other_credentials(&section.user().unwrap().0.id).await.unwrap();
    assert_eq!(still.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_users_needs_a_read_scope() {
    let world = World::new().await;
    let dave = world.emulator.add_user("dave");
    let narrow = world.emulator.seed_token(dave.id, SeedToken::new("git only", &["read_repository"])).secret;
    let refused = world.client(&narrow).find_users("bob").await;
    assert!(matches!(refused, Err(patkit::Error::Forbidden { .. })), "{refused:?}");
}
