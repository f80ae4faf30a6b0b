//! Offboarding by name against the Azure DevOps emulator over loopback HTTP: Graph users found
//! by mail address and by principal name across continuation pages, nobody and two people
//! found, SSH keys reported and left alone, and a dry run that says "would revoke" and changes
//! nothing.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, EmulatorServer, SeedPat};
use patkit::azure::operations as op;
use patkit::lifecycle::{OffboardByName, OrganizationStatus};
use patkit::{CredentialKind, MatchKind, PatId, UserDirectory, UserLookup, resolve_user};

struct World {
    emulator: Emulator,
    server: EmulatorServer,
    admin: EmulatedUser,
    bob: EmulatedUser,
    bob_pats: Vec<PatId>,
    bob_key: PatId,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let admin = emulator.add_user("Admin");
        emulator.make_org_admin("fabrikam", admin.id);
        let bob = emulator.add_user("Bob Smith");
        emulator.add_member("fabrikam", bob.id);
        emulator.set_user_identity(bob.id, "bob.smith@contoso.onmicrosoft.com", Some("bob@contoso.com"));
        let bob_pats = (0..2)
            .map(|i| emulator.seed_pat("fabrikam", bob.id, SeedPat::new(format!("bob {i}"), "vso.code")).id)
            .collect();
        let bob_key = emulator.seed_ssh_key("fabrikam", bob.id, "bob's laptop");
        // Someone whose name contains "bob" but is not Bob: a fuzzy hit, never acted on.
        let bobby = emulator.add_user("Bobby Tables");
        emulator.add_member("fabrikam", bobby.id);
        emulator.seed_pat("fabrikam", bobby.id, SeedPat::new("bobby", "vso.code"));
        let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        Self { emulator, server, admin, bob, bob_pats, bob_key }
    }

    fn client(&self) -> AzureDevOpsClient {
        AzureDevOpsClient::builder("fabrikam", self.admin.credential())
            .base_url(self.server.base_url())
            .build()
            .unwrap()
    }

    fn revoked(&self, id: &PatId) -> bool {
        self.emulator.snapshot().token(id).unwrap().revoked
    }
}

#[tokio::test]
async fn finds_by_mail_and_principal_name_across_graph_pages() {
    let world = World::new().await;
    world.emulator.set_graph_page_size(1);
    let admin = world.client().token_admin();

    let by_mail = resolve_user("BOB@contoso.com", admin.find_users("BOB@contoso.com").await.unwrap());
    let UserLookup::Found { user, matched_by } = by_mail else { panic!("{by_mail:?}") };
    assert_eq!((user.id.as_str(), matched_by), (world.bob.descriptor.as_str(), MatchKind::Email));
    assert_eq!(user.display_name.as_deref(), Some("Bob Smith"));
    // Three members (admin, Bob, Bobby), one per page: every page was read.
    assert!(world.emulator.requests_seen(op::GRAPH_LIST_USERS) >= 3);

    let by_principal = admin.find_users("bob.smith@contoso.onmicrosoft.com").await.unwrap();
    assert!(matches!(
        resolve_user("bob.smith@contoso.onmicrosoft.com", by_principal),
        UserLookup::Found { matched_by: MatchKind::Login, .. }
    ));

    // "bob" names nobody exactly: Bob and Bobby are only similar.
    let fuzzy = resolve_user("bob", admin.find_users("bob").await.unwrap());
    assert!(matches!(&fuzzy, UserLookup::NotFound { similar } if similar.len() == 2), "{fuzzy:?}");
    assert!(admin.find_users("carol@contoso.com").await.unwrap().is_empty());
}

#[tokio::test]
async fn two_people_with_one_mail_address_are_ambiguous_and_untouched() {
    let world = World::new().await;
    let twin = world.emulator.add_user("Bob Twin");
    world.emulator.add_member("fabrikam", twin.id);
    world.emulator.set_user_identity(twin.id, "bob.twin@contoso.onmicrosoft.com", Some("bob@contoso.com"));

    let report = OffboardByName::new()
        .organization("fabrikam", world.client().token_admin())
        .run("bob@contoso.com")
        .await
        .unwrap();
    let section = &report.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::Ambiguous);
    assert!(matches!(&section.lookup, Some(UserLookup::Ambiguous { candidates }) if candidates.len() == 2));
    assert!(section.offboarding.is_none());
    assert!(world.bob_pats.iter().all(|id| !world.revoked(id)), "nothing was revoked");
    assert!(!report.is_complete());
}

#[tokio::test]
async fn a_dry_run_says_would_revoke_then_the_run_revokes_pats_and_leaves_ssh_keys() {
    let world = World::new().await;
    let flow = |dry_run| OffboardByName::new().organization("fabrikam", world.client().token_admin()).dry_run(dry_run);

    let dry = flow(true).run("bob@contoso.com").await.unwrap();
    let section = &dry.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::DryRun);
    let run = section.offboarding.as_ref().unwrap();
    assert_eq!(run.revoked.len(), 2);
    assert!(world.bob_pats.iter().all(|id| !world.revoked(id)), "a dry run revokes nothing");
    let text = dry.to_string();
    assert!(text.contains("would revoke") && text.contains("nothing was changed"), "{text}");
    let json = serde_json::to_value(&dry).unwrap();
    let actions: Vec<&str> =
        json["organizations"][0]["tokens"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["would_revoke", "would_revoke"]);

    let done = flow(false).run("bob@contoso.com").await.unwrap();
    let section = &done.organizations[0];
    assert_eq!(section.status(), OrganizationStatus::Offboarded, "{done}");
    assert!(world.bob_pats.iter().all(|id| world.revoked(id)));
    let keys = &section.credentials_untouched;
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0].kind.clone(), keys[0].id.as_str()), (CredentialKind::SshKey, world.bob_key.as_str()));
    assert_eq!(keys[0].title.as_deref(), Some("bob's laptop"));
    // The SSH key is still there, still valid.
    let after = world.client().token_admin().other_credentials(&section.user().unwrap().0.id).await.unwrap();
    assert_eq!(after.len(), 1);
    assert!(done.to_string().contains("seen, not touched"));
}

#[tokio::test]
async fn graph_reads_need_a_member_of_the_organization() {
    let world = World::new().await;
    let outsider = world.emulator.add_user("Outsider");
    let client = AzureDevOpsClient::builder("fabrikam", outsider.credential())
        .base_url(world.server.base_url())
        .build()
        .unwrap();
    let refused = client.token_admin().find_users("bob@contoso.com").await;
    assert!(matches!(refused, Err(patkit::Error::AuthRequired { .. })), "{refused:?}");
    // A member who is no administrator may read Graph (Token Admin is another matter).
    let member = AzureDevOpsClient::builder("fabrikam", world.bob.credential())
        .base_url(world.server.base_url())
        .build()
        .unwrap();
    assert_eq!(member.token_admin().find_users("bob@contoso.com").await.unwrap().len(), 1);
}
