//! How a [`VaultTokenStore`](super::VaultTokenStore) authenticates: [`VaultAuth`] (what the user
//! configures) and the session that keeps a working token (looked up, renewed, re-read or
//! logged in again before it expires, once for all concurrent requests).

mod session;
pub(crate) mod wire;

use std::fmt;
use std::path::PathBuf;

use crate::secret::SecretText;

use super::token::VaultToken;

pub(crate) use session::Session;

/// How a [`VaultTokenStore`](super::VaultTokenStore) logs in to Vault / OpenBao.
///
/// | method | where the token comes from | before it expires |
/// |---|---|---|
/// | [`token`](Self::token) | given | renewed (`renew-self`) at 2/3 of its TTL if renewable; else used until it expires |
/// | [`token_as_is`](Self::token_as_is) | given | nothing: never looked up nor renewed |
/// | [`token_file`](Self::token_file) | read from a file (a Vault/OpenBao agent's sink, `~/.vault-token`) | the file is read again at 2/3 of the token's TTL and whenever Vault refuses the token; patkit never renews it (the agent does) |
/// | [`app_role`](Self::app_role) | `POST auth/<mount>/login` with a role ID and secret ID | renewed at 2/3 of its TTL; logged in again when it cannot be renewed (or its maximum TTL is near) |
///
/// The TTL comes from Vault (`lookup-self`, or the login's lease). A token that never expires
/// (TTL 0, like a dev root token) is never refreshed. Whatever the method, a request Vault
/// refuses with 403 is sent once more after one refresh (when the method can get a different
/// token); concurrent requests share that refresh.
///
/// Secrets (the token, the secret ID) are held in redacting wrappers; `Debug` shows the method
/// and paths only.
///
/// ```
/// use patkit::store::{VaultAuth, VaultSecretId, VaultToken};
///
/// let by_token = VaultAuth::token(VaultToken::new("s.canary".to_owned()));
/// let by_agent = VaultAuth::token_file("/run/vault-agent/token");
/// let by_role = VaultAuth::app_role("c6f1…-role", VaultSecretId::new("canary-secret-id".to_owned())).mount("approle-ci");
/// assert!(!format!("{by_token:?}{by_agent:?}{by_role:?}").contains("canary"));
/// ```
#[derive(Clone)]
pub struct VaultAuth {
    pub(crate) method: Method,
}

#[derive(Clone)]
pub(crate) enum Method {
    /// A token; `keep_alive`: looked up and renewed (else sent as it is).
    Token {
        token: VaultToken,
        keep_alive: bool,
    },
    TokenFile(PathBuf),
    AppRole {
        mount: String,
        role_id: String,
        secret_id: SecretIdSource,
    },
}

#[derive(Clone)]
pub(crate) enum SecretIdSource {
    Value(VaultSecretId),
    File(PathBuf),
}

impl VaultAuth {
    /// A token given up front (`X-Vault-Token`).
    pub fn token(token: VaultToken) -> Self {
        Self { method: Method::Token { token, keep_alive: true } }
    }

    /// A token sent as it is: never looked up nor renewed (what
    /// [`VaultTokenStore::builder`](super::VaultTokenStore::builder) does), for a token whose
    /// life is managed elsewhere.
    pub fn token_as_is(token: VaultToken) -> Self {
        Self { method: Method::Token { token, keep_alive: false } }
    }

    /// A token read from `path` (surrounding whitespace ignored), e.g. the sink file a Vault or
    /// OpenBao agent keeps current, or the CLI's `~/.vault-token`. The file is read at the first
    /// request, again at 2/3 of the token's TTL, and again whenever Vault refuses the token.
    pub fn token_file(path: impl Into<PathBuf>) -> Self {
        Self { method: Method::TokenFile(path.into()) }
    }

    /// AppRole login with `role_id` and `secret_id`, at the auth mount `approle` (change it
    /// with [`mount`](Self::mount)).
    pub fn app_role(role_id: impl Into<String>, secret_id: VaultSecretId) -> Self {
        Self {
            method: Method::AppRole {
                mount: "approle".to_owned(),
                role_id: role_id.into(),
                secret_id: SecretIdSource::Value(secret_id),
            },
        }
    }

    /// AppRole login whose secret ID is read from `path` at every login (so an orchestrator can
    /// replace it), at the auth mount `approle` (change it with [`mount`](Self::mount)).
    pub fn app_role_secret_id_file(role_id: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self {
            method: Method::AppRole {
                mount: "approle".to_owned(),
                role_id: role_id.into(),
                secret_id: SecretIdSource::File(path.into()),
            },
        }
    }

    /// The path the AppRole auth method is mounted at (default `approle`). No effect on the
    /// token methods.
    pub fn mount(mut self, mount: impl Into<String>) -> Self {
        if let Method::AppRole { mount: m, .. } = &mut self.method {
            *m = mount.into();
        }
        self
    }

    /// A short name of the method, for `Debug` and tracing: `token`, `token file` or `approle`.
    pub(crate) fn kind(&self) -> &'static str {
        match self.method {
            Method::Token { .. } => "token",
            Method::TokenFile(_) => "token file",
            Method::AppRole { .. } => "approle",
        }
    }
}

impl From<VaultToken> for VaultAuth {
    fn from(token: VaultToken) -> Self {
        Self::token(token)
    }
}

impl fmt::Debug for VaultAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Method::Token { keep_alive, .. } => f
                .debug_struct("VaultAuth::Token")
                .field("token", &"[REDACTED]")
                .field("keep_alive", keep_alive)
                .finish(),
            Method::TokenFile(path) => f.debug_tuple("VaultAuth::TokenFile").field(path).finish(),
            Method::AppRole { mount, secret_id, .. } => {
                let secret_id = match secret_id {
                    SecretIdSource::Value(_) => "[REDACTED]".to_owned(),
                    SecretIdSource::File(path) => format!("file {}", path.display()),
                };
                f.debug_struct("VaultAuth::AppRole")
                    .field("mount", mount)
                    .field("role_id", &"[REDACTED]")
                    .field("secret_id", &secret_id)
                    .finish()
            }
        }
    }
}

/// An AppRole secret ID. Like every patkit secret, its `Debug` prints a redaction marker and it
/// has no `Display`, no `Serialize` and no `PartialEq`.
///
/// ```
/// use patkit::store::VaultSecretId;
/// assert_eq!(format!("{:?}", VaultSecretId::new("canary".to_owned())), "VaultSecretId([REDACTED])");
/// ```
#[derive(Clone)]
pub struct VaultSecretId(SecretText);

impl VaultSecretId {
    /// Wraps a secret ID. The `String` is moved in and zeroized when the value is dropped.
    pub fn new(value: String) -> Self {
        Self(SecretText::new(value))
    }

    /// Returns the secret ID.
    ///
    /// # Security
    ///
    /// Never log or print it: with the role ID it mints Vault tokens.
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for VaultSecretId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultSecretId([REDACTED])")
    }
}
