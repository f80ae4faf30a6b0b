//! A Gitea / Forgejo access-token service emulator, in process and over loopback HTTP, built on
//! [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §3.11).
//!
//! An in-memory model of one instance — users with a password (kept as a salted digest), site
//! admins, two-factor accounts (the valid one-time code, also a salted digest), repositories,
//! access tokens (only a SHA-256 digest of each secret is kept), an injected [`Clock`] — speaking
//! the REST API under `/api/v1`, as Gitea or as Forgejo ([`Flavor`]). Two ways in:
//!
//! - in process: [`Emulator`] implements [`HttpTransport`], no sockets; it routes on the path
//!   and ignores scheme and host (except to write them into the `url` of error bodies);
//! - over loopback HTTP: [`Emulator::serve`] returns an [`EmulatorServer`]; point a client at
//!   `{base_url}/api/v1`.
//!
//! | Path (under `/api/v1`) | Method | Operation ([`operations`]) |
//! |---|---|---|
//! | `/users/{username}/tokens` | GET list (`page`, `limit` ≤ 50, `X-Total-Count`, no `Link`) | `gitea_token_list` |
//! | `/users/{username}/tokens` | POST create (201, the secret in `sha1`) | `gitea_token_create` |
//! | `/users/{username}/tokens/{id or name}` | DELETE (204; 404; 422 for an ambiguous name) | `gitea_token_delete` |
//! | `/user` | GET the caller (`read:user` for a token) | `gitea_user` |
//! | `/admin/users` | GET every user (site admins; `read:admin` for a token) | `gitea_admin_users` |
//! | `/users/search` | GET (`q`: login, full name; the whole email for site admins) → `{ok, data}` | `gitea_user_search` |
//! | `/users/{username}/keys`, `…/gpg_keys` | GET (paged like the token list) | `gitea_user_keys`, `gitea_user_gpg_keys` |
//! | `/version` (Forgejo also `/api/forgejo/v1/version`) | GET | `gitea_version` |
//!
//! The behaviours of §3.11:
//!
//! 1. token management takes only Basic `user:password`: a token — `Authorization: token …`,
//!    `Bearer …`, Basic with the token as password (or as user name with an empty or
//!    `x-oauth-basic` password), `?token=`, `?access_token=` — gets 401 `auth required`;
//! 2. a two-factor account ([`Emulator::set_one_time_code`]) must send its code in
//!    `X-Gitea-OTP` (Forgejo: `X-Forgejo-OTP`), on every Basic password login;
//! 3. `{username}` must be the caller unless the caller is a site admin: 403 `doer should be
//!    the site admin or be same as the contextUser`;
//! 4. create answers 201 with `sha1` = 40 lowercase hex and `token_last_eight`; lists answer
//!    `sha1: ""`;
//! 5. names are unique per user: 400 `access token name has been used already`;
//! 6. scopes are checked against the vocabulary of §3.7 (400 `invalid access token scope
//!    provided: …`), an empty set is 400 `access token must have a scope`, and a stored set is
//!    normalized (implied reads dropped, every write becomes `all`);
//! 7. delete by numeric id or by name → 204, 404 when missing, 422 when the name is ambiguous;
//! 8. no expiry and no rotate: a token works until it is deleted or its user is
//!    ([`Emulator::delete_user`]);
//! 9. `page`/`limit` (default 30, at most 50, both configurable: [`Emulator::set_page_sizes`])
//!    with `X-Total-Count` and no `Link`;
//! 10. a token authenticates other routes through any of the spellings of #1.
//!
//! Where the sheet marks an answer **unverified** or says nothing, the emulator picked one and
//! says so where it is made (the refusals in one place, each with its pick): one 401 message
//! for a wrong password and an unknown user (`invalid username, password or token`); 401
//! `invalid provided OTP` for a missing or wrong code; no credential on token management is
//! 401 `auth required`; an unknown token counts as no credential; a missing `name` is 422
//! `[Name]: Required`; lists come newest first (by creation time, then id); a one-time code
//! stays valid until the test changes it; Forgejo accepts only its own OTP header. Not
//! modelled: reverse-proxy authentication, `Sudo`, OAuth2 applications, Gitea Actions task
//! tokens, and every route beyond the table above.
//!
//! Faults ([`Fault`], [`FaultRule`]) are scripted by [`operations`] name; the emulator names each
//! request from its method and path alone, so it cannot agree with a client by construction.
//!
//! ```
//! use patkit::gitea::emulator::Emulator;
//! use patkit::transport::HttpTransport;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = Emulator::gitea();
//! let alice = emulator.add_user("alice", "correct horse");
//! emulator.set_one_time_code(alice.id, Some("123456"));
//!
//! let basic = base64_basic("alice", "correct horse");
//! let request = http::Request::post("https://gitea.example/api/v1/users/alice/tokens")
//!     .header("authorization", &basic)
//!     .header("x-gitea-otp", "123456")
//!     .header("content-type", "application/json")
//!     .body(br#"{"name":"ci","scopes":["write:repository"]}"#.to_vec())
//!     .unwrap();
//! let response = emulator.send(request).await.unwrap();
//! assert_eq!(response.status(), 201);
//! let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
//! let secret = body["sha1"].as_str().unwrap();
//! assert_eq!(secret.len(), 40);
//! assert_eq!(emulator.snapshot().tokens_of(alice.id)[0].name, "ci");
//!
//! // The new token authenticates `GET /user`, but cannot manage tokens.
//! let me = http::Request::get("https://gitea.example/api/v1/user")
//!     .header("authorization", format!("token {secret}"))
//!     .body(Vec::new())
//!     .unwrap();
//! assert_eq!(emulator.send(me).await.unwrap().status(), 403, "write:repository lacks read:user");
//! let list = http::Request::get("https://gitea.example/api/v1/users/alice/tokens")
//!     .header("authorization", format!("token {secret}"))
//!     .body(Vec::new())
//!     .unwrap();
//! assert_eq!(emulator.send(list).await.unwrap().status(), 401);
//! # });
//! # fn base64_basic(user: &str, password: &str) -> String {
//! #     use base64::Engine as _;
//! #     format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
//! # }
//! ```

// Test doubles answer whole HTTP responses; the handlers return refusals as values.
#![allow(clippy::result_large_err)]

mod auth;
mod dispatch;
mod facts;
mod listing;
pub mod operations;
mod routes;
mod scopes;
mod setup;
mod state;
#[cfg(test)]
mod tests;
mod tokens;
mod users;
mod wire;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

pub use crate::testing::emulator_kit::{Fault, FaultRule, LoopbackServer as EmulatorServer, RequestLog, Schedule};
pub use setup::{
    EmulatedUser, Flavor, RepositorySnapshot, SeedToken, SeededToken, Snapshot, TokenSnapshot, UserSnapshot,
};

use crate::clock::{Clock, SystemClock};
use crate::secret::PatSecret;
use crate::testing::emulator_kit::{self, Harness};
#[cfg(doc)]
use crate::transport::HttpTransport;
use crate::transport::Operation;
use state::{Salted, State, TokenEntry, is_token_shaped, mint_secret};

/// The path every route lives under.
pub const BASE_PATH: &str = wire::BASE_PATH;

/// The emulated instance. Clones share one state; every set-up method takes `&self` and may be
/// called while the emulator is serving.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    flavor: Flavor,
    harness: Harness,
    state: Mutex<State>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Emulator")
            .field("flavor", &self.inner.flavor)
            .field("clock", self.inner.harness.clock())
            .field("users", &state.users.len())
            .field("tokens", &state.tokens().len())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// An empty Gitea instance on the system clock.
    pub fn gitea() -> Self {
        Self::new(Flavor::Gitea)
    }

    /// An empty Forgejo instance on the system clock.
    pub fn forgejo() -> Self {
        Self::new(Flavor::Forgejo)
    }

    /// An empty instance of `flavor` on the system clock.
    pub fn new(flavor: Flavor) -> Self {
        Self::with_clock(flavor, Arc::new(SystemClock))
    }

    /// An empty instance of `flavor` whose "now" comes from `clock` (e.g. a
    /// [`ManualClock`](crate::ManualClock)): `created_at` and `last_used_at`. Tokens never
    /// expire, however far the clock moves.
    pub fn with_clock(flavor: Flavor, clock: Arc<dyn Clock>) -> Self {
        Self { inner: Arc::new(Inner { flavor, harness: Harness::new(clock), state: Mutex::new(State::default()) }) }
    }

    /// Which forge it plays.
    pub fn flavor(&self) -> Flavor {
        self.inner.flavor
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.harness.now()
    }

    /// Serves the emulator on `addr` (port 0 picks a free port) on the current tokio runtime;
    /// the API is at `{base_url}/api/v1`.
    ///
    /// # Errors
    ///
    /// When `addr` cannot be bound.
    pub async fn serve(&self, addr: std::net::SocketAddr) -> std::io::Result<EmulatorServer> {
        emulator_kit::serve(self.clone(), addr).await
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the model half-written in a way that
        // matters to tests; keep serving.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, username: &str, admin: bool, password: Option<&str>) -> EmulatedUser {
        let now = self.now();
        let mut state = self.lock();
        assert!(state.find_user(username).is_none(), "add_user: {username} exists");
        let id = state.add_user(username, admin, password, now);
        EmulatedUser { id, username: username.to_owned() }
    }

    /// Sets a user's full name and primary email (defaults: empty, and
    /// `{username}@noreply.localhost`).
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_user_identity(&self, user: u64, full_name: &str, email: &str) {
        let mut state = self.lock();
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("set_user_identity: unknown user {user}"));
        full_name.clone_into(&mut entry.full_name);
        email.clone_into(&mut entry.email);
    }

    /// Adds an SSH key (`key`: public key text, answered as given; `fingerprint` as Gitea spells
    /// it, `SHA256:…`) to a user; returns its id.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn add_ssh_key(&self, user: u64, title: &str, key: &str, fingerprint: &str) -> u64 {
        self.add_key(user, false, title, key, fingerprint)
    }

    /// Adds a GPG key (`key_id`: its 16-hex-digit key id) to a user; returns its id.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn add_gpg_key(&self, user: u64, key_id: &str, armored: &str) -> u64 {
        self.add_key(user, true, "", armored, key_id)
    }

    fn add_key(&self, user: u64, gpg: bool, title: &str, key: &str, fingerprint: &str) -> u64 {
        let now = self.now();
        let mut state = self.lock();
        state.last_key += 1;
        let id = state.last_key;
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("add_key: unknown user {user}"));
        let key = state::KeyEntry {
            id,
            title: title.to_owned(),
            key: key.to_owned(),
            fingerprint: fingerprint.to_owned(),
            created_at: now,
        };
        if gpg {
            entry.gpg_keys.push(key)
        } else {
            entry.ssh_keys.push(key)
        }
        id
    }

    /// Adds a regular user who logs in with `password` (only a salted digest of it is kept).
    ///
    /// # Panics
    ///
    /// If the login name is taken (case-insensitively).
    pub fn add_user(&self, username: &str, password: &str) -> EmulatedUser {
        self.add(username, false, Some(password))
    }

    /// Adds a site administrator, who may list, create and delete any user's tokens.
    ///
    /// # Panics
    ///
    /// If the login name is taken (case-insensitively).
    pub fn add_admin(&self, username: &str, password: &str) -> EmulatedUser {
        self.add(username, true, Some(password))
    }

    /// Adds a user without a local password (an SSO-only account, §3.9): no Basic login works,
    /// so the token API is out of reach for them, though their tokens still authenticate.
    ///
    /// # Panics
    ///
    /// If the login name is taken (case-insensitively).
    pub fn add_sso_user(&self, username: &str) -> EmulatedUser {
        self.add(username, false, None)
    }

    /// Changes a user's password (a password change does not touch their tokens).
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_password(&self, user: u64, password: &str) {
        let mut state = self.lock();
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("set_password: unknown user {user}"));
        entry.password = Some(Salted::new(password));
    }

    /// Turns two-factor authentication on with `code` as the one-time code that is valid now
    /// (`None`: off). Every Basic password login of the user then needs the code in the
    /// flavour's header ([`Flavor::otp_header`]); token logins do not. The code stays valid
    /// until this is called again (a test's stand-in for the authenticator's clock).
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_one_time_code(&self, user: u64, code: Option<&str>) {
        let mut state = self.lock();
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("set_one_time_code: unknown user {user}"));
        entry.otp = code.map(Salted::new);
    }

    /// Deletes a user and every one of their tokens (§3.11 #8); `false` if there was no such
    /// user.
    pub fn delete_user(&self, user: u64) -> bool {
        self.lock().delete_user(user)
    }

    /// Adds a repository `owner/name` (Forgejo's repository-specific tokens name repositories);
    /// returns its id.
    pub fn add_repository(&self, owner: &str, name: &str) -> u64 {
        self.lock().add_repo(owner, name)
    }

    /// `[service] ENABLE_BASIC_AUTH` (on by default, §3.2): when off, a Basic header counts as
    /// no credential, so token management is impossible by API.
    pub fn set_basic_auth_enabled(&self, enabled: bool) {
        self.lock().settings.basic_auth = enabled;
    }

    /// Whether `?token=` / `?access_token=` authenticate (on by default; deprecated in 1.23 and
    /// can be disabled, §3.2). When off they are ignored.
    pub fn set_query_tokens_enabled(&self, enabled: bool) {
        self.lock().settings.query_tokens = enabled;
    }

    /// `[api] DEFAULT_PAGING_NUM` and `MAX_RESPONSE_ITEMS` (30 and 50 by default, §3.5; an
    /// instance may configure both). A client that asks for more than the maximum gets pages of
    /// the maximum, so "a page shorter than my `limit` is the last" is wrong there: page by
    /// `X-Total-Count`, or until an empty page.
    ///
    /// # Panics
    ///
    /// If either is 0, or the default exceeds the maximum.
    pub fn set_page_sizes(&self, default: usize, max: usize) {
        assert!(default > 0 && default <= max, "set_page_sizes: need 0 < default <= max");
        let mut state = self.lock();
        state.settings.default_page = default;
        state.settings.max_page = max;
    }

    /// Puts a token for `user` into the instance directly (no request and no validation, so a
    /// test can start from two tokens of the same name).
    ///
    /// # Panics
    ///
    /// If the user is unknown, or a given secret is not 40 lowercase hex or is in use.
    pub fn seed_token(&self, user: u64, seed: SeedToken) -> SeededToken {
        let now = self.now();
        let mut state = self.lock();
        assert!(state.users.contains_key(&user), "seed_token: unknown user {user}");
        let secret = seed.secret.unwrap_or_else(|| PatSecret::new(mint_secret()));
        assert!(is_token_shaped(secret.expose_secret()), "seed_token: the secret must be 40 lowercase hex");
        assert!(state.token_by_secret(secret.expose_secret()).is_none(), "seed_token: that secret is in use");
        let created_at = seed.created_at.unwrap_or(now);
        let entry = TokenEntry {
            id: 0,
            user_id: user,
            name: seed.name,
            scopes: seed.scopes,
            last_eight: String::new(),
            created_at,
            last_used_at: seed.last_used_at.unwrap_or(created_at),
            repositories: Vec::new(),
        };
        let id = state.insert_token(entry, secret.expose_secret());
        SeededToken { id, secret, user_id: user }
    }

    /// Everything the instance holds, without any secret, password or one-time code.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            users: state.users.values().map(State::user_snapshot).collect(),
            tokens: state.tokens().values().map(State::token_snapshot).collect(),
            repositories: state.repos.values().map(State::repo_snapshot).collect(),
        }
    }

    /// One token, without its secret.
    pub fn token(&self, id: u64) -> Option<TokenSnapshot> {
        self.lock().tokens().get(&id).map(State::token_snapshot)
    }

    /// Scripts a fault. Rules are checked in the order they were added.
    pub fn inject(&self, rule: FaultRule) {
        self.inner.harness.inject(rule);
    }

    /// Removes every scripted fault.
    pub fn clear_faults(&self) {
        self.inner.harness.clear_faults();
    }

    /// How many requests of `operation` reached the emulator (faulted ones included).
    pub fn requests_seen(&self, operation: Operation) -> u64 {
        self.inner.harness.requests_seen(operation.name())
    }

    /// A copy of the request log.
    pub fn request_log(&self) -> RequestLog {
        self.inner.harness.request_log()
    }
}
