//! A Bitbucket Data Center HTTP access-token service emulator, in process and over loopback HTTP,
//! built on [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §5.10).
//!
//! An in-memory model of one Bitbucket instance — users (only a SHA-256 digest of each password
//! is kept) and system administrators, personal HTTP access tokens (only a digest of each
//! secret), the administrator's expiry policy, an injected [`Clock`] — speaking the REST API
//! under `/rest`. Two ways in:
//!
//! - in process: [`Emulator`] implements [`HttpTransport`], no sockets; it routes on the path
//!   (anything before `/rest` is taken as the instance's context path) and ignores scheme and
//!   host;
//! - over loopback HTTP: [`Emulator::serve`] returns an [`EmulatorServer`]; point a client at
//!   its `base_url()`.
//!
//! | Path (version `1.0` or `latest`) | Methods |
//! |---|---|
//! | `/rest/access-tokens/{v}/users/{slug}` | GET list (`start`, `limit`), PUT create |
//! | `/rest/access-tokens/{v}/users/{slug}/{id}` | GET, POST update, DELETE (204) |
//! | `/rest/access-tokens/{v}/projects/{key}[/repos/{slug}]` | GET list, PUT create |
//! | `/rest/access-tokens/{v}/projects/{key}[/repos/{slug}]/{id}` | GET, POST update, DELETE |
//! | `/rest/api/{v}/users/{slug}`, `…/projects/{key}[/repos/{slug}]` | GET (how a token is checked) |
//! | `/rest/api/{v}/admin/users` | GET (`filter`: part of the username, display name or email; system admins) |
//! | `/rest/ssh/{v}/keys`, `/rest/gpg/{v}/keys` | GET (`user`: one's own, or anyone's for system admins) |
//!
//! The behaviours of §5.10 hold: PUT creates and POST updates name and permissions; create needs
//! HTTP Basic with the user's **password** (a token as Bearer or as the Basic password gets
//! 401); ids are 12-digit strings (random, one in ten with a leading zero, or seeded with
//! [`SeedToken::id`]); `createdDate` and `lastAuthenticated` are epoch milliseconds; `token` is
//! in the create answer only; permissions are validated with the sheet's messages
//! (`Tokens may not have the following permission: ADMIN`, `ACCOUNT_READ is not a valid
//! permission`) in the `{"errors":[{context,message,exceptionName}]}` shape; `expiryDays` is
//! optional, or required and capped by [`Emulator::set_expiry_policy`]; expired tokens stop
//! authenticating but stay listed (auto-deletion is unverified); paging with `size`, `limit`,
//! `start`, `isLastPage`, `nextPageStart` and a server cap on `limit`
//! ([`Emulator::set_max_page_limit`], default 100); the owner manages their tokens, a system
//! administrator lists, updates and deletes anyone's but creates for no one else; permission
//! failures are 401; an optional per-user token bucket answers 429
//! ([`Emulator::set_rate_limit`]).
//!
//! Where the sheet leaves the service's answer open the emulator picks the answer that is safer
//! for a client to be tested against, and says so:
//!
//! - an update carrying `expiryDays` is refused with 400 (context `expiryDays`), not ignored;
//! - tokens cannot authenticate *any* access-token route (only the password can), though the
//!   sheet leaves token auth for list/get/delete unverified;
//! - create answers 200; a 429 carries `Retry-After`; error texts the sheet does not quote are
//!   the emulator's own;
//! - project and repository tokens ([`Emulator::add_project`], [`Emulator::add_repository`],
//!   [`Emulator::add_project_admin`], [`Emulator::add_repository_admin`]) live in parallel
//!   namespaces with the same shapes; their administrators (or a system administrator) manage
//!   them with the password; repository tokens take `REPO_*` permissions only; they are
//!   Bearer-only and read only their project or repository; the Data Center license they need
//!   is assumed.
//!
//! Faults ([`Fault`], [`FaultRule`]) are scripted by [`operations`] name; the emulator names
//! each request from its method and path alone, so it cannot agree with a client by
//! construction.
//!
//! ```
//! use patkit::bitbucket::emulator::{Emulator, SeedToken};
//! use patkit::transport::HttpTransport;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = Emulator::new();
//! emulator.add_user("john.doe", "pw");
//! let seeded = emulator.seed_token("john.doe", SeedToken::new("ci", &["REPO_READ"]).id("075905477751"));
//!
//! let request = http::Request::get("https://bitbucket.example/rest/access-tokens/latest/users/john.doe")
//!     .header("authorization", "Basic am9obi5kb2U6cHc=") // john.doe:pw
//!     .body(Vec::new())
//!     .unwrap();
//! let response = emulator.send(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! let page: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
//! assert_eq!(page["values"][0]["id"], "075905477751");
//! assert!(page["values"][0].get("token").is_none());
//! assert_eq!(emulator.snapshot().token(&seeded.id).unwrap().name, "ci");
//! # });
//! ```

// The emulator's refusals are whole HTTP responses carried in `Err`; boxing them buys nothing in
// a test double and obscures the handlers.
#![allow(clippy::result_large_err)]

mod auth;
mod dispatch;
mod facts;
pub mod operations;
mod routes;
mod setup;
mod state;
mod tokens;
mod users;
mod wire;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

pub use crate::testing::emulator_kit::{Fault, FaultRule, LoopbackServer as EmulatorServer, RequestLog, Schedule};
pub use setup::{EmulatedUser, ExpiryPolicy, RateLimit, SeedToken, SeededToken, Snapshot, TokenSnapshot, UserSnapshot};

use crate::clock::{Clock, SystemClock};
use crate::secret::PatSecret;
use crate::testing::emulator_kit::{self, Harness};
#[cfg(doc)]
use crate::transport::HttpTransport;
use crate::transport::Operation;
use state::{Owner, State, TokenEntry, digest, mint_secret, to_millis};

/// The emulated instance. Clones share one state; every set-up method takes `&self` and may be
/// called while the emulator is serving.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    harness: Harness,
    state: Mutex<State>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Emulator")
            .field("clock", self.inner.harness.clock())
            .field("users", &state.users.len())
            .field("tokens", &state.tokens().len())
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Emulator {
    /// An empty instance on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty instance whose "now" comes from `clock` (e.g. a [`ManualClock`](crate::ManualClock)):
    /// `createdDate`, expiry, `lastAuthenticated` and the rate limiter's refill.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { inner: Arc::new(Inner { harness: Harness::new(clock), state: Mutex::new(State::default()) }) }
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.harness.now()
    }

    /// Serves the emulator on `addr` (port 0 picks a free port) on the current tokio runtime;
    /// the base URL for a client is the server's `base_url()`.
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

    /// Adds a user whose slug (and login name) is `slug`, with `password`.
    ///
    /// # Panics
    ///
    /// If the slug is taken.
    pub fn add_user(&self, slug: &str, password: &str) -> EmulatedUser {
        self.add(slug, password, false)
    }

    /// Sets a user's display name and email (defaults: the slug, and
    /// `{slug}@bitbucket.example`).
    ///
    /// # Panics
    ///
    /// If there is no such user.
    pub fn set_user_identity(&self, slug: &str, display_name: &str, email: &str) {
        let mut state = self.lock();
        let user = state.users.get_mut(slug).unwrap_or_else(|| panic!("set_user_identity: unknown user {slug}"));
        display_name.clone_into(&mut user.display_name);
        email.clone_into(&mut user.email);
    }

    /// Adds an SSH key (`text`: the public key, answered as given; `fingerprint` as the service
    /// spells it) to a user, created now; returns its id.
    ///
    /// # Panics
    ///
    /// If there is no such user.
    pub fn add_ssh_key(&self, slug: &str, label: &str, text: &str, fingerprint: &str) -> u64 {
        self.add_key(slug, false, label, text, fingerprint)
    }

    /// Adds a GPG key (`fingerprint`: its 40-hex-digit fingerprint) to a user; returns its id.
    ///
    /// # Panics
    ///
    /// If there is no such user.
    pub fn add_gpg_key(&self, slug: &str, text: &str, fingerprint: &str) -> u64 {
        self.add_key(slug, true, "", text, fingerprint)
    }

    fn add_key(&self, slug: &str, gpg: bool, label: &str, text: &str, fingerprint: &str) -> u64 {
        let now = self.now();
        let mut state = self.lock();
        state.last_key += 1;
        let id = state.last_key;
        let user = state.users.get_mut(slug).unwrap_or_else(|| panic!("add_key: unknown user {slug}"));
        let key = state::KeyEntry {
            id,
            label: label.to_owned(),
            text: text.to_owned(),
            fingerprint: fingerprint.to_owned(),
            created: now,
            last_authenticated: None,
        };
        if gpg {
            user.gpg_keys.push(key)
        } else {
            user.ssh_keys.push(key)
        }
        id
    }

    /// Adds a system administrator.
    ///
    /// # Panics
    ///
    /// If the slug is taken.
    pub fn add_admin(&self, slug: &str, password: &str) -> EmulatedUser {
        self.add(slug, password, true)
    }

    /// Changes the password of `slug` (a person changing it, or an administrator resetting it):
    /// logins with the old one are refused from now on.
    ///
    /// # Panics
    ///
    /// If there is no such user.
    pub fn set_password(&self, slug: &str, password: &str) {
        let mut state = self.lock();
        let user = state.users.get_mut(slug).unwrap_or_else(|| panic!("set_password: unknown user {slug}"));
        user.password = state::digest(password);
    }

    fn add(&self, slug: &str, password: &str, admin: bool) -> EmulatedUser {
        let mut state = self.lock();
        assert!(!state.users.contains_key(slug), "add_user: {slug} exists");
        let id = state.add_user(slug, password, admin);
        EmulatedUser { id, slug: slug.to_owned() }
    }

    /// Adds a project with the key `key` (no administrators yet).
    ///
    /// # Panics
    ///
    /// If the key is taken.
    pub fn add_project(&self, key: &str) {
        let mut state = self.lock();
        assert!(!state.projects.contains_key(key), "add_project: {key} exists");
        state.projects.insert(key.to_owned(), state::ProjectEntry::default());
    }

    /// Adds a repository `slug` to the project `key`.
    ///
    /// # Panics
    ///
    /// If the project is unknown or the slug taken.
    pub fn add_repository(&self, key: &str, slug: &str) {
        let mut state = self.lock();
        let project = state.projects.get_mut(key).unwrap_or_else(|| panic!("add_repository: unknown project {key}"));
        assert!(project.repos.insert(slug.to_owned(), Default::default()).is_none(), "add_repository: {slug} exists");
    }

    /// Makes `user` an administrator of the project `key` (they manage the project's and its
    /// repositories' tokens).
    ///
    /// # Panics
    ///
    /// If the project or user is unknown.
    pub fn add_project_admin(&self, key: &str, user: &str) {
        let mut state = self.lock();
        assert!(state.users.contains_key(user), "add_project_admin: unknown user {user}");
        let project = state.projects.get_mut(key).unwrap_or_else(|| panic!("add_project_admin: unknown project {key}"));
        project.admins.insert(user.to_owned());
    }

    /// Makes `user` an administrator of the repository `slug` of project `key`.
    ///
    /// # Panics
    ///
    /// If the repository or user is unknown.
    pub fn add_repository_admin(&self, key: &str, slug: &str, user: &str) {
        let mut state = self.lock();
        assert!(state.users.contains_key(user), "add_repository_admin: unknown user {user}");
        let repo = state
            .projects
            .get_mut(key)
            .and_then(|p| p.repos.get_mut(slug))
            .unwrap_or_else(|| panic!("add_repository_admin: unknown repository {key}/{slug}"));
        repo.insert(user.to_owned());
    }

    /// Puts a personal token of the user `owner` into the instance directly (no validation, no
    /// request).
    ///
    /// # Panics
    ///
    /// If the owner is unknown, or a seeded id is not 12 digits or is taken, or a seeded secret
    /// is in use.
    pub fn seed_token(&self, owner: &str, seed: SeedToken) -> SeededToken {
        self.seed(Owner::User(owner.to_owned()), seed)
    }

    /// Puts a token of the project `key` into the instance directly.
    ///
    /// # Panics
    ///
    /// As [`seed_token`](Self::seed_token), for an unknown project.
    pub fn seed_project_token(&self, key: &str, seed: SeedToken) -> SeededToken {
        self.seed(Owner::Project(key.to_owned()), seed)
    }

    /// Puts a token of the repository `slug` of project `key` into the instance directly.
    ///
    /// # Panics
    ///
    /// As [`seed_token`](Self::seed_token), for an unknown repository.
    pub fn seed_repository_token(&self, key: &str, slug: &str, seed: SeedToken) -> SeededToken {
        self.seed(Owner::Repository(key.to_owned(), slug.to_owned()), seed)
    }

    fn seed(&self, owner: Owner, seed: SeedToken) -> SeededToken {
        let now = self.now();
        let mut state = self.lock();
        assert!(state.exists(&owner), "seed: unknown owner {owner}");
        let id = seed.id.unwrap_or_else(|| state.fresh_id());
        assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()), "seed_token: an id is 12 digits");
        assert!(!state.tokens().contains_key(&id), "seed_token: id {id} is taken");
        let secret = seed.secret.unwrap_or_else(|| PatSecret::new(mint_secret()));
        assert!(state.token_by_secret(secret.expose_secret()).is_none(), "seed_token: that secret is in use");
        let token = TokenEntry {
            id,
            seq: 0,
            owner,
            name: seed.name,
            permissions: seed.permissions,
            created: to_millis(seed.created.unwrap_or(now)),
            expiry_days: seed.expiry_days,
            last_authenticated: seed.last_authenticated.map(to_millis),
            secret: digest(secret.expose_secret()),
        };
        let id = state.insert(token);
        SeededToken { id, secret }
    }

    /// The administrator's expiry settings (default: not required, no maximum).
    pub fn set_expiry_policy(&self, policy: ExpiryPolicy) {
        self.lock().expiry = policy;
    }

    /// The server's cap on `limit` (default 100; at least 1).
    pub fn set_max_page_limit(&self, max: usize) {
        self.lock().max_limit = max.max(1);
    }

    /// Turns the per-user token-bucket rate limiter on (`Some`) or off (`None`, the default).
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        let mut state = self.lock();
        state.rate_limit = limit;
        state.buckets.clear();
    }

    /// Everything the instance holds, without any secret or password.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now();
        let state = self.lock();
        let users =
            state.users.values().map(|u| UserSnapshot { id: u.id, slug: u.slug.clone(), admin: u.admin }).collect();
        let mut tokens: Vec<&TokenEntry> = state.tokens().values().collect();
        tokens.sort_by_key(|t| t.seq);
        let tokens = tokens.into_iter().map(|t| state.snapshot(t, now)).collect();
        Snapshot { users, tokens }
    }

    /// One token, without its secret.
    pub fn token(&self, id: &str) -> Option<TokenSnapshot> {
        let now = self.now();
        let state = self.lock();
        state.tokens().get(id).map(|t| state.snapshot(t, now))
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
