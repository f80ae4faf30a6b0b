//! Unit tests of the emulator, one file per theme, all in process through [`HttpTransport`].

mod access;
mod listing;
mod resources;
mod service;
mod tokens;

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use http::HeaderMap;
use serde_json::Value;

use super::{EmulatedUser, Emulator, SeedToken, SeededToken};
use crate::clock::ManualClock;
use crate::transport::HttpTransport;

/// 2026-06-01T12:00Z.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

struct Fixture {
    emulator: Emulator,
    clock: ManualClock,
    alice: EmulatedUser,
    bob: EmulatedUser,
    admin: EmulatedUser,
    /// Alice's `api` token.
    alice_pat: SeededToken,
    /// Bob's `api` token.
    bob_pat: SeededToken,
    /// The admin's `api` + `sudo` token.
    admin_pat: SeededToken,
}

fn fixture() -> Fixture {
    let clock = ManualClock::new(start());
    let emulator = Emulator::with_clock(Arc::new(clock.clone()));
    let alice = emulator.add_user("alice");
    let bob = emulator.add_user("bob");
    let admin = emulator.add_admin("root");
    let alice_pat = emulator.seed_token(alice.id, SeedToken::new("alice-main", &["api"]));
    let bob_pat = emulator.seed_token(bob.id, SeedToken::new("bob-main", &["api"]));
    let admin_pat = emulator.seed_token(admin.id, SeedToken::new("root-main", &["api", "sudo"]));
    Fixture { emulator, clock, alice, bob, admin, alice_pat, bob_pat, admin_pat }
}

/// One answer, taken apart.
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
}

/// Sends `method path` (under `/api/v4`) with `PRIVATE-TOKEN: token` and an optional JSON body.
async fn call(emulator: &Emulator, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    call_with(emulator, method, path, token.map(|t| ("private-token", t.to_owned())), body).await
}

async fn call_with(
    emulator: &Emulator,
    method: &str,
    path: &str,
    header: Option<(&str, String)>,
    body: Option<Value>,
) -> Answer {
    let mut request = http::Request::builder().method(method).uri(format!("https://gitlab.example/api/v4{path}"));
    if let Some((name, value)) = header {
        request = request.header(name, value);
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

fn secret(token: &SeededToken) -> &str {
    token.secret.expose_secret()
}
