//! The token operations, one file each: a pure request builder, a pure parser, and the async
//! glue on [`BitbucketClient`](super::BitbucketClient).

pub(crate) mod check;
pub(crate) mod create;
pub(crate) mod delete;
pub(crate) mod get;
pub(crate) mod list;
pub(crate) mod update;

pub use create::{MAX_NAME_CHARS, NewToken};
pub use list::{ListTokens, MAX_LIMIT};
pub use update::TokenChanges;
