//! [`GitHubOffboarding`]: cut a GitHub login off from one or more organizations — their
//! fine-grained PAT grants and their SAML credential authorizations — verified by listing, with
//! an honest account of what GitHub cannot revoke.

use std::fmt;

use super::{CredentialAuthorization, ErrorCode, GitHubClient, Grant, GrantQuery};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::pagination::DEFAULT_MAX_PAGES;

/// What GitHub cannot do, said in every report.
pub const TOKENS_STAY_ALIVE: &str = "GitHub cannot revoke a user's tokens: revoking a grant or a SAML authorization \
     only cuts that token's access to that organization. The tokens stay valid for the user's own repositories, \
     other organizations and public data, and a revoked grant's token may request access again. To end a token \
     itself, its owner must delete it, or whoever holds its value can report it as leaked \
     (GitHubClient::report_leaked); removing the user from the organization also removes its access.";

#[derive(Debug, Clone, Default)]
struct Target {
    org: String,
    grants: Option<GitHubClient>,
    saml: Option<GitHubClient>,
}

/// Offboards a login from several organizations: for each, revokes the grants of the login's
/// fine-grained PATs (a GitHub App installation's client: [`grants`](Self::grants)) and removes
/// the SAML authorizations of the login's credentials (an organization owner's token:
/// [`saml`](Self::saml)), then lists both again to verify nothing is left.
///
/// A failure in one organization is recorded in its [`OrgOffboard::errors`] and the run goes on
/// with the others. An organization without SAML single sign-on
/// ([`ErrorCode::SamlNotEnabled`]) is no failure: [`OrgOffboard::saml_enabled`] is `Some(false)`.
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::github::{GitHubClient, GitHubCredential, GitHubOffboarding};
/// use patkit::testing::{MockResponse, MockTransport, Route};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let mock = MockTransport::new()
///     .on(Route::get("/orgs/acme/credential-authorizations"), MockResponse::json(200, "[]"));
/// let owner = GitHubClient::builder("acme", GitHubCredential::token("ghp_owner"))
///     .transport(mock)
///     .build()?;
/// let report = GitHubOffboarding::new().saml(owner).run("octocat").await?;
/// assert!(report.is_complete());
/// assert!(report.to_string().contains("GitHub cannot revoke a user's tokens"));
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct GitHubOffboarding {
    targets: Vec<Target>,
    dry_run: bool,
    max_pages: Option<usize>,
}

impl GitHubOffboarding {
    /// No organization yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn target(&mut self, org: &str) -> &mut Target {
        let i = match self.targets.iter().position(|t| t.org == org) {
            Some(i) => i,
            None => {
                self.targets.push(Target { org: org.to_owned(), ..Target::default() });
                self.targets.len() - 1
            }
        };
        &mut self.targets[i]
    }

    /// Revokes the login's fine-grained PAT grants in `client`'s organization (a GitHub App
    /// installation client).
    pub fn grants(mut self, client: GitHubClient) -> Self {
        let org = client.org().to_owned();
        self.target(&org).grants = Some(client);
        self
    }

    /// Removes the login's SAML credential authorizations in `client`'s organization (an
    /// organization owner's token client).
    pub fn saml(mut self, client: GitHubClient) -> Self {
        let org = client.org().to_owned();
        self.target(&org).saml = Some(client);
        self
    }

    /// Only list what would be revoked (default `false`).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The page cap of every listing (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = Some(max_pages);
        self
    }

    /// Offboards `login` from every organization given.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed login or no organization, before anything is
    /// sent. Everything else is in the report.
    pub async fn run(&self, login: &str) -> Result<GitHubOffboardReport> {
        super::client::check_login("login", login)?;
        if self.targets.is_empty() {
            return Err(Error::invalid_input("organizations", "add at least one organization (grants or saml)"));
        }
        let mut orgs = Vec::with_capacity(self.targets.len());
        for target in &self.targets {
            let mut org = OrgOffboard { org: target.org.clone(), ..OrgOffboard::default() };
            if let Some(client) = &target.grants {
                self.grants_of(client, login, &mut org).await;
            }
            if let Some(client) = &target.saml {
                self.saml_of(client, login, &mut org).await;
            }
            orgs.push(org);
        }
        Ok(GitHubOffboardReport { login: login.to_owned(), dry_run: self.dry_run, orgs })
    }

    fn pages(&self) -> usize {
        self.max_pages.unwrap_or(DEFAULT_MAX_PAGES)
    }

    async fn grants_of(&self, client: &GitHubClient, login: &str, org: &mut OrgOffboard) {
        let query = GrantQuery::new().owner(login);
        let found = match client.all_grants(&query, self.pages()).await {
            Ok(found) => found,
            Err(e) => return org.errors.push(e),
        };
        if self.dry_run {
            org.grants_revoked = found;
            return;
        }
        for batch in found.chunks(super::MAX_IDS) {
            let ids: Vec<PatId> = batch.iter().map(|g| PatId::new(g.id.to_string())).collect();
            let token_ids = batch.iter().map(|g| g.token_id).collect();
            let outcome = match client.revoke_grants(&ids).await {
                Ok(pending) => pending.with_token_ids(token_ids).wait().await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => org.grants_revoked.extend_from_slice(batch),
                Err(e) => org.errors.push(e),
            }
        }
        match client.all_grants(&query, self.pages()).await {
            Ok(left) => org.grants_left = left,
            Err(e) => org.errors.push(e),
        }
    }

    async fn saml_of(&self, client: &GitHubClient, login: &str, org: &mut OrgOffboard) {
        let found = match client.all_credential_authorizations(Some(login), self.pages()).await {
            Ok(found) => found,
            Err(Error::Rejected { code, .. }) if ErrorCode::from(&code) == ErrorCode::SamlNotEnabled => {
                org.saml_enabled = Some(false);
                return;
            }
            Err(e) => return org.errors.push(e),
        };
        org.saml_enabled = Some(true);
        // GitHub's `login` filter is trusted only as far as it matches.
        let found: Vec<_> = found.into_iter().filter(|a| a.login.eq_ignore_ascii_case(login)).collect();
        if self.dry_run {
            org.authorizations_revoked = found;
            return;
        }
        for authorization in found {
            let id = PatId::new(authorization.credential_id.to_string());
            match client.revoke_credential_authorization(&id).await {
                Ok(()) | Err(Error::NotFound { .. }) => org.authorizations_revoked.push(authorization),
                Err(e) => org.errors.push(e),
            }
        }
        match client.all_credential_authorizations(Some(login), self.pages()).await {
            Ok(left) => {
                org.authorizations_left = left.into_iter().filter(|a| a.login.eq_ignore_ascii_case(login)).collect()
            }
            Err(e) => org.errors.push(e),
        }
    }
}

/// What an offboarding did in one organization.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct OrgOffboard {
    /// The organization.
    pub org: String,
    /// Grants revoked (dry run: that would be).
    pub grants_revoked: Vec<Grant>,
    /// Grants of the login the check listing still showed (should be empty).
    pub grants_left: Vec<Grant>,
    /// SAML authorizations removed (dry run: that would be).
    pub authorizations_revoked: Vec<CredentialAuthorization>,
    /// SAML authorizations of the login the check listing still showed (should be empty).
    pub authorizations_left: Vec<CredentialAuthorization>,
    /// Whether the organization has SAML single sign-on (`None`: not asked).
    pub saml_enabled: Option<bool>,
    /// What failed (the run went on).
    pub errors: Vec<Error>,
}

impl OrgOffboard {
    /// Nothing failed and nothing is left.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty() && self.grants_left.is_empty() && self.authorizations_left.is_empty()
    }
}

/// What a [`GitHubOffboarding`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct GitHubOffboardReport {
    /// The login.
    pub login: String,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// Per organization, in the order given.
    pub orgs: Vec<OrgOffboard>,
}

impl GitHubOffboardReport {
    /// Every organization complete (and not a dry run).
    pub fn is_complete(&self) -> bool {
        !self.dry_run && self.orgs.iter().all(OrgOffboard::is_complete)
    }

    /// The tokens whose access was cut, which GitHub leaves alive: the fine-grained PATs of the
    /// grants revoked (by name and token id) and the credentials of the authorizations removed
    /// (by type, note and last eight characters), per organization.
    pub fn tokens_still_alive(&self) -> Vec<String> {
        let mut out = Vec::new();
        for org in &self.orgs {
            for g in &org.grants_revoked {
                out.push(format!("{}: fine-grained PAT \"{}\" (token id {})", org.org, g.token_name, g.token_id));
            }
            for a in &org.authorizations_revoked {
                let note = a.authorized_credential_note.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default();
                let last = a.token_last_eight.as_deref().map(|l| format!(" …{l}")).unwrap_or_default();
                out.push(format!("{}: {}{note}{last} (credential id {})", org.org, a.credential_type, a.credential_id));
            }
        }
        out
    }
}

impl fmt::Display for GitHubOffboardReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would revoke" } else { "revoked" };
        writeln!(f, "offboarding {} on GitHub{}", self.login, if self.dry_run { " (dry run)" } else { "" })?;
        for org in &self.orgs {
            write!(f, "  {}: {verb} {} grant(s)", org.org, org.grants_revoked.len())?;
            match org.saml_enabled {
                Some(true) => write!(f, ", {} SAML authorization(s)", org.authorizations_revoked.len())?,
                Some(false) => write!(f, "; no SAML single sign-on")?,
                None => {}
            }
            writeln!(f)?;
            if !org.grants_left.is_empty() || !org.authorizations_left.is_empty() {
                writeln!(
                    f,
                    "    STILL LISTED: {} grant(s), {} SAML authorization(s)",
                    org.grants_left.len(),
                    org.authorizations_left.len()
                )?;
            }
            for e in &org.errors {
                writeln!(f, "    error: {e}")?;
            }
        }
        let alive = self.tokens_still_alive();
        if !alive.is_empty() {
            writeln!(f, "  tokens cut off but still alive:")?;
            for t in alive {
                writeln!(f, "    {t}")?;
            }
        }
        write!(f, "  note: {TOKENS_STAY_ALIVE}")
    }
}
