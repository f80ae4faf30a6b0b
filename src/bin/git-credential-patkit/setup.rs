//! `configure` and `unconfigure`: git set-up like `gh auth setup-git` and Git Credential Manager's
//! `configure` write it, through the real `git config`.
//!
//! For each URL context the helper serves, `configure` writes
//!
//! ```text
//! [credential "https://dev.azure.com"]
//!     helper =
//!     helper = !'/path/to/git-credential-patkit' [options]
//!     useHttpPath = true
//! [credential "https://*.visualstudio.com"]
//!     helper =
//!     helper = !'/path/to/git-credential-patkit' [options]
//! ```
//!
//! The empty `helper =` resets the list of helpers for that URL, so no helper configured earlier
//! (`store`, `cache`, a keychain) is asked for the credential or told to keep the PATs this helper
//! mints. `useHttpPath` makes git send the path, which names the organization on dev.azure.com
//! and on extra Azure DevOps hosts; on `{org}.visualstudio.com` the host names it. With
//! `--provider` another provider's hosts are set up (gitlab.com, github.com, or the `--host`
//! given), and for a `--host` whose name does not say the provider `credential.<url>.provider`
//! is written too, which the helper reads with `git config --get-urlmatch`. The helper is named by its
//! absolute path (as gh does), so it works without being on git's `PATH`.
//!
//! `configure` first removes what an earlier `configure` wrote for the same URL, so running it
//! twice changes nothing. `unconfigure` removes every helper value naming this program in the
//! chosen config file, the `helper =` reset and `useHttpPath` next to it, and the section when
//! nothing else is left in it; other settings and other helpers stay.

use std::path::PathBuf;
use std::process::Command;

use clap::{Args, Parser, Subcommand};

use crate::provider::Kind;

/// The program's name, which every helper value this program writes contains.
const MARKER: &str = "git-credential-patkit";

/// Set git up to use this helper (`configure`), or undo it (`unconfigure`).
#[derive(Debug, Parser)]
#[command(name = "git-credential-patkit", version)]
pub struct Setup {
    #[command(subcommand)]
    pub command: SetupCommand,
}

/// The set-up commands.
#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// Write git's config so it asks this helper for credentials (Azure DevOps by default:
    /// https://dev.azure.com and https://*.visualstudio.com; or --provider's hosts, or the
    /// --host given), and no other helper.
    Configure(ConfigureArgs),
    /// Remove what `configure` wrote from git's config (other helpers and settings stay).
    Unconfigure(Scope),
}

/// Which git config file.
#[derive(Debug, Args)]
pub struct Scope {
    /// The user's config (~/.gitconfig, or $XDG_CONFIG_HOME/git/config when that is the one in
    /// use) [default].
    #[arg(long, conflicts_with = "local")]
    pub global: bool,
    /// The config of the repository in the current directory (.git/config).
    #[arg(long)]
    pub local: bool,
}

/// `configure`'s arguments.
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Set up only this host instead of dev.azure.com and *.visualstudio.com: an Azure DevOps
    /// Server, or the emulator (https; http when the host is loopback). Repeat or separate with
    /// commas. The helper value gets `--host HOST`.
    #[arg(long = "host", value_delimiter = ',', value_name = "HOST[:PORT]")]
    pub hosts: Vec<String>,
    /// The provider of the hosts: azure, gitlab, gitea, forgejo, bitbucket or github. Without
    /// --host: its well-known hosts (azure: dev.azure.com and *.visualstudio.com, gitlab:
    /// gitlab.com, github: github.com). With --host whose name does not say the provider,
    /// `credential.<url>.provider` is written so the helper knows it [default: azure].
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<Kind>,
    /// Options written into the helper value, after `--` (e.g. `-- --lifetime 7d
    /// --revoke-on-erase`); checked before anything is written.
    #[arg(last = true, value_name = "HELPER OPTIONS")]
    pub helper_args: Vec<String>,
}

/// Why set-up failed, and the exit status for it.
#[derive(Debug)]
pub struct SetupError {
    /// 2 for bad arguments (nothing was written), 1 otherwise.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

impl SetupError {
    fn usage(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }

    fn failed(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

/// Whether `first` (the first command-line argument) asks for set-up rather than a git action.
pub fn is_setup(first: Option<&std::ffi::OsStr>) -> bool {
    first.is_some_and(|a| a == "configure" || a == "unconfigure")
}

/// Runs `configure` or `unconfigure`; returns what to print on stdout.
pub fn run(setup: Setup) -> Result<String, SetupError> {
    match setup.command {
        SetupCommand::Configure(args) => configure(&args),
        SetupCommand::Unconfigure(scope) => unconfigure(&scope),
    }
}

/// One URL context and how it is served.
struct Context {
    url: String,
    use_http_path: bool,
    helper: String,
    /// `credential.<url>.provider`, when the host does not say it.
    provider: Option<Kind>,
}

fn configure(args: &ConfigureArgs) -> Result<String, SetupError> {
    let hosts: Vec<String> =
        args.hosts.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
    for host in &hosts {
        if host.contains(['/', ' ', '@', '?', '#']) {
            return Err(SetupError::usage(format!("--host {host}: give a host name with an optional :port")));
        }
    }
    // The options must be ones the helper accepts: checked now, not when git first runs it.
    let probe = std::iter::once(MARKER.to_owned()).chain(args.helper_args.iter().cloned()).chain(["get".to_owned()]);
    if let Err(e) = crate::config::Args::try_parse_from(probe) {
        let first = e.to_string();
        let first = first.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned();
        return Err(SetupError::usage(format!(
            "the helper options after `--` are not valid: {first} (nothing was written)"
        )));
    }
    let program = helper_path()?;
    let base = std::iter::once(format!("!{}", shell_quote(&program.to_string_lossy())))
        .chain(args.helper_args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let kind = args.provider.unwrap_or(Kind::Azure);
    let contexts: Vec<Context> = if hosts.is_empty() {
        let context = |url: &str, use_http_path: bool| Context {
            url: url.into(),
            use_http_path,
            helper: base.clone(),
            provider: None,
        };
        match kind {
            Kind::Azure => {
                vec![context("https://dev.azure.com", true), context("https://*.visualstudio.com", false)]
            }
            Kind::GitLab => vec![context("https://gitlab.com", false)],
            Kind::GitHub => vec![context("https://github.com", false)],
            other => {
                return Err(SetupError::usage(format!(
                    "{other} has no well-known host: pass --host HOST (nothing was written)"
                )));
            }
        }
    } else {
        hosts
            .iter()
            .map(|host| Context {
                url: format!("{}://{host}", crate::provider::scheme_for(host)),
                // Azure DevOps names the organization in the path.
                use_http_path: kind == Kind::Azure,
                helper: format!("{base} --host {}", shell_quote(host)),
                provider: (Kind::from_host(host) != Some(kind) && kind != Kind::Azure).then_some(kind),
            })
            .collect()
    };
    let git = Git::new(&args.scope)?;
    let mut report = String::new();
    for context in &contexts {
        let key = format!("credential.{}.helper", context.url);
        let values = git.values(&key)?;
        let ours = values.iter().filter(|v| v.contains(MARKER)).count();
        let in_place = ours == 1 && values.ends_with(&[String::new(), context.helper.clone()]);
        if !in_place {
            // What an earlier `configure` wrote for this URL goes first, so this one is not
            // doubled; the reset and this helper then come last, after any other helper.
            git.unset_matching(&key, MARKER)?;
            git.unset_matching(&key, "^$")?;
            git.run(&["--add", &key, ""])?;
            git.run(&["--add", &key, &context.helper])?;
        }
        report.push_str(&format!("{key} = (reset)\n{key} = {}\n", context.helper));
        if context.use_http_path {
            let key = format!("credential.{}.useHttpPath", context.url);
            git.run(&[&key, "true"])?;
            report.push_str(&format!("{key} = true\n"));
        }
        let key = format!("credential.{}.provider", context.url);
        match context.provider {
            Some(provider) => {
                git.run(&[&key, provider.name()])?;
                report.push_str(&format!("{key} = {provider}\n"));
            }
            None => git.unset_matching(&key, ".")?,
        }
    }
    Ok(format!("git-credential-patkit: configured git ({}):\n{report}", git.scope_name()))
}

fn unconfigure(scope: &Scope) -> Result<String, SetupError> {
    let git = Git::new(scope)?;
    let mut report = String::new();
    for (url, values) in git.helper_contexts()? {
        if !values.iter().any(|v| v.contains(MARKER)) {
            continue;
        }
        let key = format!("credential.{url}.helper");
        git.unset_matching(&key, MARKER)?;
        let others = values.iter().any(|v| !v.is_empty() && !v.contains(MARKER));
        report.push_str(&format!("removed {key} (this helper)\n"));
        if !others {
            // The reset and useHttpPath served this helper only.
            git.unset_matching(&key, "^$")?;
            git.unset_matching(&format!("credential.{url}.useHttpPath"), ".")?;
            git.unset_matching(&format!("credential.{url}.provider"), ".")?;
            report.push_str(&format!(
                "removed {key} (reset), credential.{url}.useHttpPath and credential.{url}.provider (if set)\n"
            ));
        }
        git.remove_section_if_empty(&url)?;
    }
    if report.is_empty() {
        return Ok(format!("git-credential-patkit: nothing to remove ({} config)\n", git.scope_name()));
    }
    Ok(format!("git-credential-patkit: unconfigured git ({}):\n{report}", git.scope_name()))
}

/// This program's absolute path, as git will run it.
fn helper_path() -> Result<PathBuf, SetupError> {
    let exe =
        std::env::current_exe().map_err(|e| SetupError::failed(format!("cannot find this program's path: {e}")))?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// `s` quoted for the shell git runs a `!` helper with, unless it needs no quoting.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c));
    if plain { s.to_owned() } else { format!("'{}'", s.replace('\'', r"'\''")) }
}

/// `git config` in one scope.
struct Git {
    scope: &'static str,
}

impl Git {
    fn new(scope: &Scope) -> Result<Self, SetupError> {
        let git = Self { scope: if scope.local { "--local" } else { "--global" } };
        // Fails early, and clearly, without git or (for --local) outside a repository.
        if scope.local {
            let inside = Command::new("git").args(["rev-parse", "--git-dir"]).output();
            match inside {
                Err(e) => return Err(SetupError::failed(format!("cannot run git: {e}"))),
                Ok(o) if !o.status.success() => {
                    return Err(SetupError::usage(
                        "--local needs to run inside a git repository (nothing was written)",
                    ));
                }
                Ok(_) => {}
            }
        }
        Ok(git)
    }

    fn scope_name(&self) -> &'static str {
        self.scope.trim_start_matches("--")
    }

    /// `git config <scope> <args>`, failing with git's message.
    fn run(&self, args: &[&str]) -> Result<String, SetupError> {
        let output = Command::new("git")
            .arg("config")
            .arg(self.scope)
            .args(args)
            .output()
            .map_err(|e| SetupError::failed(format!("cannot run git: {e}")))?;
        if !output.status.success() {
            return Err(SetupError::failed(format!(
                "`git config {} {}` failed: {}",
                self.scope,
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Every value of `key`, in order (none when it is not set).
    fn values(&self, key: &str) -> Result<Vec<String>, SetupError> {
        let output = Command::new("git")
            .args(["config", self.scope, "--null", "--get-all", key])
            .output()
            .map_err(|e| SetupError::failed(format!("cannot run git: {e}")))?;
        if output.status.code() == Some(1) {
            return Ok(Vec::new());
        }
        if !output.status.success() {
            return Err(SetupError::failed(format!(
                "`git config {} --get-all {key}` failed: {}",
                self.scope,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text.split_terminator('\0').map(str::to_owned).collect())
    }

    /// Removes every value of `key` matching the regex `pattern`; none is not an error.
    fn unset_matching(&self, key: &str, pattern: &str) -> Result<(), SetupError> {
        let output = Command::new("git")
            .args(["config", self.scope, "--unset-all", key, pattern])
            .output()
            .map_err(|e| SetupError::failed(format!("cannot run git: {e}")))?;
        // 5: no such key or value (nothing to remove).
        if output.status.success() || output.status.code() == Some(5) {
            Ok(())
        } else {
            Err(SetupError::failed(format!(
                "`git config {} --unset-all {key}` failed: {}",
                self.scope,
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    }

    /// Each URL context with `credential.<url>.helper` values, with its values in order.
    fn helper_contexts(&self) -> Result<Vec<(String, Vec<String>)>, SetupError> {
        let output = Command::new("git")
            .args(["config", self.scope, "--null", "--get-regexp", r"^credential\..*\.helper$"])
            .output()
            .map_err(|e| SetupError::failed(format!("cannot run git: {e}")))?;
        if output.status.code() == Some(1) {
            return Ok(Vec::new()); // no such key; also when the file does not exist
        }
        if !output.status.success() {
            return Err(SetupError::failed(format!(
                "`git config {} --get-regexp` failed: {}",
                self.scope,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let mut contexts: Vec<(String, Vec<String>)> = Vec::new();
        for entry in text.split('\0').filter(|e| !e.is_empty()) {
            let (key, value) = entry.split_once('\n').unwrap_or((entry, ""));
            let Some(url) = key.strip_prefix("credential.").and_then(|k| k.strip_suffix(".helper")) else {
                continue;
            };
            match contexts.iter_mut().find(|(u, _)| u == url) {
                Some((_, values)) => values.push(value.to_owned()),
                None => contexts.push((url.to_owned(), vec![value.to_owned()])),
            }
        }
        Ok(contexts)
    }

    /// Removes the `credential.<url>` section when no variable is left in it (git leaves empty
    /// sections behind).
    fn remove_section_if_empty(&self, url: &str) -> Result<(), SetupError> {
        let listed = Command::new("git")
            .args(["config", self.scope, "--null", "--list"])
            .output()
            .map_err(|e| SetupError::failed(format!("cannot run git: {e}")))?;
        let text = String::from_utf8_lossy(&listed.stdout);
        let in_use = text.split('\0').any(|entry| {
            let key = entry.split_once('\n').map_or(entry, |(k, _)| k);
            key.strip_prefix("credential.").and_then(|k| k.strip_prefix(url)).is_some_and(|v| v.starts_with('.'))
        });
        if !in_use {
            // Fails when there is no such section (git removed it already): nothing to do then.
            let _ = Command::new("git")
                .args(["config", self.scope, "--remove-section", &format!("credential.{url}")])
                .output();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_for_the_shell() {
        assert_eq!(shell_quote("7d"), "7d");
        assert_eq!(shell_quote("--lifetime"), "--lifetime");
        assert_eq!(shell_quote("/opt/my tools/git-credential-patkit"), "'/opt/my tools/git-credential-patkit'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("vso.code vso.packaging"), "'vso.code vso.packaging'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn only_configure_and_unconfigure_are_setup() {
        assert!(is_setup(Some("configure".as_ref())));
        assert!(is_setup(Some("unconfigure".as_ref())));
        assert!(!is_setup(Some("get".as_ref())));
        assert!(!is_setup(Some("--verbose".as_ref())));
        assert!(!is_setup(None));
    }
}
