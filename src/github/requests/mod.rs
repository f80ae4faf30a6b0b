//! The organization's pending fine-grained PAT requests (§4.2): one file per operation.

mod list;
mod repositories;
mod review;
mod review_many;

pub use review::{MAX_REASON_CHARS, Review};
