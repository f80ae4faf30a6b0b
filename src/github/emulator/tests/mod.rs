//! Unit tests of the emulator, one file per theme, all in process through [`HttpTransport`].

mod apps;
mod checks;
mod grants;
mod limits;
mod saml;

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use http::HeaderMap;
use serde_json::Value;

use super::{Emulator, JwtClaims, SeedGrant, SeedPat, SeededPat, sign_app_jwt};
use crate::clock::ManualClock;
use crate::transport::HttpTransport;

const PUBLIC_KEY: &str = include_str!("../../../../tests/fixtures/github/app-key.pub.pem");
const PRIVATE_KEY: &str = include_str!("../../../../tests/fixtures/github/app-key.pem");

/// 2026-06-01T12:00Z.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

struct Fixture {
    emulator: Emulator,
    clock: ManualClock,
    app: u64,
    /// On `acme`, with both PAT permissions at `write`.
    installation: u64,
    /// Octocat's fine-grained PAT, granted on `acme` (all repositories).
    octo_pat: SeededPat,
    octo_grant: u64,
}

fn fixture() -> Fixture {
    let clock = ManualClock::new(start());
    let emulator = Emulator::with_clock(Arc::new(clock.clone()));
    let app = emulator.register_app(PUBLIC_KEY);
    emulator.add_org("acme");
    emulator.add_org("other");
    let installation = emulator.install_app(
        app,
        "acme",
        &[("personal_access_tokens", "write"), ("personal_access_token_requests", "write")],
    );
    let octo_pat = emulator.seed_pat(SeedPat::fine_grained("octocat", "laptop"));
    let octo_grant = emulator.seed_grant("acme", SeedGrant::new(octo_pat.token_id));
    Fixture { emulator, clock, app, installation, octo_pat, octo_grant }
}

/// One answer, taken apart.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }

    /// The `id`s of a JSON array answer.
    fn ids(&self, field: &str) -> Vec<u64> {
        self.body.as_array().map(|a| a.iter().filter_map(|g| g[field].as_u64()).collect()).unwrap_or_default()
    }
}

/// Sends `method path` (query included) with `Authorization: Bearer {token}` when given, and an
/// optional JSON body.
async fn call(emulator: &Emulator, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    let mut request = http::Request::builder().method(method).uri(format!("https://api.github.com{path}"));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    let response = emulator.send(request.body(bytes).unwrap()).await.unwrap();
    Answer {
        status: response.status().as_u16(),
        body: serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        headers: response.headers().clone(),
    }
}

/// A JWT for `app` with the advised claims at the emulator's now.
fn jwt(fx: &Fixture) -> String {
    sign_app_jwt(PRIVATE_KEY, JwtClaims::for_app(fx.app, fx.emulator.now())).unwrap().expose_secret().to_owned()
}

/// A fresh installation token of `installation`.
async fn installation_token(fx: &Fixture, installation: u64) -> String {
    let path = format!("/app/installations/{installation}/access_tokens");
    let answer = call(&fx.emulator, "POST", &path, Some(&jwt(fx)), None).await;
    assert_eq!(answer.status, 201, "{answer:?}");
    answer.body["token"].as_str().unwrap().to_owned()
}
