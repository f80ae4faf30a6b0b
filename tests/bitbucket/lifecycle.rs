//! The lifecycle flows over the Bitbucket seam against the emulator: a `Rotator` replaces a
//! stored token by create-then-delete (the replacement keeps the permissions and the lifetime in
//! days, the expiry being fixed at creation), a create whose answer is lost leaves no orphan,
//! and offboarding deletes every token of a user and nobody else's.
#![cfg(all(feature = "emulator", feature = "bitbucket", feature = "reqwest"))]

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use patkit::bitbucket::emulator::{Fault, FaultRule, SeedToken};
use patkit::bitbucket::operations as op;
use patkit::lifecycle::{Offboarding, Outcome, RotationMethod, Rotator};
use patkit::store::InMemoryTokenStore;
use patkit::{PatId, PatProvider, PatRecord, StoredPat, TokenStore, UserId};

use crate::against_emulator::{EmulatorClock, Instance};

/// Seeds a token of Alice's created 25 days ago that lives 30 days, and stores it as `name`.
async fn stored(
    instance: &Instance,
    store: &InMemoryTokenStore,
    name: &str,
) -> patkit::bitbucket::emulator::SeededToken {
    let created = instance.emulator.now() - TimeDelta::days(25);
    let seed = SeedToken::new("ci deploy", &["PROJECT_READ", "REPO_WRITE"]).expiry_days(30).created(created);
    let seeded = instance.emulator.seed_token("alice", seed);
    let metadata = instance.alice().get(&PatId::new(seeded.id.clone())).await.unwrap().metadata;
    let record = PatRecord::new(name, "bitbucket", instance.alice().host(), metadata, instance.emulator.now());
    store.put(StoredPat { record, secret: seeded.secret.clone() }).await.unwrap();
    seeded
}

#[tokio::test]
async fn a_rotator_replaces_a_token_by_create_then_delete_keeping_permissions_and_lifetime() {
    let instance = Instance::new(false).await;
    let alice = instance.alice();
    let store = Arc::new(InMemoryTokenStore::new());
    let old = stored(&instance, &store, "ci").await;
    let rotator = Rotator::from_arcs(Arc::new(alice.clone()), store.clone())
        .clock(EmulatorClock(instance.emulator.clone()))
        .window(Duration::from_secs(10 * 86_400));
    let report = rotator.rotate("ci").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.method, RotationMethod::CreateThenRevoke);
    let stored = store.get("ci").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata, rotation.new);
    assert!(alice.check(&stored.secret).await.unwrap(), "the stored replacement works");
    assert!(!alice.check(&old.secret).await.unwrap(), "the old token is gone");
    assert!(instance.emulator.token(&old.id).is_none(), "deleted");
    let new = instance.emulator.token(stored.record.metadata.id.as_str()).unwrap();
    assert_eq!(new.permissions, ["PROJECT_READ", "REPO_WRITE"]);
    assert_eq!(new.expiry_days, Some(30), "the same lifetime, in whole days");
    assert!(new.name.starts_with("ci deploy"), "{}", new.name);
}

/// The create of the replacement is committed but its answer lost: the rotation fails with the
/// old token still stored and working, the create was sent once, the committed replacement (its
/// secret lost) is found by its name and deleted, and the next run rotates.
#[tokio::test]
async fn a_lost_create_answer_keeps_the_old_token_and_deletes_the_orphan() {
    let instance = Instance::new(false).await;
    let alice = instance.alice();
    let store = Arc::new(InMemoryTokenStore::new());
    let old = stored(&instance, &store, "ci").await;
    instance.emulator.inject(FaultRule::new(op::TOKEN_CREATE, Fault::CommitThenDrop).times(1));
    let rotator = Rotator::from_arcs(Arc::new(alice.clone()), store.clone())
        .clock(EmulatorClock(instance.emulator.clone()))
        .window(Duration::from_secs(10 * 86_400))
        .lease(Duration::ZERO);
    let first = rotator.rotate("ci").await;
    assert!(matches!(first.outcome, Outcome::Failed(_)), "{first}");
    assert_eq!(instance.emulator.requests_seen(op::TOKEN_CREATE), 1, "a create is never re-sent");
    assert!(alice.check(&store.get("ci").await.unwrap().unwrap().secret).await.unwrap(), "the stored token works");
    assert!(alice.check(&old.secret).await.unwrap());
    let left: Vec<_> = instance.emulator.snapshot().tokens_of("alice").map(|t| t.id.clone()).collect();
    assert_eq!(
        left,
        [old.id.as_str()],
        "the committed replacement (never stored) was found by name and deleted: {first}"
    );

    let second = rotator.rotate("ci").await;
    assert!(matches!(second.outcome, Outcome::Rotated(_)), "{second}");
    let stored = store.get("ci").await.unwrap().unwrap();
    let left: Vec<_> = instance.emulator.snapshot().tokens_of("alice").map(|t| t.id.clone()).collect();
    assert_eq!(left, [stored.record.metadata.id.as_str().to_owned()], "only the stored replacement is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboarding_deletes_every_token_of_the_user_and_nobody_elses() {
    let instance = Instance::new(true).await;
    instance.emulator.add_user("bob", "pw-bob");
    let bobs: Vec<String> = (0..3)
        .map(|i| instance.emulator.seed_token("bob", SeedToken::new(&format!("bob {i}"), &["REPO_READ"])).id)
        .collect();
    let alices = instance.emulator.seed_token("alice", SeedToken::new("alice's", &["REPO_READ"])).id;
    let root = instance.root();
    let bob = UserId::from("bob");

    let dry = Offboarding::new(root.clone()).dry_run(true).run(bob.clone()).await.unwrap();
    assert_eq!(dry.found.len(), 3, "{dry}");
    assert!(bobs.iter().all(|id| instance.emulator.token(id).is_some()), "a dry run deletes nothing");

    let report = Offboarding::new(root.clone()).run(bob).await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked.len(), 3, "{report}");
    assert!(report.still_valid.is_empty(), "{report}");
    assert!(bobs.iter().all(|id| instance.emulator.token(id).is_none()), "every token of Bob's deleted");
    assert!(instance.emulator.token(&alices).is_some(), "nobody else's token is touched");
    assert_eq!(PatProvider::provider_name(&root), "bitbucket");
}
