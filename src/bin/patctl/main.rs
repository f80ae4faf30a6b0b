//! `patctl`: manage personal access tokens from the command line: Azure DevOps, GitLab, Gitea,
//! Forgejo and Bitbucket Data Center through patkit's neutral seam (a command a provider lacks
//! exits 2 before anything is sent), and GitHub organization governance (`patctl github ...`).
//!
//! Built only on patkit's public API: the provider clients, the credentials, the token stores,
//! the lifecycle flows (scan, rotation, offboarding) and the emulators.
//!
//! ```text
//! cargo install patkit --features cli          # installs patctl and git-credential-patkit
//! patctl --emulator list                        # try it, no account needed
//! patctl --emulator rotate --dry-run
//! patctl --emulator offboard Bob --json --yes
//!
//! az login                                                                 # the real service
//! patctl --org fabrikam list --status all --sort date --desc
//! patctl --org fabrikam create "ci feed" --scopes vso.packaging --lifetime 30d --store-as ci/feed
//! patctl --org fabrikam scan --within 14d
//! patctl --org fabrikam rotate --within 7d
//!
//! patctl --provider gitlab --emulator list                                  # GitLab's sample
//! GITLAB_TOKEN=glpat-… patctl --host gitlab.example.com rotate --within 7d
//! patctl --provider forgejo --host codeberg.org --user alice list           # password asked once
//! patctl --provider github --org octo-org --app-id 1 --installation-id 2 --app-key app.pem github requests
//! ```
//!
//! Output is a table for people and `--json` for programs; a progress bar is drawn on stderr for
//! bulk work, only when stderr is a terminal. A secret is printed only with `create
//! --show-secret`; `create` needs `--show-secret` or `--store-as`, and a token it made that ends
//! up neither stored nor printed is revoked (or, if that fails, named with the command that
//! revokes it). Errors say what went wrong and what to do next, with one exit status per class
//! of error (`patctl --help` lists them).
//!
//! Conventions: `revoke`, `expire`, `rotate` and `offboard` (not `--dry-run`) ask on the terminal
//! first; `--yes` skips the question, and without a terminal on stdin they refuse unless given
//! `--yes` (exit 2, nothing sent). `--verbose` writes the settings and one line per request to
//! stderr (patkit's and patctl's own tracing only; never a secret). Text from the server is
//! printed with control characters escaped; there is no colour, so `NO_COLOR` has nothing to
//! turn off. Named profiles (`--profile`, `profile.rs`) and `patctl completions SHELL`.

#[path = "../shared/askpass.rs"]
mod askpass;
#[path = "../shared/credential.rs"]
mod credential;
#[path = "../shared/provider.rs"]
mod provider;
#[path = "../shared/store.rs"]
mod store;

mod app;
mod cli;
mod confirm;
mod failure;
mod flows;
mod github;
mod neutral;
mod profile;
mod progress;
mod providers;
mod render;
#[cfg(feature = "emulator")]
mod sample;
mod tokens;

use std::process::ExitCode;

use clap::Parser as _;

use cli::{Cli, Command};
use failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.global.verbose {
        verbose_diagnostics();
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Messages may quote the server: escaped, but the hint lines are kept.
            eprintln!("patctl: {}", render::clean_keeping(&failure.to_string(), &['\n']));
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // Needs no organization, credential or store.
    if let Command::Completions { shell } = cli.command {
        return completions(shell);
    }
    let guess = cli.global.provider.unwrap_or(provider::Kind::Azure);
    let app = app::App::new(&cli.global).await.map_err(|f| f.for_provider(guess))?;
    let kind = app.kind;
    command(&app, &cli.command).await.map_err(|f| f.for_provider(kind))
}

async fn command(app: &app::App, command: &Command) -> Result<(), Failure> {
    let azure = app.kind == provider::Kind::Azure;
    match command {
        Command::List(args) if azure => tokens::list(app, args).await,
        Command::List(args) => neutral::list(app, args).await,
        Command::Get { id } if azure => tokens::get(app, id).await,
        Command::Get { id } => neutral::get(app, id).await,
        Command::Create(args) if azure => tokens::create(app, args).await,
        Command::Create(args) => neutral::create(app, args).await,
        Command::Extend { id, by } if azure => tokens::extend(app, id, *by).await,
        Command::Extend { id, by } => neutral::extend(app, id, *by).await,
        Command::Expire { id, at, r#in } => {
            if !azure {
                neutral::require(app, app.provider.capabilities().update_expiry, "changing a token's expiry")?;
            }
            let at = match (at, r#in) {
                (Some(at), _) => *at,
                (None, Some(d)) => {
                    app.clock.now() + chrono::TimeDelta::from_std(*d).map_err(|_| Failure::usage("--in is too long"))?
                }
                (None, None) => return Err(Failure::usage("pass --at TIME or --in DURATION")),
            };
            let what = format!("set the expiry of token {id} in {} to {}", app.organization(), render::time(at));
            confirm::confirm(app.yes, &what)?;
            if azure { tokens::expire(app, id, at).await } else { neutral::set_expiry(app, id, at).await }
        }
        Command::Revoke { ids } => {
            neutral::require(app, app.provider.capabilities().revoke, "revoking tokens")?;
            let what =
                format!("revoke {} in {} ({})", tokens::count(ids.len()), app.organization(), confirm::some_of(ids, 5));
            confirm::confirm(app.yes, &what)?;
            tokens::revoke(app, ids).await
        }
        Command::Scan(args) => flows::scan(app, args).await,
        Command::Rotate(args) => flows::rotate(app, args).await,
        Command::Offboard(args) => flows::offboard(app, args).await,
        Command::Github(command) => github::run(app, command).await,
        Command::Completions { shell } => completions(*shell),
    }
}

/// `patctl completions SHELL`: the completion script, generated from the command line's
/// definition.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "patctl", &mut script);
    render::try_out(&String::from_utf8_lossy(&script))
        .map_err(|e| Failure::new(failure::Class::Unexpected, format!("could not write the script: {e}")))
}

/// `--verbose`: patkit's diagnostics (one line per request to the service, with operation,
/// organization, status, attempts and time taken; retries; where a credential came from) and
/// patctl's own, on stderr, without colour. patkit never puts a secret in a tracing event or
/// span, and patctl's own lines name settings and ids only.
fn verbose_diagnostics() {
    use tracing::Level;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(Level::DEBUG)
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .without_time()
        .finish()
        // Only patkit's and patctl's own lines: what the HTTP stack logs is not reviewed for secrets.
        .with(Targets::new().with_target("patkit", Level::DEBUG).with_target("patctl", Level::DEBUG));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
