//! What the helper does for `get`, `store` and `erase`, on patkit's public API only.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use patkit::azure::{AzureDevOpsClient, PROVIDER_NAME};
use patkit::store::{Expected, StoreErrorKind};
use patkit::{Clock, PatRecord, PatSecret, StoredPat, TokenStore};

use crate::config::Config;
use crate::credential::ToolCredential;
use crate::protocol::Credential;
use crate::target::{Target, resolve};

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
        let target = resolve(request, &self.config).ok().flatten();
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

    fn answer(&self, request: &Credential, secret: PatSecret, valid_to: DateTime<Utc>) -> Credential {
        Credential {
            username: Some(request.username.clone().unwrap_or_else(|| self.config.username.clone())),
            password: Some(secret),
            password_expiry_utc: Some(valid_to.timestamp()),
            ..Credential::default()
        }
    }

    fn fresh_enough(&self, entry: &StoredPat, now: DateTime<Utc>) -> bool {
        entry.record.metadata.remaining(now) > self.config.margin
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
                        entry.record.metadata.id, entry.record.metadata.valid_to
                    )
                });
                return Ok(Some(self.answer(request, entry.secret.clone(), entry.record.metadata.valid_to)));
            }
            self.say(|| {
                format!(
                    "stored PAT {} expires at {}; minting a new one",
                    entry.record.metadata.id, entry.record.metadata.valid_to
                )
            });
        }

        let client = self.client(&target)?;
        let display_name = format!(
            "git-credential-patkit {}/{} {}",
            target.host,
            target.organization,
            now.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let created =
            client.create(display_name, self.config.scopes.clone()).expires_in(self.config.lifetime).send().await?;
        self.say(|| format!("minted PAT {} (valid to {})", created.metadata.id, created.metadata.valid_to));
        let valid_to = created.metadata.valid_to;
        let entry = StoredPat {
            record: PatRecord::new(name.clone(), PROVIDER_NAME, target.organization.clone(), created.metadata, now),
            secret: created.secret,
        };
        let expected = existing.as_ref().map_or(Expected::Absent, |e| Expected::Revision(e.record.revision));
        let secret = entry.secret.clone();
        let id = entry.record.metadata.id.clone();
        match self.store.compare_and_swap(entry, expected).await {
            Ok(_) => Ok(Some(self.answer(request, secret, valid_to))),
            Err(e) if e.kind() == StoreErrorKind::Conflict => {
                // Another git process stored a PAT meanwhile: use theirs if it is good, and
                // revoke ours so no unstored token is left alive.
                let theirs = self.store.get(&name).await?;
                match theirs {
                    Some(t) if self.fresh_enough(&t, now) => {
                        self.say(|| {
                            format!("another process stored PAT {} first; revoking {id}", t.record.metadata.id)
                        });
                        if let Err(e) = client.revoke(&id).await {
                            eprintln!(
                                "git-credential-patkit: could not revoke the unneeded PAT {id}: {e}; revoke it with `patctl revoke {id}`"
                            );
                        }
                        Ok(Some(self.answer(request, t.secret.clone(), t.record.metadata.valid_to)))
                    }
                    _ => Ok(Some(self.answer(request, secret, valid_to))),
                }
            }
            Err(e) => {
                // Not stored: the token would be lost; revoke it and report.
                let _ = client.revoke(&id).await;
                Err(e.into())
            }
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
        if reported >= entry.record.metadata.valid_to {
            return Ok(());
        }
        self.say(|| format!("git reports PAT {} expires at {reported}; recording it", entry.record.metadata.id));
        let revision = entry.record.revision;
        entry.record.metadata.valid_to = reported;
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
