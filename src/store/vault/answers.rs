//! The response halves of the KV v2 operations: pure parsers of Vault's answers, and the
//! mapping of failed exchanges to store errors (never quoting a body, which may hold a secret).
//! The request halves are in [`wire`](super::wire).

use http::StatusCode;
use serde::Deserialize;

use super::VaultTokenStore;
#[cfg(doc)]
use super::wire::Endpoint;
use crate::store::persisted::{self, Content, Stored};
use crate::store::{StoreError, StoreErrorKind, StoredPat};
use crate::transport::{HttpResponse, Operation, TransportError, TransportErrorKind};

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
