//! What differs between the platform keyrings: which keyring-core store to open, how an entry is
//! addressed in it, how `list` finds a service's items, and how large an item may be.
//!
//! | Platform | Store | One entry is | `list` searches |
//! |---|---|---|---|
//! | Linux, FreeBSD | Secret Service (D-Bus) | an item with attributes `service`, `username` = name, labelled `<service>: <name>` | attribute `service` |
//! | macOS | the login Keychain | a generic password, service = service, account = name | service |
//! | Windows | Credential Manager | a generic credential, target `<escaped service>/<escaped name>` | target prefix (regex) |
//!
//! Windows compares target names without regard to case, while patkit's entry names are compared
//! byte for byte, so both parts of a target are escaped ([`escape`]) into a form case folding
//! cannot merge.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::api::CredentialStore;

use crate::store::{StoreError, StoreErrorKind};

/// How entries are addressed and found in one platform's keyring.
pub(super) struct Naming {
    /// The keyring's name, in messages.
    pub(super) keyring: &'static str,
    /// The largest item secret the keyring holds, if it has a limit patkit must check.
    pub(super) max_secret_bytes: Option<usize>,
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
pub(super) const NAMING: Naming = Naming { keyring: "the Secret Service", max_secret_bytes: None };

#[cfg(target_os = "macos")]
pub(super) const NAMING: Naming = Naming { keyring: "the macOS Keychain", max_secret_bytes: None };

/// `CRED_MAX_CREDENTIAL_BLOB_SIZE`: 5 × 512 bytes.
#[cfg(windows)]
pub(super) const NAMING: Naming = Naming { keyring: "the Windows Credential Manager", max_secret_bytes: Some(2560) };

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "macos", windows)))]
pub(super) const NAMING: Naming = Naming { keyring: "the OS keyring", max_secret_bytes: None };

/// The modifiers keyring-core is given for entry `name` of `service` (the service and the name
/// themselves are passed as keyring-core's `service` and `user`).
pub(super) fn modifiers(service: &str, name: &str) -> Vec<(&'static str, String)> {
    if cfg!(windows) {
        vec![("target", target_name(service, name))]
    } else if cfg!(any(target_os = "linux", target_os = "freebsd")) {
        vec![("label", format!("{service}: {name}"))]
    } else {
        // The macOS Keychain store takes no per-entry modifiers patkit needs.
        Vec::new()
    }
}

/// The search spec that finds every item of `service`.
pub(super) fn search_spec(service: &str) -> Vec<(&'static str, String)> {
    if cfg!(windows) {
        // `escape` leaves only [a-z0-9_.%-]; of these only `.` means something in a regex.
        vec![("pattern", format!("^{}/", escape(service).replace('.', "\\.")))]
    } else {
        vec![("service", service.to_owned())]
    }
}

/// The Windows Credential Manager target name of entry `name` of `service`.
pub(super) fn target_name(service: &str, name: &str) -> String {
    format!("{}/{}", escape(service), escape(name))
}

/// `value` with `a`–`z`, `0`–`9`, `-`, `_`, `.` kept and every other byte written `%xx` (lower-case
/// hex): one form per byte string, unchanged by case folding, and free of `/`.
pub(super) fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => escaped.push(char::from(byte)),
            _ => escaped.push_str(&format!("%{byte:02x}")),
        }
    }
    escaped
}

/// Refuses an item secret of `len` bytes for entry `name` that the keyring cannot hold, before
/// anything is written.
pub(super) fn check_size(name: &str, len: usize, naming: &Naming) -> Result<(), StoreError> {
    match naming.max_secret_bytes {
        Some(limit) if len > limit => Err(StoreError::new(
            StoreErrorKind::Other,
            format!(
                "keyring write of '{name}': the entry is {len} bytes as stored (token and record), and {} holds \
                 at most {limit} bytes per item; nothing was written (shorten the display name, scopes or \
                 extras, or keep this entry in a file or Vault store)",
                naming.keyring
            ),
        )),
        _ => Ok(()),
    }
}

/// Opens the platform's keyring. Never substitutes a mock.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
pub(super) fn store() -> Result<Arc<CredentialStore>, StoreError> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        return Err(StoreError::new(
            StoreErrorKind::Unavailable,
            "no keyring: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset); start a session with a \
             Secret Service such as gnome-keyring, or use another store",
        ));
    }
    let store = dbus_secret_service_keyring_store::Store::new().map_err(|e| {
        StoreError::new(
            StoreErrorKind::Unavailable,
            "no keyring: could not open a Secret Service session on the D-Bus session bus (is gnome-keyring, \
             KWallet or KeePassXC running and unlocked?)",
        )
        .with_source(e)
    })?;
    Ok(store)
}

/// Opens the user's login Keychain.
#[cfg(target_os = "macos")]
pub(super) fn store() -> Result<Arc<CredentialStore>, StoreError> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| {
        StoreError::new(StoreErrorKind::Unavailable, "no keyring: cannot open the macOS login Keychain").with_source(e)
    })?;
    Ok(store)
}

/// Opens the user's Credential Manager.
#[cfg(windows)]
pub(super) fn store() -> Result<Arc<CredentialStore>, StoreError> {
    let store = windows_native_keyring_store::Store::new().map_err(|e| {
        StoreError::new(StoreErrorKind::Unavailable, "no keyring: cannot open the Windows Credential Manager")
            .with_source(e)
    })?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "macos", windows)))]
pub(super) fn store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(StoreError::new(
        StoreErrorKind::Unavailable,
        "no keyring: patkit has no keyring backend for this platform (it has the Secret Service on Linux and \
         FreeBSD, the Keychain on macOS, the Credential Manager on Windows)",
    ))
}

/// `pairs` as the borrowed map keyring-core takes.
pub(super) fn as_map<'a>(pairs: &'a [(&'static str, String)]) -> HashMap<&'static str, &'a str> {
    pairs.iter().map(|(key, value)| (*key, value.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_survives_case_folding_and_never_yields_a_slash() {
        assert_eq!(escape("ci/feed"), "ci%2ffeed");
        assert_eq!(escape("CI/feed"), "%43%49%2ffeed");
        // Names that differ only in case stay different once Windows folds case.
        assert_ne!(escape("CI/feed").to_lowercase(), escape("ci/feed").to_lowercase());
        assert_eq!(escape("é %"), "%c3%a9%20%25");
        for name in ["a/b", "A/B", "x%2fy", "..", "ünï/côdé"] {
            let escaped = escape(name);
            assert!(!escaped.contains('/'), "{escaped}");
            assert_eq!(escaped, escaped.to_lowercase(), "{escaped}");
        }
    }

    #[test]
    fn windows_targets_split_at_the_first_slash_into_service_and_name() {
        assert_eq!(target_name("patkit", "ci/feed"), "patkit/ci%2ffeed");
        assert_eq!(target_name("my.app", "x"), "my.app/x");
        // A service that is another's prefix, or holds a slash, cannot reach the other's items.
        assert_ne!(target_name("a/b", "c"), target_name("a", "b/c"));
    }

    #[test]
    fn the_size_check_refuses_only_above_the_limit_and_says_what_to_do() {
        let limited = Naming { keyring: "the Windows Credential Manager", max_secret_bytes: Some(2560) };
        assert!(check_size("feed", 2560, &limited).is_ok());
        let err = check_size("feed", 2561, &limited).unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Other);
        assert!(err.message().contains("2561 bytes") && err.message().contains("at most 2560"), "{err}");
        assert!(err.message().contains("nothing was written"), "{err}");
        let unlimited = Naming { keyring: "the Secret Service", max_secret_bytes: None };
        assert!(check_size("feed", 1 << 20, &unlimited).is_ok());
    }

    #[test]
    fn the_platform_search_matches_the_platform_addressing() {
        let spec = search_spec("my.app");
        if cfg!(windows) {
            assert_eq!(spec, vec![("pattern", "^my\\.app/".to_owned())]);
            assert!(modifiers("my.app", "n").contains(&("target", "my.app/n".to_owned())));
        } else {
            assert_eq!(spec, vec![("service", "my.app".to_owned())]);
        }
    }
}
