//! Offboarding: revoke every PAT of a user who leaves, through a provider's admin API
//! ([`PatAdmin`]; Azure DevOps: Token Admin).

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt as _, TryStreamExt as _};

use crate::admin::{PatAdmin, UserId, UserPat};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::scope::Scopes;

/// How many users [`Offboarding::run_many`] offboards at once when neither the caller nor the
/// admin client says.
const DEFAULT_CONCURRENCY: usize = 4;

/// Revokes every PAT of a user (by the provider's [`UserId`]; Azure DevOps: the Graph subject
/// descriptor), in batches, with a dry run and a report; optionally creates a revocation rule.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::auth::StaticCredential;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::lifecycle::Offboarding;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let admin = emulator.add_user("Admin");
/// emulator.make_org_admin("fabrikam", admin.id);
/// let leaver = emulator.add_user("Leaver");
/// for i in 0..3 {
///     emulator.seed_pat("fabrikam", leaver.id, SeedPat::new(format!("t{i}"), "vso.code"));
/// }
/// let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(admin.bearer.clone()))
///     .transport(emulator.clone())
///     .build()?;
///
/// let report = Offboarding::new(client.token_admin()).run(&leaver.descriptor).await?;
/// assert_eq!(report.revoked.len(), 3);
/// assert!(report.still_valid.is_empty() && report.error.is_none());
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Offboarding {
    admin: Arc<dyn PatAdmin>,
    dry_run: bool,
    issued_before: Option<DateTime<Utc>>,
    rule: Option<(Scopes, Option<DateTime<Utc>>)>,
    max_pages: usize,
    concurrency: usize,
}

impl Offboarding {
    /// Offboarding through `admin` (e.g. an organization administrator's
    /// `patkit::azure::TokenAdmin` access; an `Arc<dyn PatAdmin>` works too).
    pub fn new(admin: impl PatAdmin + 'static) -> Self {
        Self {
            admin: Arc::new(admin),
            dry_run: false,
            issued_before: None,
            rule: None,
            max_pages: DEFAULT_MAX_PAGES,
            concurrency: 0,
        }
    }

    /// Only list and report what would be done; revoke nothing, create no rule (default
    /// `false`).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Revoke only the user's tokens issued (`valid_from`) before `cutoff`; later ones are
    /// reported as kept.
    pub fn only_issued_before(mut self, cutoff: DateTime<Utc>) -> Self {
        self.issued_before = Some(cutoff);
        self
    }

    /// Also create a revocation rule (the admin must have
    /// [`revocation_rules`](crate::Capabilities::revocation_rules), or the run answers
    /// [`Error::Unsupported`] before anything is sent): every credential in the organization — of
    /// **any** user — issued before `created_before` (default: now, at the service) that has
    /// any of `scopes` is revoked. Use it to cut off copies of tokens a leaver may have shared.
    pub fn revocation_rule(mut self, scopes: Scopes, created_before: Option<DateTime<Utc>>) -> Self {
        self.rule = Some((scopes, created_before));
        self
    }

    /// Most pages (of 100 tokens) each listing of the user's tokens may take (default
    /// [`DEFAULT_MAX_PAGES`]). A listing that needs more, or whose service repeats a
    /// continuation, ends with [`Error::ListingCut`]: the first listing fails the run before
    /// anything is revoked, the check listing is reported in [`OffboardReport::error`]. 0 is
    /// refused when the run starts.
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Every token of the user, as the listing named `listing`.
    async fn list(&self, user: &UserId, listing: &'static str) -> Result<Vec<UserPat>> {
        let admin = &self.admin;
        pagination::items(pagination::pages(listing, self.max_pages, None, move |continuation| async move {
            admin.list_user_pats(user, continuation).await
        }))
        .try_collect()
        .await
    }

    /// How many users [`run_many`](Self::run_many) offboards at once. The default, 0, leaves it
    /// to the admin client: its [`bulk_concurrency`](PatAdmin::bulk_concurrency) (a paced
    /// client's pacer ceiling; the pacer then keeps the requests within the service's rate
    /// limit), or 4 when it has none.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Offboards every user of `users` as [`run`](Self::run) does, several at once (see
    /// [`concurrency`](Self::concurrency)); one result per user, in the order given.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use patkit::azure::AzureDevOpsClient;
    /// use patkit::auth::StaticCredential;
    /// use patkit::azure::emulator::{Emulator, SeedPat};
    /// use patkit::lifecycle::Offboarding;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let emulator = Emulator::new();
    /// emulator.add_organization("fabrikam");
    /// let admin = emulator.add_user("Admin");
    /// emulator.make_org_admin("fabrikam", admin.id);
    /// let leavers: Vec<_> = (0..3).map(|i| emulator.add_user(&format!("Leaver {i}"))).collect();
    /// for leaver in &leavers {
    ///     emulator.seed_pat("fabrikam", leaver.id, SeedPat::new("ci", "vso.code"));
    /// }
    /// let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(admin.bearer.clone()))
    ///     .transport(emulator.clone())
    ///     .build()?;
    ///
    /// let reports = Offboarding::new(client.token_admin()).run_many(leavers.iter().map(|l| &l.descriptor)).await;
    /// assert_eq!(reports.len(), 3);
    /// assert!(reports.iter().all(|r| r.as_ref().is_ok_and(|r| r.revoked.len() == 1 && r.is_complete())));
    /// # Ok::<_, patkit::Error>(()) }).unwrap();
    /// # }
    /// ```
    pub async fn run_many<I>(&self, users: I) -> Vec<Result<OffboardReport>>
    where
        I: IntoIterator,
        I::Item: Into<UserId>,
    {
        let concurrency = match self.concurrency {
            0 => self.admin.bulk_concurrency().unwrap_or(DEFAULT_CONCURRENCY).max(1),
            n => n,
        };
        let users: Vec<UserId> = users.into_iter().map(Into::into).collect();
        futures_util::stream::iter(users).map(|user| self.run(user)).buffered(concurrency).collect().await
    }

    /// Lists the PATs of `user`, revokes the valid ones in batches of the admin's
    /// [`max_revocations_per_request`](PatAdmin::max_revocations_per_request), creates the rule
    /// if asked, then lists again to check that none is left valid. Fails only if the admin
    /// lacks an operation the run needs ([`Error::Unsupported`], before anything is sent) or the
    /// first listing fails (including [`Error::ListingCut`]); a failed batch, rule or check
    /// listing is in [`OffboardReport::error`], with the ids not revoked.
    pub async fn run(&self, user: impl Into<UserId>) -> Result<OffboardReport> {
        let user = user.into();
        let capabilities = self.admin.capabilities();
        let needed = [
            (capabilities.admin_list_user, "list_user_pats"),
            (capabilities.revoke_many, "revoke_many"),
            (capabilities.revocation_rules || self.rule.is_none(), "create_revocation_rule"),
        ];
        if let Some((_, operation)) = needed.iter().find(|(offered, _)| !offered) {
            return Err(Error::unsupported(self.admin.provider_name(), operation));
        }
        let found = self.list(&user, "offboarding").await?;
        let mut report = OffboardReport {
            user: user.clone(),
            dry_run: self.dry_run,
            found: found.clone(),
            revoked: Vec::new(),
            kept: Vec::new(),
            already_inactive: Vec::new(),
            not_revoked: Vec::new(),
            revocation_rule: None,
            still_valid: Vec::new(),
            error: None,
        };
        let mut targets = Vec::new();
        for token in &found {
            let id = token.metadata.id.clone();
            if self.issued_before.is_some_and(|cutoff| token.metadata.valid_from >= cutoff) {
                report.kept.push(id);
            } else if token.active == Some(false) {
                report.already_inactive.push(id);
            } else {
                targets.push(id);
            }
        }
        if self.dry_run {
            report.revoked = targets;
            report.revocation_rule =
                self.rule.clone().map(|(scopes, created_before)| RuleSummary { scopes, created_before });
            return Ok(report);
        }
        let mut batches = targets.chunks(self.admin.max_revocations_per_request().max(1));
        for batch in batches.by_ref() {
            match self.admin.revoke_many(batch).await {
                Ok(()) => report.revoked.extend_from_slice(batch),
                Err(e) => {
                    report.not_revoked.extend_from_slice(batch);
                    report.error = Some(e);
                    break;
                }
            }
        }
        for batch in batches {
            report.not_revoked.extend_from_slice(batch);
        }
        if report.error.is_none()
            && let Some((scopes, created_before)) = &self.rule
        {
            match self.admin.create_revocation_rule(scopes, *created_before).await {
                Ok(()) => {
                    report.revocation_rule =
                        Some(RuleSummary { scopes: scopes.clone(), created_before: *created_before })
                }
                Err(e) => report.error = Some(e),
            }
        }
        // Check: list again; nothing we meant to revoke may still be valid.
        match self.list(&user, "offboarding check").await {
            Ok(after) => {
                report.still_valid = after
                    .into_iter()
                    .filter(|t| t.active != Some(false) && report.revoked.contains(&t.metadata.id))
                    .map(|t| t.metadata.id)
                    .collect();
            }
            Err(e) => {
                report.error.get_or_insert(e);
            }
        }
        Ok(report)
    }
}

/// A revocation rule that was (or, in a dry run, would be) created.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSummary {
    /// The scopes it matches (any of them).
    pub scopes: Scopes,
    /// Its cut-off (`None`: now, at the service).
    pub created_before: Option<DateTime<Utc>>,
}

/// What an [`Offboarding`] did (or, in a dry run, would do).
///
/// Serializes (`serde::Serialize`) to the versioned JSON shape of
/// `schemas/offboarding-report.v1.json` in the repository (`"format":
/// "patkit.offboarding-report"`, `"version": 1`; in a dry run `revoked` lists what would be
/// revoked). It holds no secret.
#[non_exhaustive]
#[derive(Debug)]
pub struct OffboardReport {
    /// The user.
    pub user: UserId,
    /// Whether this was a dry run (then nothing was changed).
    pub dry_run: bool,
    /// Every token the first listing returned.
    pub found: Vec<UserPat>,
    /// Tokens revoked (dry run: that would be revoked).
    pub revoked: Vec<PatId>,
    /// Tokens left alone because they were issued on or after the cut-off.
    pub kept: Vec<PatId>,
    /// Tokens that were already revoked or expired.
    pub already_inactive: Vec<PatId>,
    /// Tokens that were meant to be revoked but were not, because a batch failed.
    pub not_revoked: Vec<PatId>,
    /// The revocation rule created (dry run: that would be created).
    pub revocation_rule: Option<RuleSummary>,
    /// Revoked tokens the check listing still reported valid (should be empty).
    pub still_valid: Vec<PatId>,
    /// The first failure (a batch, the rule, or the check listing).
    pub error: Option<Error>,
}

impl OffboardReport {
    /// Whether everything meant to be revoked is revoked, and nothing failed.
    pub fn is_complete(&self) -> bool {
        self.error.is_none() && self.not_revoked.is_empty() && self.still_valid.is_empty()
    }
}

impl fmt::Display for OffboardReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would revoke" } else { "revoked" };
        writeln!(f, "offboarding {}{}", self.user, if self.dry_run { " (dry run)" } else { "" })?;
        writeln!(f, "  found {} token(s); {verb} {}", self.found.len(), self.revoked.len())?;
        for token in self.found.iter().filter(|t| self.revoked.contains(&t.metadata.id)) {
            writeln!(
                f,
                "    {} {:?} issued {}",
                token.metadata.id,
                token.metadata.display_name,
                token.metadata.valid_from.format("%Y-%m-%d")
            )?;
        }
        if !self.kept.is_empty() {
            writeln!(f, "  kept {} token(s) issued after the cut-off", self.kept.len())?;
        }
        if !self.already_inactive.is_empty() {
            writeln!(f, "  {} token(s) were already revoked or expired", self.already_inactive.len())?;
        }
        if let Some(rule) = &self.revocation_rule {
            let verb = if self.dry_run { "would create" } else { "created" };
            writeln!(f, "  {verb} a revocation rule for scopes {}", rule.scopes)?;
        }
        if !self.not_revoked.is_empty() {
            writeln!(f, "  NOT revoked: {} token(s)", self.not_revoked.len())?;
        }
        if !self.still_valid.is_empty() {
            writeln!(f, "  still valid after revoking: {} token(s)", self.still_valid.len())?;
        }
        match &self.error {
            Some(e) => write!(f, "  error: {e}"),
            None if self.dry_run => write!(f, "  nothing was changed"),
            None => write!(f, "  done"),
        }
    }
}
