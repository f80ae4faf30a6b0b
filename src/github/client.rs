//! [`GitHubClient`] and its builder, on the crate's shared client core.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderValue, Method, header};

use super::GitHubCredential;
use super::classify::{self, Asked};
use crate::auth::AccessCredential;
use crate::client::{Core, base_url, request as core};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Operation, OverLimit, Pacing, RetryConfig};

/// github.com's REST API.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";
/// The REST API version every request asks for (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";
/// The media type every request accepts.
pub const MEDIA_TYPE: &str = "application/vnd.github+json";

/// A client for what GitHub lets an organization govern of the personal access tokens that
/// reach it (fact sheet §4): fine-grained PAT grants and requests, SAML credential
/// authorizations, and token checks.
///
/// Cheap to clone (an `Arc` inside); builders returned by its methods own a clone, so their
/// futures are `'static`.
///
/// - [`grants`](Self::grants) (every filter of [`GrantQuery`](super::GrantQuery)),
///   [`all_grants`](Self::all_grants), [`idle_grants`](Self::idle_grants) (unused for a while),
///   [`grant_repositories`](Self::grant_repositories),
///   [`revoke_grant`](Self::revoke_grant), [`revoke_grants`](Self::revoke_grants) (202: a
///   [`Pending`](super::Pending) to wait on);
/// - [`requests`](Self::requests), [`request_repositories`](Self::request_repositories),
///   [`review_request`](Self::review_request), [`review_requests`](Self::review_requests);
/// - [`credential_authorizations`](Self::credential_authorizations),
///   [`revoke_credential_authorization`](Self::revoke_credential_authorization),
///   [`revoke_user_credential_authorizations`](Self::revoke_user_credential_authorizations)
///   (GitHub Enterprise Cloud with SAML);
/// - [`check_token`](Self::check_token), [`report_leaked`](Self::report_leaked);
/// - [`installation_token`](Self::installation_token) (a GitHub App credential's cached token).
///
/// GitHub has **no** API to create, list, rotate or revoke a user's own tokens: the neutral
/// [`PatProvider`](crate::PatProvider) answers [`Error::Unsupported`] for those, without a
/// request.
#[derive(Clone)]
pub struct GitHubClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) base_url: HttpUrl,
    pub(crate) org: String,
    pub(crate) credential: GitHubCredential,
    pub(crate) core: Core,
    pub(crate) revoke_wait: RevokeWait,
}

/// How a bulk revocation (202) is waited for: polls every `interval`, gives up after `timeout`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RevokeWait {
    pub(crate) interval: Duration,
    pub(crate) timeout: Duration,
}

impl fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("org", &self.inner.org)
            .field("credential", &self.inner.credential)
            .field("transport", self.inner.core.transport())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`GitHubClient`]; from [`GitHubClient::builder`].
#[derive(Debug)]
pub struct GitHubClientBuilder {
    org: String,
    credential: GitHubCredential,
    base_url: String,
    transport: Option<Arc<dyn HttpTransport>>,
    clock: Arc<dyn Clock>,
    retry: RetryConfig,
    pacing: Pacing,
    revoke_wait: RevokeWait,
}

/// An organization login: 1 to 39 letters, digits and single hyphens, not at either end.
pub(crate) fn check_login(field: &'static str, login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= 100
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !login.starts_with('-');
    if ok { Ok(()) } else { Err(Error::invalid_input(field, "expected a GitHub login (letters, digits and hyphens)")) }
}

impl GitHubClient {
    /// Settings for a client of the organization `org` acting with `credential`.
    pub fn builder(org: impl Into<String>, credential: GitHubCredential) -> GitHubClientBuilder {
        GitHubClientBuilder {
            org: org.into(),
            credential,
            base_url: DEFAULT_BASE_URL.to_owned(),
            transport: None,
            clock: Arc::new(SystemClock),
            retry: RetryConfig::default(),
            pacing: Pacing::default(),
            revoke_wait: RevokeWait { interval: Duration::from_secs(2), timeout: Duration::from_secs(120) },
        }
    }

    /// The organization this client governs.
    pub fn org(&self) -> &str {
        &self.inner.org
    }

    /// The REST API base URL.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// The credential.
    pub fn credential(&self) -> &GitHubCredential {
        &self.inner.credential
    }

    /// The installation token requests are sent with now: the cached one while it has more than
    /// five minutes left, else a fresh one (one exchange for any number of concurrent callers);
    /// `None` for a [`GitHubCredential::token`] client.
    ///
    /// # Errors
    ///
    /// The exchange's errors: [`Error::AuthRequired`] when GitHub refuses the app's JWT (wrong
    /// key or app id, or a clock far off), [`Error::NotFound`]-like [`Error::Api`] 404 for an
    /// installation the app does not have.
    pub async fn installation_token(&self) -> Result<Option<super::InstallationToken>> {
        self.inner.credential.installation_token(self).await
    }

    /// The clock the client reads "now" from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        self.inner.core.clock()
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.core.now()
    }

    /// `{base}/{segments…}`, each percent-encoded.
    pub(crate) fn api_url(&self, segments: &[&str]) -> HttpUrl {
        base_url::join(&self.inner.base_url, segments.iter().copied())
    }

    /// `{base}/orgs/{org}/{segments…}`.
    pub(crate) fn org_url(&self, segments: &[&str]) -> HttpUrl {
        let org = self.inner.org.as_str();
        base_url::join(&self.inner.base_url, ["orgs", org].into_iter().chain(segments.iter().copied()))
    }

    /// A request with GitHub's headers (`Accept: application/vnd.github+json`,
    /// `X-GitHub-Api-Version`), the credential if any, and a JSON body if any.
    pub(crate) fn build(
        &self,
        method: Method,
        url: HttpUrl,
        op: Operation,
        credential: Option<&AccessCredential>,
        json_body: Option<Vec<u8>>,
    ) -> Result<HttpRequest> {
        let mut request = core::build(
            method,
            &url,
            op,
            credential.map(AccessCredential::to_header),
            &[("x-github-api-version", API_VERSION)],
            json_body,
        )?;
        request.headers_mut().insert(header::ACCEPT, HeaderValue::from_static(MEDIA_TYPE));
        Ok(request)
    }

    /// A request with the client's own credential.
    pub(crate) async fn authed(
        &self,
        method: Method,
        url: HttpUrl,
        op: Operation,
        json_body: Option<Vec<u8>>,
    ) -> Result<HttpRequest> {
        let credential = self.inner.credential.access(self).await?;
        self.build(method, url, op, Some(&credential), json_body)
    }

    /// Sends `request` made with the client's own credential, classifies the answer (`asked`
    /// gives the context; `None`: the plain operation) and parses a success with `parse`. A 401
    /// forgets a cached installation token.
    pub(crate) async fn send<T>(
        &self,
        request: HttpRequest,
        asked: Option<Asked<'_>>,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let result = self.exchange(request, asked, parse).await;
        if matches!(result, Err(Error::AuthRequired { .. })) {
            self.inner.credential.refused().await;
        }
        result
    }

    /// As [`send`](Self::send), for a request that does not carry the client's credential (a
    /// token check, an unauthenticated call): a 401 says nothing about the client's own.
    pub(crate) async fn exchange<T>(
        &self,
        request: HttpRequest,
        asked: Option<Asked<'_>>,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let op = Operation::of(&request).unwrap_or(Operation::idempotent("github"));
        let asked = asked.unwrap_or(Asked::op(op));
        self.inner
            .core
            .execute(&self.inner.org, request, |response, now| {
                classify::check(response, &asked, now)?;
                parse(response, now)
            })
            .await
    }

    pub(crate) fn revoke_wait(&self) -> RevokeWait {
        self.inner.revoke_wait
    }
}

impl GitHubClientBuilder {
    /// The REST API base URL (default [`DEFAULT_BASE_URL`]; GitHub Enterprise Cloud with data
    /// residency: `https://api.SUBDOMAIN.ghe.com`; https, or plain http to a loopback address
    /// only, e.g. an emulator).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// How requests are sent. Default: a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (feature `reqwest`); without that feature a transport is required.
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Where "now" comes from (default [`SystemClock`]): JWT times, the installation token's
    /// freshness, `Retry-After` and `x-ratelimit-reset` waits.
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

    /// Retry settings (default [`RetryConfig::default`]; [`RetryConfig::none`] to turn off).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How a bulk revocation (202, completed later by GitHub) is waited for by
    /// [`Pending::wait`](super::Pending::wait) and
    /// [`PatAdmin::revoke_many`](crate::PatAdmin::revoke_many): a listing every `interval`
    /// (default 2 s) until the grants are gone, for at most `timeout` (default 2 minutes).
    pub fn revoke_wait(mut self, interval: Duration, timeout: Duration) -> Self {
        self.revoke_wait = RevokeWait { interval, timeout };
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed organization login or base URL, or no transport
    /// without the `reqwest` feature.
    pub fn build(self) -> Result<GitHubClient> {
        check_login("org", &self.org)?;
        let base_url = base_url::parse("base_url", &self.base_url)?;
        let core = Core::new(self.transport, self.retry, self.clock, self.pacing, OverLimit::Refused)?;
        Ok(GitHubClient {
            inner: Arc::new(Inner {
                base_url,
                org: self.org,
                credential: self.credential,
                core,
                revoke_wait: self.revoke_wait,
            }),
        })
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;

    #[test]
    fn bad_organizations_and_base_urls_are_refused_when_built() {
        let build = |org: &str, base: &str| {
            GitHubClient::builder(org, GitHubCredential::token("ghp_x"))
                .base_url(base)
                .transport(crate::testing::MockTransport::new())
                .build()
        };
        assert!(build("acme-corp", DEFAULT_BASE_URL).is_ok());
        assert!(build("acme", "http://127.0.0.1:8080/api/v3").is_ok(), "an emulator on loopback");
        for (org, base, field) in [
            ("", DEFAULT_BASE_URL, "org"),
            ("a/b", DEFAULT_BASE_URL, "org"),
            ("-acme", DEFAULT_BASE_URL, "org"),
            ("acme", "http://api.github.com", "base_url"),
            ("acme", "https://api.github.com/?x=1", "base_url"),
        ] {
            match build(org, base) {
                Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field, "{org} {base}"),
                other => panic!("{org} {base}: {other:?}"),
            }
        }
    }

    #[test]
    fn debug_names_the_org_and_never_the_token() {
        let client = GitHubClient::builder("acme", GitHubCredential::token("ghp_CANARYdebug"))
            .transport(crate::testing::MockTransport::new())
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(shown.contains("acme") && !shown.contains("CANARY"), "{shown}");
    }
}
