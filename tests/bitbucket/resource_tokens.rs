//! Project and repository tokens (§5.1, parallel namespaces with the same shapes): the client
//! on `for_project` / `for_repository` against the emulator — the provider conformance suite,
//! who may manage them, `REPO_*`-only repository tokens, and a token that reads only its own
//! project.
#![cfg(all(feature = "emulator", feature = "bitbucket", feature = "reqwest"))]

use std::sync::Arc;

use patkit::bitbucket::emulator::SeedToken;
use patkit::bitbucket::{NewToken, TokenOwner};
use patkit::testing::provider_conformance::{self, Setup};
use patkit::{Error, PatProvider, Scopes};

use crate::against_emulator::{EmulatorClock, Instance};

/// An instance with project `PRJ` (admin: Alice) holding repository `api`, and project `OTHER`.
async fn instance(loopback: bool) -> Instance {
    let instance = Instance::new(loopback).await;
    instance.emulator.add_project("PRJ");
    instance.emulator.add_repository("PRJ", "api");
    instance.emulator.add_project_admin("PRJ", "alice");
    instance.emulator.add_project("OTHER");
    instance
}

#[tokio::test]
async fn the_conformance_suite_passes_for_project_tokens_in_process() {
    let instance = instance(false).await;
    let project = instance.alice().for_project("PRJ").unwrap();
    assert_eq!(project.owner(), &TokenOwner::Project("PRJ".into()));
    assert_eq!(project.organization(), "bitbucket.example/projects/PRJ");
    let setup =
        Setup::new(Scopes::parse("PROJECT_WRITE REPO_WRITE").unwrap()).clock(EmulatorClock(instance.emulator.clone()));
    provider_conformance::run_all(&project, &setup).await;
    let shared: Arc<dyn PatProvider> = Arc::new(project);
    provider_conformance::run_all(&shared, &setup).await;
    assert!(instance.emulator.snapshot().tokens.is_empty(), "the suite deleted what it made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes_for_repository_tokens_over_loopback() {
    let instance = instance(true).await;
    let repo = instance.alice().for_repository("PRJ", "api").unwrap();
    let setup = Setup::new(Scopes::parse("REPO_READ").unwrap()).clock(EmulatorClock(instance.emulator.clone()));
    provider_conformance::run_all(&repo, &setup).await;
    assert!(instance.emulator.snapshot().tokens.is_empty());
}

/// Only their administrators (or a system administrator) manage a project's tokens; anyone else
/// is Forbidden (Bitbucket's 401, told apart from a bad password); an unknown project is an
/// error too. Repository tokens take `REPO_*` only, refused before sending.
#[tokio::test]
async fn who_may_manage_them_and_what_they_may_hold() {
    let instance = instance(false).await;
    instance.emulator.add_user("bob", "pw-bob");
    let bob = instance.builder("bob", "pw-bob").build().unwrap();
    let read = NewToken::new("ci", Scopes::parse("REPO_READ").unwrap());
    assert!(matches!(bob.for_project("PRJ").unwrap().create(&read).await, Err(Error::Forbidden { .. })));
    assert!(matches!(bob.for_repository("PRJ", "api").unwrap().list().send().await, Err(Error::Forbidden { .. })));
    instance.emulator.add_repository_admin("PRJ", "api", "bob");
    assert!(bob.for_repository("PRJ", "api").unwrap().create(&read).await.is_ok(), "a repository admin");
    assert!(
        matches!(bob.for_project("PRJ").unwrap().list().send().await, Err(Error::Forbidden { .. })),
        "not the project's"
    );
    assert!(instance.root().for_project("OTHER").unwrap().create(&read).await.is_ok(), "a system admin");
    assert!(matches!(
        instance.root().for_project("NOPE").unwrap().list().send().await,
        Err(Error::Api { status: 404, .. })
    ));

    let both = NewToken::new("ci", Scopes::parse("PROJECT_READ REPO_READ").unwrap());
    let repo = instance.alice().for_repository("PRJ", "api").unwrap();
    assert!(matches!(repo.create(&both).await, Err(Error::InvalidInput { field: "permissions", .. })));
    assert_eq!(instance.emulator.snapshot().tokens.len(), 2, "nothing else was created");
}

/// A project token is Bearer-only and reads its own project (and its repositories), not another
/// project; `check` on a project client asks the project.
#[tokio::test]
async fn a_project_token_reads_only_its_project() {
    let instance = instance(false).await;
    let mine = instance.emulator.seed_project_token("PRJ", SeedToken::new("ci", &["PROJECT_READ"]));
    let project = instance.alice().for_project("PRJ").unwrap();
    assert!(project.check(&mine.secret).await.unwrap());
    assert!(instance.alice().for_repository("PRJ", "api").unwrap().check(&mine.secret).await.unwrap());
    assert!(!instance.alice().for_project("OTHER").unwrap().check(&mine.secret).await.unwrap(), "not another project");
    let listed = project.list().send().await.unwrap();
    assert_eq!(listed.items[0].metadata.id.as_str(), mine.id);
    assert_eq!(listed.items[0].user_slug, None, "a project token has no user");
    assert_eq!(instance.emulator.token(&mine.id).unwrap().owner, "projects/PRJ");
    assert!(instance.alice().list().send().await.unwrap().items.is_empty(), "Alice's own tokens are another namespace");
}
