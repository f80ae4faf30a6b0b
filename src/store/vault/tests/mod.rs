//! Request shapes and response mapping of the KV v2 store, without a server.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use http::Method;
use serde_json::{Value, json};

use super::wire::{self, Endpoint};
use super::*;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;
use crate::transport::{TransportError, TransportErrorKind, from_fn};

const SECRET: &str = "CANARY-pat-5e1f";
const TOKEN: &str = "CANARY-vault-token-77a2";

fn endpoint() -> Endpoint {
    Endpoint::new("http://127.0.0.1:8200", "secret", "patkit", None).unwrap()
}

fn record(name: &str) -> PatRecord {
    PatRecord {
        name: name.to_owned(),
        provider: "azure-devops".to_owned(),
        organization: "contoso".to_owned(),
        metadata: PatMetadata {
            id: PatId::new("4b9f6c1e-0000-4000-8000-000000000001"),
            display_name: "ci feed".to_owned(),
            scopes: Scopes::parse("vso.packaging").unwrap(),
            valid_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            valid_to: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
            extras: crate::extras::Extras::new().with("targets", "org-1"),
        },
        stored_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap(),
        revision: 41,
        rotation: None,
        previous: None,
        retiring: None,
    }
}

fn entry(name: &str) -> StoredPat {
    StoredPat { record: record(name), secret: PatSecret::new(SECRET.to_owned()) }
}

fn response(status: u16, body: Value) -> HttpResponse {
    http::Response::builder().status(status).body(serde_json::to_vec(&body).unwrap()).unwrap()
}

fn read_answer(version: u64, data: Value) -> HttpResponse {
    response(200, json!({"data": {"data": data, "metadata": {"version": version, "destroyed": false}}}))
}

/// The KV `data` of `entry(name)` as this build writes it.
fn stored_data(name: &str) -> Value {
    serde_json::from_slice(&crate::store::persisted::Document::entry(&entry(name), None).to_json()).unwrap()
}

fn assert_no_canary(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

mod auth;
mod config;
/// The committed KV v2 `data` documents written by 11596cb (entry format 1).
#[cfg(feature = "testing")]
mod format_1;
mod parsing;
mod requests;
mod store;
