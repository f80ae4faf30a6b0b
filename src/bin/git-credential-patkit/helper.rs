//! What the helper does for `get`, `store` and `erase`, on patkit's public API only.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use patkit::azure::{AzureDevOpsClient, PROVIDER_NAME};
use patkit::store::{Expected, StoreErrorKind};
use patkit::{Clock, PatId, PatRecord, PatSecret, StoredPat, TokenStore};

use crate::config::Config;
use crate::credential::ToolCredential;
use crate::protocol::Credential;
use crate::provider::Kind;
use crate::target::{Target, resolve};

/// How often `get` tries to store a new PAT while other git processes keep changing the entry.
const STORE_ATTEMPTS: usize = 3;

/// A failure, with a message that never contains a secret.
#[derive(Debug)]
pub struct HelperError(pub String);

impl From<patkit::Error> for HelperError {
    fn from(e: patkit::Error) -> Self {
        let hint = match &e {
            patkit::Error::Credential { .. } => {
                "\n  hint: set AZURE_DEVOPS_ENTRA_TOKEN to a Microsoft Entra user token, or run `az login`"
            }
            patkit::Error::PolicyViolation { .. } => {
                "\n  hint: a policy refused the PAT; try a shorter --lifetime or narrower --scopes"
            }
            _ => "",
        };
        Self(format!("{e}{hint}"))
    }
}

impl From<patkit::store::StoreError> for HelperError {
    fn from(e: patkit::store::StoreError) -> Self {
        Self(format!("token store: {e}"))
    }
}

/// The helper: settings, a store, and a clock.
#[derive(Debug)]
pub struct Helper {
    config: Config,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
}

impl Helper {
    pub fn new(config: Config, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Self {
        Self { config, store, clock }
    }

    /// Non-secret diagnostics, only with `--verbose`.
    fn say(&self, message: impl FnOnce() -> String) {
        if self.config.verbose {
            eprintln!("git-credential-patkit: {}", message());
        }
    }

    fn target(&self, request: &Credential) -> Option<Target> {
        // A refused request was answered by `main` already; here it is simply not ours.
        let target = resolve(request, &self.config).ok().flatten().filter(|t| t.provider == Kind::Azure);
        if target.is_none() {
            self.say(|| {
                format!(
                    "not an Azure DevOps organization this helper serves ({}://{})",
                    request.protocol.as_deref().unwrap_or("?"),
                    request.host.as_deref().unwrap_or("?")
                )
            });
        }
        target
    }

    fn client(&self, target: &Target) -> Result<AzureDevOpsClient, HelperError> {
        let credential = ToolCredential::new(self.config.credential, &self.config.token_var);
        let mut builder = AzureDevOpsClient::builder(&target.organization, credential).clock(self.clock.clone());
        if let Some(base) = &target.api_base {
            builder = builder.base_url(base);
        }
        Ok(builder.build()?)
    }

    fn answer(&self, request: &Credential, secret: PatSecret, valid_to: Option<DateTime<Utc>>) -> Credential {
        Credential {
            username: Some(request.username.clone().unwrap_or_else(|| self.config.username.clone())),
            password: Some(secret),
            password_expiry_utc: valid_to.map(|t| t.timestamp()),
            ..Credential::default()
        }
    }

    fn fresh_enough(&self, entry: &StoredPat, now: DateTime<Utc>) -> bool {
        entry.record.metadata.remaining(now).is_none_or(|left| left > self.config.margin)
    }

    /// `get`: the stored PAT if it stays valid beyond the margin, else a newly minted one (then
    /// stored). `None` when the request is not for us.
    pub async fn get(&self, request: &Credential) -> Result<Option<Credential>, HelperError> {
        let Some(target) = self.target(request) else { return Ok(None) };
        let name = target.entry_name();
        let now = self.clock.now();
        let existing = self.store.get(&name).await?;
        if let Some(entry) = &existing {
            if self.fresh_enough(entry, now) {
                self.say(|| {
                    format!(
                        "using stored PAT {} (valid to {})",
                        entry.record.metadata.id,
                        entry.record.metadata.valid_to.map_or_else(|| "never".to_owned(), |t| t.to_string())
                    )
                });
                return Ok(Some(self.answer(request, entry.secret.clone(), entry.record.metadata.valid_to)));
            }
            self.say(|| {
                format!(
                    "stored PAT {} expires at {}; minting a new one",
                    entry.record.metadata.id,
                    entry.record.metadata.valid_to.map_or_else(|| "never".to_owned(), |t| t.to_string())
                )
            });
        }

        let client = self.client(&target)?;
        let created = self.mint(&client, &target, now).await?;
        let id = created.metadata.id.clone();
        self.say(|| {
            format!(
                "minted PAT {id} (valid to {})",
                created.metadata.valid_to.map_or_else(|| "never".to_owned(), |t| t.to_string())
            )
        });
        let valid_to = created.metadata.valid_to;
        let entry = StoredPat {
            record: PatRecord::new(name.clone(), PROVIDER_NAME, target.organization.clone(), created.metadata, now),
            secret: created.secret,
        };
        // Every PAT minted here ends stored or revoked, and every PAT it replaces is revoked:
        // nothing is left valid that no one knows about.
        let mut replaced = existing;
        for _ in 0..STORE_ATTEMPTS {
            let expected = replaced.as_ref().map_or(Expected::Absent, |e| Expected::Revision(e.record.revision));
            match self.store.compare_and_swap(entry.clone(), expected).await {
                Ok(_) => {
                    if let Some(old) = &replaced {
                        self.retire(&client, old).await;
                    }
                    return Ok(Some(self.answer(request, entry.secret, valid_to)));
                }
                Err(e) if e.kind() == StoreErrorKind::Conflict => {
                    // Another git process changed the entry meanwhile.
                    let theirs = match self.store.get(&name).await {
                        Ok(theirs) => theirs,
                        Err(e) => {
                            return Err(self
                                .abandon(&client, &id, format!("could not store it (token store: {e})"))
                                .await);
                        }
                    };
                    match theirs {
                        Some(t) if self.fresh_enough(&t, now) => {
                            // Theirs is good: use it, and revoke ours.
                            self.say(|| {
                                format!("another process stored PAT {} first; revoking {id}", t.record.metadata.id)
                            });
                            if let Err(e) = client.revoke(&id).await {
                                eprintln!(
                                    "git-credential-patkit: another process stored a PAT first, and the PAT {id} minted \
                                     here could not be revoked ({}); it still works: revoke it with `patctl revoke {id}`",
                                    HelperError::from(e).0
                                );
                            }
                            return Ok(Some(self.answer(request, t.secret.clone(), t.record.metadata.valid_to)));
                        }
                        // Theirs is stale too (or gone): replace what is there now.
                        other => replaced = other,
                    }
                }
                Err(e) => {
                    return Err(self.abandon(&client, &id, format!("could not store it (token store: {e})")).await);
                }
            }
        }
        Err(self
            .abandon(&client, &id, "could not store it: the entry kept changing under other git processes".into())
            .await)
    }

    /// Mints a PAT for `target`. When the create may have happened but its answer was lost, the
    /// PATs found under this attempt's display name (unique to it) are revoked: their secret is
    /// gone, so no one could use them.
    async fn mint(
        &self,
        client: &AzureDevOpsClient,
        target: &Target,
        now: DateTime<Utc>,
    ) -> Result<patkit::CreatedPat, HelperError> {
        let display_name = format!(
            "git-credential-patkit {}/{} {} {}",
            target.host,
            target.organization,
            now.format("%Y-%m-%dT%H:%M:%SZ"),
            nonce()
        );
        let error = match client
            .create(display_name, self.config.scopes_for(Kind::Azure))
            .expires_in(self.config.lifetime)
            .send()
            .await
        {
            Ok(created) => return Ok(created),
            Err(e) => e,
        };
        let found = match &error {
            patkit::Error::CreateOutcomeUnknown { found, .. } => found.clone(),
            _ => return Err(error.into()),
        };
        let mut left = Vec::new();
        for m in &found {
            match client.revoke(&m.id).await {
                Ok(()) => self.say(|| format!("revoked PAT {}, minted without an answer", m.id)),
                Err(_) => left.push(m.id.to_string()),
            }
        }
        let what = if found.is_empty() {
            "no PAT of this attempt was found afterwards".to_owned()
        } else if left.is_empty() {
            format!(
                "the PAT it minted ({}) was revoked",
                found.iter().map(|m| m.id.to_string()).collect::<Vec<_>>().join(", ")
            )
        } else {
            format!(
                "the PAT it minted could NOT be revoked and still works: revoke it with `patctl revoke {}`",
                left.join(" ")
            )
        };
        Err(HelperError(format!("{}; {what}; retry", HelperError::from(error).0)))
    }

    /// Revokes our PAT `id` that could not be stored, and says what became of it.
    async fn abandon(&self, client: &AzureDevOpsClient, id: &PatId, why: String) -> HelperError {
        match client.revoke(id).await {
            Ok(()) => HelperError(format!("minted PAT {id} but {why}; it was revoked, so nothing is left behind")),
            Err(e) => HelperError(format!(
                "minted PAT {id} but {why}; it could NOT be revoked ({}) and still works: revoke it with `patctl revoke {id}`",
                HelperError::from(e).0
            )),
        }
    }

    /// Revokes a PAT this helper stored and has just replaced. Failing is reported, not fatal:
    /// git gets the new PAT either way.
    async fn retire(&self, client: &AzureDevOpsClient, old: &StoredPat) {
        let id = &old.record.metadata.id;
        match client.revoke(id).await {
            Ok(()) => self.say(|| format!("revoked the replaced PAT {id}")),
            Err(e) => eprintln!(
                "git-credential-patkit: replaced PAT {id} but could not revoke it ({}); it works until {}: \
                 revoke it with `patctl revoke {id}`",
                HelperError::from(e).0,
                old.record.metadata.valid_to.map_or_else(|| "never".to_owned(), |t| t.to_string())
            ),
        }
    }

    /// `store`: git reports that the credential worked. For a PAT this helper stored, remember
    /// an expiry git reports when it is earlier than the one on record.
    pub async fn store(&self, request: &Credential) -> Result<(), HelperError> {
        let Some(target) = self.target(request) else { return Ok(()) };
        let (Some(password), Some(reported)) = (&request.password, request.password_expiry_utc) else {
            return Ok(());
        };
        let Some(mut entry) = self.store.get(&target.entry_name()).await? else { return Ok(()) };
        if !entry.secret.same_as(password) {
            self.say(|| "git stored a credential this helper did not mint; ignoring it".to_owned());
            return Ok(());
        }
        let Some(reported) = DateTime::<Utc>::from_timestamp(reported, 0) else { return Ok(()) };
        if entry.record.metadata.valid_to.is_some_and(|stored| reported >= stored) {
            return Ok(());
        }
        self.say(|| format!("git reports PAT {} expires at {reported}; recording it", entry.record.metadata.id));
        let revision = entry.record.revision;
        entry.record.metadata.valid_to = Some(reported);
        entry.record.stored_at = self.clock.now();
        match self.store.compare_and_swap(entry, Expected::Revision(revision)).await {
            Ok(_) => Ok(()),
            // Someone replaced the entry meanwhile; the newer entry wins.
            Err(e) if e.kind() == StoreErrorKind::Conflict => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// `erase`: git reports that the credential was refused. Forget the stored PAT (only if it is
    /// the one git names, when git sends a password) and, with `--revoke-on-erase`, revoke it.
    pub async fn erase(&self, request: &Credential) -> Result<(), HelperError> {
        let Some(target) = self.target(request) else { return Ok(()) };
        let name = target.entry_name();
        let Some(entry) = self.store.get(&name).await? else { return Ok(()) };
        if let Some(password) = &request.password
            && !entry.secret.same_as(password)
        {
            self.say(|| "git erased a credential this helper did not store; keeping ours".to_owned());
            return Ok(());
        }
        let id = entry.record.metadata.id.clone();
        self.store.remove(&name).await?;
        self.say(|| format!("forgot PAT {id}"));
        if !self.config.revoke_on_erase && entry.record.metadata.valid_to.is_none_or(|t| t > self.clock.now()) {
            // Not silent: the user learns the PAT is still alive and how to end it.
            eprintln!(
                "git-credential-patkit: forgot PAT {id}; it stays valid until {} unless you revoke it \
                 (`patctl revoke {id}`, or --revoke-on-erase)",
                entry.record.metadata.valid_to.map_or_else(|| "never".to_owned(), |t| t.to_string())
            );
        }
        if self.config.revoke_on_erase {
            let client = self.client(&target)?;
            client.revoke(&id).await.map_err(|e| {
                HelperError(format!(
                    "forgot PAT {id} locally, but could not revoke it: {}; revoke it with `patctl revoke {id}`",
                    HelperError::from(e).0
                ))
            })?;
            self.say(|| format!("revoked PAT {id}"));
        }
        Ok(())
    }
}

/// Eight random hex digits that keep the display names of tokens minted in the same second apart.
pub(crate) fn nonce() -> String {
    let mut bytes = [0u8; 4];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
