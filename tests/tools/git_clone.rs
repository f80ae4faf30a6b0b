//! End to end: a real `git clone` and `git fetch` over HTTP from a loopback git server that
//! accepts only PATs the emulator says work, with `git-credential-patkit` minting, reusing,
//! and — after the PAT is revoked behind its back — erasing, revoking and re-minting them.
//!
//! The git server is git's "dumb" HTTP protocol (static files of a bare repository, after
//! `git update-server-info`) behind Basic authentication, served by a few lines of tokio: every
//! request's password is checked with `AzureDevOpsClient::check_pat` against the emulator.

#![cfg(all(unix, feature = "emulator", feature = "reqwest"))]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::tools_support::{helper_binary, shell_quote};
use base64::Engine as _;
use patkit::PatSecret;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, EmulatorServer};
use patkit::azure::operations as op;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const REPO_PATH: &str = "/fabrikam/app/_git/app";

/// Counts of what the git server saw.
#[derive(Default)]
struct Seen {
    accepted: AtomicU64,
    refused: AtomicU64,
}

/// Serves `repo` (a bare repository) under [`REPO_PATH`], asking for Basic auth and accepting a
/// request only if its password is a PAT `checker` accepts.
async fn serve_git(listener: TcpListener, repo: PathBuf, checker: AzureDevOpsClient, seen: Arc<Seen>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { return };
        let (repo, checker, seen) = (repo.clone(), checker.clone(), seen.clone());
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let password = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("Authorization: Basic ").or_else(|| l.strip_prefix("authorization: Basic "))
                })
                .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|pair| pair.split_once(':').map(|(_, p)| p.to_owned()));
            let authorized = match password {
                Some(p) => checker.check_pat(&PatSecret::new(p)).await.unwrap_or(false),
                None => false,
            };
            let response = if !authorized {
                seen.refused.fetch_add(1, Ordering::SeqCst);
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"patkit test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            } else {
                seen.accepted.fetch_add(1, Ordering::SeqCst);
                let path = target.split('?').next().unwrap_or("");
                let file = path
                    .strip_prefix(REPO_PATH)
                    .map(|rel| rel.trim_start_matches('/'))
                    .filter(|rel| !rel.split('/').any(|c| c == ".."))
                    .and_then(|rel| std::fs::read(repo.join(rel)).ok());
                match file {
                    Some(body) => {
                        let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                        r.extend_from_slice(&body);
                        r
                    }
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                }
            };
            let _ = stream.write_all(&response).await;
            let _ = stream.shutdown().await;
        });
    }
}

struct World {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    api: Option<EmulatorServer>,
    alice: EmulatedUser,
    git_host: String,
    home: tempfile::TempDir,
    seen: Arc<Seen>,
}

impl World {
    fn new() -> Self {
        let helper = helper_binary();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let api = runtime.block_on(emulator.serve("127.0.0.1:0".parse().unwrap())).unwrap();
        let home = tempfile::tempdir().unwrap();

        // A bare repository with one commit, readable over dumb HTTP.
        let work = home.path().join("work");
        let bare = home.path().join("app.git");
        let git = |dir: &Path, args: &[&str]| run_git(home.path(), dir, args, "", None);
        std::fs::create_dir_all(&work).unwrap();
        assert!(git(&work, &["init", "-q", "-b", "main"]).status.success());
        std::fs::write(work.join("README"), "hello from the emulator\n").unwrap();
        assert!(git(&work, &["add", "README"]).status.success());
        assert!(
            git(&work, &["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first"])
                .status
                .success()
        );
        assert!(
            git(home.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()])
                .status
                .success()
        );
        assert!(git(&bare, &["update-server-info"]).status.success());

        let checker =
            AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build().unwrap();
        let seen = Arc::new(Seen::default());
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let git_host = listener.local_addr().unwrap().to_string();
        runtime.spawn(serve_git(listener, bare, checker, seen.clone()));

        let helper = format!(
            "!{} --store {} --host {git_host} --api-url {} --revoke-on-erase",
            shell_quote(helper.to_str().unwrap()),
            shell_quote(home.path().join("store").to_str().unwrap()),
            api.base_url()
        );
        std::fs::write(
            home.path().join("gitconfig"),
            format!(
                "[credential]\n\thelper = \"{}\"\n\tuseHttpPath = true\n",
                helper.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        )
        .unwrap();
        Self { runtime, emulator, api: Some(api), alice, git_host, home, seen }
    }

    fn url(&self) -> String {
        format!("http://{}{REPO_PATH}", self.git_host)
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let output = run_git(self.home.path(), dir, args, "", Some(self.alice.bearer.expose_secret()));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(self.alice.bearer.expose_secret()));
        output
    }

    fn creates(&self) -> u64 {
        self.emulator.requests_seen(op::CREATE)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(api) = self.api.take() {
            self.runtime.block_on(api.shutdown());
        }
    }
}

fn run_git(home: &Path, dir: &Path, args: &[&str], input: &str, token: Option<&str>) -> Output {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("PATKIT_GIT_CREDENTIAL", "env")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(token) = token {
        command.env("AZURE_DEVOPS_ENTRA_TOKEN", token);
    }
    let mut child = command.spawn().expect("git is installed");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn clone_and_fetch_with_minted_pats_survive_a_revocation() {
    let w = World::new();
    let dest = w.home.path().join("clone");

    // Clone: git is refused, asks the helper, which mints a PAT the server accepts.
    let clone = w.git(w.home.path(), &["clone", "-q", &w.url(), dest.to_str().unwrap()]);
    assert!(clone.status.success(), "clone failed: {}", String::from_utf8_lossy(&clone.stderr));
    assert_eq!(std::fs::read_to_string(dest.join("README")).unwrap(), "hello from the emulator\n");
    assert_eq!(w.creates(), 1);
    assert!(w.seen.refused.load(Ordering::SeqCst) > 0, "git first tried without credentials");
    assert!(w.seen.accepted.load(Ordering::SeqCst) > 0);
    let first = w.emulator.snapshot().tokens[0].id.clone();

    // Fetch: the stored PAT is reused.
    let fetch = w.git(&dest, &["fetch", "-q"]);
    assert!(fetch.status.success(), "{}", String::from_utf8_lossy(&fetch.stderr));
    assert_eq!(w.creates(), 1);

    // The PAT is revoked behind the helper's back: git's next fetch is refused, git tells the
    // helper to erase it, and the helper forgets it.
    let alice =
        AzureDevOpsClient::builder("fabrikam", w.alice.credential()).transport(w.emulator.clone()).build().unwrap();
    w.runtime.block_on(alice.revoke(&first)).unwrap();
    let refused = w.git(&dest, &["fetch", "-q"]);
    assert!(!refused.status.success(), "a revoked PAT must not work");
    let store_dir = w.home.path().join("store");
    let stored = w.runtime.block_on(async {
        use patkit::TokenStore as _;
        patkit::store::FileTokenStore::open(&store_dir).await.unwrap().list().await.unwrap()
    });
    assert!(stored.is_empty(), "git's erase made the helper forget the refused PAT");

    // The next fetch mints a new PAT and works again.
    let again = w.git(&dest, &["fetch", "-q"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(w.creates(), 2);
}
