//! The scopes Azure DevOps documents for PATs (fact sheet §4), and the rule a scope must follow
//! to be sent to it.
//!
//! ```
//! use patkit::Scopes;
//! use patkit::azure::scopes;
//! let wanted = Scopes::from_iter([scopes::CODE, scopes::PACKAGING]);
//! assert_eq!(wanted.to_string(), "vso.code vso.packaging");
//! assert!(scopes::validate(&wanted).is_ok());
//! assert!(scopes::validate(&patkit::Scopes::parse("read_api")?).is_err());
//! # Ok::<(), patkit::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::scope::{Scope, Scopes};

/// Entra permissions on the Azure DevOps resource. They are not PAT scopes and are refused.
const ENTRA_ONLY: [&str; 3] = ["user_impersonation", "vso.pats", "vso.pats_manage"];

/// `app_token`: full access to everything the user can reach. Tenant policy may forbid it.
pub const FULL_ACCESS: Scope = Scope::from_static("app_token");
/// `vso.advsec`: Read Advanced Security alerts/results.
pub const ADVSEC: Scope = Scope::from_static("vso.advsec");
/// `vso.advsec_write`: Upload SARIF analyses.
pub const ADVSEC_WRITE: Scope = Scope::from_static("vso.advsec_write");
/// `vso.advsec_manage`: Advanced Security read/write/manage.
pub const ADVSEC_MANAGE: Scope = Scope::from_static("vso.advsec_manage");
/// `vso.agentpools`: Read pools, queues, agents, jobs.
pub const AGENTPOOLS: Scope = Scope::from_static("vso.agentpools");
/// `vso.agentpools_manage`: Manage pools, queues, agents.
pub const AGENTPOOLS_MANAGE: Scope = Scope::from_static("vso.agentpools_manage");
/// `vso.environment_manage`: Manage pools, queues, agents, environments.
pub const ENVIRONMENT_MANAGE: Scope = Scope::from_static("vso.environment_manage");
/// `vso.analytics`: Query Analytics data.
pub const ANALYTICS: Scope = Scope::from_static("vso.analytics");
/// `vso.auditlog`: Read audit log.
pub const AUDITLOG: Scope = Scope::from_static("vso.auditlog");
/// `vso.auditstreams_manage`: Manage audit streams.
pub const AUDITSTREAMS_MANAGE: Scope = Scope::from_static("vso.auditstreams_manage");
/// `vso.build`: Read builds, definitions, requests; build service-hook events.
pub const BUILD: Scope = Scope::from_static("vso.build");
/// `vso.build_execute`: + queue builds, update build properties.
pub const BUILD_EXECUTE: Scope = Scope::from_static("vso.build_execute");
/// `vso.code`: Read code, commits, branches; code search; VC events.
pub const CODE: Scope = Scope::from_static("vso.code");
/// `vso.code_write`: + update/delete code, create/manage PRs.
pub const CODE_WRITE: Scope = Scope::from_static("vso.code_write");
/// `vso.code_manage`: + create/manage repositories.
pub const CODE_MANAGE: Scope = Scope::from_static("vso.code_manage");
/// `vso.code_full`: Full code access incl. limited Client OM.
pub const CODE_FULL: Scope = Scope::from_static("vso.code_full");
/// `vso.code_status`: Read/write commit and PR status.
pub const CODE_STATUS: Scope = Scope::from_static("vso.code_status");
/// `vso.connected_server`: Endpoints needed by on-prem connected server.
pub const CONNECTED_SERVER: Scope = Scope::from_static("vso.connected_server");
/// `vso.entitlements`: Read licensing entitlements.
pub const ENTITLEMENTS: Scope = Scope::from_static("vso.entitlements");
/// `vso.memberentitlementmanagement`: Read users, licenses, project/extension access.
pub const MEMBERENTITLEMENTMANAGEMENT: Scope = Scope::from_static("vso.memberentitlementmanagement");
/// `vso.memberentitlementmanagement_write`: Manage users and licenses.
pub const MEMBERENTITLEMENTMANAGEMENT_WRITE: Scope = Scope::from_static("vso.memberentitlementmanagement_write");
/// `vso.extension`: Read installed extensions.
pub const EXTENSION: Scope = Scope::from_static("vso.extension");
/// `vso.extension_manage`: Install/uninstall/manage extensions.
pub const EXTENSION_MANAGE: Scope = Scope::from_static("vso.extension_manage");
/// `vso.extension.data`: Read extension data.
pub const EXTENSION_DATA: Scope = Scope::from_static("vso.extension.data");
/// `vso.extension.data_write`: Read/write extension data.
pub const EXTENSION_DATA_WRITE: Scope = Scope::from_static("vso.extension.data_write");
/// `vso.githubconnections`: Read GitHub connections/repos data.
pub const GITHUBCONNECTIONS: Scope = Scope::from_static("vso.githubconnections");
/// `vso.githubconnections_manage`: Manage GitHub connections.
pub const GITHUBCONNECTIONS_MANAGE: Scope = Scope::from_static("vso.githubconnections_manage");
/// `vso.graph`: Read users, groups, memberships.
pub const GRAPH: Scope = Scope::from_static("vso.graph");
/// `vso.graph_manage`: + add users/groups, manage memberships.
pub const GRAPH_MANAGE: Scope = Scope::from_static("vso.graph_manage");
/// `vso.identity`: Read identities and groups.
pub const IDENTITY: Scope = Scope::from_static("vso.identity");
/// `vso.identity_manage`: Manage identities and groups.
pub const IDENTITY_MANAGE: Scope = Scope::from_static("vso.identity_manage");
/// `vso.machinegroup_manage`: Manage deployment groups and agent pools.
pub const MACHINEGROUP_MANAGE: Scope = Scope::from_static("vso.machinegroup_manage");
/// `vso.gallery`: Marketplace read.
pub const GALLERY: Scope = Scope::from_static("vso.gallery");
/// `vso.gallery_acquire`: Marketplace acquire.
pub const GALLERY_ACQUIRE: Scope = Scope::from_static("vso.gallery_acquire");
/// `vso.gallery_publish`: Marketplace publish/update/share.
pub const GALLERY_PUBLISH: Scope = Scope::from_static("vso.gallery_publish");
/// `vso.gallery_manage`: Marketplace publish + manage publishers.
pub const GALLERY_MANAGE: Scope = Scope::from_static("vso.gallery_manage");
/// `vso.hooks`: Read service-hook subscriptions (no longer public).
pub const HOOKS: Scope = Scope::from_static("vso.hooks");
/// `vso.hooks_write`: Create/update service-hook subscriptions (no longer public).
pub const HOOKS_WRITE: Scope = Scope::from_static("vso.hooks_write");
/// `vso.hooks_interact`: Act on service-hook events (no longer public).
pub const HOOKS_INTERACT: Scope = Scope::from_static("vso.hooks_interact");
/// `vso.notification`: Read notification subscriptions.
pub const NOTIFICATION: Scope = Scope::from_static("vso.notification");
/// `vso.notification_write`: Read/write subscriptions.
pub const NOTIFICATION_WRITE: Scope = Scope::from_static("vso.notification_write");
/// `vso.notification_manage`: Manage subscriptions.
pub const NOTIFICATION_MANAGE: Scope = Scope::from_static("vso.notification_manage");
/// `vso.notification_diagnostics`: Notification diagnostics logs.
pub const NOTIFICATION_DIAGNOSTICS: Scope = Scope::from_static("vso.notification_diagnostics");
/// `vso.packaging`: Read feeds and packages.
pub const PACKAGING: Scope = Scope::from_static("vso.packaging");
/// `vso.packaging_write`: Create/read feeds and packages.
pub const PACKAGING_WRITE: Scope = Scope::from_static("vso.packaging_write");
/// `vso.packaging_manage`: Create/read/update/delete feeds and packages.
pub const PACKAGING_MANAGE: Scope = Scope::from_static("vso.packaging_manage");
/// `vso.pipelineresources_use`: Approve pipeline use of protected resources.
pub const PIPELINERESOURCES_USE: Scope = Scope::from_static("vso.pipelineresources_use");
/// `vso.pipelineresources_manage`: Manage protected resources and requests.
pub const PIPELINERESOURCES_MANAGE: Scope = Scope::from_static("vso.pipelineresources_manage");
/// `vso.project`: Read projects and teams.
pub const PROJECT: Scope = Scope::from_static("vso.project");
/// `vso.project_write`: Read/update projects and teams.
pub const PROJECT_WRITE: Scope = Scope::from_static("vso.project_write");
/// `vso.project_manage`: Create/read/update/delete projects and teams.
pub const PROJECT_MANAGE: Scope = Scope::from_static("vso.project_manage");
/// `vso.release`: Read releases, definitions, environments.
pub const RELEASE: Scope = Scope::from_static("vso.release");
/// `vso.release_execute`: + update, queue releases.
pub const RELEASE_EXECUTE: Scope = Scope::from_static("vso.release_execute");
/// `vso.release_manage`: + delete, approve releases.
pub const RELEASE_MANAGE: Scope = Scope::from_static("vso.release_manage");
/// `vso.securefiles_read`: Read secure files.
pub const SECUREFILES_READ: Scope = Scope::from_static("vso.securefiles_read");
/// `vso.securefiles_write`: Read/create secure files.
pub const SECUREFILES_WRITE: Scope = Scope::from_static("vso.securefiles_write");
/// `vso.securefiles_manage`: Read/create/manage secure files.
pub const SECUREFILES_MANAGE: Scope = Scope::from_static("vso.securefiles_manage");
/// `vso.security_manage`: Read/write/manage security permissions.
pub const SECURITY_MANAGE: Scope = Scope::from_static("vso.security_manage");
/// `vso.serviceendpoint`: Read service connections.
pub const SERVICEENDPOINT: Scope = Scope::from_static("vso.serviceendpoint");
/// `vso.serviceendpoint_query`: Read and query service connections.
pub const SERVICEENDPOINT_QUERY: Scope = Scope::from_static("vso.serviceendpoint_query");
/// `vso.serviceendpoint_manage`: Manage service connections.
pub const SERVICEENDPOINT_MANAGE: Scope = Scope::from_static("vso.serviceendpoint_manage");
/// `vso.settings`: Read settings.
pub const SETTINGS: Scope = Scope::from_static("vso.settings");
/// `vso.settings_write`: Read/write settings.
pub const SETTINGS_WRITE: Scope = Scope::from_static("vso.settings_write");
/// `vso.symbols`: Read symbols.
pub const SYMBOLS: Scope = Scope::from_static("vso.symbols");
/// `vso.symbols_write`: Read/write symbols.
pub const SYMBOLS_WRITE: Scope = Scope::from_static("vso.symbols_write");
/// `vso.symbols_manage`: Manage symbols.
pub const SYMBOLS_MANAGE: Scope = Scope::from_static("vso.symbols_manage");
/// `vso.taskgroups_read`: Read task groups.
pub const TASKGROUPS_READ: Scope = Scope::from_static("vso.taskgroups_read");
/// `vso.taskgroups_write`: Read/create task groups.
pub const TASKGROUPS_WRITE: Scope = Scope::from_static("vso.taskgroups_write");
/// `vso.taskgroups_manage`: Manage task groups.
pub const TASKGROUPS_MANAGE: Scope = Scope::from_static("vso.taskgroups_manage");
/// `vso.dashboards`: Read team dashboards.
pub const DASHBOARDS: Scope = Scope::from_static("vso.dashboards");
/// `vso.dashboards_manage`: Manage team dashboards.
pub const DASHBOARDS_MANAGE: Scope = Scope::from_static("vso.dashboards_manage");
/// `vso.test`: Read test plans/cases/results.
pub const TEST: Scope = Scope::from_static("vso.test");
/// `vso.test_write`: Read/create/update test artifacts.
pub const TEST_WRITE: Scope = Scope::from_static("vso.test_write");
/// `vso.threads_full`: Read/write PR comment threads.
pub const THREADS_FULL: Scope = Scope::from_static("vso.threads_full");
/// `vso.tokens`: Manage delegated authorization tokens to users (legacy token API).
pub const TOKENS: Scope = Scope::from_static("vso.tokens");
/// `vso.tokenadministration`: View and revoke existing tokens (org admins).
pub const TOKENADMINISTRATION: Scope = Scope::from_static("vso.tokenadministration");
/// `vso.profile`: Read profile, accounts, collections, projects, teams.
pub const PROFILE: Scope = Scope::from_static("vso.profile");
/// `vso.profile_write`: Write profile.
pub const PROFILE_WRITE: Scope = Scope::from_static("vso.profile_write");
/// `vso.variablegroups_read`: Read variable groups.
pub const VARIABLEGROUPS_READ: Scope = Scope::from_static("vso.variablegroups_read");
/// `vso.variablegroups_write`: Read/create variable groups.
pub const VARIABLEGROUPS_WRITE: Scope = Scope::from_static("vso.variablegroups_write");
/// `vso.variablegroups_manage`: Manage variable groups.
pub const VARIABLEGROUPS_MANAGE: Scope = Scope::from_static("vso.variablegroups_manage");
/// `vso.wiki`: Read wikis/pages/attachments; search wiki.
pub const WIKI: Scope = Scope::from_static("vso.wiki");
/// `vso.wiki_write`: Read/create/update wikis.
pub const WIKI_WRITE: Scope = Scope::from_static("vso.wiki_write");
/// `vso.work`: Read work items, queries, boards; WIT events.
pub const WORK: Scope = Scope::from_static("vso.work");
/// `vso.work_write`: Read/create/update work items and queries.
pub const WORK_WRITE: Scope = Scope::from_static("vso.work_write");
/// `vso.work_full`: Full work-item access incl. backlogs, plans.
pub const WORK_FULL: Scope = Scope::from_static("vso.work_full");
/// `vso.loadtest`: Load test read (legacy; load testing is retired).
pub const LOADTEST: Scope = Scope::from_static("vso.loadtest");
/// `vso.loadtest_write`: Load test read and write (legacy).
pub const LOADTEST_WRITE: Scope = Scope::from_static("vso.loadtest_write");

/// Whether `scope` is one Azure DevOps can give a PAT: `app_token`, or `vso.` followed by
/// lower-case letters, digits, `_` and `.`. Refused with [`Error::InvalidInput`]: anything else,
/// including the Entra-only permissions `user_impersonation`, `vso.pats` and `vso.pats_manage`.
///
/// ```
/// use patkit::{Scope, azure::scopes};
/// assert!(scopes::check(&scopes::CODE).is_ok());
/// assert!(scopes::check(&Scope::new("vso.pats")?).is_err());
/// assert!(scopes::check(&Scope::new("VSO.CODE")?).is_err());
/// # Ok::<(), patkit::Error>(())
/// ```
pub fn check(scope: &Scope) -> Result<()> {
    let s = scope.as_str();
    if s == FULL_ACCESS.as_str() {
        return Ok(());
    }
    if ENTRA_ONLY.contains(&s) {
        return Err(Error::invalid_input("scopes", format!("`{s}` is a Microsoft Entra permission, not a PAT scope")));
    }
    let rest = s.strip_prefix("vso.").unwrap_or("");
    let well_formed = !rest.is_empty()
        && rest.len() <= 100
        && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        && !rest.starts_with('.')
        && !rest.ends_with('.');
    if well_formed {
        Ok(())
    } else {
        let shown: String = s.chars().take(60).collect();
        Err(Error::invalid_input(
            "scopes",
            format!("`{shown}` is not an Azure DevOps scope (expected `app_token` or `vso.<name>`)"),
        ))
    }
}

/// Whether a scope list can be sent to Azure DevOps: at least one scope, each passing [`check`].
pub fn validate(scopes: &Scopes) -> Result<()> {
    if scopes.is_empty() {
        return Err(Error::invalid_input("scopes", "at least one scope is required (`app_token` is full access)"));
    }
    scopes.iter().try_for_each(check)
}

/// Whether the list gives full access (`app_token`).
pub fn is_full_access(scopes: &Scopes) -> bool {
    scopes.contains(&FULL_ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_accepts_documented_and_future_names() {
        for s in ["vso.code", "vso.extension.data_write", "vso.loadtest", "vso.brand_new_scope2", "app_token"] {
            assert!(check(&Scope::new(s).unwrap()).is_ok(), "{s}");
        }
    }

    #[test]
    fn check_refuses_malformed_and_entra_only() {
        for s in [
            "vso.",
            "code",
            "VSO.CODE",
            "vso.code,vso.work",
            "vso..x",
            "user_impersonation",
            "vso.pats_manage",
            "read_api",
        ] {
            assert!(
                matches!(check(&Scope::new(s).unwrap()), Err(Error::InvalidInput { field: "scopes", .. })),
                "{s:?}"
            );
        }
        assert!(validate(&Scopes::default()).is_err());
    }
}
