//! `VaultTokenStore` against a real OpenBao/Vault server.
//!
//! Needs `PATKIT_VAULT_ADDR` and `PATKIT_VAULT_TOKEN` (KV v2 at `secret/`), which
//! `scripts/with-services.sh` sets after starting `bao server -dev`. Without them the tests print
//! a notice and pass, unless `PATKIT_REQUIRE_SERVICES=1`, which makes a missing server a failure.
#![cfg(all(feature = "vault", feature = "testing", feature = "reqwest"))]

use std::io::Write as _;
use std::sync::Arc;

use patkit::store::{StoreErrorKind, TokenStore, VaultToken, VaultTokenStore};
use patkit::testing::conformance;
use patkit::transport::{HttpTransport, ReqwestTransport};

const CANARY: &str = "CANARY-vault-pat-0c7d41";

pub(crate) struct Server {
    pub(crate) address: String,
    pub(crate) token: String,
}

/// The server to test against, or `None` (with a notice) when none is configured.
pub(crate) fn server(test: &str) -> Option<Server> {
    let address = std::env::var("PATKIT_VAULT_ADDR").ok().filter(|v| !v.is_empty());
    let token = std::env::var("PATKIT_VAULT_TOKEN").ok().filter(|v| !v.is_empty());
    match (address, token) {
        (Some(address), Some(token)) => Some(Server { address, token }),
        _ if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{test}: PATKIT_REQUIRE_SERVICES=1 but PATKIT_VAULT_ADDR/PATKIT_VAULT_TOKEN are not set")
        }
        _ => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: SKIPPED: no OpenBao/Vault server (set PATKIT_VAULT_ADDR and PATKIT_VAULT_TOKEN, \
                 or run under scripts/with-services.sh)"
            );
            None
        }
    }
}

pub(crate) fn transport() -> Arc<dyn HttpTransport> {
    Arc::new(ReqwestTransport::new().expect("a reqwest transport"))
}

/// A store under a prefix of its own, so runs never see each other's entries.
fn store(server: &Server) -> (VaultTokenStore, String) {
    let prefix = format!("patkit-test/{}", uuid::Uuid::new_v4().simple());
    let store = VaultTokenStore::builder(&server.address, VaultToken::new(server.token.clone()), transport())
        .prefix(prefix.clone())
        .build()
        .expect("a valid store configuration");
    (store, prefix)
}

#[tokio::test]
async fn vault_store_conforms() {
    let Some(server) = server("vault_store_conforms") else { return };
    let (store, _) = store(&server);
    conformance::run_all(&store).await;
    assert!(store.list().await.unwrap().is_empty(), "the suite left entries behind");
}

#[tokio::test]
async fn vault_store_conforms_through_arc_dyn() {
    let Some(server) = server("vault_store_conforms_through_arc_dyn") else { return };
    let store: Arc<dyn TokenStore> = Arc::new(store(&server).0);
    conformance::run_all(&store).await;
}

/// A raw KV v2 read of one version of an entry, as another Vault client would do it.
async fn raw_read_status(server: &Server, prefix: &str, name: &str, version: u64) -> u16 {
    let uri = format!("{}/v1/secret/data/{prefix}/{name}?version={version}", server.address);
    let request =
        http::Request::builder().uri(uri).header("x-vault-token", server.token.as_str()).body(Vec::new()).unwrap();
    transport().send(request).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn revisions_are_kv_versions_and_remove_destroys_every_secret() {
    let Some(server) = server("revisions_are_kv_versions_and_remove_destroys_every_secret") else { return };
    let (store, prefix) = store(&server);
    let first = store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    let second = store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    assert_eq!((first, second), (1, 2), "revisions are not the KV versions");
    assert_eq!(raw_read_status(&server, &prefix, "feed", 1).await, 200);

    assert!(store.remove("feed").await.unwrap());
    for version in [1, 2] {
        assert_eq!(raw_read_status(&server, &prefix, "feed", version).await, 404, "version {version} survived");
    }
    assert!(store.get("feed").await.unwrap().is_none());
    assert!(!store.remove("feed").await.unwrap());
    // The tombstone keeps the count going: a revision from before the removal never matches.
    assert_eq!(store.put(conformance::sample_entry("feed", CANARY)).await.unwrap(), 4);
    store.remove("feed").await.unwrap();
}

/// A raw KV v2 write of `data` as the next version of an entry, as another Vault client (or an
/// older patkit) would do it.
async fn raw_write(server: &Server, prefix: &str, name: &str, data: serde_json::Value) {
    let uri = format!("{}/v1/secret/data/{prefix}/{name}", server.address);
    let body = serde_json::to_vec(&serde_json::json!({ "data": data })).unwrap();
    let request = http::Request::post(uri).header("x-vault-token", server.token.as_str()).body(body).unwrap();
    assert_eq!(transport().send(request).await.unwrap().status(), 200);
}

/// A raw KV v2 read of the latest data of an entry.
async fn raw_data(server: &Server, prefix: &str, name: &str) -> serde_json::Value {
    let uri = format!("{}/v1/secret/data/{prefix}/{name}", server.address);
    let request =
        http::Request::builder().uri(uri).header("x-vault-token", server.token.as_str()).body(Vec::new()).unwrap();
    let response = transport().send(request).await.unwrap();
    serde_json::from_slice::<serde_json::Value>(response.body()).unwrap()["data"]["data"].take()
}

/// The KV v2 `data` documents committed in `tests/fixtures/store-format-v1/` (written by 11596cb,
/// entry format 1), stored in a real OpenBao, load with every field intact; the format 1
/// tombstone reads as removed; a write over an entry carries the new format.
#[tokio::test]
async fn format_1_entries_load_with_every_field() {
    let Some(server) = server("format_1_entries_load_with_every_field") else { return };
    let (store, prefix) = store(&server);
    let fixture = |file: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-format-v1").join(file);
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(path).unwrap()).unwrap()
    };
    raw_write(&server, &prefix, "ci/nuget-feed", fixture("vault-full.json")).await;
    raw_write(&server, &prefix, "plain", fixture("vault-plain.json")).await;
    raw_write(&server, &prefix, "gone", fixture("vault-plain.json")).await;
    raw_write(&server, &prefix, "gone", fixture("vault-removed.json")).await;
    for (expected, file) in [
        (conformance::full_entry("ci/nuget-feed", "fixture-secret-full"), "vault-full.json"),
        (conformance::sample_entry("plain", "fixture-secret-plain"), "vault-plain.json"),
    ] {
        let got = store.get(expected.name()).await.unwrap().unwrap_or_else(|| panic!("{file} not found"));
        let mut record = expected.record.clone();
        record.revision = 1;
        assert_eq!(got.record, record, "{file}: every field intact");
        assert_eq!(got.secret.expose_secret(), expected.secret.expose_secret(), "{file}");
    }
    assert!(store.get("gone").await.unwrap().is_none(), "a format 1 tombstone is a removed entry");
    let listed = store.list().await.unwrap();
    assert_eq!(
        listed.iter().map(|r| (r.name.as_str(), r.revision)).collect::<Vec<_>>(),
        [("ci/nuget-feed", 1), ("plain", 1)]
    );

    let next = conformance::sample_entry("plain", CANARY);
    assert_eq!(store.compare_and_swap(next, patkit::store::Expected::Revision(1)).await.unwrap(), 2);
    let written = raw_data(&server, &prefix, "plain").await;
    assert_eq!((&written["format"], &written["version"]), (&serde_json::json!("patkit.entry"), &serde_json::json!(4)));
    assert_eq!(store.get("plain").await.unwrap().unwrap().secret.expose_secret(), CANARY);
    // The gone entry's tombstone was version 2: a new write counts on.
    assert_eq!(
        store.compare_and_swap(conformance::sample_entry("gone", "x"), patkit::store::Expected::Absent).await.unwrap(),
        3
    );
    for name in ["ci/nuget-feed", "plain", "gone"] {
        store.remove(name).await.unwrap();
    }
}

/// An entry written by a newer patkit (an entry format version this build does not know) is
/// `Corrupt`, quotes no secret, and is never replaced.
#[tokio::test]
async fn an_entry_of_a_future_format_version_is_corrupt_and_never_replaced() {
    let Some(server) = server("an_entry_of_a_future_format_version_is_corrupt_and_never_replaced") else { return };
    let (store, prefix) = store(&server);
    store.put(conformance::full_entry("next", CANARY)).await.unwrap();
    let mut future = raw_data(&server, &prefix, "next").await;
    future["version"] = serde_json::json!(5);
    raw_write(&server, &prefix, "next", future.clone()).await;

    let err = store.get("next").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
    assert!(err.message().contains("entry format version 5"), "{err}");
    assert!(!format!("{err} {err:?}").contains(CANARY), "{err}");
    let err = store.list().await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "list: {err}");
    let err = store.put(conformance::sample_entry("next", "replacement")).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "put: {err}");
    assert_eq!(raw_data(&server, &prefix, "next").await, future, "the newer entry was replaced");
    assert!(store.remove("next").await.unwrap());
}

/// The same as `against_the_fake::remove_destroys_a_version_deleted_outside_patkit`, on the real
/// server: after `bao kv delete` of the latest version, `remove` destroys it (and every older
/// one), so `bao kv undelete` brings no secret back.
#[tokio::test]
async fn remove_destroys_a_version_deleted_outside_patkit() {
    let Some(server) = server("remove_destroys_a_version_deleted_outside_patkit") else { return };
    let (store, prefix) = store(&server);
    let raw = |method: &'static str, path: String, body: Vec<u8>| {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}/v1/secret/{path}", server.address))
            .header("x-vault-token", server.token.as_str())
            .body(body)
            .unwrap();
        async move { transport().send(request).await.unwrap().status().as_u16() }
    };
    store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    assert_eq!(raw("DELETE", format!("data/{prefix}/feed"), Vec::new()).await, 204);
    assert!(store.get("feed").await.unwrap().is_none());
    assert!(!store.remove("feed").await.unwrap(), "there was no live entry");
    for version in [1, 2] {
        assert_eq!(raw_read_status(&server, &prefix, "feed", version).await, 404, "version {version} survived");
    }
    let undelete = br#"{"versions": [1, 2]}"#.to_vec();
    assert_eq!(raw("POST", format!("undelete/{prefix}/feed"), undelete).await, 204);
    assert!(store.get("feed").await.unwrap().is_none(), "undelete brought the secret back");
    for version in [1, 2] {
        assert_eq!(raw_read_status(&server, &prefix, "feed", version).await, 404, "version {version} came back");
    }
}

#[tokio::test]
async fn wrong_token_is_permission_denied_and_nothing_leaks() {
    let Some(server) = server("wrong_token_is_permission_denied_and_nothing_leaks") else { return };
    let (store, prefix) = store(&server);
    store.put(conformance::sample_entry("canary", CANARY)).await.unwrap();
    let records = store.list().await.unwrap();
    assert!(!format!("{records:?}").contains(CANARY));
    let debug = format!("{store:?}");
    assert!(!debug.contains(&server.token) && !debug.contains(CANARY), "{debug}");

    let bad_token = "CANARY-not-a-vault-token";
    let denied = VaultTokenStore::builder(&server.address, VaultToken::new(bad_token.to_owned()), transport())
        .prefix(prefix)
        .build()
        .unwrap();
    let err = denied.get("canary").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied, "{err}");
    let shown = format!("{err} {err:?} {denied:?}");
    assert!(!shown.contains(bad_token) && !shown.contains(CANARY) && !shown.contains(&server.token), "{shown}");
    store.remove("canary").await.unwrap();
}

#[tokio::test]
async fn a_mount_that_does_not_exist_is_an_error_not_an_empty_store() {
    let Some(server) = server("a_mount_that_does_not_exist_is_an_error_not_an_empty_store") else { return };
    let store = VaultTokenStore::builder(&server.address, VaultToken::new(server.token.clone()), transport())
        .mount("no-such-mount")
        .build()
        .unwrap();
    let err = store.get("x").await.unwrap_err();
    assert_ne!(err.kind(), StoreErrorKind::Conflict);
    assert!(store.list().await.is_err(), "listing a missing mount looked like an empty store");
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    // Needs no server: a loopback port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let store = VaultTokenStore::new(&address, VaultToken::new("t".to_owned()), transport()).unwrap();
    let err = store.get("x").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{err}");
}

// The store's rules about uncertain writes, history and configuration, against the in-process
// KV v2 fake of the rotation fault runs (answers checked against OpenBao), so they run anywhere.

#[allow(dead_code)]
use crate::vault_kv;

mod against_the_fake {
    use std::sync::Arc;

    use patkit::store::{Expected, StoreErrorKind, TokenStore, VaultToken, VaultTokenStore};
    use patkit::testing::conformance::sample_entry;
    use patkit::transport::{HttpTransport, RetryConfig, RetryTransport};

    use super::vault_kv::{FakeKv, KvFault, KvFaults};

    const TOKEN: &str = "vault-token-for-the-fake";

    fn over(transport: Arc<dyn HttpTransport>) -> VaultTokenStore {
        VaultTokenStore::new("http://127.0.0.1:8200", VaultToken::new(TOKEN.to_owned()), transport).unwrap()
    }

    /// The fake, a store straight on it, and the fault layer to put under a store under test.
    fn fake() -> (FakeKv, VaultTokenStore, KvFaults) {
        let fake = FakeKv::new(TOKEN);
        let direct = over(Arc::new(fake.clone()));
        let faults = KvFaults::new(Arc::new(fake.clone()));
        (fake, direct, faults)
    }

    fn retrying(faults: &KvFaults) -> VaultTokenStore {
        over(Arc::new(RetryTransport::new(faults.clone(), RetryConfig::default()).seed(7)))
    }

    #[tokio::test(start_paused = true)]
    async fn a_compare_and_swap_whose_answer_was_lost_is_never_resent() {
        for fault in [KvFault::CommitThen502, KvFault::CommitThenTimeout] {
            let (fake, direct, faults) = fake();
            let revision = direct.put(sample_entry("a", "CANARY-first")).await.unwrap();
            faults.on_write(1, fault);
            let err = retrying(&faults)
                .compare_and_swap(sample_entry("a", "CANARY-second"), Expected::Revision(revision))
                .await
                .expect_err("the answer was lost");
            assert_eq!(
                err.kind(),
                StoreErrorKind::Unavailable,
                "{fault:?}: an outcome not known, not a conflict: {err}"
            );
            let stored = direct.get("a").await.unwrap().unwrap();
            assert_eq!(stored.secret.expose_secret(), "CANARY-second", "{fault:?}");
            assert_eq!(stored.record.revision, revision + 1, "{fault:?}");
            assert_eq!(fake.readable_versions("patkit/a"), [1, 2], "{fault:?}: sent more than once");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_insert_whose_answer_was_lost_is_not_taken_for_someone_elses_entry() {
        for fault in [KvFault::CommitThen502, KvFault::CommitThenTimeout] {
            let (_, direct, faults) = fake();
            faults.on_write(1, fault);
            let revision = retrying(&faults)
                .compare_and_swap(sample_entry("a", "CANARY-mine"), Expected::Absent)
                .await
                .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
            assert_eq!(direct.get("a").await.unwrap().unwrap().record.revision, revision, "{fault:?}");
            // Someone else's entry is still a conflict.
            let err = retrying(&faults).compare_and_swap(sample_entry("a", "CANARY-other"), Expected::Absent).await;
            assert_eq!(err.unwrap_err().kind(), StoreErrorKind::Conflict, "{fault:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn remove_destroys_the_history_even_when_the_tombstone_answer_was_lost() {
        let (fake, direct, faults) = fake();
        direct.put(sample_entry("a", "CANARY-v1")).await.unwrap();
        direct.put(sample_entry("a", "CANARY-v2")).await.unwrap();
        faults.on_write(1, KvFault::CommitThen502);
        assert!(retrying(&faults).remove("a").await.unwrap(), "the entry was removed by this call");
        assert!(direct.get("a").await.unwrap().is_none());
        assert!(!fake.history_contains("CANARY-"), "an older version still holds a secret");
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_remove_destroys_what_an_interrupted_one_left() {
        let (fake, direct, faults) = fake();
        direct.put(sample_entry("a", "CANARY-v1")).await.unwrap();
        direct.put(sample_entry("a", "CANARY-v2")).await.unwrap();
        // The tombstone is written; destroying the older versions fails (no retries here).
        faults.on_write(2, KvFault::Refuse503);
        let err = over(Arc::new(faults.clone())).remove("a").await.expect_err("the destroy failed");
        assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{err}");
        assert!(fake.history_contains("CANARY-"), "the set-up left history behind");
        assert!(!direct.remove("a").await.unwrap(), "nothing live was left to remove");
        assert!(!fake.history_contains("CANARY-"), "the later remove left the history behind");
    }

    /// A raw KV v2 request to the fake, as another Vault client (`bao kv delete`) would send it.
    async fn raw(fake: &FakeKv, method: &str, path: &str, body: serde_json::Value) -> u16 {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:8200/v1/secret/{path}"))
            .header("x-vault-token", TOKEN)
            .body(if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() })
            .unwrap();
        fake.send(request).await.unwrap().status().as_u16()
    }

    /// An entry whose latest version was soft-deleted outside patkit (`bao kv delete`) is gone
    /// for `get`, but its data is not: `remove` destroys that version too, so `undelete` brings
    /// nothing back.
    #[tokio::test]
    async fn remove_destroys_a_version_deleted_outside_patkit() {
        let (fake, direct, _) = fake();
        direct.put(sample_entry("a", "CANARY-v1")).await.unwrap();
        direct.put(sample_entry("a", "CANARY-v2")).await.unwrap();
        assert_eq!(raw(&fake, "DELETE", "data/patkit/a", serde_json::Value::Null).await, 204);
        assert!(direct.get("a").await.unwrap().is_none());
        assert!(!direct.remove("a").await.unwrap(), "there was no live entry");
        assert!(fake.readable_versions("patkit/a").is_empty(), "{:?}", fake.readable_versions("patkit/a"));
        assert!(!fake.history_contains("CANARY-"), "a version still holds a secret");
        assert_eq!(raw(&fake, "POST", "undelete/patkit/a", serde_json::json!({"versions": [1, 2]})).await, 204);
        assert!(direct.get("a").await.unwrap().is_none(), "undelete brought the secret back");
        // The name is free again.
        assert_eq!(direct.compare_and_swap(sample_entry("a", "CANARY-v3"), Expected::Absent).await.unwrap(), 3);
    }

    #[test]
    fn a_vault_store_refuses_plain_http_to_a_remote_host() {
        let transport: Arc<dyn HttpTransport> = Arc::new(FakeKv::new(TOKEN));
        let build = |address: &str| VaultTokenStore::new(address, VaultToken::new(TOKEN.to_owned()), transport.clone());
        for remote in ["http://vault.example.com:8200", "http://10.0.0.5:8200", "http://localhost.evil.example/"] {
            let err = build(remote).expect_err(remote);
            assert!(matches!(err, patkit::Error::InvalidInput { field: "address", .. }), "{remote}: {err:?}");
            assert!(!err.to_string().contains(TOKEN));
        }
        for fine in
            ["https://vault.example.com:8200", "http://127.0.0.1:8200", "http://localhost:8200", "http://[::1]:8200"]
        {
            build(fine).unwrap_or_else(|e| panic!("{fine}: {e}"));
        }
    }

    #[tokio::test]
    async fn corrupt_entry_errors_quote_a_capped_format() {
        let (fake, direct, _) = fake();
        let huge = "F".repeat(20_000);
        let body = serde_json::json!({"data": {"format": huge, "secret": "CANARY-x"}});
        let request = http::Request::post("http://127.0.0.1:8200/v1/secret/data/patkit/odd")
            .header("x-vault-token", TOKEN)
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        assert_eq!(fake.send(request).await.unwrap().status(), 200);
        let err = direct.get("odd").await.expect_err("not a patkit entry");
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
        let shown = err.to_string();
        assert!(shown.contains("FFFF"), "{shown}");
        assert!(shown.len() < 1_000, "{} bytes of stored data quoted", shown.len());
    }
}

/// The fake KV v2 engine the rotation fault runs use answers like the real server: one script of
/// requests (writes with and without check-and-set, mismatches, reads of missing, deleted and
/// destroyed versions, metadata, listings, a wrong token) is sent to both, and the statuses and
/// the fields patkit reads are compared.
#[tokio::test]
async fn the_kv_fake_answers_like_openbao() {
    use serde_json::{Value, json};
    let Some(server) = server("the_kv_fake_answers_like_openbao") else { return };
    let prefix = format!("patkit-test/{}", uuid::Uuid::new_v4().simple());
    let script: Vec<(&str, String, Option<Value>, bool)> = vec![
        ("GET", format!("data/{prefix}/x"), None, true),
        ("POST", format!("data/{prefix}/x"), Some(json!({"options": {"cas": 3}, "data": {"a": 1}})), true),
        ("POST", format!("data/{prefix}/x"), Some(json!({"options": {"cas": 0}, "data": {"a": 1}})), true),
        ("POST", format!("data/{prefix}/x"), Some(json!({"options": {"cas": 0}, "data": {"a": 2}})), true),
        ("POST", format!("data/{prefix}/x"), Some(json!({"data": {"a": 3}})), true),
        ("GET", format!("data/{prefix}/x"), None, true),
        ("GET", format!("metadata/{prefix}/x"), None, true),
        ("POST", format!("destroy/{prefix}/x"), Some(json!({"versions": [1, 7]})), true),
        ("GET", format!("metadata/{prefix}/x"), None, true),
        ("LIST", format!("metadata/{prefix}"), None, true),
        ("LIST", format!("metadata/{prefix}/nothing"), None, true),
        ("GET", format!("metadata/{prefix}/nothing"), None, true),
        ("DELETE", format!("data/{prefix}/x"), None, true),
        ("GET", format!("data/{prefix}/x"), None, true),
        ("POST", format!("undelete/{prefix}/x"), Some(json!({"versions": [2, 1]})), true),
        ("GET", format!("data/{prefix}/x"), None, true),
        ("DELETE", format!("data/{prefix}/x"), None, true),
        ("POST", format!("data/{prefix}/x"), Some(json!({"options": {"cas": 2}, "data": {"a": 4}})), true),
        ("POST", format!("data/{prefix}/sub/y"), Some(json!({"data": {"b": 1}})), true),
        ("LIST", format!("metadata/{prefix}"), None, true),
        ("GET", format!("data/{prefix}/x"), None, false),
    ];
    // The fields patkit reads, and the statuses.
    fn project(status: u16, body: &[u8]) -> Value {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let d = &body["data"];
        let versions: Option<Vec<(String, Value)>> =
            d["versions"].as_object().map(|v| v.iter().map(|(k, v)| (k.clone(), v["destroyed"].clone())).collect());
        json!({
            "status": status,
            "errors": if status == 403 { Value::Null } else { body["errors"].clone() },
            "version": d["version"], "data": d["data"], "metadata.version": d["metadata"]["version"],
            "metadata.destroyed": d["metadata"]["destroyed"], "current_version": d["current_version"],
            "versions": versions, "keys": d["keys"],
        })
    }
    let fake = vault_kv::FakeKv::new(&server.token);
    let real = transport();
    for (method, path, body, authorized) in script {
        let mut answers = Vec::new();
        for (base, transport) in [
            (server.address.as_str(), &real),
            ("http://127.0.0.1:8200", &(Arc::new(fake.clone()) as Arc<dyn HttpTransport>)),
        ] {
            let token = if authorized { server.token.clone() } else { "not-the-token".to_owned() };
            let request = http::Request::builder()
                .method(http::Method::from_bytes(method.as_bytes()).unwrap())
                .uri(format!("{}/v1/secret/{path}", base.trim_end_matches('/')))
                .header("x-vault-token", token)
                .body(body.as_ref().map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default())
                .unwrap();
            let response = transport.send(request).await.unwrap();
            answers.push(project(response.status().as_u16(), response.body()));
        }
        assert_eq!(answers[0], answers[1], "{method} {path}: OpenBao (left) and the fake (right) differ");
    }
}
