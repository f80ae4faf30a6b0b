//! Reports as data: scan, rotation and offboarding reports serialize to the versioned JSON
//! shape of `schemas/*.v1.json`, from real runs (which also must not carry a secret) and for
//! every finding kind, skip reason, recovery action and outcome.
//!
//! The schema check runs `schemas/validate.py` with `python3` and the `jsonschema` package
//! (installed by `scripts/test-services.sh install`). Without them the schema checks print a
//! notice and pass, unless `PATKIT_REQUIRE_SERVICES=1` (set by `scripts/with-services.sh`), where
//! they fail. The shape assertions written in Rust below run everywhere.
#![cfg(feature = "testing")]

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeDelta, TimeZone, Utc};
use patkit::lifecycle::{
    EntryReport, Failure, Finding, FindingKind, HandOff, HookError, KeptReason, Offboarding, Outcome, RecoveryAction,
    RotationHook, RotationReport, Rotator, Scan, ScanReport, SkipReason, Step, View,
};
use patkit::store::InMemoryTokenStore;
use patkit::testing::{FAKE_ORGANIZATION, FAKE_PROVIDER_NAME, FAKE_USER, FakeOp, FakeProfile, FakeProvider};
use patkit::{Error, Extras, ManualClock, PatId, PatMetadata, PatRecord, Scopes, StoredPat, TokenStore, UserId};
use serde_json::Value;

use crate::report_schema::{assert_valid, require_services, validate};

/// Every `"kind"` string anywhere in `value`.
fn kinds(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("kind", Value::String(s)) => out.push(s.clone()),
                    _ => kinds(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| kinds(v, out)),
        _ => {}
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn metadata(id: &str) -> PatMetadata {
    PatMetadata {
        id: PatId::new(id),
        display_name: format!("token {id}"),
        scopes: Scopes::parse("read write").unwrap(),
        valid_from: now() - TimeDelta::days(10),
        valid_to: Some(now() + TimeDelta::days(3)),
        extras: Extras::new(),
    }
}

/// A hook that always fails.
#[derive(Debug)]
struct Refuses;

#[async_trait]
impl RotationHook for Refuses {
    fn name(&self) -> &str {
        "deploy"
    }

    async fn hand_off(&self, _: &HandOff<'_>) -> Result<(), HookError> {
        Err(HookError::new("the deployment refused it"))
    }
}

struct Runs {
    scans: Vec<ScanReport>,
    rotations: Vec<RotationReport>,
    offboardings: Vec<patkit::lifecycle::OffboardReport>,
    secrets: Vec<String>,
}

/// Real scans, rotations (rotated, with a grace period, with a failing hook, failed, skipped)
/// and offboardings (dry run and real) on the fake provider, with every secret they handled.
async fn real_runs() -> Runs {
    let clock = ManualClock::new(now());
    let fake = FakeProvider::new(FakeProfile::CreateUpdate).clock(clock.clone());
    let store = Arc::new(InMemoryTokenStore::new());
    let mut secrets = Vec::new();
    for (name, days) in [("api", 2), ("ci", 3), ("deploy", 4), ("later", 90)] {
        let seeded = fake.seed(name, Scopes::parse("read").unwrap(), Some(now() + TimeDelta::days(days)));
        secrets.push(seeded.secret.expose_secret().to_owned());
        let record = PatRecord::new(name, FAKE_PROVIDER_NAME, FAKE_ORGANIZATION, seeded.metadata.clone(), now());
        store.put(StoredPat { record, secret: seeded.secret }).await.unwrap();
    }
    let stray = fake.seed("stray", Scopes::parse("read").unwrap(), None);
    secrets.push(stray.secret.expose_secret().to_owned());

    let scan = || Scan::new().provider(fake.clone()).store(store.clone()).clock(clock.clone());
    let mut scans = vec![scan().run().await.unwrap()];
    let rotator = || Rotator::new(fake.clone(), store.clone()).clock(clock.clone());
    let mut rotations = Vec::new();
    // A failing hook keeps the old token; a failed create.
    rotations.push(RotationReport { entries: vec![rotator().force(true).hook(Refuses).rotate("deploy").await] });
    fake.fail_next(FakeOp::Create, 1);
    rotations.push(RotationReport { entries: vec![rotator().force(true).rotate("later").await] });
    // Rotated with a grace period, skipped (not due) in the same run.
    rotations.push(rotator().grace(Duration::from_secs(3600)).rotate_all().await.unwrap());
    // After the grace: the retiring tokens are revoked.
    clock.advance(TimeDelta::hours(2));
    scans.push(scan().run().await.unwrap());
    rotations.push(rotator().rotate_all().await.unwrap());
    rotations.push(rotator().recover().await.unwrap());
    scans.push(scan().run().await.unwrap());
    for entry in store.list().await.unwrap() {
        secrets.push(store.get(&entry.name).await.unwrap().unwrap().secret.expose_secret().to_owned());
    }

    let admin = fake.admin(2);
    let user = UserId::new(FAKE_USER);
    let offboardings = vec![
        Offboarding::new(admin.clone()).dry_run(true).run(user.clone()).await.unwrap(),
        Offboarding::new(admin.clone())
            .only_issued_before(now() + TimeDelta::hours(1))
            .run(user.clone())
            .await
            .unwrap(),
    ];
    Runs { scans, rotations, offboardings, secrets }
}

#[tokio::test]
async fn reports_from_real_runs_match_the_schemas_and_hold_no_secret() {
    let runs = real_runs().await;
    let scans: Vec<Value> = runs.scans.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let rotations: Vec<Value> = runs.rotations.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let offboardings: Vec<Value> = runs.offboardings.iter().map(|r| serde_json::to_value(r).unwrap()).collect();

    let mut seen = Vec::new();
    rotations.iter().for_each(|r| kinds(r, &mut seen));
    for outcome in ["rotated", "skipped", "failed", "not_due", "hand_off_failed", "revoked_previous"] {
        assert!(seen.iter().any(|k| k == outcome), "no {outcome} in the real runs: {rotations:#?}");
    }
    let text = serde_json::to_string(&(&scans, &rotations, &offboardings)).unwrap();
    assert!(runs.secrets.len() >= 7, "the canary needs the secrets: {}", runs.secrets.len());
    for secret in &runs.secrets {
        assert!(!secret.is_empty());
        assert!(!text.contains(secret.as_str()), "a report's JSON shows a secret");
    }
    assert_eq!(offboardings[0]["dry_run"], Value::Bool(true));
    assert!(!offboardings[1]["revoked"].as_array().unwrap().is_empty(), "{:#}", offboardings[1]);
    for list in ["kept", "already_inactive"] {
        assert!(!offboardings[1][list].as_array().unwrap().is_empty(), "no {list}: {:#}", offboardings[1]);
    }

    assert_valid("scan-report.v1.json", &scans);
    assert_valid("rotation-report.v1.json", &rotations);
    assert_valid("offboarding-report.v1.json", &offboardings);
}

/// A scan report with one finding of every kind.
fn every_finding_kind() -> ScanReport {
    let reason: Cow<'static, str> = Cow::Borrowed("global tokens retire");
    let kinds = vec![
        FindingKind::Expired { valid_to: now() - TimeDelta::days(1) },
        FindingKind::ExpiringSoon { valid_to: now() + TimeDelta::days(2), remaining: Duration::from_secs(172_800) },
        FindingKind::Fine { valid_to: Some(now() + TimeDelta::days(60)) },
        FindingKind::Fine { valid_to: None },
        FindingKind::NoExpiry { age: Duration::from_secs(86_400) },
        FindingKind::Stale { age: Duration::from_secs(400 * 86_400), max_age: Duration::from_secs(365 * 86_400) },
        FindingKind::StoredButRevoked,
        FindingKind::StoredButMissing,
        FindingKind::NotStored,
        FindingKind::ExpiryDiffers { stored: None, server: Some(now()) },
        FindingKind::Retired { since: now(), reason: reason.clone() },
        FindingKind::Retiring { on: now() + TimeDelta::days(5), reason },
        FindingKind::ReplacedNotRevoked { until: Some(now()), handoff_pending: true, overdue: false },
        FindingKind::ReplacedNotRevoked { until: None, handoff_pending: false, overdue: true },
    ];
    let findings = kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Finding {
            kind,
            view: [View::Server, View::Store, View::Reconciled][i % 3],
            entry: (i % 2 == 0).then(|| format!("entry-{i}")),
            token: metadata(&i.to_string()),
        })
        .collect();
    ScanReport { now: now(), window: Duration::from_secs(7 * 86_400), findings }
}

#[test]
fn every_finding_kind_has_its_snake_case_shape_and_matches_the_scan_schema() {
    let value = serde_json::to_value(every_finding_kind()).unwrap();
    assert_eq!((&value["format"], &value["version"]), (&Value::from("patkit.scan-report"), &Value::from(1)));
    assert_eq!(value["now"], "2026-06-01T12:00:00Z");
    assert_eq!(value["window_secs"], 604_800);
    let soon = &value["findings"][1];
    assert_eq!(soon["kind"]["kind"], "expiring_soon");
    assert_eq!(soon["kind"]["remaining_secs"], 172_800);
    assert_eq!(soon["kind"]["valid_to"], "2026-06-03T12:00:00Z");
    assert_eq!(soon["token"]["id"], "1");
    assert_eq!(soon["token"]["scopes"], serde_json::json!(["read", "write"]));
    assert_eq!(soon["view"], "store");
    assert_eq!(soon["needs_attention"], true);
    let mut seen = Vec::new();
    kinds(&value, &mut seen);
    assert_eq!(
        seen,
        [
            "expired",
            "expiring_soon",
            "fine",
            "fine",
            "no_expiry",
            "stale",
            "stored_but_revoked",
            "stored_but_missing",
            "not_stored",
            "expiry_differs",
            "retired",
            "retiring",
            "replaced_not_revoked",
            "replaced_not_revoked"
        ]
    );
    assert_valid("scan-report.v1.json", &[value]);
}

/// A rotation report with every outcome, skip reason and recovery action (the hook failure
/// from a real failing hook: its type is not built outside the crate).
async fn every_outcome() -> RotationReport {
    let runs = real_runs().await;
    let hook_failure = runs
        .rotations
        .iter()
        .flat_map(|r| &r.entries)
        .find_map(|e| match &e.outcome {
            Outcome::Rotated(r) => r.handoff_failures.first().cloned(),
            _ => None,
        })
        .expect("the failing hook's report");
    let rotated = runs
        .rotations
        .iter()
        .flat_map(|r| r.entries.iter())
        .find(|e| matches!(e.outcome, Outcome::Rotated(_)))
        .map(|e| match &e.outcome {
            Outcome::Rotated(r) => Outcome::Rotated(patkit::lifecycle::Rotation {
                old: r.old.clone(),
                new: r.new.clone(),
                cleanup_pending: Some(Error::invalid_input("id", "cleanup failed")),
                note: Some("narrowed".into()),
                kept_previous: Some(KeptReason::StoredTokenRefused),
                old_gone: true,
                method: r.method,
                verify_error: Some(Error::unsupported("fake", "verify")),
                retiring_until: Some(now()),
                handoff_failures: vec![hook_failure.clone()],
            }),
            _ => unreachable!(),
        })
        .unwrap();
    let id = PatId::new("7");
    let skips = vec![
        SkipReason::NotDue { valid_to: None },
        SkipReason::InProgress { started_at: Some(now()) },
        SkipReason::OtherProvider { provider: "gitlab".into(), organization: "acme".into() },
        SkipReason::NotFound,
        SkipReason::NotVisible { id: id.clone() },
        SkipReason::PreviousKept { id: id.clone(), reason: KeptReason::PreviousNotVisible },
        SkipReason::PreviousKept { id: id.clone(), reason: KeptReason::HandOffFailed },
        SkipReason::PreviousKept { id: id.clone(), reason: KeptReason::HandOffPending },
        SkipReason::CannotRotate { provider: "fake".into() },
        SkipReason::ExpiredCannotRotate { valid_to: Some(now()) },
        SkipReason::ReplacementSecretLost { rotated: id.clone(), candidates: vec![PatId::new("8"), PatId::new("9")] },
        SkipReason::Retiring { id: id.clone(), until: now() },
        SkipReason::HandOffFailed { id: id.clone(), failures: vec![hook_failure] },
        SkipReason::GraceImpossible,
    ];
    let actions = vec![
        RecoveryAction::RevokedReplacement { id: id.clone(), display_name: "ci (rotated)".into() },
        RecoveryAction::ClearedIntent { replacement_display_name: "ci (rotated)".into() },
        RecoveryAction::RevokedPrevious { id: id.clone() },
        RecoveryAction::ForgotExpiredPrevious { id: id.clone() },
        RecoveryAction::ForgotDeletedPrevious { id: id.clone() },
        RecoveryAction::ClearedPrevious,
        RecoveryAction::HandedOff { id: id.clone() },
        RecoveryAction::RotatedOrphan { orphan: id.clone(), new: PatId::new("8") },
    ];
    let mut entries = vec![
        EntryReport { name: "rotated".into(), recovered: actions.clone(), outcome: rotated },
        EntryReport { name: "recovered".into(), recovered: actions.clone(), outcome: Outcome::Recovered },
    ];
    for step in
        [Step::Read, Step::Lookup, Step::Recover, Step::Intent, Step::Create, Step::Rotate, Step::Verify, Step::Store]
    {
        entries.push(EntryReport {
            name: format!("failed at {step}"),
            recovered: Vec::new(),
            outcome: Outcome::Failed(Failure {
                step,
                error: Error::invalid_input("name", "bad"),
                undone: actions.clone(),
                left_for_recovery: true,
            }),
        });
    }
    for (i, reason) in skips.into_iter().enumerate() {
        entries.push(EntryReport {
            name: format!("skipped {i}"),
            recovered: Vec::new(),
            outcome: Outcome::Skipped(reason),
        });
    }
    RotationReport { entries }
}

#[tokio::test]
async fn every_outcome_reason_and_recovery_action_matches_the_rotation_schema() {
    let value = serde_json::to_value(every_outcome().await).unwrap();
    assert_eq!((&value["format"], &value["version"]), (&Value::from("patkit.rotation-report"), &Value::from(1)));
    assert_eq!(value["summary"], serde_json::json!({"rotated": 1, "skipped": 14, "failed": 8, "recovered": 2}));
    let rotation = &value["entries"][0]["outcome"]["rotation"];
    assert_eq!(rotation["method"], "create_then_revoke");
    assert_eq!(rotation["kept_previous"]["kind"], "stored_token_refused");
    assert_eq!(
        rotation["handoff_failures"][0],
        serde_json::json!({"hook": "deploy", "message": "the deployment refused it"})
    );
    assert_eq!(value["entries"][2]["outcome"]["failure"]["step"], "read");
    let mut seen = Vec::new();
    kinds(&value, &mut seen);
    for kind in [
        "rotated",
        "recovered",
        "failed",
        "skipped",
        "not_due",
        "in_progress",
        "other_provider",
        "not_found",
        "not_visible",
        "previous_kept",
        "cannot_rotate",
        "expired_cannot_rotate",
        "replacement_secret_lost",
        "retiring",
        "hand_off_failed",
        "grace_impossible",
        "revoked_replacement",
        "cleared_intent",
        "revoked_previous",
        "forgot_expired_previous",
        "forgot_deleted_previous",
        "cleared_previous",
        "handed_off",
        "rotated_orphan",
        "stored_token_refused",
        "previous_not_visible",
        "hand_off_pending",
    ] {
        assert!(seen.iter().any(|k| k == kind), "{kind} missing");
    }
    assert_valid("rotation-report.v1.json", &[value]);
}

#[test]
fn the_schema_check_refuses_a_report_of_another_shape() {
    let mut value = serde_json::to_value(every_finding_kind()).unwrap();
    value["version"] = Value::from(2);
    value["findings"][0]["kind"]["kind"] = Value::from("Expired");
    match validate("scan-report.v1.json", &[value]) {
        Ok(result) => {
            let errors = result.expect_err("a version 2 report with a CamelCase kind passed the v1 schema");
            assert!(errors.contains("version"), "{errors}");
        }
        Err(why) => {
            assert!(!require_services(), "PATKIT_REQUIRE_SERVICES=1 but {why}");
            eprintln!("SKIPPED the_schema_check_refuses_a_report_of_another_shape: {why}");
        }
    }
}
