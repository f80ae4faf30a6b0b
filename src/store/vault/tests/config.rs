//! `VaultConfig::from_lookup`: which variable wins, what is refused, and that values never show.

use super::*;
use crate::store::VaultConfig;

const CANARY: &str = "CANARY-env-value-9d2e";

fn config(vars: &[(&str, &str)]) -> crate::Result<VaultConfig> {
    VaultConfig::from_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
}

fn field(result: crate::Result<VaultConfig>) -> &'static str {
    match result {
        Err(crate::Error::InvalidInput { field, reason }) => {
            assert!(!reason.contains(CANARY), "{reason}");
            field
        }
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn bao_wins_over_vault_and_empty_counts_as_unset() {
    let c = config(&[
        ("VAULT_ADDR", "https://vault:8200"),
        ("BAO_ADDR", "https://bao:8200"),
        ("VAULT_TOKEN", CANARY),
        ("BAO_TOKEN", ""),
        ("VAULT_NAMESPACE", "ns1"),
        ("PATKIT_VAULT_MOUNT", "kv"),
    ])
    .unwrap();
    assert_eq!(c.address(), "https://bao:8200");
    assert_eq!(c.namespace(), Some("ns1"));
    assert_eq!((c.mount(), c.prefix()), ("kv", "patkit"));
    assert!(!format!("{c:?}").contains(CANARY), "{c:?}");
}

#[test]
fn each_login_method_is_read() {
    let base = [("BAO_ADDR", "https://bao:8200")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut vars = base.to_vec();
        vars.extend_from_slice(extra);
        config(&vars).unwrap().auth().kind()
    };
    assert_eq!(with(&[("BAO_TOKEN", CANARY)]), "token");
    assert_eq!(with(&[("VAULT_TOKEN_FILE", "/run/agent/token")]), "token file");
    assert_eq!(with(&[("BAO_ROLE_ID", "r"), ("BAO_SECRET_ID", CANARY)]), "approle");
    assert_eq!(with(&[("VAULT_ROLE_ID", "r"), ("VAULT_SECRET_ID_FILE", "/run/secret-id")]), "approle");
}

#[test]
fn missing_and_contradictory_settings_name_the_variable() {
    let addr = ("VAULT_ADDR", "https://vault:8200");
    assert_eq!(field(config(&[("VAULT_TOKEN", CANARY)])), "BAO_ADDR or VAULT_ADDR");
    assert_eq!(field(config(&[addr])), "BAO_TOKEN or VAULT_TOKEN");
    assert_eq!(field(config(&[addr, ("VAULT_TOKEN", CANARY), ("BAO_ROLE_ID", "r")])), "BAO_ROLE_ID");
    assert_eq!(field(config(&[addr, ("VAULT_TOKEN", CANARY), ("VAULT_TOKEN_FILE", "/f")])), "VAULT_TOKEN_FILE");
    assert_eq!(field(config(&[addr, ("BAO_ROLE_ID", "r")])), "BAO_SECRET_ID or VAULT_SECRET_ID");
    assert_eq!(field(config(&[addr, ("BAO_SECRET_ID", CANARY)])), "BAO_SECRET_ID");
    assert_eq!(
        field(config(&[addr, ("BAO_ROLE_ID", "r"), ("BAO_SECRET_ID", CANARY), ("VAULT_SECRET_ID_FILE", "/f")])),
        "VAULT_SECRET_ID_FILE"
    );
    assert_eq!(field(config(&[addr, ("VAULT_TOKEN", CANARY), ("VAULT_SKIP_VERIFY", "true")])), "VAULT_SKIP_VERIFY");
    assert_eq!(field(config(&[addr, ("VAULT_TOKEN", CANARY), ("BAO_CAPATH", "/etc/ca")])), "BAO_CAPATH");
}

#[cfg(feature = "reqwest")]
#[test]
fn an_unreadable_or_empty_ca_file_is_refused_naming_the_variable() {
    let vars = |ca: &'static str| vec![("BAO_ADDR", "https://bao:8200"), ("BAO_TOKEN", CANARY), ("BAO_CACERT", ca)];
    assert_eq!(
        field(config(&vars("/nonexistent/ca.pem")).unwrap().build().map(|_| unreachable!())),
        "BAO_CACERT or VAULT_CACERT"
    );
    let dir = std::env::temp_dir().join(format!("patkit-ca-{}", crate::random::hex(16)));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, "not a certificate").unwrap();
    let path_str: &'static str = Box::leak(path.to_str().unwrap().to_owned().into_boxed_str());
    assert_eq!(field(config(&vars(path_str)).unwrap().build().map(|_| unreachable!())), "BAO_CACERT or VAULT_CACERT");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_configured_store_retries_reads_by_default() {
    let calls = Arc::new(Mutex::new(0));
    let count = calls.clone();
    let transport = from_fn(move |_request: HttpRequest| {
        let n = {
            let mut calls = count.lock().unwrap();
            *calls += 1;
            *calls
        };
        async move { Ok(if n == 1 { response(503, json!({"errors": []})) } else { response(404, json!({"errors": []})) }) }
    });
    let vars = [("BAO_ADDR", "http://127.0.0.1:8200"), ("BAO_TOKEN", CANARY)];
    let store = config(&vars).unwrap().builder(Arc::new(transport)).build().unwrap();
    // The token is looked up first (503, then a 404 the session shrugs off); then the read.
    assert!(store.get("a").await.unwrap().is_none());
    assert_eq!(*calls.lock().unwrap(), 3, "the 503 was not retried");
}
