//! The one error type of the crate.
//!
//! Variants are semantic and name no provider: a caller matches [`Error::NotFound`] or
//! [`Error::PolicyViolation`] instead of parsing strings; the service's own code travels as a
//! [`ServiceCode`] that each provider module turns into its typed enum (Azure DevOps:
//! `patkit::azure::PatTokenError::from(&code)`). No variant carries a dependency's error type (sources are boxed),
//! and no message ever quotes a token or a response body that could hold one.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::model::{PatId, PatMetadata};
use crate::store::StoreError;
use crate::transport::TransportError;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in patkit.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// The service did not accept the credential (HTTP 401, a 203 sign-in page, a 3xx redirect to
    /// sign-in, or an HTML body). The provider that classified the answer says what to do in
    /// `hint` (e.g. Azure DevOps: which credential its API needs and how to get one).
    AuthRequired {
        /// How the service said so.
        reason: AuthFailure,
        /// The service's message, when it sent a JSON one.
        message: Option<String>,
        /// What to do about it, from the provider; `None` when it has nothing to add (e.g. a new
        /// token refused when it was tried out).
        hint: Option<Cow<'static, str>>,
    },

    /// The credential was recognised but may not do this (HTTP 403; Azure DevOps: typically
    /// `InvalidAccessException`, a PAT used where an Entra user token is required, or a
    /// non-admin on Token Admin; GitLab: a token without the scope the call needs).
    Forbidden {
        /// The service's code for it, when it sent one (Azure DevOps: the exception's `typeKey`).
        code: Option<ServiceCode>,
        /// The service's message.
        message: String,
    },

    /// The token does not exist or is not the caller's (a 404, or the provider's way of saying
    /// so, e.g. Azure DevOps `patTokenError: tokenNotFound`).
    NotFound {
        /// The id that was asked for, when known.
        id: Option<PatId>,
    },

    /// A policy of the organization, tenant or instance refused the request (Azure DevOps: HTTP
    /// 200 with a policy `patTokenError`, see `patkit::azure::Policy::of`; GitLab: a maximum
    /// token lifetime).
    PolicyViolation {
        /// The service's code for the policy, verbatim.
        code: ServiceCode,
        /// The service's message, when present.
        message: Option<String>,
    },

    /// The service rejected the request with a code of its own that is no policy (Azure
    /// DevOps: HTTP 200 with another `patTokenError` and `patToken: null`). Codes this version
    /// does not know arrive here too.
    Rejected {
        /// The service's code, verbatim.
        code: ServiceCode,
        /// The service's message, when present.
        message: Option<String>,
    },

    /// Throttled (HTTP 429). Wait `retry_after` (when the service said) before the next request.
    RateLimited {
        /// The service's `Retry-After`, when present.
        retry_after: Option<Duration>,
        /// The service's message (e.g. `TF400733: …`).
        message: Option<String>,
    },

    /// Any other non-success answer, with what the service said about it.
    Api {
        /// The HTTP status.
        status: u16,
        /// The service's code for it, when the body had one (Azure DevOps: WrappedException
        /// `typeKey`; GitLab: `error`).
        code: Option<ServiceCode>,
        /// The service's message, when the body had one.
        message: Option<String>,
    },

    /// The request did not complete (connect, timeout, interrupted).
    Transport(TransportError),

    /// A response could not be decoded. `path` names the failing JSON field.
    Decode {
        /// JSON path of the failing field (`.` for the document).
        path: String,
        /// What went wrong. Never quotes a sensitive body.
        source: Box<dyn StdError + Send + Sync>,
    },

    /// A create failed in a way that leaves open whether the service minted the token (a timeout,
    /// a dropped connection, a 408 or a 5xx after the request was sent), or the service answered
    /// yes with a body that could not be decoded (the token exists but its secret is lost).
    /// patkit never re-sends a create; instead it looked for tokens with the requested display
    /// name and lists them in `found`. Their secrets cannot be recovered: revoke them (or keep
    /// them if you do not need the value) and create again.
    CreateOutcomeUnknown {
        /// The display name the create asked for.
        display_name: String,
        /// The id of the minted token, when the service's answer said it (a success whose body
        /// decoded only in part). Revoke it even if `found` misses it.
        id: Option<PatId>,
        /// Active tokens with that display name, found after the failure.
        found: Vec<PatMetadata>,
        /// The failure of the create itself.
        source: Box<Error>,
    },

    /// A token was created but could not be stored, so it was revoked (`revoke_error: None`:
    /// nothing is left behind) or, when that failed too, it **still works** and must be revoked
    /// by hand (`revoke_error` says why it could not be). Returned by
    /// [`lifecycle::mint_and_store`](crate::lifecycle::mint_and_store).
    NotStored {
        /// The created token's id.
        id: PatId,
        /// Why the store refused it.
        store: StoreError,
        /// Why the revoke failed, when it did.
        revoke_error: Option<Box<Error>>,
    },

    /// A paged listing stopped before the service said it was complete: the service handed back
    /// a continuation token it had already sent in this listing (following it would go round in
    /// circles), or the listing reached its page cap (see [`DEFAULT_MAX_PAGES`]; the listings a
    /// caller could legitimately need longer take a `max_pages` setting). Calls that collect a
    /// whole listing return this instead of a partial result; streams yield it after the last
    /// page they read.
    ///
    /// [`DEFAULT_MAX_PAGES`]: crate::DEFAULT_MAX_PAGES
    ListingCut {
        /// Which listing, e.g. `"PAT list"`, `"Token Admin PAT list"`, `"expiry scan"` or
        /// `"rotation recovery"`.
        listing: &'static str,
        /// Why it was stopped.
        reason: ListingCutReason,
        /// The pages read before it was stopped.
        pages: usize,
    },

    /// The provider (or its admin API) does not offer this operation at all; nothing was sent.
    /// [`PatProvider::capabilities`](crate::PatProvider::capabilities) (or
    /// [`PatAdmin::capabilities`](crate::PatAdmin::capabilities)) says so beforehand, so a caller
    /// can choose another way instead of calling and matching this.
    Unsupported {
        /// The provider's [`provider_name`](crate::PatProvider::provider_name).
        provider: String,
        /// The operation, named after the trait method, e.g. `"create_pat"` or `"rotate_pat"`.
        operation: &'static str,
    },

    /// A token store failed.
    Store(StoreError),

    /// The input was refused before anything was sent.
    InvalidInput {
        /// Which argument.
        field: &'static str,
        /// Why.
        reason: Cow<'static, str>,
    },

    /// A call of the blocking API ([`blocking`](crate::blocking), feature `blocking`) was made on
    /// a thread where a tokio runtime is current: inside async code, a `spawn_blocking` or
    /// `block_in_place` closure, or under a runtime's `enter` guard. Blocking there would stall
    /// the runtime (or deadlock a single-threaded one), so nothing was run; use the async API
    /// there. Only the blocking API returns it.
    InsideAsyncRuntime {
        /// The blocking method, e.g. `"create_pat"`, `"rotate_all"` or `"block_on"`.
        operation: &'static str,
    },

    /// No usable credential (e.g. a command-line login tool missing or not logged in, a variable
    /// unset, or a kind of credential the API does not accept).
    Credential {
        /// What kind of problem.
        kind: CredentialErrorKind,
        /// What went wrong and what to do next.
        message: Cow<'static, str>,
        /// The underlying cause, when there is one.
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// `": {m}"` (or `sep` before it) when there is a message, nothing otherwise.
        fn opt(f: &mut fmt::Formatter<'_>, sep: &str, m: Option<&dyn fmt::Display>) -> fmt::Result {
            match m {
                Some(m) => write!(f, "{sep}{m}"),
                None => Ok(()),
            }
        }
        match self {
            Self::AuthRequired { reason, message, hint } => {
                let message = message.as_deref().unwrap_or("the service did not accept the credential");
                write!(f, "authentication required ({reason}): {message}")?;
                opt(f, "; ", hint.as_ref().map(|h| h as &dyn fmt::Display))
            }
            Self::Forbidden { message, .. } => write!(f, "forbidden: {message}"),
            Self::NotFound { id } => {
                f.write_str("token not found")?;
                opt(f, ": ", id.as_ref().map(|id| id as &dyn fmt::Display))
            }
            Self::PolicyViolation { code, message } => {
                write!(f, "refused by a policy ({code})")?;
                opt(f, ": ", message.as_ref().map(|m| m as &dyn fmt::Display))
            }
            Self::Rejected { code, message } => {
                write!(f, "the service rejected the request ({code})")?;
                opt(f, ": ", message.as_ref().map(|m| m as &dyn fmt::Display))
            }
            Self::RateLimited { retry_after, .. } => {
                f.write_str("rate limited")?;
                match retry_after {
                    Some(d) => write!(f, "; retry after {}s", d.as_secs_f64()),
                    None => Ok(()),
                }
            }
            Self::Api { status, code, message } => {
                write!(f, "HTTP {status}")?;
                opt(f, " ", code.as_ref().map(|k| k as &dyn fmt::Display))?;
                opt(f, ": ", message.as_ref().map(|m| m as &dyn fmt::Display))
            }
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::Decode { path, .. } => write!(f, "could not decode the response at `{path}`"),
            Self::CreateOutcomeUnknown { display_name, found, source, .. } => write!(
                f,
                "the create of `{display_name}` may have reached the service ({source}); {} token(s) with that name found",
                found.len()
            ),
            Self::NotStored { id, store, revoke_error } => {
                write!(f, "created token {id} but could not store it ({store}); ")?;
                match revoke_error {
                    None => f.write_str("it was revoked, so nothing is left behind"),
                    Some(e) => write!(f, "it could NOT be revoked ({e}) and still works: revoke token {id}"),
                }
            }
            Self::ListingCut { listing, reason, pages } => {
                write!(f, "{listing}: the listing stopped after {pages} page(s): {reason}")
            }
            Self::Unsupported { provider, operation } => write!(f, "{provider} does not support {operation}"),
            Self::Store(e) => write!(f, "token store: {e}"),
            Self::InvalidInput { field, reason } => write!(f, "invalid {field}: {reason}"),
            Self::InsideAsyncRuntime { operation } => write!(
                f,
                "`{operation}` blocks the calling thread, and a tokio runtime is current on it (async code): nothing was \
                 run; use patkit's async API there, or make the call from a thread without a runtime"
            ),
            Self::Credential { message, .. } => write!(f, "credential: {message}"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            Self::Decode { source, .. } => Some(source.as_ref()),
            Self::CreateOutcomeUnknown { source, .. } => Some(source.as_ref()),
            Self::NotStored { store, .. } => Some(store),
            Self::Store(e) => Some(e),
            Self::Credential { source, .. } => source.as_deref().map(|s| s as &(dyn StdError + 'static)),
            _ => None,
        }
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid_input(field: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Self::InvalidInput { field, reason: reason.into() }
    }

    /// Shorthand for [`Error::Unsupported`].
    pub fn unsupported(provider: impl Into<String>, operation: &'static str) -> Self {
        Self::Unsupported { provider: provider.into(), operation }
    }

    /// Shorthand for [`Error::Credential`] without a source.
    pub fn credential(kind: CredentialErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Credential { kind, message: message.into(), source: None }
    }

    /// The `Retry-After` the service asked for, if this is [`Error::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Self::Transport(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// How the service said the credential was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// HTTP 401.
    Unauthorized,
    /// HTTP 203 Non-Authoritative Information: the sign-in page the service serves instead of 401.
    SignInPage,
    /// A 3xx redirect (to `_signin`). patkit never follows redirects.
    Redirect,
    /// An HTML body where JSON was expected.
    HtmlBody,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unauthorized => "HTTP 401",
            Self::SignInPage => "HTTP 203 sign-in page",
            Self::Redirect => "redirect to sign-in",
            Self::HtmlBody => "HTML sign-in page",
        })
    }
}

/// Why an [`Error::ListingCut`] stopped a listing.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingCutReason {
    /// A page handed back a continuation token the listing had already followed (`a, b, a…`):
    /// the service would keep answering with the same pages forever.
    RepeatedContinuation,
    /// The listing read its cap of pages and the last one still had a continuation.
    PageLimit {
        /// The cap.
        max_pages: usize,
    },
}

impl fmt::Display for ListingCutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RepeatedContinuation => f.write_str(
                "the service sent a continuation token it had already sent in this listing; following it would never end",
            ),
            Self::PageLimit { max_pages } => {
                write!(f, "it reached its cap of {max_pages} pages and the service still had more")
            }
        }
    }
}

/// A service's own code for an error, verbatim (Azure DevOps: a `patTokenError` or an
/// exception's `typeKey`; GitLab: an `error` field). Never secret. Each provider module derives
/// its typed codes from it, so codes a version does not know still arrive intact.
///
/// ```
/// let code = patkit::ServiceCode::new("tokenNotFound");
/// assert_eq!(code, "tokenNotFound");
/// assert_eq!(code.to_string(), "tokenNotFound");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceCode(Cow<'static, str>);

impl ServiceCode {
    /// Wraps a code as the service spelt it.
    pub fn new(code: impl Into<Cow<'static, str>>) -> Self {
        Self(code.into())
    }

    /// The code as the service spelt it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for ServiceCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ServiceCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// What kind of credential problem an [`Error::Credential`] is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialErrorKind {
    /// No credential could be obtained (variable unset, login tool not installed).
    Unavailable,
    /// A login tool (e.g. `az`) is installed but not logged in, or the login expired.
    NotLoggedIn,
    /// The credential is of a kind this API does not accept (Azure DevOps: a PAT where an Entra
    /// user token is required). Refused before anything is sent.
    NotAccepted,
    /// Anything else (unparseable login-tool output, …).
    Other,
}
