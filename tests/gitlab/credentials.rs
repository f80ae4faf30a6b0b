//! `GitLabCredential::from_env`: read in a child process, so the test sets the variable without
//! touching this process's environment.

use std::process::Command;

use patkit::auth::Credential as _;
use patkit::gitlab::{GITLAB_TOKEN_ENV, GitLabCredential};
use patkit::{CredentialErrorKind, Error};

const PROBE: &str = "PATKIT_GITLAB_ENV_PROBE";

fn child_test(name: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    if module.is_empty() { name.to_owned() } else { format!("{module}::{name}") }
}

/// The probe half, run in a child whose `GITLAB_TOKEN` the parent set (or removed).
async fn probe(expect: &str) {
    match (GitLabCredential::from_env(), expect) {
        (Err(Error::Credential { kind: CredentialErrorKind::Unavailable, message, .. }), "unavailable") => {
            assert!(message.contains(GITLAB_TOKEN_ENV), "{message}");
        }
        (Ok(credential), "trimmed") => {
            assert!(credential.is_private_token());
            let (name, value) = credential.credential().await.unwrap().to_header();
            assert_eq!((name.as_str(), value.to_str().unwrap()), ("private-token", "glpat-env-token"));
            assert!(!format!("{credential:?}").contains("glpat-env-token"));
        }
        (other, _) => panic!("{expect}: {:?}", other.map(|_| "a credential")),
    }
}

#[tokio::test]
async fn from_env_reads_gitlab_token_trimmed_and_says_when_it_is_missing() {
    if let Ok(expect) = std::env::var(PROBE) {
        probe(&expect).await;
        return;
    }
    let name = child_test("from_env_reads_gitlab_token_trimmed_and_says_when_it_is_missing");
    for (value, expect) in
        [(Some("  glpat-env-token\n"), "trimmed"), (Some(" \n"), "unavailable"), (None, "unavailable")]
    {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child.args(["--exact", name.as_str(), "--test-threads=1"]).env(PROBE, expect);
        match value {
            Some(v) => child.env(GITLAB_TOKEN_ENV, v),
            None => child.env_remove(GITLAB_TOKEN_ENV),
        };
        let output = child.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "the probe {expect} failed:\n{stdout}");
        assert!(stdout.contains("1 passed"), "the probe did not run:\n{stdout}");
    }
}
