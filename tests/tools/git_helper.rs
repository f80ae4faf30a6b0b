//! The git credential helper (`src/bin/git-credential-patkit/`, the `cli` feature), driven by the real
//! `git credential fill/approve/reject` against the emulator served over loopback HTTP.
//!
//! The emulator is served through a test interposer (`tools_support::interpose`), so a test can
//! break the helper's store at an exact step of its flow.
//!
//! git runs with a temporary HOME and XDG_CONFIG_HOME, no system config and no prompts, so the
//! user's own git configuration is neither read nor touched. The helper gets the emulator's
//! address through `--host` and the emulated user's Entra token through
//! `AZURE_DEVOPS_ENTRA_TOKEN`.

#![cfg(all(unix, feature = "emulator", feature = "reqwest"))]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::tools_support::interpose::{Interposer, only_token};
use crate::tools_support::{helper_binary, shell_quote};
use patkit::PatSecret;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, Fault, FaultRule};
use patkit::azure::operations as op;
use patkit::{PatId, PatRecord, StoredPat, TokenStore};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    server: Interposer,
    alice: EmulatedUser,
    home: tempfile::TempDir,
    helper: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let helper = helper_binary();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let server = runtime.block_on(Interposer::start(emulator.clone()));
        Self { runtime, emulator, server, alice, home: tempfile::tempdir().unwrap(), helper }
    }

    fn host(&self) -> String {
        self.server.host()
    }

    fn store_dir(&self) -> PathBuf {
        self.home.path().join("store")
    }

    fn request(&self) -> String {
        format!("protocol=http\nhost={}\npath=fabrikam/app/_git/app\n\n", self.host())
    }

    /// `git credential <action>` with the helper configured by `extra_args`, fed `input`.
    fn git(&self, action: &str, extra_args: &str, input: &str) -> Output {
        self.git_with_token(action, extra_args, input, Some(self.alice.bearer.expose_secret()))
    }

    fn git_with_token(&self, action: &str, extra_args: &str, input: &str, token: Option<&str>) -> Output {
        let helper = format!(
            "credential.helper=!{} --store {} --host {} {extra_args}",
            shell_quote(self.helper.to_str().unwrap()),
            shell_quote(self.store_dir().to_str().unwrap()),
            self.host()
        );
        let mut command = Command::new("git");
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("xdg"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("PATKIT_GIT_CREDENTIAL", "env")
            .args([
                "-c",
                "credential.helper=",
                "-c",
                &helper,
                "-c",
                "credential.useHttpPath=true",
                "credential",
                action,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.env("AZURE_DEVOPS_ENTRA_TOKEN", token);
        }
        let mut child = command.spawn().expect("git is installed");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(self.alice.bearer.expose_secret()), "the bearer token leaked to stderr");
        assert!(!stderr.contains("password="), "an answer went to stderr");
        output
    }

    fn fill(&self, extra_args: &str) -> BTreeMap<String, String> {
        let output = self.git("fill", extra_args, &self.request());
        assert!(output.status.success(), "git credential fill failed: {}", String::from_utf8_lossy(&output.stderr));
        let fields: BTreeMap<String, String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        let password = &fields["password"];
        assert!(!String::from_utf8_lossy(&output.stderr).contains(password.as_str()), "the PAT leaked to stderr");
        fields
    }

    fn answer_text(fields: &BTreeMap<String, String>) -> String {
        let mut text: String = fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        text.push('\n');
        text
    }

    fn pat_works(&self, secret: &str) -> bool {
        let base = self.server.base_url();
        let client = AzureDevOpsClient::builder("fabrikam", self.alice.credential()).base_url(base).build().unwrap();
        self.runtime.block_on(client.check_pat(&PatSecret::new(secret.to_owned()))).unwrap()
    }

    fn creates(&self) -> u64 {
        self.emulator.requests_seen(op::CREATE)
    }
}

#[test]
fn fill_mints_then_reuses_approve_keeps_then_reject_erases_and_revokes() {
    let f = Fixture::new();

    // First fill: a PAT is minted at the emulator and returned with its expiry.
    let first = f.fill("--revoke-on-erase --lifetime 7d");
    assert_eq!(f.creates(), 1);
    let snapshot = f.emulator.snapshot();
    assert_eq!(snapshot.tokens.len(), 1);
    let token = &snapshot.tokens[0];
    assert_eq!(token.owner, f.alice.id);
    assert_eq!(token.scope, "vso.code_write");
    assert!(token.display_name.starts_with("git-credential-patkit "));
    assert_eq!(first["password"].len(), 84, "an Azure DevOps PAT");
    assert_eq!(first["username"], "pat");
    assert_eq!(first["password_expiry_utc"], token.valid_to.timestamp().to_string());
    let lifetime = token.valid_to - snapshot.now;
    assert!(
        lifetime > chrono::TimeDelta::days(7) - chrono::TimeDelta::minutes(5) && lifetime <= chrono::TimeDelta::days(7)
    );
    assert!(f.pat_works(&first["password"]), "the returned PAT authenticates at the emulator");

    // Second fill: the stored PAT, no new create.
    let second = f.fill("--revoke-on-erase --lifetime 7d");
    assert_eq!(second["password"], first["password"]);
    assert_eq!(second["password_expiry_utc"], first["password_expiry_utc"]);
    assert_eq!(f.creates(), 1, "the stored PAT was reused");

    // Approve: git reports the PAT worked; it stays stored as it is.
    let output = f.git("approve", "--revoke-on-erase", &Fixture::answer_text(&second));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(f.fill("--revoke-on-erase")["password"], first["password"]);
    assert_eq!(f.creates(), 1);

    // Reject: forgotten locally and revoked at the emulator.
    let output = f.git("reject", "--revoke-on-erase", &Fixture::answer_text(&second));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = f.emulator.token(&token.id).unwrap();
    assert!(token.revoked, "erase revoked the PAT on the server");
    assert!(!f.pat_works(&first["password"]));

    // The next fill mints a new one.
    let third = f.fill("--revoke-on-erase");
    assert_eq!(f.creates(), 2);
    assert_ne!(third["password"], first["password"]);
}

#[test]
fn reject_without_revoke_only_forgets() {
    let f = Fixture::new();
    let first = f.fill("");
    let output = f.git("reject", "", &Fixture::answer_text(&first));
    assert!(output.status.success());
    let token = &f.emulator.snapshot().tokens[0];
    assert!(!token.revoked, "Git Credential Manager semantics: only forgotten locally");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("forgot PAT {}; it stays valid until", token.id)), "not silent: {stderr}");
    assert!(f.pat_works(&first["password"]));
    let second = f.fill("");
    assert_eq!(f.creates(), 2, "forgotten, so a new PAT was minted");
    assert_ne!(second["password"], first["password"]);
}

#[test]
fn reject_of_a_different_password_keeps_the_stored_pat() {
    let f = Fixture::new();
    let first = f.fill("--revoke-on-erase");
    let mut other = first.clone();
    other.insert("password".into(), "not-the-stored-one".into());
    assert!(f.git("reject", "--revoke-on-erase", &Fixture::answer_text(&other)).status.success());
    assert!(!f.emulator.snapshot().tokens[0].revoked);
    assert_eq!(f.fill("--revoke-on-erase")["password"], first["password"]);
    assert_eq!(f.creates(), 1);
}

#[test]
fn a_stored_pat_inside_the_margin_is_replaced() {
    let f = Fixture::new();
    let first = f.fill("--lifetime 2d");
    // The stored PAT has under 3 days left, so a 3-day margin asks for a new one.
    let second = f.fill("--lifetime 2d --margin 3d");
    assert_eq!(f.creates(), 2);
    assert_ne!(second["password"], first["password"]);
    // The replaced PAT is revoked, not left valid and forgotten.
    assert!(!f.pat_works(&first["password"]), "the replaced PAT still works");
    assert!(f.pat_works(&second["password"]));
    // And that one is stored: a smaller margin reuses it.
    assert_eq!(f.fill("--lifetime 2d")["password"], second["password"]);
    assert_eq!(f.creates(), 2);
}

#[test]
fn approve_with_an_earlier_expiry_is_remembered() {
    let f = Fixture::new();
    let mut first = f.fill("");
    let earlier = first["password_expiry_utc"].parse::<i64>().unwrap() - 86_400;
    first.insert("password_expiry_utc".into(), earlier.to_string());
    let output = f.git("approve", "", &Fixture::answer_text(&first));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let second = f.fill("");
    assert_eq!(second["password"], first["password"]);
    assert_eq!(second["password_expiry_utc"], earlier.to_string());
    assert_eq!(f.creates(), 1);
}

#[test]
fn other_hosts_get_no_answer_and_nothing_is_minted() {
    let f = Fixture::new();
    let output = f.git("fill", "", "protocol=https\nhost=example.com\npath=o/r.git\n\n");
    assert!(!output.status.success(), "no helper answered and prompting is off");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("password="));
    assert_eq!(f.creates(), 0);
    assert!(!f.store_dir().exists(), "the store is not even opened for other hosts");
}

#[test]
fn without_an_entra_token_the_error_says_what_to_do() {
    let f = Fixture::new();
    let output = f.git_with_token("fill", "", &f.request(), None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("git-credential-patkit: get:"), "{stderr}");
    assert!(stderr.contains("AZURE_DEVOPS_ENTRA_TOKEN"), "{stderr}");
    assert_eq!(f.creates(), 0);
}

#[test]
fn a_refused_bearer_token_is_reported_as_auth_required() {
    let f = Fixture::new();
    let expired = f.emulator.issue_user_token(f.alice.id, Some(chrono::Utc::now() - chrono::TimeDelta::hours(1)));
    let output = f.git_with_token("fill", "", &f.request(), Some(expired.expose_secret()));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("authentication required"), "{stderr}");
    assert!(stderr.contains("az login"), "{stderr}");
    assert!(!stderr.contains(expired.expose_secret()));
}

#[test]
fn verbose_diagnostics_name_token_ids_never_secrets() {
    let f = Fixture::new();
    let output = f.git("fill", "--verbose", &f.request());
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let password = stdout.lines().find_map(|l| l.strip_prefix("password=")).unwrap().to_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let id = f.emulator.snapshot().tokens[0].id.clone();
    assert!(stderr.contains(&format!("minted PAT {id}")), "{stderr}");
    assert!(!stderr.contains(&password), "the PAT leaked to stderr");
    let output = f.git("fill", "--verbose", &f.request());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("using stored PAT {id}")), "{stderr}");
    assert!(!stderr.contains(&password));
}

#[test]
fn plain_http_to_a_configured_remote_host_is_refused() {
    let f = Fixture::new();
    // An Azure DevOps Server reachable as git.example.test, its PAT API at the emulator.
    let args = format!("--host git.example.test --api-url {}", f.server.base_url());
    let http = "protocol=http\nhost=git.example.test\npath=fabrikam/app/_git/app\n\n";
    let https = "protocol=https\nhost=git.example.test\npath=fabrikam/app/_git/app\n\n";

    let refused = |output: &Output| {
        assert!(!output.status.success(), "no helper answered and prompting is off");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("password="));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("refusing to answer for http://git.example.test"), "{stderr}");
        assert!(stderr.contains("clear text"), "{stderr}");
    };
    // Nothing is minted for a clear-text request...
    refused(&f.git("fill", &args, http));
    assert_eq!(f.creates(), 0);
    // ...https to the same host is served...
    let output = f.git("fill", &args, https);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("password="));
    assert_eq!(f.creates(), 1);
    // ...and the PAT stored for it is not handed out over http either.
    refused(&f.git("fill", &args, http));
    assert_eq!(f.creates(), 1);
}

// ---------- every PAT the helper mints ends stored, revoked, or reported ----------

impl Fixture {
    /// `git credential fill` that must fail; its stderr.
    fn failed_fill(&self) -> String {
        let output = self.git("fill", "--verbose", &self.request());
        assert!(!output.status.success(), "the fill should fail");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("password="));
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Breaks the helper's store right after the emulator committed a create.
    fn break_store_after_create(&self) {
        self.server.break_store_after_create(self.store_dir());
    }

    fn only_token(&self) -> patkit::azure::emulator::TokenSnapshot {
        only_token(&self.emulator)
    }
}

#[test]
fn a_store_failure_after_the_mint_revokes_the_new_pat() {
    let f = Fixture::new();
    f.break_store_after_create();
    let stderr = f.failed_fill();
    let token = f.only_token();
    assert!(token.revoked, "the unstored PAT was left valid: {stderr}");
    assert!(stderr.contains(&format!("minted PAT {} but could not store it", token.id)), "{stderr}");
    assert!(stderr.contains("it was revoked"), "{stderr}");
}

#[test]
fn a_store_failure_with_a_failed_revoke_names_the_live_pat() {
    let f = Fixture::new();
    f.break_store_after_create();
    f.emulator.inject(FaultRule::new(op::REVOKE, Fault::ServerError { status: 501 }).always());
    let stderr = f.failed_fill();
    let token = f.only_token();
    assert!(!token.revoked);
    assert!(stderr.contains("could NOT be revoked"), "{stderr}");
    assert!(stderr.contains(&format!("patctl revoke {}", token.id)), "{stderr}");
    assert!(!stderr.contains("it was revoked"), "{stderr}");
}

#[test]
fn an_uncertain_create_revokes_the_pat_it_minted() {
    let f = Fixture::new();
    f.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    let stderr = f.failed_fill();
    let token = f.only_token();
    assert!(token.revoked, "a PAT whose secret was lost is left valid: {stderr}");
    assert!(stderr.contains(&format!("the PAT it minted ({}) was revoked", token.id)), "{stderr}");
    assert!(
        !f.store_dir()
            .join("entries")
            .read_dir()
            .unwrap()
            .any(|e| { !e.unwrap().file_name().to_string_lossy().starts_with('.') }),
        "nothing stored"
    );
}

impl Fixture {
    /// Seeds a PAT valid for `valid_for`, and stores it in the helper's entry (as another git
    /// process would) right after the emulator committed the helper's create.
    fn store_meanwhile(&self, valid_for: chrono::TimeDelta) -> patkit::azure::emulator::SeededPat {
        let now = self.emulator.now();
        let seeded = self.emulator.seed_pat(
            "fabrikam",
            self.alice.id,
            patkit::azure::emulator::SeedPat::new("theirs", "vso.code_write")
                .valid_from(now - chrono::TimeDelta::days(1))
                .valid_to(now + valid_for),
        );
        let (their_id, their_secret) = (seeded.id.clone(), seeded.secret.clone());
        let store = self.store_dir();
        let entry_name = format!("git/{}/fabrikam", self.host());
        let emulator = self.emulator.clone();
        self.server.after(move |exchange| {
            if !exchange.is_successful_create() {
                return;
            }
            let (store, name, id, secret, emulator) =
                (store.clone(), entry_name.clone(), their_id.clone(), their_secret.clone(), emulator.clone());
            // The hook runs on the server's runtime; the store is async, so a thread of its own.
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
                    let store = patkit::store::FileTokenStore::open(&store).await.unwrap();
                    let metadata = seeded_metadata(&emulator, &id);
                    let record =
                        PatRecord::new(name, patkit::azure::PROVIDER_NAME, "fabrikam", metadata, emulator.now());
                    store.put(StoredPat { record, secret }).await.unwrap();
                });
            })
            .join()
            .unwrap();
        });
        seeded
    }
}

#[test]
fn a_stale_pat_stored_meanwhile_is_replaced_and_revoked() {
    let f = Fixture::new();
    // While the helper mints, another process stores a PAT that expires inside the margin.
    let stale = f.store_meanwhile(chrono::TimeDelta::minutes(10));
    let answer = f.fill("");
    assert!(f.emulator.token(&stale.id).unwrap().revoked, "the stale PAT was replaced but left valid");
    let stored = f.runtime.block_on(async {
        patkit::store::FileTokenStore::open(f.store_dir())
            .await
            .unwrap()
            .get(&format!("git/{}/fabrikam", f.host()))
            .await
    });
    let stored = stored.unwrap().expect("an entry");
    assert_eq!(stored.secret.expose_secret(), answer["password"], "git got a PAT that is not stored");
}

#[test]
fn a_fresh_pat_stored_meanwhile_is_used_and_ours_revoked() {
    let f = Fixture::new();
    let theirs = f.store_meanwhile(chrono::TimeDelta::days(20));
    let answer = f.fill("");
    assert_eq!(answer["password"], theirs.secret.expose_secret(), "the PAT the other process stored is used");
    let ours: Vec<_> = f.emulator.snapshot().tokens.into_iter().filter(|t| t.id != theirs.id).collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].revoked, "the unstored PAT minted here was left valid");
    assert!(!f.emulator.token(&theirs.id).unwrap().revoked);
}

/// The metadata of a seeded PAT, as a store record wants it.
fn seeded_metadata(emulator: &Emulator, id: &PatId) -> patkit::PatMetadata {
    let token = emulator.token(id).unwrap();
    patkit::PatMetadata {
        id: id.clone(),
        display_name: token.display_name,
        scopes: patkit::Scopes::parse(&token.scope).unwrap(),
        valid_from: token.valid_from,
        valid_to: Some(token.valid_to),
        extras: {
            let mut extras = patkit::Extras::new();
            match token.targets {
                patkit::azure::emulator::TargetAccounts::AllOrganizations => {
                    patkit::azure::Targets::AllOrganizations.put(&mut extras)
                }
                patkit::azure::emulator::TargetAccounts::Organizations(ids) => {
                    patkit::azure::Targets::Organizations(ids.iter().map(ToString::to_string).collect())
                        .put(&mut extras)
                }
            }
            extras
        },
    }
}
