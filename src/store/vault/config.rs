//! [`VaultConfig`]: a [`VaultTokenStore`] configured from environment variables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::auth::{VaultAuth, VaultSecretId};
use super::token::VaultToken;
use super::{VaultTokenStore, VaultTokenStoreBuilder};
use crate::transport::{HttpTransport, RetryConfig, RetryTransport};

/// A setting read from the environment: its OpenBao spelling, its Vault spelling.
type Pair = (&'static str, &'static str);

const ADDR: Pair = ("BAO_ADDR", "VAULT_ADDR");
const TOKEN: Pair = ("BAO_TOKEN", "VAULT_TOKEN");
const TOKEN_FILE: Pair = ("BAO_TOKEN_FILE", "VAULT_TOKEN_FILE");
const NAMESPACE: Pair = ("BAO_NAMESPACE", "VAULT_NAMESPACE");
const CACERT: Pair = ("BAO_CACERT", "VAULT_CACERT");
const ROLE_ID: Pair = ("BAO_ROLE_ID", "VAULT_ROLE_ID");
const SECRET_ID: Pair = ("BAO_SECRET_ID", "VAULT_SECRET_ID");
const SECRET_ID_FILE: Pair = ("BAO_SECRET_ID_FILE", "VAULT_SECRET_ID_FILE");
const APPROLE_MOUNT: Pair = ("BAO_APPROLE_MOUNT", "VAULT_APPROLE_MOUNT");
/// Settings of the Vault CLI patkit does not support: refused rather than silently ignored.
const UNSUPPORTED: [(Pair, &str); 3] = [
    (("BAO_CAPATH", "VAULT_CAPATH"), "a CA directory is not supported; put the CA in BAO_CACERT / VAULT_CACERT"),
    (("BAO_SKIP_VERIFY", "VAULT_SKIP_VERIFY"), "certificate checks cannot be turned off; trust the CA with BAO_CACERT"),
    (("BAO_CLIENT_CERT", "VAULT_CLIENT_CERT"), "TLS client certificates are not supported"),
];
/// patkit's own: the KV v2 mount and the folder below it.
const MOUNT: &str = "PATKIT_VAULT_MOUNT";
const PREFIX: &str = "PATKIT_VAULT_PREFIX";

/// How to reach and log in to Vault / OpenBao, read from environment variables, for a
/// [`VaultTokenStore`] that configures itself (a rotation job on many machines, a container).
///
/// # Variables
///
/// Each setting has an OpenBao (`BAO_*`) and a Vault (`VAULT_*`) spelling; **when both are set,
/// the `BAO_*` one wins** (as the `bao` CLI does). Empty values count as unset. Values are never
/// shown in errors or `Debug`.
///
/// | variable | meaning |
/// |---|---|
/// | `BAO_ADDR` / `VAULT_ADDR` | the server, e.g. `https://vault.example.com:8200` (required) |
/// | `BAO_TOKEN` / `VAULT_TOKEN` | a token ([`VaultAuth::token`]) |
/// | `BAO_TOKEN_FILE` / `VAULT_TOKEN_FILE` | a file holding the token, kept current by a Vault/OpenBao agent ([`VaultAuth::token_file`]); read again before the token expires and when Vault refuses it. patkit's name (the CLI has none); point it at `~/.vault-token` to use the CLI's login |
/// | `BAO_ROLE_ID` / `VAULT_ROLE_ID` | AppRole role ID ([`VaultAuth::app_role`]); patkit's name |
/// | `BAO_SECRET_ID` / `VAULT_SECRET_ID` | AppRole secret ID; patkit's name |
/// | `BAO_SECRET_ID_FILE` / `VAULT_SECRET_ID_FILE` | a file holding the secret ID, read at each login, instead of the above; patkit's name |
/// | `BAO_APPROLE_MOUNT` / `VAULT_APPROLE_MOUNT` | where AppRole is mounted (default `approle`); patkit's name |
/// | `BAO_NAMESPACE` / `VAULT_NAMESPACE` | the namespace, sent as `X-Vault-Namespace` |
/// | `BAO_CACERT` / `VAULT_CACERT` | a PEM file of the CA that issued the server's certificate, trusted besides the built-in roots |
/// | `PATKIT_VAULT_MOUNT` | the KV v2 mount (default `secret`) |
/// | `PATKIT_VAULT_PREFIX` | the folder below the mount that holds the entries (default `patkit`) |
///
/// Exactly one way to log in must be given: a token, a token file, or a role ID with a secret
/// ID (or secret ID file). A missing address or login, two ways to log in, a role ID without a
/// secret ID (or the reverse), a secret ID and a secret ID file together, and `*_CAPATH`,
/// `*_SKIP_VERIFY` or `*_CLIENT_CERT` (not supported: refused rather than ignored) are
/// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the variable.
///
/// # Retries
///
/// The store is built over a [`RetryTransport`] with [`RetryConfig::default`] (reads and plain
/// writes are retried on connection errors, 429 and 5xx; check-and-set writes and logins only
/// when they never reached the server). Change it with [`retry`](Self::retry);
/// `RetryConfig::none()` turns it off.
///
/// ```
/// use patkit::store::VaultConfig;
///
/// let env = [("VAULT_ADDR", "https://vault.example.com:8200"), ("BAO_ADDR", "https://bao.example.com:8200"),
///            ("VAULT_TOKEN", "s.canary"), ("PATKIT_VAULT_PREFIX", "teams/platform")];
/// let config = VaultConfig::from_lookup(|name| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))?;
/// assert_eq!(config.address(), "https://bao.example.com:8200"); // BAO_* wins
/// assert_eq!(config.prefix(), "teams/platform");
/// assert!(!format!("{config:?}").contains("canary"));
///
/// let err = VaultConfig::from_lookup(|name| (name == "VAULT_TOKEN").then(|| "s.canary".to_owned())).unwrap_err();
/// assert!(matches!(err, patkit::Error::InvalidInput { field: "BAO_ADDR or VAULT_ADDR", .. }), "{err}");
/// # Ok::<_, patkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VaultConfig {
    address: String,
    auth: VaultAuth,
    namespace: Option<String>,
    ca_cert: Option<PathBuf>,
    mount: String,
    prefix: String,
    retry: RetryConfig,
}

impl VaultConfig {
    /// Reads the configuration from this process's environment (see the [table](Self)).
    pub fn from_env() -> crate::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (a variable's name → its value), e.g. from a
    /// map in a test or a file of settings. The same rules as [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> crate::Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        // (the variable that was read, its value)
        let pair = |(bao, vault): Pair| match (get(bao), get(vault)) {
            (Some(value), other) => {
                if other.as_ref().is_some_and(|o| *o != value) {
                    tracing::debug!(used = bao, ignored = vault, "patkit: both are set; the BAO_* one wins");
                }
                Some((bao, value))
            }
            (None, Some(value)) => Some((vault, value)),
            (None, None) => None,
        };
        for ((bao, vault), why) in UNSUPPORTED {
            if let Some((name, _)) = pair((bao, vault)) {
                return Err(crate::Error::invalid_input(name, why));
            }
        }
        let (_, address) =
            pair(ADDR).ok_or_else(|| crate::Error::invalid_input("BAO_ADDR or VAULT_ADDR", "not set"))?;
        let token = pair(TOKEN);
        let token_file = pair(TOKEN_FILE);
        let role_id = pair(ROLE_ID);
        let secret_id = pair(SECRET_ID);
        let secret_id_file = pair(SECRET_ID_FILE);
        let logins: Vec<&str> = [&token, &token_file, &role_id].into_iter().flatten().map(|(name, _)| *name).collect();
        if logins.len() > 1 {
            return Err(crate::Error::invalid_input(
                logins[1],
                format!("conflicts with {}: give exactly one way to log in", logins[0]),
            ));
        }
        let auth = match (token, token_file, role_id) {
            (Some((_, token)), None, None) => VaultAuth::token(VaultToken::new(token)),
            (None, Some((_, path)), None) => VaultAuth::token_file(path),
            (None, None, Some((_, role_id))) => {
                let auth = match (secret_id, secret_id_file) {
                    (Some((_, secret)), None) => VaultAuth::app_role(role_id, VaultSecretId::new(secret)),
                    (None, Some((_, path))) => VaultAuth::app_role_secret_id_file(role_id, path),
                    (Some((name, _)), Some((file, _))) => {
                        return Err(crate::Error::invalid_input(file, format!("conflicts with {name}: give one")));
                    }
                    (None, None) => {
                        return Err(crate::Error::invalid_input(
                            "BAO_SECRET_ID or VAULT_SECRET_ID",
                            "not set, but a role ID is: AppRole needs both (or BAO_SECRET_ID_FILE)",
                        ));
                    }
                };
                match pair(APPROLE_MOUNT) {
                    Some((_, mount)) => auth.mount(mount),
                    None => auth,
                }
            }
            _ => {
                if let Some((name, _)) = secret_id.or(secret_id_file) {
                    return Err(crate::Error::invalid_input(name, "set without BAO_ROLE_ID / VAULT_ROLE_ID"));
                }
                return Err(crate::Error::invalid_input(
                    "BAO_TOKEN or VAULT_TOKEN",
                    "no way to log in: set a token, a token file (BAO_TOKEN_FILE) or an AppRole (BAO_ROLE_ID + BAO_SECRET_ID)",
                ));
            }
        };
        Ok(Self {
            address,
            auth,
            namespace: pair(NAMESPACE).map(|(_, ns)| ns),
            ca_cert: pair(CACERT).map(|(_, path)| PathBuf::from(path)),
            mount: get(MOUNT).unwrap_or_else(|| "secret".to_owned()),
            prefix: get(PREFIX).unwrap_or_else(|| "patkit".to_owned()),
            retry: RetryConfig::default(),
        })
    }

    /// The server address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// How the store logs in.
    pub fn auth(&self) -> &VaultAuth {
        &self.auth
    }

    /// The namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The CA certificate file, if any.
    pub fn ca_cert(&self) -> Option<&Path> {
        self.ca_cert.as_deref()
    }

    /// The KV v2 mount.
    pub fn mount(&self) -> &str {
        &self.mount
    }

    /// The folder below the mount.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Retries of the store's requests (default [`RetryConfig::default`]; `RetryConfig::none()`
    /// turns them off).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// A builder of the configured store over `transport`, wrapped in a [`RetryTransport`] with
    /// this configuration's [`retry`](Self::retry) settings. The CA certificate is not used
    /// here (it belongs to the transport); [`build`](Self::build) reads it.
    pub fn builder(self, transport: Arc<dyn HttpTransport>) -> VaultTokenStoreBuilder {
        let transport: Arc<dyn HttpTransport> = Arc::new(RetryTransport::new(transport, self.retry));
        let mut builder = VaultTokenStore::builder_with_auth(&self.address, self.auth, transport)
            .mount(self.mount)
            .prefix(self.prefix);
        if let Some(namespace) = self.namespace {
            builder = builder.namespace(namespace);
        }
        builder
    }

    /// Builds the configured store over a [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (trusting the CA certificate file, if one is set) with retries. Sends nothing: the first
    /// request logs in.
    ///
    /// Fails with [`Error::InvalidInput`](crate::Error::InvalidInput) naming `BAO_CACERT` /
    /// `VAULT_CACERT` when that file cannot be read or holds no certificate, and as
    /// [`VaultTokenStoreBuilder::build`] does.
    #[cfg(feature = "reqwest")]
    pub fn build(self) -> crate::Result<VaultTokenStore> {
        let mut transport = crate::transport::ReqwestTransport::builder();
        if let Some(path) = &self.ca_cert {
            let pem = std::fs::read(path)
                .map_err(|_| crate::Error::invalid_input("BAO_CACERT or VAULT_CACERT", "the file cannot be read"))?;
            transport = transport.root_certificates_pem(pem);
        }
        let transport = transport
            .build()
            .map_err(|e| crate::Error::invalid_input("BAO_CACERT or VAULT_CACERT", format!("not usable: {e}")))?;
        self.builder(Arc::new(transport)).build()
    }
}

impl VaultTokenStore {
    /// The store configured by environment variables alone ([`VaultConfig::from_env`], then
    /// [`VaultConfig::build`]): address, login (token, token file or AppRole), namespace, CA
    /// certificate, mount and prefix, with retries on.
    ///
    /// ```no_run
    /// # async fn demo() -> patkit::Result<()> {
    /// // BAO_ADDR=https://bao.example.com:8200 BAO_ROLE_ID=… BAO_SECRET_ID_FILE=/run/secrets/secret-id
    /// use patkit::store::{TokenStore, VaultTokenStore};
    /// let store = VaultTokenStore::from_env()?;
    /// println!("{} entries", store.list().await?.len());
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "reqwest")]
    pub fn from_env() -> crate::Result<Self> {
        VaultConfig::from_env()?.build()
    }
}
