//! [`VaultTokenStore`]: entries in an OpenBao / HashiCorp Vault KV v2 secrets engine (feature
//! `vault`).

mod token;
mod wire;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt, stream};

pub use token::VaultToken;

use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Operation};
use wire::Endpoint;

/// How many entries [`VaultTokenStore::list`](TokenStore::list) reads at once.
const LIST_CONCURRENCY: usize = 8;

/// A [`TokenStore`] in an OpenBao or HashiCorp Vault KV v2 secrets engine, for teams and services
/// that outgrow one machine.
///
/// It speaks the KV v2 HTTP API over any [`HttpTransport`] (so [`ReqwestTransport`], a retry
/// decorator or a mock all work) with token auth (`X-Vault-Token`, marked sensitive).
///
/// # Layout
///
/// The entry named `ci/nuget` lives at `<mount>/data/<prefix>/ci/nuget` (mount `secret` and
/// prefix `patkit` by default; each `/`-separated part of a name is one path segment,
/// percent-encoded). Its KV data is
/// `{"format": "patkit.v1", "secret": "<token>", "record": {…}}`: the secret and its record are
/// one KV version, written by one request, so a reader always sees a whole entry. Names with an
/// empty, `.` or `..` segment cannot be stored (the operation fails with
/// [`StoreErrorKind::Other`]).
///
/// # Revisions and compare-and-swap
///
/// An entry's [`PatRecord::revision`] is its KV version: Vault raises it by one on every write.
/// [`compare_and_swap`](TokenStore::compare_and_swap) is KV's check-and-set, enforced by the
/// server, so it is safe across processes and machines: [`Expected::Absent`] writes with
/// `cas = 0`, [`Expected::Revision(n)`](Expected::Revision) with `cas = n` (and `Revision(0)`,
/// which no KV version has, always conflicts). `put` writes without check-and-set (on a mount
/// with `cas_required` it fails; use `compare_and_swap` there). Removing an entry deletes all its
/// versions and metadata, so a re-created entry starts again at revision 1: a caller holding a
/// revision read before the removal could match the new entry (the "ABA" case).
///
/// # Errors
///
/// 404 is a missing entry (`Ok(None)` / `Ok(false)`), 403 is
/// [`StoreErrorKind::PermissionDenied`], a check-and-set mismatch (400 or 412) is
/// [`StoreErrorKind::Conflict`], a sealed or unreachable server, 5xx, 429 and redirects (a standby
/// node) are [`StoreErrorKind::Unavailable`], a record that does not decode is
/// [`StoreErrorKind::Corrupt`]. Errors name the entry and the status; they never quote a
/// response body (a read's body holds the secret) nor the token.
///
/// # Limits
///
/// `remove` first reads whether the entry exists, then deletes it: two concurrent removes of
/// the same entry may both return `true`. `list` lists keys, then reads each entry (secrets are
/// dropped at once); entries removed in between are skipped. Durability is Vault's: a write that
/// returned `Ok` was committed by the server's storage backend.
///
/// ```no_run
/// # async fn demo() -> patkit::Result<()> {
/// use std::sync::Arc;
/// use patkit::store::{TokenStore, VaultToken, VaultTokenStore};
/// use patkit::transport::ReqwestTransport;
///
/// let token = VaultToken::new(std::env::var("VAULT_TOKEN").unwrap_or_default());
/// let store = VaultTokenStore::builder("https://vault.example.com:8200", token, Arc::new(ReqwestTransport::new()?))
///     .mount("secret")
///     .prefix("teams/platform/pats")
///     .build()?;
/// for record in store.list().await? {
///     println!("{} expires {}", record.name, record.metadata.valid_to);
/// }
/// # Ok(())
/// # }
/// ```
///
/// [`ReqwestTransport`]: crate::transport
#[derive(Clone)]
pub struct VaultTokenStore {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    transport: Arc<dyn HttpTransport>,
}

/// Settings for a [`VaultTokenStore`]; see [`VaultTokenStore::builder`].
#[derive(Debug)]
pub struct VaultTokenStoreBuilder {
    address: String,
    token: VaultToken,
    transport: Arc<dyn HttpTransport>,
    mount: String,
    prefix: String,
    namespace: Option<String>,
}

impl VaultTokenStoreBuilder {
    /// The path the KV v2 secrets engine is mounted at (default `secret`).
    pub fn mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into();
        self
    }

    /// The folder below the mount that holds this store's entries (default `patkit`; empty for
    /// the mount's root). Give each application or team its own prefix: `list` returns
    /// everything below it.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// A Vault Enterprise / OpenBao namespace, sent as `X-Vault-Namespace` (default: none).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Checks the settings and builds the store. Sends nothing.
    ///
    /// Fails with [`Error::InvalidInput`](crate::Error::InvalidInput) for an address that is
    /// not an `http`/`https` base URL (or carries credentials, a query or a fragment), an empty
    /// mount, a mount or prefix with an empty, `.` or `..` segment, or a token or namespace that
    /// cannot be a header value.
    pub fn build(self) -> crate::Result<VaultTokenStore> {
        let endpoint = Endpoint::new(&self.address, self.token, &self.mount, &self.prefix, self.namespace.as_deref())?;
        Ok(VaultTokenStore { inner: Arc::new(Inner { endpoint, transport: self.transport }) })
    }
}

impl VaultTokenStore {
    /// A store at `address` (e.g. `https://vault.example.com:8200`) with the default mount
    /// (`secret`) and prefix (`patkit`).
    pub fn new(address: &str, token: VaultToken, transport: Arc<dyn HttpTransport>) -> crate::Result<Self> {
        Self::builder(address, token, transport).build()
    }

    /// Settings for a store at `address`; see [`VaultTokenStoreBuilder`].
    pub fn builder(address: &str, token: VaultToken, transport: Arc<dyn HttpTransport>) -> VaultTokenStoreBuilder {
        VaultTokenStoreBuilder {
            address: address.to_owned(),
            token,
            transport,
            mount: "secret".to_owned(),
            prefix: "patkit".to_owned(),
            namespace: None,
        }
    }

    async fn send(&self, name: &str, request: HttpRequest) -> Result<HttpResponse, StoreError> {
        let op = Operation::of(&request).unwrap_or(Operation::StoreRead);
        self.inner.transport.send(request).await.map_err(|e| wire::transport_error(op, name, e))
    }

    async fn write(&self, entry: StoredPat, cas: Option<u64>) -> Result<u64, StoreError> {
        let name = entry.name().to_owned();
        let request = self.inner.endpoint.write(entry, cas)?;
        let response = self.send(&name, request).await?;
        wire::parse_write(&name, &response)
    }

    /// Every entry name below the prefix, walking sub-folders.
    async fn names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = Vec::new();
        let mut folders: Vec<Vec<String>> = vec![Vec::new()];
        while let Some(folder) = folders.pop() {
            let label = folder.join("/");
            let request = self.inner.endpoint.list(&folder)?;
            let response = self.send(&label, request).await?;
            for key in wire::parse_list(&label, &response)? {
                let mut path = folder.clone();
                match key.strip_suffix('/') {
                    Some(sub) => {
                        path.push(sub.to_owned());
                        folders.push(path);
                    }
                    None => {
                        path.push(key);
                        names.push(path.join("/"));
                    }
                }
            }
        }
        Ok(names)
    }
}

impl fmt::Debug for VaultTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = &self.inner.endpoint;
        f.debug_struct("VaultTokenStore")
            .field("api", &endpoint.api().as_str())
            .field("mount", &endpoint.mount())
            .field("prefix", &endpoint.prefix())
            .field("namespace", &endpoint.namespace())
            .field("token", &"[REDACTED]")
            .field("transport", &self.inner.transport)
            .finish()
    }
}

#[async_trait]
impl TokenStore for VaultTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let request = self.inner.endpoint.read(name)?;
        let response = self.send(name, request).await?;
        wire::parse_read(name, &response)
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.write(entry, None).await
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        let cas = match expected {
            Expected::Absent => 0,
            // KV versions start at 1; `cas = 0` would mean "absent", which is not what was asked.
            Expected::Revision(0) => {
                return Err(StoreError::new(
                    StoreErrorKind::Conflict,
                    format!("entry '{}' cannot be at revision 0", entry.name()),
                ));
            }
            Expected::Revision(n) => n,
        };
        self.write(entry, Some(cas)).await
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        let request = self.inner.endpoint.read_metadata(name)?;
        let response = self.send(name, request).await?;
        if !wire::parse_exists(name, &response)? {
            return Ok(false);
        }
        let request = self.inner.endpoint.delete_metadata(name)?;
        let response = self.send(name, request).await?;
        wire::parse_delete(name, &response)?;
        Ok(true)
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let names = self.names().await?;
        let mut records: Vec<PatRecord> = stream::iter(names)
            .map(|name| async move { self.get(&name).await.map(|entry| entry.map(|e| e.record)) })
            .buffer_unordered(LIST_CONCURRENCY)
            .try_filter_map(|record| async move { Ok(record) })
            .try_collect()
            .await?;
        records.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(records)
    }
}

#[cfg(test)]
mod tests;
