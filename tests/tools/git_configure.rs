//! `git-credential-patkit configure` / `unconfigure`, checked with the real `git`: the config
//! file before and after, `--global` (HOME and XDG_CONFIG_HOME in a temporary directory, no
//! system config) and `--local` (a temporary repository), and a fill/approve/reject cycle through
//! the configured helper against the emulator over loopback HTTP, where a `store` helper
//! configured earlier must not get the minted PAT.

#![cfg(all(unix, feature = "emulator", feature = "reqwest"))]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::tools_support::helper_binary;
use crate::tools_support::interpose::{Interposer, only_token};
use patkit::azure::emulator::{EmulatedUser, Emulator};

/// A temporary HOME (and XDG_CONFIG_HOME) for git and the helper.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn gitconfig(&self) -> PathBuf {
        self.path().join(".gitconfig")
    }

    fn read_gitconfig(&self) -> Option<String> {
        std::fs::read_to_string(self.gitconfig()).ok()
    }

    /// `program args` in `cwd` with only this HOME's configuration, fed `input`.
    fn command(&self, program: &Path, args: &[&str], cwd: &Path, env: &[(&str, &str)], input: &str) -> Output {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("xdg"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .current_dir(cwd)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn helper(&self, args: &[&str]) -> Output {
        self.helper_in(self.path(), args)
    }

    fn helper_in(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(&helper_binary(), args, cwd, &[], "")
    }

    fn git(&self, cwd: &Path, args: &[&str]) -> String {
        let output = self.command(Path::new("git"), args, cwd, &[], "");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Every value of `key` in `scope`, in order (none: empty).
    fn values(&self, cwd: &Path, scope: &str, key: &str) -> Vec<String> {
        let output = self.command(Path::new("git"), &["config", scope, "--get-all", key], cwd, &[], "");
        String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
    }
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The helper value `configure` writes: `!` and this helper's absolute path, then `extra`.
fn our_value(extra: &str) -> String {
    let path = helper_binary().canonicalize().unwrap();
    let path = path.to_str().unwrap();
    assert!(!path.contains([' ', '\'']), "the test expects a path that needs no quoting: {path}");
    if extra.is_empty() { format!("!{path}") } else { format!("!{path} {extra}") }
}

const SOMEONE_ELSES: &str = "[user]\n\tname = Someone\n[credential]\n\thelper = cache --timeout 60\n";

#[test]
fn configure_global_writes_the_reset_our_helper_and_use_http_path_and_unconfigure_restores_the_file() {
    let home = Home::new();
    std::fs::write(home.gitconfig(), SOMEONE_ELSES).unwrap();
    let before = home.git(home.path(), &["config", "--global", "--list"]);

    let report = ok(&home.helper(&["configure", "--", "--lifetime", "7d", "--scopes", "vso.code vso.packaging"]));
    let extra = "--lifetime 7d --scopes 'vso.code vso.packaging'";
    assert!(report.contains("credential.https://dev.azure.com.helper"), "{report}");
    for url in ["https://dev.azure.com", "https://*.visualstudio.com"] {
        assert_eq!(
            home.values(home.path(), "--global", &format!("credential.{url}.helper")),
            ["".to_owned(), our_value(extra)],
            "{url}: the reset, then this helper"
        );
    }
    assert_eq!(home.values(home.path(), "--global", "credential.https://dev.azure.com.useHttpPath"), ["true"]);
    assert!(
        home.values(home.path(), "--global", "credential.https://*.visualstudio.com.useHttpPath").is_empty(),
        "the organization is in the host there"
    );
    let written = home.read_gitconfig().unwrap();
    assert!(written.starts_with(SOMEONE_ELSES), "what was there stays, first: {written}");
    assert!(written.contains("[credential \"https://dev.azure.com\"]\n\thelper = \n\thelper = !"), "{written}");
    // git resolves the helper for an organization's URL (the wildcard matches).
    let for_org = home
        .git(home.path(), &["config", "--get-urlmatch", "credential.helper", "https://fabrikam.visualstudio.com/p"]);
    assert_eq!(for_org.trim_end(), our_value(extra));

    // Running it again changes nothing.
    ok(&home.helper(&["configure", "--", "--lifetime", "7d", "--scopes", "vso.code vso.packaging"]));
    assert_eq!(home.read_gitconfig().unwrap(), written, "configure is not idempotent");

    let report = ok(&home.helper(&["unconfigure"]));
    assert!(report.contains("removed credential.https://dev.azure.com.helper"), "{report}");
    assert_eq!(home.git(home.path(), &["config", "--global", "--list"]), before);
    assert_eq!(home.read_gitconfig().unwrap(), SOMEONE_ELSES, "unconfigure left something behind");
    let again = ok(&home.helper(&["unconfigure", "--global"]));
    assert!(again.contains("nothing to remove"), "{again}");
}

#[test]
fn configure_global_writes_the_xdg_config_when_that_is_the_one_in_use() {
    let home = Home::new();
    let xdg = home.path().join("xdg/git/config");
    std::fs::create_dir_all(xdg.parent().unwrap()).unwrap();
    std::fs::write(&xdg, "[user]\n\tname = Someone\n").unwrap();
    ok(&home.helper(&["configure", "--global"]));
    assert!(home.read_gitconfig().is_none(), "~/.gitconfig was created");
    let text = std::fs::read_to_string(&xdg).unwrap();
    assert!(text.contains("[credential \"https://dev.azure.com\"]"), "{text}");
    ok(&home.helper(&["unconfigure", "--global"]));
    assert_eq!(std::fs::read_to_string(&xdg).unwrap(), "[user]\n\tname = Someone\n");
}

#[test]
fn configure_local_writes_only_the_repository_config() {
    let home = Home::new();
    let repo = home.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    home.git(&repo, &["init", "-q"]);
    let local_config = repo.join(".git/config");
    let before = std::fs::read_to_string(&local_config).unwrap();

    ok(&home.helper_in(&repo, &["configure", "--local", "--host", "ado.example.test"]));
    let key = "credential.https://ado.example.test.helper";
    assert_eq!(home.values(&repo, "--local", key), ["".to_owned(), our_value("--host ado.example.test")]);
    assert_eq!(home.values(&repo, "--local", "credential.https://ado.example.test.useHttpPath"), ["true"]);
    assert!(
        home.values(&repo, "--local", "credential.https://dev.azure.com.helper").is_empty(),
        "with --host, only that host is set up"
    );
    assert!(home.read_gitconfig().is_none(), "the global config was written");

    ok(&home.helper_in(&repo, &["unconfigure", "--local"]));
    assert_eq!(std::fs::read_to_string(&local_config).unwrap(), before);
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let home = Home::new();
    let outside = home.path().join("not-a-repo");
    std::fs::create_dir(&outside).unwrap();
    let run = home.helper_in(&outside, &["configure", "--local"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("inside a git repository"));

    let run = home.helper(&["configure", "--", "--lifetime", "forever"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--lifetime") && stderr.contains("nothing was written"), "{stderr}");

    let run = home.helper(&["configure", "--host", "https://ado.example.test/x"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(home.read_gitconfig().is_none(), "something was written");
    assert!(!outside.join(".git").exists());
}

/// After `configure --host` (the emulator on loopback), git asks only this helper: it mints a PAT
/// (the organization from the path, which `useHttpPath` makes git send), `approve` does not give
/// the PAT to the `store` helper configured before, and `reject` has it forgotten. Without the
/// reset line, the same `store` helper writes the PAT to disk in clear text.
#[test]
fn a_configured_git_asks_only_this_helper_and_no_other_helper_keeps_the_pat() {
    let home = Home::new();
    let plain = home.path().join("plain-credentials");
    std::fs::write(home.gitconfig(), format!("[credential]\n\thelper = store --file {}\n", plain.display())).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice: EmulatedUser = emulator.add_user("Alice");
    let server = runtime.block_on(Interposer::start(emulator.clone()));
    let store = home.path().join("pats");

    ok(&home.helper(&["configure", "--host", &server.host(), "--", "--store", store.to_str().unwrap()]));
    assert_eq!(
        home.values(home.path(), "--global", &format!("credential.http://{}.useHttpPath", server.host())),
        ["true"]
    );

    let bearer = alice.bearer.expose_secret().to_owned();
    let env = [("AZURE_DEVOPS_ENTRA_TOKEN", bearer.as_str()), ("PATKIT_GIT_CREDENTIAL", "env")];
    let request = format!("protocol=http\nhost={}\npath=fabrikam/app/_git/app\n\n", server.host());
    let credential =
        |action: &str, input: &str| home.command(Path::new("git"), &["credential", action], home.path(), &env, input);

    let filled = credential("fill", &request);
    let answer = ok(&filled);
    let password = answer.lines().find_map(|l| l.strip_prefix("password=")).expect("a password").to_owned();
    let token = only_token(&emulator);
    assert!(token.display_name.starts_with("git-credential-patkit "), "minted by the helper: {token:?}");
    assert!(!token.revoked);

    ok(&credential("approve", &answer));
    assert!(
        !plain.exists() || !std::fs::read_to_string(&plain).unwrap().contains(&password),
        "the store helper configured before kept the minted PAT"
    );
    let again = ok(&credential("fill", &request));
    assert!(again.contains(&format!("password={password}\n")), "the stored PAT is reused");
    assert_eq!(emulator.snapshot().tokens.len(), 1);

    ok(&credential("reject", &answer));
    let after_reject = ok(&credential("fill", &request));
    assert!(!after_reject.contains(&password), "the rejected PAT was handed out again");
    assert_eq!(emulator.snapshot().tokens.len(), 2, "a new PAT was minted after the reject");

    // The control: our helper added without the reset, and the `store` helper gets the PAT.
    ok(&home.helper(&["unconfigure"]));
    let helper = format!("{} --store {} --host {}", our_value(""), store.display(), server.host());
    home.git(
        home.path(),
        &["config", "--global", "--add", &format!("credential.http://{}.helper", server.host()), &helper],
    );
    home.git(home.path(), &["config", "--global", &format!("credential.http://{}.useHttpPath", server.host()), "true"]);
    let answer = ok(&credential("fill", &request));
    ok(&credential("approve", &answer));
    let password = answer.lines().find_map(|l| l.strip_prefix("password=")).unwrap();
    assert!(
        std::fs::read_to_string(&plain).unwrap().contains(password),
        "without the reset another helper keeps the PAT (the test would not see the difference)"
    );
}
