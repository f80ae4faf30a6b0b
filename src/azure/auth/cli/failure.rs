//! Describing a failed `az` run without ever quoting a token.

use crate::error::{CredentialErrorKind, Error};

/// Longest quote of az's error output in an error message.
const MAX_QUOTE_CHARS: usize = 200;

/// The error for a non-zero exit, quoting az's standard error only when that is safe.
pub(super) fn failure_error(status: &std::process::ExitStatus, stderr: &[u8]) -> Error {
    let text = String::from_utf8_lossy(stderr);
    let said = match safe_first_line(&text) {
        Some(line) => format!(" (az said: \"{line}\")"),
        None if text.trim().is_empty() => String::new(),
        None => " (az's error output is withheld: it may contain a token)".to_owned(),
    };
    if text.contains("az login") {
        Error::credential(
            CredentialErrorKind::NotLoggedIn,
            format!("the Azure CLI is not logged in or its login expired: run `az login`{said}"),
        )
    } else {
        Error::credential(CredentialErrorKind::Other, format!("`az account get-access-token` failed ({status}){said}"))
    }
}

/// The first non-empty line of `text`, capped at [`MAX_QUOTE_CHARS`], or `None` when it is empty
/// or anything in it looks like a token.
fn safe_first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.split(|c: char| c.is_whitespace() || "\"'`,;()[]{}<>".contains(c)).any(looks_like_token) {
        return None;
    }
    let mut quoted: String = line.chars().take(MAX_QUOTE_CHARS).collect();
    if quoted.len() < line.len() {
        quoted.push('…');
    }
    Some(quoted)
}

/// A long run of base64/JWT characters that is not a UUID (AAD error lines carry trace and
/// correlation ids, which are fine to quote).
fn looks_like_token(word: &str) -> bool {
    let word = word.trim_end_matches(['.', ':']);
    if word.starts_with("eyJ") {
        return true;
    }
    word.len() >= 32
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-._~+/=".contains(c))
        && !crate::random::is_uuid(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_plain_errors_first_line_capped() {
        let stderr = "ERROR: Please run 'az login' to setup account.\nmore detail\n";
        assert_eq!(safe_first_line(stderr).unwrap(), "ERROR: Please run 'az login' to setup account.");
        let long = "x ".repeat(300);
        let quoted = safe_first_line(&long).unwrap();
        assert_eq!(quoted.chars().count(), MAX_QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
        let aad = "ERROR: AADSTS700082: The refresh token has expired. Trace ID: 0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6";
        assert_eq!(safe_first_line(aad).unwrap(), aad);
    }

    #[test]
    fn withholds_lines_that_look_like_tokens() {
        for line in [
            "ERROR: bad token eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9",
            "token=\"abcdefghijklmnopqrstuvwxyz0123456789ABCD\"",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCD.",
        ] {
            assert_eq!(safe_first_line(line), None, "{line}");
        }
        let err = failure_error(&exit_status(1), b"oops eyJ0eXAi.CANARY.sig\n");
        let text = format!("{err} {err:?}");
        assert!(text.contains("withheld") && !text.contains("CANARY"), "{text}");
    }

    #[test]
    fn not_logged_in_is_recognised() {
        let err = failure_error(&exit_status(1), b"ERROR: Please run 'az login' to setup account.\n");
        match err {
            Error::Credential { kind: CredentialErrorKind::NotLoggedIn, message, .. } => {
                assert!(message.contains("run `az login`"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    fn exit_status(code: i32) -> std::process::ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        std::process::ExitStatus::from_raw(code << 8)
    }

    #[cfg(windows)]
    fn exit_status(code: u32) -> std::process::ExitStatus {
        use std::os::windows::process::ExitStatusExt;
        std::process::ExitStatus::from_raw(code)
    }
}
