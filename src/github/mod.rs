//! GitHub (github.com, GitHub Enterprise Cloud): governance of the personal access tokens that
//! reach an organization — fine-grained PAT grants and requests, SAML credential authorizations,
//! token checks — with GitHub App authentication (fact sheet: `forges-pat-api.md` §4).
//!
//! **What GitHub does not allow**: no API creates, lists, rotates or revokes a user's own
//! tokens. An organization can only see and cut the *access* tokens have to it; a token itself
//! ends only when its owner deletes it or someone holding its value reports it as leaked
//! ([`GitHubClient::report_leaked`]). The neutral [`PatProvider`](crate::PatProvider) answers
//! [`Error::Unsupported`](crate::Error::Unsupported) for create, get, update and rotate,
//! without a request, and its capabilities say so.
//!
//! [`GitHubClient`] acts for one organization with a [`GitHubCredential`]:
//! - a **GitHub App installation** ([`GitHubCredential::app`] with a [`GitHubApp`] and its
//!   [`AppKey`]): the app's RS256 JWT (signed with ring, the crypto library of the `reqwest`
//!   transport's rustls) is exchanged for an installation token, cached until five minutes
//!   before it expires and refreshed once for concurrent callers. The fine-grained PAT
//!   endpoints accept nothing else;
//! - a **classic PAT or OAuth token** ([`GitHubCredential::token`]): an organization owner's,
//!   for SAML credential authorizations.
//!
//! Service facts this client is built around:
//! - A grant has **two ids**: `id` (the grant: what revoking takes, and the neutral
//!   `PatMetadata::id`) and `token_id` (the token: the `token_id[]` filter). See
//!   [`provider`'s mapping](crate::github#neutral-mapping).
//! - **Bulk calls answer 202** and complete later: [`Pending`] waits for them by listing.
//! - Errors come as `{"message", "documentation_url", "status"}` (a 422 adds `errors[]`);
//!   [`ErrorCode`] names the refusals a caller must tell apart (SAML enforcement, no SAML, a
//!   personal token where an app is required, a 422's field code).
//! - **Pagination** follows the `Link` header's `rel="next"` (`per_page` ≤ 100), through the
//!   crate's capped pager.
//! - **Rate limits**: [`RateLimit`] reads `x-ratelimit-*`. A 403 or 429 that is a rate limit
//!   (a `retry-after`, `x-ratelimit-remaining: 0`, or a message naming a rate limit) is
//!   [`Error::RateLimited`](crate::Error::RateLimited) with the wait: `retry-after`, else until
//!   `x-ratelimit-reset`, else GitHub's documented minute. The retry layer re-sends a **429**
//!   after its `Retry-After`; a **403** is returned at once (a 403 is usually a real refusal),
//!   with the wait for the caller.
//!
//! # Neutral mapping
//!
//! A grant is `PatMetadata { id: grant id, display_name: token name, scopes: permissions as
//! kind:name:level, valid_from: access_granted_at, valid_to: token_expires_at, extras: owner,
//! token_id, last_used_at, repository_selection }` ([`Grant::to_metadata`]), so the
//! [`Scan`](crate::lifecycle::Scan) reports expired and expiring grants and (with `max_age`) old ones on
//! the usual report types. [`PatAdmin::list_user_pats`](crate::PatAdmin::list_user_pats) lists
//! a login's grants; [`PatAdmin::revoke_many`](crate::PatAdmin::revoke_many) revokes them in
//! bulk and waits until the listing no longer shows them. [`GitHubOffboarding`] does both across
//! several organizations, with their SAML authorizations, and reports which tokens stay alive.
//!
//! Where things are: `client.rs`, `credential.rs`, `app/` (key, JWT, installation token),
//! `grants/` and `requests/` and `saml/` (one file per operation), `pending.rs`, `check.rs`,
//! `leaked.rs`, `token_kind.rs`, `classify.rs` (answers → errors), `error_code.rs`,
//! `rate_limit.rs`, `pagination.rs`, `wire.rs` (GitHub's objects), `provider.rs` (the neutral
//! seams), `offboard.rs`.

mod app;
mod check;
mod classify;
mod client;
mod credential;
mod directory;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod error_code;
mod grants;
mod leaked;
mod offboard;
pub mod operations;
mod pagination;
mod pending;
mod provider;
mod rate_limit;
mod requests;
mod saml;
mod token_kind;
mod wire;

pub use app::{AppKey, GitHubApp, InstallationToken};
pub use check::TokenCheck;
pub use client::{API_VERSION, DEFAULT_BASE_URL, GitHubClient, GitHubClientBuilder, MEDIA_TYPE};
pub use credential::GitHubCredential;
pub use error_code::ErrorCode;
pub use grants::{Direction, GrantQuery, MAX_IDS, MAX_OWNERS, MAX_TOKEN_IDS};
pub use leaked::MAX_LEAKED_PER_REQUEST;
pub use offboard::{GitHubOffboardReport, GitHubOffboarding, OrgOffboard, TOKENS_STAY_ALIVE};
pub use pagination::MAX_PER_PAGE;
pub use pending::Pending;
pub use provider::{PROVIDER_NAME, extras};
pub use rate_limit::RateLimit;
pub use requests::{MAX_REASON_CHARS, Review};
pub use saml::CredentialType;
pub use token_kind::TokenKind;
pub use wire::{Account, CredentialAuthorization, Grant, PatRequest, Permissions, Repository};
