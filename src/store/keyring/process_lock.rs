//! The cross-process write lock of a keyring service name: an advisory lock file beside the
//! keyring, because the Secret Service has no compare-and-set of its own.

use std::fs::{DirBuilder, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::lock_wait::lock_within;
use crate::store::{StoreError, StoreErrorKind};

/// Where lock files go unless the store is told otherwise. On Windows `%LOCALAPPDATA%\patkit`;
/// on macOS `$HOME/Library/Caches/patkit`; elsewhere `$XDG_RUNTIME_DIR/patkit` (private to the
/// user and the login, like the session bus the keyring is reached through), else
/// `$XDG_CACHE_HOME/patkit`, else `$HOME/.cache/patkit`.
pub(super) fn default_dir() -> Option<PathBuf> {
    default_dir_with(std::env::consts::OS, |name| std::env::var_os(name))
}

fn default_dir_with(os: &str, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = match os {
        "windows" => var("LOCALAPPDATA")?,
        "macos" => var("HOME")?.join("Library").join("Caches"),
        _ => var("XDG_RUNTIME_DIR")
            .or_else(|| var("XDG_CACHE_HOME"))
            .or_else(|| var("HOME").map(|home| home.join(".cache")))?,
    };
    Some(base.join("patkit"))
}

/// The lock file of `service` in `dir`: `keyring-<escaped service>.lock`, the service name with
/// `a`–`z`, `0`–`9`, `-`, `_`, `.` kept and every other byte written `%xx`, cut to 150 bytes plus a
/// CRC-32 of the whole name when longer.
pub(super) fn file_in(dir: &Path, service: &str) -> PathBuf {
    let mut escaped = super::platform::escape(service);
    if escaped.len() > 150 {
        let mut cut = 150;
        while !escaped.is_char_boundary(cut) {
            cut -= 1;
        }
        escaped = format!("{}~{:08x}", &escaped[..cut], crate::crc32::hash(service.as_bytes()));
    }
    dir.join(format!("keyring-{escaped}.lock"))
}

/// Takes the exclusive lock on `path` (creating it, and its directory 0700, if missing), waiting
/// at most `timeout`. Released when the returned file is dropped (closed).
pub(super) fn acquire(path: Option<&Path>, timeout: Duration) -> Result<File, StoreError> {
    let path = path.ok_or_else(|| {
        StoreError::new(
            StoreErrorKind::Other,
            "no directory for the keyring store's cross-process lock file (XDG_RUNTIME_DIR, XDG_CACHE_HOME or \
             HOME; on macOS HOME; on Windows LOCALAPPDATA): set one, or call `KeyringTokenStore::with_lock_dir`",
        )
    })?;
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(|e| {
            StoreError::new(StoreErrorKind::Other, format!("cannot create the directory {}", dir.display()))
                .with_source(e)
        })?;
    }
    let file = open_lock_file(path).map_err(|e| {
        StoreError::new(StoreErrorKind::Other, format!("cannot open the keyring lock file {}", path.display()))
            .with_source(e)
    })?;
    lock_within(&file, path, "the keyring store's cross-process lock", timeout)?;
    Ok(file)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).create(dir)
}

/// Opens (creating, mode 0600) the lock file, never through a symbolic link.
#[cfg(unix)]
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_lock_directory_follows_each_os() {
        use std::ffi::OsString;
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
        };
        let all = env(&[
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("HOME", "/home/ada"),
            ("LOCALAPPDATA", r"C:\Users\ada\AppData\Local"),
        ]);
        assert_eq!(default_dir_with("linux", all), Some(PathBuf::from("/run/user/1000/patkit")));
        assert_eq!(default_dir_with("macos", all), Some(PathBuf::from("/home/ada/Library/Caches/patkit")));
        assert_eq!(default_dir_with("windows", all), Some(PathBuf::from(r"C:\Users\ada\AppData\Local").join("patkit")));
        assert_eq!(default_dir_with("linux", env(&[("HOME", "/h")])), Some(PathBuf::from("/h/.cache/patkit")));
        assert_eq!(default_dir_with("windows", env(&[("HOME", "/h")])), None);
    }

    #[test]
    fn lock_file_names_are_one_safe_path_component() {
        let dir = Path::new("/run/user/1000/patkit");
        assert_eq!(file_in(dir, "patkit"), dir.join("keyring-patkit.lock"));
        assert_eq!(file_in(dir, "My App/../x"), dir.join("keyring-%4dy%20%41pp%2f..%2fx.lock"));
        let long = file_in(dir, &"é".repeat(200));
        let name = long.file_name().unwrap().to_str().unwrap();
        assert!(name.len() < 200 && !name.contains('/'), "{name}");
        assert_ne!(file_in(dir, &"a".repeat(300)), file_in(dir, &format!("{}b", "a".repeat(299))));
    }
}
