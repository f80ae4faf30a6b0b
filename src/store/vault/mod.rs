//! [`VaultTokenStore`]: entries in an OpenBao / HashiCorp Vault KV v2 secrets engine (feature
//! `vault`).

mod answers;
mod auth;
mod config;
mod token;
mod wire;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt, stream};

pub use auth::{VaultAuth, VaultSecretId};
pub use config::VaultConfig;
pub use token::VaultToken;

use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Operation};
use auth::Session;
use wire::Endpoint;

/// How many entries [`VaultTokenStore::list`](TokenStore::list) reads at once.
const LIST_CONCURRENCY: usize = 8;
/// How often `remove` re-reads an entry that changed between its read and its tombstone write.
const REMOVE_ATTEMPTS: usize = 16;

/// A [`TokenStore`] in an OpenBao or HashiCorp Vault KV v2 secrets engine, for teams and services
/// that outgrow one machine.
///
/// It speaks the KV v2 HTTP API over any [`HttpTransport`] (so [`ReqwestTransport`], a retry
/// decorator or a mock all work), authenticated by a token (`X-Vault-Token`, marked sensitive)
/// that a [`VaultAuth`] provides and keeps alive: given, read from an agent's token file, or
/// from an AppRole login; renewed before it expires. [`VaultTokenStore::from_env`] configures
/// all of it, retries included, from the usual `BAO_*` / `VAULT_*` variables
/// ([`VaultConfig`]).
///
/// # Layout
///
/// The entry named `ci/nuget` lives at `<mount>/data/<prefix>/ci/nuget` (mount `secret` and
/// prefix `patkit` by default). Each `/`-separated part of a name is one path segment,
/// percent-encoded; a part that Vault would drop or resolve (empty, `.`, `..`) or that starts with
/// `~` is stored with a `~` in front, so every non-empty name is representable and lists back
/// exactly. Its KV data is `{"format": "patkit.v1", "secret": "<token>", "record": {…}}`: the
/// secret and its record are one KV version, written by one request, so a reader always sees a
/// whole entry.
///
/// # Revisions, compare-and-swap and removal
///
/// An entry's [`PatRecord::revision`] is its KV version: Vault raises it by one on every write.
/// [`compare_and_swap`](TokenStore::compare_and_swap) is KV's check-and-set, enforced by the
/// server, so it holds across processes and machines: [`Expected::Revision(n)`](Expected::Revision)
/// writes with `cas = n` (`Revision(0)`, which no KV version has, always conflicts);
/// [`Expected::Absent`] writes with `cas = 0` for a name Vault has never seen, or with `cas` = the
/// tombstone's version for a removed one. `put` reads the entry first and refuses to replace
/// one it cannot read ([`StoreErrorKind::Corrupt`]: damaged, or written by a newer patkit in an
/// entry format this build does not know), then writes without check-and-set (on a mount with
/// `cas_required` it fails; use `compare_and_swap` there). An entry damaged between that read
/// and the write is replaced, but stays in the KV version history.
///
/// `remove` writes a *tombstone* version (`{"format": "patkit.entry", "version": 4, "removed":
/// true}`, no secret)
/// with check-and-set, then destroys the data of every older version. Whenever `remove` finds
/// the entry already a tombstone (an earlier remove whose answer was lost or that failed before
/// destroying, a concurrent remove), it destroys what older versions still hold data and returns
/// `false`; a tombstone write with an uncertain outcome is checked by reading the entry again,
/// and counts as this call's removal (`true`) when the tombstone is the version right after the
/// one it replaced. The metadata stays, so the
/// version count goes on: a revision read before a removal never matches the re-created entry,
/// and of two concurrent removes exactly one returns `true`. The cost is a small metadata record
/// per removed name, which `list` skips (one read each); purge it with
/// `bao kv metadata delete` if you accept revision reuse for that name.
///
/// Note that KV v2 keeps older versions (up to the mount's `max_versions`, 10 by default), so a
/// replaced secret stays readable in the version history until it is pruned or the entry is
/// removed. Set `max_versions=1` on the mount if replaced tokens must not linger.
///
/// # Errors
///
/// 404 is a missing entry (`Ok(None)` / `Ok(false)`), except a 404 for a path no secrets engine
/// serves (a wrong mount), which is [`StoreErrorKind::Other`]; 401/403 are
/// [`StoreErrorKind::PermissionDenied`]; a check-and-set mismatch (400 or 412) is
/// [`StoreErrorKind::Conflict`]; a sealed or unreachable server, 5xx, 429 and redirects (a standby
/// node) are [`StoreErrorKind::Unavailable`]; data that is not a patkit entry is
/// [`StoreErrorKind::Corrupt`] (and can still be removed). Errors name the entry and the status;
/// they never quote a response body (a read's body holds the secret) nor the token.
///
/// # Retries
///
/// Each request names its [`Operation`] so a retrying transport knows what it may repeat:
/// reads are [`VaultTokenStore::READ`]; check-and-set writes (every `compare_and_swap`, every
/// tombstone) are [`VaultTokenStore::CONDITIONAL_WRITE`], which [`RetryTransport`] never
/// re-sends once it may have reached the server (a repeat of one that landed would be refused as
/// a conflict and hide the success); plain `put`s and the destroy of old versions are
/// [`VaultTokenStore::WRITE`], which it may repeat (they set a state). A conditional write whose
/// outcome is not known is [`StoreErrorKind::Unavailable`]; `compare_and_swap(..,
/// Expected::Absent)` then reads the entry and succeeds if it holds exactly what was written.
///
/// # Limits
///
/// `list` lists keys (walking sub-folders), then reads each entry, 8 at a time (secrets are
/// dropped at once). A write that times out may or may not have been applied (the error says
/// so). Durability is Vault's: a write that returned `Ok` was committed by its storage backend.
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
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
///     println!("{} expires {:?}", record.name, record.metadata.valid_to);
/// }
/// # Ok(())
/// # }
/// ```
///
/// [`ReqwestTransport`]: crate::transport
/// [`RetryTransport`]: crate::transport::RetryTransport
#[derive(Clone)]
pub struct VaultTokenStore {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    transport: Arc<dyn HttpTransport>,
    session: Session,
}

/// Settings for a [`VaultTokenStore`]; see [`VaultTokenStore::builder`].
#[derive(Debug)]
pub struct VaultTokenStoreBuilder {
    address: String,
    auth: VaultAuth,
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
    /// not an `http`/`https` base URL (or carries credentials, a query or a fragment), an
    /// `http://` address to a host that is not loopback (`localhost`, `127.0.0.0/8`, `::1`), an empty
    /// mount, a mount or prefix with an empty, `.` or `..` segment, a token or namespace that
    /// cannot be a header value, or an empty role ID or AppRole mount.
    pub fn build(self) -> crate::Result<VaultTokenStore> {
        let endpoint = Endpoint::new(&self.address, &self.mount, &self.prefix, self.namespace.as_deref())?;
        let session = Session::new(self.auth, endpoint.auth_api())?;
        Ok(VaultTokenStore { inner: Arc::new(Inner { endpoint, transport: self.transport, session }) })
    }
}

impl VaultTokenStore {
    /// The tag of a read (an entry, a listing, the version metadata). Idempotent; sensitive, as
    /// an entry's answer holds its secret.
    pub const READ: Operation = Operation::idempotent("vault_read").sensitive();
    /// The tag of an unconditional write (a plain put, the destroy of old versions): sending it
    /// twice leaves the same state as sending it once, so it is idempotent.
    pub const WRITE: Operation = Operation::idempotent("vault_write");
    /// The tag of a check-and-set write (every `compare_and_swap`, every tombstone): never
    /// re-sent once it may have reached the server, as a repeat of one that landed would be
    /// refused as a conflict and hide the success.
    pub const CONDITIONAL_WRITE: Operation = Operation::conditional_write("vault_conditional_write");

    /// A store at `address` (e.g. `https://vault.example.com:8200`) with the default mount
    /// (`secret`) and prefix (`patkit`).
    pub fn new(address: &str, token: VaultToken, transport: Arc<dyn HttpTransport>) -> crate::Result<Self> {
        Self::builder(address, token, transport).build()
    }

    /// Settings for a store at `address` that sends `token` as it is, never looked up nor
    /// renewed ([`VaultAuth::token_as_is`]); see [`VaultTokenStoreBuilder`]. For a token the
    /// store should keep alive, use [`builder_with_auth`](Self::builder_with_auth) with
    /// [`VaultAuth::token`].
    pub fn builder(address: &str, token: VaultToken, transport: Arc<dyn HttpTransport>) -> VaultTokenStoreBuilder {
        Self::builder_with_auth(address, VaultAuth::token_as_is(token), transport)
    }

    /// Settings for a store at `address` that logs in as `auth` says (a token, a token file, an
    /// AppRole); see [`VaultTokenStoreBuilder`]. Nothing is sent until the first request.
    ///
    /// ```no_run
    /// # #[cfg(feature = "reqwest")]
    /// # async fn demo() -> patkit::Result<()> {
    /// use std::sync::Arc;
    /// use patkit::store::{TokenStore, VaultAuth, VaultTokenStore};
    /// use patkit::transport::{ReqwestTransport, RetryConfig, RetryTransport};
    ///
    /// let transport = RetryTransport::new(ReqwestTransport::new()?, RetryConfig::default());
    /// let auth = VaultAuth::token_file("/run/vault-agent/token");
    /// let store = VaultTokenStore::builder_with_auth("https://vault.example.com:8200", auth, Arc::new(transport))
    ///     .prefix("teams/platform/pats")
    ///     .build()?;
    /// println!("{} entries", store.list().await?.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder_with_auth(
        address: &str,
        auth: VaultAuth,
        transport: Arc<dyn HttpTransport>,
    ) -> VaultTokenStoreBuilder {
        VaultTokenStoreBuilder {
            address: address.to_owned(),
            auth,
            transport,
            mount: "secret".to_owned(),
            prefix: "patkit".to_owned(),
            namespace: None,
        }
    }

    /// Sends `request` with the session's token. A 403 is answered by one refresh of the token
    /// (shared with concurrent requests) and, if that gave a different token, one more attempt:
    /// Vault checks the token before it acts, so even a check-and-set write it refused was not
    /// applied and may be sent again.
    async fn send(&self, name: &str, request: HttpRequest) -> Result<HttpResponse, StoreError> {
        let op = Operation::of(&request).unwrap_or(Self::READ);
        let transport = &*self.inner.transport;
        let session = &self.inner.session;
        let request = WipedOnDrop(request);
        let ticket = session.token(transport).await?;
        let response = transport
            .send(request.with_token(&ticket.token)?)
            .await
            .map_err(|e| answers::transport_error(op, name, e))?;
        if response.status() != http::StatusCode::FORBIDDEN || !session.refused(transport, ticket.generation).await? {
            return Ok(response);
        }
        let ticket = session.token(transport).await?;
        transport.send(request.with_token(&ticket.token)?).await.map_err(|e| answers::transport_error(op, name, e))
    }

    async fn write(&self, entry: StoredPat, cas: Option<u64>) -> Result<u64, StoreError> {
        let name = entry.name().to_owned();
        let request = self.inner.endpoint.write(entry, cas)?;
        let response = self.send(&name, request).await?;
        answers::parse_write(&name, &response)
    }

    /// What the latest version under `name` is.
    async fn current(&self, name: &str) -> Result<answers::Current, StoreError> {
        let request = self.inner.endpoint.read(name)?;
        let response = self.send(name, request).await?;
        answers::parse_current(name, &response)
    }

    /// Writes `entry` only if there is no live entry under its name.
    ///
    /// A check-and-set write whose outcome is not known (its answer was lost: a timeout, a 5xx
    /// from a proxy) may have landed: if the entry then holds exactly `entry` (same secret, same
    /// record), the write is taken as done. A definite conflict stays a conflict.
    async fn insert(&self, entry: StoredPat) -> Result<u64, StoreError> {
        let name = entry.name().to_owned();
        // The fast path: a name Vault has never seen.
        match self.write(entry.clone(), Some(0)).await {
            Err(e) if e.kind() == StoreErrorKind::Conflict => {}
            Err(e) if e.kind() == StoreErrorKind::Unavailable => return self.landed(&entry).await.ok_or(e),
            other => return other,
        }
        // The name has history: a tombstone (or a version deleted outside patkit) is absent too.
        // Check-and-set against that version keeps the step atomic.
        match self.current(&name).await? {
            answers::Current::Absent { version: Some(version) } | answers::Current::Deleted { version } => {
                match self.write(entry.clone(), Some(version)).await {
                    Err(e) if e.kind() == StoreErrorKind::Unavailable => self.landed(&entry).await.ok_or(e),
                    other => other,
                }
            }
            _ => Err(StoreError::new(StoreErrorKind::Conflict, format!("entry '{name}' exists"))),
        }
    }

    /// The revision of the stored entry if it is exactly `entry` (a write of it landed).
    async fn landed(&self, entry: &StoredPat) -> Option<u64> {
        let current = self.get(entry.name()).await.ok()??;
        let mut ours = entry.record.clone();
        ours.revision = current.record.revision;
        (current.record == ours && current.secret.expose_secret() == entry.secret.expose_secret())
            .then_some(current.record.revision)
    }

    /// Destroys the data of every version of `name` older than `tombstone` that is not destroyed
    /// yet (soft-deleted versions included).
    async fn destroy_older(&self, name: &str, tombstone: u64) -> Result<(), StoreError> {
        let request = self.inner.endpoint.read_metadata(name)?;
        let response = self.send(name, request).await?;
        let older: Vec<u64> =
            answers::parse_versions(name, &response)?.into_iter().filter(|v| *v < tombstone).collect();
        if older.is_empty() {
            return Ok(());
        }
        let request = self.inner.endpoint.destroy(name, &older)?;
        let response = self.send(name, request).await?;
        answers::parse_destroy(name, &response)
    }

    /// Every entry name below the prefix (tombstones included), walking sub-folders.
    async fn names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = Vec::new();
        // (segments as Vault spells them, for the URL; the decoded name so far)
        let mut folders: Vec<(Vec<String>, Vec<String>)> = vec![(Vec::new(), Vec::new())];
        while let Some((raw, decoded)) = folders.pop() {
            let label = decoded.join("/");
            let request = self.inner.endpoint.list(&raw)?;
            let response = self.send(&label, request).await?;
            for key in answers::parse_list(&label, &response)? {
                let (key, is_folder) = match key.strip_suffix('/') {
                    Some(folder) => (folder.to_owned(), true),
                    None => (key, false),
                };
                let mut name = decoded.clone();
                name.push(wire::decode_segment(&key).to_owned());
                if is_folder {
                    let mut raw = raw.clone();
                    raw.push(key);
                    folders.push((raw, name));
                } else {
                    names.push(name.join("/"));
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
            .field("auth", self.inner.session.auth())
            .field("transport", &self.inner.transport)
            .finish()
    }
}

#[async_trait]
impl TokenStore for VaultTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let request = self.inner.endpoint.read(name)?;
        let response = self.send(name, request).await?;
        answers::parse_read(name, &response)
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        // Reading first refuses to overwrite a damaged (or newer-format) entry: it reads as
        // Corrupt. The secret read is dropped at once.
        drop(self.get(entry.name()).await?);
        self.write(entry, None).await
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        match expected {
            Expected::Absent => self.insert(entry).await,
            // KV versions start at 1; `cas = 0` would mean "absent", which is not what was asked.
            Expected::Revision(0) => Err(StoreError::new(
                StoreErrorKind::Conflict,
                format!("entry '{}' cannot be at revision 0", entry.name()),
            )),
            Expected::Revision(n) => self.write(entry, Some(n)).await,
        }
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        for _ in 0..REMOVE_ATTEMPTS {
            let version = match self.current(name).await? {
                answers::Current::Absent { version: None } => return Ok(false),
                // Already removed (by an earlier remove whose answer was lost, or a concurrent
                // one): make sure no older version still holds a secret.
                answers::Current::Absent { version: Some(latest) } => {
                    self.destroy_older(name, latest).await?;
                    return Ok(false);
                }
                // The latest version was soft-deleted outside patkit: there is no entry, but its
                // data can be undeleted, so it is destroyed too, with everything before it.
                answers::Current::Deleted { version: latest } => {
                    self.destroy_older(name, latest + 1).await?;
                    return Ok(false);
                }
                answers::Current::Present { version } => version,
            };
            let request = self.inner.endpoint.write_tombstone(name, version)?;
            let response = self.send(name, request).await;
            match response.and_then(|response| answers::parse_write(name, &response)) {
                Ok(tombstone) => {
                    self.destroy_older(name, tombstone).await?;
                    return Ok(true);
                }
                // Written or removed meanwhile: look again.
                Err(e) if e.kind() == StoreErrorKind::Conflict => continue,
                // The tombstone may have landed: if the entry we saw is now a tombstone right
                // after it, it is removed (by this call), so finish the job and say so.
                Err(e) => match self.current(name).await {
                    Ok(answers::Current::Absent { version: Some(latest) }) if latest == version + 1 => {
                        self.destroy_older(name, latest).await?;
                        return Ok(true);
                    }
                    _ => return Err(e),
                },
            }
        }
        Err(StoreError::new(
            StoreErrorKind::Conflict,
            format!("entry '{name}' kept changing while being removed ({REMOVE_ATTEMPTS} attempts)"),
        ))
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

/// A request kept for a second attempt; its body (an entry write holds a secret) is wiped when
/// it is dropped. Each attempt sends a copy carrying the token.
struct WipedOnDrop(HttpRequest);

impl WipedOnDrop {
    fn with_token(&self, token: &VaultToken) -> Result<HttpRequest, StoreError> {
        let value = token.header_value().ok_or_else(|| {
            StoreError::new(StoreErrorKind::Other, "the Vault token holds characters an HTTP header cannot carry")
        })?;
        let mut request = self.0.clone();
        request.headers_mut().insert("x-vault-token", value);
        Ok(request)
    }
}

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.0.body_mut());
    }
}

#[cfg(test)]
mod tests;
