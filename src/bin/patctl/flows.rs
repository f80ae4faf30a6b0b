//! The lifecycle commands: scan, rotate, offboard (patkit::lifecycle).

use std::collections::HashMap;

use patkit::PatMetadata;
use patkit::Scopes;
use patkit::lifecycle::{
    FindingKind, OffboardByName, Offboarding, OrganizationStatus, Outcome, PlannedAction, RotationReport, Rotator,
    Scan, ScanReport, SkipReason, View,
};
use serde_json::{Value, json};

use crate::app::App;
use crate::cli::{OffboardArgs, RotateArgs, ScanArgs};
use crate::failure::{Class, Failure};
use crate::progress::Progress;
use crate::render::{self, out, out_json};

fn kind_name(kind: &FindingKind) -> &'static str {
    match kind {
        FindingKind::Expired { .. } => "expired",
        FindingKind::ExpiringSoon { .. } => "expiring_soon",
        FindingKind::Fine { .. } => "fine",
        FindingKind::StoredButRevoked => "stored_but_revoked",
        FindingKind::StoredButMissing => "stored_but_missing",
        FindingKind::NotStored => "not_stored",
        FindingKind::ExpiryDiffers { .. } => "expiry_differs",
        FindingKind::NoExpiry { .. } => "no_expiry",
        FindingKind::Stale { .. } => "stale",
        FindingKind::Retired { .. } => "retired",
        FindingKind::Retiring { .. } => "retiring",
        FindingKind::ReplacedNotRevoked { .. } => "replaced_not_revoked",
        _ => "other",
    }
}

fn view_name(view: View) -> &'static str {
    match view {
        View::Server => "server",
        View::Store => "store",
        View::Reconciled => "reconciled",
        _ => "other",
    }
}

pub async fn scan(app: &App, args: &ScanArgs) -> Result<(), Failure> {
    let mut scan = Scan::new().clock(app.clock.clone()).window(args.within);
    if !args.store_only {
        crate::neutral::require(
            app,
            app.provider.capabilities().list_own,
            "listing its tokens, which a scan of the server needs (use --store-only)",
        )?;
        scan = scan.provider(app.provider.clone());
    }
    if !args.server_only {
        scan = scan.store(app.store().await?);
    }
    let mut progress = Progress::new("scanning", None, app.progress);
    progress.inc(0);
    let report = scan.run().await?;
    progress.finish();
    let findings: Vec<_> = report.findings.iter().filter(|f| args.all || f.kind.needs_attention()).collect();
    if app.json {
        let shown = ScanReport {
            now: report.now,
            window: report.window,
            findings: findings.iter().map(|f| (*f).clone()).collect(),
        };
        let mut value = render::report_json(&shown);
        if let Some(items) = value["findings"].as_array_mut() {
            for (item, f) in items.iter_mut().zip(&findings) {
                render::annotate_token(&mut item["token"], &f.token, crate::tokens::status_at(&f.token, report.now));
            }
        }
        out_json(&value);
    } else {
        let rows: Vec<Vec<String>> = findings
            .iter()
            .map(|f| {
                vec![
                    kind_name(&f.kind).to_owned(),
                    f.entry.clone().unwrap_or_else(|| "-".into()),
                    f.token.id.to_string(),
                    f.token.display_name.clone(),
                    view_name(f.view).to_owned(),
                    f.kind.to_string(),
                ]
            })
            .collect();
        out(&render::table(&["FINDING", "ENTRY", "ID", "NAME", "VIEW", "DETAIL"], &rows));
    }
    Ok(())
}

pub async fn rotate(app: &App, args: &RotateArgs) -> Result<(), Failure> {
    let caps = app.provider.capabilities();
    crate::neutral::require(app, caps.create || caps.rotate_server_side, "rotating tokens")?;
    let store = app.store().await?;
    let mut rotator = Rotator::from_arcs(app.provider.clone(), store.clone())
        .clock(app.clock.clone())
        .window(args.within)
        .force(args.force);
    if let Some(lifetime) = args.lifetime {
        rotator = rotator.lifetime(lifetime);
    }
    if args.dry_run {
        return plan(app, &rotator, &args.entries).await;
    }
    let what = if args.entries.is_empty() {
        format!(
            "rotate every {}entry of {} in the token store (a new token for each, then the old one revoked)",
            if args.force { "" } else { "due " },
            app.organization()
        )
    } else {
        format!(
            "rotate {} (a new token for each{}, then the old one revoked)",
            crate::confirm::some_of(&args.entries, 5),
            if args.force { "" } else { " that is due" }
        )
    };
    crate::confirm::confirm(app.yes, &what)?;
    let names: Vec<String> = if args.entries.is_empty() {
        let org = app.provider.organization();
        let provider_name = app.provider.provider_name();
        store
            .list()
            .await?
            .into_iter()
            .filter(|r| r.provider == provider_name && r.organization.eq_ignore_ascii_case(org))
            .map(|r| r.name)
            .collect()
    } else {
        args.entries.clone()
    };
    let mut progress = Progress::new("rotating", Some(names.len() as u64), app.progress);
    let mut reports = Vec::new();
    for name in &names {
        reports.push(rotator.rotate(name).await);
        progress.inc(1);
    }
    progress.finish();

    fn describe(outcome: &Outcome) -> (&'static str, Option<&PatMetadata>, Option<&PatMetadata>, String) {
        match outcome {
            Outcome::Rotated(r) => (
                "rotated",
                Some(&r.old),
                Some(&r.new),
                [
                    r.note.clone(),
                    r.cleanup_pending.as_ref().map(|e| format!("old token left for recovery: {e}")),
                    r.old_gone.then(|| "old token had expired and the service no longer shows it".to_owned()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
            ),
            Outcome::Skipped(reason) => ("skipped", None, None, reason.to_string()),
            Outcome::Failed(f) => ("failed", None, None, f.to_string()),
            Outcome::Recovered => ("recovered", None, None, String::new()),
            _ => ("other", None, None, outcome.to_string()),
        }
    }
    let report = RotationReport { entries: reports };
    let reports = &report.entries;
    if app.json {
        let mut value = render::report_json(&report);
        if let Some(items) = value["entries"].as_array_mut() {
            for (item, r) in items.iter_mut().zip(reports) {
                if let Outcome::Rotated(rotation) = &r.outcome {
                    let old_status = if pending(&r.outcome) { "active" } else { "revoked" };
                    render::annotate_token(&mut item["outcome"]["rotation"]["old"], &rotation.old, old_status);
                    render::annotate_token(&mut item["outcome"]["rotation"]["new"], &rotation.new, "active");
                }
            }
        }
        out_json(&value);
    } else {
        let rows: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                let (result, old, new, detail) = describe(&r.outcome);
                let id = |m: Option<&PatMetadata>| m.map_or_else(|| "-".to_owned(), |m| m.id.to_string());
                let expires = new.map_or_else(|| "-".to_owned(), |m| render::expiry(m.valid_to));
                vec![r.name.clone(), result.to_owned(), id(old), id(new), expires, detail]
            })
            .collect();
        out(&render::table(&["ENTRY", "RESULT", "OLD", "NEW", "NEW EXPIRES", "DETAIL"], &rows));
    }
    let missing: Vec<&str> = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped(SkipReason::NotFound)))
        .map(|r| r.name.as_str())
        .collect();
    let failed: Vec<&str> =
        reports.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).map(|r| r.name.as_str()).collect();
    if !missing.is_empty() && failed.is_empty() {
        return Err(Failure::new(
            Class::NotFound,
            format!("no store entry {}; see `patctl scan --store-only --all`", missing.join(", ")),
        ));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            Class::Partial,
            format!(
                "{} of {} entries failed to rotate: {}; their old tokens are still stored",
                failed.len(),
                reports.len(),
                failed.join(", ")
            ),
        ))
    }
}

/// Whether a rotation left its old token for recovery (not yet revoked).
fn pending(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Rotated(r) if r.cleanup_pending.is_some())
}

async fn plan(app: &App, rotator: &Rotator, only: &[String]) -> Result<(), Failure> {
    let plan = rotator.plan().await?;
    let entries: Vec<_> = plan.entries.iter().filter(|e| only.is_empty() || only.contains(&e.name)).collect();
    for name in only {
        if !plan.entries.iter().any(|e| &e.name == name) {
            return Err(Failure::new(
                Class::NotFound,
                format!("no store entry `{name}`; see `patctl scan --store-only --all`"),
            ));
        }
    }
    if app.json {
        out_json(&json!(
            entries
                .iter()
                .map(|e| {
                    let (action, id, valid_to, new_valid_to, detail): (&str, Value, Value, Value, String) =
                        match &e.action {
                            PlannedAction::Rotate { id, valid_to, reason, new_valid_to, note, .. } => (
                                "rotate",
                                json!(id.as_str()),
                                json!(valid_to.map(render::time)),
                                json!(new_valid_to.map(render::time)),
                                match note {
                                    Some(note) => format!("{reason}; {note}"),
                                    None => reason.to_string(),
                                },
                            ),
                            PlannedAction::Skip(reason) => {
                                ("skip", Value::Null, Value::Null, Value::Null, reason.to_string())
                            }
                            other => ("other", Value::Null, Value::Null, Value::Null, other.to_string()),
                        };
                    json!({
                        "entry": e.name,
                        "action": action,
                        "id": id,
                        "valid_to": valid_to,
                        "new_valid_to": new_valid_to,
                        "recovery": e.recovery.as_ref().map(ToString::to_string),
                        "detail": detail,
                        "dry_run": true,
                    })
                })
                .collect::<Vec<_>>()
        ));
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let (action, id, detail) = match &e.action {
                    PlannedAction::Rotate { id, reason, new_valid_to, note, .. } => (
                        "would rotate",
                        id.to_string(),
                        match note {
                            Some(note) => {
                                format!("{reason}; replacement expires {}; {note}", render::expiry(*new_valid_to))
                            }
                            None => format!("{reason}; replacement expires {}", render::expiry(*new_valid_to)),
                        },
                    ),
                    PlannedAction::Skip(reason) => ("would skip", "-".to_owned(), reason.to_string()),
                    other => ("other", "-".to_owned(), other.to_string()),
                };
                let detail = match &e.recovery {
                    Some(r) => format!("{r}, then {detail}"),
                    None => detail,
                };
                vec![e.name.clone(), action.to_owned(), id, detail]
            })
            .collect();
        out(&render::table(&["ENTRY", "ACTION", "ID", "DETAIL"], &rows));
        eprintln!("patctl: dry run; nothing was changed");
    }
    Ok(())
}

/// The user's descriptor: as given, or with --emulator a sample user's name.
fn descriptor(app: &App, user: &str) -> Result<String, Failure> {
    #[cfg(feature = "emulator")]
    if let Some(sample) = &app.sample
        && !user.contains('.')
    {
        return sample
            .descriptor_of(user)
            .ok_or_else(|| Failure::new(Class::NotFound, format!("no sample user `{user}` (try Bob)")));
    }
    let _ = app;
    Ok(user.to_owned())
}

pub async fn offboard(app: &App, args: &OffboardArgs) -> Result<(), Failure> {
    if let Some(query) = &args.by_name {
        return offboard_by_name(app, query, &args.also_orgs, args.dry_run).await;
    }
    let user = args.user.as_deref().ok_or_else(|| Failure::usage("give a subject descriptor or --user EMAIL|NAME"))?;
    let descriptor = descriptor(app, user)?;
    let mut offboarding = Offboarding::new(app.azure()?.token_admin()).dry_run(args.dry_run);
    if let Some(cutoff) = args.issued_before {
        offboarding = offboarding.only_issued_before(cutoff);
    }
    if let Some(scopes) = &args.revocation_rule {
        let scopes = Scopes::parse(scopes)?;
        patkit::azure::scopes::validate(&scopes)?;
        offboarding = offboarding.revocation_rule(scopes, None);
    }
    if !args.dry_run {
        let mut what = format!("revoke every token of user {descriptor} in {}", app.organization());
        if let Some(cutoff) = args.issued_before {
            what.push_str(&format!(" issued before {}", render::time(cutoff)));
        }
        if let Some(scopes) = &args.revocation_rule {
            what.push_str(&format!(
                ", and revoke every credential of ANY user in {} issued before now with scopes {scopes}",
                app.organization()
            ));
        }
        crate::confirm::confirm(app.yes, &what)?;
    }
    let mut progress = Progress::new("offboarding", None, app.progress);
    progress.inc(0);
    let report = offboarding.run(&descriptor).await.map_err(|e| match e {
        patkit::Error::AuthRequired { .. } => Failure::new(
            Class::Auth,
            format!(
                "{e}\n  hint: Token Admin answers 401 to anyone who is not an organization administrator \
                 (Project Collection Administrator); sign in as one (`az login`) and retry"
            ),
        ),
        other => other.into(),
    })?;
    progress.finish();

    let names: HashMap<_, _> =
        report.found.iter().map(|t| (t.metadata.id.clone(), t.metadata.display_name.clone())).collect();
    let revoked_label = if report.dry_run { "would revoke" } else { "revoked" };
    let mut rows = Vec::new();
    for (ids, action) in [
        (&report.revoked, revoked_label),
        (&report.kept, "kept"),
        (&report.already_inactive, "already inactive"),
        (&report.not_revoked, "not revoked"),
        (&report.still_valid, "STILL VALID"),
    ] {
        for id in ids {
            rows.push((id.to_string(), names.get(id).cloned().unwrap_or_default(), action));
        }
    }
    if app.json {
        let mut value = render::report_json(&report);
        if let Some(items) = value["found"].as_array_mut() {
            for (item, t) in items.iter_mut().zip(&report.found) {
                let status = match t.active {
                    Some(true) => "active",
                    Some(false) => "inactive",
                    None => "unknown",
                };
                render::annotate_token(&mut item["token"], &t.metadata, status);
            }
        }
        out_json(&value);
    } else {
        let rows: Vec<Vec<String>> =
            rows.into_iter().map(|(id, name, action)| vec![id, name, action.to_owned()]).collect();
        out(&render::table(&["ID", "NAME", "ACTION"], &rows));
        if report.dry_run {
            eprintln!("patctl: dry run; nothing was revoked");
        }
    }
    if let Some(e) = report.error {
        let first = Failure::from(e);
        return Err(Failure::new(Class::Partial, format!("offboarding stopped: {first}; re-run to finish")));
    }
    if !report.still_valid.is_empty() {
        return Err(Failure::new(
            Class::Partial,
            "some tokens are still valid after revocation; re-run, then check in the web UI",
        ));
    }
    Ok(())
}

/// `offboard --user EMAIL|NAME [--also-org ORG]…`: the library's offboarding by name, in the
/// organization and every other one given; a table (or the by-name JSON report) with one row
/// per token and per credential seen but not touched.
async fn offboard_by_name(app: &App, query: &str, also: &[String], dry_run: bool) -> Result<(), Failure> {
    let mut flow = OffboardByName::new().dry_run(dry_run);
    let mut orgs = vec![app.organization().to_owned()];
    orgs.extend(also.iter().filter(|o| !o.eq_ignore_ascii_case(app.organization())).cloned());
    for org in &orgs {
        flow = flow.organization(org.clone(), app.client_for(org)?.token_admin());
    }
    if !dry_run {
        crate::confirm::confirm(app.yes, &format!("revoke every token of {query:?} in {}", orgs.join(", ")))?;
    }
    let mut progress = Progress::new("offboarding", None, app.progress);
    progress.inc(0);
    let report = flow.run(query).await?;
    progress.finish();
    if app.json {
        out_json(&serde_json::to_value(&report).map_err(|e| Failure::new(Class::Unexpected, e.to_string()))?);
    } else {
        let mut rows = Vec::new();
        for section in &report.organizations {
            let user = section.user().map_or_else(|| "-".to_owned(), |(u, _)| u.to_string());
            let mut push = |what: String, name: String, action: String| {
                rows.push(vec![section.label.clone(), user.clone(), what, name, action]);
            };
            match section.status() {
                OrganizationStatus::NotFound | OrganizationStatus::Ambiguous | OrganizationStatus::Failed => {
                    let detail = section.to_string();
                    let first = detail.lines().next().unwrap_or_default();
                    let why = first.split_once(": ").map_or(first, |(_, why)| why);
                    push("-".into(), "-".into(), why.to_owned());
                }
                _ => {}
            }
            if let Some(run) = &section.offboarding {
                let verb = if run.dry_run { "would revoke" } else { "revoked" };
                for token in &run.found {
                    let id = &token.metadata.id;
                    let action = if run.revoked.contains(id) {
                        verb
                    } else if run.not_revoked.contains(id) {
                        "NOT revoked"
                    } else {
                        "already inactive"
                    };
                    push(format!("PAT {id}"), token.metadata.display_name.clone(), action.to_owned());
                }
            }
            for credential in &section.credentials_untouched {
                let name = credential.title.clone().unwrap_or_default();
                push(format!("{} {}", credential.kind, credential.id), name, "seen, not touched".to_owned());
            }
            for e in &section.errors {
                push("-".into(), "-".into(), format!("error: {e}"));
            }
        }
        out(&render::table(&["ORGANIZATION", "USER", "CREDENTIAL", "NAME", "ACTION"], &rows));
        if dry_run {
            eprintln!("patctl: dry run; nothing was revoked");
        }
    }
    let statuses: Vec<OrganizationStatus> = report.organizations.iter().map(|o| o.status()).collect();
    if statuses.iter().all(|s| *s == OrganizationStatus::NotFound) {
        return Err(Failure::new(Class::NotFound, format!("nobody is named {query:?} in {}", orgs.join(", "))));
    }
    let fine = [OrganizationStatus::Offboarded, OrganizationStatus::DryRun, OrganizationStatus::NotFound];
    if statuses.iter().all(|s| fine.contains(s)) {
        return Ok(());
    }
    Err(Failure::new(
        Class::Partial,
        "offboarding by name is not complete (an organization failed, was ambiguous or left tokens); see above",
    ))
}
