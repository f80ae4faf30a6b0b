//! A `VaultTokenStore` that configures itself and keeps its login alive, against the real
//! OpenBao dev server: configured from environment variables alone (a token; an AppRole), a
//! short-lived token renewed past its TTL, an AppRole token replaced past its maximum TTL, an
//! agent's token file read again, a namespace, and TLS with a private CA.
//!
//! The environment tests run the conformance suite in a child process (this test binary,
//! filtered to the same test, with `PATKIT_VAULT_ENV_CHILD` set) whose environment holds only
//! the `BAO_*` / `VAULT_*` variables the parent set up with the root token: the child builds
//! its store with `VaultTokenStore::from_env()` and nothing else.
#![cfg(all(feature = "vault", feature = "testing", feature = "reqwest"))]

use std::process::Command;
use std::time::Duration;

use patkit::store::{StoreErrorKind, TokenStore, VaultAuth, VaultConfig, VaultSecretId, VaultToken, VaultTokenStore};
use patkit::testing::conformance;
use serde_json::{Value, json};

use super::vault::{Server, server, transport};

const CHILD: &str = "PATKIT_VAULT_ENV_CHILD";
const CANARY: &str = "CANARY-vault-auth-pat-4b1e";

/// A request to the server's API with the root token; the JSON answer (`Null` for 204).
async fn root(server: &Server, method: &str, path: &str, namespace: Option<&str>, body: Value) -> Value {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("{}/v1/{path}", server.address))
        .header("x-vault-token", server.token.as_str());
    if let Some(ns) = namespace {
        request = request.header("x-vault-namespace", ns);
    }
    let body = if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() };
    let response = transport().send(request.body(body).unwrap()).await.unwrap();
    assert!(
        response.status().is_success(),
        "{method} {path}: HTTP {} {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

fn unique(what: &str) -> String {
    format!("{what}-{}", uuid::Uuid::new_v4().simple())
}

/// A least-privilege policy for a store under `prefix` of the `secret/` KV v2 mount; its name.
async fn policy_for(server: &Server, prefix: &str) -> String {
    let name = unique("patkit-store");
    let policy = format!(
        r#"
path "secret/data/{prefix}/*" {{ capabilities = ["create", "read", "update"] }}
path "secret/metadata/{prefix}" {{ capabilities = ["list"] }}
path "secret/metadata/{prefix}/*" {{ capabilities = ["read", "list"] }}
path "secret/destroy/{prefix}/*" {{ capabilities = ["update"] }}
"#
    );
    root(server, "PUT", &format!("sys/policies/acl/{name}"), None, json!({ "policy": policy })).await;
    name
}

/// A token with `policy` (and the default policy, which allows lookup-self and renew-self).
async fn token_with(server: &Server, policy: &str, ttl: &str) -> String {
    let answer =
        root(server, "POST", "auth/token/create", None, json!({"policies": [policy], "ttl": ttl, "renewable": true}))
            .await;
    answer["auth"]["client_token"].as_str().unwrap().to_owned()
}

/// An AppRole mount with one role for `policy`; (mount, role_id, secret_id).
async fn app_role(server: &Server, policy: &str, ttl: &str, max_ttl: &str) -> (String, String, String) {
    let mount = unique("approle");
    root(server, "POST", &format!("sys/auth/{mount}"), None, json!({"type": "approle"})).await;
    root(
        server,
        "POST",
        &format!("auth/{mount}/role/patkit"),
        None,
        json!({"token_policies": [policy], "token_ttl": ttl, "token_max_ttl": max_ttl}),
    )
    .await;
    let role_id = root(server, "GET", &format!("auth/{mount}/role/patkit/role-id"), None, Value::Null).await;
    let secret_id = root(server, "POST", &format!("auth/{mount}/role/patkit/secret-id"), None, Value::Null).await;
    (
        mount,
        role_id["data"]["role_id"].as_str().unwrap().to_owned(),
        secret_id["data"]["secret_id"].as_str().unwrap().to_owned(),
    )
}

/// Runs `test` (this binary's test of that name) in a child process whose environment has no
/// `BAO_*`, `VAULT_*` or `PATKIT_VAULT_*` variable but `vars`.
async fn in_child(test: &str, vars: Vec<(&'static str, String)>) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([test, "--exact", "--nocapture", "--test-threads=1"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("BAO_") || name.starts_with("VAULT_") || name.starts_with("PATKIT_VAULT_") {
            command.env_remove(name);
        }
    }
    command.env(CHILD, "1").envs(vars);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the child does: the store from the environment alone, through the whole suite.
async fn conform_from_env() {
    let store = VaultTokenStore::from_env().expect("a store from the environment");
    conformance::run_all(&store).await;
    assert!(store.list().await.unwrap().is_empty(), "the suite left entries behind");
}

#[tokio::test]
async fn a_store_from_env_with_a_token_conforms() {
    if std::env::var(CHILD).is_ok() {
        return conform_from_env().await;
    }
    let Some(server) = server("a_store_from_env_with_a_token_conforms") else { return };
    let prefix = unique("patkit-test/env-token");
    let policy = policy_for(&server, &prefix).await;
    let token = token_with(&server, &policy, "1h").await;
    in_child(
        "vault_auth::a_store_from_env_with_a_token_conforms",
        vec![("VAULT_ADDR", server.address.clone()), ("VAULT_TOKEN", token), ("PATKIT_VAULT_PREFIX", prefix)],
    )
    .await;
}

#[tokio::test]
async fn a_store_from_env_with_an_app_role_conforms() {
    if std::env::var(CHILD).is_ok() {
        return conform_from_env().await;
    }
    let Some(server) = server("a_store_from_env_with_an_app_role_conforms") else { return };
    let prefix = unique("patkit-test/env-approle");
    let policy = policy_for(&server, &prefix).await;
    let (mount, role_id, secret_id) = app_role(&server, &policy, "1h", "2h").await;
    in_child(
        "vault_auth::a_store_from_env_with_an_app_role_conforms",
        vec![
            ("BAO_ADDR", server.address.clone()),
            ("BAO_ROLE_ID", role_id),
            ("BAO_SECRET_ID", secret_id),
            ("BAO_APPROLE_MOUNT", mount),
            ("PATKIT_VAULT_PREFIX", prefix),
        ],
    )
    .await;
}

/// Reads every 400 ms for `span`; every read must succeed.
async fn keep_reading(store: &VaultTokenStore, span: Duration) {
    let end = tokio::time::Instant::now() + span;
    while tokio::time::Instant::now() < end {
        let read = store.get("probe").await;
        assert!(read.is_ok(), "a read failed: {:?}", read.err());
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_and_works_past_its_ttl() {
    let Some(server) = server("a_short_lived_token_is_renewed_and_works_past_its_ttl") else { return };
    let prefix = unique("patkit-test/renew");
    let policy = policy_for(&server, &prefix).await;
    let kept = token_with(&server, &policy, "4s").await;
    let control = token_with(&server, &policy, "4s").await;
    let store =
        VaultTokenStore::builder_with_auth(&server.address, VaultAuth::token(VaultToken::new(kept)), transport())
            .prefix(prefix.clone())
            .build()
            .unwrap();
    let unrenewed = VaultTokenStore::builder(&server.address, VaultToken::new(control), transport())
        .prefix(prefix)
        .build()
        .unwrap();
    assert!(unrenewed.get("probe").await.unwrap().is_none());
    keep_reading(&store, Duration::from_secs(7)).await;
    // The same TTL, never renewed: gone (so the TTL was real).
    let err = unrenewed.get("probe").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied, "{err}");
}

#[tokio::test]
async fn an_app_role_token_past_its_max_ttl_is_replaced_by_a_new_login() {
    let Some(server) = server("an_app_role_token_past_its_max_ttl_is_replaced_by_a_new_login") else { return };
    let prefix = unique("patkit-test/relogin");
    let policy = policy_for(&server, &prefix).await;
    // Renewable, but no token lives longer than 4 s.
    let (mount, role_id, secret_id) = app_role(&server, &policy, "3s", "4s").await;
    let auth = VaultAuth::app_role(role_id, VaultSecretId::new(secret_id)).mount(mount);
    let store = VaultTokenStore::builder_with_auth(&server.address, auth, transport()).prefix(prefix).build().unwrap();
    store.put(conformance::sample_entry("probe", CANARY)).await.unwrap();
    keep_reading(&store, Duration::from_secs(9)).await;
    assert_eq!(store.get("probe").await.unwrap().unwrap().secret.expose_secret(), CANARY);
    assert!(store.remove("probe").await.unwrap());
}

#[tokio::test]
async fn a_token_file_replaced_by_an_agent_is_read_again() {
    let Some(server) = server("a_token_file_replaced_by_an_agent_is_read_again") else { return };
    let prefix = unique("patkit-test/token-file");
    let policy = policy_for(&server, &prefix).await;
    let first = token_with(&server, &policy, "1h").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent-token");
    std::fs::write(&path, format!("{first}\n")).unwrap();
    let store = VaultTokenStore::builder_with_auth(&server.address, VaultAuth::token_file(&path), transport())
        .prefix(prefix)
        .build()
        .unwrap();
    store.put(conformance::sample_entry("probe", CANARY)).await.unwrap();

    // The agent logs in again, writes the new token, and the old one is revoked.
    let second = token_with(&server, &policy, "1h").await;
    std::fs::write(&path, &second).unwrap();
    root(&server, "POST", "auth/token/revoke", None, json!({ "token": first })).await;
    assert_eq!(store.get("probe").await.unwrap().unwrap().secret.expose_secret(), CANARY);

    // Revoked with nothing new in the file: refused, and nothing leaks.
    root(&server, "POST", "auth/token/revoke", None, json!({ "token": second })).await;
    let err = store.get("probe").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied, "{err}");
    let shown = format!("{err} {err:?} {store:?}");
    assert!(!shown.contains(&first) && !shown.contains(&second) && !shown.contains(CANARY), "{shown}");
}

#[tokio::test]
async fn a_namespace_from_env_keeps_entries_inside_it() {
    let Some(server) = server("a_namespace_from_env_keeps_entries_inside_it") else { return };
    let namespace = unique("patkit-ns");
    root(&server, "POST", &format!("sys/namespaces/{namespace}"), None, Value::Null).await;
    root(&server, "POST", "sys/mounts/secret", Some(&namespace), json!({"type": "kv", "options": {"version": "2"}}))
        .await;
    let vars = [
        ("BAO_ADDR", server.address.clone()),
        ("BAO_TOKEN", server.token.clone()),
        ("BAO_NAMESPACE", namespace.clone()),
        ("PATKIT_VAULT_PREFIX", "in-ns".to_owned()),
    ];
    let config =
        VaultConfig::from_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())).unwrap();
    let store = config.builder(transport()).build().unwrap();
    conformance::run_all(&store).await;
    store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    // The entry is in the namespace's mount, not in the root namespace's.
    let read = |ns: Option<String>| {
        let mut request = http::Request::get(format!("{}/v1/secret/data/in-ns/feed", server.address))
            .header("x-vault-token", server.token.as_str());
        if let Some(ns) = ns {
            request = request.header("x-vault-namespace", ns);
        }
        let request = request.body(Vec::new()).unwrap();
        async move { transport().send(request).await.unwrap().status().as_u16() }
    };
    assert_eq!(read(Some(namespace.clone())).await, 200);
    assert_eq!(read(None).await, 404);
    assert!(store.remove("feed").await.unwrap());
}

/// Needs `PATKIT_VAULT_TLS_ADDR` and `PATKIT_VAULT_TLS_CACERT` (an OpenBao dev server with
/// `-dev-tls`, which `scripts/with-services.sh` starts too).
#[tokio::test]
async fn tls_with_the_ca_from_env_works_and_without_it_is_refused() {
    let address = std::env::var("PATKIT_VAULT_TLS_ADDR").ok().filter(|v| !v.is_empty());
    let ca = std::env::var("PATKIT_VAULT_TLS_CACERT").ok().filter(|v| !v.is_empty());
    let Some(server) = server("tls_with_the_ca_from_env_works_and_without_it_is_refused") else { return };
    let (Some(address), Some(ca)) = (address, ca) else {
        assert_ne!(
            std::env::var("PATKIT_REQUIRE_SERVICES").as_deref(),
            Ok("1"),
            "PATKIT_REQUIRE_SERVICES=1 but PATKIT_VAULT_TLS_ADDR/PATKIT_VAULT_TLS_CACERT are not set"
        );
        eprintln!("tls_with_the_ca_from_env_works_and_without_it_is_refused: SKIPPED: no TLS OpenBao server");
        return;
    };
    let config = |with_ca: bool| {
        let mut vars = vec![
            ("VAULT_ADDR", address.clone()),
            ("VAULT_TOKEN", server.token.clone()),
            ("PATKIT_VAULT_PREFIX", unique("patkit-test/tls")),
        ];
        if with_ca {
            vars.push(("VAULT_CACERT", ca.clone()));
        }
        VaultConfig::from_lookup(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
            .unwrap()
            .retry(patkit::transport::RetryConfig::none())
    };
    let store = config(true).build().unwrap();
    store.put(conformance::sample_entry("feed", CANARY)).await.unwrap();
    assert_eq!(store.get("feed").await.unwrap().unwrap().secret.expose_secret(), CANARY);
    assert!(store.remove("feed").await.unwrap());

    let untrusting = config(false).build().unwrap();
    let err = untrusting.get("feed").await.unwrap_err();
    assert_ne!(err.kind(), StoreErrorKind::Conflict, "{err}");
    assert!(!format!("{err} {err:?}").contains(&server.token), "{err:?}");
}
