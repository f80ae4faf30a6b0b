//! Where a user's token stores live by default on each OS.

use std::ffi::OsString;
use std::path::PathBuf;

/// The directory patkit keeps a user's data in by default, on this OS, from this process's
/// environment: `None` when the variables it needs are unset or empty.
///
/// | OS | Directory |
/// |---|---|
/// | Linux and other Unix | `$XDG_DATA_HOME/patkit` when that is an absolute path, else `$HOME/.local/share/patkit` |
/// | macOS | `$HOME/Library/Application Support/patkit` |
/// | Windows | `%APPDATA%\patkit` |
///
/// Callers put each store in a directory of its own under it (the tools use `tokens` and
/// `git-credentials`), e.g. for a [`FileTokenStore`](crate::store::FileTokenStore). Nothing is
/// created: this only computes the path. [`default_dir_with`] is the same rule with the OS and
/// the environment passed in.
///
/// ```
/// if let Some(dir) = patkit::store::default_dir() {
///     assert!(dir.ends_with("patkit"));
/// }
/// ```
pub fn default_dir() -> Option<PathBuf> {
    default_dir_with(std::env::consts::OS, |name| std::env::var_os(name))
}

/// [`default_dir`] for the OS named `os` (as [`std::env::consts::OS`] spells it: `"linux"`,
/// `"macos"`, `"windows"`, …) and the environment `var` answers (`None`: unset). Empty values
/// count as unset, and so does a relative `XDG_DATA_HOME` (the XDG spec says to ignore it).
///
/// ```
/// use std::ffi::OsString;
/// use std::path::PathBuf;
/// use patkit::store::default_dir_with;
///
/// let env = |name: &str| (name == "HOME").then(|| OsString::from("/home/ada"));
/// assert_eq!(default_dir_with("linux", env), Some(PathBuf::from("/home/ada/.local/share/patkit")));
/// assert_eq!(
///     default_dir_with("macos", env),
///     Some(PathBuf::from("/home/ada/Library/Application Support/patkit"))
/// );
/// assert_eq!(default_dir_with("windows", env), None); // no %APPDATA%
/// ```
pub fn default_dir_with(os: &str, var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let get = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = match os {
        "windows" => get("APPDATA")?,
        "macos" | "ios" => get("HOME")?.join("Library").join("Application Support"),
        _ => match get("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
            Some(data) => data,
            None => get("HOME")?.join(".local").join("share"),
        },
    };
    Some(base.join("patkit"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn linux_prefers_an_absolute_xdg_data_home() {
        let e = env(&[("XDG_DATA_HOME", "/data/ada"), ("HOME", "/home/ada")]);
        assert_eq!(default_dir_with("linux", e), Some(PathBuf::from("/data/ada/patkit")));
        let e = env(&[("XDG_DATA_HOME", "relative/dir"), ("HOME", "/home/ada")]);
        assert_eq!(default_dir_with("linux", e), Some(PathBuf::from("/home/ada/.local/share/patkit")));
        let e = env(&[("XDG_DATA_HOME", ""), ("HOME", "/home/ada")]);
        assert_eq!(default_dir_with("freebsd", e), Some(PathBuf::from("/home/ada/.local/share/patkit")));
        assert_eq!(default_dir_with("linux", env(&[("XDG_DATA_HOME", "/d")])), Some(PathBuf::from("/d/patkit")));
    }

    #[test]
    fn linux_without_home_or_xdg_has_none() {
        assert_eq!(default_dir_with("linux", env(&[])), None);
        assert_eq!(default_dir_with("linux", env(&[("HOME", ""), ("APPDATA", "C:\\x")])), None);
    }

    #[test]
    fn macos_uses_application_support_and_ignores_xdg() {
        let e = env(&[("XDG_DATA_HOME", "/data/ada"), ("HOME", "/Users/ada")]);
        assert_eq!(default_dir_with("macos", e), Some(PathBuf::from("/Users/ada/Library/Application Support/patkit")));
        assert_eq!(default_dir_with("macos", env(&[("XDG_DATA_HOME", "/data/ada")])), None);
    }

    #[test]
    fn windows_uses_appdata() {
        let e = env(&[("APPDATA", r"C:\Users\ada\AppData\Roaming"), ("HOME", "/home/ada")]);
        assert_eq!(default_dir_with("windows", e), Some(PathBuf::from(r"C:\Users\ada\AppData\Roaming").join("patkit")));
        assert_eq!(default_dir_with("windows", env(&[("HOME", "/home/ada"), ("APPDATA", "")])), None);
    }
}
