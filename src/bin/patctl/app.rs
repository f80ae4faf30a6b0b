//! What every command needs: the client, the token store, output settings.

use std::sync::Arc;

use patkit::azure::AzureDevOpsClient;
use patkit::github::GitHubClient;
use patkit::gitlab::GitLabClient;
use patkit::{Clock, PatProvider, SystemClock, TokenStore};

use crate::cli::Global;
use crate::credential::ToolCredential;
use crate::failure::Failure;
use crate::provider::Kind;
use crate::store::{Names, OpenError, StoreChoice};

/// The environment of one command.
#[derive(Debug)]
pub struct App {
    /// The provider the command works with.
    pub kind: Kind,
    /// Every provider through the neutral seam (Azure DevOps too).
    pub provider: Arc<dyn PatProvider>,
    /// The Azure DevOps client, for Azure DevOps.
    azure: Option<AzureDevOpsClient>,
    /// The GitLab client, for GitLab (a user's own create, an admin's create for a user).
    pub gitlab: Option<GitLabClient>,
    /// The GitHub client, for GitHub governance.
    pub github: Option<GitHubClient>,
    /// The settings after the profile, for commands that build another client.
    pub settings: crate::profile::Settings,
    pub clock: Arc<dyn Clock>,
    pub json: bool,
    /// Whether a progress bar may be drawn (it still needs a terminal).
    pub progress: bool,
    /// `--yes`: destructive commands go ahead without asking.
    pub yes: bool,
    store_choice: Option<StoreChoice>,
    store: Option<Arc<dyn TokenStore>>,
    /// How to reach another organization the same way: credential source, its variable, the
    /// API URL (unused with --emulator).
    credential: crate::credential::Source,
    token_var: String,
    base_url: Option<String>,
    /// The emulator and its sample users, with `--emulator`.
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))]
    pub sample: Option<Sample>,
}

#[cfg(feature = "emulator")]
pub use crate::sample::Sample;
/// Without the `emulator` feature there is never a sample.
#[cfg(not(feature = "emulator"))]
pub type Sample = std::convert::Infallible;

impl App {
    pub async fn new(global: &Global) -> Result<Self, Failure> {
        let settings = crate::profile::resolve(global)?;
        if let Some(profile) = &settings.profile {
            tracing::debug!(profile = %profile, "patctl: settings: profile");
        }
        let kind = settings.kind;
        let c = match (kind, global.emulator) {
            (Kind::Azure, true) => {
                let (client, store, sample, clock) = emulated(global, &settings).await?;
                let mut c = Connected::new(Arc::new(client.clone()));
                c.azure = Some(client);
                c.store = store;
                c.sample = sample;
                c.clock = clock;
                c
            }
            (Kind::GitLab, true) => emulated_gitlab(global).await?,
            (_, true) => {
                return Err(Failure::usage(format!("--emulator has a sample for azure and gitlab, not for {kind}")));
            }
            (Kind::Azure, false) => {
                let org = settings.org.as_deref().ok_or_else(|| {
                    Failure::usage(
                        "no organization: pass --org ORG, set AZURE_DEVOPS_ORG or use a --profile (or try --emulator)",
                    )
                })?;
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let mut builder =
                    AzureDevOpsClient::builder(org, ToolCredential::new(settings.credential, &settings.token_var))
                        .clock(clock.clone());
                if let Some(url) = &settings.base_url {
                    builder = builder.base_url(url);
                }
                tracing::debug!(
                    organization = org,
                    base_url = settings.base_url.as_deref().unwrap_or("https://vssps.dev.azure.com"),
                    credential = ?settings.credential,
                    token_var = %settings.token_var,
                    "patctl: settings"
                );
                let client = builder.build()?;
                let mut c = Connected::new(Arc::new(client.clone()));
                c.azure = Some(client);
                c
            }
            (kind, false) => crate::providers::connect(kind, &settings)?,
        };
        Ok(Self {
            kind,
            provider: c.provider,
            azure: c.azure,
            gitlab: c.gitlab,
            github: c.github,
            settings: settings.clone(),
            clock: c.clock,
            json: global.json,
            progress: !global.no_progress,
            yes: global.yes,
            store_choice: settings.store.clone(),
            store: c.store,
            sample: c.sample,
            credential: settings.credential,
            token_var: settings.token_var.clone(),
            base_url: settings.base_url.clone(),
        })
    }

    /// The Azure DevOps client; the Azure DevOps commands run only with it.
    pub fn azure(&self) -> Result<&AzureDevOpsClient, Failure> {
        self.azure.as_ref().ok_or_else(|| {
            Failure::lacks(
                self.kind,
                "this command (offboarding is Azure DevOps' Token Admin; on GitHub, `patctl github revoke-grants`)",
            )
        })
    }

    /// A client for organization `org` with the same credential, API URL and clock (with
    /// --emulator: the sample's emulator, as its admin).
    pub fn client_for(&self, org: &str) -> Result<AzureDevOpsClient, Failure> {
        self.azure()?;
        #[cfg(feature = "emulator")]
        if let Some(sample) = &self.sample {
            return Ok(AzureDevOpsClient::builder(org, sample.alice.credential())
                .transport(sample.emulator.clone())
                .clock(self.clock.clone())
                .build()?);
        }
        let mut builder = AzureDevOpsClient::builder(org, ToolCredential::new(self.credential, &self.token_var))
            .clock(self.clock.clone());
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        Ok(builder.build()?)
    }

    /// The organization (Azure DevOps, GitHub) or host (the others) the provider works in.
    pub fn organization(&self) -> &str {
        self.provider.organization()
    }

    /// The token store: `--store`, else the sample store with `--emulator`, else the default
    /// (the OS keyring when one answers and the default file store does not exist, else that
    /// file store).
    pub async fn store(&self) -> Result<Arc<dyn TokenStore>, Failure> {
        if self.store_choice.is_none()
            && let Some(store) = &self.store
        {
            tracing::debug!("patctl: token store: the emulator's sample store (in memory)");
            return Ok(store.clone());
        }
        let opened = crate::store::open(self.store_choice.as_ref(), STORE_NAMES).await.map_err(|e| match e {
            OpenError::Usage(message) => Failure::usage(message),
            OpenError::Store(e) => Failure::from(e),
        })?;
        tracing::debug!(store = %opened.description, "patctl: token store");
        Ok(opened.store)
    }
}

/// patctl's own stores: `tokens` in the data directory, keyring service `patkit-tokens`, Vault
/// prefix `patkit/tokens`.
const STORE_NAMES: Names = Names { dir: "tokens", service: "patkit-tokens", vault_prefix: "patkit/tokens" };

type Emulated = (AzureDevOpsClient, Option<Arc<dyn TokenStore>>, Option<Sample>, Arc<dyn Clock>);

/// The sample, on the system clock or, with `PATCTL_EMULATOR_NOW`, on a clock standing at that
/// instant, which the emulator, the client and the commands all share.
/// What a provider's set-up gives the [`App`].
#[derive(Debug)]
pub struct Connected {
    pub provider: Arc<dyn PatProvider>,
    pub azure: Option<AzureDevOpsClient>,
    pub gitlab: Option<GitLabClient>,
    pub github: Option<GitHubClient>,
    pub store: Option<Arc<dyn TokenStore>>,
    pub sample: Option<Sample>,
    pub clock: Arc<dyn Clock>,
}

impl Connected {
    /// `provider` on the system clock, with nothing else.
    pub fn new(provider: Arc<dyn PatProvider>) -> Self {
        Self {
            provider,
            azure: None,
            gitlab: None,
            github: None,
            store: None,
            sample: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// `--emulator --provider gitlab`: the GitLab sample.
#[cfg(feature = "emulator")]
async fn emulated_gitlab(global: &Global) -> Result<Connected, Failure> {
    let clock: Arc<dyn Clock> = match global.emulator_now {
        Some(now) => Arc::new(patkit::ManualClock::new(now)),
        None => Arc::new(SystemClock),
    };
    let sample = crate::sample::GitLabSample::new(clock.clone()).await?;
    let mut c = Connected::new(Arc::new(sample.client.clone()));
    c.gitlab = Some(sample.client);
    c.store = Some(sample.store);
    c.clock = clock;
    Ok(c)
}

#[cfg(not(feature = "emulator"))]
async fn emulated_gitlab(_global: &Global) -> Result<Connected, Failure> {
    Err(Failure::usage("this patctl was built without the `emulator` feature; rebuild with --features emulator"))
}

#[cfg(feature = "emulator")]
async fn emulated(global: &Global, settings: &crate::profile::Settings) -> Result<Emulated, Failure> {
    let clock: Arc<dyn Clock> = match global.emulator_now {
        Some(now) => Arc::new(patkit::ManualClock::new(now)),
        None => Arc::new(SystemClock),
    };
    tracing::debug!(now = %clock.now(), "patctl: settings: the in-process emulator");
    let sample = crate::sample::Sample::new(global.emulator_extra, clock.clone()).await?;
    let org = settings.org.as_deref().unwrap_or(crate::sample::ORG);
    let client = AzureDevOpsClient::builder(org, sample.alice.credential())
        .transport(sample.emulator.clone())
        .clock(clock.clone())
        .build()?;
    Ok((client, Some(sample.store.clone()), Some(sample), clock))
}

#[cfg(not(feature = "emulator"))]
async fn emulated(_global: &Global, _settings: &crate::profile::Settings) -> Result<Emulated, Failure> {
    Err(Failure::usage("this patctl was built without the `emulator` feature; rebuild with --features emulator"))
}
