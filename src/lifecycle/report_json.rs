//! The versioned JSON shape of the lifecycle reports ([`ScanReport`], [`RotationReport`],
//! [`OffboardReport`]): their `serde::Serialize` impls, so a scheduler can post a report
//! anywhere. The shapes are described by the JSON Schemas in `schemas/` of the repository
//! (`scan-report.v1.json`, `rotation-report.v1.json`, `offboarding-report.v1.json`).
//!
//! Every report starts with `"format"` (`"patkit.scan-report"`, `"patkit.rotation-report"`,
//! `"patkit.offboarding-report"`) and `"version": 1`. Kinds, outcomes and reasons are
//! snake_case strings under `"kind"`, with a human `"message"` beside them; durations are whole
//! seconds (`*_secs`); times are RFC 3339 in UTC; ids are strings. Errors appear as their
//! message. No report holds a secret, so none is serialized.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::hooks::HookFailure;
use super::offboard::OffboardReport;
use super::offboard_by_name::{OffboardByNameReport, OrganizationReport};
use super::report::{EntryReport, Failure, Outcome, RecoveryAction, Rotation, RotationMethod, RotationReport};
use super::scan::{Finding, FindingKind, ScanReport, View};
use super::skip::{KeptReason, SkipReason};
use crate::directory::{DirectoryUser, OtherCredential, UserLookup};
use crate::error::Error;
use crate::model::{PatId, PatMetadata};

/// The version of every report shape below; bumped on any incompatible change.
const VERSION: u32 = 1;

fn time(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, time)
}

fn id(id: &PatId) -> Value {
    Value::String(id.as_str().to_owned())
}

fn ids(ids: &[PatId]) -> Value {
    Value::Array(ids.iter().map(id).collect())
}

fn error(e: &Error) -> Value {
    json!({ "message": e.to_string() })
}

fn token(m: &PatMetadata) -> Value {
    json!({
        "id": m.id.as_str(),
        "display_name": m.display_name,
        "scopes": m.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "valid_from": time(m.valid_from),
        "valid_to": opt_time(m.valid_to),
    })
}

/// `{"kind": kind, "message": message}` plus `fields`.
fn tagged(kind: &str, message: String, fields: Value) -> Value {
    let mut map = Map::new();
    map.insert("kind".into(), Value::String(kind.into()));
    map.insert("message".into(), Value::String(message));
    if let Value::Object(fields) = fields {
        map.extend(fields);
    }
    Value::Object(map)
}

fn finding_kind(k: &FindingKind) -> Value {
    let message = k.to_string();
    let (name, fields) = match k {
        FindingKind::Expired { valid_to } => ("expired", json!({ "valid_to": time(*valid_to) })),
        FindingKind::ExpiringSoon { valid_to, remaining } => {
            ("expiring_soon", json!({ "valid_to": time(*valid_to), "remaining_secs": remaining.as_secs() }))
        }
        FindingKind::Fine { valid_to } => ("fine", json!({ "valid_to": opt_time(*valid_to) })),
        FindingKind::NoExpiry { age } => ("no_expiry", json!({ "age_secs": age.as_secs() })),
        FindingKind::Stale { age, max_age } => {
            ("stale", json!({ "age_secs": age.as_secs(), "max_age_secs": max_age.as_secs() }))
        }
        FindingKind::StoredButRevoked => ("stored_but_revoked", json!({})),
        FindingKind::StoredButMissing => ("stored_but_missing", json!({})),
        FindingKind::NotStored => ("not_stored", json!({})),
        FindingKind::ExpiryDiffers { stored, server } => {
            ("expiry_differs", json!({ "stored": opt_time(*stored), "server": opt_time(*server) }))
        }
        FindingKind::Retired { since, reason } => ("retired", json!({ "since": time(*since), "reason": reason })),
        FindingKind::Retiring { on, reason } => ("retiring", json!({ "on": time(*on), "reason": reason })),
        FindingKind::ReplacedNotRevoked { until, handoff_pending, overdue } => (
            "replaced_not_revoked",
            json!({ "until": opt_time(*until), "handoff_pending": handoff_pending, "overdue": overdue }),
        ),
    };
    tagged(name, message, fields)
}

fn view(v: View) -> &'static str {
    match v {
        View::Server => "server",
        View::Store => "store",
        View::Reconciled => "reconciled",
    }
}

fn finding(f: &Finding) -> Value {
    json!({
        "kind": finding_kind(&f.kind),
        "needs_attention": f.kind.needs_attention(),
        "view": view(f.view),
        "entry": f.entry,
        "token": token(&f.token),
    })
}

impl ScanReport {
    fn to_json(&self) -> Value {
        json!({
            "format": "patkit.scan-report",
            "version": VERSION,
            "now": time(self.now),
            "window_secs": self.window.as_secs(),
            "findings": self.findings.iter().map(finding).collect::<Vec<_>>(),
        })
    }
}

impl Serialize for ScanReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

fn kept_reason(r: KeptReason) -> Value {
    let name = match r {
        KeptReason::StoredTokenRefused => "stored_token_refused",
        KeptReason::PreviousNotVisible => "previous_not_visible",
        KeptReason::HandOffFailed => "hand_off_failed",
        KeptReason::HandOffPending => "hand_off_pending",
    };
    tagged(name, r.to_string(), json!({}))
}

fn hook_failure(f: &HookFailure) -> Value {
    json!({ "hook": f.hook, "message": f.error.message() })
}

fn skip_reason(r: &SkipReason) -> Value {
    let message = r.to_string();
    let (name, fields) = match r {
        SkipReason::NotDue { valid_to } => ("not_due", json!({ "valid_to": opt_time(*valid_to) })),
        SkipReason::InProgress { started_at } => ("in_progress", json!({ "started_at": opt_time(*started_at) })),
        SkipReason::OtherProvider { provider, organization } => {
            ("other_provider", json!({ "provider": provider, "organization": organization }))
        }
        SkipReason::NotFound => ("not_found", json!({})),
        SkipReason::NotVisible { id: pat } => ("not_visible", json!({ "id": id(pat) })),
        SkipReason::PreviousKept { id: pat, reason } => {
            ("previous_kept", json!({ "id": id(pat), "reason": kept_reason(*reason) }))
        }
        SkipReason::CannotRotate { provider } => ("cannot_rotate", json!({ "provider": provider })),
        SkipReason::ExpiredCannotRotate { valid_to } => {
            ("expired_cannot_rotate", json!({ "valid_to": opt_time(*valid_to) }))
        }
        SkipReason::ReplacementSecretLost { rotated, candidates } => {
            ("replacement_secret_lost", json!({ "rotated": id(rotated), "candidates": ids(candidates) }))
        }
        SkipReason::Retiring { id: pat, until } => ("retiring", json!({ "id": id(pat), "until": time(*until) })),
        SkipReason::HandOffFailed { id: pat, failures } => (
            "hand_off_failed",
            json!({ "id": id(pat), "failures": failures.iter().map(hook_failure).collect::<Vec<_>>() }),
        ),
        SkipReason::GraceImpossible => ("grace_impossible", json!({})),
    };
    tagged(name, message, fields)
}

fn recovery_action(a: &RecoveryAction) -> Value {
    let message = a.to_string();
    let (name, fields) = match a {
        RecoveryAction::RevokedReplacement { id: pat, display_name } => {
            ("revoked_replacement", json!({ "id": id(pat), "display_name": display_name }))
        }
        RecoveryAction::ClearedIntent { replacement_display_name } => {
            ("cleared_intent", json!({ "replacement_display_name": replacement_display_name }))
        }
        RecoveryAction::RevokedPrevious { id: pat } => ("revoked_previous", json!({ "id": id(pat) })),
        RecoveryAction::ForgotExpiredPrevious { id: pat } => ("forgot_expired_previous", json!({ "id": id(pat) })),
        RecoveryAction::ForgotDeletedPrevious { id: pat } => ("forgot_deleted_previous", json!({ "id": id(pat) })),
        RecoveryAction::ClearedPrevious => ("cleared_previous", json!({})),
        RecoveryAction::HandedOff { id: pat } => ("handed_off", json!({ "id": id(pat) })),
        RecoveryAction::RotatedOrphan { orphan, new } => {
            ("rotated_orphan", json!({ "orphan": id(orphan), "new": id(new) }))
        }
    };
    tagged(name, message, fields)
}

fn method(m: RotationMethod) -> &'static str {
    match m {
        RotationMethod::CreateThenRevoke => "create_then_revoke",
        RotationMethod::ServerSide => "server_side",
    }
}

fn rotation(r: &Rotation) -> Value {
    json!({
        "old": token(&r.old),
        "new": token(&r.new),
        "method": method(r.method),
        "note": r.note,
        "cleanup_pending": r.cleanup_pending.as_ref().map(error),
        "kept_previous": r.kept_previous.map(kept_reason),
        "old_gone": r.old_gone,
        "verify_error": r.verify_error.as_ref().map(error),
        "retiring_until": opt_time(r.retiring_until),
        "handoff_failures": r.handoff_failures.iter().map(hook_failure).collect::<Vec<_>>(),
    })
}

fn failure(f: &Failure) -> Value {
    json!({
        "step": f.step.to_string(),
        "error": error(&f.error),
        "undone": f.undone.iter().map(recovery_action).collect::<Vec<_>>(),
        "left_for_recovery": f.left_for_recovery,
    })
}

fn outcome(o: &Outcome) -> Value {
    let message = o.to_string();
    match o {
        Outcome::Rotated(r) => tagged("rotated", message, json!({ "rotation": rotation(r) })),
        Outcome::Skipped(reason) => tagged("skipped", message, json!({ "reason": skip_reason(reason) })),
        Outcome::Failed(f) => tagged("failed", message, json!({ "failure": failure(f) })),
        Outcome::Recovered => tagged("recovered", message, json!({})),
    }
}

fn entry(e: &EntryReport) -> Value {
    json!({
        "name": e.name,
        "recovered": e.recovered.iter().map(recovery_action).collect::<Vec<_>>(),
        "outcome": outcome(&e.outcome),
    })
}

impl RotationReport {
    fn to_json(&self) -> Value {
        let count = |p: fn(&Outcome) -> bool| self.entries.iter().filter(|e| p(&e.outcome)).count();
        json!({
            "format": "patkit.rotation-report",
            "version": VERSION,
            "summary": {
                "rotated": count(|o| matches!(o, Outcome::Rotated(_))),
                "skipped": count(|o| matches!(o, Outcome::Skipped(_))),
                "failed": count(|o| matches!(o, Outcome::Failed(_))),
                "recovered": self.entries.iter().filter(|e| !e.recovered.is_empty()).count(),
            },
            "entries": self.entries.iter().map(entry).collect::<Vec<_>>(),
        })
    }
}

impl Serialize for RotationReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl Serialize for EntryReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        entry(self).serialize(serializer)
    }
}

impl OffboardReport {
    fn to_json(&self) -> Value {
        json!({
            "format": "patkit.offboarding-report",
            "version": VERSION,
            "user": self.user.as_str(),
            "dry_run": self.dry_run,
            "found": self.found.iter().map(|t| json!({ "token": token(&t.metadata), "active": t.active })).collect::<Vec<_>>(),
            "revoked": ids(&self.revoked),
            "kept": ids(&self.kept),
            "already_inactive": ids(&self.already_inactive),
            "not_revoked": ids(&self.not_revoked),
            "revocation_rule": self.revocation_rule.as_ref().map(|r| json!({
                "scopes": r.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "created_before": opt_time(r.created_before),
            })),
            "still_valid": ids(&self.still_valid),
            "error": self.error.as_ref().map(error),
        })
    }
}

impl Serialize for OffboardReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

fn directory_user(u: &DirectoryUser) -> Value {
    json!({ "id": u.id.as_str(), "login": u.login, "email": u.email, "display_name": u.display_name })
}

fn other_credential(c: &OtherCredential) -> Value {
    json!({
        "kind": c.kind.as_str(),
        "id": c.id,
        "title": c.title,
        "created": opt_time(c.created),
        "last_used": opt_time(c.last_used),
        "expires": opt_time(c.expires),
        "fingerprint": c.fingerprint,
    })
}

/// Every token the offboarding found, each with what was done to it.
fn token_actions(run: &OffboardReport) -> Value {
    let action = |pat: &PatId| {
        if run.revoked.contains(pat) {
            if run.dry_run { "would_revoke" } else { "revoked" }
        } else if run.not_revoked.contains(pat) {
            "not_revoked"
        } else if run.kept.contains(pat) {
            "kept"
        } else {
            "already_inactive"
        }
    };
    Value::Array(
        run.found
            .iter()
            .map(|t| json!({ "token": token(&t.metadata), "active": t.active, "action": action(&t.metadata.id) }))
            .collect(),
    )
}

fn organization(o: &OrganizationReport) -> Value {
    let status = o.status();
    let (user, matched_by) =
        o.user().map_or((Value::Null, Value::Null), |(u, by)| (directory_user(u), by.as_str().into()));
    let candidates = match &o.lookup {
        Some(UserLookup::Ambiguous { candidates }) => candidates.iter().map(directory_user).collect(),
        _ => Vec::new(),
    };
    let similar = match &o.lookup {
        Some(UserLookup::NotFound { similar }) => similar.iter().map(directory_user).collect(),
        _ => Vec::new(),
    };
    let run = o.offboarding.as_ref();
    json!({
        "label": o.label,
        "provider": o.provider,
        "status": status.as_str(),
        "user": user,
        "matched_by": matched_by,
        "candidates": candidates,
        "similar": similar,
        "tokens": run.map_or_else(|| Value::Array(Vec::new()), token_actions),
        "still_valid": run.map_or_else(|| Value::Array(Vec::new()), |r| ids(&r.still_valid)),
        "credentials_untouched": o.credentials_untouched.iter().map(other_credential).collect::<Vec<_>>(),
        "errors": run
            .and_then(|r| r.error.as_ref())
            .into_iter()
            .chain(&o.errors)
            .map(error)
            .collect::<Vec<_>>(),
    })
}

impl OffboardByNameReport {
    fn to_json(&self) -> Value {
        let count = |p: fn(&OrganizationReport) -> bool| self.organizations.iter().filter(|o| p(o)).count();
        let tokens = |verb: fn(&OffboardReport) -> usize| {
            self.organizations.iter().filter_map(|o| o.offboarding.as_ref()).map(verb).sum::<usize>()
        };
        json!({
            "format": "patkit.offboarding-by-name-report",
            "version": VERSION,
            "query": self.query,
            "dry_run": self.dry_run,
            "complete": self.is_complete(),
            "summary": {
                "organizations": self.organizations.len(),
                "found": count(|o| o.user().is_some()),
                "not_found": count(|o| matches!(o.lookup, Some(UserLookup::NotFound { .. }))),
                "ambiguous": count(|o| matches!(o.lookup, Some(UserLookup::Ambiguous { .. }))),
                "failed": count(|o| o.lookup.is_none()),
                "tokens_revoked": if self.dry_run { 0 } else { tokens(|r| r.revoked.len()) },
                "tokens_would_revoke": if self.dry_run { tokens(|r| r.revoked.len()) } else { 0 },
                "credentials_untouched": self.organizations.iter().map(|o| o.credentials_untouched.len()).sum::<usize>(),
            },
            "organizations": self.organizations.iter().map(organization).collect::<Vec<_>>(),
        })
    }
}

impl Serialize for OffboardByNameReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}
