//! Offboarding by name against the Gitea emulator over loopback HTTP, as a site administrator
//! with a password login: found by email (the admin user list) and by login (the search),
//! nobody and fuzzy hits, SSH and GPG keys reported and left, a dry run that deletes nothing.
#![cfg(all(feature = "emulator", feature = "gitea", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::auth::PasswordCredential;
use patkit::gitea::emulator::{Emulator, EmulatorServer, Flavor, SeedToken};
use patkit::gitea::{GiteaClient, operations as op};
use patkit::lifecycle::{OffboardByName, OrganizationStatus};
use patkit::transport::ReqwestTransport;
use patkit::{CredentialKind, MatchKind, UserDirectory, UserLookup, resolve_user};

struct World {
    emulator: Emulator,
    _server: EmulatorServer,
    base_url: String,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::new(Flavor::Gitea);
        emulator.add_admin("root", "pw-root");
        let bob = emulator.add_user("bob", "pw-bob").id;
        emulator.set_user_identity(bob, "Bob Builder", "bob@corp.example");
        emulator.add_user("bobby", "pw-bobby");
        for name in ["laptop", "ci"] {
            emulator.seed_token(bob, SeedToken::new(name, &["read:user"]));
        }
        emulator.add_ssh_key(bob, "bob laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYCANARY", "SHA256:bobkey");
        emulator.add_gpg_key(bob, "0123456789ABCDEF", "GPGCANARY");
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let base_url = format!("{}/api/v1", server.base_url());
        Self { emulator, _server: server, base_url }
    }

    fn root(&self) -> GiteaClient {
        GiteaClient::builder(&self.base_url, PasswordCredential::new("root", "pw-root".to_owned()))
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_admin_finds_by_email_and_login_and_nobody_else() {
    let world = World::new().await;
    let root = world.root();
    let by_email = resolve_user("Bob@Corp.example", root.find_users("Bob@Corp.example").await.unwrap());
    assert!(
        matches!(&by_email, UserLookup::Found { user, matched_by: MatchKind::Email } if user.id.as_str() == "bob"),
        "{by_email:?}"
    );
    assert!(world.emulator.requests_seen(op::ADMIN_USERS) >= 1, "an email query reads the admin user list");
    let by_login = resolve_user("bob", root.find_users("bob").await.unwrap());
    assert!(matches!(by_login, UserLookup::Found { matched_by: MatchKind::Login, .. }), "{by_login:?}");
    assert!(
        matches!(resolve_user("bo", root.find_users("bo").await.unwrap()), UserLookup::NotFound { similar } if similar.len() == 2)
    );
    assert!(root.find_users("carol@corp.example").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_reported_untouched_and_a_dry_run_deletes_nothing() {
    let world = World::new().await;
    let tokens = || world.emulator.snapshot().tokens.len();
    let before = tokens();
    let flow = |dry_run| OffboardByName::new().organization("gitea.example", world.root()).dry_run(dry_run);

    let dry = flow(true).run("bob@corp.example").await.unwrap();
    assert_eq!(dry.organizations[0].status(), OrganizationStatus::DryRun, "{dry}");
    assert_eq!(dry.organizations[0].offboarding.as_ref().unwrap().revoked.len(), 2);
    assert_eq!(tokens(), before);

    let done = flow(false).run("bob@corp.example").await.unwrap();
    let section = &done.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::Offboarded, "{done}");
    assert_eq!(tokens(), before - 2);
    let keys = &section.credentials_untouched;
    assert_eq!(
        keys.iter().map(|k| k.kind.clone()).collect::<Vec<_>>(),
        [CredentialKind::SshKey, CredentialKind::GpgKey]
    );
    assert_eq!(keys[0].fingerprint.as_deref(), Some("SHA256:bobkey"));
    assert_eq!(keys[1].fingerprint.as_deref(), Some("0123456789ABCDEF"));
    let everything = format!("{done}{done:?}{}", serde_json::to_string(&done).unwrap());
    assert!(!everything.contains("KEYCANARY") && !everything.contains("GPGCANARY") && !everything.contains("pw-root"));
    assert_eq!(world.root().other_credentials(&section.user().unwrap().0.id).await.unwrap().len(), 2);
}
