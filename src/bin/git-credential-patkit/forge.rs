//! `get`, `store` and `erase` for the providers other than Azure DevOps, on patkit's public API.
//!
//! - **GitLab**: the PAT git approved (the one you typed once) is stored with what GitLab says
//!   about it (`GET /personal_access_tokens/self`). When it expires within `--renew-within`, `get`
//!   rotates it before answering: by id through patkit's [`Rotator`] with self-rotation when the
//!   token has the `api` scope, else with `POST /personal_access_tokens/self/rotate` when it has
//!   only `self_rotate`; the new token is stored before git gets it. GitLab revokes the old one.
//! - **Gitea, Forgejo, Bitbucket**: the first `get` mints a token with the account's password,
//!   asked once (an askpass program or the terminal, never stdin), and stores it; later `get`s
//!   answer the stored token. A Bitbucket token near its expiry is replaced the same way (new
//!   token stored, old one deleted).
//! - **GitHub**: no API makes a user's token, so the helper keeps what git approves (with its
//!   expiry, from `GET /user`) and reports the expiry: in `password_expiry_utc`, and on stderr
//!   when it is within `--renew-within` or past.
//!
//! Entries are named `git/<provider>/<host>/@<user>`: when git names no user, the one entry of
//! the host is used.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use patkit::gitlab::{ExpiryDate, GitLabClient, GitLabCredential};
use patkit::lifecycle::{Outcome, RotationOptions, Rotator, mint_and_store};
use patkit::store::{Expected, StoreErrorKind};
use patkit::{Clock, PatMetadata, PatProvider, PatRecord, PatSecret, PatSpec, StoredPat, TokenStore};

use crate::askpass;

/// A library error as the helper reports it here: without the Azure DevOps hints
/// (`az login`) that `HelperError::from` adds for Entra credentials.
fn plain(e: patkit::Error) -> HelperError {
    HelperError(e.to_string())
}
use crate::config::Config;
use crate::helper::HelperError;
use crate::protocol::Credential;
use crate::provider::Kind;
use crate::target::Target;

/// The helper for a non-Azure target.
#[derive(Debug)]
pub struct Forge {
    config: Config,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
}

/// A stored entry and the account it is for.
struct Found {
    name: String,
    user: String,
    entry: StoredPat,
}

/// `d` as a chrono span (saturating).
fn delta(d: std::time::Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never".to_owned(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

impl Forge {
    pub fn new(config: Config, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Self {
        Self { config, store, clock }
    }

    fn say(&self, message: impl FnOnce() -> String) {
        if self.config.verbose {
            eprintln!("git-credential-patkit: {}", message());
        }
    }

    /// The entry for git's user, or the host's one entry when git names none.
    async fn find(&self, target: &Target, user: Option<&str>) -> Result<Option<Found>, HelperError> {
        let prefix = target.account_prefix();
        let name = match user.filter(|u| !u.is_empty()) {
            Some(user) => target.account_entry(user),
            None => {
                let names: Vec<String> =
                    self.store.list().await?.into_iter().map(|r| r.name).filter(|n| n.starts_with(&prefix)).collect();
                match <[String; 1]>::try_from(names) {
                    Ok([one]) => one,
                    Err(names) => {
                        if names.len() > 1 {
                            self.say(|| format!("{} accounts stored for {}; git names none", names.len(), target.host));
                        }
                        return Ok(None);
                    }
                }
            }
        };
        let user = name.strip_prefix(&format!("{prefix}@")).unwrap_or_default().to_owned();
        Ok(self.store.get(&name).await?.map(|entry| Found { name, user, entry }))
    }

    fn answer(&self, user: &str, entry: &StoredPat) -> Credential {
        Credential {
            username: Some(user.to_owned()),
            password: Some(entry.secret.clone()),
            password_expiry_utc: entry.record.metadata.valid_to.map(|t| t.timestamp()),
            ..Credential::default()
        }
    }

    fn due(&self, entry: &StoredPat, now: DateTime<Utc>) -> bool {
        entry.record.metadata.valid_to.is_some_and(|t| t - now <= delta(self.config.renew_within))
    }

    /// `get`.
    pub async fn get(&self, request: &Credential, target: &Target) -> Result<Option<Credential>, HelperError> {
        let now = self.clock.now();
        let found = self.find(target, request.username.as_deref()).await?;
        match target.provider {
            Kind::GitLab => self.get_gitlab(target, found, now).await,
            Kind::GitHub => Ok(self.get_github(target, found, now)),
            _ => self.get_minted(request, target, found, now).await,
        }
    }

    fn get_github(&self, target: &Target, found: Option<Found>, now: DateTime<Utc>) -> Option<Credential> {
        let found = found?;
        let m = &found.entry.record.metadata;
        if m.is_expired(now) {
            eprintln!(
                "git-credential-patkit: the stored GitHub token of {} for {} expired at {}; make a new one \
                 (https://{}/settings/tokens) and git will store it",
                found.user,
                target.host,
                when(m.valid_to),
                target.host
            );
            return None;
        }
        if self.due(&found.entry, now) {
            eprintln!(
                "git-credential-patkit: the GitHub token of {} for {} expires at {}; make a new one soon \
                 (https://{}/settings/tokens)",
                found.user,
                target.host,
                when(m.valid_to),
                target.host
            );
        } else {
            self.say(|| format!("using stored GitHub token of {} (expires {})", found.user, when(m.valid_to)));
        }
        Some(self.answer(&found.user, &found.entry))
    }

    async fn get_gitlab(
        &self,
        target: &Target,
        found: Option<Found>,
        now: DateTime<Utc>,
    ) -> Result<Option<Credential>, HelperError> {
        let Some(found) = found else {
            self.say(|| {
                format!("no GitLab PAT stored for {}; git asks you for one and tells me to keep it", target.host)
            });
            return Ok(None);
        };
        let m = &found.entry.record.metadata;
        if m.is_expired(now) {
            eprintln!(
                "git-credential-patkit: the stored GitLab PAT {} expired at {} and cannot be rotated any more; \
                 give git a new one",
                m.id,
                when(m.valid_to)
            );
            return Ok(None);
        }
        if !self.due(&found.entry, now) {
            self.say(|| format!("using stored GitLab PAT {} (expires {})", m.id, when(m.valid_to)));
            return Ok(Some(self.answer(&found.user, &found.entry)));
        }
        let scopes = &m.scopes;
        let has = |name: &str| scopes.iter().any(|s| s.as_str() == name);
        let rotated = if has("api") {
            self.rotate_gitlab_by_id(target, &found).await?
        } else if has("self_rotate") {
            self.rotate_gitlab_self(target, &found, now).await?
        } else {
            eprintln!(
                "git-credential-patkit: GitLab PAT {} expires at {} and its scopes allow no rotation (it needs \
                 `api` or `self_rotate`); replace it before then",
                m.id,
                when(m.valid_to)
            );
            return Ok(Some(self.answer(&found.user, &found.entry)));
        };
        Ok(Some(self.answer(&found.user, &rotated)))
    }

    fn gitlab_client(&self, target: &Target, secret: &PatSecret) -> Result<GitLabClient, HelperError> {
        let base = target.api_base.clone().unwrap_or_else(|| Kind::GitLab.api_url(&target.scheme, &target.host));
        let credential = GitLabCredential::private_token(secret.expose_secret().to_owned());
        Ok(GitLabClient::builder(credential)
            .base_url(base)
            .clock(self.clock.clone())
            .rotation_lifetime(self.config.lifetime)
            .build()?)
    }

    /// Rotation by id with the token as its own credential: patkit's Rotator, which records
    /// its intent in the entry first and stores the replacement before anything else.
    async fn rotate_gitlab_by_id(&self, target: &Target, found: &Found) -> Result<StoredPat, HelperError> {
        let client = self.gitlab_client(target, &found.entry.secret)?;
        let options = RotationOptions {
            window: self.config.renew_within,
            lifetime: Some(self.config.lifetime),
            self_rotation: true,
            ..RotationOptions::default()
        };
        let report = Rotator::from_arcs(Arc::new(client), self.store.clone())
            .clock(self.clock.clone())
            .options(options)
            .rotate_names([found.name.clone()])
            .await;
        let outcome = report.entries.into_iter().next().map(|e| e.outcome);
        match outcome {
            Some(Outcome::Rotated(r)) => {
                self.say(|| {
                    format!("rotated GitLab PAT {} -> {} (expires {})", r.old.id, r.new.id, when(r.new.valid_to))
                });
            }
            Some(Outcome::Failed(f)) => return Err(HelperError(format!("could not rotate GitLab PAT: {f}"))),
            Some(other) => self.say(|| format!("GitLab PAT {}: {other}", found.entry.record.metadata.id)),
            None => {}
        }
        self.store
            .get(&found.name)
            .await?
            .ok_or_else(|| HelperError(format!("the entry {} vanished during the rotation", found.name)))
    }

    /// `POST /personal_access_tokens/self/rotate`, for a token whose only management scope is
    /// `self_rotate`: GitLab revokes the old token when it answers, so the new one is stored at
    /// once; if that fails it is revoked (itself), so nothing is left working that no one holds.
    async fn rotate_gitlab_self(
        &self,
        target: &Target,
        found: &Found,
        now: DateTime<Utc>,
    ) -> Result<StoredPat, HelperError> {
        let client = self.gitlab_client(target, &found.entry.secret)?;
        let wanted = now + delta(self.config.lifetime);
        let expires = ExpiryDate::covering(wanted, now).at_most_a_year(now);
        let created = client.rotate_self(expires).await.map_err(plain)?;
        let old = found.entry.record.metadata.id.clone();
        let mut entry = found.entry.clone();
        entry.record.previous = Some(entry.record.metadata.clone());
        entry.record.metadata = created.metadata;
        entry.record.stored_at = now;
        entry.secret = created.secret;
        match self.store.compare_and_swap(entry.clone(), Expected::Revision(found.entry.record.revision)).await {
            Ok(revision) => {
                entry.record.revision = revision;
                self.say(|| format!("self-rotated GitLab PAT {old} -> {}", entry.record.metadata.id));
                Ok(entry)
            }
            Err(e) => {
                let new = entry.record.metadata.id.clone();
                let revoked = self.gitlab_client(target, &entry.secret)?.revoke_self().await;
                Err(HelperError(match revoked {
                    Ok(()) => format!(
                        "self-rotated GitLab PAT {old} -> {new} but could not store it (token store: {e}); {new} was \
                         revoked, and GitLab revoked {old}: give git a new PAT"
                    ),
                    Err(r) => format!(
                        "self-rotated GitLab PAT {old} -> {new} but could not store it (token store: {e}), nor revoke \
                         it ({}): revoke {new} in GitLab's settings",
                        HelperError::from(r).0
                    ),
                }))
            }
        }
    }

    /// The login for a password-minting provider: git's user, else the stored entry's, else
    /// asked.
    fn login_user(&self, request: &Credential, found: Option<&Found>, target: &Target) -> Result<String, HelperError> {
        if let Some(user) = request.username.clone().filter(|u| !u.is_empty()) {
            return Ok(user);
        }
        if let Some(found) = found.filter(|f| !f.user.is_empty()) {
            return Ok(found.user.clone());
        }
        let user = askpass::ask(&format!("Username for '{}://{}': ", target.scheme, target.host), false)
            .map_err(HelperError)?;
        let user = user.trim().to_owned();
        if user.is_empty() {
            return Err(HelperError("no user name given".into()));
        }
        Ok(user)
    }

    fn password_provider(&self, target: &Target, user: &str) -> Result<Arc<dyn PatProvider>, HelperError> {
        let site = format!("{}://{}", target.scheme, target.host);
        let login = askpass::password_login(user, &site, self.config.otp);
        let base = target.api_base.clone().unwrap_or_else(|| target.provider.api_url(&target.scheme, &target.host));
        Ok(match target.provider {
            Kind::Bitbucket => {
                Arc::new(patkit::bitbucket::BitbucketClient::builder(base, login).clock(self.clock.clone()).build()?)
            }
            kind => {
                let flavor =
                    if kind == Kind::Forgejo { patkit::gitea::Flavor::Forgejo } else { patkit::gitea::Flavor::Gitea };
                Arc::new(
                    patkit::gitea::GiteaClient::builder(base, login)
                        .flavor(flavor)
                        .clock(self.clock.clone())
                        .build()?,
                )
            }
        })
    }

    /// Gitea, Forgejo, Bitbucket: the stored token, or one minted with the password (asked
    /// once) and stored before git gets it.
    async fn get_minted(
        &self,
        request: &Credential,
        target: &Target,
        found: Option<Found>,
        now: DateTime<Utc>,
    ) -> Result<Option<Credential>, HelperError> {
        if let Some(found) = &found
            && !self.due(&found.entry, now)
        {
            self.say(|| format!("using stored token {}", found.entry.record.metadata.id));
            return Ok(Some(self.answer(&found.user, &found.entry)));
        }
        let user = self.login_user(request, found.as_ref(), target)?;
        let provider = self.password_provider(target, &user)?;
        let name = target.account_entry(&user);
        let entry = match self.store.get(&name).await? {
            Some(old) if self.due(&old, now) => {
                // Bitbucket's expiry is fixed at creation: a new token, then the old one deleted.
                let options = RotationOptions {
                    window: self.config.renew_within,
                    lifetime: Some(self.config.lifetime),
                    ..RotationOptions::default()
                };
                let report = Rotator::from_arcs(provider, self.store.clone())
                    .clock(self.clock.clone())
                    .options(options)
                    .rotate_names([name.clone()])
                    .await;
                if let Some(Outcome::Failed(f)) = report.entries.into_iter().next().map(|e| e.outcome) {
                    return Err(HelperError(format!("could not replace token {}: {f}", old.record.metadata.id)));
                }
                self.store.get(&name).await?.ok_or_else(|| HelperError(format!("the entry {name} vanished")))?
            }
            Some(fresh) => fresh,
            None => {
                let mut spec = PatSpec::new(
                    format!("git-credential-patkit {} {}", now.format("%Y-%m-%d"), crate::helper::nonce()),
                    self.config.scopes_for(target.provider),
                );
                if target.provider == Kind::Bitbucket {
                    spec.valid_to = Some(now + delta(self.config.lifetime));
                }
                let stored = mint_and_store(provider.as_ref(), self.store.as_ref(), spec, &name, self.clock.as_ref())
                    .await
                    .map_err(|e| match e {
                        patkit::Error::Credential { .. } | patkit::Error::AuthRequired { .. } => HelperError(format!(
                            "{e}\n  hint: the token is minted with your account's password, asked on the terminal or \
                             by the program PATKIT_ASKPASS / GIT_ASKPASS names"
                        )),
                        other => other.into(),
                    })?;
                self.say(|| format!("minted token {} for {user} and stored it", stored.record.metadata.id));
                stored
            }
        };
        Ok(Some(self.answer(&user, &entry)))
    }

    /// `store`: git reports the credential worked. GitLab and GitHub tokens git learned
    /// elsewhere (you typed them) are kept, with what the service says about them; for the
    /// other providers only a token this helper minted is known.
    pub async fn store(&self, request: &Credential, target: &Target) -> Result<(), HelperError> {
        let Some(password) = &request.password else { return Ok(()) };
        let found = self.find(target, request.username.as_deref()).await?;
        if let Some(found) = &found
            && found.entry.secret.same_as(password)
        {
            return Ok(());
        }
        if !matches!(target.provider, Kind::GitLab | Kind::GitHub) {
            self.say(|| "git stored a credential this helper did not mint; ignoring it".to_owned());
            return Ok(());
        }
        let now = self.clock.now();
        // The record names the organization as the provider's client does, so patkit's flows
        // (the Rotator) take it as theirs.
        let (metadata, login, organization) = match target.provider {
            Kind::GitLab => {
                let client = self.gitlab_client(target, password)?;
                let token = client.get_self().await.map_err(plain)?;
                (token.metadata, None, client.host().to_owned())
            }
            _ => {
                let (metadata, login) = self.github_metadata(target, password, request, now).await?;
                (metadata, login, target.organization.clone())
            }
        };
        let user = request.username.clone().filter(|u| !u.is_empty()).or(login).unwrap_or_else(|| "git".to_owned());
        let name = target.account_entry(&user);
        let current = self.store.get(&name).await?;
        let expected = current.as_ref().map_or(Expected::Absent, |c| Expected::Revision(c.record.revision));
        let id = metadata.id.clone();
        let valid_to = metadata.valid_to;
        let record = PatRecord::new(name, target.provider.name(), organization, metadata, now);
        match self.store.compare_and_swap(StoredPat { record, secret: password.clone() }, expected).await {
            Ok(_) => {
                self.say(|| format!("stored {} token {id} of {user} (expires {})", target.provider, when(valid_to)));
                Ok(())
            }
            Err(e) if e.kind() == StoreErrorKind::Conflict => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// What GitHub says about a token (`GET /user` with it): its owner and expiry.
    async fn github_metadata(
        &self,
        target: &Target,
        password: &PatSecret,
        request: &Credential,
        now: DateTime<Utc>,
    ) -> Result<(PatMetadata, Option<String>), HelperError> {
        let base = target.api_base.clone().unwrap_or_else(|| Kind::GitHub.api_url(&target.scheme, &target.host));
        // The client's own credential and organization are not used by a token check.
        let client =
            patkit::github::GitHubClient::builder("git-credential-patkit", patkit::github::GitHubCredential::token(""))
                .base_url(base)
                .clock(self.clock.clone())
                .build()?;
        let check = client.check_token(password).await.map_err(plain)?;
        if !check.works {
            return Err(HelperError(format!("GitHub does not accept the token git approved for {}", target.host)));
        }
        let reported = request.password_expiry_utc.and_then(|t| DateTime::<Utc>::from_timestamp(t, 0));
        let metadata = PatMetadata {
            id: patkit::PatId::new(format!("{}-token", check.login.as_deref().unwrap_or("git"))),
            display_name: format!("git token for {}", target.host),
            scopes: patkit::Scopes::parse(&check.scopes.unwrap_or_default().join(" ")).unwrap_or_default(),
            valid_from: now,
            valid_to: check.expires_at.or(reported),
            extras: patkit::Extras::new(),
        };
        Ok((metadata, check.login))
    }

    /// `erase`: git reports the credential was refused: the stored token is forgotten (only
    /// when it is the one git names).
    pub async fn erase(&self, request: &Credential, target: &Target) -> Result<(), HelperError> {
        let Some(found) = self.find(target, request.username.as_deref()).await? else { return Ok(()) };
        if let Some(password) = &request.password
            && !found.entry.secret.same_as(password)
        {
            self.say(|| "git erased a credential this helper did not store; keeping ours".to_owned());
            return Ok(());
        }
        self.store.remove(&found.name).await?;
        let m = &found.entry.record.metadata;
        if !m.is_expired(self.clock.now()) {
            eprintln!(
                "git-credential-patkit: forgot {} token {} of {}; it stays valid until {} unless you revoke it \
                 in {}'s settings",
                target.provider,
                m.id,
                found.user,
                when(m.valid_to),
                target.host
            );
        }
        Ok(())
    }
}
