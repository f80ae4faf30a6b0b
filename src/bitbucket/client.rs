//! [`BitbucketClient`] and its builder, on the crate's shared client core.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use http::Method;

use super::TokenOwner;
use super::operations as op;
use super::request::{RequestContext, user_slug};
use crate::auth::{AccessCredential, PasswordCredential};
use crate::client::{Core, base_url};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, OverLimit, Pacing, RetryConfig};

/// A client for the HTTP access tokens of one Bitbucket Data Center instance
/// (`https://HOST[/CONTEXT]`), acting with one user's **password**.
///
/// Cheap to clone (an `Arc` inside); builders returned by its methods own a clone, so their
/// futures are `'static` and can be spawned.
///
/// - [`create`](Self::create) (`PUT`), [`list`](Self::list), [`get`](Self::get),
///   [`update`](Self::update) (`POST`: name and permissions only), [`delete`](Self::delete), all
///   on the tokens of [`owner`](Self::owner): the caller's own unless chosen otherwise;
/// - [`for_user`](Self::for_user): the same calls on another user's tokens (system
///   administrators; Bitbucket lets them list, update and delete, never create);
/// - [`for_project`](Self::for_project), [`for_repository`](Self::for_repository): the same
///   calls, create included, on a project's or repository's tokens (their administrators; a Data
///   Center license);
/// - [`check`](Self::check): whether a token authenticates.
///
/// **The password for everything.** Every call sends the user name and password as HTTP Basic
/// (a [`PasswordCredential`]; a configured one-time code is not sent, Bitbucket has no such
/// header). A create *requires* the password (a token cannot mint a token); whether a token may
/// list, get or delete tokens is unverified (fact sheet §5.2), so the client never tries it.
///
/// **401 for permissions.** Bitbucket answers 401 both for a wrong password and for a call the
/// user may not make (another user's tokens without being a system administrator, a project's
/// without administering it). When a call
/// gets a 401, the client makes one harmless read with the same password
/// (`GET /rest/api/latest/users/{own slug}`): if that is accepted, the password works and the
/// answer is [`Error::Forbidden`]; if it is refused too, [`Error::AuthRequired`]. A create is
/// never re-sent by this (the probe is a read).
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::auth::PasswordCredential;
/// use patkit::bitbucket::BitbucketClient;
/// use patkit::testing::{MockResponse, MockTransport, Route};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let body = r#"{"id":"075905477751","createdDate":1610525968583,"name":"ci",
///                "permissions":["REPO_READ"],"expiryDays":30}"#;
/// let mock = MockTransport::new()
///     .on(Route::get("/rest/access-tokens/1.0/users/alice/075905477751"), MockResponse::json(200, body));
/// let client = BitbucketClient::builder("https://bitbucket.example", PasswordCredential::new("alice", "pw".to_owned()))
///     .transport(mock)
///     .build()?;
/// let token = client.get(&patkit::PatId::new("075905477751")).await?;
/// assert_eq!(token.metadata.id.as_str(), "075905477751");
/// assert_eq!(token.expiry_days, Some(30));
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct BitbucketClient {
    pub(crate) inner: Arc<Inner>,
    /// Whose tokens the calls address (the client's own user unless [`BitbucketClient::for_user`],
    /// [`for_project`](BitbucketClient::for_project) or [`for_repository`](BitbucketClient::for_repository)).
    pub(crate) target: Arc<TokenOwner>,
    /// What [`PatProvider::organization`](crate::PatProvider::organization) answers: the host for
    /// users' tokens, `HOST/projects/KEY[/repos/SLUG]` for a project's or repository's.
    pub(crate) organization: Arc<str>,
}

pub(crate) struct Inner {
    pub(crate) ctx: RequestContext,
    pub(crate) host: String,
    pub(crate) credential: PasswordCredential,
    /// The caller's own slug.
    pub(crate) own_slug: String,
    pub(crate) core: Core,
    /// The owner slug of every token an admin listing showed (Bitbucket's delete path names the
    /// owner; `PatAdmin::revoke_many` gets ids only).
    pub(crate) owners: Mutex<HashMap<PatId, String>>,
}

impl fmt::Debug for BitbucketClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitbucketClient")
            .field("base_url", &self.inner.ctx.base_url.as_str())
            .field("user_slug", &self.inner.own_slug)
            .field("owner", &self.target)
            .field("credential", &self.inner.credential)
            .field("transport", self.inner.core.transport())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`BitbucketClient`]; from [`BitbucketClient::builder`].
#[derive(Debug)]
pub struct BitbucketClientBuilder {
    base_url: String,
    credential: PasswordCredential,
    user_slug: Option<String>,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Arc<dyn Clock>,
    retry: RetryConfig,
    pacing: Pacing,
}

impl BitbucketClient {
    /// Settings for a client of the instance at `base_url` (`https://HOST[/CONTEXT]`, without
    /// `/rest/…`; https, or plain http to a loopback address only), acting with `credential`.
    pub fn builder(base_url: impl Into<String>, credential: PasswordCredential) -> BitbucketClientBuilder {
        BitbucketClientBuilder {
            base_url: base_url.into(),
            credential,
            user_slug: None,
            transport: None,
            clock: Arc::new(SystemClock),
            retry: RetryConfig::default(),
            pacing: Pacing::default(),
        }
    }

    /// The base URL, `https://HOST[/CONTEXT]`.
    pub fn base_url(&self) -> &str {
        self.inner.ctx.base_url.as_str()
    }

    /// The host this client manages tokens on (what [`PatProvider::organization`](crate::PatProvider::organization) answers).
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// The caller's own user slug (whose password the client sends).
    pub fn user_slug(&self) -> &str {
        &self.inner.own_slug
    }

    /// Whose tokens the calls address: the caller's own unless chosen otherwise.
    pub fn owner(&self) -> &TokenOwner {
        &self.target
    }

    /// Whether a create may be sent: not for another user's tokens (nobody may create those).
    pub(crate) fn may_create(&self) -> bool {
        !matches!(&*self.target, TokenOwner::User(slug) if *slug != self.inner.own_slug)
    }

    /// What [`PatProvider::organization`](crate::PatProvider::organization) answers.
    pub(crate) fn organization_name(&self) -> &str {
        &self.organization
    }

    /// The clock the client reads "now" from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        self.inner.core.clock()
    }

    /// A client whose calls address the tokens of the user `slug` (a system administrator's:
    /// list, get, update, delete; a create is refused before sending, since Bitbucket lets no
    /// one create tokens for someone else). Shares this client's connection and password.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty or malformed slug.
    pub fn for_user(&self, slug: &str) -> Result<Self> {
        user_slug("user_slug", slug)?;
        Ok(self.with_owner(TokenOwner::User(slug.to_owned())))
    }

    /// A client whose calls address the tokens of the project `key` (project administrators and
    /// system administrators; create included, with the password). Its
    /// [`organization`](crate::PatProvider::organization) is `HOST/projects/KEY`, so stored
    /// entries of project tokens are only handled by a provider for that project.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty or malformed key.
    pub fn for_project(&self, key: &str) -> Result<Self> {
        user_slug("project", key)?;
        Ok(self.with_owner(TokenOwner::Project(key.to_owned())))
    }

    /// A client whose calls address the tokens of the repository `repository` of project
    /// `project` (repository, project or system administrators; `REPO_*` permissions only). Its
    /// [`organization`](crate::PatProvider::organization) is `HOST/projects/KEY/repos/SLUG`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty or malformed key or slug.
    pub fn for_repository(&self, project: &str, repository: &str) -> Result<Self> {
        user_slug("project", project)?;
        user_slug("repository", repository)?;
        Ok(self.with_owner(TokenOwner::Repository { project: project.to_owned(), repository: repository.to_owned() }))
    }

    fn with_owner(&self, owner: TokenOwner) -> Self {
        let organization = match &owner {
            TokenOwner::User(_) => self.inner.host.clone(),
            other => format!("{}/{other}", self.inner.host),
        };
        Self { inner: Arc::clone(&self.inner), target: Arc::new(owner), organization: Arc::from(organization) }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.core.now()
    }

    pub(crate) fn ctx(&self) -> &RequestContext {
        &self.inner.ctx
    }

    /// The user name and password as HTTP Basic, asking a prompt where one is configured.
    pub(crate) async fn credential(&self) -> Result<AccessCredential> {
        Ok(self.inner.credential.login().await?.basic())
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

    /// Turns a 401 into [`Error::Forbidden`] when the password itself works (see the type's
    /// docs); any other error is returned as it is.
    pub(crate) async fn forbidden_if_password_works(&self, error: Error) -> Error {
        if !matches!(error, Error::AuthRequired { .. }) || !self.password_works().await {
            return error;
        }
        Error::Forbidden {
            code: None,
            message: format!(
                "Bitbucket refused the call (401) though the password of {} works: only the owner of the tokens of \
                 {}, their administrator or a system administrator may do this",
                self.inner.own_slug, self.target
            ),
        }
    }

    /// Whether Bitbucket accepts the client's password (one read of the caller's own user).
    async fn password_works(&self) -> bool {
        let Ok(credential) = self.credential().await else { return false };
        let url = self.ctx().api_url(&TokenOwner::User(self.inner.own_slug.clone()));
        let Ok(request) = self.ctx().build(Method::GET, url, op::USER, &credential, None) else { return false };
        matches!(self.execute(request, |r, _| Ok(r.status().as_u16())).await, Ok(status) if (200..300).contains(&status))
    }
}

impl BitbucketClientBuilder {
    /// The caller's own user slug, when it differs from the login name (Bitbucket derives slugs
    /// from user names, e.g. `John.Doe` → `john.doe`). Default: the credential's user name.
    pub fn user_slug(mut self, slug: impl Into<String>) -> Self {
        self.user_slug = Some(slug.into());
        self
    }

    /// How requests are sent. Default: a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (feature `reqwest`); without that feature a transport is required.
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]): expiry days, `Retry-After` dates.
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
    /// re-sent once it may have reached Bitbucket, whatever this says.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a base URL that is not https (or loopback http) or has a query,
    /// or a malformed user slug.
    pub fn build(self) -> Result<BitbucketClient> {
        let base_url = base_url::parse("base_url", &self.base_url)?;
        let host = base_url.host_str().to_owned();
        let own_slug = self.user_slug.unwrap_or_else(|| self.credential.user().to_owned());
        user_slug("user_slug", &own_slug)?;
        let core = Core::new(self.transport, self.retry, self.clock, self.pacing, OverLimit::Refused)?;
        let target = Arc::new(TokenOwner::User(own_slug.clone()));
        let organization = Arc::from(host.as_str());
        Ok(BitbucketClient {
            inner: Arc::new(Inner {
                ctx: RequestContext { base_url },
                host,
                credential: self.credential,
                own_slug,
                core,
                owners: Mutex::default(),
            }),
            target,
            organization,
        })
    }
}
