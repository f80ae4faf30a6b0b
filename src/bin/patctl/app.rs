//! What every command needs: the client, the token store, output settings.

use std::sync::Arc;

use patkit::azure::AzureDevOpsClient;
use patkit::{Clock, SystemClock, TokenStore};

use crate::cli::Global;
use crate::credential::ToolCredential;
use crate::failure::Failure;
use crate::store::{Names, OpenError, StoreChoice};

/// The environment of one command.
#[derive(Debug)]
pub struct App {
    pub client: AzureDevOpsClient,
    pub clock: Arc<dyn Clock>,
    pub json: bool,
    /// Whether a progress bar may be drawn (it still needs a terminal).
    pub progress: bool,
    /// `--yes`: destructive commands go ahead without asking.
    pub yes: bool,
    store_choice: Option<StoreChoice>,
    store: Option<Arc<dyn TokenStore>>,
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
        let (client, store, sample, clock) = if global.emulator {
            emulated(global, &settings).await?
        } else {
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
            (builder.build()?, None, None, clock)
        };
        Ok(Self {
            client,
            clock,
            json: global.json,
            progress: !global.no_progress,
            yes: global.yes,
            store_choice: settings.store.clone(),
            store,
            sample,
        })
    }

    /// The organization the client works in.
    pub fn organization(&self) -> &str {
        self.client.organization()
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
