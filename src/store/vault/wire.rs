//! The sans-IO halves of the KV v2 operations: pure request builders and pure response parsers.
//!
//! Each entry is one KV v2 secret at `<mount>/data/<prefix>/<name>` whose data is the entry
//! document of [`crate::store::persisted`] without a `revision` (format 3: `{"format":
//! "patkit.entry", "version": 3, "secret": "<token>", "record": {…}}`; a removed entry's latest
//! version is `{"format": "patkit.entry", "version": 3, "removed": true}`; data written by
//! patkit 0.1 in format 1, `{"format": "patkit.v1", …}`, is still read). The secret and its
//! record are written in one request, so a reader sees the old entry or the new one, never a
//! mix. The revision is the KV version of the secret, which Vault raises by one on every write.

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use super::VaultTokenStore;
use super::token::VaultToken;
use crate::store::persisted::{self, Content, Document, Stored};
use crate::store::{StoreError, StoreErrorKind, StoredPat};
use crate::transport::{HttpRequest, HttpResponse, Operation, TransportError, TransportErrorKind};

/// Where the store's entries live and how requests are authenticated.
#[derive(Clone)]
pub(crate) struct Endpoint {
    /// `<address>/v1/`.
    api: Url,
    mount: Vec<String>,
    prefix: Vec<String>,
    token: VaultToken,
    namespace: Option<http::HeaderValue>,
}

impl Endpoint {
    /// Checks and assembles the configuration. Errors name the field and never echo the token.
    pub(crate) fn new(
        address: &str,
        token: VaultToken,
        mount: &str,
        prefix: &str,
        namespace: Option<&str>,
    ) -> Result<Self, crate::Error> {
        let mut api: Url =
            address.parse().map_err(|_| crate::Error::invalid_input("address", "not an absolute URL"))?;
        if !matches!(api.scheme(), "http" | "https") {
            return Err(crate::Error::invalid_input("address", "the scheme must be http or https"));
        }
        // The same rule as every patkit transport, checked here so a store over a permissive
        // transport never sends its Vault token (or a secret) in clear text to another host.
        if !crate::transport::is_allowed_url(&api) {
            return Err(crate::Error::invalid_input(
                "address",
                "plain http is allowed only to a loopback host; use https",
            ));
        }
        if !api.username().is_empty() || api.password().is_some() {
            return Err(crate::Error::invalid_input("address", "must not carry credentials; pass a VaultToken"));
        }
        if api.query().is_some() || api.fragment().is_some() {
            return Err(crate::Error::invalid_input("address", "must not have a query or a fragment"));
        }
        api.path_segments_mut()
            .map_err(|_| crate::Error::invalid_input("address", "not a base URL"))?
            .pop_if_empty()
            .push("v1")
            .push("");
        if token.header_value().is_none() {
            return Err(crate::Error::invalid_input("token", "holds characters an HTTP header cannot carry"));
        }
        let mount = config_segments(mount).map_err(|reason| crate::Error::invalid_input("mount", reason))?;
        if mount.is_empty() {
            return Err(crate::Error::invalid_input("mount", "must not be empty"));
        }
        let prefix = config_segments(prefix).map_err(|reason| crate::Error::invalid_input("prefix", reason))?;
        let namespace = match namespace {
            None => None,
            Some(ns) => Some(
                http::HeaderValue::from_str(ns)
                    .map_err(|_| crate::Error::invalid_input("namespace", "not a valid header value"))?,
            ),
        };
        Ok(Self { api, mount, prefix, token, namespace })
    }

    /// The server address as configured, with the `/v1/` API root.
    pub(crate) fn api(&self) -> &Url {
        &self.api
    }

    /// The mount path, `/`-joined.
    pub(crate) fn mount(&self) -> String {
        self.mount.join("/")
    }

    /// The prefix path, `/`-joined (empty for the mount's root).
    pub(crate) fn prefix(&self) -> String {
        self.prefix.join("/")
    }

    /// Whether a namespace header is sent.
    pub(crate) fn namespace(&self) -> Option<&str> {
        self.namespace.as_ref().and_then(|ns| ns.to_str().ok())
    }

    /// `GET <mount>/data/<prefix>/<name>`: the latest version of an entry.
    pub(crate) fn read(&self, name: &str) -> Result<HttpRequest, StoreError> {
        let url = self.url("data", &name_segments(name)?);
        self.request(Method::GET, url, VaultTokenStore::READ, Vec::new())
    }

    /// `POST <mount>/data/<prefix>/<name>` with `cas = version`: replaces the entry by a
    /// tombstone (no secret, no record) so the version count goes on and a revision read before
    /// the removal can never match again.
    pub(crate) fn write_tombstone(&self, name: &str, version: u64) -> Result<HttpRequest, StoreError> {
        let url = self.url("data", &name_segments(name)?);
        let body = json!({"options": {"cas": version}, "data": Document::tombstone()});
        self.request(Method::POST, url, VaultTokenStore::CONDITIONAL_WRITE, body.to_string().into_bytes())
    }

    /// `POST <mount>/destroy/<prefix>/<name>`: permanently deletes the data of `versions`
    /// (the metadata, and so the version count, stays).
    pub(crate) fn destroy(&self, name: &str, versions: &[u64]) -> Result<HttpRequest, StoreError> {
        let url = self.url("destroy", &name_segments(name)?);
        let body = json!({ "versions": versions });
        self.request(Method::POST, url, VaultTokenStore::WRITE, body.to_string().into_bytes())
    }

    /// `POST <mount>/data/<prefix>/<name>`: writes a new version, with `options.cas` when `cas`
    /// is set (0: only if the entry does not exist; n: only if its current version is n).
    pub(crate) fn write(&self, entry: StoredPat, cas: Option<u64>) -> Result<HttpRequest, StoreError> {
        let url = self.url("data", &name_segments(entry.name())?);
        // No revision in the document: the revision is the KV version.
        let body = WriteBody { options: cas.map(|cas| WriteOptions { cas }), data: Document::entry(&entry, None) };
        let body = serde_json::to_vec(&body).map_err(|_| {
            StoreError::new(StoreErrorKind::Other, format!("could not encode entry '{}' as JSON", entry.name()))
        })?;
        // A check-and-set write is not idempotent (a repeat of one that landed is refused), so
        // transports must not re-send it; a plain put may be repeated.
        let op = if cas.is_some() { VaultTokenStore::CONDITIONAL_WRITE } else { VaultTokenStore::WRITE };
        self.request(Method::POST, url, op, body)
    }

    /// `LIST <mount>/metadata/<prefix>/<folder>`: the keys and sub-folders (ending in `/`) below
    /// a folder (given as the segments below the prefix).
    pub(crate) fn list(&self, folder: &[String]) -> Result<HttpRequest, StoreError> {
        let url = self.url("metadata", folder);
        let method = Method::from_bytes(b"LIST").map_err(|_| StoreError::new(StoreErrorKind::Other, "bad method"))?;
        self.request(method, url, VaultTokenStore::READ, Vec::new())
    }

    /// `GET <mount>/metadata/<prefix>/<name>`: the versions kept (no secret in the answer).
    pub(crate) fn read_metadata(&self, name: &str) -> Result<HttpRequest, StoreError> {
        let url = self.url("metadata", &name_segments(name)?);
        self.request(Method::GET, url, VaultTokenStore::READ, Vec::new())
    }

    fn url(&self, kind: &str, name: &[String]) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            // `api` ends in `/v1/`: drop the empty last segment, then append ours, each one
            // percent-encoded (a `/` inside a segment cannot happen: names are split on it).
            segments.pop_if_empty();
            segments.extend(self.mount.iter().map(String::as_str));
            segments.push(kind);
            segments.extend(self.prefix.iter().map(String::as_str));
            segments.extend(name.iter().map(String::as_str));
        }
        url
    }

    fn request(&self, method: Method, url: Url, op: Operation, body: Vec<u8>) -> Result<HttpRequest, StoreError> {
        let token = self.token.header_value().ok_or_else(|| {
            StoreError::new(StoreErrorKind::Other, "the Vault token holds characters an HTTP header cannot carry")
        })?;
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header("x-vault-token", token)
            .header("x-vault-request", "true")
            .header(http::header::ACCEPT, "application/json");
        if let Some(ns) = &self.namespace {
            builder = builder.header("x-vault-namespace", ns.clone());
        }
        if !body.is_empty() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let mut request = builder
            .body(body)
            .map_err(|_| StoreError::new(StoreErrorKind::Other, "could not build the Vault request"))?;
        request.extensions_mut().insert(op);
        Ok(request)
    }
}

/// Splits a mount or prefix into path segments; surrounding slashes are ignored.
fn config_segments(value: &str) -> Result<Vec<String>, &'static str> {
    let trimmed = value.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .map(|s| match s {
            "" => Err("has an empty path segment"),
            "." | ".." => Err("has a '.' or '..' path segment"),
            s => Ok(s.to_owned()),
        })
        .collect()
}

/// Splits an entry name into path segments: `ci/nuget` is stored at `<prefix>/ci/nuget`.
///
/// Every non-empty name is representable: a segment that Vault would drop or resolve (empty,
/// `.`, `..`) or that starts with the escape character `~` gets a `~` in front (`a//b` is stored
/// as `a/~/b`, `../x` as `~../x`, `~y` as `~~y`); [`decode_segment`] removes it.
pub(crate) fn name_segments(name: &str) -> Result<Vec<String>, StoreError> {
    if name.is_empty() {
        return Err(StoreError::new(StoreErrorKind::Other, "an entry name must not be empty"));
    }
    Ok(name.split('/').map(encode_segment).collect())
}

fn encode_segment(segment: &str) -> String {
    if matches!(segment, "" | "." | "..") || segment.starts_with('~') {
        format!("~{segment}")
    } else {
        segment.to_owned()
    }
}

/// The inverse of the escaping in [`name_segments`], for keys Vault lists.
pub(crate) fn decode_segment(segment: &str) -> &str {
    segment.strip_prefix('~').unwrap_or(segment)
}

#[derive(Serialize)]
struct WriteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<WriteOptions>,
    data: Document<'a>,
}

#[derive(Serialize)]
struct WriteOptions {
    cas: u64,
}

#[derive(Deserialize)]
struct ReadBody {
    data: ReadData,
}

#[derive(Deserialize)]
struct ReadData {
    data: Stored,
    metadata: VersionMetadata,
}

#[derive(Deserialize)]
struct VersionMetadata {
    version: u64,
}

/// A read that looks only at the version and the tombstone mark, so a damaged entry can still
/// be removed. Other fields (the secret) are skipped, not kept.
#[derive(Deserialize)]
struct ProbeBody {
    data: ProbeData,
}

#[derive(Deserialize)]
struct ProbeData {
    #[serde(default)]
    data: Option<ProbeEntry>,
    metadata: VersionMetadata,
}

#[derive(Deserialize)]
struct ProbeEntry {
    #[serde(default)]
    removed: bool,
}

#[derive(Deserialize)]
struct WriteAnswer {
    data: VersionMetadata,
}

#[derive(Deserialize)]
struct ListAnswer {
    data: ListData,
}

#[derive(Deserialize)]
struct ListData {
    keys: Vec<String>,
}

#[derive(Deserialize)]
struct MetadataAnswer {
    data: MetadataData,
}

#[derive(Deserialize)]
struct MetadataData {
    #[serde(default)]
    versions: std::collections::BTreeMap<String, VersionState>,
}

#[derive(Deserialize)]
struct VersionState {
    #[serde(default)]
    destroyed: bool,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<String>,
}

/// What the latest version under a name is.
pub(crate) enum Current {
    /// No entry. `version` is the KV version to check-and-set against when writing one: `None`
    /// if Vault has no metadata for the path (write with `cas = 0`); `Some(v)` if the latest
    /// version is a patkit tombstone.
    Absent { version: Option<u64> },
    /// No entry either, but the latest version was deleted outside patkit (`bao kv delete`, a
    /// soft delete): its data is still there and `undelete` brings it back. `version` is that
    /// version (also the one to check-and-set against).
    Deleted { version: u64 },
    /// A live entry at this KV version.
    Present { version: u64 },
}

/// The answer to [`Endpoint::read`]: the entry, or `None` if there is none (never written,
/// removed, or its latest version deleted outside patkit).
///
/// The body holds the secret, so a decode failure reports only the JSON path that failed, never
/// the decoder's message (which can quote a value).
pub(crate) fn parse_read(name: &str, response: &HttpResponse) -> Result<Option<StoredPat>, StoreError> {
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND if !is_route_missing(response) => return Ok(None),
        _ => return Err(status_error(VaultTokenStore::READ, name, response)),
    }
    let corrupt = |why: String| StoreError::new(StoreErrorKind::Corrupt, format!("Vault entry '{name}' {why}"));
    let body: ReadBody = decode(response.body())
        .map_err(|path| corrupt(format!("is not a patkit entry (could not decode `{path}`)")))?;
    let ReadData { data, metadata } = body.data;
    let mut entry = match persisted::open(data).map_err(corrupt)? {
        Content::Removed => return Ok(None),
        Content::Entry { entry, .. } => entry,
    };
    // The path is the key: an entry copied to another path in the Vault UI is that name now.
    name.clone_into(&mut entry.record.name);
    entry.record.revision = metadata.version;
    Ok(Some(entry))
}

/// The answer to [`Endpoint::read`] when only the state matters (remove, insert-if-absent).
/// Tolerates damaged entry data.
pub(crate) fn parse_current(name: &str, response: &HttpResponse) -> Result<Current, StoreError> {
    match response.status() {
        StatusCode::OK => {
            let body: ProbeBody = decode(response.body()).map_err(|path| {
                StoreError::new(StoreErrorKind::Corrupt, format!("Vault entry '{name}' lacks `{path}`"))
            })?;
            let version = body.data.metadata.version;
            Ok(match body.data.data {
                Some(ProbeEntry { removed: true }) => Current::Absent { version: Some(version) },
                _ => Current::Present { version },
            })
        }
        // A version deleted outside patkit answers 404 with its metadata.
        StatusCode::NOT_FOUND if !is_route_missing(response) => Ok(match decode::<ProbeBody>(response.body()) {
            Ok(body) => Current::Deleted { version: body.data.metadata.version },
            Err(_) => Current::Absent { version: None },
        }),
        _ => Err(status_error(VaultTokenStore::READ, name, response)),
    }
}

/// The answer to [`Endpoint::read_metadata`]: the versions Vault still keeps whose data is not
/// destroyed yet.
pub(crate) fn parse_versions(name: &str, response: &HttpResponse) -> Result<Vec<u64>, StoreError> {
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND if !is_route_missing(response) => return Ok(Vec::new()),
        _ => return Err(status_error(VaultTokenStore::READ, name, response)),
    }
    let answer: MetadataAnswer = decode(response.body()).map_err(|path| {
        StoreError::new(StoreErrorKind::Other, format!("Vault's metadata of '{name}' lacks `{path}`"))
    })?;
    Ok(answer.data.versions.iter().filter(|(_, state)| !state.destroyed).filter_map(|(v, _)| v.parse().ok()).collect())
}

/// The answer to [`Endpoint::write`]: the version written.
pub(crate) fn parse_write(name: &str, response: &HttpResponse) -> Result<u64, StoreError> {
    if response.status() != StatusCode::OK {
        return Err(status_error(VaultTokenStore::CONDITIONAL_WRITE, name, response));
    }
    let answer: WriteAnswer = decode(response.body()).map_err(|path| {
        StoreError::new(StoreErrorKind::Other, format!("Vault's answer to writing '{name}' lacks `{path}`"))
    })?;
    Ok(answer.data.version)
}

/// The answer to [`Endpoint::list`]: keys (entries) and folders (ending in `/`). A missing
/// folder is an empty one.
pub(crate) fn parse_list(folder: &str, response: &HttpResponse) -> Result<Vec<String>, StoreError> {
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND if !is_route_missing(response) => return Ok(Vec::new()),
        _ => return Err(status_error(VaultTokenStore::READ, folder, response)),
    }
    let answer: ListAnswer = decode(response.body()).map_err(|path| {
        StoreError::new(StoreErrorKind::Other, format!("Vault's listing of '{folder}' lacks `{path}`"))
    })?;
    Ok(answer.data.keys)
}

/// The answer to [`Endpoint::destroy`].
pub(crate) fn parse_destroy(name: &str, response: &HttpResponse) -> Result<(), StoreError> {
    match response.status() {
        StatusCode::OK | StatusCode::NO_CONTENT => Ok(()),
        _ => Err(status_error(VaultTokenStore::WRITE, name, response)),
    }
}

/// Decodes JSON; on failure, returns only the path that failed.
fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| e.path().to_string())
}

/// Vault's error strings, for matching known phrases. They are never quoted in our errors.
fn error_strings(response: &HttpResponse) -> Vec<String> {
    serde_json::from_slice::<ErrorBody>(response.body()).map(|b| b.errors).unwrap_or_default()
}

/// A 404 for a missing key has no error text; one for a path no mount serves says
/// "no handler for route". The latter is a misconfiguration, not a missing entry.
fn is_route_missing(response: &HttpResponse) -> bool {
    error_strings(response).iter().any(|e| e.contains("no handler for route"))
}

/// Maps a status Vault answered with to a store error. Names the entry and the status; never
/// quotes the body.
pub(crate) fn status_error(op: Operation, name: &str, response: &HttpResponse) -> StoreError {
    let status = response.status();
    let errors = error_strings(response);
    let says = |phrase: &str| errors.iter().any(|e| e.to_ascii_lowercase().contains(phrase));
    let what = if op == VaultTokenStore::READ { "reading" } else { "writing" };
    let (kind, why) = match status.as_u16() {
        400 | 412 if says("check-and-set parameter did not match") => {
            (StoreErrorKind::Conflict, "the entry changed since it was read (check-and-set mismatch)")
        }
        400 if says("check-and-set parameter required") => {
            (StoreErrorKind::Other, "the mount requires check-and-set on every write; use compare_and_swap")
        }
        412 => (StoreErrorKind::Conflict, "a precondition failed"),
        401 | 403 => (StoreErrorKind::PermissionDenied, "access denied: check the token and its policy"),
        404 if says("no handler for route") => {
            (StoreErrorKind::Other, "no KV v2 secrets engine at the configured mount")
        }
        429 => (StoreErrorKind::Unavailable, "rate limited"),
        503 if says("sealed") => (StoreErrorKind::Unavailable, "Vault is sealed"),
        503 => (StoreErrorKind::Unavailable, "Vault is unavailable (sealed, standby or overloaded)"),
        300..=399 => {
            (StoreErrorKind::Unavailable, "redirected (a standby node?); point the address at the active node")
        }
        500..=599 => (StoreErrorKind::Unavailable, "server error"),
        _ => (StoreErrorKind::Other, "unexpected answer"),
    };
    StoreError::new(kind, format!("Vault answered HTTP {} {what} '{name}': {why}", status.as_u16()))
}

/// Maps a failed exchange to a store error. The transport error names the URL (the entry's
/// path), never a header or a body.
pub(crate) fn transport_error(op: Operation, name: &str, error: TransportError) -> StoreError {
    let kind = match error.kind() {
        TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Interrupted => {
            StoreErrorKind::Unavailable
        }
        _ => StoreErrorKind::Other,
    };
    let is_write = op != VaultTokenStore::READ;
    let note = if is_write && !error.is_before_send() { " (the write may or may not have been applied)" } else { "" };
    StoreError::new(kind, format!("could not reach Vault for '{name}'{note}")).with_source(error)
}
