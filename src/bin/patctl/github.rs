//! `patctl github ...`: GitHub organization governance. No API creates, lists or revokes a
//! user's own GitHub token; an organization sees and cuts the *access* tokens have to it:
//! fine-grained PAT grants and requests (a GitHub App installation) and SAML credential
//! authorizations (an owner's token).

use patkit::github::{GitHubClient, GrantQuery, Permissions, Review};
use patkit::{DEFAULT_MAX_PAGES, PatId};
use serde_json::json;

use crate::app::App;
use crate::cli::GithubCommand;
use crate::failure::{Class, Failure};
use crate::render::{self, out, out_json};

fn client(app: &App) -> Result<&GitHubClient, Failure> {
    app.github.as_ref().ok_or_else(|| {
        Failure::usage(format!(
            "`patctl github` governs a GitHub organization; this is {} (pass --provider github --org ORG)",
            app.kind
        ))
    })
}

fn permissions(p: &Permissions) -> String {
    let kinds = [("org", &p.organization), ("repo", &p.repository)];
    kinds
        .iter()
        .flat_map(|(kind, map)| map.iter().map(move |(name, level)| format!("{kind}:{name}:{level}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn query(owner: Option<&str>) -> GrantQuery {
    match owner {
        Some(owner) => GrantQuery::new().owner(owner),
        None => GrantQuery::new(),
    }
}

fn ids(raw: &[String]) -> Vec<PatId> {
    raw.iter().map(|id| PatId::new(id.as_str())).collect()
}

/// Runs one `patctl github` command.
pub async fn run(app: &App, command: &GithubCommand) -> Result<(), Failure> {
    let github = client(app)?;
    let org = app.organization().to_owned();
    match command {
        GithubCommand::Grants { owner } => {
            let grants = github.all_grants(&query(owner.as_deref()), DEFAULT_MAX_PAGES).await?;
            if app.json {
                out_json(&json!(grants.iter().map(|g| json!({
                    "id": g.id.to_string(), "owner": g.owner.login, "token_id": g.token_id, "token_name": g.token_name,
                    "token_expired": g.token_expired, "token_expires_at": g.token_expires_at,
                    "token_last_used_at": g.token_last_used_at, "access_granted_at": g.access_granted_at,
                    "repository_selection": g.repository_selection, "permissions": permissions(&g.permissions),
                })).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = grants
                    .iter()
                    .map(|g| {
                        vec![
                            g.id.to_string(),
                            render::clean(&g.owner.login).into_owned(),
                            render::clean(&g.token_name).into_owned(),
                            if g.token_expired { "expired".to_owned() } else { render::expiry(g.token_expires_at) },
                            permissions(&g.permissions),
                        ]
                    })
                    .collect();
                out(&render::table(&["GRANT", "OWNER", "TOKEN", "EXPIRES", "PERMISSIONS"], &rows));
            }
        }
        GithubCommand::Requests { owner } => {
            let requests = github.all_requests(&query(owner.as_deref()), DEFAULT_MAX_PAGES).await?;
            if app.json {
                out_json(&json!(requests.iter().map(|r| json!({
                    "id": r.id.to_string(), "owner": r.owner.login, "reason": r.reason, "token_id": r.token_id,
                    "token_name": r.token_name, "token_expires_at": r.token_expires_at, "created_at": r.created_at,
                    "repository_selection": r.repository_selection, "permissions": permissions(&r.permissions),
                })).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = requests
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            render::clean(&r.owner.login).into_owned(),
                            render::clean(&r.token_name).into_owned(),
                            render::expiry(r.token_expires_at),
                            render::clean(r.reason.as_deref().unwrap_or("")).into_owned(),
                        ]
                    })
                    .collect();
                out(&render::table(&["REQUEST", "OWNER", "TOKEN", "EXPIRES", "REASON"], &rows));
            }
        }
        GithubCommand::Approve { ids: raw, reason } | GithubCommand::Deny { ids: raw, reason } => {
            let approve = matches!(command, GithubCommand::Approve { .. });
            let verb = if approve { "approve" } else { "deny" };
            crate::confirm::confirm(
                app.yes,
                &format!("{verb} {} in {org} ({})", plural(raw.len(), "request"), crate::confirm::some_of(raw, 5)),
            )?;
            let mut review = if approve { Review::approve() } else { Review::deny() };
            if let Some(reason) = reason {
                review = review.reason(reason.clone());
            }
            let pending = github.review_requests(&ids(raw), &review).await?;
            pending.wait().await?;
            done(app, raw, if approve { "approved" } else { "denied" });
        }
        GithubCommand::RevokeGrants { ids: raw } => {
            crate::confirm::confirm(
                app.yes,
                &format!(
                    "revoke {} in {org} ({}): the tokens lose access to the organization",
                    plural(raw.len(), "grant"),
                    crate::confirm::some_of(raw, 5)
                ),
            )?;
            let pending = github.revoke_grants(&ids(raw)).await?;
            pending.wait().await?;
            done(app, raw, "revoked");
        }
        GithubCommand::Saml { login } => {
            let list = github.all_credential_authorizations(login.as_deref(), DEFAULT_MAX_PAGES).await?;
            if app.json {
                out_json(&json!(list.iter().map(|a| json!({
                    "credential_id": a.credential_id.to_string(), "login": a.login, "credential_type": a.credential_type,
                    "token_last_eight": a.token_last_eight, "authorized_at": a.credential_authorized_at,
                    "accessed_at": a.credential_accessed_at, "scopes": a.scopes,
                })).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        vec![
                            a.credential_id.to_string(),
                            render::clean(&a.login).into_owned(),
                            render::clean(&a.credential_type).into_owned(),
                            render::time(a.credential_authorized_at),
                            a.scopes.join(" "),
                        ]
                    })
                    .collect();
                out(&render::table(&["CREDENTIAL", "LOGIN", "TYPE", "AUTHORIZED", "SCOPES"], &rows));
            }
        }
        GithubCommand::SamlRevoke { ids: raw } => {
            crate::confirm::confirm(
                app.yes,
                &format!(
                    "revoke {} in {org} ({})",
                    plural(raw.len(), "SAML authorization"),
                    crate::confirm::some_of(raw, 5)
                ),
            )?;
            let mut failed = None;
            for id in raw {
                if let Err(e) = github.revoke_credential_authorization(&PatId::new(id.as_str())).await {
                    failed.get_or_insert((id.clone(), Failure::from(e)));
                }
            }
            if let Some((id, e)) = failed {
                return Err(Failure::new(
                    if raw.len() > 1 { Class::Partial } else { e.class },
                    format!("could not revoke SAML authorization {id}: {e}"),
                ));
            }
            done(app, raw, "revoked");
        }
    }
    Ok(())
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn done(app: &App, ids: &[String], what: &str) {
    if app.json {
        out_json(&json!(ids.iter().map(|id| json!({"id": id, "result": what})).collect::<Vec<_>>()));
    } else {
        let rows: Vec<Vec<String>> = ids.iter().map(|id| vec![id.clone(), what.to_owned()]).collect();
        out(&render::table(&["ID", "RESULT"], &rows));
    }
}
