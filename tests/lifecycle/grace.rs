//! Grace periods and hand-off hooks: a rotation with a grace period keeps the old token valid
//! (recorded as retiring) until the grace ends, and the first run after it revokes it; hooks get
//! the replacement before the old token is revoked or marked retiring, and a failing (or
//! interrupted) hand-off keeps the old token until a run's hooks succeed. On every backend
//! where it applies; a provider that can only rotate server-side refuses a grace period.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use patkit::lifecycle::{
    CommandHook, FindingKind, HandOff, HookError, KeptReason, Outcome, PlannedAction, RecoveryAction, RotationHook,
    Rotator, Scan, SkipReason, WebhookHook,
};
use patkit::store::InMemoryTokenStore;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{PatId, TokenStore};

use crate::lifecycle_support::{Backend, World};
use crate::trace_capture::TraceCapture;

const WEEK: Duration = Duration::from_secs(7 * 86_400);
const GRACE: Duration = Duration::from_secs(6 * 3600);
const NAME: &str = "ci-feed";

fn world(backend: Backend) -> World {
    World::on(backend, Arc::new(InMemoryTokenStore::new()))
}

fn rotator(w: &World) -> Rotator {
    Rotator::from_arcs(w.provider.clone(), w.store.clone())
        .clock(w.clock.clone())
        .window(WEEK)
        .force(!w.backend.expires())
}

fn past_grace(w: &World) {
    w.clock.advance(TimeDelta::from_std(GRACE).unwrap() + TimeDelta::seconds(1));
}

fn active(w: &World, id: &PatId) -> bool {
    w.server.token(id).is_some_and(|t| t.active)
}

/// What a [`Recorder`] saw of one hand-off.
#[derive(Debug, Clone)]
struct Seen {
    entry: String,
    new: PatId,
    secret: String,
    previous: Option<PatId>,
    retiring_until: Option<DateTime<Utc>>,
}

/// A hook that records what it gets and fails while `fail` is set.
#[derive(Debug, Clone, Default)]
struct Recorder {
    fail: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[async_trait]
impl RotationHook for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }
    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        self.seen.lock().unwrap().push(Seen {
            entry: hand_off.entry.to_owned(),
            new: hand_off.new.id.clone(),
            secret: hand_off.secret().expose_secret().to_owned(),
            previous: hand_off.previous.map(|p| p.id.clone()),
            retiring_until: hand_off.retiring_until,
        });
        if self.fail.load(Ordering::SeqCst) { Err(HookError::new("the deployment refused it")) } else { Ok(()) }
    }
}

/// A hook that never finishes (a run stopped during the hand-off).
#[derive(Debug, Default)]
struct Hangs(AtomicUsize);

#[async_trait]
impl RotationHook for Hangs {
    fn name(&self) -> &str {
        "hangs"
    }
    async fn hand_off(&self, _: &HandOff<'_>) -> Result<(), HookError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_grace_period_keeps_the_old_token_until_it_ends_then_the_next_run_revokes_it() {
    for backend in Backend::ALL {
        let w = world(backend);
        let old = w.seed(NAME, "ci feed", 2).await;
        let old_id = old.record.metadata.id.clone();
        let plan = rotator(&w).grace(GRACE).plan().await.unwrap();
        if !backend.creates() {
            assert_eq!(plan.entries[0].action, PlannedAction::Skip(SkipReason::GraceImpossible), "{backend:?}");
        }
        let report = rotator(&w).grace(GRACE).rotate(NAME).await;
        if !backend.creates() {
            // The server would revoke the old token at once: refused before anything is sent.
            assert!(matches!(report.outcome, Outcome::Skipped(SkipReason::GraceImpossible)), "{backend:?}: {report}");
            let entry = w.inner_store.get(NAME).await.unwrap().unwrap();
            assert_eq!(entry.record, old.record, "{backend:?}: the entry changed");
            assert!(active(&w, &old_id) && w.server.tokens().len() == 1, "{backend:?}");
            continue;
        }
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
        let until = stored.record.stored_at + TimeDelta::from_std(GRACE).unwrap();
        assert_eq!(rotation.retiring_until, Some(until), "{backend:?}");
        assert!(rotation.kept_previous.is_none() && rotation.cleanup_pending.is_none(), "{backend:?}: {report}");
        assert!(report.to_string().contains("grace period"), "{report}");
        assert_eq!(stored.record.previous.as_ref().map(|p| &p.id), Some(&old_id));
        let retiring = stored.record.retiring.clone().expect("recorded as retiring");
        assert_eq!((retiring.until, retiring.handoff_pending), (until, false));
        assert!(active(&w, &old_id), "{backend:?}: the old token was revoked despite the grace");
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));

        // A scan shows it as replaced, within its grace (not as an unstored token).
        let scan = Scan::new()
            .provider(w.direct_provider.clone())
            .store(w.inner_store.clone())
            .clock(w.clock.clone())
            .window(WEEK)
            .run()
            .await
            .unwrap();
        let about_old: Vec<_> = scan.findings.iter().filter(|f| f.token.id == old_id).collect();
        let [finding] = about_old[..] else { panic!("{backend:?}: {about_old:?}") };
        assert_eq!(finding.entry.as_deref(), Some(NAME));
        assert_eq!(
            finding.kind,
            FindingKind::ReplacedNotRevoked { until: Some(until), handoff_pending: false, overdue: false }
        );
        assert!(!finding.kind.needs_attention());

        // Within the grace, neither a forced rotation nor a recovery touches it (and a dry run
        // says so).
        let plan = rotator(&w).force(true).plan().await.unwrap();
        assert_eq!(plan.entries[0].action, PlannedAction::Skip(SkipReason::Retiring { id: old_id.clone(), until }));
        let again = rotator(&w).force(true).grace(GRACE).rotate(NAME).await;
        assert!(
            matches!(&again.outcome, Outcome::Skipped(SkipReason::Retiring { id, until: u }) if *id == old_id && *u == until),
            "{backend:?}: {again}"
        );
        let swept = rotator(&w).recover_ignoring_lease().await.unwrap();
        assert!(matches!(swept.entries[0].outcome, Outcome::Skipped(SkipReason::Retiring { .. })), "{swept}");
        w.clock.advance(TimeDelta::from_std(GRACE).unwrap() - TimeDelta::seconds(1));
        rotator(&w).recover().await.unwrap();
        assert!(active(&w, &old_id), "{backend:?}: revoked a second before its grace ended");

        // Past the grace: a scan says it is overdue, and the next run revokes it.
        w.clock.advance(TimeDelta::seconds(2));
        let scan = Scan::new().store(w.inner_store.clone()).clock(w.clock.clone()).window(WEEK).run().await.unwrap();
        let overdue = scan.findings.iter().find(|f| f.token.id == old_id).expect("a finding");
        assert!(overdue.kind.needs_attention(), "{overdue}");
        let next = rotator(&w).rotate(NAME).await;
        assert!(
            next.recovered.iter().any(|a| matches!(a, RecoveryAction::RevokedPrevious { id } if *id == old_id)),
            "{backend:?}: {next}"
        );
        assert!(next.recovered.contains(&RecoveryAction::ClearedPrevious), "{next}");
        assert!(w.server.token(&old_id).unwrap().revoked, "{backend:?}: the old token survived its grace");
        let entry = w.inner_store.get(NAME).await.unwrap().unwrap().record;
        assert!(entry.previous.is_none() && entry.retiring.is_none(), "{entry:?}");
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// The later revoke has the same checks as any revoke of a replaced token: a stored token the
/// provider refuses keeps the retiring one.
#[tokio::test(start_paused = true)]
async fn after_the_grace_a_refused_stored_token_keeps_the_old_one() {
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let w = world(backend);
        let old = w.seed(NAME, "ci feed", 2).await;
        let report = rotator(&w).grace(GRACE).rotate(NAME).await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        w.direct_provider.revoke_pat(&rotation.new.id).await.unwrap();
        past_grace(&w);
        let swept = rotator(&w).recover().await.unwrap();
        assert!(
            matches!(
                &swept.entries[0].outcome,
                Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::StoredTokenRefused, .. })
            ),
            "{backend:?}: {swept}"
        );
        assert!(active(&w, &old.record.metadata.id), "{backend:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_hook_keeps_the_old_token_and_a_later_run_with_hooks_hands_off_again() {
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let w = world(backend);
        let old = w.seed(NAME, "ci feed", 2).await;
        let old_id = old.record.metadata.id.clone();
        let hook = Recorder::default();
        hook.fail.store(true, Ordering::SeqCst);
        let report = rotator(&w).hook(hook.clone()).rotate(NAME).await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        assert_eq!(rotation.kept_previous, Some(KeptReason::HandOffFailed), "{backend:?}: {report}");
        let [failure] = &rotation.handoff_failures[..] else { panic!("{report}") };
        assert_eq!((failure.hook.as_str(), failure.error.message()), ("recorder", "the deployment refused it"));
        assert!(report.to_string().contains("hook recorder failed: the deployment refused it"), "{report}");
        assert!(active(&w, &old_id), "{backend:?}: the old token was revoked after a failed hand-off");
        let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
        {
            let seen = hook.seen.lock().unwrap();
            let [seen] = &seen[..] else { panic!("{seen:?}") };
            assert_eq!((seen.entry.as_str(), &seen.new), (NAME, &stored.record.metadata.id));
            assert_eq!(seen.secret, stored.secret.expose_secret(), "the hook got the stored secret");
            assert_eq!((seen.previous.as_ref(), seen.retiring_until), (Some(&old_id), None));
        }
        assert!(stored.record.retiring.as_ref().is_some_and(|r| r.handoff_pending));
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));

        // Recovery sweeps never run hooks, nor does a rotator without them: the old token stays.
        past_grace(&w);
        let swept = rotator(&w).hook(hook.clone()).recover_ignoring_lease().await.unwrap();
        let pending = |o: &Outcome| matches!(o, Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, id }) if *id == old_id);
        assert!(pending(&swept.entries[0].outcome), "{backend:?}: {swept}");
        assert!(pending(&rotator(&w).rotate(NAME).await.outcome));
        assert_eq!(hook.seen.lock().unwrap().len(), 1, "a sweep ran the hook");
        // A rotation run with the hook still failing: kept, and said so.
        let failed_again = rotator(&w).hook(hook.clone()).rotate(NAME).await;
        assert!(
            matches!(&failed_again.outcome, Outcome::Skipped(SkipReason::HandOffFailed { id, failures }) if *id == old_id && failures.len() == 1),
            "{backend:?}: {failed_again}"
        );
        assert!(active(&w, &old_id));

        // Once the hook works, the next rotation run hands off again, then revokes.
        hook.fail.store(false, Ordering::SeqCst);
        let next = rotator(&w).hook(hook.clone()).rotate(NAME).await;
        assert_eq!(next.recovered.first(), Some(&RecoveryAction::HandedOff { id: stored.record.metadata.id.clone() }));
        assert!(next.recovered.contains(&RecoveryAction::ClearedPrevious), "{backend:?}: {next}");
        assert!(w.server.token(&old_id).unwrap().revoked, "{backend:?}");
        // The third hand-off (after two failures) was of the same stored token. (Where tokens
        // never expire the run rotates by force afterwards, handing off the next one too.)
        assert_eq!(hook.seen.lock().unwrap()[2].secret, stored.secret.expose_secret());
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// A hook that fails with a grace period set keeps the old token past the grace too.
#[tokio::test(start_paused = true)]
async fn a_failed_hand_off_outlasts_the_grace_period() {
    let w = world(Backend::Azure);
    let old = w.seed(NAME, "ci feed", 2).await;
    let hook = Recorder::default();
    hook.fail.store(true, Ordering::SeqCst);
    let report = rotator(&w).grace(GRACE).hook(hook.clone()).rotate(NAME).await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.kept_previous, Some(KeptReason::HandOffFailed));
    assert!(hook.seen.lock().unwrap()[0].retiring_until.is_some(), "the hook is told about the grace");
    past_grace(&w);
    let swept = rotator(&w).recover().await.unwrap();
    assert!(
        matches!(
            swept.entries[0].outcome,
            Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, .. })
        ),
        "{swept}"
    );
    assert!(active(&w, &old.record.metadata.id));
    let scan = Scan::new().store(w.inner_store.clone()).clock(w.clock.clone()).window(WEEK).run().await.unwrap();
    let finding = scan.findings.iter().find(|f| f.token.id == old.record.metadata.id).expect("a finding");
    assert!(matches!(finding.kind, FindingKind::ReplacedNotRevoked { handoff_pending: true, .. }), "{finding}");
    assert!(finding.kind.needs_attention());
}

/// A run stopped during the hand-off (a crash): the entry already says the hand-off is pending,
/// so recovery keeps the old token; the next rotation run with hooks finishes.
#[tokio::test(start_paused = true)]
async fn a_run_stopped_during_the_hand_off_keeps_the_old_token() {
    for backend in Backend::ALL.into_iter().filter(|b| b.creates()) {
        let w = world(backend);
        let old = w.seed(NAME, "ci feed", 2).await;
        let old_id = old.record.metadata.id.clone();
        let hangs = Arc::new(Hangs::default());
        let stopped = tokio::time::timeout(Duration::from_secs(60), rotator(&w).hook(hangs.clone()).rotate(NAME)).await;
        assert!(stopped.is_err() && hangs.0.load(Ordering::SeqCst) == 1, "{backend:?}");
        assert!(active(&w, &old_id));
        let swept = rotator(&w).recover_ignoring_lease().await.unwrap();
        assert!(
            matches!(
                swept.entries[0].outcome,
                Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, .. })
            ),
            "{backend:?}: {swept}"
        );
        assert!(active(&w, &old_id), "{backend:?}: recovery revoked the old token before the hand-off");
        let hook = Recorder::default();
        let next = rotator(&w).hook(hook.clone()).rotate(NAME).await;
        assert!(matches!(next.recovered.first(), Some(RecoveryAction::HandedOff { .. })), "{backend:?}: {next}");
        assert!(w.server.token(&old_id).unwrap().revoked);
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// A real child process (`sh`): the secret arrives on standard input, the metadata in the
/// environment; the secret is in neither the arguments nor the environment, nor in any log line
/// or report. Not in paused time: the child runs in real time.
#[tokio::test]
async fn command_hook_gets_the_secret_on_stdin_and_nowhere_else() {
    let (trace, _guard) = TraceCapture::start();
    let dir = tempfile::tempdir().unwrap();
    let (token_file, env_file, argv_file) = (dir.path().join("token"), dir.path().join("env"), dir.path().join("argv"));
    let w = world(Backend::Azure);
    let old = w.seed(NAME, "ci feed", 2).await;
    let hook = CommandHook::new("sh")
        .arg("-c")
        .arg(r#"cat > "$1" && env > "$2" && printf '%s\n' "$0" "$@" > "$3""#)
        .arg("patkit-hook")
        .arg(&token_file)
        .arg(&env_file)
        .arg(&argv_file)
        .timeout(Duration::from_secs(30));
    let report = rotator(&w).grace(GRACE).hook(hook).rotate(NAME).await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert!(rotation.handoff_failures.is_empty(), "{report}");
    let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
    let secret = stored.secret.expose_secret();
    assert_eq!(std::fs::read_to_string(&token_file).unwrap(), format!("{secret}\n"));
    let env = std::fs::read_to_string(&env_file).unwrap();
    for line in [
        format!("PATKIT_ENTRY={NAME}"),
        format!("PATKIT_TOKEN_ID={}", stored.record.metadata.id),
        format!("PATKIT_PREVIOUS_ID={}", old.record.metadata.id),
        "PATKIT_PROVIDER=azure-devops".to_owned(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} missing from the hook's environment");
    }
    assert!(env.lines().any(|l| l.starts_with("PATKIT_RETIRING_UNTIL=20")), "the grace is in the environment");
    let argv = std::fs::read_to_string(&argv_file).unwrap();
    assert!(argv.contains("patkit-hook"), "{argv}");
    let logs = trace.contents();
    assert!(!logs.is_empty(), "the capture saw nothing");
    for (place, text) in [
        ("environment", env),
        ("arguments", argv),
        ("logs", logs),
        ("report", format!("{report} {report:?} {hook:?}", hook = rotator(&w))),
    ] {
        for value in [secret, old.secret.expose_secret()] {
            assert!(!text.contains(value), "a secret is in the hook's {place}");
        }
    }
    assert!(active(&w, &old.record.metadata.id));
}

/// `inherit_env(false)`: the hook gets `PATH` and the `PATKIT_*` variables, not the rotator's
/// environment (where its own credentials may be).
#[tokio::test]
async fn command_hook_without_the_rotators_environment() {
    let inherited = std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets it");
    let dir = tempfile::tempdir().unwrap();
    for inherit in [true, false] {
        let env_file = dir.path().join(format!("env-{inherit}"));
        let w = world(Backend::Azure);
        w.seed(NAME, "ci feed", 2).await;
        let hook = CommandHook::new("sh").arg("-c").arg(r#"cat > /dev/null && env > "$1""#).arg("hook").arg(&env_file);
        let report = rotator(&w).hook(hook.inherit_env(inherit)).rotate(NAME).await;
        assert!(matches!(&report.outcome, Outcome::Rotated(r) if r.handoff_failures.is_empty()), "{report}");
        let env = std::fs::read_to_string(&env_file).unwrap();
        assert_eq!(env.contains(&format!("CARGO_MANIFEST_DIR={inherited}")), inherit, "inherit_env({inherit})");
        assert!(env.lines().any(|l| l.starts_with("PATKIT_TOKEN_ID=")), "{env}");
    }
}

#[tokio::test]
async fn a_failing_or_slow_command_keeps_the_old_token() {
    for (hook, says) in [
        (CommandHook::new("sh").arg("-c").arg("cat > /dev/null; exit 3"), "exit status: 3"),
        (CommandHook::new("sleep").arg("30").timeout(Duration::from_millis(300)), "did not finish within"),
        (CommandHook::new("/nonexistent/patkit-hook"), "could not start"),
    ] {
        let w = world(Backend::Azure);
        let old = w.seed(NAME, "ci feed", 2).await;
        let report = rotator(&w).hook(hook).rotate(NAME).await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
        assert_eq!(rotation.kept_previous, Some(KeptReason::HandOffFailed), "{report}");
        let [failure] = &rotation.handoff_failures[..] else { panic!("{report}") };
        assert!(failure.error.message().contains(says), "{failure}");
        assert!(active(&w, &old.record.metadata.id), "{report}");
        let secret = w.inner_store.get(NAME).await.unwrap().unwrap().secret;
        assert!(!format!("{report} {report:?}").contains(secret.expose_secret()));
    }
}

/// After a server-side rotate (the server revoked the old token already) hooks run after the
/// store; a failure is reported, and the replacement stays stored.
#[tokio::test(start_paused = true)]
async fn hooks_after_a_server_side_rotate_report_their_failures() {
    for backend in Backend::ALL.into_iter().filter(|b| !b.creates()) {
        let w = world(backend);
        let old = w.seed(NAME, "ci feed", 2).await;
        let hook = Recorder::default();
        hook.fail.store(true, Ordering::SeqCst);
        let report = rotator(&w).hook(hook.clone()).rotate(NAME).await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{backend:?}: {report}") };
        assert_eq!(rotation.handoff_failures.len(), 1, "{backend:?}: {report}");
        assert_eq!(rotation.kept_previous, None, "nothing to keep");
        let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
        assert_eq!(stored.record.metadata.id, rotation.new.id);
        assert_eq!(hook.seen.lock().unwrap()[0].secret, stored.secret.expose_secret());
        assert!(stored.record.previous.is_none() && stored.record.retiring.is_none());
        assert!(!active(&w, &old.record.metadata.id));
        w.check_settled(NAME).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

/// The webhook gets metadata only: the new token's id and name, the replaced token's id, the
/// grace — never a secret. A non-2xx answer is a failed hand-off.
#[tokio::test(start_paused = true)]
async fn webhook_hook_posts_metadata_never_the_secret() {
    let route = Route::new(patkit::http::Method::POST, "/hooks/patkit");
    for (status, ok) in [(204, true), (500, false)] {
        let w = world(Backend::Azure);
        let old = w.seed(NAME, "ci feed", 2).await;
        let mock = MockTransport::new().on(route.clone(), MockResponse::status(status));
        let hook = WebhookHook::new("https://hooks.example.com/hooks/patkit", mock.clone()).unwrap();
        let report = rotator(&w).grace(GRACE).hook(hook).rotate(NAME).await;
        let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
        let stored = w.inner_store.get(NAME).await.unwrap().unwrap();
        let [request] = &mock.requests_to(&route)[..] else { panic!("{:?}", mock.requests()) };
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body["event"], "patkit.rotated");
        assert_eq!(body["entry"], NAME);
        assert_eq!(body["token"]["id"], stored.record.metadata.id.as_str());
        assert_eq!(body["previous"]["id"], old.record.metadata.id.as_str());
        assert!(body["retiring_until"].is_string(), "{body}");
        let raw = format!("{:?} {}", request.headers(), String::from_utf8_lossy(request.body()));
        for secret in [stored.secret.expose_secret(), old.secret.expose_secret()] {
            assert!(!raw.contains(secret), "the webhook request carries a secret");
        }
        if ok {
            assert!(rotation.handoff_failures.is_empty() && rotation.retiring_until.is_some(), "{report}");
        } else {
            assert_eq!(rotation.kept_previous, Some(KeptReason::HandOffFailed), "{report}");
            assert!(rotation.handoff_failures[0].error.message().contains("500"), "{report}");
            assert!(rotation.handoff_failures[0].hook.contains("hooks.example.com"));
        }
        assert!(active(&w, &old.record.metadata.id));
    }
    let mock = MockTransport::new();
    for url in ["http://hooks.example.com/x", "not a url"] {
        let refused = WebhookHook::new(url, mock.clone()).unwrap_err();
        assert!(matches!(refused, patkit::Error::InvalidInput { .. }), "{refused}");
    }
}
