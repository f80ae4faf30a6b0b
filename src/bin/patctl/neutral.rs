//! The token commands for the providers other than Azure DevOps, through patkit's neutral seam
//! (`PatProvider`). Each checks the provider's capabilities first: a command the provider lacks
//! is refused with exit status 2 before anything is sent.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use patkit::lifecycle::mint_and_store;
use patkit::{ListQuery, PatChanges, PatId, PatMetadata, PatProviderExt as _, PatSpec, Scopes};
use serde_json::{Value, json};

use crate::app::App;
use crate::cli::{CreateArgs, ListArgs};
use crate::failure::{Class, Failure};
use crate::progress::Progress;
use crate::provider::Kind;
use crate::render::{self, TOKEN_HEADERS, fields, out, out_json, token_json, token_row, try_out, try_out_json};

/// Refuses, before anything is sent, what the provider's capabilities do not claim.
pub fn require(app: &App, claimed: bool, what: &str) -> Result<(), Failure> {
    if claimed { Ok(()) } else { Err(Failure::lacks(app.provider.provider_name(), what)) }
}

/// The status of a listed token.
fn status(m: &PatMetadata, now: DateTime<Utc>) -> &'static str {
    if m.is_expired(now) { "expired" } else { "active" }
}

pub async fn list(app: &App, args: &ListArgs) -> Result<(), Failure> {
    require(app, app.provider.capabilities().list_own, "listing its tokens")?;
    let query = ListQuery {
        filter: args.status.filter(),
        sort: args.sort.key(),
        ascending: !args.desc,
        page_size: Some(args.page_size),
    };
    let now = app.clock.now();
    // The listing has no per-token status: with --status all, one more listing of the revoked
    // tokens tells them apart.
    let revoked: std::collections::HashSet<PatId> = if args.status == crate::cli::Status::All {
        let mut revoked = query.clone();
        revoked.filter = patkit::StatusFilter::Revoked;
        app.provider.list_all(revoked).map_ok(|m| m.id).try_collect().await?
    } else {
        std::collections::HashSet::new()
    };
    let needle = args.name.as_deref().map(str::to_lowercase);
    let mut progress = Progress::new("listing", None, app.progress);
    let mut items = app.provider.list_all(query);
    let mut tokens = Vec::new();
    while let Some(m) = items.try_next().await? {
        progress.inc(1);
        let keep = needle.as_deref().is_none_or(|n| m.display_name.to_lowercase().contains(n))
            && args.expiring_within.is_none_or(|w| m.expires_within(now, w));
        if keep {
            let s = match args.status {
                crate::cli::Status::Revoked => "revoked",
                _ if revoked.contains(&m.id) => "revoked",
                _ => status(&m, now),
            };
            tokens.push((m, s));
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

fn show(app: &App, m: &PatMetadata, extra: &[(&str, Value)]) -> std::io::Result<()> {
    let status = status(m, app.clock.now());
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
        ];
        for (k, v) in extra {
            pairs.push((k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)));
        }
        try_out(&fields(&pairs))
    }
}

pub async fn get(app: &App, id: &str) -> Result<(), Failure> {
    require(app, app.provider.capabilities().get, "reading one token (`get`); use `list`")?;
    let m = app.provider.get_pat(&PatId::new(id)).await?;
    let _ = show(app, &m, &[]);
    Ok(())
}

/// A new expiry (`extend`, `expire`).
pub async fn set_expiry(app: &App, id: &str, at: DateTime<Utc>) -> Result<(), Failure> {
    require(app, app.provider.capabilities().update_expiry, "changing a token's expiry (rotate it instead)")?;
    let changes = PatChanges { valid_to: Some(at), ..PatChanges::default() };
    let m = app.provider.update_pat(&PatId::new(id), changes).await?;
    let _ = show(app, &m, &[]);
    Ok(())
}

/// `extend`: the current expiry (read with `get`) plus `by`.
pub async fn extend(app: &App, id: &str, by: std::time::Duration) -> Result<(), Failure> {
    let caps = app.provider.capabilities();
    require(app, caps.update_expiry, "changing a token's expiry (rotate it instead)")?;
    require(app, caps.get, "reading one token, which `extend` needs; use `expire --at`")?;
    let m = app.provider.get_pat(&PatId::new(id)).await?;
    let from = m.valid_to.unwrap_or_else(|| app.clock.now());
    let by = chrono::TimeDelta::from_std(by).map_err(|_| Failure::usage("--by is too long"))?;
    set_expiry(app, id, from + by).await
}

/// `create`: stored (`--store-as`, through patkit's mint_and_store: created then stored, or
/// revoked), shown (`--show-secret`), or not created at all.
pub async fn create(app: &App, args: &CreateArgs) -> Result<(), Failure> {
    let scopes = Scopes::parse(&args.scopes)?;
    if !args.show_secret && args.store_as.is_none() {
        return Err(Failure::usage(
            "the secret of a new token is handed out once: pass --show-secret to print it, or --store-as \
             ENTRY to keep it in the token store (nothing was created)",
        ));
    }
    if args.all_orgs {
        return Err(Failure::lacks(app.provider.provider_name(), "global (all-organizations) tokens"));
    }
    let valid_to = match (args.lifetime, args.expires_at) {
        (Some(d), _) => Some(
            app.clock.now() + chrono::TimeDelta::from_std(d).map_err(|_| Failure::usage("--lifetime is too long"))?,
        ),
        (None, at) => at,
    };
    // GitLab: an administrator creates for a user through the seam; a user creates their own
    // (only `k8s_proxy` / `self_rotate` scopes) with the GitLab client.
    let gitlab_own = app.kind == Kind::GitLab && !app.provider.capabilities().create && args.for_user.is_none();
    if args.for_user.is_some() && app.kind != Kind::GitLab {
        return Err(Failure::usage("--for-user is for GitLab"));
    }
    if !gitlab_own {
        require(app, app.provider.capabilities().create || args.for_user.is_some(), "creating tokens")?;
    }
    let provider: std::sync::Arc<dyn patkit::PatProvider> = match &args.for_user {
        Some(user) if !app.provider.capabilities().create => {
            std::sync::Arc::new(crate::providers::gitlab(&app.settings, Some(user))?)
        }
        _ => app.provider.clone(),
    };
    let mut spec = PatSpec::new(&args.name, scopes);
    spec.valid_to = valid_to;
    let store = match &args.store_as {
        Some(_) => Some(app.store().await?),
        None => None,
    };
    let (metadata, secret, stored_as) = match (&store, &args.store_as) {
        (Some(store), Some(entry)) if !gitlab_own => {
            let stored = mint_and_store(provider.as_ref(), store.as_ref(), spec, entry, app.clock.as_ref())
                .await
                .map_err(|e| match e {
                    e @ patkit::Error::NotStored { .. } => Failure::new(Class::Store, e.to_string()),
                    other => other.into(),
                })?;
            (stored.record.metadata, stored.secret, Some(entry.clone()))
        }
        _ => {
            if let (Some(store), Some(entry)) = (&store, &args.store_as)
                && store.get(entry).await?.is_some()
            {
                return Err(Failure::usage(format!(
                    "the store already has an entry `{entry}`; pick another name, or `patctl rotate {entry}`"
                )));
            }
            let created = if gitlab_own {
                let client = app.gitlab.as_ref().ok_or_else(|| Failure::lacks("gitlab", "creating tokens"))?;
                let mut new = patkit::gitlab::NewPat::new(spec.display_name.clone(), spec.scopes.clone());
                new.expires_at = valid_to.map(|t| patkit::gitlab::ExpiryDate::covering(t, app.clock.now()));
                client.create_own(&new).await?
            } else {
                provider.create_pat(spec).await?
            };
            if let (Some(store), Some(entry)) = (&store, &args.store_as) {
                let record = patkit::PatRecord::new(
                    entry.clone(),
                    provider.provider_name(),
                    provider.organization(),
                    created.metadata.clone(),
                    app.clock.now(),
                );
                let stored = patkit::StoredPat { record, secret: created.secret.clone() };
                if let Err(e) = store.compare_and_swap(stored, patkit::store::Expected::Absent).await {
                    let id = created.metadata.id.clone();
                    let revoked = provider.revoke_pat(&id).await;
                    return Err(Failure::new(
                        Class::Store,
                        match revoked {
                            Ok(()) => format!("created token {id} but could not store it ({e}), so it was revoked"),
                            Err(r) => format!(
                                "created token {id} but could not store it ({e}), nor revoke it ({r}): revoke it with \
                                 `patctl revoke {id}`"
                            ),
                        },
                    ));
                }
            }
            (created.metadata, created.secret, args.store_as.clone())
        }
    };
    let secret_value = if args.show_secret {
        json!(secret.expose_secret())
    } else if app.json {
        Value::Null
    } else {
        json!("[hidden; --show-secret prints it]")
    };
    let mut extra = vec![("secret", secret_value)];
    if app.json || stored_as.is_some() {
        extra.push((if app.json { "stored_as" } else { "stored as" }, json!(stored_as)));
    }
    if let Err(e) = show(app, &metadata, &extra)
        && stored_as.is_none()
    {
        // Shown nowhere and stored nowhere: nobody has its secret, so it goes.
        let id = metadata.id.clone();
        return Err(match provider.revoke_pat(&id).await {
            Ok(()) => Failure::new(
                Class::Unexpected,
                format!("created token {id} but could not print its secret ({e}), so it was revoked"),
            ),
            Err(r) => Failure::new(
                Class::Unexpected,
                format!("created token {id} but could not print its secret ({e}), nor revoke it ({r})"),
            ),
        });
    }
    Ok(())
}
