//! An in-process fake of an OpenBao / Vault KV v2 secrets engine (mounted at `secret/`) as an
//! [`HttpTransport`], and [`KvFaults`], a layer over any transport (the fake or a real server)
//! that loses answers of requests it forwarded.
//!
//! The fake answers the way `bao server -dev` does (checked against OpenBao 2.x with curl):
//!
//! - `GET  secret/data/<path>`: 200 `{"data": {"data": {…}, "metadata": {"version": n, "destroyed":
//!   false, "deletion_time": ""…}}}`; a path without versions: 404 `{"errors": []}`; a latest
//!   version that is deleted or destroyed: 404 `{"data": {"data": null, "metadata": {…}}}`.
//! - `POST secret/data/<path>` `{"options": {"cas": n}?, "data": {…}}`: 200 `{"data": {"version":
//!   n+1, …}}`; with `cas` different from the current version (0 for none): 400 `{"errors":
//!   ["check-and-set parameter did not match the current version"]}`.
//! - `DELETE secret/data/<path>`, `POST secret/delete/<path>` `{"versions": […]}`: soft delete, 204.
//! - `POST secret/undelete/<path>` `{"versions": […]}`: a soft-deleted version is readable again
//!   (a destroyed one stays gone), 204.
//! - `POST secret/destroy/<path>` `{"versions": […]}`: the data is gone for good, 204 (unknown
//!   versions are ignored).
//! - `GET secret/metadata/<path>`: 200 `{"data": {"current_version": n, "versions": {"1":
//!   {"destroyed": b, "deletion_time": ""}, …}}}`, or 404 `{"errors": []}`.
//! - `LIST secret/metadata/<folder>`: 200 `{"data": {"keys": [entries, "sub/"]}}`, or 404
//!   `{"errors": []}`.
//! - A wrong `X-Vault-Token`: 403 `{"errors": ["permission denied"]}`; any other route: 404
//!   `{"errors": ["no handler for route …"]}`.
//!
//! Paths are kept as sent (percent-encoding included): the store encodes names the same way on
//! every request. Versions are never pruned (the dev server's `max_versions` is 0: 10 kept; the
//! fake keeps all, which only makes a leaked secret easier to see).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use http::Method;
use patkit::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind};
use serde_json::{Value, json};

#[derive(Debug, Clone, Default)]
struct Version {
    /// `None` once destroyed.
    data: Option<Value>,
    deleted: bool,
    destroyed: bool,
}

#[derive(Debug, Default)]
struct Secret {
    versions: BTreeMap<u64, Version>,
    current: u64,
}

/// The fake engine. Cheap to clone; clones share the data.
#[derive(Debug, Clone)]
pub struct FakeKv {
    token: String,
    secrets: Arc<Mutex<BTreeMap<String, Secret>>>,
}

fn answer(status: u16, body: Option<Value>) -> HttpResponse {
    let mut builder = http::Response::builder().status(status);
    if body.is_some() {
        builder = builder.header(http::header::CONTENT_TYPE, "application/json");
    }
    builder.body(body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default()).unwrap()
}

fn errors(status: u16, messages: &[&str]) -> HttpResponse {
    answer(status, Some(json!({ "errors": messages })))
}

fn version_metadata(number: u64, v: &Version) -> Value {
    json!({
        "created_time": "2026-04-01T09:00:00Z",
        "custom_metadata": null,
        "deletion_time": if v.deleted { "2026-04-01T09:00:01Z" } else { "" },
        "destroyed": v.destroyed,
        "version": number,
    })
}

fn versions_of(body: &[u8]) -> Vec<u64> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|b| b["versions"].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()))
        .unwrap_or_default()
}

impl FakeKv {
    /// An empty engine that accepts `token`.
    pub fn new(token: &str) -> Self {
        Self { token: token.to_owned(), secrets: Arc::default() }
    }

    /// Every version of `path` (below the mount, e.g. `patkit/ci-feed`) whose data is still
    /// readable (neither destroyed): what a reader of the version history could recover.
    pub fn readable_versions(&self, path: &str) -> Vec<u64> {
        let secrets = self.secrets.lock().unwrap();
        secrets
            .get(path)
            .map(|s| s.versions.iter().filter(|(_, v)| v.data.is_some()).map(|(n, _)| *n).collect())
            .unwrap_or_default()
    }

    /// Whether any readable version of any path holds `needle` in its data.
    pub fn history_contains(&self, needle: &str) -> bool {
        let secrets = self.secrets.lock().unwrap();
        secrets
            .values()
            .flat_map(|s| s.versions.values())
            .any(|v| v.data.as_ref().is_some_and(|d| d.to_string().contains(needle)))
    }

    fn handle(&self, request: &HttpRequest) -> HttpResponse {
        if request.headers().get("x-vault-token").and_then(|v| v.to_str().ok()) != Some(self.token.as_str()) {
            return errors(403, &["permission denied"]);
        }
        let path = request.uri().path();
        let route = |kind: &str| path.strip_prefix(&format!("/v1/secret/{kind}/")).map(str::to_owned);
        let method = request.method().as_str();
        let mut secrets = self.secrets.lock().unwrap();
        if let Some(key) = route("data") {
            match method {
                "GET" => read(secrets.get(&key)),
                "POST" => write(secrets.entry(key).or_default(), request.body()),
                "DELETE" => {
                    if let Some(s) = secrets.get_mut(&key) {
                        let current = s.current;
                        if let Some(v) = s.versions.get_mut(&current) {
                            v.deleted = true;
                        }
                    }
                    answer(204, None)
                }
                _ => errors(405, &["unsupported operation"]),
            }
        } else if let (Some(key), "POST") = (route("delete"), method) {
            if let Some(s) = secrets.get_mut(&key) {
                for n in versions_of(request.body()) {
                    if let Some(v) = s.versions.get_mut(&n) {
                        v.deleted = true;
                    }
                }
            }
            answer(204, None)
        } else if let (Some(key), "POST") = (route("undelete"), method) {
            if let Some(s) = secrets.get_mut(&key) {
                for n in versions_of(request.body()) {
                    if let Some(v) = s.versions.get_mut(&n) {
                        v.deleted = false;
                    }
                }
            }
            answer(204, None)
        } else if let (Some(key), "POST") = (route("destroy"), method) {
            if let Some(s) = secrets.get_mut(&key) {
                for n in versions_of(request.body()) {
                    if let Some(v) = s.versions.get_mut(&n) {
                        v.destroyed = true;
                        v.data = None;
                    }
                }
            }
            answer(204, None)
        } else if let Some(key) = route("metadata").or_else(|| (path == "/v1/secret/metadata").then(String::new)) {
            match method {
                "GET" => match secrets.get(&key) {
                    Some(s) => {
                        let versions: serde_json::Map<String, Value> = s
                            .versions
                            .iter()
                            .map(|(n, v)| {
                                (
                                    n.to_string(),
                                    json!({"created_time": "2026-04-01T09:00:00Z",
                                    "deletion_time": if v.deleted { "2026-04-01T09:00:01Z" } else { "" },
                                    "destroyed": v.destroyed}),
                                )
                            })
                            .collect();
                        answer(
                            200,
                            Some(json!({"data": {"cas_required": false, "current_version": s.current,
                            "max_versions": 0, "oldest_version": 0, "versions": versions}})),
                        )
                    }
                    None => errors(404, &[]),
                },
                "LIST" => {
                    let folder = if key.is_empty() { String::new() } else { format!("{}/", key.trim_end_matches('/')) };
                    let mut keys: Vec<String> = secrets
                        .keys()
                        .filter_map(|k| k.strip_prefix(&folder))
                        .map(|rest| match rest.split_once('/') {
                            Some((dir, _)) => format!("{dir}/"),
                            None => rest.to_owned(),
                        })
                        .collect();
                    keys.sort();
                    keys.dedup();
                    if keys.is_empty() { errors(404, &[]) } else { answer(200, Some(json!({"data": {"keys": keys}}))) }
                }
                _ => errors(405, &["unsupported operation"]),
            }
        } else {
            errors(404, &[&format!("no handler for route \"{path}\". route entry not found.")])
        }
    }
}

fn read(secret: Option<&Secret>) -> HttpResponse {
    let Some(s) = secret.filter(|s| s.current > 0) else { return errors(404, &[]) };
    let v = &s.versions[&s.current];
    let metadata = version_metadata(s.current, v);
    match &v.data {
        Some(data) if !v.deleted => answer(200, Some(json!({"data": {"data": data, "metadata": metadata}}))),
        _ => answer(404, Some(json!({"data": {"data": null, "metadata": metadata}}))),
    }
}

fn write(s: &mut Secret, body: &[u8]) -> HttpResponse {
    let Ok(body) = serde_json::from_slice::<Value>(body) else { return errors(400, &["error parsing JSON"]) };
    if let Some(cas) = body["options"]["cas"].as_u64()
        && cas != s.current
    {
        return errors(400, &["check-and-set parameter did not match the current version"]);
    }
    let Some(data) = body.get("data").filter(|d| d.is_object()).cloned() else {
        return errors(400, &["no data provided"]);
    };
    s.current += 1;
    let v = Version { data: Some(data), deleted: false, destroyed: false };
    let metadata = version_metadata(s.current, &v);
    s.versions.insert(s.current, v);
    answer(200, Some(json!({"data": metadata})))
}

#[async_trait]
impl HttpTransport for FakeKv {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        // A point where other tasks may run, as with a real server.
        tokio::task::yield_now().await;
        Ok(self.handle(&request))
    }
}

/// What [`KvFaults`] does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvFault {
    /// Forwarded and applied, then the answer is lost (a timeout after the server committed).
    CommitThenTimeout,
    /// Forwarded and applied, then a proxy answers 502 instead of the server's answer.
    CommitThen502,
    /// Not forwarded; a proxy answers 503 (nothing applied).
    Refuse503,
    /// Not forwarded; the connection is refused (nothing applied, known before sending).
    ConnectRefused,
}

impl KvFault {
    pub const ALL: [KvFault; 4] = [Self::CommitThenTimeout, Self::CommitThen502, Self::Refuse503, Self::ConnectRefused];
}

/// A layer over a KV transport (the fake or a real server) that applies planned faults to the
/// nth write (POST/DELETE) or the nth read (GET/LIST) it sees, counting from 1.
#[derive(Debug, Clone)]
pub struct KvFaults {
    inner: Arc<dyn HttpTransport>,
    state: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    writes: usize,
    reads: usize,
    on_write: VecDeque<(usize, KvFault)>,
    on_read: VecDeque<(usize, KvFault)>,
    fired: Vec<String>,
}

impl KvFaults {
    pub fn new(inner: Arc<dyn HttpTransport>) -> Self {
        Self { inner, state: Arc::default() }
    }

    /// Applies `fault` to the `nth` write request from now.
    pub fn on_write(&self, nth: usize, fault: KvFault) {
        self.state.lock().unwrap().on_write.push_back((nth, fault));
    }

    /// Applies `fault` to the `nth` read request from now.
    pub fn on_read(&self, nth: usize, fault: KvFault) {
        self.state.lock().unwrap().on_read.push_back((nth, fault));
    }

    /// Drops the faults not applied yet.
    pub fn clear(&self) {
        let mut s = self.state.lock().unwrap();
        s.on_write.clear();
        s.on_read.clear();
    }

    /// The faults applied so far, e.g. `"CommitThen502 on write #2"`.
    pub fn fired(&self) -> Vec<String> {
        self.state.lock().unwrap().fired.clone()
    }
}

#[async_trait]
impl HttpTransport for KvFaults {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let is_write = matches!(*request.method(), Method::POST | Method::DELETE | Method::PUT);
        let fault = {
            let mut s = self.state.lock().unwrap();
            let (n, plan) = if is_write {
                s.writes += 1;
                (s.writes, &mut s.on_write)
            } else {
                s.reads += 1;
                (s.reads, &mut s.on_read)
            };
            let fault = plan.iter().position(|(nth, _)| *nth == n).and_then(|i| plan.remove(i)).map(|(_, f)| f);
            if let Some(f) = fault {
                let what = if is_write { "write" } else { "read" };
                s.fired.push(format!("{f:?} on {what} #{n}"));
            }
            fault
        };
        match fault {
            None => self.inner.send(request).await,
            Some(KvFault::ConnectRefused) => Err(TransportError::new(TransportErrorKind::Connect, "injected: refused")),
            Some(KvFault::Refuse503) => Ok(errors(503, &["injected: service unavailable"])),
            Some(KvFault::CommitThenTimeout) => {
                let _ = self.inner.send(request).await?;
                Err(TransportError::new(TransportErrorKind::Timeout, "injected: the answer was lost"))
            }
            Some(KvFault::CommitThen502) => {
                let _ = self.inner.send(request).await?;
                Ok(answer(502, Some(json!({"errors": ["injected: bad gateway"]}))))
            }
        }
    }
}
