//! Offboarding by name: find a person by email or login in several organizations at once,
//! revoke their PATs in each ([`Offboarding`]), and report the other credentials seen there but
//! not touched.

use std::fmt;
use std::sync::Arc;

use futures_util::future::join_all;

use super::offboard::{OffboardReport, Offboarding};
use crate::admin::PatAdmin;
use crate::directory::{
    DirectoryUser, MatchKind, OtherCredential, UserDirectory, UserLookup, check_query, resolve_user,
};
use crate::error::{Error, Result};
use crate::pagination::DEFAULT_MAX_PAGES;

#[derive(Debug, Clone)]
struct Target {
    label: String,
    admin: Arc<dyn PatAdmin>,
    directory: Arc<dyn UserDirectory>,
}

/// Offboards a person named by email address or login from several organizations (or
/// instances) at once: in each, looks them up in the [`UserDirectory`], runs an
/// [`Offboarding`] of the user found through the [`PatAdmin`], and lists the credentials other
/// than PATs (SSH keys, GPG keys, …) it saw but did not touch.
///
/// A query names a user only exactly (email, login or id, case-insensitively; see
/// [`resolve_user`](crate::resolve_user)): several exact matches are reported as ambiguous and
/// fuzzy search hits as similar, and neither is acted on. One organization failing does not stop
/// the others: its error is in its [`OrganizationReport`]. Organizations are worked on
/// concurrently; the report keeps the order they were added in.
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::lifecycle::{OffboardByName, OrganizationStatus};
/// use patkit::testing::{FakeDirectory, FakeProfile, FakeProvider, FAKE_USER};
/// use patkit::{DirectoryUser, Scopes};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let fake = FakeProvider::new(FakeProfile::CreateUpdate);
/// fake.seed("ci", Scopes::default(), None);
/// let directory = FakeDirectory::new()
///     .user(DirectoryUser::new(FAKE_USER).login("ada").email("ada@example.com"));
///
/// let report = OffboardByName::new()
///     .organization_parts("fabrikam", fake.admin(10), directory)
///     .dry_run(true)
///     .run("ada@example.com")
///     .await?;
/// let fabrikam = &report.organizations[0];
/// assert_eq!(fabrikam.status(), OrganizationStatus::DryRun);
/// assert_eq!(fabrikam.offboarding.as_ref().unwrap().revoked.len(), 1);
/// assert!(report.to_string().contains("would revoke"));
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct OffboardByName {
    targets: Vec<Target>,
    dry_run: bool,
    max_pages: usize,
}

impl Default for OffboardByName {
    fn default() -> Self {
        Self::new()
    }
}

impl OffboardByName {
    /// No organization yet.
    pub fn new() -> Self {
        Self { targets: Vec::new(), dry_run: false, max_pages: DEFAULT_MAX_PAGES }
    }

    /// Adds an organization (or instance) named `label` in the report, whose admin access is
    /// also its directory (GitLab, Gitea, Bitbucket and GitHub clients; Azure DevOps:
    /// `client.token_admin()`).
    pub fn organization<A>(self, label: impl Into<String>, access: A) -> Self
    where
        A: PatAdmin + UserDirectory + Clone + 'static,
    {
        self.organization_parts(label, access.clone(), access)
    }

    /// Adds an organization named `label` with a separate admin access and directory.
    pub fn organization_parts(
        mut self,
        label: impl Into<String>,
        admin: impl PatAdmin + 'static,
        directory: impl UserDirectory + 'static,
    ) -> Self {
        self.targets.push(Target { label: label.into(), admin: Arc::new(admin), directory: Arc::new(directory) });
        self
    }

    /// Only look and report: revoke nothing (default `false`). The report says "would revoke".
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The page cap of each token listing ([`Offboarding::max_pages`]; default
    /// [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Looks `query` (an email address or login) up in every organization and offboards the
    /// user found there.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a blank or over-long query, or no organization, before
    /// anything is sent. Everything else is in the report, per organization.
    pub async fn run(&self, query: &str) -> Result<OffboardByNameReport> {
        let query = check_query(query)?;
        if self.targets.is_empty() {
            return Err(Error::invalid_input("organizations", "add at least one organization"));
        }
        let organizations = join_all(self.targets.iter().map(|t| self.one(t, query))).await;
        Ok(OffboardByNameReport { query: query.to_owned(), dry_run: self.dry_run, organizations })
    }

    async fn one(&self, target: &Target, query: &str) -> OrganizationReport {
        let mut report = OrganizationReport {
            label: target.label.clone(),
            provider: target.admin.provider_name().to_owned(),
            lookup: None,
            offboarding: None,
            credentials_untouched: Vec::new(),
            errors: Vec::new(),
        };
        let lookup = match target.directory.find_users(query).await {
            Ok(candidates) => resolve_user(query, candidates),
            Err(e) => {
                report.errors.push(e);
                return report;
            }
        };
        if let UserLookup::Found { user, .. } = &lookup {
            let offboarding = Offboarding::new(target.admin.clone()).dry_run(self.dry_run).max_pages(self.max_pages);
            match offboarding.run(&user.id).await {
                Ok(run) => report.offboarding = Some(run),
                Err(e) => report.errors.push(e),
            }
            match target.directory.other_credentials(&user.id).await {
                Ok(seen) => report.credentials_untouched = seen,
                Err(e) => report.errors.push(e),
            }
        }
        report.lookup = Some(lookup);
        report
    }
}

/// What [`OffboardByName`] did (dry run: would do), one section per organization.
///
/// Serializes (`serde::Serialize`) to the versioned JSON shape of
/// `schemas/offboarding-by-name-report.v1.json` in the repository (`"format":
/// "patkit.offboarding-by-name-report"`, `"version": 1`; every token carries its `action`:
/// `revoked`, `would_revoke`, `kept`, `already_inactive` or `not_revoked`). It holds no secret.
#[non_exhaustive]
#[derive(Debug)]
pub struct OffboardByNameReport {
    /// The query, trimmed.
    pub query: String,
    /// Whether this was a dry run (then nothing was changed).
    pub dry_run: bool,
    /// One section per organization, in the order they were added.
    pub organizations: Vec<OrganizationReport>,
}

impl OffboardByNameReport {
    /// Whether every organization either offboarded the user completely or does not have them
    /// (nothing ambiguous, nothing failed). A dry run is never complete.
    pub fn is_complete(&self) -> bool {
        !self.dry_run
            && self
                .organizations
                .iter()
                .all(|o| matches!(o.status(), OrganizationStatus::Offboarded | OrganizationStatus::NotFound))
    }

    /// The section of the organization labelled `label`.
    pub fn organization(&self, label: &str) -> Option<&OrganizationReport> {
        self.organizations.iter().find(|o| o.label == label)
    }
}

/// What happened in one organization.
#[non_exhaustive]
#[derive(Debug)]
pub struct OrganizationReport {
    /// The label it was added with.
    pub label: String,
    /// The provider's name.
    pub provider: String,
    /// What the lookup found (`None` when it failed; the error is in [`errors`](Self::errors)).
    pub lookup: Option<UserLookup>,
    /// The offboarding of the user found (`None` when nobody was found, or the run could not
    /// start; then the reason is in [`errors`](Self::errors)).
    pub offboarding: Option<OffboardReport>,
    /// The user's other credentials (SSH keys, GPG keys, …): seen, not touched.
    pub credentials_untouched: Vec<OtherCredential>,
    /// What failed here: the lookup, an offboarding that could not start, the credential
    /// listing. (A failure in the middle of an offboarding is in its
    /// [`OffboardReport::error`].)
    pub errors: Vec<Error>,
}

/// The outcome of one organization, in one word.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationStatus {
    /// The user was found and every token meant to be revoked is revoked.
    Offboarded,
    /// Dry run: the user was found; nothing was changed.
    DryRun,
    /// The user was found but something failed or is left (see the section).
    Incomplete,
    /// Nobody here is named by the query.
    NotFound,
    /// Several users here are named by the query; nothing was done.
    Ambiguous,
    /// The lookup failed.
    Failed,
}

impl OrganizationStatus {
    /// The snake_case name used in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offboarded => "offboarded",
            Self::DryRun => "dry_run",
            Self::Incomplete => "incomplete",
            Self::NotFound => "not_found",
            Self::Ambiguous => "ambiguous",
            Self::Failed => "failed",
        }
    }
}

impl OrganizationReport {
    /// The user found, if one was.
    pub fn user(&self) -> Option<(&DirectoryUser, MatchKind)> {
        match &self.lookup {
            Some(UserLookup::Found { user, matched_by }) => Some((user, *matched_by)),
            _ => None,
        }
    }

    /// This organization's outcome.
    pub fn status(&self) -> OrganizationStatus {
        match &self.lookup {
            None => OrganizationStatus::Failed,
            Some(UserLookup::NotFound { .. }) => OrganizationStatus::NotFound,
            Some(UserLookup::Ambiguous { .. }) => OrganizationStatus::Ambiguous,
            Some(UserLookup::Found { .. }) => match &self.offboarding {
                Some(run) if self.errors.is_empty() && run.dry_run && run.error.is_none() => OrganizationStatus::DryRun,
                Some(run) if self.errors.is_empty() && !run.dry_run && run.is_complete() => {
                    OrganizationStatus::Offboarded
                }
                _ => OrganizationStatus::Incomplete,
            },
        }
    }
}

impl fmt::Display for OrganizationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): ", self.label, self.provider)?;
        match &self.lookup {
            None => f.write_str("lookup failed")?,
            Some(UserLookup::NotFound { similar }) => {
                f.write_str("no such user")?;
                if !similar.is_empty() {
                    let names: Vec<String> = similar.iter().map(ToString::to_string).collect();
                    write!(f, "; similar, not acted on: {}", names.join(", "))?;
                }
            }
            Some(UserLookup::Ambiguous { candidates }) => {
                let names: Vec<String> = candidates.iter().map(ToString::to_string).collect();
                write!(f, "ambiguous, nothing done; candidates: {}", names.join(", "))?;
            }
            Some(UserLookup::Found { user, matched_by }) => {
                write!(f, "{user}, matched by {}", matched_by.as_str())?;
                if let Some(run) = &self.offboarding {
                    let verb = if run.dry_run { "would revoke" } else { "revoked" };
                    write!(f, "\n  {} token(s) found; {verb} {}", run.found.len(), run.revoked.len())?;
                    for token in run.found.iter().filter(|t| run.revoked.contains(&t.metadata.id)) {
                        write!(f, "\n    {verb} {} {:?}", token.metadata.id, token.metadata.display_name)?;
                    }
                    if !run.not_revoked.is_empty() {
                        write!(f, "\n  NOT revoked: {} token(s)", run.not_revoked.len())?;
                    }
                    if !run.still_valid.is_empty() {
                        write!(f, "\n  still valid after revoking: {} token(s)", run.still_valid.len())?;
                    }
                    if let Some(e) = &run.error {
                        write!(f, "\n  error: {e}")?;
                    }
                }
                if !self.credentials_untouched.is_empty() {
                    write!(f, "\n  seen, not touched: {} other credential(s)", self.credentials_untouched.len())?;
                    for credential in &self.credentials_untouched {
                        write!(f, "\n    {credential}")?;
                    }
                }
            }
        }
        for e in &self.errors {
            write!(f, "\n  error: {e}")?;
        }
        Ok(())
    }
}

impl fmt::Display for OffboardByNameReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "offboarding {:?}{}", self.query, if self.dry_run { " (dry run)" } else { "" })?;
        for organization in &self.organizations {
            writeln!(f, "{organization}")?;
        }
        if self.dry_run {
            f.write_str("nothing was changed")
        } else if self.is_complete() {
            f.write_str("done")
        } else {
            f.write_str("NOT complete: see the organizations above")
        }
    }
}
