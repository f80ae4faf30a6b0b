//! The provider-neutral surface the lifecycle flows are built on.

use std::borrow::Cow;
use std::fmt::Debug;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::capabilities::Capabilities;
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::secret::PatSecret;

/// The answer of a server-side rotation ([`PatProvider::rotate_pat`]): a new token with a new
/// id and secret; the old token is already revoked at the server.
///
/// Store `created.secret` before doing anything else: the old token no longer works.
#[derive(Debug)]
pub struct RotatedPat {
    /// The token that was rotated (now revoked).
    pub previous: PatId,
    /// The replacement, with its secret (shown once).
    pub created: CreatedPat,
}

/// A provider's rule that ends a token before its own expiry
/// ([`PatProvider::retirement`]), e.g. Azure DevOps' retirement of global PATs on 2026-12-01.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retirement {
    /// From when the token no longer authenticates (and cannot be regenerated).
    pub at: DateTime<Utc>,
    /// Why, in a few words a report can print, e.g. `"Azure DevOps retires global PATs"`.
    pub reason: Cow<'static, str>,
}

/// What replaces a token in a rotation ([`PatProvider::replacement_spec`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The spec to create. The rotator sets its display name and expiry.
    pub spec: PatSpec,
    /// What differs from the old token and why, for the rotation report (e.g. Azure DevOps:
    /// "the global token was replaced by one for fabrikam"); `None` when it is a like-for-like
    /// replacement.
    pub note: Option<String>,
}

/// A service that issues personal access tokens (Azure DevOps today; GitLab, Gitea and GitHub
/// fit the same shape). The lifecycle flows (scan, rotation) only use this trait.
///
/// # Contract
///
/// - [`capabilities`](Self::capabilities) tells which operations work. An operation whose flag
///   is off answers [`Error::Unsupported`] and sends nothing; that is what the provided
///   (default) methods do, so implement exactly the operations your capabilities claim.
/// - [`get_pat`](Self::get_pat) and [`update_pat`](Self::update_pat) of an id the provider
///   never issued answer [`Error::NotFound`]; what [`revoke_pat`](Self::revoke_pat) does with
///   an unknown or already revoked id is the provider's to document. Bad input (e.g. a display name longer than
///   [`Capabilities::name_max_len`]) answers [`Error::InvalidInput`] before anything is sent.
/// - Nothing that may have minted a token (create, rotate) is re-sent after the request may
///   have reached the server.
///
/// `patkit::testing::provider_conformance` (feature `testing`) checks all of this; run it
/// against your provider.
#[async_trait]
pub trait PatProvider: Send + Sync + Debug {
    /// A stable name for stored records, e.g. `"azure-devops"`.
    fn provider_name(&self) -> &str;

    /// The organization (or host) this provider instance manages tokens in.
    fn organization(&self) -> &str;

    /// What this provider can do (with the caller's credential).
    fn capabilities(&self) -> Capabilities;

    /// How many operations a bulk flow (a [`Rotator`](crate::lifecycle::Rotator) run) should
    /// keep going at once when its caller set no concurrency. A client with adaptive pacing
    /// answers its pacer's ceiling, and the pacer then decides how many requests actually go at
    /// a time. Default: `None` (the flow's own default).
    fn bulk_concurrency(&self) -> Option<usize> {
        None
    }

    /// When the provider stops accepting `token` whatever its own expiry says, if a rule of the
    /// provider does that (Azure DevOps: global PATs from 2026-12-01). Scans report it and
    /// rotations treat the token as due once it falls within their window. Default: `None`.
    fn retirement(&self, token: &PatMetadata) -> Option<Retirement> {
        let _ = token;
        None
    }

    /// The spec of a rotation's replacement of `old`: what must carry over (scopes, and those of
    /// the provider's extras a create accepts) and what the provider changes on the way (Azure
    /// DevOps: a global token is replaced by one bound to the client's organization unless told
    /// otherwise). The rotator sets the display name and expiry. Refusing (e.g. an option the
    /// provider cannot honour) fails the rotation before anything is written or created.
    ///
    /// Default: the old token's scopes, no extras (a token's extras may hold attributes a create
    /// request does not take), no note. A provider whose tokens carry attributes a replacement
    /// must keep overrides it; a wrapper forwards it.
    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        Ok(Replacement { spec: PatSpec::new(old.display_name.clone(), old.scopes.clone()), note: None })
    }

    /// Creates a token. The secret is returned once. Never retried once the request may have
    /// reached the server. Default: [`Error::Unsupported`].
    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        let _ = spec;
        Err(Error::unsupported(self.provider_name(), "create_pat"))
    }

    /// One token's metadata. Default: [`Error::Unsupported`].
    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        let _ = id;
        Err(Error::unsupported(self.provider_name(), "get_pat"))
    }

    /// One page of the caller's tokens. Pass the previous page's continuation to get the next.
    /// Default: [`Error::Unsupported`].
    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let _ = (query, continuation);
        Err(Error::unsupported(self.provider_name(), "list_pats"))
    }

    /// Changes a token and returns its new metadata. Default: [`Error::Unsupported`].
    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        let _ = (id, changes);
        Err(Error::unsupported(self.provider_name(), "update_pat"))
    }

    /// Revokes a token. See the provider's docs for what revoking an unknown or already revoked
    /// token does. Default: [`Error::Unsupported`].
    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        let _ = id;
        Err(Error::unsupported(self.provider_name(), "revoke_pat"))
    }

    /// Rotates a token at the server in one call: a new token (new id, new secret, expiring at
    /// `valid_to`, or the provider's default when `None`) replaces `id`, which the server revokes
    /// at once. Never re-sent after the request may have reached the server (re-rotating a
    /// rotated token revokes its replacement at GitLab). Default: [`Error::Unsupported`].
    async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
        let _ = (id, valid_to);
        Err(Error::unsupported(self.provider_name(), "rotate_pat"))
    }

    /// Whether `secret` currently authenticates at the provider (a harmless call made *with* the
    /// token). `Ok(false)` means the provider refused it. Default: [`Error::Unsupported`].
    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        let _ = secret;
        Err(Error::unsupported(self.provider_name(), "check_pat"))
    }
}

macro_rules! forward_pat_provider {
    ($wrapper:ty) => {
        #[deny(clippy::missing_trait_methods)]
        #[async_trait]
        impl<T: PatProvider + ?Sized> PatProvider for $wrapper {
            fn provider_name(&self) -> &str {
                (**self).provider_name()
            }

            fn organization(&self) -> &str {
                (**self).organization()
            }

            fn capabilities(&self) -> Capabilities {
                (**self).capabilities()
            }

            fn bulk_concurrency(&self) -> Option<usize> {
                (**self).bulk_concurrency()
            }

            fn retirement(&self, token: &PatMetadata) -> Option<Retirement> {
                (**self).retirement(token)
            }

            fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
                (**self).replacement_spec(old)
            }

            async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
                (**self).create_pat(spec).await
            }

            async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
                (**self).get_pat(id).await
            }

            async fn list_pats(
                &self,
                query: &ListQuery,
                continuation: Option<ContinuationToken>,
            ) -> Result<Page<PatMetadata>> {
                (**self).list_pats(query, continuation).await
            }

            async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
                (**self).update_pat(id, changes).await
            }

            async fn revoke_pat(&self, id: &PatId) -> Result<()> {
                (**self).revoke_pat(id).await
            }

            async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
                (**self).rotate_pat(id, valid_to).await
            }

            async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
                (**self).check_pat(secret).await
            }
        }
    };
}

forward_pat_provider!(Arc<T>);
forward_pat_provider!(Box<T>);

/// A stream of every token of a listing, as [`PatProviderExt::list_all`] returns it.
pub type PatStream<'a> = Pin<Box<dyn Stream<Item = Result<PatMetadata>> + Send + 'a>>;

/// Conveniences over any [`PatProvider`], including `dyn PatProvider`. Implemented for every
/// provider; do not implement this yourself.
pub trait PatProviderExt: PatProvider {
    /// Every token matching `query`, page after page, re-sending the query with each page. Ends
    /// with [`Error::ListingCut`] when the provider hands back a continuation it had already
    /// sent, or after [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES) pages (page through
    /// [`list_pats`](PatProvider::list_pats) yourself to read further).
    fn list_all(&self, query: ListQuery) -> PatStream<'_> {
        let max_pages = crate::pagination::DEFAULT_MAX_PAGES;
        Box::pin(crate::pagination::items(crate::pagination::pages("PAT list", max_pages, None, move |continuation| {
            let query = query.clone();
            async move { self.list_pats(&query, continuation).await }
        })))
    }
}

impl<T: PatProvider + ?Sized> PatProviderExt for T {}
