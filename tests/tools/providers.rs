//! Both tools with the providers other than Azure DevOps, run as processes against the GitLab
//! and Gitea emulators served over loopback HTTP: the git helper through the real
//! `git credential fill/approve/reject` (GitLab's stored PAT rotated near its expiry, by id and
//! by self-rotation; a Gitea token minted once with a password from an askpass program), `patctl`
//! create/list/revoke through the neutral seam, a command a provider lacks (exit 2, nothing
//! sent, no password asked), `configure --provider`, and canaries: no password or token in any
//! output where it does not belong.
//!
//! git runs with a temporary HOME and global config, no system config and no prompts.

#![cfg(all(unix, feature = "emulator", feature = "reqwest"))]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{NaiveDate, TimeDelta, Timelike as _, Utc};
use patkit::TokenStore;
use patkit::store::FileTokenStore;

use crate::tools_support::{helper_binary, patctl_binary, shell_quote};

/// A password nothing may ever print.
const PASSWORD: &str = "canary-password-7f3a9c";

struct Env {
    runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self { runtime: tokio::runtime::Runtime::new().unwrap(), home: tempfile::tempdir().unwrap() }
    }

    fn store_dir(&self) -> PathBuf {
        self.home.path().join("store")
    }

    fn store(&self) -> FileTokenStore {
        self.runtime.block_on(FileTokenStore::open(self.store_dir())).unwrap()
    }

    /// An askpass program answering PASSWORD, counting its calls in `asked`.
    fn askpass(&self) -> PathBuf {
        let path = self.home.path().join("askpass.sh");
        let script = format!(
            "#!/bin/sh\necho \"$1\" >> {}\ncase \"$1\" in Password*) echo '{PASSWORD}' ;; One-time*) echo 424242 ;; *) exit 1 ;; esac\n",
            shell_quote(self.asked_file().to_str().unwrap())
        );
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
        path
    }

    fn asked_file(&self) -> PathBuf {
        self.home.path().join("asked")
    }

    /// How many times the askpass program was run.
    fn asked(&self) -> usize {
        std::fs::read_to_string(self.asked_file()).map_or(0, |t| t.lines().count())
    }

    fn base_command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("xdg"))
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// `git credential <action>` with the helper (`helper_args` after `--store`), `config`
    /// extra `-c` settings, fed `input`.
    fn git(&self, action: &str, helper_args: &str, config: &[String], env: &[(&str, &str)], input: &str) -> Output {
        let helper = format!(
            "credential.helper=!{} --store {} {helper_args}",
            shell_quote(helper_binary().to_str().unwrap()),
            shell_quote(self.store_dir().to_str().unwrap()),
        );
        let mut command = self.base_command(Path::new("git"));
        command.args(["-c", "credential.helper=", "-c", &helper]);
        for c in config {
            command.args(["-c", c]);
        }
        command.args(["credential", action]);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("git is installed");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!all.contains(PASSWORD), "the password leaked: {all}");
        assert!(!String::from_utf8_lossy(&output.stderr).contains("password="), "an answer went to stderr");
        output
    }

    fn patctl(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let mut command = self.base_command(&patctl_binary());
        command.args(args).stdin(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let Output { status, stdout, stderr } = command.output().unwrap();
        let (stdout, stderr) = (String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap());
        assert!(!format!("{stdout}{stderr}").contains(PASSWORD), "the password leaked: {stdout}{stderr}");
        (status.code().unwrap(), stdout, stderr)
    }
}

fn fields(output: &Output) -> BTreeMap<String, String> {
    assert!(output.status.success(), "git failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// `a` then `b`.
fn cat<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<&'a str> {
    a.iter().chain(b).copied().collect()
}

fn credential(host: &str, user: &str, password: &str) -> String {
    format!("protocol=http\nhost={host}\nusername={user}\npassword={password}\n\n")
}

// ---------------------------------------------------------------------------------------------
// GitLab

struct GitLab {
    env: Env,
    emulator: patkit::gitlab::emulator::Emulator,
    server: patkit::gitlab::emulator::EmulatorServer,
    alice: patkit::gitlab::emulator::EmulatedUser,
}

impl GitLab {
    fn new() -> Self {
        let env = Env::new();
        let emulator = patkit::gitlab::emulator::Emulator::new();
        let alice = emulator.add_user("alice");
        let server = env.runtime.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
        Self { env, emulator, server, alice }
    }

    fn host(&self) -> String {
        self.server.local_addr().to_string()
    }

    /// alice's token with `scopes`, expiring at 00:00 UTC `days` from today.
    fn seed(&self, scopes: &[&str], days: i64) -> patkit::gitlab::emulator::SeededToken {
        let date = Utc::now().date_naive() + TimeDelta::days(days);
        self.emulator.seed_token(
            self.alice.id,
            patkit::gitlab::emulator::SeedToken::new("laptop", scopes).expires_at(Some(date)),
        )
    }

    /// git with the helper for this host, the provider named by git's config (not a flag).
    fn git(&self, action: &str, input: &str) -> Output {
        let config = [format!("credential.http://{}.provider=gitlab", self.host())];
        let output = self.env.git(action, &format!("--host {}", self.host()), &config, &[], input);
        // No token of alice's may reach stderr.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("glpat-"), "a GitLab token leaked to stderr: {stderr}");
        output
    }

    fn fill(&self) -> BTreeMap<String, String> {
        fields(&self.git("fill", &format!("protocol=http\nhost={}\n\n", self.host())))
    }

    fn entry(&self) -> Option<patkit::StoredPat> {
        let name = format!("git/gitlab/{}/@alice", self.host());
        self.env.runtime.block_on(self.env.store().get(&name)).unwrap()
    }
}

fn midnight(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

#[test]
fn gitlab_cycle_stores_the_approved_pat_rotates_it_near_expiry_and_forgets_it_on_reject() {
    let f = GitLab::new();
    // Nothing stored: the helper has no answer, so git (no prompts here) fails.
    assert!(!f.git("fill", &format!("protocol=http\nhost={}\n\n", f.host())).status.success());

    // approve: the PAT you gave git is kept, with what GitLab says about it.
    let far = f.seed(&["api", "write_repository"], 30);
    assert!(f.git("approve", &credential(&f.host(), "alice", far.secret.expose_secret())).status.success());
    let stored = f.entry().expect("approve stored the PAT");
    assert_eq!(stored.record.metadata.id.to_string(), far.id.to_string());
    assert_eq!(stored.record.provider, "gitlab");

    // fill: far from expiry, the same PAT, with its expiry.
    let first = f.fill();
    assert_eq!(first["password"], far.secret.expose_secret());
    assert_eq!(first["username"], "alice");
    let expiry = midnight(Utc::now().date_naive() + TimeDelta::days(30));
    assert_eq!(first["password_expiry_utc"], expiry.to_string());
    assert_eq!(f.emulator.family(far.id), vec![far.id], "nothing was rotated");

    // A PAT three days from expiry (inside the 7-day window) is rotated before git gets it.
    let near = f.seed(&["api"], 3);
    assert!(f.git("approve", &credential(&f.host(), "alice", near.secret.expose_secret())).status.success());
    let rotated = f.fill();
    assert_ne!(rotated["password"], near.secret.expose_secret());
    assert!(rotated["password"].starts_with("glpat-"));
    let family = f.emulator.family(near.id);
    assert_eq!(family.len(), 2, "one rotation: {family:?}");
    assert!(f.emulator.token(near.id).unwrap().revoked, "GitLab revoked the old PAT");
    let new = f.emulator.token(family[1]).unwrap();
    assert!(new.active && new.expires_at.unwrap() > Utc::now().date_naive() + TimeDelta::days(7));
    let stored = f.entry().unwrap();
    assert_eq!(stored.record.metadata.id.to_string(), family[1].to_string(), "the new PAT was stored");
    assert_eq!(stored.secret.expose_secret(), rotated["password"]);

    // The next fill answers the stored new PAT without another rotation.
    assert_eq!(f.fill()["password"], rotated["password"]);
    assert_eq!(f.emulator.family(near.id).len(), 2);

    // reject: git says it failed; the helper forgets it (GitLab keeps it until revoked).
    let answer = credential(&f.host(), "alice", &rotated["password"]);
    let output = f.git("reject", &answer);
    assert!(output.status.success());
    assert!(f.entry().is_none(), "reject forgot the PAT");
    assert!(String::from_utf8_lossy(&output.stderr).contains("stays valid"));
}

#[test]
fn a_gitlab_pat_with_only_self_rotate_is_self_rotated() {
    let f = GitLab::new();
    let near = f.seed(&["read_repository", "self_rotate"], 2);
    assert!(f.git("approve", &credential(&f.host(), "alice", near.secret.expose_secret())).status.success());
    let answer = f.fill();
    assert_ne!(answer["password"], near.secret.expose_secret());
    let family = f.emulator.family(near.id);
    assert_eq!(family.len(), 2);
    assert!(f.emulator.token(near.id).unwrap().revoked);
    assert_eq!(f.entry().unwrap().secret.expose_secret(), answer["password"]);
}

#[test]
fn an_expired_gitlab_pat_gets_no_answer_and_a_reason() {
    let f = GitLab::new();
    let expired = f.seed(&["api"], 30);
    assert!(f.git("approve", &credential(&f.host(), "alice", expired.secret.expose_secret())).status.success());
    // Make the stored copy say it expired yesterday.
    let store = f.env.store();
    let mut entry = f.entry().unwrap();
    let revision = entry.record.revision;
    entry.record.metadata.valid_to = Some(Utc::now() - TimeDelta::days(1));
    f.env.runtime.block_on(store.compare_and_swap(entry, patkit::store::Expected::Revision(revision))).unwrap();
    let output = f.git("fill", &format!("protocol=http\nhost={}\n\n", f.host()));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("expired"));
    assert_eq!(f.emulator.family(expired.id).len(), 1, "an expired PAT is not rotated");
}

// ---------------------------------------------------------------------------------------------
// Gitea

struct Gitea {
    env: Env,
    emulator: patkit::gitea::emulator::Emulator,
    server: patkit::gitea::emulator::EmulatorServer,
    alice: u64,
}

impl Gitea {
    fn new() -> Self {
        let env = Env::new();
        let emulator = patkit::gitea::emulator::Emulator::gitea();
        let alice = emulator.add_user("alice", PASSWORD).id;
        let server = env.runtime.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
        Self { env, emulator, server, alice }
    }

    fn host(&self) -> String {
        self.server.local_addr().to_string()
    }

    fn git(&self, action: &str, input: &str) -> Output {
        let askpass = self.env.askpass();
        let output = self.env.git(
            action,
            &format!("--provider gitea --host {}", self.host()),
            &[],
            &[("GIT_ASKPASS", askpass.to_str().unwrap())],
            input,
        );
        for t in self.emulator.snapshot().tokens {
            assert!(!String::from_utf8_lossy(&output.stderr).contains(&t.token_last_eight), "a token leaked to stderr");
        }
        output
    }
}

#[test]
fn gitea_fill_mints_once_with_the_askpass_password_then_reuses_and_reject_forgets() {
    let f = Gitea::new();
    let request = format!("protocol=http\nhost={}\nusername=alice\n\n", f.host());
    let first = fields(&f.git("fill", &request));
    assert_eq!(f.env.asked(), 1, "the password was asked once");
    let tokens = f.emulator.snapshot().tokens;
    assert_eq!(tokens.len(), 1, "one token minted");
    assert!(tokens[0].name.starts_with("git-credential-patkit"));
    assert_eq!(tokens[0].scopes, vec!["write:repository".to_owned()]);
    assert_eq!(first["username"], "alice");
    assert_eq!(first["password"].len(), 40, "the answer is the token, not the password");
    assert!(first["password"].ends_with(&tokens[0].token_last_eight));
    assert!(!first.contains_key("password_expiry_utc"), "Gitea tokens never expire");

    // Stored: the next fill answers it without asking or minting.
    let second = fields(&f.git("fill", &request));
    assert_eq!(second["password"], first["password"]);
    assert_eq!((f.env.asked(), f.emulator.snapshot().tokens.len()), (1, 1));

    let answer = credential(&f.host(), "alice", &first["password"]);
    assert!(f.git("approve", &answer).status.success());
    let output = f.git("reject", &answer);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("forgot gitea token"));
    let name = format!("git/gitea/{}/@alice", f.host());
    assert!(f.env.runtime.block_on(f.env.store().get(&name)).unwrap().is_none());
}

#[test]
fn a_wrong_password_mints_nothing_and_says_why() {
    let f = Gitea::new();
    f.emulator.set_password(f.alice, "another-password");
    // PATKIT_ASKPASS, not GIT_ASKPASS: git would ask that one itself once the helper fails.
    let askpass = f.env.askpass();
    let output = f.env.git(
        "fill",
        &format!("--provider gitea --host {}", f.host()),
        &[],
        &[("PATKIT_ASKPASS", askpass.to_str().unwrap())],
        &format!("protocol=http\nhost={}\nusername=alice\n\n", f.host()),
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("git-credential-patkit: get:"), "{stderr}");
    assert!(f.emulator.snapshot().tokens.is_empty());
}

// ---------------------------------------------------------------------------------------------
// patctl

#[test]
fn patctl_creates_lists_and_revokes_on_gitlab() {
    let f = GitLab::new();
    let admin = f.emulator.add_admin("root");
    let token =
        f.emulator.seed_token(admin.id, patkit::gitlab::emulator::SeedToken::new("admin", &["api"]).expires_at(None));
    let store = f.env.store_dir();
    let host = f.host();
    let common =
        ["--provider", "gitlab", "--host", host.as_str(), "--store", store.to_str().unwrap(), "--json", "--yes"];
    let env = [("GITLAB_TOKEN", token.secret.expose_secret())];

    let alice = f.alice.id.to_string();
    let (code, stdout, stderr) = f.env.patctl(
        &cat(
            &common,
            &[
                "create",
                "ci feed",
                "--scopes",
                "read_api",
                "--lifetime",
                "30d",
                "--for-user",
                &alice,
                "--store-as",
                "ci",
            ],
        ),
        &env,
    );
    assert_eq!(code, 0, "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(created["secret"], serde_json::Value::Null, "no --show-secret, no secret");
    let id: u64 = created["id"].as_str().unwrap().parse().unwrap();
    let made = f.emulator.token(id).unwrap();
    assert_eq!((made.user_id, made.name.as_str()), (f.alice.id, "ci feed"));
    let stored = f.env.runtime.block_on(f.env.store().get("ci")).unwrap().unwrap();
    assert_eq!(stored.record.metadata.id.to_string(), id.to_string());
    assert!(!stdout.contains(stored.secret.expose_secret()) && !stderr.contains(stored.secret.expose_secret()));

    // The admin's own listing (own tokens only).
    let (code, stdout, _) = f.env.patctl(&cat(&common, &["list"]), &env);
    assert_eq!(code, 0);
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "root's own token: {listed}");

    let (code, _, stderr) = f.env.patctl(&cat(&common, &["revoke", &id.to_string()]), &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(f.emulator.token(id).unwrap().revoked);
}

#[test]
fn patctl_creates_lists_and_revokes_on_gitea_with_the_askpass_password() {
    let f = Gitea::new();
    let askpass = f.env.askpass();
    let host = f.host();
    let common = ["--provider", "gitea", "--host", host.as_str(), "--user", "alice", "--json", "--yes"];
    let env = [("PATKIT_ASKPASS", askpass.to_str().unwrap())];

    let (code, stdout, stderr) =
        f.env.patctl(&cat(&common, &["create", "deploy", "--scopes", "read:repository", "--show-secret"]), &env);
    assert_eq!(code, 0, "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let secret = created["secret"].as_str().unwrap();
    let tokens = f.emulator.snapshot().tokens;
    assert_eq!(tokens.len(), 1);
    assert!(secret.ends_with(&tokens[0].token_last_eight));
    assert!(!stderr.contains(secret));

    let (code, stdout, _) = f.env.patctl(&cat(&common, &["list"]), &env);
    assert_eq!(code, 0);
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(listed[0]["display_name"], "deploy");
    assert!(!stdout.contains(secret), "a listing never holds a secret");

    let id = tokens[0].id.to_string();
    let (code, _, stderr) = f.env.patctl(&cat(&common, &["revoke", &id]), &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(f.emulator.snapshot().tokens.is_empty());
    assert_eq!(f.env.asked(), 3, "one password per patctl run");
}

#[test]
fn patctl_asks_a_two_factor_accounts_code_with_otp() {
    let f = Gitea::new();
    f.emulator.set_one_time_code(f.alice, Some("424242"));
    let askpass = f.env.askpass();
    let host = f.host();
    let env = [("PATKIT_ASKPASS", askpass.to_str().unwrap())];
    let args = ["--provider", "gitea", "--host", host.as_str(), "--user", "alice", "list"];
    let (code, _, stderr) = f.env.patctl(&args, &env);
    assert_eq!(code, 3, "without the code the login is refused: {stderr}");
    let (code, _, stderr) = f.env.patctl(&cat(&["--otp"], &args), &env);
    assert_eq!(code, 0, "{stderr}");
    let asked = std::fs::read_to_string(f.env.asked_file()).unwrap();
    assert!(asked.lines().any(|l| l.starts_with("One-time code for 'alice'")), "{asked}");
    assert!(!stderr.contains("424242"), "the code leaked");
}

#[test]
fn a_command_the_provider_lacks_exits_2_before_anything_is_sent() {
    let f = Gitea::new();
    let askpass = f.env.askpass();
    let host = f.host();
    let env = [("PATKIT_ASKPASS", askpass.to_str().unwrap())];
    for command in [&["extend", "1", "--by", "7d"][..], &["get", "1"], &["expire", "1", "--in", "1d", "--yes"]] {
        let mut args = vec!["--provider", "gitea", "--host", host.as_str(), "--user", "alice"];
        args.extend_from_slice(command);
        let (code, _, stderr) = f.env.patctl(&args, &env);
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stderr.contains("the provider gitea lacks"), "{stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
    }
    assert_eq!(f.emulator.request_log().total(), 0, "nothing reached the server");
    assert_eq!(f.env.asked(), 0, "no password was asked");

    // GitHub makes no tokens: refused without a request (the API URL has no server at all).
    let (code, _, stderr) = f.env.patctl(
        &[
            "--provider",
            "github",
            "--org",
            "octo-org",
            "--base-url",
            "http://127.0.0.1:9",
            "create",
            "x",
            "--scopes",
            "repo",
            "--show-secret",
        ],
        &[("GITHUB_TOKEN", "ghp_canary")],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the provider github lacks creating tokens"), "{stderr}");
    assert!(!stderr.contains("ghp_canary"));
}

#[test]
fn patctl_gitlab_emulator_sample_lists_and_scans() {
    let env = Env::new();
    let (code, stdout, stderr) = env.patctl(&["--provider", "gitlab", "--emulator", "list", "--json"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(listed.as_array().unwrap().iter().any(|t| t["display_name"] == "registry (CI)"));
    let (code, stdout, _) = env.patctl(&["--provider", "gitlab", "--emulator", "scan"], &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("ci/registry") && stdout.contains("expiring_soon"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// configure

#[test]
fn configure_with_a_provider_writes_it_for_the_host_and_unconfigure_removes_it() {
    let env = Env::new();
    let gitconfig = env.home.path().join("gitconfig");
    let run = |args: &[&str]| {
        let output = env.base_command(&helper_binary()).args(args).stdin(Stdio::null()).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    std::fs::write(&gitconfig, "[user]\n\tname = Alice\n").unwrap();
    let before = std::fs::read_to_string(&gitconfig).unwrap();
    run(&["configure", "--provider", "gitlab", "--host", "127.0.0.1:8929"]);
    let git_get = |key: &str| {
        let output =
            env.base_command(Path::new("git")).args(["config", "--global", "--get-all", key]).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(git_get("credential.http://127.0.0.1:8929.provider").trim(), "gitlab");
    assert!(git_get("credential.http://127.0.0.1:8929.helper").contains("--host 127.0.0.1:8929"));
    assert_eq!(git_get("credential.http://127.0.0.1:8929.usehttppath"), "", "only Azure needs the path");
    // A host that names its provider needs no key.
    run(&["configure", "--provider", "gitlab"]);
    assert_eq!(git_get("credential.https://gitlab.com.provider"), "");
    assert!(git_get("credential.https://gitlab.com.helper").contains("git-credential-patkit"));

    run(&["unconfigure"]);
    assert_eq!(std::fs::read_to_string(&gitconfig).unwrap(), before, "unconfigure restored the file");
}

// ---------------------------------------------------------------------------------------------
// GitHub

const GITHUB_PUBLIC_KEY: &str = include_str!("../fixtures/github/app-key.pub.pem");

struct GitHub {
    env: Env,
    emulator: patkit::github::emulator::Emulator,
    server: patkit::github::emulator::EmulatorServer,
    app: u64,
    installation: u64,
}

impl GitHub {
    fn new() -> Self {
        let env = Env::new();
        let emulator = patkit::github::emulator::Emulator::new();
        let app = emulator.register_app(GITHUB_PUBLIC_KEY);
        emulator.add_org("octo-org");
        let installation = emulator.install_app(
            app,
            "octo-org",
            &[("personal_access_tokens", "write"), ("personal_access_token_requests", "write")],
        );
        let server = env.runtime.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
        Self { env, emulator, server, app, installation }
    }

    fn patctl(&self, rest: &[&str]) -> (i32, String, String) {
        let key = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/github/app-key.pem");
        let (app, installation, base) = (self.app.to_string(), self.installation.to_string(), self.server.base_url());
        let common = [
            "--provider",
            "github",
            "--org",
            "octo-org",
            "--base-url",
            base.as_str(),
            "--app-id",
            app.as_str(),
            "--installation-id",
            installation.as_str(),
            "--app-key",
            key,
            "--json",
            "--yes",
            "github",
        ];
        self.env.patctl(&cat(&common, rest), &[])
    }
}

#[test]
fn patctl_github_reviews_requests_and_revokes_grants_with_an_app() {
    use patkit::github::emulator::{SeedGrant, SeedPat};
    let f = GitHub::new();
    let in_ten_days = Utc::now() + TimeDelta::days(10);
    let asking = f.emulator.seed_pat(SeedPat::fine_grained("alice", "ci").expires_at(in_ten_days));
    let request = f.emulator.seed_request("octo-org", SeedGrant::new(asking.token_id).reason("deploys"));
    let granted = f.emulator.seed_pat(SeedPat::fine_grained("bob", "laptop").expires_at(in_ten_days));
    let grant = f.emulator.seed_grant("octo-org", SeedGrant::new(granted.token_id));

    let (code, stdout, stderr) = f.patctl(&["requests"]);
    assert_eq!(code, 0, "{stderr}");
    let requests: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(requests[0]["id"], request.to_string());
    assert_eq!((requests[0]["owner"].as_str(), requests[0]["reason"].as_str()), (Some("alice"), Some("deploys")));

    let (code, _, stderr) = f.patctl(&["approve", &request.to_string(), "--reason", "ok"]);
    assert_eq!(code, 0, "{stderr}");
    let snapshot = f.emulator.snapshot();
    assert!(snapshot.requests.is_empty(), "the request was reviewed");
    assert!(snapshot.grants_in("octo-org").iter().any(|g| g.token_id == asking.token_id), "approved into a grant");

    let (code, stdout, _) = f.patctl(&["grants", "--owner", "bob"]);
    assert_eq!(code, 0);
    let grants: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(grants[0]["id"], grant.to_string());

    let (code, _, stderr) = f.patctl(&["revoke-grants", &grant.to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!f.emulator.snapshot().grants_in("octo-org").iter().any(|g| g.id == grant));
    let (_, out, err) = f.patctl(&["grants"]);
    for secret in [&asking.secret, &granted.secret] {
        assert!(!out.contains(secret.expose_secret()) && !err.contains(secret.expose_secret()), "a token leaked");
    }
}

#[test]
fn github_helper_keeps_the_approved_token_and_reports_its_expiry() {
    use patkit::github::emulator::SeedPat;
    let f = GitHub::new();
    let host = f.server.local_addr().to_string();
    let expires = (Utc::now() + TimeDelta::days(3)).with_nanosecond(0).unwrap();
    let pat = f.emulator.seed_pat(SeedPat::classic("alice", "laptop", &["repo"]).expires_at(expires));
    let args = format!("--provider github --host {host} --api-url {}", f.server.base_url());
    let git = |action: &str, input: &str| {
        let output = f.env.git(action, &args, &[], &[], input);
        assert!(!String::from_utf8_lossy(&output.stderr).contains(pat.secret.expose_secret()), "token on stderr");
        output
    };
    assert!(git("approve", &credential(&host, "alice", pat.secret.expose_secret())).status.success());
    let output = git("fill", &format!("protocol=http\nhost={host}\n\n"));
    let answer = fields(&output);
    assert_eq!(answer["password"], pat.secret.expose_secret());
    assert_eq!(answer["username"], "alice");
    assert_eq!(answer["password_expiry_utc"], expires.timestamp().to_string());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expires at") && stderr.contains("make a new one soon"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Bitbucket

#[test]
fn bitbucket_fill_mints_an_expiring_token_once_with_the_askpass_password() {
    let env = Env::new();
    let emulator = patkit::bitbucket::emulator::Emulator::new();
    emulator.add_user("alice", PASSWORD);
    let server = env.runtime.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
    let host = server.local_addr().to_string();
    let askpass = env.askpass();
    let fill_with = |extra: &str| {
        fields(&env.git(
            "fill",
            &format!("--provider bitbucket --host {host} --lifetime 30d {extra}"),
            &[],
            &[("GIT_ASKPASS", askpass.to_str().unwrap())],
            &format!("protocol=http\nhost={host}\nusername=alice\n\n"),
        ))
    };
    let fill = || fill_with("");
    let first = fill();
    let tokens = emulator.snapshot().tokens;
    assert_eq!(tokens.len(), 1);
    assert_eq!((tokens[0].owner.as_str(), tokens[0].expiry_days), ("alice", Some(30)));
    assert_eq!(tokens[0].permissions, vec!["REPO_WRITE".to_owned()]);
    assert_ne!(first["password"], PASSWORD);
    let expiry: i64 = first["password_expiry_utc"].parse().unwrap();
    let days = (expiry - Utc::now().timestamp()) / 86_400;
    assert!((29..=30).contains(&days), "expires in about 30 days: {days}");
    assert_eq!(fill()["password"], first["password"], "stored and reused");
    assert_eq!((env.asked(), emulator.snapshot().tokens.len()), (1, 1));

    // Inside --renew-within the token is replaced: a new one stored, the old one deleted.
    let renewed = fill_with("--renew-within 40d");
    assert_ne!(renewed["password"], first["password"]);
    let tokens = emulator.snapshot().tokens;
    assert_eq!(tokens.len(), 1, "the old token was deleted: {tokens:?}");
    assert!(renewed["password"].len() > 8);
    assert_eq!(env.asked(), 2, "the password was asked once more, for the replacement");
}

// ---------------------------------------------------------------------------------------------
// Canaries

#[test]
fn no_password_or_token_reaches_patctl_output_even_verbose() {
    let f = Gitea::new();
    let askpass = f.env.askpass();
    let host = f.host();
    let store = f.env.store_dir();
    let env = [("PATKIT_ASKPASS", askpass.to_str().unwrap())];
    let common = ["--provider", "gitea", "--host", host.as_str(), "--user", "alice", "--verbose", "--yes"];
    let store_arg = ["--store", store.to_str().unwrap()];
    let (code, create_out, create_err) = f.env.patctl(
        &cat(&cat(&common, &store_arg), &["create", "canary", "--scopes", "read:repository", "--store-as", "canary"]),
        &env,
    );
    assert_eq!(code, 0, "{create_err}");
    let stored = f.env.runtime.block_on(f.env.store().get("canary")).unwrap().expect("stored");
    let token = stored.secret.expose_secret().to_owned();
    let (_, list_out, list_err) = f.env.patctl(&cat(&common, &["list", "--json"]), &env);
    let (_, scan_out, scan_err) = f.env.patctl(&cat(&cat(&common, &store_arg), &["scan", "--all"]), &env);
    for text in [&create_out, &create_err, &list_out, &list_err, &scan_out, &scan_err] {
        assert!(!text.contains(&token), "the token leaked: {text}");
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
    }
    assert!(create_err.contains("patctl"), "--verbose wrote diagnostics: {create_err}");
    assert!(scan_out.contains("canary"), "{scan_out}");
}
