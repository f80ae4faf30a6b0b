//! Test doubles (feature `testing`). Not semver-stable.

pub mod mock;

pub use mock::{MockResponse, MockTransport, Route};
