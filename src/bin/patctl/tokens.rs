//! The client commands: list, get, create, extend, expire, revoke.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use patkit::azure::GLOBAL_PAT_RETIREMENT;
use patkit::azure::PROVIDER_NAME;
use patkit::store::Expected;
use patkit::{PatId, PatMetadata, PatProvider as _, PatRecord, Scopes, StatusFilter, StoredPat};
use serde_json::{Value, json};

use crate::app::App;
use crate::cli::{CreateArgs, ListArgs, Status};
use crate::failure::{Class, Failure};
use crate::progress::Progress;
use crate::render::{self, TOKEN_HEADERS, fields, out, out_json, token_json, token_row, try_out, try_out_json};

/// The status of a token that is not revoked: expired, a global token retired by Azure DevOps
/// (it no longer authenticates), or active.
/// "1 token", "3 tokens".
pub fn count(n: usize) -> String {
    if n == 1 { "1 token".to_owned() } else { format!("{n} tokens") }
}

pub fn status_at(m: &PatMetadata, now: DateTime<Utc>) -> &'static str {
    if m.is_expired(now) {
        "expired"
    } else if render::is_global(m) && now >= GLOBAL_PAT_RETIREMENT {
        "retired"
    } else {
        "active"
    }
}

pub async fn list(app: &App, args: &ListArgs) -> Result<(), Failure> {
    if !(1..=100).contains(&args.page_size) {
        return Err(Failure::usage("--page-size must be between 1 and 100"));
    }
    let now = app.clock.now();
    // The listing has no per-token status: with --status all, one more listing of the revoked
    // tokens tells them apart.
    let revoked: HashSet<PatId> = if args.status == Status::All {
        app.azure()?.list().filter(StatusFilter::Revoked).page_size(100).items().map_ok(|m| m.id).try_collect().await?
    } else {
        HashSet::new()
    };
    let needle = args.name.as_deref().map(str::to_lowercase);
    let mut progress = Progress::new("listing", None, app.progress);
    let mut items = Box::pin(
        app.azure()?
            .list()
            .filter(args.status.filter())
            .sort(args.sort.key())
            .ascending(!args.desc)
            .page_size(args.page_size)
            .items(),
    );
    let mut tokens = Vec::new();
    while let Some(m) = items.try_next().await? {
        progress.inc(1);
        let keep = needle.as_deref().is_none_or(|n| m.display_name.to_lowercase().contains(n))
            && args.expiring_within.is_none_or(|w| m.expires_within(now, w))
            && (!args.global || render::is_global(&m));
        if keep {
            let status = match args.status {
                Status::Active => status_at(&m, now),
                Status::Revoked => "revoked",
                Status::Expired => "expired",
                Status::All if revoked.contains(&m.id) => "revoked",
                Status::All => status_at(&m, now),
            };
            tokens.push((m, status));
            if args.limit.is_some_and(|l| tokens.len() >= l) {
                break;
            }
        }
    }
    progress.finish();
    if app.json {
        out_json(&json!(tokens.iter().map(|(m, s)| token_json(m, s)).collect::<Vec<_>>()));
    } else {
        let rows: Vec<Vec<String>> = tokens.iter().map(|(m, s)| token_row(m, s)).collect();
        out(&render::table(&TOKEN_HEADERS, &rows));
    }
    Ok(())
}

fn show(app: &App, m: &PatMetadata, extra: &[(&str, serde_json::Value)]) {
    let _ = try_show(app, m, extra);
}

/// [`show`], saying whether the output got there.
fn try_show(app: &App, m: &PatMetadata, extra: &[(&str, serde_json::Value)]) -> std::io::Result<()> {
    let status = status_at(m, app.clock.now());
    if app.json {
        let mut value = token_json(m, status);
        for (k, v) in extra {
            value[*k] = v.clone();
        }
        try_out_json(&value)
    } else {
        let mut pairs = vec![
            ("id", m.id.to_string()),
            ("name", m.display_name.clone()),
            ("status", status.to_owned()),
            ("scopes", render::scopes(m)),
            ("valid from", render::time(m.valid_from)),
            ("valid to", render::expiry(m.valid_to)),
            ("global", render::is_global(m).to_string()),
        ];
        for (k, v) in extra {
            pairs.push((k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)));
        }
        try_out(&fields(&pairs))
    }
}

pub async fn get(app: &App, id: &str) -> Result<(), Failure> {
    let m = app.azure()?.get(&PatId::new(id)).await?;
    show(app, &m, &[]);
    Ok(())
}

/// Creates a token. Every token it creates ends stored (`--store-as`), shown (`--show-secret`),
/// or revoked, and when a revoke fails the message names the token and how to revoke it.
pub async fn create(app: &App, args: &CreateArgs) -> Result<(), Failure> {
    let scopes = Scopes::parse(&args.scopes)?;
    patkit::azure::scopes::validate(&scopes)?;
    if !args.show_secret && args.store_as.is_none() {
        return Err(Failure::usage(
            "the secret of a new token is handed out once: pass --show-secret to print it, or --store-as \
             ENTRY to keep it in the token store (nothing was created)",
        ));
    }
    // Check the store first: once created, a token with nowhere to go is a token to revoke.
    let store = match &args.store_as {
        Some(entry) => {
            let store = app.store().await?;
            if store.get(entry).await?.is_some() {
                return Err(Failure::usage(format!(
                    "the store already has an entry `{entry}`; pick another name, or `patctl rotate {entry}`"
                )));
            }
            Some((store, entry.clone()))
        }
        None => None,
    };
    let mut create = app.azure()?.create(&args.name, scopes).all_organizations(args.all_orgs);
    if let Some(lifetime) = args.lifetime {
        create = create.expires_in(lifetime);
    }
    if let Some(at) = args.expires_at {
        create = create.expires_at(at);
    }
    let started = app.clock.now();
    let created = match create.send().await {
        Ok(created) => created,
        Err(e @ patkit::Error::CreateOutcomeUnknown { .. }) => return Err(uncertain_create(e, started)),
        Err(e) => return Err(e.into()),
    };
    let id = created.metadata.id.clone();
    let secret_value = || json!(created.secret.expose_secret());
    if let Some((store, entry)) = &store {
        let record = PatRecord::new(
            entry.clone(),
            PROVIDER_NAME,
            app.azure()?.organization(),
            created.metadata.clone(),
            app.clock.now(),
        );
        if let Err(e) =
            store.compare_and_swap(StoredPat { record, secret: created.secret.clone() }, Expected::Absent).await
        {
            let why = format!("created token {id} but could not store it ({e})");
            return Err(match app.azure()?.revoke(&id).await {
                Ok(()) => Failure::new(Class::Store, format!("{why}, so it was revoked; fix the store and retry")),
                Err(r) => {
                    let revoke = Failure::from(r);
                    let revoke = revoke.message.lines().next().unwrap_or_default();
                    // It still works: the user who asked to see secrets gets this one.
                    let shown = args.show_secret
                        && try_show(app, &created.metadata, &[("secret", secret_value()), ("stored_as", Value::Null)])
                            .is_ok();
                    let next = if shown {
                        format!(
                            "its secret is printed above; revoke it with `patctl revoke {id}` if you do not keep it"
                        )
                    } else {
                        format!("revoke it with `patctl revoke {id}`")
                    };
                    Failure::new(
                        Class::Store,
                        format!("{why}, and could not revoke it ({revoke}): the token still works; {next}"),
                    )
                }
            });
        }
    }
    let stored_as = store.as_ref().map_or(Value::Null, |(_, e)| json!(e));
    let written = if app.json {
        let secret = if args.show_secret { secret_value() } else { Value::Null };
        try_show(app, &created.metadata, &[("secret", secret), ("stored_as", stored_as)])
    } else {
        let secret_line = if args.show_secret { secret_value() } else { json!("[hidden; --show-secret prints it]") };
        let mut extra = vec![("secret", secret_line)];
        if let Some((_, entry)) = &store {
            extra.push(("stored as", json!(entry)));
        }
        try_show(app, &created.metadata, &extra)
    };
    match written {
        // Stored, or shown: the token has a keeper.
        Ok(()) => Ok(()),
        Err(_) if store.is_some() => Ok(()),
        // Shown nowhere and stored nowhere: nobody has its secret, so it goes.
        Err(e) => {
            let why = format!("created token {id} but could not print its secret ({e})");
            Err(match app.azure()?.revoke(&id).await {
                Ok(()) => Failure::new(Class::Unexpected, format!("{why}, so it was revoked")),
                Err(r) => Failure::new(
                    Class::Unexpected,
                    format!(
                        "{why}, and could not revoke it ({}): revoke it with `patctl revoke {id}`",
                        Failure::from(r).message.lines().next().unwrap_or_default()
                    ),
                ),
            })
        }
    }
}

/// How long before the create a token found under its name may have been made by it (the
/// service's clock and ours may disagree a little).
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// A create that may have minted a token whose secret is lost. Only tokens made since the
/// attempt began are named for revoking: an older token with the same name is someone's working
/// token, not this attempt's.
fn uncertain_create(e: patkit::Error, started: DateTime<Utc>) -> Failure {
    let found = match &e {
        patkit::Error::CreateOutcomeUnknown { found, .. } => found.as_slice(),
        _ => &[],
    };
    let ids = |old: bool| -> Vec<String> {
        found.iter().filter(|m| (m.valid_from < started - CLOCK_SKEW) == old).map(|m| m.id.to_string()).collect()
    };
    let (new, older) = (ids(false), ids(true));
    let mut hint = if new.is_empty() {
        "no token made by this attempt was found; check with `patctl list --status all`, then create again".to_owned()
    } else {
        format!("its secret is lost: revoke it with `patctl revoke {}` and create again", new.join(" "))
    };
    if !older.is_empty() {
        hint.push_str(&format!(
            "; older tokens with the same name ({}) predate this attempt and were left alone",
            older.join(", ")
        ));
    }
    Failure::new(Class::CreateUncertain, format!("{e}\n  hint: {hint}"))
}

pub async fn extend(app: &App, id: &str, by: std::time::Duration) -> Result<(), Failure> {
    let m = app.azure()?.extend(&PatId::new(id), by).await?;
    show(app, &m, &[]);
    Ok(())
}

pub async fn expire(app: &App, id: &str, at: DateTime<Utc>) -> Result<(), Failure> {
    let m = app.azure()?.expire_at(&PatId::new(id), at).await?;
    show(app, &m, &[]);
    Ok(())
}

pub async fn revoke(app: &App, ids: &[String]) -> Result<(), Failure> {
    let mut progress = Progress::new("revoking", Some(ids.len() as u64), app.progress && ids.len() > 1);
    let mut results = Vec::new();
    let mut first_error = None;
    for id in ids {
        let result = app.provider.revoke_pat(&PatId::new(id.as_str())).await;
        progress.inc(1);
        match result {
            Ok(()) => results.push((id.clone(), None)),
            Err(e) => {
                let failure = Failure::from(e);
                results.push((id.clone(), Some(failure.message.lines().next().unwrap_or_default().to_owned())));
                first_error.get_or_insert(failure);
            }
        }
    }
    progress.finish();
    if app.json {
        out_json(&json!(
            results.iter().map(|(id, e)| json!({"id": id, "revoked": e.is_none(), "error": e})).collect::<Vec<_>>()
        ));
    } else {
        let rows: Vec<Vec<String>> = results
            .iter()
            .map(|(id, e)| {
                vec![id.clone(), e.as_ref().map_or_else(|| "revoked".to_owned(), |e| format!("failed: {e}"))]
            })
            .collect();
        out(&render::table(&["ID", "RESULT"], &rows));
    }
    match first_error {
        None => Ok(()),
        Some(e) if results.iter().all(|(_, r)| r.is_some()) => Err(e),
        Some(e) => Err(Failure::new(Class::Partial, format!("some tokens were not revoked; first failure: {e}"))),
    }
}
