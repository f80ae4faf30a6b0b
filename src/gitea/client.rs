//! [`GiteaClient`] and its builder, on the crate's shared client core.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::Flavor;
use super::classify::{Asked, scrubbed};
use super::request::{Prepared, RequestContext, username};
use crate::auth::PasswordCredential;
use crate::client::{Core, base_url};
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, OverLimit, Pacing, RetryConfig};

/// A client for the access tokens of one Gitea or Forgejo instance (`https://HOST/api/v1`).
///
/// Gitea mints, lists and deletes tokens only for a **password** login (HTTP Basic with the
/// account's password; a token is refused), plus a one-time code for a two-factor account, sent
/// in `X-Gitea-OTP` or, for [`Flavor::Forgejo`], `X-Forgejo-OTP`. The client holds a
/// [`PasswordCredential`] for that and nothing else; it never stores the password. The token
/// check ([`check`](Self::check)) is made with the token itself.
///
/// - [`list`](Self::list) (page / limit ≤ [`MAX_LIMIT`](super::MAX_LIMIT)),
///   [`create`](Self::create), [`delete`](Self::delete) by id, [`delete_by_name`](Self::delete_by_name),
///   [`check`](Self::check); a site administrator's [`list_user`](Self::list_user),
///   [`create_for_user`](Self::create_for_user) and [`delete_user_token`](Self::delete_user_token).
/// - No get, update, rotate or expiry: Gitea has none (tokens live until deleted).
/// - Tokens are the [`owner`](GiteaClientBuilder::owner)'s, by default the login's user name.
///
/// Cheap to clone (an `Arc` inside); builders returned by its methods own a clone, so their
/// futures are `'static` and can be spawned.
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::auth::PasswordCredential;
/// use patkit::gitea::{GiteaClient, NewToken};
/// use patkit::testing::{MockResponse, MockTransport, Route};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let created = r#"{"id":7,"name":"ci-bot","sha1":"9fcb1158165773dd010fca5f0cf7174316c3e37d",
///                   "token_last_eight":"16c3e37d","scopes":["write:repository"]}"#;
/// let mock = MockTransport::new().on(Route::post("/api/v1/users/alice/tokens"), MockResponse::json(201, created));
/// let client = GiteaClient::builder("https://gitea.example/api/v1", PasswordCredential::new("alice", "pw".to_owned()))
///     .transport(mock)
///     .build()?;
/// let token = client.create(&NewToken::new("ci-bot", patkit::Scopes::parse("write:repository")?)).await?;
/// assert_eq!(token.metadata.id.as_str(), "7");
/// assert_eq!(token.metadata.valid_to, None); // Gitea tokens never expire
/// assert_eq!(token.secret.expose_secret().len(), 40);
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct GiteaClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) ctx: RequestContext,
    pub(crate) host: String,
    pub(crate) credential: PasswordCredential,
    pub(crate) owner: String,
    pub(crate) core: Core,
    /// Whose each token is, as an administrator's [`PatAdmin::list_user_pats`](crate::PatAdmin::list_user_pats)
    /// found them (a delete needs the owner's name in its path).
    pub(crate) owners: Mutex<HashMap<PatId, String>>,
}

impl fmt::Debug for GiteaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GiteaClient")
            .field("base_url", &self.inner.ctx.base_url.as_str())
            .field("flavor", &self.inner.ctx.flavor)
            .field("owner", &self.inner.owner)
            .field("credential", &self.inner.credential)
            .field("transport", self.inner.core.transport())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`GiteaClient`]; from [`GiteaClient::builder`].
#[derive(Debug)]
pub struct GiteaClientBuilder {
    base_url: String,
    credential: PasswordCredential,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Arc<dyn Clock>,
    retry: RetryConfig,
    pacing: Pacing,
    flavor: Flavor,
    owner: Option<String>,
}

impl GiteaClient {
    /// Settings for a client of the instance at `base_url` (`https://HOST/api/v1`; https, or
    /// plain http to a loopback address only) that logs in with `credential`.
    pub fn builder(base_url: impl Into<String>, credential: PasswordCredential) -> GiteaClientBuilder {
        GiteaClientBuilder {
            base_url: base_url.into(),
            credential,
            transport: None,
            clock: Arc::new(SystemClock),
            retry: RetryConfig::default(),
            pacing: Pacing::default(),
            flavor: Flavor::Gitea,
            owner: None,
        }
    }

    /// The API base URL, e.g. `https://gitea.example/api/v1`.
    pub fn base_url(&self) -> &str {
        self.inner.ctx.base_url.as_str()
    }

    /// The host this client manages tokens on (what [`PatProvider::organization`](crate::PatProvider::organization) answers).
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// Gitea or Forgejo.
    pub fn flavor(&self) -> Flavor {
        self.inner.ctx.flavor
    }

    /// Whose tokens [`list`](Self::list), [`create`](Self::create) and [`delete`](Self::delete)
    /// manage: the [`owner`](GiteaClientBuilder::owner), by default the login's user name.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// The clock the client reads "now" from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        self.inner.core.clock()
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

    /// One token-management call whose input is already checked (`prepared`): logs in (asking
    /// a prompt where one is configured), adds the login to the request, sends it and parses the
    /// answer; an error never quotes the password or the one-time code.
    pub(crate) async fn managed<T>(
        &self,
        prepared: Prepared,
        id: Option<&PatId>,
        parse: impl FnOnce(&HttpResponse, &Asked<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let op = prepared.op;
        let login = self.inner.credential.login().await?;
        let request = self.ctx().managed(prepared, &login)?;
        let code = login.one_time_code();
        let scrub: Vec<&str> =
            [Some(login.password().expose_secret()), code.map(|c| c.expose_secret())].into_iter().flatten().collect();
        let asked = Asked { op, id, otp_sent: Some(code.is_some()), flavor: self.flavor(), scrub: &scrub };
        // Scrubbed inside the parse, so the core's log line of the error is clean too.
        self.execute(request, |r, now| parse(r, &asked, now).map_err(|e| scrubbed(e, &scrub))).await
    }

    /// Remembers whose tokens these are (an administrator's listing).
    pub(crate) fn remember_owner(&self, ids: impl IntoIterator<Item = PatId>, owner: &str) {
        let mut owners = self.inner.owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for id in ids {
            owners.insert(id, owner.to_owned());
        }
    }

    /// Forgets the owner of a deleted token.
    pub(crate) fn forget_owner(&self, id: &PatId) {
        self.inner.owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(id);
    }

    /// The owner an administrator's listing found for `id`.
    pub(crate) fn owner_of(&self, id: &PatId) -> Option<String> {
        self.inner.owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(id).cloned()
    }
}

impl GiteaClientBuilder {
    /// How requests are sent. Default: a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (feature `reqwest`); without that feature a transport is required.
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]): `Retry-After` dates, the creation time
    /// of a token whose create answer has none.
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

    /// How failed requests are retried (default [`RetryConfig::default`]). A create is never
    /// re-sent once it may have reached the server, whatever this says.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Gitea (default) or Forgejo: which header carries the one-time code. Not detected: set it
    /// for a Forgejo instance (e.g. Codeberg) whose accounts use two-factor authentication.
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// Whose tokens the client manages (the `{username}` of `/users/{username}/tokens`).
    /// Default: the login's user name. Set it when the login is an e-mail address, or to manage
    /// another user's tokens as a site administrator.
    pub fn owner(mut self, user: impl Into<String>) -> Self {
        self.owner = Some(user.into());
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<GiteaClient> {
        let base_url = base_url::parse("base_url", &self.base_url)?;
        let host = base_url.host_str().to_owned();
        let owner = username(self.owner.as_deref().unwrap_or(self.credential.user()))?.to_owned();
        let core = Core::new(self.transport, self.retry, self.clock, self.pacing, OverLimit::Refused)?;
        Ok(GiteaClient {
            inner: Arc::new(Inner {
                ctx: RequestContext { base_url, flavor: self.flavor },
                host,
                credential: self.credential,
                owner,
                core,
                owners: Mutex::new(HashMap::new()),
            }),
        })
    }
}
