//! The confirmation asked before anything destructive (revoke, expire, rotate, offboard).
//!
//! `--yes` skips it. Without `--yes` the question is asked on the terminal (stderr, answered on
//! stdin); when stdin is not a terminal there is no one to ask, so the command is refused before
//! anything is sent, and the message says why and what to pass.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use crate::failure::Failure;
use crate::render;

/// Asks "`action`?" unless `yes`; `Ok` only when the user said yes (or passed `--yes`).
///
/// `action` says what would happen, e.g. "revoke 2 tokens in fabrikam (…)"; server-provided text
/// in it is escaped before it reaches the terminal.
pub fn confirm(yes: bool, action: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(format!(
            "this would {action}; it needs confirmation and stdin is not a terminal to ask on, so nothing \
             was changed: pass --yes to go ahead without asking"
        )));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "patctl: {}? [y/N] ", render::clean(action));
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|e| Failure::usage(format!("could not read the answer ({e})")))?;
    if is_yes(&answer) { Ok(()) } else { Err(Failure::usage("not confirmed; nothing was changed")) }
}

/// `y` or `yes`, in any case, with surrounding blanks.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// `items` joined with commas, the first `max` of them, then "and N more".
pub fn some_of(items: &[String], max: usize) -> String {
    let mut text = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        text.push_str(&format!(" and {} more", items.len() - max));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        for yes in ["y\n", "Y", " yes \r\n", "YES"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yess", "y es", "oui"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }

    #[test]
    fn some_of_caps_the_list() {
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(some_of(&ids, 5), "a, b, c");
        assert_eq!(some_of(&ids, 2), "a, b and 1 more");
    }
}
