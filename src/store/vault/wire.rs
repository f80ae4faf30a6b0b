//! The sans-IO halves of the KV v2 operations: pure request builders and pure response parsers.
//!
//! Each entry is one KV v2 secret at `<mount>/data/<prefix>/<name>` whose data is
//! `{"format": "patkit.v1", "secret": "<token>", "record": <PatRecord as JSON>}`. The secret and
//! its record are written in one request, so a reader sees the old entry or the new one, never a
//! mix. The record's `revision` is not stored: it is the KV version of the secret, which Vault
//! raises by one on every write.

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;

use super::token::VaultToken;
use crate::secret::PatSecret;
use crate::store::{PatRecord, StoreError, StoreErrorKind, StoredPat};
use crate::transport::{HttpRequest, HttpResponse, Operation, TransportError, TransportErrorKind};

/// The `format` field written into every entry, checked on every read.
pub(crate) const FORMAT: &str = "patkit.v1";

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
        self.request(Method::GET, url, Operation::StoreRead, Vec::new())
    }

    /// `POST <mount>/data/<prefix>/<name>`: writes a new version, with `options.cas` when `cas`
    /// is set (0: only if the entry does not exist; n: only if its current version is n).
    pub(crate) fn write(&self, entry: StoredPat, cas: Option<u64>) -> Result<HttpRequest, StoreError> {
        let url = self.url("data", &name_segments(entry.name())?);
        let StoredPat { mut record, secret } = entry;
        record.revision = 0; // the revision is the KV version, not stored data
        let body = WriteBody {
            options: cas.map(|cas| WriteOptions { cas }),
            data: EntryOut { format: FORMAT, secret: secret.expose_secret(), record: &record },
        };
        let body = serde_json::to_vec(&body).map_err(|_| {
            StoreError::new(StoreErrorKind::Other, format!("could not encode entry '{}' as JSON", record.name))
        })?;
        self.request(Method::POST, url, Operation::StoreWrite, body)
    }

    /// `LIST <mount>/metadata/<prefix>/<folder>`: the keys and sub-folders (ending in `/`) below
    /// a folder (given as the segments below the prefix).
    pub(crate) fn list(&self, folder: &[String]) -> Result<HttpRequest, StoreError> {
        let segments: Vec<&str> = folder.iter().map(String::as_str).collect();
        let url = self.url("metadata", &segments);
        let method = Method::from_bytes(b"LIST").map_err(|_| StoreError::new(StoreErrorKind::Other, "bad method"))?;
        self.request(method, url, Operation::StoreRead, Vec::new())
    }

    /// `GET <mount>/metadata/<prefix>/<name>`: whether the entry exists (no secret in the
    /// answer).
    pub(crate) fn read_metadata(&self, name: &str) -> Result<HttpRequest, StoreError> {
        let url = self.url("metadata", &name_segments(name)?);
        self.request(Method::GET, url, Operation::StoreRead, Vec::new())
    }

    /// `DELETE <mount>/metadata/<prefix>/<name>`: removes every version of the entry.
    pub(crate) fn delete_metadata(&self, name: &str) -> Result<HttpRequest, StoreError> {
        let url = self.url("metadata", &name_segments(name)?);
        self.request(Method::DELETE, url, Operation::StoreWrite, Vec::new())
    }

    fn url(&self, kind: &str, name: &[&str]) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            // `api` ends in `/v1/`: drop the empty last segment, then append ours, each one
            // percent-encoded (a `/` inside a segment cannot happen: names are split on it).
            segments.pop_if_empty();
            segments.extend(self.mount.iter().map(String::as_str));
            segments.push(kind);
            segments.extend(self.prefix.iter().map(String::as_str));
            segments.extend(name.iter().copied());
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
pub(crate) fn name_segments(name: &str) -> Result<Vec<&str>, StoreError> {
    let bad = |why: &str| {
        StoreError::new(StoreErrorKind::Other, format!("entry name '{name}' cannot be a Vault path: {why}"))
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    name.split('/')
        .map(|s| match s {
            "" => Err(bad("it has an empty segment (a leading, trailing or double '/')")),
            "." | ".." => Err(bad("it has a '.' or '..' segment")),
            s => Ok(s),
        })
        .collect()
}

#[derive(Serialize)]
struct WriteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<WriteOptions>,
    data: EntryOut<'a>,
}

#[derive(Serialize)]
struct WriteOptions {
    cas: u64,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    format: &'a str,
    secret: &'a str,
    record: &'a PatRecord,
}

#[derive(Deserialize)]
struct ReadBody {
    data: ReadData,
}

#[derive(Deserialize)]
struct ReadData {
    data: EntryIn,
    metadata: VersionMetadata,
}

#[derive(Deserialize)]
struct EntryIn {
    format: String,
    secret: String,
    record: PatRecord,
}

#[derive(Deserialize)]
struct VersionMetadata {
    version: u64,
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

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<String>,
}

/// The answer to [`Endpoint::read`]: the entry, or `None` if there is none.
///
/// The body holds the secret, so a decode failure reports only the JSON path that failed, never
/// the decoder's message (which can quote a value).
pub(crate) fn parse_read(name: &str, response: &HttpResponse) -> Result<Option<StoredPat>, StoreError> {
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND if !is_route_missing(response) => return Ok(None),
        _ => return Err(status_error(Operation::StoreRead, name, response)),
    }
    let body: ReadBody = decode(response.body()).map_err(|path| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("Vault entry '{name}' is not a patkit entry (could not decode `{path}`)"),
        )
    })?;
    let ReadData { data, metadata } = body.data;
    let EntryIn { format, secret, mut record } = data;
    let secret = PatSecret::new(secret);
    if format != FORMAT {
        return Err(StoreError::new(
            StoreErrorKind::Corrupt,
            format!("Vault entry '{name}' has format '{format}', expected '{FORMAT}'"),
        ));
    }
    // The path is the key: an entry copied to another path in the Vault UI is that name now.
    name.clone_into(&mut record.name);
    record.revision = metadata.version;
    Ok(Some(StoredPat { record, secret }))
}

/// The answer to [`Endpoint::write`]: the version written.
pub(crate) fn parse_write(name: &str, response: &HttpResponse) -> Result<u64, StoreError> {
    if response.status() != StatusCode::OK {
        return Err(status_error(Operation::StoreWrite, name, response));
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
        _ => return Err(status_error(Operation::StoreRead, folder, response)),
    }
    let answer: ListAnswer = decode(response.body()).map_err(|path| {
        StoreError::new(StoreErrorKind::Other, format!("Vault's listing of '{folder}' lacks `{path}`"))
    })?;
    Ok(answer.data.keys)
}

/// The answer to [`Endpoint::read_metadata`]: whether the entry exists.
pub(crate) fn parse_exists(name: &str, response: &HttpResponse) -> Result<bool, StoreError> {
    match response.status() {
        StatusCode::OK => Ok(true),
        StatusCode::NOT_FOUND if !is_route_missing(response) => Ok(false),
        _ => Err(status_error(Operation::StoreRead, name, response)),
    }
}

/// The answer to [`Endpoint::delete_metadata`]. Deleting a missing entry succeeds too.
pub(crate) fn parse_delete(name: &str, response: &HttpResponse) -> Result<(), StoreError> {
    match response.status() {
        StatusCode::OK | StatusCode::NO_CONTENT => Ok(()),
        StatusCode::NOT_FOUND if !is_route_missing(response) => Ok(()),
        _ => Err(status_error(Operation::StoreWrite, name, response)),
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
    let what = match op {
        Operation::StoreWrite => "writing",
        _ => "reading",
    };
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
    let note = if op == Operation::StoreWrite && !error.is_before_send() {
        " (the write may or may not have been applied)"
    } else {
        ""
    };
    StoreError::new(kind, format!("could not reach Vault for '{name}'{note}")).with_source(error)
}
