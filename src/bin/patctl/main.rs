//! `patctl`: manage Azure DevOps personal access tokens from the command line.
//!
//! Built only on patkit's public API: the Azure client, the credentials, the token stores, the
//! lifecycle flows (scan, rotation, offboarding) and the emulator.
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
//! ```
//!
//! Output is a table for people and `--json` for programs; a progress bar is drawn on stderr for
//! bulk work, only when stderr is a terminal. A secret is printed only with `create
//! --show-secret`; `create` needs `--show-secret` or `--store-as`, and a token it made that ends
//! up neither stored nor printed is revoked (or, if that fails, named with the command that
//! revokes it). Errors say what went wrong and what to do next, with one exit status per class
//! of error (`patctl --help` lists them).

#[path = "../shared/credential.rs"]
mod credential;
#[path = "../shared/duration.rs"]
mod duration;

mod app;
mod cli;
mod failure;
mod flows;
mod progress;
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
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("patctl: {failure}");
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let app = app::App::new(&cli.global).await?;
    match &cli.command {
        Command::List(args) => tokens::list(&app, args).await,
        Command::Get { id } => tokens::get(&app, id).await,
        Command::Create(args) => tokens::create(&app, args).await,
        Command::Extend { id, by } => tokens::extend(&app, id, *by).await,
        Command::Expire { id, at, r#in } => {
            let at = match (at, r#in) {
                (Some(at), _) => *at,
                (None, Some(d)) => {
                    app.clock.now() + chrono::TimeDelta::from_std(*d).map_err(|_| Failure::usage("--in is too long"))?
                }
                (None, None) => return Err(Failure::usage("pass --at TIME or --in DURATION")),
            };
            tokens::expire(&app, id, at).await
        }
        Command::Revoke { ids } => tokens::revoke(&app, ids).await,
        Command::Scan(args) => flows::scan(&app, args).await,
        Command::Rotate(args) => flows::rotate(&app, args).await,
        Command::Offboard(args) => flows::offboard(&app, args).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
