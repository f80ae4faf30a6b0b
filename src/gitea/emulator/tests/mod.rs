//! Unit tests of the emulator, one file per theme, all in process through [`HttpTransport`].

mod access;
mod listing;
mod service;
mod tokens;

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use http::HeaderMap;
use serde_json::Value;

use super::{EmulatedUser, Emulator, Flavor, SeedToken, SeededToken};
use crate::base64;
use crate::clock::ManualClock;
use crate::transport::HttpTransport;

/// 2026-06-01T12:00Z.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

const ALICE_PW: &str = "alice-password";
const BOB_PW: &str = "bob-password";
const ROOT_PW: &str = "root-password";

struct Fixture {
    emulator: Emulator,
    clock: ManualClock,
    alice: EmulatedUser,
    bob: EmulatedUser,
    root: EmulatedUser,
    /// Alice's token with `all`.
    alice_pat: SeededToken,
}

fn fixture_of(flavor: Flavor) -> Fixture {
    let clock = ManualClock::new(start());
    let emulator = Emulator::with_clock(flavor, Arc::new(clock.clone()));
    let alice = emulator.add_user("alice", ALICE_PW);
    let bob = emulator.add_user("bob", BOB_PW);
    let root = emulator.add_admin("root", ROOT_PW);
    let alice_pat = emulator.seed_token(alice.id, SeedToken::new("alice-main", &["all"]));
    Fixture { emulator, clock, alice, bob, root, alice_pat }
}

fn fixture() -> Fixture {
    fixture_of(Flavor::Gitea)
}

/// One answer, taken apart.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    text: String,
    headers: HeaderMap,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }
}

fn basic(user: &str, password: &str) -> (&'static str, String) {
    let encoded = base64::encode(format!("{user}:{password}"), base64::Alphabet::Standard);
    ("authorization", format!("Basic {encoded}"))
}

fn token_header(secret: &str) -> (&'static str, String) {
    ("authorization", format!("token {secret}"))
}

/// Sends `method path` (under `/api/v1`, query included) with `headers` and an optional JSON body.
async fn call(
    emulator: &Emulator,
    method: &str,
    path: &str,
    headers: &[(&'static str, String)],
    body: Option<Value>,
) -> Answer {
    let mut request = http::Request::builder().method(method).uri(format!("https://gitea.example/api/v1{path}"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let bytes = match body {
        Some(b) => {
            request = request.header("content-type", "application/json");
            serde_json::to_vec(&b).unwrap()
        }
        None => Vec::new(),
    };
    let response = emulator.send(request.body(bytes).unwrap()).await.unwrap();
    let text = String::from_utf8_lossy(response.body()).into_owned();
    Answer {
        status: response.status().as_u16(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: response.headers().clone(),
    }
}

/// Creates a token for `user` as `login` (a Basic header).
async fn create(emulator: &Emulator, user: &str, login: &[(&'static str, String)], body: Value) -> Answer {
    call(emulator, "POST", &format!("/users/{user}/tokens"), login, Some(body)).await
}

fn secret(token: &SeededToken) -> &str {
    token.secret.expose_secret()
}
