//! Gitea and Forgejo (`https://HOST/api/v1`): access tokens minted with the account's password,
//! which never expire (fact sheet: `forges-pat-api.md` §3).
//!
//! [`GiteaClient`] manages the tokens of one instance with a
//! [`PasswordCredential`](crate::auth::PasswordCredential): Gitea creates, lists and deletes
//! tokens only for HTTP Basic with the account's **password**, plus a one-time code for a
//! two-factor account in `X-Gitea-OTP` (Forgejo: `X-Forgejo-OTP`, see [`Flavor`]). Every
//! operation is a pure request builder and a pure parser (unit-tested without any transport)
//! joined by a few lines of async glue.
//!
//! Service facts this client is built around:
//! - **No expiry, no get, no update, no rotate.** A token lives until it is deleted
//!   ([`ExpiryGranularity::Never`](crate::ExpiryGranularity::Never)); rotation is create then
//!   delete, by the lifecycle's rotator.
//! - **The secret is `sha1`**, the 40-hex token itself, and only in the create answer (a listing
//!   has `""` there, which is never read).
//! - **Names are unique per user** (a taken one is [`ErrorCode::NameTaken`]). A delete takes an
//!   id or a name, and Gitea tries the id first: a name that looks like a number is refused
//!   before sending, an ambiguous name is [`ErrorCode::AmbiguousName`].
//! - **Pagination** is `page` / `limit` ≤ [`MAX_LIMIT`] with `X-Total-Count` and no `Link`: the
//!   next page is worked out from the count (see [`ListTokens::send`]).
//! - **A refused login** (401) says in its hint whether a one-time code may be missing or was
//!   wrong; no error, `Debug` or log line holds the password, the code or a token.
//!
//! Where things are: `client.rs` (client, builder), `flavor.rs`, `tokens/` (one file per
//! operation), `request.rs` (paths, the login and token headers), `wire.rs` (JSON), `token.rs`
//! (the reported token), `classify.rs` (answers → errors), `error_code.rs`, `pagination.rs`,
//! `scopes.rs`, `operations.rs`, `provider.rs` (the neutral seams).

mod classify;
mod client;
mod directory;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod error_code;
mod flavor;
pub mod operations;
mod pagination;
mod provider;
mod request;
pub mod scopes;
mod token;
mod tokens;
mod wire;

pub use client::{GiteaClient, GiteaClientBuilder};
pub use error_code::ErrorCode;
pub use flavor::Flavor;
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT};
pub use provider::PROVIDER_NAME;
pub use token::GiteaToken;
pub use tokens::{ListTokens, NAME_MAX_CHARS, NewToken};
