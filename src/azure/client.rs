use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::zeroize::Zeroize as _;
use url::Url;

use super::request::RequestContext;
use super::validate;
use crate::auth::{AccessCredential, Credential};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Operation, RetryConfig, RetryTransport};

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
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_lifespan: Duration,
    pub(crate) recover_uncertain_creates: bool,
    /// Whether the transport is wrapped in the retry decorator (which records `attempts`).
    pub(crate) retrying: bool,
}

impl fmt::Debug for AzureDevOpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureDevOpsClient")
            .field("organization", &self.inner.ctx.organization)
            .field("base_url", &self.inner.ctx.base_url.as_str())
            .field("credential", &self.inner.credential)
            .field("transport", &self.inner.transport)
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
    recover_uncertain_creates: bool,
    retry: RetryConfig,
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
            recover_uncertain_creates: true,
            retry: RetryConfig::default(),
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
        &self.inner.clock
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub(crate) async fn credential(&self) -> Result<AccessCredential> {
        self.inner.credential.credential().await
    }

    /// Sends `request` and parses the answer, inside a `patkit.request` tracing span (level
    /// `DEBUG`) with the fields `operation`, `organization`, `status` (the last answer's),
    /// `attempts` (recorded by the retry decorator; 1 when retrying is off) and `elapsed_ms`
    /// (all attempts and waits). Never a header, a URL or a body.
    ///
    /// The body of a sensitive answer (a create's, which holds the new secret) is zeroed once
    /// `parse` is done with it.
    pub(crate) async fn execute<T>(
        &self,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        use tracing::Instrument as _;
        use tracing::field::Empty;
        let sensitive = Operation::of(&request).is_some_and(Operation::is_sensitive);
        let op = Operation::of(&request).map_or("unknown", Operation::name);
        let span = tracing::debug_span!(
            "patkit.request",
            operation = op,
            organization = %self.inner.ctx.organization,
            status = Empty,
            attempts = Empty,
            elapsed_ms = Empty
        );
        if !self.inner.retrying {
            span.record("attempts", 1);
        }
        let started = tokio::time::Instant::now();
        let response = self.inner.transport.send(request).instrument(span.clone()).await;
        span.record("elapsed_ms", u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                span.in_scope(|| tracing::debug!(error.kind = ?e.kind(), "transport failed"));
                return Err(e.into());
            }
        };
        span.record("status", response.status().as_u16());
        let result = parse(&response, self.now());
        if sensitive {
            response.into_body().zeroize();
        }
        if let Err(e) = &result {
            span.in_scope(|| tracing::debug!(error = %e, "request failed"));
        }
        result
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

    /// Whether a create that failed after it may have reached the service looks for the token by
    /// its display name and reports it in [`Error::CreateOutcomeUnknown`] (default `true`).
    pub fn recover_uncertain_creates(mut self, on: bool) -> Self {
        self.recover_uncertain_creates = on;
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
        let base_url = parse_base("base_url", self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let check_default = if self.base_url.is_some() { base_url.as_str() } else { DEFAULT_CHECK_BASE_URL };
        let check_base_url = parse_base("check_base_url", self.check_base_url.as_deref().unwrap_or(check_default))?;
        for (field, version) in
            [("api_version", &self.pat_api_version), ("token_admin_api_version", &self.admin_api_version)]
        {
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
                return Err(Error::invalid_input(field, "expected an api-version such as `7.1-preview.1`"));
            }
        }
        let mut transport = match self.transport {
            Some(t) => t,
            None => default_transport()?,
        };
        let retrying = self.retry.max_retries > 0;
        if retrying {
            transport = Arc::new(RetryTransport::new(transport, self.retry).clock(self.clock.clone()));
        }
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
                transport,
                clock: self.clock,
                max_lifespan: self.max_lifespan,
                recover_uncertain_creates: self.recover_uncertain_creates,
                retrying,
            }),
        })
    }
}

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn HttpTransport>> {
    Ok(Arc::new(crate::transport::ReqwestTransport::new()?))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn HttpTransport>> {
    Err(Error::invalid_input("transport", "no transport given and the `reqwest` feature is off; call `.transport(…)`"))
}

fn parse_base(field: &'static str, raw: &str) -> Result<Url> {
    let url: Url = raw.parse().map_err(|_| Error::invalid_input(field, "not a valid URL"))?;
    if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(field, "must be a base URL without query or fragment"));
    }
    if !crate::transport::is_allowed_url(&url) {
        return Err(Error::invalid_input(field, "must be https (plain http only to a loopback address)"));
    }
    Ok(url)
}
