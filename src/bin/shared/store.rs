//! Which token store a tool uses: `--store file|file:DIR|keyring|vault` (or a directory, as
//! before `--store` took a kind), else the OS keyring when one answers, else the file store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use patkit::TokenStore;
use patkit::store::StoreError;

/// A store asked for on the command line or in a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// The file store in this directory, or (`None`) in the tool's default directory.
    File(Option<PathBuf>),
    /// The OS keyring: Secret Service, Keychain or Credential Manager.
    Keyring,
    /// OpenBao / Vault KV v2, at `VAULT_ADDR` (or `BAO_ADDR`) with `VAULT_TOKEN` (or `BAO_TOKEN`).
    Vault,
}

impl StoreChoice {
    /// `keyring`, `vault`, `file`, `file:DIR`; anything else is a directory of the file store.
    /// `expand` turns a written directory into a path (e.g. `~/` expansion).
    pub fn parse_with(value: &str, expand: impl Fn(&str) -> PathBuf) -> Result<Self, String> {
        match value {
            "" => Err("an empty store (expected file, file:DIR, keyring or vault)".to_owned()),
            "keyring" => Ok(Self::Keyring),
            "vault" => Ok(Self::Vault),
            "file" => Ok(Self::File(None)),
            _ => match value.strip_prefix("file:") {
                Some("") => Err("`file:` needs a directory (`file:DIR`), or write `file` for the default".to_owned()),
                Some(dir) => Ok(Self::File(Some(expand(dir)))),
                None => Ok(Self::File(Some(expand(value)))),
            },
        }
    }
}

impl std::str::FromStr for StoreChoice {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        Self::parse_with(value, |dir: &str| PathBuf::from(dir))
    }
}

/// What a tool calls its own stores: a directory under patkit's data directory, a keyring
/// service name and a Vault prefix.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    /// Directory name under [`patkit::store::default_dir`], e.g. `tokens`.
    pub dir: &'static str,
    /// Keyring service name, e.g. `patkit-tokens`.
    pub service: &'static str,
    /// Folder below the Vault KV mount, e.g. `patkit/tokens`.
    pub vault_prefix: &'static str,
}

/// Why no store was opened.
#[derive(Debug)]
pub enum OpenError {
    /// The choice cannot be carried out as configured (no directory, no Vault address): the
    /// user must say more.
    Usage(String),
    /// The chosen store refused or failed to open.
    Store(StoreError),
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// An open store and how it was chosen (for `--verbose` lines; never a secret).
#[derive(Debug)]
pub struct Opened {
    pub store: Arc<dyn TokenStore>,
    pub description: String,
}

/// Opens the store `choice` names, or the default: the OS keyring when one is reachable and the
/// default file store does not exist yet (tokens already kept there stay where they are), else
/// the file store in the default directory.
pub async fn open(choice: Option<&StoreChoice>, names: Names) -> Result<Opened, OpenError> {
    match choice {
        Some(StoreChoice::File(Some(dir))) => open_file(dir.clone(), "file store (chosen)").await,
        Some(StoreChoice::File(None)) => {
            open_file(default_file_dir(names)?, "file store (chosen, default directory)").await
        }
        Some(StoreChoice::Keyring) => open_keyring(names).await.map_err(OpenError::Store),
        Some(StoreChoice::Vault) => open_vault(names, |name| std::env::var(name).ok()),
        None => open_default(names).await,
    }
}

async fn open_default(names: Names) -> Result<Opened, OpenError> {
    let dir = default_file_dir(names)?;
    if dir.exists() {
        return open_file(dir, "file store (the default directory exists)").await;
    }
    match open_keyring(names).await {
        Ok(opened) => {
            Ok(Opened { description: format!("{} (default: a keyring answered)", opened.description), ..opened })
        }
        Err(why) => {
            let description = format!("file store (default: no OS keyring: {why})");
            open_file(dir, &description).await
        }
    }
}

fn default_file_dir(names: Names) -> Result<PathBuf, OpenError> {
    patkit::store::default_dir().map(|dir| dir.join(names.dir)).ok_or_else(|| {
        OpenError::Usage(
            "no directory for the file token store (HOME, or APPDATA on Windows, is unset): pass --store \
             file:DIR, keyring or vault"
                .to_owned(),
        )
    })
}

async fn open_file(dir: PathBuf, how: &str) -> Result<Opened, OpenError> {
    let store = patkit::store::FileTokenStore::open(&dir).await?;
    Ok(Opened { store: Arc::new(store), description: format!("{how} at {}", shown(&dir)) })
}

fn shown(dir: &Path) -> String {
    dir.display().to_string()
}

#[cfg(feature = "keyring")]
async fn open_keyring(names: Names) -> Result<Opened, StoreError> {
    // Connecting blocks (D-Bus, Keychain, Credential Manager): off the async thread.
    let connected = tokio::task::spawn_blocking(move || patkit::store::KeyringTokenStore::new(names.service))
        .await
        .map_err(|e| {
        StoreError::new(patkit::store::StoreErrorKind::Other, "connecting to the keyring did not complete")
            .with_source(e)
    })??;
    let description = format!("OS keyring, service `{}` ({connected:?})", names.service);
    Ok(Opened { store: Arc::new(connected), description })
}

#[cfg(not(feature = "keyring"))]
async fn open_keyring(names: Names) -> Result<Opened, StoreError> {
    Err(StoreError::new(
        patkit::store::StoreErrorKind::Unavailable,
        format!(
            "this build has no OS keyring support for the keyring service `{}` (rebuild with `--features cli,keyring`)",
            names.service
        ),
    ))
}

/// The Vault store from the environment, as `patkit::store::VaultConfig` reads it: `BAO_ADDR` /
/// `VAULT_ADDR`, a token, an agent's token file or an AppRole, the namespace and CA certificate,
/// `PATKIT_VAULT_MOUNT` (default `secret`) and `PATKIT_VAULT_PREFIX` (default: the tool's own
/// prefix); the token is kept alive and requests are retried.
fn open_vault(names: Names, var: impl Fn(&str) -> Option<String>) -> Result<Opened, OpenError> {
    let lookup = |name: &str| {
        var(name)
            .filter(|v| !v.is_empty())
            .or_else(|| (name == "PATKIT_VAULT_PREFIX").then(|| names.vault_prefix.to_owned()))
    };
    let config =
        patkit::store::VaultConfig::from_lookup(lookup).map_err(|e| OpenError::Usage(format!("--store vault: {e}")))?;
    let description =
        format!("Vault KV v2 at {}, mount `{}`, prefix `{}`", config.address(), config.mount(), config.prefix());
    let store = config.build().map_err(|e| OpenError::Usage(format!("--store vault: {e}")))?;
    Ok(Opened { store: Arc::new(store), description })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: Names = Names { dir: "tokens", service: "patkit-tokens", vault_prefix: "patkit/tokens" };

    #[test]
    fn kinds_directories_and_file_prefixed_directories_parse() {
        let parse = |v: &str| v.parse::<StoreChoice>();
        assert_eq!(parse("keyring"), Ok(StoreChoice::Keyring));
        assert_eq!(parse("vault"), Ok(StoreChoice::Vault));
        assert_eq!(parse("file"), Ok(StoreChoice::File(None)));
        assert_eq!(parse("file:/srv/t"), Ok(StoreChoice::File(Some(PathBuf::from("/srv/t")))));
        // A bare directory is the file store there, as `--store DIR` always meant.
        assert_eq!(parse("/srv/t"), Ok(StoreChoice::File(Some(PathBuf::from("/srv/t")))));
        assert_eq!(parse("./vault"), Ok(StoreChoice::File(Some(PathBuf::from("./vault")))));
        assert!(parse("").is_err());
        assert!(parse("file:").unwrap_err().contains("file:DIR"));
        let home = StoreChoice::parse_with("file:~/t", |v| PathBuf::from(v.replace('~', "/home/ada")));
        assert_eq!(home, Ok(StoreChoice::File(Some(PathBuf::from("/home/ada/t")))));
    }

    #[test]
    fn vault_needs_an_address_and_a_token_and_names_the_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let Err(OpenError::Usage(message)) = open_vault(NAMES, env(&[("VAULT_TOKEN", "t")])) else {
            panic!("no address must be a usage error")
        };
        assert!(message.contains("VAULT_ADDR"), "{message}");
        let Err(OpenError::Usage(message)) = open_vault(NAMES, env(&[("BAO_ADDR", "http://127.0.0.1:8200")])) else {
            panic!("no token must be a usage error")
        };
        assert!(message.contains("VAULT_TOKEN"), "{message}");
        let opened = open_vault(NAMES, env(&[("BAO_ADDR", "http://127.0.0.1:8200"), ("BAO_TOKEN", "CANARY-bao")]))
            .unwrap_or_else(|_| panic!("BAO_* names are accepted"));
        assert!(opened.description.contains("prefix `patkit/tokens`"), "{}", opened.description);
        assert!(!format!("{opened:?}").contains("CANARY-bao"));
        // A non-loopback http address is refused by the store's own checks, not sent to.
        let Err(OpenError::Usage(message)) =
            open_vault(NAMES, env(&[("VAULT_ADDR", "http://vault.example.com"), ("VAULT_TOKEN", "t")]))
        else {
            panic!("plain http to another host must be refused")
        };
        assert!(message.starts_with("--store vault:"), "{message}");
    }
}
