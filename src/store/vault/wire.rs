//! The request halves of the KV v2 operations: where entries live and pure request builders
//! (the parsers of the answers are in [`answers`](super::answers)).
//!
//! Each entry is one KV v2 secret at `<mount>/data/<prefix>/<name>` whose data is the entry
//! document of [`crate::store::persisted`] without a `revision` (format 4: `{"format":
//! "patkit.entry", "version": 4, "secret": "<token>", "record": {…}}`; a removed entry's latest
//! version is `{"format": "patkit.entry", "version": 4, "removed": true}`; data written by
//! patkit 0.1 in format 1, `{"format": "patkit.v1", …}`, is still read). The secret and its
//! record are written in one request, so a reader sees the old entry or the new one, never a
//! mix. The revision is the KV version of the secret, which Vault raises by one on every write.

use http::Method;
use serde::Serialize;
use serde_json::json;

use super::VaultTokenStore;
use super::auth::wire::AuthApi;
use crate::http_url::{HttpUrl, UrlError};
use crate::store::persisted::Document;
use crate::store::{StoreError, StoreErrorKind, StoredPat};
use crate::transport::{HttpRequest, Operation};

/// Where the store's entries live. Requests are built without a token; the store adds the
/// session's token when it sends them.
#[derive(Clone)]
pub(crate) struct Endpoint {
    /// `<address>/v1/`.
    api: HttpUrl,
    mount: Vec<String>,
    prefix: Vec<String>,
    namespace: Option<http::HeaderValue>,
}

impl Endpoint {
    /// Checks and assembles the configuration. Errors name the field.
    pub(crate) fn new(address: &str, mount: &str, prefix: &str, namespace: Option<&str>) -> Result<Self, crate::Error> {
        let mut api = HttpUrl::parse(address).map_err(|e| match e {
            UrlError::UserInfo => {
                crate::Error::invalid_input("address", "must not carry credentials; pass a VaultAuth")
            }
            UrlError::NotAbsolute => crate::Error::invalid_input("address", "not an absolute URL"),
            other => crate::Error::invalid_input("address", other.to_string()),
        })?;
        // The same rule as every patkit transport, checked here so a store over a permissive
        // transport never sends its Vault token (or a secret) in clear text to another host.
        if !crate::transport::is_allowed_url(&api) {
            return Err(crate::Error::invalid_input(
                "address",
                "plain http is allowed only to a loopback host; use https",
            ));
        }
        if api.query().is_some() || api.fragment().is_some() {
            return Err(crate::Error::invalid_input("address", "must not have a query or a fragment"));
        }
        api.push_segments(["v1", ""]);
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
        Ok(Self { api, mount, prefix, namespace })
    }

    /// Where the token API is, for the session (same server, same namespace).
    pub(crate) fn auth_api(&self) -> AuthApi {
        AuthApi { api: self.api.clone(), namespace: self.namespace.clone() }
    }

    /// The server address as configured, with the `/v1/` API root.
    pub(crate) fn api(&self) -> &HttpUrl {
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

    fn url(&self, kind: &str, name: &[String]) -> HttpUrl {
        let mut url = self.api.clone();
        // `api` ends in `/v1/`: its empty last segment is dropped, then ours are appended, each
        // one percent-encoded (a `/` inside a segment cannot happen: names are split on it).
        let (mount, prefix, name) = (self.mount.iter(), self.prefix.iter(), name.iter());
        url.push_segments(
            mount.map(String::as_str).chain([kind]).chain(prefix.map(String::as_str)).chain(name.map(String::as_str)),
        );
        url
    }

    fn request(&self, method: Method, url: HttpUrl, op: Operation, body: Vec<u8>) -> Result<HttpRequest, StoreError> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
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
