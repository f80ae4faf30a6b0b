//! [`GitLabClient`] and its builder, on the crate's shared client core.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderValue, Method};

use super::operations as op;
use super::request::RequestContext;
use crate::admin::UserId;
use crate::auth::{AccessCredential, Credential};
use crate::client::{Core, base_url};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, OverLimit, Pacing, RetryConfig};

/// gitlab.com's API.
pub const DEFAULT_BASE_URL: &str = "https://gitlab.com/api/v4";

/// How long a token rotated through [`PatProvider::rotate_pat`](crate::PatProvider::rotate_pat)
/// lives when the caller names no expiry: 90 days (GitLab's own default, one week, is never
/// relied on; patkit always sends `expires_at`).
pub const DEFAULT_ROTATION_LIFETIME: Duration = Duration::from_secs(90 * 86_400);

/// The longest [`rotation_lifetime`](GitLabClientBuilder::rotation_lifetime): 400 days, GitLab's
/// longest token lifetime (365 days by default; 400 with `buffered_token_expiration_limit`).
pub const MAX_ROTATION_LIFETIME: Duration = Duration::from_secs(400 * 86_400);

/// A client for one GitLab instance's access tokens (gitlab.com or self-managed,
/// `https://HOST/api/v4`).
///
/// Cheap to clone (an `Arc` inside); builders returned by its methods own a clone, so their
/// futures are `'static` and can be spawned.
///
/// - Personal access tokens: [`list`](Self::list), [`get`](Self::get), [`get_self`](Self::get_self),
///   [`rotate`](Self::rotate), [`rotate_self`](Self::rotate_self), [`revoke`](Self::revoke),
///   [`revoke_self`](Self::revoke_self), [`create_for_user`](Self::create_for_user) (admins),
///   [`create_own`](Self::create_own) (`k8s_proxy`/`self_rotate` only),
///   [`associations`](Self::associations);
/// - project and group access tokens: [`resource_tokens`](Self::resource_tokens).
///
/// **401 for an id.** GitLab answers 401 (not 404) when a non-admin asks for a token that does not
/// exist or is someone else's. When a call about one token id gets a 401, the client probes the
/// credential once (`GET /personal_access_tokens/self` for an access token, `GET /user` for an
/// OAuth token): if the probe is accepted, the answer is [`Error::NotFound`]; if it is refused
/// too, [`Error::AuthRequired`]. A rotate or create is never re-sent by this (the probe is a
/// read).
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::gitlab::{GitLabClient, GitLabCredential};
/// use patkit::testing::{MockResponse, MockTransport, Route};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let body = r#"{"id":4,"name":"ci","revoked":false,"created_at":"2026-01-01T00:00:00.000Z",
///                "scopes":["api"],"user_id":3,"active":true,"expires_at":"2026-12-31"}"#;
/// let mock = MockTransport::new().on(Route::get("/api/v4/personal_access_tokens/4"), MockResponse::json(200, body));
/// let client = GitLabClient::builder(GitLabCredential::private_token("glpat-example".to_owned()))
///     .base_url("https://gitlab.example/api/v4")
///     .transport(mock)
///     .build()?;
/// let token = client.get(&patkit::PatId::new("4")).await?;
/// assert_eq!(token.metadata.display_name, "ci");
/// assert_eq!(token.metadata.valid_to.unwrap().to_rfc3339(), "2026-12-31T00:00:00+00:00");
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct GitLabClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) ctx: RequestContext,
    pub(crate) host: String,
    pub(crate) credential: Arc<dyn Credential>,
    pub(crate) core: Core,
    pub(crate) create_for: Option<UserId>,
    pub(crate) rotation_lifetime: Duration,
    /// `list_pats` lists every user's tokens (no `user_id` filter): an administrator's scan.
    pub(crate) all_users: bool,
    /// The caller's user id, once read (what `list_pats` narrows an admin's listing to).
    pub(crate) own_user_id: tokio::sync::OnceCell<u64>,
}

impl fmt::Debug for GitLabClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitLabClient")
            .field("base_url", &self.inner.ctx.base_url.as_str())
            .field("sudo", &self.inner.ctx.sudo.is_some())
            .field("create_for", &self.inner.create_for)
            .field("all_users", &self.inner.all_users)
            .field("credential", &self.inner.credential)
            .field("transport", self.inner.core.transport())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`GitLabClient`]; from [`GitLabClient::builder`].
#[derive(Debug)]
pub struct GitLabClientBuilder {
    credential: Arc<dyn Credential>,
    base_url: Option<String>,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Arc<dyn Clock>,
    retry: RetryConfig,
    pacing: Pacing,
    sudo: Option<String>,
    create_for: Option<UserId>,
    rotation_lifetime: Duration,
    all_users: bool,
}

impl GitLabClient {
    /// Settings for a client authenticated by `credential` (usually a
    /// [`GitLabCredential`](super::GitLabCredential)).
    pub fn builder(credential: impl Credential + 'static) -> GitLabClientBuilder {
        GitLabClientBuilder {
            credential: Arc::new(credential),
            base_url: None,
            transport: None,
            clock: Arc::new(SystemClock),
            retry: RetryConfig::default(),
            pacing: Pacing::default(),
            sudo: None,
            create_for: None,
            rotation_lifetime: DEFAULT_ROTATION_LIFETIME,
            all_users: false,
        }
    }

    /// The API base URL, e.g. `https://gitlab.com/api/v4`.
    pub fn base_url(&self) -> &str {
        self.inner.ctx.base_url.as_str()
    }

    /// The host this client manages tokens on (what [`PatProvider::organization`](crate::PatProvider::organization) answers).
    pub fn host(&self) -> &str {
        &self.inner.host
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

    pub(crate) fn ctx(&self) -> &RequestContext {
        &self.inner.ctx
    }

    /// Sends `request` and parses the answer with the shared core (the `patkit.request` span,
    /// its `organization` field this client's host).
    pub(crate) async fn execute<T>(
        &self,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.inner.core.execute(&self.inner.host, request, parse).await
    }

    /// Turns a 401 about token `id` into [`Error::NotFound`] when the credential itself is fine
    /// (see the type's docs); any other error is returned as it is.
    pub(crate) async fn not_found_if_credential_works(&self, error: Error, id: &PatId) -> Error {
        if matches!(error, Error::AuthRequired { .. }) && self.credential_works().await {
            return Error::NotFound { id: Some(id.clone()) };
        }
        error
    }

    /// Whether GitLab accepts the client's credential (one read: `personal_access_tokens/self`
    /// for an access token, else `user`), to tell GitLab's 401 for "not yours" from a dead
    /// credential.
    pub(crate) async fn credential_works(&self) -> bool {
        let Ok(credential) = self.credential().await else { return false };
        let (segments, probe_op): (&[&str], _) = match credential {
            AccessCredential::Header { ref name, .. } if name.as_str() == super::PRIVATE_TOKEN_HEADER => {
                (&["personal_access_tokens", "self"], op::PAT_GET_SELF)
            }
            _ => (&["user"], op::USER),
        };
        let url = self.ctx().url(segments);
        let Ok(request) = self.ctx().build(Method::GET, url, probe_op, &credential, None) else { return false };
        // Accepted, or recognised but short of a scope: the credential works.
        matches!(self.execute(request, |r, _| Ok(r.status().as_u16())).await,
            Ok(status) if (200..300).contains(&status) || status == 403)
    }
}

impl GitLabClientBuilder {
    /// The API base URL (default [`DEFAULT_BASE_URL`]); for self-managed GitLab
    /// `https://HOST/api/v4`. https, or plain http to a loopback address only.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How requests are sent. Default: a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (feature `reqwest`); without that feature a transport is required.
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]): expiry dates, `Retry-After` dates.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
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

    /// How failed requests are retried (default [`RetryConfig::default`]). Creates and rotates
    /// are never re-sent once they may have reached GitLab, whatever this says.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Every request carries `Sudo: <user>` (a username or numeric id): an administrator's
    /// token with the `sudo` scope then acts as that user.
    pub fn sudo(mut self, user: impl Into<String>) -> Self {
        self.sudo = Some(user.into());
        self
    }

    /// Makes [`PatProvider::create_pat`](crate::PatProvider::create_pat) available, creating
    /// tokens for `user` (a numeric GitLab user id) with `POST /users/:user_id/personal_access_tokens`.
    /// That endpoint is for instance administrators on self-managed GitLab and Dedicated; without
    /// this setting the provider does not claim `create` (gitlab.com has no customer admins).
    pub fn create_for_user(mut self, user: impl Into<UserId>) -> Self {
        self.create_for = Some(user.into());
        self
    }

    /// How long a rotated token lives when [`PatProvider::rotate_pat`](crate::PatProvider::rotate_pat)
    /// is given no expiry (default [`DEFAULT_ROTATION_LIFETIME`], at most [`MAX_ROTATION_LIFETIME`]); rounded up to a date by
    /// [`ExpiryDate::covering`](super::ExpiryDate::covering).
    pub fn rotation_lifetime(mut self, lifetime: Duration) -> Self {
        self.rotation_lifetime = lifetime;
        self
    }

    /// With `true`, [`PatProvider::list_pats`](crate::PatProvider::list_pats) (and so a
    /// [`Scan`](crate::lifecycle::Scan) of this client) lists **every user's** tokens: it sends
    /// no `user_id` filter, and an administrator's `GET /personal_access_tokens` answers the
    /// tokens of the whole instance. Default `false`: the caller's own tokens only (`user_id` =
    /// the caller's id).
    ///
    /// Needs an instance administrator's credential (self-managed or Dedicated; `read_api` or
    /// `api` scope). For anyone else GitLab silently answers only their own tokens, so a scan
    /// with a non-admin credential is not a census of the instance.
    pub fn all_users(mut self, all: bool) -> Self {
        self.all_users = all;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<GitLabClient> {
        let base_url = base_url::parse("base_url", self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let host = base_url.host_str().to_owned();
        let sudo = match self.sudo {
            Some(user) if !user.is_empty() && user.len() <= 255 && user.bytes().all(|b| b.is_ascii_graphic()) => {
                Some(HeaderValue::from_str(&user).map_err(|_| Error::invalid_input("sudo", "not a header value"))?)
            }
            Some(_) => return Err(Error::invalid_input("sudo", "expected a GitLab username or user id")),
            None => None,
        };
        if let Some(user) = &self.create_for {
            super::request::user_id(user)?;
        }
        if self.rotation_lifetime.is_zero() || self.rotation_lifetime > MAX_ROTATION_LIFETIME {
            return Err(Error::invalid_input(
                "rotation_lifetime",
                "must be longer than zero and at most 400 days (GitLab's longest token lifetime)",
            ));
        }
        let core = Core::new(self.transport, self.retry, self.clock, self.pacing, OverLimit::Refused)?;
        Ok(GitLabClient {
            inner: Arc::new(Inner {
                ctx: RequestContext { base_url, sudo },
                host,
                credential: self.credential,
                core,
                create_for: self.create_for,
                rotation_lifetime: self.rotation_lifetime,
                all_users: self.all_users,
                own_user_id: tokio::sync::OnceCell::new(),
            }),
        })
    }
}
