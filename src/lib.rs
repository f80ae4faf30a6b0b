#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub, clippy::future_not_send)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
pub mod auth;
pub mod azure;
mod capabilities;
mod client;
mod clock;
mod error;
#[cfg(test)]
mod layering;
pub mod lifecycle;
mod model;
mod pagination;
mod provider;
mod quote;
mod scope;
mod secret;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;

pub use admin::{PatAdmin, UserId, UserPat};
pub use capabilities::{Capabilities, ExpiryGranularity};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AuthFailure, CredentialErrorKind, Error, ListingCutReason, Policy, Result};
pub use model::{
    ContinuationToken, CreatedPat, GLOBAL_PAT_RETIREMENT, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec,
    SortBy, StatusFilter, Targets,
};
pub use pagination::DEFAULT_MAX_PAGES;
pub use provider::{PatProvider, PatProviderExt, PatStream, RotatedPat};
pub use scope::{Scope, Scopes};
pub use secret::{BearerToken, PatSecret};
pub use store::{PatRecord, StoredPat, TokenStore, TokenStoreExt};

pub use http;
