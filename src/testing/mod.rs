//! Test support for code built on patkit (feature `testing`).
//!
//! **Not semver-stable**: items here may change in any release; pin an exact version if you
//! depend on them.
//!
//! - [`MockTransport`]: a scripted [`HttpTransport`](crate::transport::HttpTransport) that records
//!   what it was sent and fails loudly on anything unexpected.
//! - [`conformance`]: the property suite every [`TokenStore`](crate::store::TokenStore) must pass.
//! - [`FakeProvider`]: an in-memory [`PatProvider`](crate::PatProvider) with configurable
//!   capabilities ([`FakeProfile`]) and faults, with an administrator's view ([`FakeAdmin`], a
//!   [`PatAdmin`](crate::PatAdmin)).
//! - [`provider_conformance`]: the property suite every [`PatProvider`](crate::PatProvider)
//!   must pass.
//! - [`emulator_kit`] (feature `emulator`): the loopback server, fault rules, clock and request
//!   log every provider's emulator is built on (the Azure DevOps one is
//!   `patkit::azure::emulator`).
//! - [`mock`]: a scripted [`HttpTransport`](crate::transport::HttpTransport) for tests.

pub mod conformance;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator_kit;
mod fake;
pub mod mock;
pub mod provider_conformance;

pub use fake::{
    FAKE_ORGANIZATION, FAKE_PROVIDER_NAME, FAKE_USER, FakeAdmin, FakeDirectory, FakeOp, FakeProfile, FakeProvider,
    FakeToken,
};
pub use mock::{MockResponse, MockTransport, Route};
