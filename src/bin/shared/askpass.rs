//! Asking a person for a password (Gitea, Forgejo and Bitbucket mint tokens only with one), the
//! way git does: an askpass program when one is set (`PATKIT_ASKPASS`, else `GIT_ASKPASS`, else
//! `SSH_ASKPASS`; run with the prompt as its one argument, the answer its first line of output),
//! else the terminal (`/dev/tty` with echo off). Never standard input: for the git helper that
//! is git's protocol.
//!
//! The answer goes straight into patkit's secret types; it is never printed or logged.

use std::process::{Command, Stdio};
use std::sync::Arc;

use patkit::CredentialErrorKind;
use patkit::auth::{PasswordCredential, PromptFor, SecretPrompt, prompt_fn};

/// The variables naming an askpass program, in the order they are read.
pub const ASKPASS_VARS: [&str; 3] = ["PATKIT_ASKPASS", "GIT_ASKPASS", "SSH_ASKPASS"];

/// The askpass program set in the environment, if any.
fn askpass_program() -> Option<String> {
    ASKPASS_VARS.iter().find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
}

/// Asks `prompt`; `secret` turns the terminal's echo off.
pub fn ask(prompt: &str, secret: bool) -> Result<String, String> {
    match askpass_program() {
        Some(program) => ask_program(&program, prompt),
        None => ask_terminal(prompt, secret),
    }
}

fn ask_program(program: &str, prompt: &str) -> Result<String, String> {
    let output = Command::new(program)
        .arg(prompt)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the askpass program `{program}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("the askpass program `{program}` gave no answer ({})", output.status));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| "the askpass program's answer is not UTF-8".to_owned())?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

#[cfg(unix)]
fn ask_terminal(prompt: &str, secret: bool) -> Result<String, String> {
    use std::io::{BufRead as _, Write as _};
    let no_terminal = |e: std::io::Error| {
        format!("cannot ask for it: no terminal ({e}); set PATKIT_ASKPASS (or GIT_ASKPASS) to a program that answers")
    };
    let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(no_terminal)?;
    let stty = |arg: &str| -> bool {
        std::fs::File::open("/dev/tty")
            .ok()
            .and_then(|input| Command::new("stty").arg(arg).stdin(input).status().ok())
            .is_some_and(|s| s.success())
    };
    write!(tty, "{prompt}").and_then(|()| tty.flush()).map_err(no_terminal)?;
    let echo_off = secret && stty("-echo");
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    if echo_off {
        stty("echo");
        let _ = writeln!(tty);
    }
    read.map_err(no_terminal)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(not(unix))]
fn ask_terminal(_prompt: &str, _secret: bool) -> Result<String, String> {
    Err("cannot ask for a password here: set PATKIT_ASKPASS (or GIT_ASKPASS) to a program that answers".to_owned())
}

/// A patkit [`SecretPrompt`] that asks for the password (and a one-time code) of `site`.
pub fn prompt(site: &str) -> Arc<dyn SecretPrompt> {
    let site = site.to_owned();
    prompt_fn(move |what, user| {
        let (text, secret) = match what {
            PromptFor::Password => (format!("Password for '{user}' at {site}: "), true),
            _ => (format!("One-time code for '{user}' at {site}: "), false),
        };
        ask(&text, secret).map_err(|message| patkit::Error::credential(CredentialErrorKind::Unavailable, message))
    })
}

/// The login of `user` at `site`, its password asked once (when first needed) and kept in
/// memory for this process only; with `one_time_code`, a two-factor account's code is asked
/// for each login too.
pub fn password_login(user: &str, site: &str, one_time_code: bool) -> PasswordCredential {
    let login = PasswordCredential::prompt(user, prompt(site));
    if one_time_code { login.with_one_time_code_prompt(prompt(site)) } else { login }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn an_askpass_program_gets_the_prompt_and_its_first_line_is_the_answer() {
        // `echo` answers with its argument: the prompt reached the program as one argument.
        assert_eq!(
            ask_program("echo", "Password for 'alice' at https://x: ").unwrap(),
            "Password for 'alice' at https://x: "
        );
        let refused = ask_program("false", "Password: ").unwrap_err();
        assert!(refused.contains("gave no answer"), "{refused}");
        assert!(ask_program("/nonexistent/askpass", "Password: ").unwrap_err().contains("cannot run"));
    }
}
