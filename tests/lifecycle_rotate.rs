//! Rotation through the public API on the emulator: the happy path, options, dry run, many
//! entries, concurrent rotators, a slow rotator overtaken by recovery, and failures that must
//! leave the old token in place.

mod lifecycle_support;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use lifecycle_support::{Call, HoldPoint, ORG, World};
use patkit::azure::emulator::{Fault, FaultRule, TargetAccounts, TenantPolicies};
use patkit::azure::operations as op;
use patkit::lifecycle::{
    DueReason, GlobalReplacement, Outcome, PlannedAction, RecoveryAction, Rotator, SkipReason, Step, VerifyOptions,
};
use patkit::store::{Expected, InMemoryTokenStore, StoreError, StoreErrorKind};
use patkit::{PatMetadata, PatProvider, PatRecord, StoredPat, Targets, TokenStore};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

fn memory_world() -> World {
    World::new(Arc::new(InMemoryTokenStore::new()))
}

fn rotator(w: &World) -> Rotator {
    Rotator::new(w.client.clone(), w.store.clone()).clock(w.clock.clone()).window(WEEK)
}

#[tokio::test(start_paused = true)]
async fn rotates_a_due_token_keeping_scopes_and_targets() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let report = rotator(&w).lifetime(Duration::from_secs(30 * 86_400)).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.old.id, old.record.metadata.id);
    assert!(rotation.cleanup_pending.is_none());
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata, rotation.new);
    assert_eq!(stored.record.metadata.scopes, old.record.metadata.scopes);
    assert_eq!(stored.record.metadata.targets, old.record.metadata.targets);
    assert!(stored.record.metadata.display_name.starts_with("ci feed~r"));
    assert_eq!(stored.record.metadata.valid_to, w.now() + TimeDelta::days(30));
    assert!(stored.record.rotation.is_none() && stored.record.previous.is_none());
    assert!(w.emulator.token(&old.record.metadata.id).unwrap().revoked);
    w.check_settled("ci-feed").await.unwrap();
    // Rotating again right away: not due.
    let again = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(again.outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{again}");
}

#[tokio::test(start_paused = true)]
async fn the_service_clamp_is_what_gets_stored() {
    let w = memory_world();
    w.emulator.set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(10)), ..Default::default() });
    w.seed("ci-feed", "ci feed", 1).await;
    let report = rotator(&w).lifetime(Duration::from_secs(90 * 86_400)).rotate("ci-feed").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.new.valid_to, w.now() + TimeDelta::days(10));
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
    assert!(metadata.targets.is_global());
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
    for now in [lifecycle_support::start_time(), patkit::GLOBAL_PAT_RETIREMENT + TimeDelta::days(1)] {
        let w = memory_world();
        w.clock.set(now);
        let old = store_global(&w, "global", 3).await;
        let plan = rotator(&w).plan().await.unwrap();
        let PlannedAction::Rotate { narrowed_to_organizations, .. } = &plan.entries[0].action else { panic!("{plan}") };
        assert_eq!(narrowed_to_organizations.as_deref(), Some(&[ORG.to_owned()][..]), "the dry run says so too");
        let report = rotator(&w).rotate("global").await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{now}: {report}") };
        assert_eq!(rotation.old.id, old);
        assert_eq!(rotation.narrowed_to_organizations.as_deref(), Some(&[ORG.to_owned()][..]));
        assert!(report.to_string().contains("the global token was replaced by one for fabrikam"), "{report}");
        let org_uuid = w.emulator.organization(ORG).unwrap().id;
        let org_id = org_uuid.to_string();
        assert_eq!(rotation.new.targets, Targets::Organizations(vec![org_id]));

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
    let retirement = patkit::GLOBAL_PAT_RETIREMENT;
    let cases = [
        (retirement - TimeDelta::days(30), None),
        (retirement - TimeDelta::days(3), Some(DueReason::GlobalRetiring)),
        (retirement + TimeDelta::days(1), Some(DueReason::GlobalRetired)),
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
            assert!(!rotation.new.targets.is_global(), "{now}: replaced by an organization-scoped token");
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
    let report = rotator(&w).global_tokens(GlobalReplacement::KeepGlobal).rotate("global").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert!(rotation.new.targets.is_global());
    assert_eq!(rotation.narrowed_to_organizations, None);
    assert!(w.emulator.token(&old).unwrap().revoked);

    let w = memory_world();
    w.clock.set(patkit::GLOBAL_PAT_RETIREMENT);
    let old = store_global(&w, "global", 3).await;
    let tokens_before = w.emulator.snapshot().tokens.len();
    let report = rotator(&w).global_tokens(GlobalReplacement::KeepGlobal).rotate("global").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create);
    assert!(
        matches!(failure.error, patkit::Error::PolicyViolation { policy: patkit::Policy::GlobalPatRetired, .. }),
        "{report}"
    );
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
    let report =
        rotator(&w).global_tokens(GlobalReplacement::Organizations(vec!["FABRIKAM".into()])).rotate("global").await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.narrowed_to_organizations.as_deref(), Some(&[ORG.to_owned()][..]));
    assert!(!rotation.new.targets.is_global());

    let w = memory_world();
    let old = store_global(&w, "global", 3).await;
    let before = w.inner_store.get("global").await.unwrap().unwrap().record.revision;
    let report = rotator(&w)
        .global_tokens(GlobalReplacement::Organizations(vec![ORG.into(), "contoso".into()]))
        .rotate("global")
        .await;
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
    assert_eq!(rotation.narrowed_to_organizations, None);
    assert_eq!(rotation.new.targets, old.record.metadata.targets);
}

#[tokio::test(start_paused = true)]
async fn verify_failure_revokes_the_replacement_and_keeps_the_old_token() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.emulator.inject(FaultRule::new(op::CHECK_TOKEN, Fault::ServerError { status: 503 }).always());
    let report =
        rotator(&w).verify(VerifyOptions { attempts: 3, backoff: Duration::from_secs(1) }).rotate("ci-feed").await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Verify);
    assert!(!failure.left_for_recovery);
    assert!(matches!(failure.undone[0], RecoveryAction::RevokedReplacement { .. }));
    assert!(matches!(failure.undone[1], RecoveryAction::ClearedIntent { .. }));
    assert_eq!(w.emulator.requests_seen(op::CHECK_TOKEN), 3, "three tries");
    w.emulator.clear_faults();
    assert_eq!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record.metadata.id, old.record.metadata.id);
    w.check_settled("ci-feed").await.unwrap();
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
    for n in [2, 8] {
        let w = memory_world();
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
        let snapshot = w.emulator.snapshot();
        assert_eq!(snapshot.tokens_of(w.alice.id).count(), 2, "one create in all");
        assert!(snapshot.token(&old.record.metadata.id).unwrap().revoked);
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
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker("ci-feed"));
    // Rotator A stalls after it created and verified its replacement, before storing it.
    w.gate.hold_at(HoldPoint { call: Call::Http(op::CHECK_TOKEN), nth: 1, after: true });
    let slow = rotator(&w);
    let slow_run = tokio::spawn(async move { slow.rotate("ci-feed").await });
    w.gate.reached().await;
    w.gate.clear_hold();
    // Past the lease, rotator B takes the intent for abandoned: it recovers (revoking A's
    // replacement by name) and rotates itself.
    w.clock.advance(TimeDelta::minutes(20));
    let b = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(b.outcome, Outcome::Rotated(_)), "{b}");
    assert!(b.recovered.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. })), "{b}");
    // A wakes up: its store write conflicts, and it revokes its replacement (again).
    w.gate.release();
    let a = slow_run.await.unwrap();
    let Outcome::Failed(failure) = &a.outcome else { panic!("{a}") };
    assert_eq!(failure.step, Step::Store);
    assert!(w.emulator.token(&old.record.metadata.id).unwrap().revoked);
    w.check_settled("ci-feed").await.unwrap();
    assert!(w.gate.take_violations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_fresh_intent_is_left_alone_and_a_stale_one_is_recovered() {
    let w = memory_world();
    w.seed("ci-feed", "ci feed", 2).await;
    w.gate.hold_at(HoldPoint { call: Call::Http(op::CREATE), nth: 1, after: false });
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
    assert!(plan.entries[0].recovery.as_ref().unwrap().abandoned_replacement.is_some(), "{plan}");
    let recovered = rotator(&w).recover().await.unwrap();
    assert!(matches!(recovered.entries[0].outcome, Outcome::Recovered), "{recovered}");
    let r = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(r.outcome, Outcome::Rotated(_)), "{r}");
    w.check_settled("ci-feed").await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_one_action_per_entry_and_changes_nothing() {
    let w = memory_world();
    w.seed("due", "due", 2).await;
    w.seed("expired", "expired", -1).await;
    w.seed("fine", "fine", 60).await;
    let foreign = w.seed("other-org", "other", 1).await;
    let mut foreign_record = foreign.clone();
    foreign_record.record.organization = "contoso".into();
    w.inner_store.put(foreign_record).await.unwrap();

    let before_store = w.inner_store.list().await.unwrap();
    let before_server = w.emulator.snapshot();
    w.gate.reset_counts();
    let plan = rotator(&w).plan().await.unwrap();
    println!("{plan}");
    assert_eq!(plan.entries.len(), 4);
    let action = |name: &str| &plan.entries.iter().find(|e| e.name == name).unwrap().action;
    assert!(matches!(action("due"), PlannedAction::Rotate { reason: DueReason::ExpiresWithinWindow, .. }));
    assert!(matches!(action("expired"), PlannedAction::Rotate { reason: DueReason::Expired, .. }));
    assert!(matches!(action("fine"), PlannedAction::Skip(SkipReason::NotDue { .. })));
    assert!(matches!(action("other-org"), PlannedAction::Skip(SkipReason::OtherProvider { .. })));
    let forced = rotator(&w).force(true).plan().await.unwrap();
    assert!(matches!(
        forced.entries.iter().find(|e| e.name == "fine").unwrap().action,
        PlannedAction::Rotate { reason: DueReason::Forced, .. }
    ));

    assert_eq!(w.inner_store.list().await.unwrap(), before_store, "no store write");
    let after_server = w.emulator.snapshot();
    assert_eq!(after_server.tokens, before_server.tokens, "no server change");
    assert_eq!(w.gate.count(Call::StoreWrite), 0);
    assert_eq!(w.gate.count(Call::Any), 2, "two store listings, nothing else");
}

#[tokio::test(start_paused = true)]
async fn rotate_all_handles_many_entries_concurrently() {
    let w = memory_world();
    for i in 0..40 {
        w.seed(&format!("t{i:02}"), &format!("token {i}"), if i % 4 == 0 { 30 } else { 3 }).await;
    }
    let report = rotator(&w).concurrency(8).rotate_all().await.unwrap();
    println!("{report}");
    assert_eq!(report.entries.len(), 40);
    assert_eq!(report.rotated().count(), 30);
    assert_eq!(report.skipped().count(), 10);
    assert!(report.entries.windows(2).all(|p| p[0].name < p[1].name), "in name order");
    let names: Vec<String> = (0..40).map(|i| format!("t{i:02}")).collect();
    w.check_settled_all(&names.iter().map(String::as_str).collect::<Vec<_>>()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn reports_never_show_a_secret() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    let report = rotator(&w).rotate_all().await.unwrap();
    let new = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    let text = format!("{report} {report:?} {:?}", rotator(&w).plan().await.unwrap());
    for secret in [old.secret.expose_secret(), new.secret.expose_secret()] {
        assert!(!text.contains(secret));
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
    // The second compare-and-swap of a rotation stores the replacement (the first is the intent).
    let store = LandedThenConflict { inner: InMemoryTokenStore::new(), nth: 2, seen: Default::default() };
    let w = World::new(Arc::new(store));
    let old = w.seed("ci-feed", "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker("ci-feed"));
    let report = rotator(&w).rotate("ci-feed").await;
    assert!(matches!(&report.outcome, Outcome::Rotated(r) if r.cleanup_pending.is_none()), "{report}");
    assert!(w.gate.take_violations().is_empty());
    assert!(w.emulator.token(&old.record.metadata.id).unwrap().revoked);
    w.check_settled("ci-feed").await.unwrap();
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
    let w = memory_world();
    let old = w.seed("old", "ci feed", 20).await;
    let broken = w.seed("broken", "ci feed 2", 20).await;
    w.direct.revoke_pat(&broken.record.metadata.id).await.unwrap();
    store_with_previous(&w, "ci-feed", &broken, &old.record.metadata).await;
    let report = patkit::lifecycle::recover(w.store.clone(), Arc::new(w.client.clone())).await.unwrap();
    let entry = report.entry("ci-feed").unwrap();
    assert!(!w.emulator.token(&old.record.metadata.id).unwrap().revoked, "the only working token was revoked: {entry}");
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&old.record.metadata.id), "previous was forgotten");
    assert!(entry.to_string().contains("is kept"), "{entry}");
}

#[tokio::test(start_paused = true)]
async fn a_rotation_keeps_the_old_token_when_the_stored_replacement_stops_working() {
    let w = memory_world();
    let old = w.seed("ci-feed", "ci feed", 2).await;
    // Hold right after the replacement is stored; revoke it there (e.g. by an administrator).
    w.gate.hold_at(HoldPoint { call: Call::StoreWrite, nth: 2, after: true });
    let r = rotator(&w);
    let run = tokio::spawn(async move { r.rotate("ci-feed").await });
    w.gate.reached().await;
    w.gate.clear_hold();
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    w.direct.revoke_pat(&stored.record.metadata.id).await.unwrap();
    w.gate.release();
    let report = run.await.unwrap();
    assert!(
        !w.emulator.token(&old.record.metadata.id).unwrap().revoked,
        "the only working token was revoked: {report}"
    );
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
    unexpired.valid_to = w.now() + TimeDelta::days(2);
    let mine = w.seed("mine", "ci feed", 20).await;
    store_with_previous(&w, "ci-feed", &mine, &unexpired).await;
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    let stored = w.inner_store.get("ci-feed").await.unwrap().unwrap();
    assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&unexpired.id), "{report}");
}
