//! Rotation through the public API: the happy path, options, dry run, many entries, concurrent
//! rotators, a slow rotator overtaken by recovery, and failures that must leave the old token in
//! place. The provider-neutral behaviour runs on every [`Backend`] (the Azure client over the
//! emulator, and the fake provider in each capability profile: create-then-revoke, server-side
//! rotate only, tokens that never expire); Azure specifics (global tokens, tenant policies) on
//! the emulator.

use crate::lifecycle_support;

use std::sync::Arc;
use std::time::Duration;

use crate::lifecycle_support::{Backend, Call, HoldPoint, ORG, World};
use chrono::TimeDelta;
use patkit::azure::emulator::{Fault, FaultRule, TargetAccounts, TenantPolicies};
use patkit::azure::operations as op;
use patkit::azure::{GlobalReplacement, Targets};
use patkit::lifecycle::{
    DueReason, Outcome, PlannedAction, RecoveryAction, RotationMethod, Rotator, SkipReason, Step, VerifyOptions,
};
use patkit::store::{Expected, InMemoryTokenStore, StoreError, StoreErrorKind};
use patkit::testing::{FakeOp, FakeProfile, FakeProvider};
use patkit::{PatMetadata, PatProvider, PatRecord, StoredPat, TokenStore};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

fn memory_world() -> World {
    World::new(Arc::new(InMemoryTokenStore::new()))
}

fn world(backend: Backend) -> World {
    World::on(backend, Arc::new(InMemoryTokenStore::new()))
}

/// A rotator through the world's gated provider. A token that never expires is never due, so
/// on that backend it rotates by force.
/// A rotator whose (Azure) client replaces global tokens as `replacement` says.
fn rotator_with(w: &World, replacement: GlobalReplacement) -> Rotator {
    Rotator::new(w.client_with(replacement), w.store.clone()).clock(w.clock.clone()).window(WEEK)
}

fn rotator(w: &World) -> Rotator {
    Rotator::from_arcs(w.provider.clone(), w.store.clone())
        .clock(w.clock.clone())
        .window(WEEK)
        .force(!w.backend.expires())
}

fn method(backend: Backend) -> RotationMethod {
    if backend.creates() { RotationMethod::CreateThenRevoke } else { RotationMethod::ServerSide }
}

#[tokio::test(start_paused = true)]
async fn rotates_a_due_token_keeping_scopes_and_targets() {
    for backend in Backend::ALL {
        let w = world(backend);
        let old = w.seed("ci-feed", "ci feed", 2).await;
        let report = rotator(&w).lifetime(Duration::from_secs(30 * 86_400)).rotate("ci-feed").await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        assert_eq!(rotation.old.id, old.record.metadata.id);
        assert_eq!(rotation.method, method(backend), "{backend:?}");
        assert!(rotation.cleanup_pending.is_none() && rotation.verify_error.is_none(), "{backend:?}: {report}");
        let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
        assert_eq!(stored.record.metadata, rotation.new);
        assert_eq!(stored.record.metadata.scopes, old.record.metadata.scopes);
        assert_eq!(stored.record.metadata.extras, old.record.metadata.extras, "{backend:?}");
        if backend.creates() {
            assert!(stored.record.metadata.display_name.starts_with("ci feed~r"), "{backend:?}");
        } else {
            assert_eq!(stored.record.metadata.display_name, "ci feed", "a server-side rotate keeps the name");
        }
        let asked = w.now() + TimeDelta::days(30);
        match backend {
            Backend::Fake(FakeProfile::NoExpiry) | Backend::Gitea | Backend::Forgejo => {
                assert_eq!(stored.record.metadata.valid_to, None)
            }
            // Date or day granularity: rounded up, by less than a day, never down.
            Backend::Fake(FakeProfile::ServerRotate) | Backend::GitLab | Backend::Bitbucket => {
                let valid_to = stored.record.metadata.valid_to.expect("an expiry");
                assert!(valid_to >= asked && valid_to - asked < TimeDelta::days(1), "{valid_to}");
            }
            _ => assert_eq!(stored.record.metadata.valid_to, Some(asked), "{backend:?}"),
        }
        assert!(stored.record.rotation.is_none() && stored.record.previous.is_none());
        assert!(w.server.token(&old.record.metadata.id).unwrap().revoked, "{backend:?}");
        w.check_settled("ci-feed").await.unwrap();
        // Rotating again right away: not due.
        if backend.expires() {
            let again = rotator(&w).rotate("ci-feed").await;
            assert!(matches!(again.outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{again}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_service_clamp_is_what_gets_stored() {
    let w = memory_world();
    w.emulator.set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(10)), ..Default::default() });
    w.seed("ci-feed", "ci feed", 1).await;
    let report = rotator(&w).lifetime(Duration::from_secs(90 * 86_400)).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.new.valid_to, Some(w.now() + TimeDelta::days(10)));
    w.check_settled("ci-feed").await.unwrap();
}

/// Stores a global token of Alice's under `name`, expiring `days_left` days from now.
async fn store_global(w: &World, name: &str, days_left: i64) -> patkit::PatId {
    let seeded = w.emulator.seed_pat(
        ORG,
        w.alice.id,
        patkit::azure::emulator::SeedPat::new(format!("{name} token"), "vso.code")
            .global()
            .valid_from(w.now() - TimeDelta::days(30))
            .valid_to(w.now() + TimeDelta::days(days_left)),
    );
    let metadata = w.direct.get(&seeded.id).await.unwrap();
    assert!(Targets::of(&metadata).is_some_and(|t| t.is_global()));
    w.inner_store
        .put(StoredPat { record: PatRecord::new(name, "azure-devops", ORG, metadata, w.now()), secret: seeded.secret })
        .await
        .unwrap();
    seeded.id
}

/// Before and after the retirement alike, rotating a global token makes one bound to the
/// rotator's organization, says so, revokes the old one, and never asks for a global token.
#[tokio::test(start_paused = true)]
async fn a_global_token_is_replaced_by_an_organization_scoped_one() {
    for now in [lifecycle_support::start_time(), patkit::azure::GLOBAL_PAT_RETIREMENT + TimeDelta::days(1)] {
        let w = memory_world();
        w.clock.set(now);
        let old = store_global(&w, "global", 3).await;
        let plan = rotator(&w).plan().await.unwrap();
        let PlannedAction::Rotate { note, .. } = &plan.entries[0].action else { panic!("{plan}") };
        assert_eq!(
            note.as_deref(),
            Some("the global token was replaced by one for fabrikam"),
            "the dry run says so too"
        );
        let report = rotator(&w).rotate("global").await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{now}: {report}") };
        assert_eq!(rotation.old.id, old);
        assert_eq!(rotation.note.as_deref(), Some("the global token was replaced by one for fabrikam"));
        assert!(report.to_string().contains("the global token was replaced by one for fabrikam"), "{report}");
        let org_uuid = w.emulator.organization(ORG).unwrap().id;
        let org_id = org_uuid.to_string();
        assert_eq!(Targets::of(&rotation.new), Some(Targets::Organizations(vec![org_id])));

        // The emulator's own record: the old global token is revoked, the new one is scoped.
        let snapshot = w.emulator.snapshot();
        assert!(snapshot.token(&old).unwrap().revoked, "{now}");
        assert_eq!(snapshot.token(&rotation.new.id).unwrap().targets, TargetAccounts::Organizations(vec![org_uuid]));
        assert!(
            snapshot.tokens_of(w.alice.id).all(|t| t.id == old || !t.targets.is_global()),
            "no global token asked for"
        );
        w.check_settled("global").await.unwrap();
    }
}

/// A global token stops working at the retirement whatever its own expiry says: one with 60 days
/// left is not due long before the date, due once the date falls inside the window, and due
/// after it — in the dry run and in `rotate_all` alike. An organization token with the same
/// expiry is never due.
#[tokio::test(start_paused = true)]
async fn a_long_lived_global_token_is_due_from_the_retirement_window_on() {
    let retirement = patkit::azure::GLOBAL_PAT_RETIREMENT;
    let cases = [
        (retirement - TimeDelta::days(30), None),
        (retirement - TimeDelta::days(3), Some(DueReason::Retiring)),
        (retirement + TimeDelta::days(1), Some(DueReason::Retired)),
    ];
    for (now, due) in cases {
        let w = memory_world();
        w.clock.set(now);
        let old = store_global(&w, "global", 60).await;
        w.seed("scoped", "scoped", 60).await;
        let plan = rotator(&w).plan().await.unwrap();
        let action = |name: &str| &plan.entries.iter().find(|e| e.name == name).unwrap().action;
        match due {
            Some(reason) => assert!(
                matches!(action("global"), PlannedAction::Rotate { reason: r, .. } if *r == reason),
                "{now}: {plan}"
            ),
            None => {
                assert!(matches!(action("global"), PlannedAction::Skip(SkipReason::NotDue { .. })), "{now}: {plan}")
            }
        }
        assert!(matches!(action("scoped"), PlannedAction::Skip(SkipReason::NotDue { .. })), "{now}: {plan}");

        let report = rotator(&w).rotate_all().await.unwrap();
        let global = report.entries.iter().find(|e| e.name == "global").unwrap();
        let scoped = report.entries.iter().find(|e| e.name == "scoped").unwrap();
        assert!(matches!(scoped.outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{now}: {report}");
        if due.is_some() {
            let Outcome::Rotated(rotation) = &global.outcome else { panic!("{now}: {report}") };
            assert_eq!(rotation.old.id, old);
            assert!(
                !Targets::of(&rotation.new).unwrap().is_global(),
                "{now}: replaced by an organization-scoped token"
            );
            assert!(w.emulator.token(&old).unwrap().revoked, "{now}");
            w.check_settled_all(&["global", "scoped"]).await.unwrap();
        } else {
            assert!(matches!(global.outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{now}: {report}");
            assert!(!w.emulator.token(&old).unwrap().revoked);
        }
    }
}

/// `GlobalReplacement::KeepGlobal` is the only way to get a global replacement; after the
/// retirement the service refuses it and the old token stays stored.
#[tokio::test(start_paused = true)]
async fn keeping_a_token_global_must_be_asked_for_and_fails_after_the_retirement() {
    let w = memory_world();
    let old = store_global(&w, "global", 3).await;
    let report = rotator_with(&w, GlobalReplacement::KeepGlobal).rotate("global").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert!(Targets::of(&rotation.new).unwrap().is_global());
    assert_eq!(rotation.note, None);
    assert!(w.emulator.token(&old).unwrap().revoked);

    let w = memory_world();
    w.clock.set(patkit::azure::GLOBAL_PAT_RETIREMENT);
    let old = store_global(&w, "global", 3).await;
    let tokens_before = w.emulator.snapshot().tokens.len();
    let report = rotator_with(&w, GlobalReplacement::KeepGlobal).rotate("global").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create);
    assert!(patkit::azure::Policy::of(&failure.error) == Some(patkit::azure::Policy::GlobalPatRetired), "{report}");
    assert_eq!(w.emulator.snapshot().tokens.len(), tokens_before, "nothing created");
    let stored = w.inner_store.get("global").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, old);
    assert!(stored.record.rotation.is_none(), "the intent was cleared");
}

/// An explicit list: the provider's organization is honoured; another organization cannot be
/// (a create request makes a token for the organization it is sent to) and is refused before
/// anything is written or created.
#[tokio::test(start_paused = true)]
async fn an_explicit_organization_list_is_honoured_or_refused_up_front() {
    let w = memory_world();
    store_global(&w, "global", 3).await;
    let report = rotator_with(&w, GlobalReplacement::Organizations(vec!["FABRIKAM".into()])).rotate("global").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.note.as_deref(), Some("the global token was replaced by one for fabrikam"));
    assert!(!Targets::of(&rotation.new).unwrap().is_global());

    let w = memory_world();
    let old = store_global(&w, "global", 3).await;
    let before = w.inner_store.get("global").await.unwrap().unwrap().record.revision;
    let report =
        rotator_with(&w, GlobalReplacement::Organizations(vec![ORG.into(), "contoso".into()])).rotate("global").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert!(matches!(failure.error, patkit::Error::InvalidInput { field: "global_tokens", .. }), "{report}");
    assert_eq!(w.emulator.requests_seen(op::CREATE), 0);
    let stored = w.inner_store.get("global").await.unwrap().unwrap();
    assert_eq!((stored.record.metadata.id, stored.record.revision), (old, before), "the store is untouched");
}

/// Organization-bound tokens stay bound, with nothing recorded.
#[tokio::test(start_paused = true)]
async fn organization_tokens_stay_bound() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let report = rotator(&w).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.note, None);
    assert_eq!(Targets::of(&rotation.new), Targets::of(&old.record.metadata));
}

#[tokio::test(start_paused = true)]
async fn verify_failure_revokes_the_replacement_and_keeps_the_old_token() {
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let w = world(backend);
        let old = w.seed("ci-feed", "ci feed", 2).await;
        w.emulator.inject(FaultRule::new(op::CHECK_TOKEN, Fault::ServerError { status: 503 }).always());
        w.fake.fail_next(FakeOp::Check, 3);
        let unavailable = |op| FaultRule::new(op, Fault::ServerError { status: 503 }).always();
        w.gitea.inject(unavailable(patkit::gitea::emulator::operations::CURRENT_USER));
        w.bitbucket.inject(unavailable(patkit::bitbucket::emulator::operations::USER));
        let report =
            rotator(&w).verify(VerifyOptions { attempts: 3, backoff: Duration::from_secs(1) }).rotate("ci-feed").await;
        let Outcome::Failed(failure) = &report.outcome else { panic!("{backend:?}: {report}") };
        assert_eq!(failure.step, Step::Verify);
        assert!(!failure.left_for_recovery);
        assert!(matches!(failure.undone[0], RecoveryAction::RevokedReplacement { .. }));
        assert!(matches!(failure.undone[1], RecoveryAction::ClearedIntent { .. }));
        assert_eq!(w.gate.count(w.call(FakeOp::Check)), 3, "{backend:?}: three tries");
        w.emulator.clear_faults();
        w.gitea.clear_faults();
        w.bitbucket.clear_faults();
        assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record.metadata.id, old.record.metadata.id);
        w.check_settled("ci-feed").await.unwrap();
    }
}

/// A server-side replacement is stored before it is tried out (the old token is gone): when
/// the provider refuses it, it stays stored and the report says so.
#[tokio::test(start_paused = true)]
async fn a_server_side_replacement_refused_when_tried_out_stays_stored_and_is_reported() {
    let w = world(Backend::Fake(FakeProfile::ServerRotate));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.fake.fail_next(FakeOp::Check, 3);
    let report =
        rotator(&w).verify(VerifyOptions { attempts: 3, backoff: Duration::from_secs(1) }).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert!(rotation.verify_error.is_some(), "{report}");
    assert!(report.to_string().contains("refused when tried out"), "{report}");
    assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record.metadata.id, rotation.new.id);
    assert!(w.fake.token(&old.record.metadata.id).unwrap().revoked);
    w.check_settled("ci-feed").await.unwrap();
}

/// A provider that can neither create nor rotate server-side: a due token is skipped with a
/// typed reason, in the plan and in a run, before anything is written or sent.
#[tokio::test(start_paused = true)]
async fn a_provider_that_can_neither_create_nor_rotate_skips_before_writing_anything() {
    let w = world(Backend::Fake(FakeProfile::CreateUpdate));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let caps =
        patkit::Capabilities { create: false, rotate_server_side: false, ..FakeProfile::CreateUpdate.capabilities() };
    let fake = FakeProvider::with_capabilities(caps).clock(w.clock.clone());
    let rotator = Rotator::new(fake.clone(), w.store.clone()).clock(w.clock.clone()).window(WEEK);
    let plan = rotator.plan().await.unwrap();
    assert!(
        matches!(&plan.entries[0].action, PlannedAction::Skip(SkipReason::CannotRotate { provider }) if provider == "fake"),
        "{plan}"
    );
    w.gate.reset_counts();
    let report = rotator.rotate("ci-feed").await;
    assert!(matches!(report.outcome, Outcome::Skipped(SkipReason::CannotRotate { .. })), "{report}");
    assert_eq!(w.gate.count(Call::StoreWrite), 0, "nothing written");
    assert_eq!(fake.calls(FakeOp::Create) + fake.calls(FakeOp::Rotate) + fake.calls(FakeOp::Revoke), 0);
    assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record, old.record);
}

#[tokio::test(start_paused = true)]
async fn a_refused_create_is_not_retried_and_changes_nothing() {
    let w = memory_world();
    w.emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
    let seeded = w.emulator.seed_pat(
        ORG,
        w.alice.id,
        patkit::azure::emulator::SeedPat::new("full", "app_token").valid_to(w.now() + TimeDelta::days(1)),
    );
    let metadata = w.direct.get(&seeded.id).await.unwrap();
    w.inner_store
        .put(StoredPat {
            record: PatRecord::new("full", "azure-devops", ORG, metadata, w.now()),
            secret: seeded.secret,
        })
        .await
        .unwrap();
    let report = rotator(&w).rotate("full").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create);
    assert!(matches!(failure.error, patkit::Error::PolicyViolation { .. }));
    assert_eq!(w.emulator.requests_seen(op::CREATE), 1);
    assert_eq!(w.emulator.requests_seen(op::LIST), 0, "a definite refusal needs no search");
    w.check_settled("full").await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn two_rotators_at_once_store_exactly_one_replacement() {
    for (backend, n) in Backend::ALL.into_iter().flat_map(|b| [(b, 2), (b, 8)]) {
        let w = world(backend);
        let old = w.seed("ci-feed", "ci feed", 2).await;
        let rotators: Vec<Rotator> = (0..n).map(|_| rotator(&w)).collect();
        let reports = futures_util::future::join_all(rotators.iter().map(|r| r.rotate("ci-feed"))).await;
        let rotated: Vec<_> = reports.iter().filter(|r| matches!(r.outcome, Outcome::Rotated(_))).collect();
        assert_eq!(rotated.len(), 1, "{reports:#?}");
        assert!(
            reports
                .iter()
                .filter(|r| !matches!(r.outcome, Outcome::Rotated(_)))
                .all(|r| matches!(r.outcome, Outcome::Skipped(SkipReason::InProgress { .. }))),
            "{reports:#?}"
        );
        // Where a revoke deletes, the old token is gone: only the replacement is left.
        let left = if backend.deletes() { 1 } else { 2 };
        assert_eq!(w.server.tokens().len(), left, "{backend:?}: one create (or rotate) in all");
        assert!(w.server.token(&old.record.metadata.id).unwrap().revoked);
        w.check_settled("ci-feed").await.unwrap();
    }
}

#[tokio::test]
async fn two_rotators_on_a_multi_thread_runtime_with_latency() {
    // Real threads and a little real latency, so the two really overlap.
    for _ in 0..5 {
        let w = memory_world();
        w.emulator.inject(FaultRule::any_operation(Fault::Latency(Duration::from_millis(2))).always());
        w.seed("ci-feed", "ci feed", 2).await;
        let (a, b) = (rotator(&w), rotator(&w));
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.rotate("ci-feed").await }),
            tokio::spawn(async move { b.rotate("ci-feed").await })
        );
        let outcomes = [ra.unwrap().outcome, rb.unwrap().outcome];
        assert_eq!(outcomes.iter().filter(|o| matches!(o, Outcome::Rotated(_))).count(), 1, "{outcomes:?}");
        w.check_settled("ci-feed").await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_slow_rotator_overtaken_by_recovery_revokes_its_own_replacement() {
    for backend in Backend::ALL {
        a_slow_rotator_overtaken_by_recovery(backend).await;
    }
}

/// Rotator A stalls before it stores its replacement (created and verified, or answered by a
/// server-side rotate); past the lease, B recovers and rotates. A's replacement must not
/// survive: with create-then-revoke B revokes it by name and A revokes it again; server-side,
/// B finds it (the stored token is refused, it is the newer token of the name) and rotates it
/// once more, so the server revokes it, and A's store write then finds the entry changed.
async fn a_slow_rotator_overtaken_by_recovery(backend: Backend) {
    let w = world(backend);
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker("ci-feed"));
    let stall = if backend.creates() { FakeOp::Check } else { FakeOp::Rotate };
    w.gate.hold_at(HoldPoint { call: w.call(stall), nth: 1, after: true });
    let slow = rotator(&w);
    let slow_run = tokio::spawn(async move { slow.rotate("ci-feed").await });
    w.gate.reached().await;
    w.gate.clear_hold();
    // Past the lease, rotator B takes the intent for abandoned: it recovers (revoking A's
    // replacement by name) and rotates itself.
    w.clock.advance(TimeDelta::minutes(20));
    let b = rotator(&w).rotate("ci-feed").await;
    if backend.creates() {
        assert!(matches!(b.outcome, Outcome::Rotated(_)), "{b}");
        assert!(b.recovered.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. })), "{b}");
    } else {
        // Recovery rotated A's replacement and stored the result: not due any more.
        assert!(b.recovered.iter().any(|a| matches!(a, RecoveryAction::RotatedOrphan { .. })), "{b}");
    }
    // A wakes up: its store write conflicts, and it revokes its replacement (again).
    w.gate.release();
    let a = slow_run.await.unwrap();
    let Outcome::Failed(failure) = &a.outcome else { panic!("{backend:?}: {a}") };
    assert_eq!(failure.step, Step::Store);
    assert!(w.server.token(&old.record.metadata.id).unwrap().revoked);
    w.check_settled("ci-feed").await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    assert!(w.gate.take_violations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_fresh_intent_is_left_alone_and_a_stale_one_is_recovered() {
    for backend in Backend::ALL {
        a_fresh_intent_is_left_alone_and_a_stale_one_is_recovered_on(backend).await;
    }
}

async fn a_fresh_intent_is_left_alone_and_a_stale_one_is_recovered_on(backend: Backend) {
    let w = world(backend);
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let mint = if backend.creates() { FakeOp::Create } else { FakeOp::Rotate };
    w.gate.hold_at(HoldPoint { call: w.call(mint), nth: 1, after: false });
    let crashing = rotator(&w);
    tokio::select! {
        biased;
        () = w.gate.reached() => {}
        r = crashing.rotate("ci-feed") => panic!("{r}"),
    }
    w.gate.clear_hold();
    let r = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(r.outcome, Outcome::Skipped(SkipReason::InProgress { started_at: Some(_) })), "{r}");
    assert!(rotator(&w).recover().await.unwrap().entries.iter().all(|e| matches!(e.outcome, Outcome::Skipped(_))));
    let plan = rotator(&w).plan().await.unwrap();
    assert!(matches!(plan.entries[0].action, PlannedAction::Skip(SkipReason::InProgress { .. })));
    w.clock.advance(TimeDelta::minutes(16));
    let plan = rotator(&w).plan().await.unwrap();
    let recovery = plan.entries[0].recovery.as_ref().unwrap();
    if backend.creates() {
        assert!(recovery.abandoned_replacement.is_some() && recovery.interrupted_server_rotate.is_none(), "{plan}");
    } else {
        assert_eq!(recovery.interrupted_server_rotate.as_ref(), Some(&old.record.metadata.id), "{plan}");
        assert!(recovery.abandoned_replacement.is_none(), "{plan}");
    }
    let recovered = rotator(&w).recover().await.unwrap();
    assert!(matches!(recovered.entries[0].outcome, Outcome::Recovered), "{recovered}");
    let r = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(r.outcome, Outcome::Rotated(_)), "{r}");
    w.check_settled("ci-feed").await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_one_action_per_entry_and_changes_nothing() {
    for backend in Backend::ALL {
        dry_run_on(backend).await;
    }
}

async fn dry_run_on(backend: Backend) {
    let w = world(backend);
    // Expired by the clock moving on (the fake seeds only tokens that are still valid).
    w.seed("expired", "expired", 1).await;
    w.clock.advance(TimeDelta::days(2));
    w.seed("due", "due", 2).await;
    w.seed("fine", "fine", 60).await;
    let foreign = w.seed("other-org", "other", 1).await;
    let mut foreign_record = foreign.clone();
    foreign_record.record.organization = "contoso".into();
    w.inner_store.put(foreign_record).await.unwrap();

    let before_store = w.inner_store.list().await.unwrap();
    let before_server = w.server.tokens();
    w.gate.reset_counts();
    let plan = rotator(&w).force(false).plan().await.unwrap();
    println!("{backend:?}:\n{plan}");
    assert_eq!(plan.entries.len(), 4);
    let action = |name: &str| &plan.entries.iter().find(|e| e.name == name).unwrap().action;
    let by = method(backend);
    if backend.expires() {
        assert!(
            matches!(action("due"), PlannedAction::Rotate { reason: DueReason::ExpiresWithinWindow, method, .. } if *method == by)
        );
        if backend.creates() {
            let expired = action("expired");
            assert!(
                matches!(expired, PlannedAction::Rotate { reason: DueReason::Expired, method, .. } if *method == by)
            );
        } else {
            // A server refuses to rotate an expired token; only a new one renews the entry.
            let expired = action("expired");
            assert!(matches!(expired, PlannedAction::Skip(SkipReason::ExpiredCannotRotate { .. })), "{plan}");
        }
        assert!(matches!(action("fine"), PlannedAction::Skip(SkipReason::NotDue { .. })));
    } else {
        for name in ["due", "expired", "fine"] {
            assert!(matches!(action(name), PlannedAction::Skip(SkipReason::NotDue { .. })), "{plan}");
        }
    }
    assert!(matches!(action("other-org"), PlannedAction::Skip(SkipReason::OtherProvider { .. })));
    let forced = rotator(&w).force(true).plan().await.unwrap();
    assert!(matches!(
        forced.entries.iter().find(|e| e.name == "fine").unwrap().action,
        PlannedAction::Rotate { reason: DueReason::Forced, method, .. } if method == by
    ));
    assert!(forced.to_string().contains(&format!("by {by}")), "the plan says how: {forced}");

    assert_eq!(w.inner_store.list().await.unwrap(), before_store, "no store write");
    assert_eq!(w.server.tokens(), before_server, "no server change");
    assert_eq!(w.gate.count(Call::StoreWrite), 0);
    assert_eq!(w.gate.count(Call::Any), 2, "two store listings, nothing else");
    if !backend.creates() {
        // The run agrees with the plan, and sends nothing that changes anything.
        let report = rotator(&w).rotate("expired").await;
        assert!(matches!(report.outcome, Outcome::Skipped(SkipReason::ExpiredCannotRotate { .. })), "{report}");
        assert_eq!(w.gate.count(Call::StoreWrite) + w.fake.calls(FakeOp::Rotate), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn rotate_all_handles_many_entries_concurrently() {
    for backend in Backend::ALL {
        rotate_all_on(backend).await;
    }
}

async fn rotate_all_on(backend: Backend) {
    let w = world(backend);
    for i in 0..40 {
        w.seed(&format!("t{i:02}"), &format!("token {i}"), if i % 4 == 0 { 30 } else { 3 }).await;
    }
    let report = rotator(&w).concurrency(8).rotate_all().await.unwrap();
    println!("{backend:?}: {report}");
    assert_eq!(report.entries.len(), 40);
    // Tokens that never expire are rotated by force, all of them.
    let due = if backend.expires() { 30 } else { 40 };
    assert_eq!(report.rotated().count(), due, "{backend:?}");
    assert_eq!(report.skipped().count(), 40 - due, "{backend:?}");
    assert!(report.entries.windows(2).all(|p| p[0].name < p[1].name), "in name order");
    let names: Vec<String> = (0..40).map(|i| format!("t{i:02}")).collect();
    w.check_settled_all(&names.iter().map(String::as_str).collect::<Vec<_>>()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn reports_never_show_a_secret() {
    for backend in Backend::ALL {
        let w = world(backend);
        let old = w.seed("ci-feed", "ci feed", 2).await;
        let report = rotator(&w).rotate_all().await.unwrap();
        assert_eq!(report.rotated().count(), 1, "{backend:?}: {report}");
        let new = w.inner_store.get("ci-feed").await.unwrap().unwrap();
        let text = format!("{report} {report:?} {:?}", rotator(&w).plan().await.unwrap());
        for secret in [old.secret.expose_secret(), new.secret.expose_secret()] {
            assert!(!text.contains(secret), "{backend:?}");
        }
    }
}

/// A store whose `nth` compare-and-swap is applied and then answered with a conflict, as when
/// a write whose answer was lost is re-sent and refused.
#[derive(Debug)]
struct LandedThenConflict {
    inner: InMemoryTokenStore,
    nth: usize,
    seen: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl TokenStore for LandedThenConflict {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.inner.get(name).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.inner.put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        let result = self.inner.compare_and_swap(entry, expected).await;
        if self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.nth {
            result?;
            return Err(StoreError::new(
                StoreErrorKind::Conflict,
                "check-and-set mismatch (a repeat of a write that landed)",
            ));
        }
        result
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        self.inner.remove(name).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.inner.list().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_stored_replacement_answered_with_a_conflict_is_kept_not_revoked() {
    for backend in Backend::ALL {
        // The second compare-and-swap of a rotation stores the replacement (the first is the
        // intent), whichever way it is made.
        let store = LandedThenConflict { inner: InMemoryTokenStore::new(), nth: 2, seen: Default::default() };
        let w = World::on(backend, Arc::new(store));
        let old = w.seed("ci-feed", "ci feed", 2).await;
        w.gate.set_checker(w.stored_token_works_checker("ci-feed"));
        let report = rotator(&w).rotate("ci-feed").await;
        assert!(matches!(&report.outcome, Outcome::Rotated(r) if r.cleanup_pending.is_none()), "{backend:?}: {report}");
        assert!(w.gate.take_violations().is_empty());
        assert!(w.server.token(&old.record.metadata.id).unwrap().revoked);
        w.check_settled("ci-feed").await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// Stores `secret`/`metadata` as `name` with `previous` recorded, as a rotation interrupted
/// after its store step leaves it.
async fn store_with_previous(w: &World, name: &str, current: &StoredPat, previous: &PatMetadata) {
    let mut entry = current.clone();
    entry.record.name = name.to_owned();
    entry.record.previous = Some(previous.clone());
    w.inner_store.put(entry).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn recovery_keeps_previous_when_the_stored_token_does_not_work() {
    for backend in Backend::ALL {
        let w = world(backend);
        let old = w.seed("old", "ci feed", 20).await;
        let broken = w.seed("broken", "ci feed 2", 20).await;
        w.direct_provider.revoke_pat(&broken.record.metadata.id).await.unwrap();
        store_with_previous(&w, "ci-feed", &broken, &old.record.metadata).await;
        let report = patkit::lifecycle::recover(w.store.clone(), w.provider.clone()).await.unwrap();
        let entry = report.entry("ci-feed").unwrap();
        assert!(
            !w.server.token(&old.record.metadata.id).unwrap().revoked,
            "{backend:?}: the only working token was revoked: {entry}"
        );
        let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
        assert_eq!(
            stored.record.previous.as_ref().map(|p| &p.id),
            Some(&old.record.metadata.id),
            "previous was forgotten"
        );
        assert!(entry.to_string().contains("is kept"), "{entry}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_rotation_keeps_the_old_token_when_the_stored_replacement_stops_working() {
    // Create-then-revoke only: a server-side rotate has no old token left to keep.
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        a_rotation_keeps_the_old_token_on(backend).await;
    }
}

async fn a_rotation_keeps_the_old_token_on(backend: Backend) {
    let w = world(backend);
    let old = w.seed("ci-feed", "ci feed", 2).await;
    // Hold right after the replacement is stored; revoke it there (e.g. by an administrator).
    w.gate.hold_at(HoldPoint { call: Call::StoreWrite, nth: 2, after: true });
    let r = rotator(&w);
    let run = tokio::spawn(async move { r.rotate("ci-feed").await });
    w.gate.reached().await;
    w.gate.clear_hold();
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    w.direct_provider.revoke_pat(&stored.record.metadata.id).await.unwrap();
    w.gate.release();
    let report = run.await.unwrap();
    assert!(!w.server.token(&old.record.metadata.id).unwrap().revoked, "the only working token was revoked: {report}");
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&old.record.metadata.id), "{report}");
    assert!(report.to_string().contains("is kept"), "{report}");
}

/// Stores a token of another user (Bob) under `name`, as a misconfigured entry would.
async fn store_foreign_token(w: &World, name: &str) -> StoredPat {
    let bob = w.emulator.add_user("Bob");
    let seeded = w.emulator.seed_pat(
        ORG,
        bob.id,
        patkit::azure::emulator::SeedPat::new("bob's feed", "vso.packaging")
            .valid_from(w.now() - TimeDelta::days(30))
            .valid_to(w.now() + TimeDelta::days(2)),
    );
    let bobs_client = patkit::azure::AzureDevOpsClient::builder(ORG, patkit::auth::StaticCredential::from(bob.bearer))
        .transport(w.emulator.clone())
        .clock(w.clock.clone())
        .build()
        .unwrap();
    let metadata = bobs_client.get_pat(&seeded.id).await.unwrap();
    let entry =
        StoredPat { record: PatRecord::new(name, "azure-devops", ORG, metadata, w.now()), secret: seeded.secret };
    w.inner_store.put(entry).await.unwrap();
    w.inner_store.get(name).await.unwrap().unwrap()
}

#[tokio::test(start_paused = true)]
async fn rotating_a_token_the_provider_does_not_show_creates_nothing() {
    let w = memory_world();
    let foreign = store_foreign_token(&w, "ci-feed").await;
    let report = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(report.outcome, Outcome::Skipped(_)), "{report}");
    assert!(report.to_string().contains("does not show"), "{report}");
    assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record, foreign.record, "the entry was written");
    assert_eq!(w.emulator.snapshot().tokens_of(w.alice.id).count(), 0, "a replacement was created");
    assert!(w.emulator.token(&foreign.record.metadata.id).unwrap().is_active(w.now()));
}

#[tokio::test(start_paused = true)]
async fn recovery_keeps_a_previous_the_provider_does_not_show() {
    let w = memory_world();
    let foreign = store_foreign_token(&w, "foreign").await;
    let mine = w.seed("mine", "ci feed", 20).await;
    store_with_previous(&w, "ci-feed", &mine, &foreign.record.metadata).await;
    // On the world's clock: `foreign` has not expired there (the system clock may be later).
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    let entry = report.entry("ci-feed").unwrap();
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&foreign.record.metadata.id), "{entry}");
    assert!(entry.to_string().contains("does not show"), "{entry}");
}

/// A store whose `nth` compare-and-swap times out without effect and then lands late: right
/// after the next read has answered (a slow request still in flight behind a proxy).
#[derive(Debug)]
struct LateWrite {
    inner: Arc<InMemoryTokenStore>,
    nth: usize,
    seen: std::sync::atomic::AtomicUsize,
    late: std::sync::Mutex<Option<(StoredPat, Expected)>>,
}

#[async_trait::async_trait]
impl TokenStore for LateWrite {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let answer = self.inner.get(name).await;
        let late = self.late.lock().unwrap().take();
        if let Some((entry, expected)) = late {
            let _ = self.inner.compare_and_swap(entry, expected).await;
        }
        answer
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.inner.put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        if self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.nth {
            *self.late.lock().unwrap() = Some((entry, expected));
            return Err(StoreError::new(StoreErrorKind::Unavailable, "timed out (the write may still land)"));
        }
        self.inner.compare_and_swap(entry, expected).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        self.inner.remove(name).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.inner.list().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_store_write_that_lands_after_the_re_read_never_leaves_a_revoked_token_stored() {
    let inner = Arc::new(InMemoryTokenStore::new());
    let store = LateWrite { inner: inner.clone(), nth: 2, seen: Default::default(), late: Default::default() };
    // The checks read the data directly: only the flow's own read lets the late write land.
    let w = World::with_checks_through(Arc::new(store), inner);
    w.seed("ci-feed", "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker("ci-feed"));
    let report = rotator(&w).rotate("ci-feed").await;
    assert!(w.gate.take_violations().is_empty(), "{report}");
    w.check_settled("ci-feed").await.unwrap_or_else(|e| panic!("{report}: {e}"));
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert!(stored.record.rotation.is_none() && stored.record.previous.is_none(), "{report}");
}

/// A provider whose create mints the token but answers only with its id (an undecodable body),
/// and whose listings never show that token: only the id in `CreateOutcomeUnknown` can find it.
#[derive(Debug)]
struct ListingMissesTheMintedToken {
    inner: patkit::azure::AzureDevOpsClient,
    minted: Arc<std::sync::Mutex<Option<patkit::PatId>>>,
}

#[async_trait::async_trait]
impl PatProvider for ListingMissesTheMintedToken {
    fn provider_name(&self) -> &str {
        self.inner.provider_name()
    }
    fn organization(&self) -> &str {
        PatProvider::organization(&self.inner)
    }
    fn capabilities(&self) -> patkit::Capabilities {
        self.inner.capabilities()
    }
    async fn create_pat(&self, spec: patkit::PatSpec) -> patkit::Result<patkit::CreatedPat> {
        let display_name = spec.display_name.clone();
        let created = self.inner.create_pat(spec).await?;
        *self.minted.lock().unwrap() = Some(created.metadata.id.clone());
        Err(patkit::Error::CreateOutcomeUnknown {
            display_name,
            id: Some(created.metadata.id),
            found: Vec::new(),
            source: Box::new(patkit::Error::invalid_input("body", "the answer did not decode")),
        })
    }
    async fn get_pat(&self, id: &patkit::PatId) -> patkit::Result<PatMetadata> {
        self.inner.get_pat(id).await
    }
    async fn list_pats(
        &self,
        query: &patkit::ListQuery,
        continuation: Option<patkit::ContinuationToken>,
    ) -> patkit::Result<patkit::Page<PatMetadata>> {
        let mut page = self.inner.list_pats(query, continuation).await?;
        let minted = self.minted.lock().unwrap().clone();
        page.items.retain(|t| Some(&t.id) != minted.as_ref());
        Ok(page)
    }
    async fn update_pat(&self, id: &patkit::PatId, changes: patkit::PatChanges) -> patkit::Result<PatMetadata> {
        self.inner.update_pat(id, changes).await
    }
    async fn revoke_pat(&self, id: &patkit::PatId) -> patkit::Result<()> {
        self.inner.revoke_pat(id).await
    }
    async fn check_pat(&self, secret: &patkit::PatSecret) -> patkit::Result<bool> {
        self.inner.check_pat(secret).await
    }
    fn replacement_spec(&self, old: &PatMetadata) -> patkit::Result<patkit::Replacement> {
        self.inner.replacement_spec(old)
    }
    fn retirement(&self, token: &PatMetadata) -> Option<patkit::Retirement> {
        self.inner.retirement(token)
    }
}

#[tokio::test(start_paused = true)]
async fn an_uncertain_create_that_named_its_token_has_that_token_revoked() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let minted = Arc::new(std::sync::Mutex::new(None));
    let provider = ListingMissesTheMintedToken { inner: w.client.clone(), minted: minted.clone() };
    let report = Rotator::new(provider, w.store.clone()).clock(w.clock.clone()).window(WEEK).rotate("ci-feed").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create, "{report}");
    let minted = minted.lock().unwrap().clone().expect("the create reached the emulator");
    assert!(w.emulator.token(&minted).unwrap().revoked, "the token the answer named is left valid: {report}");
    assert!(
        failure.undone.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { id, .. } if *id == minted)),
        "{report}"
    );
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, old.record.metadata.id);
    w.check_settled("ci-feed").await.unwrap();
}

/// A stored entry whose token expired long ago and that the service has since dropped: the
/// entry as the store keeps it, with an id the provider does not know.
async fn store_purged_expired_token(w: &World, name: &str) -> StoredPat {
    let mut entry = w.seed(name, "old feed", -90).await;
    entry.record.metadata.id = patkit::PatId::new(uuid::Uuid::new_v4().to_string());
    w.inner_store.put(entry).await.unwrap();
    w.inner_store.get(name).await.unwrap().unwrap()
}

/// An expired token the provider no longer shows cannot authenticate, whoever's it was: the
/// entry is renewed (nothing to revoke) instead of being skipped as "not visible" forever. A
/// token the provider does not show that has not expired is still left alone.
#[tokio::test(start_paused = true)]
async fn an_expired_token_the_provider_no_longer_shows_is_replaced() {
    let w = memory_world();
    let gone = store_purged_expired_token(&w, "ci-feed").await;
    let report = rotator(&w).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.old.id, gone.record.metadata.id);
    assert!(rotation.old_gone && rotation.cleanup_pending.is_none() && rotation.kept_previous.is_none(), "{report}");
    assert!(report.to_string().contains("no longer shows it"), "{report}");
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, rotation.new.id);
    assert!(stored.record.previous.is_none() && stored.record.rotation.is_none());
    w.check_settled("ci-feed").await.unwrap();

    // Through rotate_all too, next to a foreign token that still works: that one is skipped.
    let w = memory_world();
    store_purged_expired_token(&w, "old-feed").await;
    let foreign = store_foreign_token(&w, "foreign").await;
    let report = rotator(&w).rotate_all().await.unwrap();
    let outcome = |name: &str| &report.entries.iter().find(|e| e.name == name).unwrap().outcome;
    assert!(matches!(outcome("old-feed"), Outcome::Rotated(r) if r.old_gone), "{report}");
    assert!(matches!(outcome("foreign"), Outcome::Skipped(SkipReason::NotVisible { .. })), "{report}");
    assert!(w.emulator.token(&foreign.record.metadata.id).unwrap().is_active(w.now()));
}

/// A `previous` the provider does not show whose stored expiry has passed cannot be valid:
/// recovery forgets it (no revoke needed) instead of keeping it forever.
#[tokio::test(start_paused = true)]
async fn recovery_forgets_an_expired_previous_the_provider_no_longer_shows() {
    let w = memory_world();
    let gone = store_purged_expired_token(&w, "gone").await;
    w.inner_store.remove("gone").await.unwrap();
    let mine = w.seed("mine", "ci feed", 20).await;
    w.inner_store.remove("mine").await.unwrap();
    store_with_previous(&w, "ci-feed", &mine, &gone.record.metadata).await;
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    let entry = report.entry("ci-feed").unwrap();
    assert!(matches!(entry.outcome, Outcome::Recovered), "{entry}");
    assert!(
        entry.recovered.contains(&RecoveryAction::ForgotExpiredPrevious { id: gone.record.metadata.id.clone() }),
        "{entry}"
    );
    assert!(entry.recovered.contains(&RecoveryAction::ClearedPrevious), "{entry}");
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert!(stored.record.previous.is_none(), "{entry}");
    assert_eq!(stored.record.metadata.id, mine.record.metadata.id);
    w.check_settled("ci-feed").await.unwrap();

    // The same `previous`, but not expired: still kept (it may be someone's working token).
    let w = memory_world();
    let mut unexpired = gone.record.metadata.clone();
    unexpired.valid_to = Some(w.now() + TimeDelta::days(2));
    let mine = w.seed("mine", "ci feed", 20).await;
    store_with_previous(&w, "ci-feed", &mine, &unexpired).await;
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&unexpired.id), "{report}");
}

/// A server-side rotator holding the answer (the only working token) finds its entry claimed by
/// a recovery that then died before acting: it writes its answer on top of the claim instead of
/// giving up (which would leave the store with a revoked token until the next recovery).
#[tokio::test(start_paused = true)]
async fn a_server_side_answer_is_stored_over_a_claim_that_did_nothing_more() {
    let w = world(Backend::Fake(FakeProfile::ServerRotate));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.gate.hold_at(HoldPoint { call: w.call(FakeOp::Rotate), nth: 1, after: true });
    let slow = rotator(&w);
    let slow_run = tokio::spawn(async move { slow.rotate("ci-feed").await });
    w.gate.reached().await;
    // Past the lease a recovery claims the entry (rewrites it unchanged) and dies right there.
    w.clock.advance(TimeDelta::minutes(20));
    let before = w.inner_store.get("ci-feed").await.unwrap().unwrap().record.revision;
    let writes = w.gate.count(Call::StoreWrite);
    w.gate.hold_at(HoldPoint { call: Call::StoreWrite, nth: writes + 1, after: true });
    let recovering = rotator(&w);
    tokio::select! {
        biased;
        () = w.gate.reached() => {}
        r = recovering.recover() => panic!("the recovery was not held: {r:?}"),
    }
    w.gate.clear_hold();
    let claimed = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(claimed.record.metadata.id, old.record.metadata.id);
    assert!(claimed.record.rotation.is_some(), "the claim keeps the intent");
    assert!(claimed.record.revision > before, "the recovery claimed the entry");
    w.gate.release();
    let report = slow_run.await.unwrap();
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record.metadata.id, rotation.new.id);
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1);
    w.check_settled("ci-feed").await.unwrap();
}

/// When more than one active token could be the lost replacement of a server-side rotate (a
/// token of the same name was made meanwhile), recovery guesses nothing: it sends no rotate,
/// keeps the intent and lists the candidates for a person.
#[tokio::test(start_paused = true)]
async fn an_ambiguous_lost_server_side_replacement_is_left_to_a_person() {
    let w = world(Backend::Fake(FakeProfile::ServerRotate));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.fake.lose_next_answer(FakeOp::Rotate);
    let report = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(report.outcome, Outcome::Failed(ref f) if f.step == Step::Rotate), "{report}");
    let orphan = w.fake.token(&old.record.metadata.id).unwrap().replaced_by.unwrap();
    let by_hand = w.fake.seed("ci feed", patkit::Scopes::default(), None).metadata.id;
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    let Outcome::Skipped(SkipReason::ReplacementSecretLost { rotated, candidates }) = &report.entries[0].outcome else {
        panic!("{report}")
    };
    assert_eq!(*rotated, old.record.metadata.id);
    assert_eq!(candidates.len(), 2, "{report}");
    assert!(candidates.contains(&orphan) && candidates.contains(&by_hand), "{report}");
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1, "nothing sent");
    assert!(!w.fake.token(&by_hand).unwrap().revoked && !w.fake.token(&orphan).unwrap().revoked);
    let entry = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(entry.record.rotation.and_then(|i| i.server_rotate), Some(old.record.metadata.id), "the intent stays");
    // Every later run (past the lease) says the same.
    w.clock.advance(TimeDelta::minutes(20));
    let again = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(again.outcome, Outcome::Skipped(SkipReason::ReplacementSecretLost { .. })), "{again}");
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1);
}

/// A server-side rotate the server refuses outright (here: the stored token was revoked behind
/// patkit's back) was not applied: the intent is cleared, nothing is re-sent.
#[tokio::test(start_paused = true)]
async fn a_refused_server_side_rotate_clears_the_intent_and_is_not_resent() {
    let w = world(Backend::Fake(FakeProfile::ServerRotate));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.direct_provider.revoke_pat(&old.record.metadata.id).await.unwrap();
    let report = rotator(&w).rotate("ci-feed").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Rotate);
    assert!(!failure.left_for_recovery, "{report}");
    assert!(matches!(failure.undone[..], [RecoveryAction::ClearedIntent { .. }]), "{report}");
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1);
    let entry = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(entry.record.metadata.id, old.record.metadata.id);
    assert!(entry.record.rotation.is_none());
}

/// A token that never expires is never due by expiry; with a `max_age` it is rotated once it is
/// older than that (`DueReason::TooOld`), on every backend, and not before.
#[tokio::test(start_paused = true)]
async fn tokens_older_than_the_maximum_age_are_rotated_even_if_they_never_expire() {
    let max_age = std::time::Duration::from_secs(90 * 86_400);
    for backend in Backend::ALL {
        let w = world(backend);
        // Expires in a year where tokens expire at all: never due by expiry in this test.
        let old = w.seed("ci-feed", "ci feed", 365).await;
        let by_age = || {
            Rotator::from_arcs(w.provider.clone(), w.store.clone()).clock(w.clock.clone()).window(WEEK).max_age(max_age)
        };
        let made = old.record.metadata.valid_from;
        w.clock.set(made + TimeDelta::days(60));
        let young = by_age().rotate("ci-feed").await;
        assert!(matches!(young.outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{backend:?}: {young}");
        w.clock.set(made + TimeDelta::days(100));
        let plan = by_age().plan().await.unwrap();
        assert!(
            matches!(plan.entries[0].action, PlannedAction::Rotate { reason: DueReason::TooOld, .. }),
            "{backend:?}: {plan}"
        );
        let report = by_age().rotate("ci-feed").await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        assert_eq!(rotation.old.id, old.record.metadata.id, "{backend:?}");
        w.check_settled("ci-feed").await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// A replacement's unique name stays within the provider's name limit: a token whose name
/// already fills Gitea's 255 characters rotates, again and again.
#[tokio::test(start_paused = true)]
async fn a_replacement_name_fits_the_providers_limit() {
    for backend in [Backend::Gitea, Backend::Bitbucket] {
        let w = world(backend);
        let limit = w.provider.capabilities().name_max_len.expect("a name limit");
        w.seed("ci-feed", &"n".repeat(limit), 2).await;
        for _ in 0..2 {
            let report = rotator(&w).force(true).rotate("ci-feed").await;
            let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
            assert_eq!(rotation.new.display_name.chars().count(), limit, "{backend:?}");
        }
        w.check_settled("ci-feed").await.unwrap();
    }
}
