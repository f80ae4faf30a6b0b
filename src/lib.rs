#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub, clippy::future_not_send)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
pub mod auth;
#[cfg(feature = "azure")]
#[cfg_attr(docsrs, doc(cfg(feature = "azure")))]
pub mod azure;
pub(crate) mod base64;
mod capabilities;
mod crc32;
// The shared client core is used by the provider modules; without any provider it is still
// built (CI checks the neutral layers compile alone), just not called.
#[cfg(feature = "bitbucket")]
#[cfg_attr(docsrs, doc(cfg(feature = "bitbucket")))]
pub mod bitbucket;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
#[cfg_attr(not(feature = "azure"), allow(dead_code, unused_imports))]
mod client;
mod clock;
mod directory;
pub mod duration;
mod error;
mod extras;
#[cfg(feature = "gitea")]
#[cfg_attr(docsrs, doc(cfg(feature = "gitea")))]
pub mod gitea;
#[cfg(feature = "github")]
#[cfg_attr(docsrs, doc(cfg(feature = "github")))]
pub mod github;
#[cfg(feature = "gitlab")]
#[cfg_attr(docsrs, doc(cfg(feature = "gitlab")))]
pub mod gitlab;
pub mod guide;
mod http_url;
#[cfg(test)]
mod layering;
pub mod lifecycle;
mod model;
mod pagination;
mod provider;
mod quote;
mod random;
#[cfg(feature = "azure")]
mod rfc3339;
mod scope;
mod secret;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;

pub use admin::{PatAdmin, UserId, UserPat};
pub use capabilities::{Capabilities, ExpiryGranularity};
pub use clock::{Clock, ManualClock, SystemClock};
pub use directory::{
    CredentialKind, DirectoryUser, MatchKind, OtherCredential, UserDirectory, UserLookup, resolve_user,
};
pub use error::{AuthFailure, CredentialErrorKind, Error, ListingCutReason, Result, ServiceCode};
pub use extras::Extras;
pub use model::{
    ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec, SortBy, StatusFilter,
};
pub use pagination::DEFAULT_MAX_PAGES;
pub use provider::{PatProvider, PatProviderExt, PatStream, Replacement, Retirement, RotatedPat};
pub use scope::{MAX_SCOPE_CHARS, Scope, Scopes};
pub use secret::{BearerToken, PatSecret};
pub use store::{PatRecord, StoredPat, TokenStore, TokenStoreExt};

pub use http;

/// The attribute macro for implementing patkit's async traits ([`PatProvider`], [`PatAdmin`],
/// [`TokenStore`], [`Credential`](auth::Credential), [`HttpTransport`](transport::HttpTransport),
/// [`RotationHook`](lifecycle::RotationHook), [`ScanSink`](lifecycle::ScanSink)), re-exported so
/// an implementation needs no `async-trait` dependency of its own at a matching version. Put it
/// on the `impl` block:
///
/// ```
/// use patkit::auth::{AccessCredential, Credential};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// #[patkit::async_trait]
/// impl Credential for FromVault {
///     async fn credential(&self) -> patkit::Result<AccessCredential> {
///         Err(patkit::Error::invalid_input("credential", "not wired up in this example"))
///     }
/// }
/// ```
pub use async_trait::async_trait;
