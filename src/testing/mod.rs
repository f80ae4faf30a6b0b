//! Test support for code built on patkit (feature `testing`).
//!
//! **Not semver-stable**: items here may change in any release; pin an exact version if you
//! depend on them.
//!
//! - [`conformance`]: the property suite every [`TokenStore`](crate::store::TokenStore) must pass.

pub mod conformance;
