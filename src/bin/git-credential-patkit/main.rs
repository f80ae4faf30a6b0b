//! `git-credential-patkit`: a git credential helper for personal access tokens of every provider
//! patkit supports.
//!
//! Built only on patkit's public API (the provider clients, the credentials, the lifecycle flows,
//! the token stores).
//!
//! # Providers
//!
//! The provider of a request is `--provider`, else git's `credential.<url>.provider`, else the
//! host's: dev.azure.com and *.visualstudio.com are Azure DevOps, gitlab.com is GitLab,
//! github.com is GitHub; any other `--host` is an Azure DevOps Server unless told otherwise.
//!
//! - **Azure DevOps** — PATs minted on demand with a Microsoft Entra login (below).
//! - **GitLab** — the PAT you give git once is stored; when it expires within `--renew-within`
//!   (7 days), `get` rotates it (by id with the `api` scope, or `self/rotate` when it has only
//!   `self_rotate`) and stores the new one before answering.
//! - **Gitea, Forgejo, Bitbucket Data Center** — the first `get` mints a token with your
//!   password, asked once through `PATKIT_ASKPASS` / `GIT_ASKPASS` / `SSH_ASKPASS` (a program
//!   given the prompt as its argument, answering on stdout, as git's askpass) or on the terminal
//!   (`/dev/tty`, never stdin), and stores it. A Bitbucket token near its expiry is replaced.
//! - **GitHub** — no API can make a user's token: the helper stores what git approves and
//!   reports its expiry (`password_expiry_utc`, and stderr when it is near or past).
//!
//! # Azure DevOps
//!
//! # What it does
//!
//! - **get** — for an Azure DevOps organization (`https://dev.azure.com/{org}/…`,
//!   `https://{org}.visualstudio.com/…`, or a `--host` you add): returns the stored PAT if it is
//!   still valid beyond `--margin`; otherwise mints one (`--scopes`, `--lifetime`) with your
//!   Microsoft Entra user token, stores it, and returns it with `password_expiry_utc` (git 2.40+
//!   drops it once expired). Requests for other hosts get no answer, so git asks the next helper.
//!   A `--host` is served over https, and over plain http only when it is loopback (the
//!   emulator): for `http://` to another machine the helper answers nothing and says on stderr
//!   that git would send the PAT in clear text.
//!
//!   Every PAT it mints ends stored, or revoked: a stored PAT it replaces is revoked once the new
//!   one is stored; a new PAT that cannot be stored is revoked; a create whose answer was lost
//!   (its secret with it) has the PAT it made revoked (found by its display name, unique to the
//!   attempt). When a revoke fails, stderr names the PAT and the command that revokes it.
//! - **store** — git reports the credential worked; an earlier `password_expiry_utc` it reports
//!   for a PAT this helper stored is remembered.
//! - **erase** — git reports the credential was refused: the PAT is forgotten (only when it is
//!   the one git names) and, with `--revoke-on-erase`, revoked at Azure DevOps (Git Credential
//!   Manager only forgets locally). Without it, stderr says that the forgotten PAT stays valid
//!   and how to revoke it.
//!
//! Nothing secret is ever written to stderr: diagnostics (`--verbose`) name token ids only.
//!
//! # Install
//!
//! ```text
//! cargo install patkit --features cli      # or, in a checkout: cargo install --path . --features cli
//! git config --global credential.https://dev.azure.com.helper patkit
//! git config --global credential.https://dev.azure.com.useHttpPath true   # org from the path
//! ```
//!
//! Or let it write git's config as `gh auth setup-git` and Git Credential Manager do (the empty
//! `helper =` reset so no other helper keeps the PATs it mints, `useHttpPath` for dev.azure.com,
//! `https://*.visualstudio.com` too), and undo it:
//!
//! ```text
//! git-credential-patkit configure [--global|--local] [--host HOST[:PORT]] [-- HELPER OPTIONS]
//! git-credential-patkit unconfigure [--global|--local]
//! ```
//!
//! Options go into the helper value: `git-credential-patkit configure -- --lifetime 7d
//! --revoke-on-erase`, or by hand `git config --global credential.https://dev.azure.com.helper
//! "patkit --lifetime 7d --revoke-on-erase"`.
//!
//! # Configuration (argument, environment variable, default)
//!
//! | Argument | Variable | Default |
//! |---|---|---|
//! | `--store keyring\|vault\|file\|file:DIR` | `PATKIT_GIT_STORE` | the OS keyring when one answers and the default file store does not exist, else the file store `git-credentials` under `patkit::store::default_dir()` |
//! | `--provider P` | `PATKIT_GIT_PROVIDER` | `credential.<url>.provider`, else by host (above) |
//! | `--scopes S` | `PATKIT_GIT_SCOPES` | `vso.code_write`; `write:repository` (Gitea, Forgejo); `REPO_WRITE` (Bitbucket) |
//! | `--renew-within D` | `PATKIT_GIT_RENEW_WITHIN` | `7d`: GitLab rotates, Bitbucket replaces, GitHub warns |
//! | `--lifetime D` | `PATKIT_GIT_LIFETIME` | `30d` (units s, m, h, d, w) |
//! | `--margin D` | `PATKIT_GIT_MARGIN` | `1h` |
//! | `--revoke-on-erase` | `PATKIT_GIT_REVOKE_ON_ERASE` | off |
//! | `--host H[:P]` (repeat, or commas) | `PATKIT_GIT_HOSTS` | none; e.g. `127.0.0.1:8080` for the emulator |
//! | `--api-url URL` | `PATKIT_GIT_API_URL` | `https://vssps.dev.azure.com`; for a `--host`, that host (with `/api/v4`, `/api/v1` or `/api/v3` for GitLab, Gitea and GitHub) |
//! | `--org ORG` | `PATKIT_GIT_ORG` | none (org when git sends no path) |
//! | `--credential auto\|env\|azure-cli` | `PATKIT_GIT_CREDENTIAL` | `auto`: the variable if set, else `az` |
//! | `--token-var NAME` | `PATKIT_GIT_TOKEN_VAR` | `AZURE_DEVOPS_ENTRA_TOKEN` |
//! | `--username U` | `PATKIT_GIT_USERNAME` | `pat` (Azure DevOps, when git sends none) |
//!
//! The password of Gitea, Forgejo and Bitbucket is asked through the program named by
//! `PATKIT_ASKPASS`, else `GIT_ASKPASS`, else `SSH_ASKPASS` (run with the prompt as its argument;
//! its first output line is the answer), else on `/dev/tty` with echo off.
//! | `--verbose` | `PATKIT_GIT_VERBOSE` | off |
//!
//! Exit status: 0 when done (also when the request was not for this helper), 1 on failure (the
//! message on stderr says what went wrong and what to do), 2 for bad arguments.

#[path = "../shared/askpass.rs"]
mod askpass;
#[path = "../shared/credential.rs"]
mod credential;
#[path = "../shared/provider.rs"]
mod provider;
#[path = "../shared/store.rs"]
mod store;

mod config;
mod forge;
mod helper;
mod protocol;
mod setup;
mod target;

/// Finds secrets left in freed memory (the test build's global allocator).
#[cfg(test)]
#[path = "../../../tests/support/alloc_scan.rs"]
mod alloc_scan;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    if setup::is_setup(std::env::args_os().nth(1).as_deref()) {
        return match setup::run(setup::Setup::parse()) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("git-credential-patkit: {}", e.message);
                ExitCode::from(e.code)
            }
        };
    }
    let args = config::Args::parse();
    let action = args.action.clone();
    let config = match args.into_config() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("git-credential-patkit: {message}");
            return ExitCode::from(2);
        }
    };
    let request = match protocol::Credential::read_from(std::io::stdin().lock()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("git-credential-patkit: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime");
    match runtime.block_on(run(&action, config, request)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(helper::HelperError(message)) => {
            eprintln!("git-credential-patkit: {action}: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(action: &str, config: config::Config, request: protocol::Credential) -> Result<(), helper::HelperError> {
    use std::sync::Arc;

    if !matches!(action, "get" | "store" | "erase") {
        return Ok(()); // gitcredentials(7): ignore actions you do not know.
    }
    // Requests for other hosts are answered (with nothing) before the store is even opened.
    let target = match target::resolve(&request, &config) {
        Ok(Some(target)) => target,
        Ok(None) => {
            if config.verbose {
                eprintln!("git-credential-patkit: not a host this helper serves");
            }
            return Ok(());
        }
        // A PAT for plain http to another machine would cross the network in clear text: `get`
        // answers nothing and says why; `store` and `erase` have nothing to do.
        Err(refused) if action == "get" => return Err(helper::HelperError(refused.to_string())),
        Err(refused) => {
            if config.verbose {
                eprintln!("git-credential-patkit: {refused}");
            }
            return Ok(());
        }
    };
    let opened = store::open(config.store.as_ref(), STORE_NAMES).await.map_err(|e| match e {
        store::OpenError::Usage(message) => helper::HelperError(message),
        store::OpenError::Store(e) => helper::HelperError::from(e),
    })?;
    if config.verbose {
        eprintln!("git-credential-patkit: token store: {}", opened.description);
    }
    let store = opened.store;
    let clock = Arc::new(patkit::SystemClock);
    let answer = if target.provider == provider::Kind::Azure {
        let helper = helper::Helper::new(config, store, clock);
        match action {
            "get" => helper.get(&request).await?,
            "store" => return helper.store(&request).await,
            _ => return helper.erase(&request).await,
        }
    } else {
        let forge = forge::Forge::new(config, store, clock);
        match action {
            "get" => forge.get(&request, &target).await?,
            "store" => return forge.store(&request, &target).await,
            _ => return forge.erase(&request, &target).await,
        }
    };
    if let Some(answer) = answer {
        let mut stdout = std::io::stdout().lock();
        answer.write_to(&mut stdout).map_err(|e| helper::HelperError(e.to_string()))?;
        stdout.flush().map_err(|e| helper::HelperError(format!("could not write the answer to git: {e}")))?;
    }
    Ok(())
}

/// The helper's own stores: `git-credentials` in the data directory, keyring service
/// `patkit-git-credentials`, Vault prefix `patkit/git-credentials`.
const STORE_NAMES: store::Names =
    store::Names { dir: "git-credentials", service: "patkit-git-credentials", vault_prefix: "patkit/git-credentials" };

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        super::config::Args::command().debug_assert();
        super::setup::Setup::command().debug_assert();
    }
}
