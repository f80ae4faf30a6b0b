//! Which token store the tools use: `--store file|file:DIR|keyring|vault` (and a profile's
//! `store =`), the default (a reachable OS keyring, else the file store), and clear failures.
//! The keyring and Vault runs talk to the real Secret Service and OpenBao that
//! `scripts/with-services.sh` starts; without them those tests say so and pass, unless
//! `PATKIT_REQUIRE_SERVICES=1`.

#![cfg(all(unix, feature = "emulator", feature = "reqwest", feature = "keyring", feature = "vault"))]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use crate::tools_support::patctl_binary;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// patctl in a fresh environment: only PATH, HOME, XDG_DATA_HOME and `env` (so no session bus,
/// no keyring, no Vault unless passed in).
fn patctl(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(patctl_binary());
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PATCTL_EMULATOR_NOW", "2026-11-30T12:00:00Z")
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let Output { status, stdout, stderr } = command.output().expect("run patctl");
    Run {
        code: status.code().expect("patctl exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

const CREATE: &[&str] = &["create", "feed", "--scopes", "vso.code", "--lifetime", "7d", "--store-as", "ci/feed"];

fn with(first: &[&str], rest: &[&str]) -> Vec<String> {
    first.iter().chain(rest).map(|s| (*s).to_owned()).collect()
}

fn run(home: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    patctl(home, &args, env)
}

/// Whether the real service is there; `None` (with a notice) lets a test skip.
fn service(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Some(value),
        _ if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{test}: PATKIT_REQUIRE_SERVICES=1 but {var} is unset")
        }
        _ => {
            let _ = writeln!(std::io::stderr(), "{test}: SKIPPED: no {var}; run under scripts/with-services.sh");
            None
        }
    }
}

#[test]
fn store_file_dir_keeps_the_entry_in_that_directory() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("chosen");
    let store = format!("file:{}", dir.display());
    let created = run(home.path(), &with(&["--emulator", "--store", &store], CREATE), &[]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(dir.join("patkit-store.json").is_file(), "the file store was not created in {}", dir.display());
    let listed = run(home.path(), &with(&["--emulator", "--store", &store], &["scan", "--store-only", "--all"]), &[]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stdout.contains("ci/feed"), "{}", listed.stdout);
    // Nothing went to the default directory.
    assert!(!home.path().join("data/patkit/tokens").exists());
}

#[test]
fn without_a_keyring_the_default_is_the_file_store_in_the_data_directory() {
    let home = tempfile::tempdir().unwrap();
    // Not --emulator (whose default is its in-memory sample store): a real organization, but
    // `scan --store-only` reaches no server.
    let args = ["-v", "--org", "contoso", "--credential", "env", "scan", "--store-only", "--all"];
    let scanned = patctl(home.path(), &args, &[("AZURE_DEVOPS_ENTRA_TOKEN", "unused")]);
    assert_eq!(scanned.code, 0, "{}", scanned.stderr);
    assert!(home.path().join("data/patkit/tokens/patkit-store.json").is_file(), "{}", scanned.stderr);
    assert!(scanned.stderr.contains("file store (default: no OS keyring"), "{}", scanned.stderr);
}

#[test]
fn store_keyring_without_a_keyring_fails_as_a_store_error_and_creates_nothing() {
    let home = tempfile::tempdir().unwrap();
    let run = run(home.path(), &with(&["--emulator", "--store", "keyring"], CREATE), &[]);
    assert_eq!(run.code, 9, "a token store failure: {}", run.stderr);
    assert!(run.stderr.contains("no keyring"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!home.path().join("data").exists());
}

#[test]
fn store_vault_without_an_address_is_a_usage_error_naming_the_variable() {
    let home = tempfile::tempdir().unwrap();
    let run = run(home.path(), &with(&["--emulator", "--store", "vault"], CREATE), &[("VAULT_TOKEN", "x")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("VAULT_ADDR"), "{}", run.stderr);
}

#[test]
fn a_profile_store_names_the_kind_and_bad_ones_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("from-profile");
    let config = home.path().join("patctl.conf");
    std::fs::write(&config, format!("[work]\nstore = file:{}\n[kr]\nstore = keyring\n", dir.display())).unwrap();
    let bad = home.path().join("bad.conf");
    std::fs::write(&bad, "[bad]\nstore = file:\n").unwrap();
    let (config, bad) = (config.to_str().unwrap(), bad.to_str().unwrap());
    let work = run(home.path(), &with(&["--emulator", "--config", config, "--profile", "work"], CREATE), &[]);
    assert_eq!(work.code, 0, "{}", work.stderr);
    assert!(dir.join("patkit-store.json").is_file());
    let keyring = run(home.path(), &with(&["--emulator", "--config", config, "--profile", "kr"], CREATE), &[]);
    assert_eq!(keyring.code, 9, "{}", keyring.stderr);
    assert!(keyring.stderr.contains("no keyring"), "{}", keyring.stderr);
    let refused = run(home.path(), &with(&["--emulator", "--config", bad, "--profile", "bad"], CREATE), &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("line 2") && refused.stderr.contains("file:DIR"), "{}", refused.stderr);
}

#[test]
fn store_keyring_keeps_the_entry_in_the_secret_service_and_is_the_default_when_reachable() {
    let Some(bus) = service("DBUS_SESSION_BUS_ADDRESS", "store_keyring_keeps_the_entry_in_the_secret_service") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.as_str())];
    let name = format!("ci/tools-{}", uuid::Uuid::new_v4().simple());
    let create = ["create", "feed", "--scopes", "vso.code", "--lifetime", "7d", "--store-as", &name];
    let created = run(home.path(), &with(&["--emulator", "--store", "keyring"], &create), &env);
    assert_eq!(created.code, 0, "{}", created.stderr);
    // The default finds it too: a keyring answers and the default file store does not exist.
    let scan = ["-v", "--org", "contoso", "--credential", "env", "scan", "--store-only", "--all"];
    let default = patctl(home.path(), &scan, &[env[0], ("AZURE_DEVOPS_ENTRA_TOKEN", "unused")]);
    assert_eq!(default.code, 0, "{}", default.stderr);
    assert!(default.stdout.contains(&name), "{}", default.stdout);
    assert!(default.stderr.contains("OS keyring, service `patkit-tokens`"), "{}", default.stderr);
    assert!(!home.path().join("data/patkit/tokens").exists(), "the default must not create a file store");
    // Clean up through the library, in the same keyring.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use patkit::TokenStore as _;
        let store = patkit::store::KeyringTokenStore::new("patkit-tokens").unwrap();
        assert!(store.remove(&name).await.unwrap(), "patctl stored the entry in the keyring");
    });
}

#[test]
fn store_vault_keeps_the_entry_in_openbao() {
    let Some(addr) = service("PATKIT_VAULT_ADDR", "store_vault_keeps_the_entry_in_openbao") else { return };
    let token = std::env::var("PATKIT_VAULT_TOKEN").expect("PATKIT_VAULT_TOKEN with PATKIT_VAULT_ADDR");
    let home = tempfile::tempdir().unwrap();
    let name = format!("ci/tools-{}", uuid::Uuid::new_v4().simple());
    let create = ["create", "feed", "--scopes", "vso.code", "--lifetime", "7d", "--store-as", &name];
    let env = [("BAO_ADDR", addr.as_str()), ("BAO_TOKEN", token.as_str())];
    let created = run(home.path(), &with(&["--emulator", "--store", "vault"], &create), &env);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let listed = run(home.path(), &with(&["--emulator", "--store", "vault"], &["scan", "--store-only", "--all"]), &env);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stdout.contains(&name), "{}", listed.stdout);
    assert!(!created.stdout.contains(&token) && !created.stderr.contains(&token));
}
