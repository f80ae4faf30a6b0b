//! Crash safety of rotation: the rotation future is dropped while it is held at a chosen call
//! (a crash), then recovery and a normal rotation run, and the invariant is checked against the
//! server's state — at the crash point and after. First every named step, on the Azure and GitLab
//! emulators and on the fake provider in each capability profile (create-then-revoke and
//! server-side rotate),
//! then a thousand seeded random runs with extra faults against the emulator and the file store,
//! a thousand against the GitLab emulator (server-side rotation), a thousand each against the
//! Gitea, Forgejo and Bitbucket emulators (create-then-delete), a thousand per fake profile, a
//! thousand against a Vault KV v2 store (an in-process fake behind the default retry decorator,
//! with writes whose answer is lost after they committed), and a hundred against a real OpenBao
//! dev server.
//!
//! The invariant: at every call and at the crash point the store holds a working token, except
//! inside the window of a server-side rotate (the entry's intent names the token being rotated:
//! the server revoked it when it answered); after recovery the store holds a working token and
//! every other token of the user is revoked or expired — no working token is lost. With a
//! grace period (named crash points around the retiring state, and seeded runs with a random
//! grace) the replaced token stays valid and recorded until the grace ends, then is revoked.

use std::sync::Arc;
use std::time::Duration;

use crate::lifecycle_support::vault_kv::{KvFault, KvFaults};
use crate::lifecycle_support::{Backend, Call, HoldPoint, Rng, StoreFault, World};
use patkit::TokenStore;
use patkit::azure::emulator::{Fault, FaultRule};
use patkit::azure::operations as op;
use patkit::lifecycle::{EntryReport, KeptReason, Outcome, RecoveryAction, Rotator, SkipReason, Step, VerifyOptions};
use patkit::store::{FileTokenStore, InMemoryTokenStore};
use patkit::testing::{FakeOp, FakeProfile};

const NAME: &str = "ci-feed";

fn rotator(w: &World) -> Rotator {
    // A token that never expires is never due: such worlds rotate by force.
    Rotator::from_arcs(w.provider.clone(), w.store.clone())
        .clock(w.clock.clone())
        .window(Duration::from_secs(7 * 86_400))
        .force(!w.backend.expires())
}

/// Runs one rotation; if the gate holds it at `point`, drops the future there (a crash) and
/// returns `None`.
async fn run_until(w: &World, rotator: &Rotator, point: Option<HoldPoint>) -> Option<EntryReport> {
    if let Some(point) = point {
        w.gate.hold_at(point);
    }
    let result = tokio::select! {
        biased;
        () = w.gate.reached() => None,
        report = rotator.rotate(NAME) => Some(report),
    };
    w.gate.clear_hold();
    result
}

async fn recover_all(w: &World) -> Result<patkit::lifecycle::RotationReport, String> {
    // On the world's clock: recovery of a server-side rotate compares the server's creation
    // times with the intent's (the free `recover` stamps with the system clock).
    let report = rotator(w).recover_ignoring_lease().await.map_err(|e| e.to_string())?;
    if let Some(failed) = report.failed().next() {
        return Err(format!("recovery failed: {failed}"));
    }
    if let Some(skipped) = report.skipped().next() {
        return Err(format!("recovery left an entry: {skipped}"));
    }
    Ok(report)
}

async fn entry_is_clean(w: &World) -> Result<(), String> {
    let entry = w.inner_store.get(NAME).await.map_err(|e| e.to_string())?.ok_or("entry missing")?;
    if entry.record.rotation.is_some() || entry.record.previous.is_some() {
        return Err(format!(
            "entry still carries rotation {:?} / previous {:?}",
            entry.record.rotation, entry.record.previous
        ));
    }
    Ok(())
}

fn no_violations(w: &World) -> Result<(), String> {
    let v = w.gate.take_violations();
    if v.is_empty() { Ok(()) } else { Err(format!("the invariant broke while running: {v:?}")) }
}

fn clear_server_faults(w: &World) {
    w.emulator.clear_faults();
    w.fake.clear_faults();
    w.gitlab.clear_faults();
    w.gitea.clear_faults();
    w.bitbucket.clear_faults();
}

/// After a crash (or not): the stored token works at the crash point (or a server-side rotate
/// is in flight), recovery settles the entry, and a forced rotation afterwards works too.
async fn settle_and_rotate_again(w: &World, crashed: bool) -> Result<patkit::lifecycle::RotationReport, String> {
    settle_with_grace(w, crashed, Duration::ZERO, false).await
}

/// [`settle_and_rotate_again`] for rotations with a grace period: within it a recovery
/// finishes or undoes everything but the retiring token, which stays valid and recorded; once
/// the clock is past it, recovery revokes it and leaves the entry clean. The next rotation
/// (with the same grace) is settled the same way. The report holds both recoveries' entries.
///
/// `hooked`: the rotation had a hook (which may have failed, or been cut off): a recovery
/// sweep keeps the old token while the hand-off is pending, and a rotation run with a working
/// hook (not due: it only recovers) hands off before the rest.
async fn settle_with_grace(
    w: &World,
    crashed: bool,
    grace: Duration,
    hooked: bool,
) -> Result<patkit::lifecycle::RotationReport, String> {
    no_violations(w)?;
    if crashed {
        (w.stored_token_works_checker(NAME))().await.map_err(|e| format!("at the crash point: {e}"))?;
    }
    clear_server_faults(w);
    w.gate.clear_faults();
    let mut early = Vec::new();
    if hooked {
        let swept = rotator(w).recover_ignoring_lease().await.map_err(|e| e.to_string())?;
        for entry in &swept.entries {
            match &entry.outcome {
                Outcome::Recovered
                | Outcome::Skipped(SkipReason::Retiring { .. })
                | Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, .. }) => {}
                _ => return Err(format!("the sweep before the hand-off: {entry}")),
            }
        }
        w.check_settled(NAME).await.map_err(|e| format!("before the hand-off: {e}"))?;
        let handing = rotator(w).force(false).window(Duration::ZERO).hook(Counting::default());
        let handed = handing.rotate(NAME).await;
        if !matches!(
            handed.outcome,
            Outcome::Skipped(SkipReason::NotDue { .. }) | Outcome::Skipped(SkipReason::Retiring { .. })
        ) {
            return Err(format!("the hand-off run: {handed}"));
        }
        early.extend(swept.entries);
        early.push(handed);
    }
    if !grace.is_zero() {
        early.extend(within_grace(w).await?);
        w.clock.advance(chrono::TimeDelta::from_std(grace).unwrap() + chrono::TimeDelta::seconds(1));
    }
    let mut recovered = recover_all(w).await?;
    entry_is_clean(w).await?;
    w.check_settled(NAME).await.map_err(|e| format!("after recovery: {e}"))?;
    let report = rotator(w).force(true).grace(grace).rotate(NAME).await;
    if !matches!(report.outcome, Outcome::Rotated(ref r) if r.cleanup_pending.is_none() && r.verify_error.is_none()) {
        return Err(format!("the rotation after recovery did not complete: {report}"));
    }
    if !grace.is_zero() {
        let Outcome::Rotated(rotation) = &report.outcome else { unreachable!() };
        if rotation.retiring_until.is_none() || !w.server.token(&rotation.old.id).is_some_and(|t| t.active) {
            return Err(format!("the rotation after recovery did not keep the old token for the grace: {report}"));
        }
        within_grace(w).await?;
        w.clock.advance(chrono::TimeDelta::from_std(grace).unwrap() + chrono::TimeDelta::seconds(1));
        recover_all(w).await?;
    }
    entry_is_clean(w).await?;
    w.check_settled(NAME).await.map_err(|e| format!("after the next rotation: {e}"))?;
    no_violations(w)?;
    early.append(&mut recovered.entries);
    recovered.entries = early;
    Ok(recovered)
}

/// Within a grace period: a recovery that ignores the lease leaves nothing but (perhaps) the
/// retiring token, which is still valid; the invariant holds with it. Its entry reports.
async fn within_grace(w: &World) -> Result<Vec<EntryReport>, String> {
    // A token recorded as retiring within its grace must come out of the recovery untouched.
    let before = w.inner_store.get(NAME).await.map_err(|e| e.to_string())?.ok_or("entry missing")?.record;
    let retiring = before
        .previous
        .filter(|_| before.retiring.as_ref().is_some_and(|r| r.until > w.now()))
        .map(|previous| previous.id);
    let report = rotator(w).recover_ignoring_lease().await.map_err(|e| e.to_string())?;
    if let Some(id) = &retiring {
        let kept = report
            .entries
            .iter()
            .any(|e| matches!(&e.outcome, Outcome::Skipped(SkipReason::Retiring { id: kept, .. }) if kept == id));
        if !kept || !w.server.token(id).is_some_and(|t| t.active) {
            return Err(format!("recovery within the grace did not leave the retiring token {id} alone: {report}"));
        }
    }
    if let Some(failed) = report.failed().next() {
        return Err(format!("recovery within the grace failed: {failed}"));
    }
    for skipped in report.skipped() {
        let Outcome::Skipped(SkipReason::Retiring { id, .. }) = &skipped.outcome else {
            return Err(format!("recovery within the grace left an entry: {skipped}"));
        };
        if !w.server.token(id).is_some_and(|t| t.active) {
            return Err(format!("the retiring token {id} no longer works within its grace: {skipped}"));
        }
    }
    w.check_settled(NAME).await.map_err(|e| format!("within the grace: {e}"))?;
    Ok(report.entries)
}

/// Crash points around the retiring state, on every backend that creates: the first run (with a
/// grace period) crashes right after the write that stores the replacement and marks the old
/// token retiring, or before trying the stored token out, or runs to its end. Within the grace
/// a recovery and a forced rotation leave the old token alone (it still works); once the grace
/// has ended, the later run (a recovery) crashes before or after the revoke, or before or after
/// the write that forgets the old token; the next recovery finishes: the old token ends revoked
/// and the entry clean.
#[tokio::test(start_paused = true)]
async fn crash_points_in_the_retiring_state() {
    const GRACE: Duration = Duration::from_secs(6 * 3600);
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let probe = World::on(backend, Arc::new(InMemoryTokenStore::new()));
        let check = probe.call(FakeOp::Check);
        let first_points = [
            ("after marking it retiring", Some(HoldPoint { call: Call::StoreWrite, nth: 2, after: true })),
            ("before trying the stored token", Some(HoldPoint { call: check, nth: 2, after: false })),
            ("run to its end", None),
        ];
        let later_points = [
            ("before the revoke", probe.call(FakeOp::Revoke), false),
            ("after the revoke", probe.call(FakeOp::Revoke), true),
            ("before forgetting it", Call::StoreWrite, false),
            ("after forgetting it", Call::StoreWrite, true),
        ];
        for (first_label, first) in first_points {
            for (later_label, call, after) in later_points {
                let label = format!("{backend:?}: first run {first_label}, later run {later_label}");
                let w = World::on(backend, Arc::new(InMemoryTokenStore::new()));
                let old = w.seed(NAME, "ci feed", 2).await;
                let old_id = old.record.metadata.id.clone();
                w.gate.set_checker(w.stored_token_works_checker(NAME));
                let report = run_until(&w, &rotator(&w).grace(GRACE), first).await;
                match (&report, first) {
                    (None, Some(_)) => {}
                    (Some(report), None) => {
                        let Outcome::Rotated(r) = &report.outcome else { panic!("{label}: {report}") };
                        let stored = w.inner_store.get(NAME).await.unwrap().unwrap().record;
                        assert_eq!(r.retiring_until, Some(stored.stored_at + chrono::TimeDelta::hours(6)), "{label}");
                    }
                    _ => panic!("{label}: the first run did not stop where it should: {report:?}"),
                }
                no_violations(&w).unwrap_or_else(|e| panic!("{label}: {e}"));
                let entry = w.inner_store.get(NAME).await.unwrap().unwrap().record;
                assert_eq!(entry.previous.as_ref().map(|p| &p.id), Some(&old_id), "{label}: {entry:?}");
                assert!(entry.retiring.is_some_and(|r| !r.handoff_pending), "{label}");

                // Within the grace: left alone, still working.
                within_grace(&w).await.unwrap_or_else(|e| panic!("{label}: {e}"));
                let forced = rotator(&w).force(true).rotate(NAME).await;
                assert!(
                    matches!(&forced.outcome, Outcome::Skipped(SkipReason::Retiring { id, .. }) if *id == old_id),
                    "{label}: {forced}"
                );
                assert!(w.server.token(&old_id).unwrap().active, "{label}: revoked within its grace");

                // After the grace: the later run crashes around the revoke.
                w.clock.advance(chrono::TimeDelta::hours(6) + chrono::TimeDelta::seconds(1));
                w.gate.hold_at(HoldPoint { call, nth: w.gate.count(call) + 1, after });
                let recovering = rotator(&w);
                let crashed = tokio::select! {
                    biased;
                    () = w.gate.reached() => true,
                    _ = recovering.recover_ignoring_lease() => false,
                };
                w.gate.clear_hold();
                assert!(crashed, "{label}: the later run never reached its crash point");
                (w.stored_token_works_checker(NAME))().await.unwrap_or_else(|e| panic!("{label}: {e}"));
                recover_all(&w).await.unwrap_or_else(|e| panic!("{label}: {e}"));
                entry_is_clean(&w).await.unwrap_or_else(|e| panic!("{label}: {e}"));
                w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{label}: {e}"));
                assert!(w.server.token(&old_id).unwrap().revoked, "{label}: the old token survived its grace");
                settle_and_rotate_again(&w, false).await.unwrap_or_else(|e| panic!("{label}: {e}"));
            }
        }
    }
}

/// A hook that always succeeds and counts its runs.
#[derive(Debug, Default)]
struct Counting(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl patkit::lifecycle::RotationHook for Counting {
    fn name(&self) -> &str {
        "counting"
    }
    async fn hand_off(&self, _: &patkit::lifecycle::HandOff<'_>) -> Result<(), patkit::lifecycle::HookError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// A hook that fails, or not, as it was made.
#[derive(Debug)]
struct Flaky {
    fail: bool,
}

#[async_trait::async_trait]
impl patkit::lifecycle::RotationHook for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    async fn hand_off(&self, _: &patkit::lifecycle::HandOff<'_>) -> Result<(), patkit::lifecycle::HookError> {
        if self.fail { Err(patkit::lifecycle::HookError::new("refused")) } else { Ok(()) }
    }
}

/// Crash points around the hand-off (no grace period): before or after the write that records
/// the hand-off, before or after the revoke. Before the record, recovery keeps the old token
/// (the hand-off may not have reached its target) and the next rotation run with hooks hands
/// off again; after it, recovery revokes the old token. No point loses the working token.
#[tokio::test(start_paused = true)]
async fn crash_points_around_the_hand_off() {
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let probe = World::on(backend, Arc::new(InMemoryTokenStore::new()));
        let points = [
            ("before recording the hand-off", HoldPoint { call: Call::StoreWrite, nth: 3, after: false }, true),
            ("after recording the hand-off", HoldPoint { call: Call::StoreWrite, nth: 3, after: true }, false),
            ("before the revoke", HoldPoint { call: probe.call(FakeOp::Revoke), nth: 1, after: false }, false),
            ("after the revoke", HoldPoint { call: probe.call(FakeOp::Revoke), nth: 1, after: true }, false),
        ];
        for (label, point, pending) in points {
            let label = format!("{backend:?}: {label}");
            let w = World::on(backend, Arc::new(InMemoryTokenStore::new()));
            let old = w.seed(NAME, "ci feed", 2).await;
            let old_id = old.record.metadata.id.clone();
            w.gate.set_checker(w.stored_token_works_checker(NAME));
            let hook = Arc::new(Counting::default());
            assert!(run_until(&w, &rotator(&w).hook(hook.clone()), Some(point)).await.is_none(), "{label}");
            assert_eq!(hook.0.load(std::sync::atomic::Ordering::SeqCst), 1, "{label}");
            no_violations(&w).unwrap_or_else(|e| panic!("{label}: {e}"));
            let swept = rotator(&w).recover_ignoring_lease().await.unwrap();
            if pending {
                assert!(
                    matches!(
                        &swept.entries[0].outcome,
                        Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, .. })
                    ),
                    "{label}: {swept}"
                );
                assert!(w.server.token(&old_id).unwrap().active, "{label}: revoked before a recorded hand-off");
                w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{label}: {e}"));
                // Not due afterwards (no force, no window): only the hand-off and the revoke.
                let next = rotator(&w).force(false).window(Duration::ZERO).hook(hook.clone()).rotate(NAME).await;
                assert!(matches!(next.recovered.first(), Some(RecoveryAction::HandedOff { .. })), "{label}: {next}");
                assert_eq!(hook.0.load(std::sync::atomic::Ordering::SeqCst), 2, "{label}: handed off again");
            } else {
                assert!(swept.failed().next().is_none() && swept.skipped().next().is_none(), "{label}: {swept}");
            }
            entry_is_clean(&w).await.unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(w.server.token(&old_id).unwrap().revoked, "{label}: the old token survived");
            w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{label}: {e}"));
        }
    }
}

/// Seeded runs with a random grace period (four in five runs; 1 minute to 12 hours) and a hook
/// (two in five; failing in half of them) on every backend that creates, with the same random
/// faults and crash points as the plain runs: the invariant holds at every call, within the
/// grace (the retiring token still works and is recorded), while a hand-off is pending (the
/// old token is kept), and after both (revoked, entry clean).
#[tokio::test(start_paused = true)]
async fn randomized_crashes_with_a_random_grace_period() {
    let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 300);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 9_000_000);
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        seeded_runs_with(backend, &format!("{backend:?} with grace"), runs, base, true, async |_, _| {
            Stores::one(Arc::new(InMemoryTokenStore::new()))
        })
        .await;
    }
}

/// Every named crash point of a rotation on `w`'s backend, with what recovery must do there.
fn points(w: &World) -> Vec<(&'static str, HoldPoint, &'static str)> {
    let at = |call, nth, after| HoldPoint { call, nth, after };
    if !w.backend.creates() {
        return vec![
            ("before the intent write", at(Call::StoreWrite, 1, false), "nothing"),
            ("after the intent write", at(Call::StoreWrite, 1, true), "intent"),
            ("before the rotate", at(w.call(FakeOp::Rotate), 1, false), "intent"),
            ("after the rotate (applied, answer lost)", at(w.call(FakeOp::Rotate), 1, true), "rotate-orphan"),
            ("before the store", at(Call::StoreWrite, 2, false), "rotate-orphan"),
            ("after the store", at(Call::StoreWrite, 2, true), "nothing"),
            ("before the verify", at(w.call(FakeOp::Check), 1, false), "nothing"),
            ("after the verify", at(w.call(FakeOp::Check), 1, true), "nothing"),
        ];
    }
    vec![
        ("before the intent write", at(Call::StoreWrite, 1, false), "nothing"),
        ("after the intent write", at(Call::StoreWrite, 1, true), "intent"),
        ("before the create", at(w.call(FakeOp::Create), 1, false), "intent"),
        ("after the create (committed, answer lost)", at(w.call(FakeOp::Create), 1, true), "orphan"),
        ("before the verify", at(w.call(FakeOp::Check), 1, false), "orphan"),
        ("after the verify", at(w.call(FakeOp::Check), 1, true), "orphan"),
        ("before the store", at(Call::StoreWrite, 2, false), "orphan"),
        ("after the store", at(Call::StoreWrite, 2, true), "previous"),
        ("before the revoke", at(w.call(FakeOp::Revoke), 1, false), "previous"),
        ("after the revoke", at(w.call(FakeOp::Revoke), 1, true), "previous-revoked"),
        ("before clearing previous", at(Call::StoreWrite, 3, false), "previous-revoked"),
        ("after clearing previous", at(Call::StoreWrite, 3, true), "nothing"),
    ]
}

async fn crash_at_every_step(backend: Backend, make_store: impl AsyncFn(usize) -> Arc<dyn TokenStore>) {
    let count = points(&World::on(backend, Arc::new(InMemoryTokenStore::new()))).len();
    for i in 0..count {
        let w = World::on(backend, make_store(i).await);
        let (label, point, expect) = points(&w)[i];
        let label = format!("{backend:?}: {label}");
        let old = w.seed(NAME, "ci feed", 2).await;
        w.gate.set_checker(w.stored_token_works_checker(NAME));
        let report = run_until(&w, &rotator(&w), Some(point)).await;
        assert!(report.is_none(), "{label}: the rotation never reached the crash point: {report:?}");
        let recovered = settle_and_rotate_again(&w, true).await.unwrap_or_else(|e| panic!("{label}: {e}"));
        let actions: Vec<&RecoveryAction> = recovered.entries.iter().flat_map(|e| &e.recovered).collect();
        let revoked_orphan = actions.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. }));
        let cleared_intent = actions.iter().any(|a| matches!(a, RecoveryAction::ClearedIntent { .. }));
        let rotated_orphan = actions.iter().any(|a| matches!(a, RecoveryAction::RotatedOrphan { .. }));
        let revoked_previous = actions
            .iter()
            .any(|a| matches!(a, RecoveryAction::RevokedPrevious { id } if *id == old.record.metadata.id));
        match expect {
            "nothing" => assert!(actions.is_empty(), "{label}: {actions:?}"),
            "intent" => assert!(cleared_intent && !revoked_orphan && !rotated_orphan, "{label}: {actions:?}"),
            "orphan" => assert!(cleared_intent && revoked_orphan, "{label}: {actions:?}"),
            "rotate-orphan" => assert!(rotated_orphan && !cleared_intent, "{label}: {actions:?}"),
            // Where a revoke deletes, recovery after the revoke finds the old token gone.
            "previous-revoked" if w.backend.deletes() => assert!(
                actions.iter().any(
                    |a| matches!(a, RecoveryAction::ForgotDeletedPrevious { id } if *id == old.record.metadata.id)
                ) && actions.contains(&&RecoveryAction::ClearedPrevious),
                "{label}: {actions:?}"
            ),
            "previous" | "previous-revoked" => {
                assert!(revoked_previous && actions.contains(&&RecoveryAction::ClearedPrevious), "{label}: {actions:?}")
            }
            _ => unreachable!(),
        }
        assert!(w.server.token(&old.record.metadata.id).unwrap().revoked, "{label}: the old token survived");
    }
}

#[tokio::test(start_paused = true)]
async fn crash_at_every_step_in_memory() {
    for backend in Backend::ALL {
        crash_at_every_step(backend, async |_| Arc::new(InMemoryTokenStore::new()) as Arc<dyn TokenStore>).await;
    }
}

#[tokio::test(start_paused = true)]
async fn crash_at_every_step_file_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    crash_at_every_step(Backend::Azure, async |i| {
        Arc::new(FileTokenStore::open(root.join(format!("s{i}"))).await.unwrap()) as Arc<dyn TokenStore>
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn create_committed_then_connection_dropped() {
    let w = World::new(Arc::new(InMemoryTokenStore::new()));
    let old = w.seed(NAME, "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    let report = run_until(&w, &rotator(&w), None).await.unwrap();
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create);
    assert!(matches!(failure.error, patkit::Error::CreateOutcomeUnknown { .. }), "{}", failure.error);
    assert!(!failure.left_for_recovery);
    let revoked: Vec<_> = failure
        .undone
        .iter()
        .filter_map(|a| match a {
            RecoveryAction::RevokedReplacement { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(revoked.len(), 1, "the committed replacement is found by its name and revoked: {failure}");
    assert!(w.emulator.token(&revoked[0]).unwrap().revoked);
    assert_eq!(w.inner_store.get(NAME).await.unwrap().unwrap().record.metadata.id, old.record.metadata.id);
    entry_is_clean(&w).await.unwrap();
    w.check_settled(NAME).await.unwrap();
    settle_and_rotate_again(&w, false).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn create_committed_connection_dropped_then_crash_while_searching() {
    let w = World::new(Arc::new(InMemoryTokenStore::new()));
    w.seed(NAME, "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    // The client looks for the token by name (a list), then the flow does (another list).
    let point = HoldPoint { call: Call::Http(op::LIST), nth: 2, after: false };
    assert!(run_until(&w, &rotator(&w), Some(point)).await.is_none());
    let recovered = settle_and_rotate_again(&w, true).await.unwrap();
    assert!(recovered.entries[0].recovered.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. })));
}

fn server_rotate_world() -> World {
    World::on(Backend::Fake(FakeProfile::ServerRotate), Arc::new(InMemoryTokenStore::new()))
}

/// A server-side rotate whose answer is lost after the server applied it: the rotation fails
/// without sending the rotate again, the intent stays; recovery reads (the stored token is
/// refused, one newer token has the name), rotates that unstored replacement once and stores
/// the result; the replacement whose secret was lost ends revoked.
#[tokio::test(start_paused = true)]
async fn a_lost_server_rotate_answer_is_resolved_by_reading_never_by_resending() {
    let w = server_rotate_world();
    let old = w.seed(NAME, "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    w.fake.lose_next_answer(FakeOp::Rotate);
    let report = rotator(&w).rotate(NAME).await;
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Rotate);
    assert!(failure.left_for_recovery, "{failure}");
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1, "a rotate whose answer was lost is never re-sent");
    let entry = w.inner_store.get(NAME).await.unwrap().unwrap();
    let intent = entry.record.rotation.expect("the intent stays for recovery");
    assert_eq!(intent.server_rotate.as_ref(), Some(&old.record.metadata.id));
    let orphan = w.fake.token(&old.record.metadata.id).unwrap().replaced_by.expect("the server applied it");

    // Within the lease a recovery leaves it alone (the rotate could still be in flight).
    let early = rotator(&w).recover().await.unwrap();
    assert!(matches!(early.entries[0].outcome, Outcome::Skipped(SkipReason::InProgress { .. })), "{early:?}");
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1);

    let recovered = recover_all(&w).await.unwrap();
    let actions = &recovered.entries[0].recovered;
    let [RecoveryAction::RotatedOrphan { orphan: rotated, new }] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(*rotated, orphan);
    assert_eq!(w.fake.calls(FakeOp::Rotate), 2, "exactly one more rotate: of the orphan");
    assert!(w.fake.token(&orphan).unwrap().revoked);
    let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, *new);
    let text = format!("{report} {report:?} {recovered} {recovered:?}");
    for secret in [old.secret.expose_secret(), stored.secret.expose_secret()] {
        assert!(!text.contains(secret), "a report shows a secret");
    }
    settle_and_rotate_again(&w, false).await.unwrap();
}

/// Recovery's own rotate of the orphan is crash-safe too: its intent names the orphan before
/// the rotate is sent, so a lost answer there, or a crash at any call of the recovery, is
/// resolved by the next recovery the same way.
#[tokio::test(start_paused = true)]
async fn a_crash_while_recovery_rotates_the_orphan_is_recovered() {
    // Calls of a recovery after an applied, lost rotate: store list, store read, write (claim),
    // check, list, write (intent naming the orphan), rotate, write (store).
    for (nth, after) in (1..=8).flat_map(|n| [(n, false), (n, true)]) {
        let w = server_rotate_world();
        let old = w.seed(NAME, "ci feed", 2).await;
        w.fake.lose_next_answer(FakeOp::Rotate);
        let report = rotator(&w).rotate(NAME).await;
        assert!(matches!(report.outcome, Outcome::Failed(_)), "{report}");
        let first_orphan = w.fake.token(&old.record.metadata.id).unwrap().replaced_by.unwrap();
        w.gate.set_checker(w.stored_token_works_checker(NAME));
        w.gate.hold_at(HoldPoint { call: Call::Any, nth: w.gate.count(Call::Any) + nth, after });
        let recovering = rotator(&w);
        let crashed = tokio::select! {
            biased;
            () = w.gate.reached() => true,
            _ = recovering.recover_ignoring_lease() => false,
        };
        w.gate.clear_hold();
        let label = format!("recovery crashed {} call {nth}", if after { "after" } else { "before" });
        assert!(crashed, "{label}: never reached");
        settle_and_rotate_again(&w, true).await.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(w.fake.token(&first_orphan).unwrap().revoked, "{label}: the first orphan survived");
    }
    // And a lost answer of recovery's own rotate.
    let w = server_rotate_world();
    w.seed(NAME, "ci feed", 2).await;
    w.fake.lose_next_answer(FakeOp::Rotate);
    rotator(&w).rotate(NAME).await;
    w.fake.lose_next_answer(FakeOp::Rotate);
    let report = rotator(&w).recover_ignoring_lease().await.unwrap();
    assert!(matches!(report.entries[0].outcome, Outcome::Failed(_)), "{report}");
    let recovered = recover_all(&w).await.unwrap();
    assert!(recovered.entries[0].recovered.iter().any(|a| matches!(a, RecoveryAction::RotatedOrphan { .. })));
    assert_eq!(w.fake.calls(FakeOp::Rotate), 3);
    settle_and_rotate_again(&w, false).await.unwrap();
}

/// Self-rotation: the answer is in the store before anything else happens (the next call after
/// the rotate is the store write), and a lost answer cannot be recovered: recovery says so,
/// sends no rotate, and keeps the intent.
#[tokio::test(start_paused = true)]
async fn self_rotation_stores_first_and_reports_a_lost_answer() {
    let w = server_rotate_world();
    let old = w.seed(NAME, "ci feed", 2).await;
    let hold = HoldPoint { call: w.call(FakeOp::Check), nth: 1, after: false };
    assert!(run_until(&w, &rotator(&w).self_rotation(true), Some(hold)).await.is_none());
    let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
    assert_ne!(stored.record.metadata.id, old.record.metadata.id, "stored before the verify");
    assert!(stored.record.rotation.is_none() && stored.record.previous.is_none());
    w.check_settled(NAME).await.unwrap();

    let w = server_rotate_world();
    let old = w.seed(NAME, "ci feed", 2).await;
    w.fake.lose_next_answer(FakeOp::Rotate);
    rotator(&w).self_rotation(true).rotate(NAME).await;
    let report = rotator(&w).self_rotation(true).recover_ignoring_lease().await.unwrap();
    let Outcome::Skipped(SkipReason::ReplacementSecretLost { rotated, .. }) = &report.entries[0].outcome else {
        panic!("{report}")
    };
    assert_eq!(*rotated, old.record.metadata.id);
    assert_eq!(w.fake.calls(FakeOp::Rotate), 1);
    assert!(w.inner_store.get(NAME).await.unwrap().unwrap().record.rotation.is_some(), "the intent stays");
    // Once a management credential is at hand, recovery can finish it.
    recover_all(&w).await.unwrap();
    w.check_settled(NAME).await.unwrap();
}

/// The stores of one seeded run: the one the flows use, one that reads the same data for the
/// checks (without faults), and the fault layer under the first when it is a Vault store.
struct Stores {
    store: Arc<dyn TokenStore>,
    direct: Arc<dyn TokenStore>,
    kv: Option<KvFaults>,
}

impl Stores {
    fn one(store: Arc<dyn TokenStore>) -> Self {
        Self { store: store.clone(), direct: store, kv: None }
    }
}

/// One seeded run: random due-ness, random extra faults (5xx on any call, a committed create
/// whose connection drops, store errors before or after the write; under a Vault store also
/// HTTP faults below the retry layer: a write that commits and then loses its answer to a
/// timeout or a 502, a refused or 503'd request), a random crash point.
///
/// On the fake the faults are a 503 on any call and a create or server-side rotate applied
/// whose answer is lost, besides the same store faults.
async fn one_random_run_on(backend: Backend, seed: u64, stores: Stores, graced: bool) -> Result<String, String> {
    let mut rng = Rng::new(seed);
    let w = World::on_with_checks_through(backend, stores.store, stores.direct);
    // One run in eight is not due (expires in 8 days, the window is 7).
    w.seed(NAME, "ci feed", 1 + rng.below(8) as i64).await;
    match backend {
        Backend::Azure => {
            for op in [op::CREATE, op::CHECK_TOKEN, op::REVOKE, op::LIST, op::GET] {
                if rng.chance(0.15) {
                    let n = 1 + rng.below(3) as u32;
                    w.emulator.inject(FaultRule::new(op, Fault::ServerError { status: 503 }).times(n));
                }
            }
            if rng.chance(0.15) {
                w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
            }
        }
        Backend::GitLab => {
            use patkit::gitlab::operations as gl;
            for op in [gl::PAT_ROTATE, gl::PAT_GET_SELF, gl::PAT_REVOKE, gl::PAT_LIST, gl::PAT_GET] {
                if rng.chance(0.15) {
                    let n = 1 + rng.below(3) as u32;
                    w.gitlab.inject(FaultRule::new(op, Fault::ServerError { status: 503 }).times(n));
                }
            }
            if rng.chance(0.2) {
                // The server rotates, then the connection drops: the answer (the only copy of
                // the new secret) is lost.
                w.gitlab.inject(FaultRule::new(gl::PAT_ROTATE, Fault::CommitThenDrop).times(1));
            }
        }
        Backend::Gitea | Backend::Forgejo => {
            use patkit::gitea::emulator::operations as gt;
            for op in [gt::TOKEN_CREATE, gt::CURRENT_USER, gt::TOKEN_DELETE, gt::TOKEN_LIST] {
                if rng.chance(0.15) {
                    let n = 1 + rng.below(3) as u32;
                    w.gitea.inject(FaultRule::new(op, Fault::ServerError { status: 503 }).times(n));
                }
            }
            if rng.chance(0.2) {
                // The server creates, then the connection drops: the new secret is lost.
                w.gitea.inject(FaultRule::new(gt::TOKEN_CREATE, Fault::CommitThenDrop).times(1));
            }
        }
        Backend::Bitbucket => {
            use patkit::bitbucket::emulator::operations as bb;
            for op in [bb::CREATE, bb::USER, bb::DELETE, bb::LIST, bb::GET] {
                if rng.chance(0.15) {
                    let n = 1 + rng.below(3) as u32;
                    w.bitbucket.inject(FaultRule::new(op, Fault::ServerError { status: 503 }).times(n));
                }
            }
            if rng.chance(0.2) {
                w.bitbucket.inject(FaultRule::new(bb::CREATE, Fault::CommitThenDrop).times(1));
            }
        }
        Backend::Fake(_) => {
            for op in [FakeOp::Create, FakeOp::Rotate, FakeOp::Check, FakeOp::Revoke, FakeOp::List, FakeOp::Get] {
                if rng.chance(0.15) {
                    w.fake.fail_next(op, 1 + rng.below(3) as usize);
                }
            }
            if rng.chance(0.2) {
                w.fake.lose_next_answer(if backend.creates() { FakeOp::Create } else { FakeOp::Rotate });
            }
        }
    }
    if rng.chance(0.2) {
        w.gate.store_fault(StoreFault { nth: 1 + rng.below(4) as usize, after: rng.chance(0.5) });
    }
    let calls = [
        Call::StoreWrite,
        Call::StoreRead,
        w.call(if backend.creates() { FakeOp::Create } else { FakeOp::Rotate }),
        w.call(FakeOp::Check),
        w.call(FakeOp::Revoke),
        w.call(FakeOp::List),
    ];
    // Mostly the nth call of any kind (a normal rotation makes about seven), else the nth of one
    // kind; a tenth of the runs do not crash at all.
    let point = match rng.below(10) {
        0 => None,
        1..=6 => Some(HoldPoint { call: Call::Any, nth: 1 + rng.below(7) as usize, after: rng.chance(0.5) }),
        _ => Some(HoldPoint {
            call: calls[rng.below(calls.len() as u64) as usize],
            nth: 1 + rng.below(2) as usize,
            after: rng.chance(0.5),
        }),
    };
    if let Some(kv) = &stores.kv {
        // A rotation makes about four KV writes (intent, store, clear previous; more when it
        // cleans up) and a few reads.
        for _ in 0..2 {
            if rng.chance(0.6) {
                kv.on_write(1 + rng.below(4) as usize, KvFault::ALL[rng.below(4) as usize]);
            }
        }
        if rng.chance(0.2) {
            kv.on_read(1 + rng.below(6) as usize, KvFault::ALL[rng.below(4) as usize]);
        }
    }
    // Graced runs: four in five with a grace period of 1 minute to 12 hours.
    let grace =
        if graced && rng.chance(0.8) { Duration::from_secs(60 * (1 + rng.below(12 * 60))) } else { Duration::ZERO };
    // Graced runs: two in five with a hook, which fails in half of them.
    let hook = if graced && rng.chance(0.4) { Some(Flaky { fail: rng.chance(0.5) }) } else { None };
    let hooked = hook.is_some();
    let mut rotating = fast_verify(rotator(&w)).grace(grace);
    if let Some(hook) = hook {
        rotating = rotating.hook(hook);
    }
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    let report = run_until(&w, &rotating, point).await;
    let fired = stores.kv.as_ref().map(|kv| kv.fired()).unwrap_or_default();
    let what = match (&report, point) {
        (None, Some(p)) => format!("crashed {p} (KV faults {fired:?})"),
        (Some(r), _) => format!("finished: {} (KV faults {fired:?})", r.outcome),
        (None, None) => unreachable!(),
    };
    if let Some(kv) = &stores.kv {
        kv.clear();
    }
    let what = if grace.is_zero() { what } else { format!("{what} [grace {} min]", grace.as_secs() / 60) };
    let what = if hooked { format!("{what} [hooked]") } else { what };
    let recovered = settle_with_grace(&w, report.is_none(), grace, hooked).await.map_err(|e| format!("{what}: {e}"))?;
    let orphan =
        recovered.entries.iter().flat_map(|e| &e.recovered).any(|a| matches!(a, RecoveryAction::RotatedOrphan { .. }));
    Ok(if orphan { format!("{what} [orphan rotated]") } else { what })
}

/// Verify retries without real waiting (the runs against a real server are not in paused time).
fn fast_verify(rotator: Rotator) -> Rotator {
    rotator.verify(VerifyOptions { attempts: 3, backoff: Duration::from_millis(2) })
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `runs` seeded runs from `base`, each over the stores `make(i, seed)` gives.
/// Returns in how many runs a KV write committed and then lost its answer.
async fn seeded_runs(label: &str, runs: u64, base: u64, make: impl AsyncFnMut(u64, u64) -> Stores) -> u64 {
    seeded_runs_on(Backend::Azure, label, runs, base, make).await
}

/// [`seeded_runs_on`], plain or with random grace periods.
async fn seeded_runs_on(
    backend: Backend,
    label: &str,
    runs: u64,
    base: u64,
    make: impl AsyncFnMut(u64, u64) -> Stores,
) -> u64 {
    seeded_runs_with(backend, label, runs, base, false, make).await
}

/// [`seeded_runs`] on any backend; `graced`: with a random grace period in most runs.
async fn seeded_runs_with(
    backend: Backend,
    label: &str,
    runs: u64,
    base: u64,
    graced: bool,
    mut make: impl AsyncFnMut(u64, u64) -> Stores,
) -> u64 {
    let (mut crashed, mut finished, mut lost_answers, mut orphans) = (0, 0, 0, 0);
    for i in 0..runs {
        let seed = base + i;
        let outcome = one_random_run_on(backend, seed, make(i, seed).await, graced).await;
        if outcome.as_ref().is_ok_and(|what| what.ends_with("[orphan rotated]")) {
            orphans += 1;
        }
        if outcome.as_ref().is_ok_and(|what| what.contains("CommitThen")) {
            lost_answers += 1;
        }
        match outcome {
            Ok(what) if what.starts_with("crashed") => crashed += 1,
            Ok(_) => finished += 1,
            Err(e) => panic!(
                "{label}: randomized run {i} failed; replay with PATKIT_LIFECYCLE_SEED={seed} PATKIT_LIFECYCLE_RUNS=1 \
                 (PATKIT_VAULT_RUNS=1 for the OpenBao runs): {e}"
            ),
        }
    }
    println!(
        "{label}: {runs} randomized runs (seeds {base}..{}): {crashed} crashed and recovered, {finished} ran to the \
         end, {lost_answers} had a KV write commit and lose its answer",
        base + runs
    );
    assert!(crashed > runs / 3, "{label}: too few runs reached their crash point: {crashed} of {runs}");
    if !backend.creates() {
        // The window of a server-side rotate (applied, answer lost) must be hit often enough.
        println!("{label}: {orphans} runs recovered a lost server-side rotate by rotating its replacement again");
        assert!(orphans > runs / 20, "{label}: too few runs recovered a lost rotate: {orphans} of {runs}");
    }
    lost_answers
}

#[tokio::test(start_paused = true)]
async fn randomized_crashes_against_the_emulator_and_the_file_store() {
    let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
    // A RAM-backed directory where there is one: the runs measure the protocol, not the disk.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let root = dir.path().to_owned();
    seeded_runs("file store", runs, base, async |i, _| {
        Stores::one(Arc::new(FileTokenStore::open(root.join(format!("run{i}"))).await.unwrap()))
    })
    .await;
}

/// A thousand seeded runs against the GitLab emulator through the GitLab client: server-side
/// rotation only, date expiry, 503s on any call and rotates the server applies whose answer is
/// lost (the connection drops), over the in-memory store. Every run must end, after recovery,
/// with a working stored token and no other working token: the only way to lose the working
/// token is the documented window (a lost rotate answer), which recovery closes by rotating the
/// unstored replacement once more.
#[tokio::test(start_paused = true)]
async fn randomized_crashes_against_the_gitlab_emulator() {
    let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
    seeded_runs_on(Backend::GitLab, "gitlab emulator", runs, base, async |_, _| {
        Stores::one(Arc::new(InMemoryTokenStore::new()))
    })
    .await;
}

/// A thousand seeded runs against each password-minting forge — Gitea, Forgejo (with a
/// two-factor login), Bitbucket Data Center — through its client and emulator: create-then-delete
/// rotation with unique names, deletes that are hard deletes, 503s on any call and creates the
/// server commits whose answer is lost (the connection drops), over the in-memory store. Every
/// run must end, after recovery, with a working stored token and no other token alive.
#[tokio::test(start_paused = true)]
async fn randomized_crashes_against_the_gitea_forgejo_and_bitbucket_emulators() {
    let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
    for backend in [Backend::Gitea, Backend::Forgejo, Backend::Bitbucket] {
        seeded_runs_on(backend, &format!("{backend:?} emulator"), runs, base, async |_, _| {
            Stores::one(Arc::new(InMemoryTokenStore::new()))
        })
        .await;
    }
}

/// A thousand seeded runs per fake profile (create-then-revoke, server-side rotate, tokens
/// that never expire), over the in-memory store: every fault and crash point must end, after
/// recovery, with a working stored token and no other working token.
#[tokio::test(start_paused = true)]
async fn randomized_crashes_against_the_fake_in_each_profile() {
    let runs = env_u64("PATKIT_LIFECYCLE_FAKE_RUNS", 1000);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
    for profile in FakeProfile::ALL {
        seeded_runs_on(Backend::Fake(profile), &format!("fake {profile:?}"), runs, base, async |_, _| {
            Stores::one(Arc::new(InMemoryTokenStore::new()))
        })
        .await;
    }
}

#[cfg(feature = "vault")]
mod vault {
    use super::*;
    use crate::lifecycle_support::vault_kv::FakeKv;
    use patkit::store::{VaultToken, VaultTokenStore};
    use patkit::transport::{BackoffConfig, HttpTransport, RetryConfig, RetryTransport};

    const TOKEN: &str = "vault-token-for-the-fake";

    /// The flows' store: a Vault store behind the default retry decorator, over the fault
    /// layer, over `server`. The checks read the same entries straight from `server`.
    fn stores(
        server: Arc<dyn HttpTransport>,
        address: &str,
        token: &str,
        prefix: &str,
        retry: RetryConfig,
        seed: u64,
    ) -> Stores {
        let kv = KvFaults::new(server.clone());
        let retrying = RetryTransport::new(kv.clone(), retry).seed(seed);
        let build = |transport: Arc<dyn HttpTransport>| {
            VaultTokenStore::builder(address, VaultToken::new(token.to_owned()), transport)
                .prefix(prefix)
                .build()
                .unwrap()
        };
        Stores { store: Arc::new(build(Arc::new(retrying))), direct: Arc::new(build(server)), kv: Some(kv) }
    }

    /// The thousand seeded runs again, over an in-process fake of KV v2 behind the default
    /// `RetryTransport`, with writes that commit and then lose their answer.
    #[tokio::test(start_paused = true)]
    async fn randomized_crashes_against_the_emulator_and_a_vault_kv_store() {
        let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
        let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
        let lost = seeded_runs("vault kv fake", runs, base, async |_, seed| {
            stores(Arc::new(FakeKv::new(TOKEN)), "http://127.0.0.1:8200", TOKEN, "patkit", RetryConfig::default(), seed)
        })
        .await;
        assert!(lost > runs / 10, "too few runs lost the answer of a committed write: {lost} of {runs}");
    }

    /// The seeded runs against a real OpenBao dev server (`scripts/with-services.sh`), fewer of
    /// them (`PATKIT_VAULT_RUNS`, default 100). Without a server it prints a notice and passes,
    /// unless `PATKIT_REQUIRE_SERVICES=1`.
    #[cfg(feature = "reqwest")]
    #[tokio::test]
    async fn randomized_crashes_against_the_emulator_and_openbao() {
        use std::io::Write as _;
        let test = "randomized_crashes_against_the_emulator_and_openbao";
        let address = std::env::var("PATKIT_VAULT_ADDR").ok().filter(|v| !v.is_empty());
        let token = std::env::var("PATKIT_VAULT_TOKEN").ok().filter(|v| !v.is_empty());
        let (Some(address), Some(token)) = (address, token) else {
            if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("{test}: PATKIT_REQUIRE_SERVICES=1 but PATKIT_VAULT_ADDR/PATKIT_VAULT_TOKEN are not set");
            }
            let _ = writeln!(
                std::io::stderr(),
                "{test}: SKIPPED: no OpenBao/Vault server (set PATKIT_VAULT_ADDR and PATKIT_VAULT_TOKEN, \
                 or run under scripts/with-services.sh)"
            );
            return;
        };
        let runs = env_u64("PATKIT_VAULT_RUNS", 100);
        let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
        let server: Arc<dyn HttpTransport> = Arc::new(patkit::transport::ReqwestTransport::new().unwrap());
        let root = format!("patkit-test/rotation-{}", uuid::Uuid::new_v4().simple());
        // The default retry policy, with short waits: this runs in real time.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                initial: Duration::from_millis(5),
                max: Duration::from_millis(50),
                multiplier: 2.0,
            },
            ..RetryConfig::default()
        };
        let lost = seeded_runs("openbao", runs, base, async |i, seed| {
            stores(server.clone(), &address, &token, &format!("{root}/run{i}"), retry.clone(), seed)
        })
        .await;
        assert!(lost > runs / 10, "too few runs lost the answer of a committed write: {lost} of {runs}");
    }
}
