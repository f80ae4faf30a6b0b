//! Offboarding by name against the Bitbucket Data Center emulator over loopback HTTP, as a
//! system administrator: found by email and by username through the admin user filter, nobody
//! and fuzzy hits, a non-administrator refused, SSH and GPG keys reported and left, a dry run
//! that deletes nothing.
#![cfg(all(feature = "emulator", feature = "bitbucket", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::auth::PasswordCredential;
use patkit::bitbucket::BitbucketClient;
use patkit::bitbucket::emulator::{Emulator, EmulatorServer, SeedToken};
use patkit::lifecycle::{OffboardByName, OrganizationStatus};
use patkit::transport::ReqwestTransport;
use patkit::{CredentialKind, Error, MatchKind, UserDirectory, UserLookup, resolve_user};

struct World {
    emulator: Emulator,
    _server: EmulatorServer,
    base_url: String,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::new();
        emulator.add_admin("root", "pw-root");
        emulator.add_user("bob", "pw-bob");
        emulator.set_user_identity("bob", "Bob Builder", "bob@corp.example");
        emulator.add_user("bobby", "pw-bobby");
        for name in ["laptop", "ci"] {
            emulator.seed_token("bob", SeedToken::new(name, &["REPO_READ"]));
        }
        emulator.add_ssh_key("bob", "bob laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYCANARY", "SHA256:bobkey");
        emulator.add_gpg_key("bob", "GPGCANARY", "0123456789ABCDEF0123456789ABCDEF01234567");
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let base_url = format!("{}/bitbucket", server.base_url());
        Self { emulator, _server: server, base_url }
    }

    fn client(&self, user: &str, password: &str) -> BitbucketClient {
        BitbucketClient::builder(&self.base_url, PasswordCredential::new(user, password.to_owned()))
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_admin_finds_by_email_and_username() {
    let world = World::new().await;
    let root = world.client("root", "pw-root");
    let by_email = resolve_user("bob@corp.example", root.find_users("bob@corp.example").await.unwrap());
    assert!(
        matches!(&by_email, UserLookup::Found { user, matched_by: MatchKind::Email } if user.id.as_str() == "bob"),
        "{by_email:?}"
    );
    let by_name = resolve_user("BOB", root.find_users("BOB").await.unwrap());
    assert!(matches!(by_name, UserLookup::Found { matched_by: MatchKind::Login, .. }), "{by_name:?}");
    assert!(
        matches!(resolve_user("bo", root.find_users("bo").await.unwrap()), UserLookup::NotFound { similar } if similar.len() == 2)
    );
    assert!(root.find_users("carol@corp.example").await.unwrap().is_empty());
    // Only system administrators may read the admin user list or others' keys.
    let bobby = world.client("bobby", "pw-bobby");
    assert!(matches!(bobby.find_users("bob").await, Err(Error::AuthRequired { .. } | Error::Forbidden { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_reported_untouched_and_a_dry_run_deletes_nothing() {
    let world = World::new().await;
    let tokens = || world.emulator.snapshot().tokens.len();
    let before = tokens();
    let flow =
        |dry_run| OffboardByName::new().organization("bitbucket", world.client("root", "pw-root")).dry_run(dry_run);

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
    assert_eq!((keys[0].title.as_deref(), keys[0].fingerprint.as_deref()), (Some("bob laptop"), Some("SHA256:bobkey")));
    let everything = format!("{done}{done:?}{}", serde_json::to_string(&done).unwrap());
    assert!(!everything.contains("KEYCANARY") && !everything.contains("GPGCANARY") && !everything.contains("pw-root"));
    let still = world.client("root", "pw-root").other_credentials(&section.user().unwrap().0.id).await.unwrap();
    assert_eq!(still.len(), 2);
}
