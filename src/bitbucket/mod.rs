//! Bitbucket Data Center (`https://HOST[/CONTEXT]/rest/access-tokens/1.0`): HTTP access tokens
//! minted with the account's password, whose expiry is fixed at creation (fact sheet:
//! `forges-pat-api.md` §5).
//!
//! [`BitbucketClient`] manages one user's tokens (or, for a system administrator, another
//! user's, with [`BitbucketClient::for_user`]; or a project's or repository's, with
//! [`BitbucketClient::for_project`] and [`BitbucketClient::for_repository`]) with a
//! [`PasswordCredential`](crate::auth::PasswordCredential): every call sends the password as
//! HTTP Basic. Every operation is a pure request builder and a pure parser (unit-tested without
//! any transport) joined by a few lines of async glue.
//!
//! Service facts this client is built around:
//! - **PUT creates, POST updates** (name and permissions only), `DELETE` hard-deletes (204).
//!   There is no rotate: a rotation creates the replacement, then deletes the old token.
//! - **Only a password creates.** A token cannot mint a token; a password is also used for
//!   every other call, since token authentication there is unverified.
//! - **Expiry is whole days from creation** (`expiryDays`), set at creation and never changed.
//!   [`expiry_days`] rounds a requested instant **up**; `PatMetadata::valid_to` is
//!   `createdDate` + `expiryDays` days (or `expiryDate` when the answer has one).
//! - **Ids are numeric strings** with possible leading zeros (`"075905477751"`): kept verbatim,
//!   never parsed; an id that is no digit string cannot exist and answers `NotFound` without a
//!   request. Times are epoch milliseconds.
//! - **Permissions** are one `PROJECT_*` and/or one `REPO_*` ([`permissions`]), checked before
//!   sending.
//! - **401 for permission failures**: told apart from a refused password by one probe (see
//!   [`BitbucketClient`]). Errors come as `{"errors":[{context,message,exceptionName}]}`;
//!   `exceptionName` is the [`ServiceCode`](crate::ServiceCode).
//! - Paging follows `isLastPage` / `nextPageStart`, never the requested `limit`.
//!
//! Where things are: `client.rs` (client, builder), `owner.rs` (whose tokens), `tokens/` (one
//! file per operation),
//! `request.rs` (paths), `wire.rs` (JSON), `token.rs` (the reported token), `classify.rs`
//! (answers → errors), `expiry.rs`, `permissions.rs`, `operations.rs`, `provider.rs` (the
//! neutral seams).

mod classify;
mod client;
mod directory;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod expiry;
pub mod operations;
mod owner;
pub mod permissions;
mod provider;
mod request;
mod token;
mod tokens;
mod wire;

pub use client::{BitbucketClient, BitbucketClientBuilder};
pub use expiry::{MAX_EXPIRY_DAYS, expiry_days};
pub use owner::TokenOwner;
pub use provider::PROVIDER_NAME;
pub use token::BitbucketToken;
pub use tokens::{ListTokens, MAX_LIMIT, MAX_NAME_CHARS, NewToken, TokenChanges};
