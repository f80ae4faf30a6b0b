//! Shared set-up for the emulator tests: one harness, two ways in (in process and real loopback
//! HTTP through `ReqwestTransport`), raw `http::Request`s and `serde_json` parsing.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::{HeaderMap, Method, StatusCode};
use patkit::azure::emulator::{EmulatedUser, Emulator, EmulatorServer, Organization};
use patkit::transport::{HttpTransport, ReqwestTransport, TransportError};
use patkit::{BearerToken, ManualClock, PatSecret};
use serde_json::Value;

pub const V71: &str = "7.1-preview.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    InProcess,
    Loopback,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::InProcess, Mode::Loopback];
}

/// 2026-01-15T10:00:00.1033333Z: a time with a fraction, to show the date format.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap() + chrono::TimeDelta::nanoseconds(103_333_300)
}

pub struct Harness {
    pub mode: Mode,
    pub emulator: Emulator,
    pub clock: ManualClock,
    pub transport: Arc<dyn HttpTransport>,
    pub base: String,
    pub org: Organization,
    pub alice: EmulatedUser,
    pub bob: EmulatedUser,
    server: Option<EmulatorServer>,
}

impl Harness {
    pub async fn new(mode: Mode) -> Self {
        let clock = ManualClock::new(start_time());
        let emulator = Emulator::with_clock(Arc::new(clock.clone()));
        let org = emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let bob = emulator.add_user("Bob");
        let (transport, base, server): (Arc<dyn HttpTransport>, String, Option<EmulatorServer>) = match mode {
            // The host is ignored in process: use the real one to show it.
            Mode::InProcess => (Arc::new(emulator.clone()), "https://vssps.dev.azure.com".to_owned(), None),
            Mode::Loopback => {
                let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
                (Arc::new(ReqwestTransport::new().unwrap()), server.base_url(), Some(server))
            }
        };
        Self { mode, emulator, clock, transport, base, org, alice, bob, server }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.emulator.now()
    }

    /// A request to `/{org}/{path}`; `path` may carry a query.
    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            harness: self,
            method,
            url: format!("{}/{}/{}", self.base, self.org.name, path.trim_start_matches('/')),
            headers: HeaderMap::new(),
            body: Vec::new(),
        }
    }

    /// A request to the PAT API with api-version 7.1-preview.1 and `query` appended.
    pub fn pats(&self, method: Method, query: &str) -> Req<'_> {
        let sep = if query.is_empty() { "" } else { "&" };
        self.req(method, &format!("_apis/tokens/pats?api-version={V71}{sep}{query}"))
    }

    /// Creates a PAT as `user` and returns the create response.
    pub async fn create(&self, user: &EmulatedUser, body: Value) -> Resp {
        self.pats(Method::POST, "").bearer(&user.bearer).json(&body).send().await
    }

    /// Creates a PAT and returns (authorizationId, secret).
    pub async fn create_ok(&self, user: &EmulatedUser, name: &str, scope: &str) -> (String, String) {
        let r = self.create(user, serde_json::json!({"displayName": name, "scope": scope})).await;
        assert_eq!(r.status, 200, "{:?}: {}", self.mode, r.text());
        let v = r.json();
        assert_eq!(v["patTokenError"], "none", "{:?}: {v}", self.mode);
        (
            v["patToken"]["authorizationId"].as_str().unwrap().to_owned(),
            v["patToken"]["token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn shutdown(self) {
        if let Some(server) = self.server {
            server.shutdown().await;
        }
    }
}

pub struct Req<'a> {
    harness: &'a Harness,
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Req<'_> {
    pub fn bearer(mut self, token: &BearerToken) -> Self {
        self.headers.insert("authorization", token.bearer_authorization());
        self
    }

    pub fn basic(mut self, pat: &str) -> Self {
        self.headers.insert("authorization", PatSecret::new(pat.to_owned()).basic_authorization());
        self
    }

    pub fn suppress(self) -> Self {
        self.header("x-tfs-fedauthredirect", "Suppress")
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.insert(name, value.parse().unwrap());
        self
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.headers.insert("content-type", "application/json".parse().unwrap());
        self.body = serde_json::to_vec(body).unwrap();
        self
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.headers.insert("content-type", "application/json".parse().unwrap());
        self.body = body.as_bytes().to_vec();
        self
    }

    pub async fn try_send(self) -> Result<Resp, TransportError> {
        let mut request = http::Request::builder().method(self.method).uri(&self.url).body(self.body).unwrap();
        *request.headers_mut() = self.headers;
        let response = self.harness.transport.send(request).await?;
        Ok(Resp { status: response.status(), headers: response.headers().clone(), body: response.into_body() })
    }

    pub async fn send(self) -> Resp {
        let mode = self.harness.mode;
        self.try_send().await.unwrap_or_else(|e| panic!("{mode:?}: transport error: {e}"))
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a WrappedException with `status` and `type_key`; returns the body.
    pub fn assert_wrapped(&self, status: u16, type_key: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(self.header("content-type").unwrap_or("").starts_with("application/json"));
        let v = self.json();
        for key in ["$id", "innerException", "message", "typeName", "typeKey", "errorCode", "eventId"] {
            assert!(v.get(key).is_some(), "WrappedException without {key}: {v}");
        }
        assert_eq!(v["typeKey"], type_key, "{v}");
        assert!(v["typeName"].as_str().unwrap().contains(type_key));
        v
    }
}
