//! Named profiles: the settings of one organization (provider, organization, API URL, where the
//! Entra token comes from, token store) kept in a file, chosen with `--profile NAME`.
//!
//! The file is `$XDG_CONFIG_HOME/patkit/patctl.conf` (else `~/.config/patkit/patctl.conf`), or
//! `--config FILE` / `PATCTL_CONFIG`. Its format is git-config-like:
//!
//! ```text
//! # the profile used when no --profile is given (not with --emulator)
//! default = work
//!
//! [work]
//! provider = azure-devops         # azure, gitlab, gitea, forgejo, bitbucket, github
//! organization = fabrikam
//! base-url = https://vssps.dev.azure.com
//! credential = azure-cli          # auto, env or azure-cli
//! token-var = AZURE_DEVOPS_ENTRA_TOKEN
//! store = file:~/.local/share/patkit/work   # keyring, vault, file, file:DIR (or a DIR)
//!
//! [lab]
//! provider = gitlab
//! host = gitlab.example.com       # gitlab, gitea, forgejo, bitbucket, github
//! token-var = GITLAB_TOKEN        # gitlab, github: the variable with the management token
//!
//! [forge]
//! provider = forgejo
//! host = codeberg.org
//! user = alice                    # gitea, forgejo, bitbucket: the password is asked once
//!
//! [gh]
//! provider = github
//! organization = octo-org
//! app-id = 12345                  # a GitHub App: id, installation, private key file
//! installation-id = 678
//! app-key = ~/.config/patkit/octo-app.pem
//! ```
//!
//! A profile names where a credential comes from, never a credential: there is no key for a
//! token. Command-line options and their environment variables win over the profile.

use std::path::{Path, PathBuf};

use crate::cli::Global;
use crate::credential::Source;
use crate::failure::Failure;
use crate::provider::Kind;
use crate::store::StoreChoice;

/// The settings a command runs with, after the profile is applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub kind: Kind,
    pub otp: bool,
    pub host: Option<String>,
    pub user: Option<String>,
    pub app_id: Option<String>,
    pub installation_id: Option<u64>,
    pub app_key: Option<PathBuf>,
    pub org: Option<String>,
    pub base_url: Option<String>,
    pub credential: Source,
    pub token_var: String,
    pub store: Option<StoreChoice>,
    /// The profile applied, if any.
    pub profile: Option<String>,
}

/// One profile as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Profile {
    provider: Option<Kind>,
    host: Option<String>,
    user: Option<String>,
    app_id: Option<String>,
    installation_id: Option<u64>,
    app_key: Option<PathBuf>,
    organization: Option<String>,
    base_url: Option<String>,
    credential: Option<Source>,
    token_var: Option<String>,
    store: Option<StoreChoice>,
}

/// The parsed file: the default profile's name and the profiles, in order.
#[derive(Debug, Default)]
struct File {
    default: Option<String>,
    profiles: Vec<(String, Profile)>,
}

/// The command line merged with the chosen profile.
pub fn resolve(global: &Global) -> Result<Settings, Failure> {
    let path = match &global.config {
        Some(path) => Some(path.clone()),
        None => default_path(),
    };
    let explicit = global.config.is_some();
    let file = match &path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => parse(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => File::default(),
            Err(e) => return Err(Failure::usage(format!("cannot read the config file {}: {e}", path.display()))),
        },
        None => File::default(),
    };
    // With --emulator only a profile asked for by name applies (the sample has its own settings).
    let name = global.profile.clone().or_else(|| if global.emulator { None } else { file.default.clone() });
    let profile = match &name {
        None => Profile::default(),
        Some(name) => file.profiles.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone()).ok_or_else(|| {
            let shown = path.as_deref().map_or_else(|| "(no config file)".to_owned(), |p| p.display().to_string());
            Failure::usage(format!("no profile `{name}` in {shown}"))
        })?,
    };
    let host = global.host.clone().or(profile.host).map(|h| h.trim().to_ascii_lowercase());
    let kind = global
        .provider
        .or(profile.provider)
        .or_else(|| host.as_deref().and_then(Kind::from_host))
        .unwrap_or(Kind::Azure);
    let default_var = match kind {
        Kind::GitLab => "GITLAB_TOKEN",
        Kind::GitHub => "GITHUB_TOKEN",
        _ => "AZURE_DEVOPS_ENTRA_TOKEN",
    };
    Ok(Settings {
        kind,
        otp: global.otp,
        host,
        user: global.user.clone().or(profile.user),
        app_id: global.app_id.clone().or(profile.app_id),
        installation_id: global.installation_id.or(profile.installation_id),
        app_key: global.app_key.clone().or(profile.app_key),
        org: global.org.clone().or(profile.organization),
        base_url: global.base_url.clone().or(profile.base_url),
        credential: global.credential.or(profile.credential).unwrap_or(Source::Auto),
        token_var: global.token_var.clone().or(profile.token_var).unwrap_or_else(|| default_var.into()),
        store: global.store.clone().or(profile.store),
        profile: name,
    })
}

fn default_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("patkit").join("patctl.conf"))
}

fn parse(text: &str) -> Result<File, String> {
    let mut file = File::default();
    let mut current: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        let at = |what: String| format!("line {}: {what}", number + 1);
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').map(str::trim).ok_or_else(|| at("a section is `[name]`".into()))?;
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                return Err(at(format!("`{name}` is not a profile name (letters, digits, - _ .)")));
            }
            if file.profiles.iter().any(|(n, _)| n == name) {
                return Err(at(format!("profile `{name}` is defined twice")));
            }
            file.profiles.push((name.to_owned(), Profile::default()));
            current = Some(file.profiles.len() - 1);
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| at("expected `key = value`".into()))?;
        let (key, value) = (key.trim(), unquote(value.trim()));
        let Some(index) = current else {
            match key {
                "default" => file.default = Some(value.to_owned()),
                other => return Err(at(format!("unknown key `{other}` before any [profile] (only `default`)"))),
            }
            continue;
        };
        let profile = &mut file.profiles[index].1;
        match key {
            "provider" => profile.provider = Some(value.parse().map_err(at)?),
            "host" => profile.host = Some(value.to_owned()),
            "user" => profile.user = Some(value.to_owned()),
            "app-id" => profile.app_id = Some(value.to_owned()),
            "installation-id" => {
                profile.installation_id =
                    Some(value.parse().map_err(|_| at(format!("installation-id `{value}` is not a number")))?);
            }
            "app-key" => profile.app_key = Some(expand_home(value)),
            "organization" => profile.organization = Some(value.to_owned()),
            "base-url" => profile.base_url = Some(value.to_owned()),
            "credential" => profile.credential = Some(value.parse().map_err(at)?),
            "token-var" => profile.token_var = Some(value.to_owned()),
            "store" => profile.store = Some(StoreChoice::parse_with(value, expand_home).map_err(at)?),
            "token" | "pat" | "secret" | "password" | "private-key" => {
                return Err(at(format!(
                    "`{key}`: a profile names where a credential comes from (`credential`, `token-var`), never \
                     the credential itself"
                )));
            }
            other => return Err(at(format!("unknown key `{other}`"))),
        }
    }
    Ok(file)
}

/// The line up to a `#` or `;` that starts a comment (not inside double quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' | ';' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

/// `~/…` in the home directory.
fn expand_home(value: &str) -> PathBuf {
    match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_profiles_and_refuses_what_it_does_not_know() {
        let file = parse(
            "default = work # the usual\n\n[work]\nprovider = azure-devops\norganization = \"fabrikam\"\n\
             credential = env ; comment\ntoken-var = MY_TOKEN\n[other]\norganization = contoso\n",
        )
        .unwrap();
        assert_eq!(file.default.as_deref(), Some("work"));
        assert_eq!(file.profiles.len(), 2);
        let work = &file.profiles[0].1;
        assert_eq!(work.organization.as_deref(), Some("fabrikam"));
        assert_eq!(work.credential, Some(Source::Env));
        assert_eq!(work.token_var.as_deref(), Some("MY_TOKEN"));

        let lab = parse("[lab]\nprovider = gitlab\nhost = gitlab.example\ninstallation-id = 7\n").unwrap();
        assert_eq!(lab.profiles[0].1.provider, Some(Kind::GitLab));
        assert_eq!(lab.profiles[0].1.host.as_deref(), Some("gitlab.example"));
        assert!(parse("[w]\nprovider = sourcehut\n").unwrap_err().contains("line 2"));
        assert!(parse("[w]\ninstallation-id = many\n").unwrap_err().contains("not a number"));
        assert!(parse("[w]\ncolour = red\n").unwrap_err().contains("unknown key `colour`"));
        assert!(parse("[w]\ntoken = abc\n").unwrap_err().contains("never"));
        assert!(parse("organization = x\n").unwrap_err().contains("before any"));
        assert!(parse("[w]\n[w]\n").unwrap_err().contains("twice"));
        assert!(parse("[w\n").is_err());
        assert!(parse("[w]\ncredential = vault\n").unwrap_err().contains("unknown credential source"));
    }
}
