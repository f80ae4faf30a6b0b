use super::GlobalReplacement;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::request::RequestContext;
use super::validate;
use crate::auth::{AccessCredential, Credential};
use crate::client::{Core, base_url};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, OverLimit, Pacing, RetryConfig};

/// The public Azure DevOps host of the PAT and Token Admin APIs.
pub const DEFAULT_BASE_URL: &str = "https://vssps.dev.azure.com";
/// Where a PAT is tried out by [`AzureDevOpsClient::check_pat`] on the public service.
pub const DEFAULT_CHECK_BASE_URL: &str = "https://dev.azure.com";
/// api-version sent to the PAT Lifecycle API.
pub const DEFAULT_PAT_API_VERSION: &str = "7.1-preview.1";
/// api-version sent to the Token Admin API (GA since 2024-09).
pub const DEFAULT_TOKEN_ADMIN_API_VERSION: &str = "7.1";

/// A client for one Azure DevOps organization's PATs.
///
/// Cheap to clone (an `Arc` inside); builders returned by its methods own a clone, so their
/// futures are `'static` and can be spawned.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::Emulator;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let alice = emulator.add_user("Alice");
/// let client = AzureDevOpsClient::builder("fabrikam", alice.credential())
///     .transport(emulator.clone())
///     .build()?;
/// let created = client.create("ci", patkit::Scopes::parse("vso.code")?).send().await?;
/// assert_eq!(client.get(&created.metadata.id).await?.display_name, "ci");
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct AzureDevOpsClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) ctx: RequestContext,
    pub(crate) credential: Arc<dyn Credential>,
    /// Transport (with retries), clock and the instrumented send.
    pub(crate) core: Core,
    pub(crate) max_lifespan: Duration,
    pub(crate) global_replacement: GlobalReplacement,
    pub(crate) recover_uncertain_creates: bool,
}

impl fmt::Debug for AzureDevOpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureDevOpsClient")
            .field("organization", &self.inner.ctx.organization)
            .field("base_url", &self.inner.ctx.base_url.as_str())
            .field("credential", &self.inner.credential)
            .field("transport", self.inner.core.transport())
            .finish_non_exhaustive()
    }
}

/// Settings for an [`AzureDevOpsClient`]; from [`AzureDevOpsClient::builder`].
#[derive(Debug)]
pub struct AzureDevOpsClientBuilder {
    organization: String,
    credential: Arc<dyn Credential>,
    base_url: Option<String>,
    check_base_url: Option<String>,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Arc<dyn Clock>,
    pat_api_version: String,
    admin_api_version: String,
    max_lifespan: Duration,
    global_replacement: GlobalReplacement,
    recover_uncertain_creates: bool,
    retry: RetryConfig,
    pacing: Pacing,
}

impl AzureDevOpsClient {
    /// Settings for a client of `organization` authenticated by `credential`.
    pub fn builder(organization: impl Into<String>, credential: impl Credential + 'static) -> AzureDevOpsClientBuilder {
        AzureDevOpsClientBuilder {
            organization: organization.into(),
            credential: Arc::new(credential),
            base_url: None,
            check_base_url: None,
            transport: None,
            clock: Arc::new(SystemClock),
            pat_api_version: DEFAULT_PAT_API_VERSION.to_owned(),
            admin_api_version: DEFAULT_TOKEN_ADMIN_API_VERSION.to_owned(),
            max_lifespan: validate::DEFAULT_MAX_LIFESPAN,
            global_replacement: GlobalReplacement::default(),
            recover_uncertain_creates: true,
            retry: RetryConfig::default(),
            pacing: Pacing::default(),
        }
    }

    /// A client with default settings over `transport`.
    pub fn new(
        organization: impl Into<String>,
        credential: impl Credential + 'static,
        transport: impl HttpTransport + 'static,
    ) -> Result<Self> {
        Self::builder(organization, credential).transport(transport).build()
    }

    /// The organization this client manages tokens in.
    pub fn organization(&self) -> &str {
        &self.inner.ctx.organization
    }

    /// The clock the client reads "now" from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        self.inner.core.clock()
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.core.now()
    }

    pub(crate) async fn credential(&self) -> Result<AccessCredential> {
        self.inner.credential.credential().await
    }

    /// Sends `request` and parses the answer with the shared [`Core::execute`] (the
    /// `patkit.request` span, its `organization` field this client's organization; a sensitive
    /// answer's body zeroed after parsing).
    pub(crate) async fn execute<T>(
        &self,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.inner.core.execute(&self.inner.ctx.organization, request, parse).await
    }
}

impl AzureDevOpsClientBuilder {
    /// The API host (default [`DEFAULT_BASE_URL`]); for Azure DevOps Server, a proxy or the
    /// emulator. Unless [`check_base_url`](Self::check_base_url) is set too, PATs are also
    /// checked against this host.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Where [`AzureDevOpsClient::check_pat`] tries a PAT out (default
    /// [`DEFAULT_CHECK_BASE_URL`], or the `base_url` when that was overridden).
    pub fn check_base_url(mut self, url: impl Into<String>) -> Self {
        self.check_base_url = Some(url.into());
        self
    }

    /// How requests are sent. Default: a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (feature `reqwest`); without that feature a transport is required.
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]): expiry checks, `Retry-After` dates.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// api-version for the PAT API (default [`DEFAULT_PAT_API_VERSION`]; it must carry
    /// `-preview`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.pat_api_version = version.into();
        self
    }

    /// api-version for Token Admin (default [`DEFAULT_TOKEN_ADMIN_API_VERSION`]).
    pub fn token_admin_api_version(mut self, version: impl Into<String>) -> Self {
        self.admin_api_version = version.into();
        self
    }

    /// The longest lifetime a new or extended token may ask for (default one year). Requests
    /// beyond it are refused before sending. Set it to your tenant's maximum-lifespan policy.
    pub fn max_lifespan(mut self, lifespan: Duration) -> Self {
        self.max_lifespan = lifespan;
        self
    }

    /// What a rotation creates in place of a *global* token (default
    /// [`GlobalReplacement::ProviderOrganization`]: one bound to this client's organization,
    /// since Azure DevOps retires global PATs on 2026-12-01). Read by this client's
    /// [`PatProvider::replacement_spec`](crate::PatProvider::replacement_spec).
    pub fn global_replacement(mut self, replacement: GlobalReplacement) -> Self {
        self.global_replacement = replacement;
        self
    }

    /// Whether a create that failed after it may have reached the service looks for the token by
    /// its display name and reports it in [`Error::CreateOutcomeUnknown`] (default `true`).
    pub fn recover_uncertain_creates(mut self, on: bool) -> Self {
        self.recover_uncertain_creates = on;
        self
    }
    /// How requests are paced (default [`Pacing::Adaptive`] with
    /// [`PacingLimits::default`](crate::transport::PacingLimits::default)): one
    /// [`Pacer`](crate::transport::Pacer) per client, shared by its clones and concurrent tasks,
    /// reads the service's rate-limit headers and `Retry-After`, keeps requests within the budget
    /// they report and adapts how many are in flight; bulk flows (rotation, offboarding, scans)
    /// take their concurrency from it when their caller set none. [`Pacing::Off`] sends each
    /// request when it is made.
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// How failed requests are retried (default [`RetryConfig::default`]: connection failures,
    /// 408/429/5xx and `Retry-After` respected, within a time budget; a create is never re-sent
    /// once it may have reached the service). [`RetryConfig::none`] turns retries off, e.g. when
    /// the transport you pass already retries.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<AzureDevOpsClient> {
        validate::organization(&self.organization)?;
        let base_url = base_url::parse("base_url", self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let check_default = if self.base_url.is_some() { base_url.as_str() } else { DEFAULT_CHECK_BASE_URL };
        let check_base_url =
            base_url::parse("check_base_url", self.check_base_url.as_deref().unwrap_or(check_default))?;
        for (field, version) in
            [("api_version", &self.pat_api_version), ("token_admin_api_version", &self.admin_api_version)]
        {
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
                return Err(Error::invalid_input(field, "expected an api-version such as `7.1-preview.1`"));
            }
        }
        let core = Core::new(self.transport, self.retry, self.clock, self.pacing, OverLimit::Held)?;
        Ok(AzureDevOpsClient {
            inner: Arc::new(Inner {
                ctx: RequestContext {
                    base_url,
                    check_base_url,
                    organization: self.organization,
                    pat_api_version: self.pat_api_version,
                    admin_api_version: self.admin_api_version,
                },
                credential: self.credential,
                core,
                max_lifespan: self.max_lifespan,
                global_replacement: self.global_replacement,
                recover_uncertain_creates: self.recover_uncertain_creates,
            }),
        })
    }
}
