//! Azure DevOps: the PAT Lifecycle Management and Token Admin REST APIs.
//!
//! [`AzureDevOpsClient`] is bound to one organization. Every operation is a pure request builder
//! and a pure parser (unit-tested without any transport) joined by a few lines of async glue;
//! all of the service's answers are classified in one place.
//!
//! Service facts this client is built around:
//! - The PAT API accepts only a Microsoft Entra access token issued to a *user*
//!   ([`AzureCliCredential`], [`EnvCredential`], [`DefaultCredential`] get one); a PAT
//!   ([`PatCredential`]) or any other non-bearer credential is refused before sending
//!   ([`CredentialErrorKind::NotAccepted`](crate::CredentialErrorKind)).
//! - Bad credentials may come back as HTTP 203 sign-in pages or redirects; patkit sends
//!   `X-TFS-FedAuthRedirect: Suppress`, never follows redirects, and reports all of them as
//!   [`Error::AuthRequired`](crate::Error::AuthRequired).
//! - Logical failures arrive as HTTP 200 with `patTokenError`; they become typed errors, and
//!   codes this version does not know still parse ([`PatTokenError::Unknown`]).
//! - The secret is returned by create only.
//!
//! Where things are (the same rooms every provider module has):
//! - `client.rs`: [`AzureDevOpsClient`] and its builder, on the crate's shared client core
//!   (transport and retry wiring, the `patkit.request` span, the base-URL rule);
//! - `pats/`, `token_admin/`: one file per operation, each with its pure request builder, its
//!   pure parser and the async glue (`pats/create.rs` holds [`CreatePat`], the create request
//!   and its parser);
//! - `request.rs` (URL layout, headers), `wire.rs` (wire types), `classify.rs` (every answer
//!   becomes a typed result or error), `validate.rs` (input checks before sending);
//! - `auth/`: the Entra credential sources;
//! - `provider.rs`, `token_admin/provider.rs`: the neutral [`PatProvider`](crate::PatProvider)
//!   and [`PatAdmin`](crate::PatAdmin) seams;
//! - `emulator/` (feature `emulator`): the service's emulator, written from the fact sheet, on
//!   the shared emulator toolkit.

mod auth;
mod classify;
#[cfg(test)]
mod classify_props;
mod client;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod error_code;
pub mod operations;
mod pats;
mod provider;
mod request;
pub mod scopes;
mod targets;
mod token_admin;
mod validate;
mod wire;

#[cfg(test)]
mod wire_props;

pub use auth::{AZURE_DEVOPS_RESOURCE, AzureCliCredential, DefaultCredential, EnvCredential, PatCredential};
pub use client::{
    AzureDevOpsClient, AzureDevOpsClientBuilder, DEFAULT_BASE_URL, DEFAULT_CHECK_BASE_URL, DEFAULT_PAT_API_VERSION,
    DEFAULT_TOKEN_ADMIN_API_VERSION,
};
pub use error_code::{PatTokenError, Policy};
pub use pats::{CreatePat, ListPats, UpdatePat};
pub use provider::PROVIDER_NAME;
pub use request::USER_AGENT;
pub use targets::{GLOBAL_PAT_RETIREMENT, GlobalReplacement, Targets};
pub use token_admin::{AdminListPats, AdminTokenInfo, MAX_REVOCATIONS_PER_REQUEST, TokenAdmin};
pub use validate::{DEFAULT_MAX_LIFESPAN, MAX_DISPLAY_NAME_CHARS, MAX_ORGANIZATION_CHARS};
