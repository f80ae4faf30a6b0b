//! GitLab (gitlab.com and self-managed, `https://HOST/api/v4`): personal, project and group
//! access tokens, with server-side rotation (fact sheet: `forges-pat-api.md` §2).
//!
//! [`GitLabClient`] manages the tokens of one GitLab instance with a [`GitLabCredential`] (an
//! access token sent as `PRIVATE-TOKEN`, or an OAuth token as `Bearer`; from a value,
//! `GITLAB_TOKEN` or a file). Every operation is a pure request builder and a pure parser
//! (unit-tested without any transport) joined by a few lines of async glue.
//!
//! Service facts this client is built around:
//! - **Expiry is a date** and a token dies at 00:00 UTC *of* it. [`ExpiryDate`] makes the rule
//!   explicit: a requested instant is rounded **up** to midnight, and a date leaving less than
//!   an hour is never sent (the next day is taken, or an explicit date is refused).
//!   `PatMetadata::valid_to` is 00:00 UTC of `expires_at` (`None` when GitLab reports none).
//! - **Rotation is server-side** and revokes the old token at once; rotating an already rotated
//!   token makes GitLab revoke the whole family. Rotates (and creates) are never re-sent, and
//!   always carry `expires_at` (GitLab's one-week default is never relied on).
//! - **401 instead of 404** for an id that is unknown or someone else's: one probe of the
//!   credential tells [`Error::NotFound`](crate::Error::NotFound) from
//!   [`Error::AuthRequired`](crate::Error::AuthRequired) (see [`GitLabClient`]).
//! - Pagination follows `x-next-page` / `Link rel="next"` as a page number, never `x-total`;
//!   `per_page` is at most [`MAX_PER_PAGE`]. A 429 (plain text `Retry later`) is
//!   [`Error::RateLimited`](crate::Error::RateLimited) with `Retry-After` (or `RateLimit-Reset`).
//! - Ids are integers, kept as decimal [`PatId`](crate::PatId)s; an id that is no positive
//!   integer cannot exist at GitLab and answers `NotFound` without a request.
//!
//! Where things are: `client.rs` (client, builder), `credentials.rs`, `pats/` and `resource/`
//! (one file per operation), `user.rs`, `request.rs` (paths, `Sudo`), `wire.rs` (JSON),
//! `token.rs` (the reported token), `classify.rs` (answers → errors), `pagination.rs`,
//! `expiry.rs`, `scopes.rs`, `operations.rs`, `provider.rs` (the neutral seams).

mod classify;
mod client;
mod credentials;
mod directory;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod expiry;
pub mod operations;
mod pagination;
mod pats;
mod provider;
mod request;
mod resource;
pub mod scopes;
mod token;
mod user;
mod wire;

pub use client::{
    DEFAULT_BASE_URL, DEFAULT_ROTATION_LIFETIME, GitLabClient, GitLabClientBuilder, MAX_ROTATION_LIFETIME,
};
pub use credentials::{GITLAB_TOKEN_ENV, GitLabCredential, PRIVATE_TOKEN_HEADER};
pub use expiry::{ExpiryDate, MAX_LIFETIME_DAYS, MIN_REMAINING};
pub use pagination::MAX_PER_PAGE;
pub use pats::{
    AssociatedGroup, AssociatedProject, Associations, ListPats, MAX_DESCRIPTION_CHARS, NewPat, TokenSort, TokenState,
};
pub use provider::PROVIDER_NAME;
pub use resource::{AccessLevel, NewResourceToken, Resource, ResourceTokens};
pub use token::{EXTRA_ACCESS_LEVEL, EXTRA_DESCRIPTION, GitLabToken};
pub use user::CurrentUser;
