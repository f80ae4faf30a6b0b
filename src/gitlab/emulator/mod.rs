//! A GitLab access-token service emulator, in process and over loopback HTTP, built on
//! [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §2.16).
//!
//! An in-memory model of one GitLab instance — users and admins, projects and groups with their
//! members, personal, project and group access tokens (only a SHA-256 digest of each secret is
//! kept) with their rotation families, an injected [`Clock`] — speaking the REST API under
//! `/api/v4`. Two ways in:
//!
//! - in process: [`Emulator`] implements [`HttpTransport`], no sockets; it routes on the path
//!   and ignores scheme and host (except to write them back into `Link` headers);
//! - over loopback HTTP: [`Emulator::serve`] returns an [`EmulatorServer`]; point a client at
//!   `{base_url}/api/v4`.
//!
//! Credentials: `PRIVATE-TOKEN: glpat-…`, `Authorization: Bearer <PAT or OAuth token>` (and the
//! discouraged `?private_token=`), with `Sudo: <id or username>` for admins whose token has the
//! `sudo` scope.
//!
//! | Path (under `/api/v4`) | Methods |
//! |---|---|
//! | `/personal_access_tokens` | GET list (filters of §2.2, pagination of §2.8) |
//! | `/personal_access_tokens/:id` and `/self` | GET, DELETE (soft revoke) |
//! | `/personal_access_tokens/:id/rotate` and `/self/rotate` | POST |
//! | `/personal_access_tokens/self/associations` | GET |
//! | `/users/:user_id/personal_access_tokens` | POST (admins) |
//! | `/user/personal_access_tokens` | POST (`k8s_proxy`, `self_rotate` only) |
//! | `/user` | GET |
//! | `/users` | GET (`username` exact, `search`; emails shown to and searched by admins only) |
//! | `/users/:id/keys`, `/users/:id/gpg_keys` | GET (paged; the key text as seeded) |
//! | `/projects/:id/access_tokens`, `/groups/:id/access_tokens` | GET list, POST create |
//! | `…/access_tokens/:token_id` | GET, DELETE |
//! | `…/access_tokens/:token_id/rotate` | POST |
//!
//! The twelve behaviours of §2.16 hold: integer ids allocated monotonically and `self`; the
//! secret only in create (201) and rotate (200) answers; `expires_at` a date, inactive from
//! 00:00 UTC on it, `active` computed, at most 365 days ahead, defaults of 365 days (create) and
//! 7 days (rotate) while expiry is required ([`Emulator::set_expiry_required`]); rotate makes a
//! new id with the same name, description and scopes and revokes the old one, and rotating a
//! revoked token answers 400 and revokes its whole family; soft revoke; 401 for a non-admin's
//! foreign or unknown id, 404 for an admin's unknown id; distinct 401 bodies for unknown,
//! expired and revoked credentials and 403 `insufficient_scope`; the self-endpoint and admin
//! scope rules; every list filter; the pagination headers (`x-total`, `x-total-pages` and
//! `rel="last"` only up to 10,000 results); an optional rate limiter ([`Emulator::set_rate_limit`]).
//! Where §2.17 leaves the service's answer open, the handler's doc comment says which answer the
//! emulator picked. In short, always the answer that is safer for a client to be tested against:
//!
//! - `read_api` is accepted on the GET routes (GL-DOC-SCOPES grants it every GET route);
//! - a non-admin revoking a foreign or unknown id gets 401, like every other foreign-id call;
//! - revoking a revoked token gets 400 `{"message":"400 Bad request"}` (a client must read to
//!   resolve a lost revoke answer, not trust a second 204);
//! - an `expires_at` before today is refused with 400 (today itself is accepted and dead on
//!   arrival, as the service does);
//! - rotating an inactive token follows the same rules whoever asks, an admin included: revoked
//!   is 400 and revokes the family, expired is 401;
//! - a revoked project or group access token stays listed and its bot stays a member;
//! - `granular_scopes` and service-account and credentials-inventory routes are not modelled.
//!
//! Faults ([`Fault`], [`FaultRule`]) are scripted by [`operations`] name; the emulator names each
//! request from its method and path alone, so it cannot agree with a client by construction.
//!
//! ```
//! use patkit::gitlab::emulator::{Emulator, SeedToken};
//! use patkit::transport::HttpTransport;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = Emulator::new();
//! let alice = emulator.add_user("alice");
//! let pat = emulator.seed_token(alice.id, SeedToken::new("ci", &["api"]));
//!
//! let request = http::Request::post(format!("https://gitlab.example/api/v4/personal_access_tokens/{}/rotate", pat.id))
//!     .header("private-token", pat.secret.expose_secret())
//!     .body(Vec::new())
//!     .unwrap();
//! let response = emulator.send(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
//! assert!(body["token"].as_str().unwrap().starts_with("glpat-"));
//! assert_eq!(emulator.family(pat.id), vec![pat.id, body["id"].as_u64().unwrap()]);
//! assert!(emulator.snapshot().token(pat.id).unwrap().revoked);
//! # });
//! ```

// The emulator's refusals are whole HTTP responses carried in `Err`; boxing them buys nothing in
// a test double and obscures the handlers.
#![allow(clippy::result_large_err)]

mod auth;
mod create;
mod dispatch;
mod facts;
mod listing;
pub mod operations;
mod pats;
mod resources;
mod routes;
mod setup;
mod state;
#[cfg(test)]
mod tests;
mod users;
mod wire;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

pub use crate::testing::emulator_kit::{
    Fault, FaultRule, LoopbackServer as EmulatorServer, RequestLog, Schedule, Throttle, ThrottleStats,
};
pub use setup::{
    EmulatedUser, RateLimit, ResourceKind, ResourceSnapshot, SeedToken, SeededToken, Snapshot, TokenSnapshot,
    UserSnapshot,
};

use crate::clock::{Clock, SystemClock};
use crate::secret::{BearerToken, PatSecret};
use crate::testing::emulator_kit::{self, Harness};
#[cfg(doc)]
use crate::transport::HttpTransport;
use crate::transport::Operation;
use state::{Credential, State, TokenEntry, hash_secret};

/// The path every route lives under.
pub const BASE_PATH: &str = wire::BASE_PATH;

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
    /// expiry, `active`, defaults, `created_at`, `last_used_at` and the rate-limit windows.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { inner: Arc::new(Inner { harness: Harness::new(clock), state: Mutex::new(State::default()) }) }
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.harness.now()
    }

    /// Serves the emulator on `addr` (port 0 picks a free port) on the current tokio runtime;
    /// the API is at `{base_url}/api/v4`.
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

    /// Adds a regular user.
    pub fn add_user(&self, username: &str) -> EmulatedUser {
        let id = self.lock().add_user(username, false, false);
        EmulatedUser { id, username: username.to_owned() }
    }

    /// Adds an instance administrator.
    pub fn add_admin(&self, username: &str) -> EmulatedUser {
        let id = self.lock().add_user(username, true, false);
        EmulatedUser { id, username: username.to_owned() }
    }

    /// Sets a user's display name and primary email (defaults: the username, and
    /// `{username}@emulator.test`). `GET /users` shows the email to administrators only.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_user_identity(&self, user: u64, name: &str, email: &str) {
        let mut state = self.lock();
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("set_user_identity: unknown user {user}"));
        name.clone_into(&mut entry.name);
        email.clone_into(&mut entry.email);
    }

    /// Adds an SSH key (`key`: the public key text, answered as given) to a user, created now,
    /// last used `last_used_at`; returns its id.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn add_ssh_key(&self, user: u64, title: &str, key: &str, last_used_at: Option<DateTime<Utc>>) -> u64 {
        let now = self.now();
        let mut state = self.lock();
        state.last_key += 1;
        let id = state.last_key;
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("add_ssh_key: unknown user {user}"));
        entry.ssh_keys.push(state::KeyEntry {
            id,
            title: title.to_owned(),
            key: key.to_owned(),
            created_at: now,
            expires_at: None,
            last_used_at,
        });
        id
    }

    /// Adds a GPG key (`key`: the armored public key, answered as given) to a user; returns its
    /// id.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn add_gpg_key(&self, user: u64, key: &str) -> u64 {
        let now = self.now();
        let mut state = self.lock();
        state.last_key += 1;
        let id = state.last_key;
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("add_gpg_key: unknown user {user}"));
        entry.gpg_keys.push(state::KeyEntry {
            id,
            title: String::new(),
            key: key.to_owned(),
            created_at: now,
            expires_at: None,
            last_used_at: None,
        });
        id
    }

    /// Adds a project at `path` (e.g. `group/project`); returns its id.
    pub fn add_project(&self, path: &str) -> u64 {
        self.lock().add_resource(ResourceKind::Project, path)
    }

    /// Adds a group at `path`; returns its id.
    pub fn add_group(&self, path: &str) -> u64 {
        self.lock().add_resource(ResourceKind::Group, path)
    }

    /// Makes `user` a member of a project or group at `access_level` (10 guest … 40 maintainer,
    /// 50 owner).
    ///
    /// # Panics
    ///
    /// If the project, group or user is unknown.
    pub fn add_member(&self, kind: ResourceKind, id: u64, user: u64, access_level: u8) {
        let mut state = self.lock();
        assert!(state.users.contains_key(&user), "add_member: unknown user {user}");
        let resource =
            state.resources_mut(kind).get_mut(&id).unwrap_or_else(|| panic!("add_member: unknown {kind:?} {id}"));
        resource.members.insert(user, access_level);
    }

    /// Puts a personal access token for `user` into the instance directly (no validation);
    /// without [`SeedToken::expires_at`] it expires 30 days from today.
    ///
    /// # Panics
    ///
    /// If the user is unknown, or a given secret does not start with `glpat-` or is in use.
    pub fn seed_token(&self, user: u64, seed: SeedToken) -> SeededToken {
        let mut state = self.lock();
        assert!(state.users.contains_key(&user), "seed_token: unknown user {user}");
        self.insert_seed(&mut state, user, seed, None)
    }

    /// Puts a project or group access token into the instance directly: creates its bot user, a
    /// member at [`SeedToken::access_level`], and the token.
    ///
    /// # Panics
    ///
    /// If the project or group is unknown, or a given secret is malformed or in use.
    pub fn seed_resource_token(&self, kind: ResourceKind, id: u64, seed: SeedToken) -> SeededToken {
        let mut state = self.lock();
        assert!(state.resources(kind).contains_key(&id), "seed_resource_token: unknown {kind:?} {id}");
        let prefix = if kind == ResourceKind::Project { "project" } else { "group" };
        let n = state.users.len() + 1;
        let bot = state.add_user(&format!("{prefix}_{id}_bot_{n}"), false, true);
        let level = seed.access_level;
        if let Some(r) = state.resources_mut(kind).get_mut(&id) {
            r.members.insert(bot, level);
        }
        self.insert_seed(&mut state, bot, seed, Some((kind, id, level)))
    }

    fn insert_seed(
        &self,
        state: &mut State,
        user: u64,
        seed: SeedToken,
        resource: Option<(ResourceKind, u64, u8)>,
    ) -> SeededToken {
        let now = self.now();
        let secret = seed.secret.unwrap_or_else(|| PatSecret::new(create::mint_secret()));
        assert!(secret.expose_secret().starts_with("glpat-"), "seed: the secret must start with glpat-");
        let hash = hash_secret(secret.expose_secret());
        assert!(!state.secrets.contains_key(&hash), "seed: that secret is already in use");
        let expires_at =
            if seed.expires_at_set { seed.expires_at } else { Some(now.date_naive() + TimeDelta::days(30)) };
        let entry = TokenEntry {
            id: 0,
            user_id: user,
            name: seed.name,
            description: seed.description,
            scopes: seed.scopes,
            created_at: seed.created_at.unwrap_or(now),
            last_used_at: seed.last_used_at,
            expires_at,
            revoked: seed.revoked,
            previous_id: seed.previous_id,
            resource: resource.map(|(k, id, _)| (k, id)),
            access_level: resource.map(|(_, _, level)| level),
        };
        let id = state.insert_token(entry, hash);
        SeededToken { id, secret, user_id: user }
    }

    /// Issues an OAuth access token for `user` with `scopes` (sent as `Authorization: Bearer`).
    /// It is not a personal access token: `GET`/`DELETE …/self` answer it 400 and
    /// `POST …/self/rotate` 405, as the service does.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn issue_oauth_token(&self, user: u64, scopes: &[&str]) -> BearerToken {
        let mut state = self.lock();
        assert!(state.users.contains_key(&user), "issue_oauth_token: unknown user {user}");
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        state.secrets.insert(
            hash_secret(&token),
            Credential::OAuth { user_id: user, scopes: scopes.iter().map(|s| (*s).to_owned()).collect() },
        );
        BearerToken::new(token)
    }

    /// Blocks (`true`) or unblocks a user, as an admin does when offboarding (§2.5): while
    /// blocked, none of the user's tokens authenticate (401 `{"message":"401 Unauthorized"}`,
    /// the emulator's pick where the fact sheet gives no body), though they stay listed for
    /// admins, unrevoked.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_blocked(&self, user: u64, blocked: bool) {
        let mut state = self.lock();
        let entry = state.users.get_mut(&user).unwrap_or_else(|| panic!("set_blocked: unknown user {user}"));
        entry.blocked = blocked;
    }

    /// Whether tokens must expire (`require_personal_access_token_expiry`, on by default, §2.11):
    /// when off, a create or rotate without `expires_at` makes a token that never expires.
    pub fn set_expiry_required(&self, required: bool) {
        self.lock().settings.expiry_required = required;
    }

    /// Admin Mode (off by default, §2.5): when on, a token acts with its admin's rights only if
    /// it carries the `admin_mode` scope.
    pub fn set_admin_mode(&self, on: bool) {
        self.lock().settings.admin_mode = on;
    }

    /// Turns the rate limiter on (`Some`) or off (`None`, the default). While on, every answer
    /// carries `RateLimit-Name`, `-Limit`, `-Observed`, `-Remaining` and `-Reset`, and a request
    /// over the budget gets 429 `Retry later` (plain text) with `Retry-After` and
    /// `RateLimit-ResetTime`.
    ///
    /// The same as [`set_throttle`](Self::set_throttle) with a fixed window of `period`.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.set_throttle(limit.map(|l| Throttle::fixed(l.limit, l.period.max(Duration::from_secs(1)))));
    }

    /// Throttles like the service (§2.9; off by default, as on self-managed): `Some` counts each
    /// user's requests (anonymous callers share one budget) against `throttle` (GitLab's
    /// Rack::Attack windows are [fixed](crate::testing::emulator_kit::Throttle::fixed); a
    /// [sliding](crate::testing::emulator_kit::Throttle::sliding) one works too, for
    /// experiments). While on, every answer carries `RateLimit-Name`, `-Limit`, `-Observed`,
    /// `-Remaining` and `-Reset`; a request over the budget gets 429 `Retry later` (plain text)
    /// with `Retry-After` and `RateLimit-ResetTime`. `None` switches it off and forgets the
    /// usage.
    ///
    /// ```
    /// use std::time::Duration;
    /// use patkit::gitlab::emulator::{Emulator, Throttle};
    ///
    /// let emulator = Emulator::new();
    /// // 2,000 requests a minute per user, as on GitLab.com, scaled down to 40 a second.
    /// emulator.set_throttle(Some(Throttle::fixed(40, Duration::from_secs(1))));
    /// assert_eq!(emulator.throttle_stats().refused, 0);
    /// ```
    pub fn set_throttle(&self, throttle: Option<Throttle>) {
        self.inner.harness.set_throttle(throttle);
    }

    /// What the throttle did since it was set (requests served, refused).
    pub fn throttle_stats(&self) -> ThrottleStats {
        self.inner.harness.throttle_stats()
    }

    /// Everything the instance holds, without any secret.
    pub fn snapshot(&self) -> Snapshot {
        let today = self.now().date_naive();
        let state = self.lock();
        let users = state
            .users
            .values()
            .map(|u| UserSnapshot {
                id: u.id,
                username: u.username.clone(),
                admin: u.admin,
                bot: u.bot,
                blocked: u.blocked,
            })
            .collect();
        let resources = [ResourceKind::Group, ResourceKind::Project]
            .into_iter()
            .flat_map(|kind| {
                state.resources(kind).values().map(move |r| ResourceSnapshot {
                    kind,
                    id: r.id,
                    path: r.path.clone(),
                    members: r.members.iter().map(|(u, l)| (*u, *l)).collect(),
                })
            })
            .collect();
        let tokens = state.tokens().values().map(|t| state.token_snapshot(t, today)).collect();
        Snapshot { users, resources, tokens }
    }

    /// One token, without its secret.
    pub fn token(&self, id: u64) -> Option<TokenSnapshot> {
        let today = self.now().date_naive();
        let state = self.lock();
        state.tokens().get(&id).map(|t| state.token_snapshot(t, today))
    }

    /// The ids of token `id`'s rotation family (ancestors and every token rotated from them),
    /// ascending; empty for an unknown id.
    pub fn family(&self, id: u64) -> Vec<u64> {
        let state = self.lock();
        if state.tokens().contains_key(&id) { state.family(id) } else { Vec::new() }
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
