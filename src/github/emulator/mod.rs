//! A GitHub organization-governance emulator, in process and over loopback HTTP, built on
//! [`crate::testing::emulator_kit`] (fact sheet `forges-pat-api.md` §4.12).
//!
//! An in-memory model of the part of github.com that governs personal access tokens: GitHub
//! Apps (a registered RS256 public key each) installed on orgs, installation tokens, classic and
//! fine-grained PATs (only a SHA-256 digest of every secret is kept), orgs with repositories,
//! owners and an optional SAML switch, fine-grained PAT grants and requests, SAML credential
//! authorizations, and an injected [`Clock`]. The API lives at the root, with the paths of
//! api.github.com. Two ways in:
//!
//! - in process: [`Emulator`] implements [`HttpTransport`], no sockets; it routes on the path
//!   and ignores scheme and host (except to write them into `Link` headers and `*_url` fields);
//! - over loopback HTTP: [`Emulator::serve`] returns an [`EmulatorServer`]; point a client at
//!   its `base_url`.
//!
//! | Path | Method | Operation ([`operations`]) |
//! |---|---|---|
//! | `/app/installations/{id}/access_tokens` | POST (App JWT) → 201 `ghs_…`, 1 h | `github_installation_token` |
//! | `/orgs/{org}/installation` | GET (App JWT): the App's installation on the org | `github_org_installation` |
//! | `/orgs/{org}/personal-access-tokens` | GET grants (filters, sort, `Link`) | `github_pat_grant_list` |
//! | `/orgs/{org}/personal-access-tokens` | POST bulk revoke → 202, later | `github_pat_grant_revoke_bulk` |
//! | `/orgs/{org}/personal-access-tokens/{pat_id}` | POST revoke → 204 | `github_pat_grant_revoke` |
//! | `/orgs/{org}/personal-access-tokens/{pat_id}/repositories` | GET | `github_pat_grant_repositories` |
//! | `/orgs/{org}/personal-access-token-requests` | GET | `github_pat_request_list` |
//! | `/orgs/{org}/personal-access-token-requests` | POST bulk review → 202, later | `github_pat_request_review_bulk` |
//! | `/orgs/{org}/personal-access-token-requests/{id}` | POST review → 204 | `github_pat_request_review` |
//! | `/orgs/{org}/personal-access-token-requests/{id}/repositories` | GET | `github_pat_request_repositories` |
//! | `/orgs/{org}/credential-authorizations` | GET (`login`) | `github_saml_authorization_list` |
//! | `/orgs/{org}/members/{username}` | GET → 204 member, 404 not (`add_org_member`; owners are members) | `github_org_member` |
//! | `/orgs/{org}/credential-authorizations/{credential_id}` | DELETE → 204 | `github_saml_authorization_delete` |
//! | `/orgs/{org}/credential-authorizations/revoke-all`, `…/revoke-credential-type`, `…/{username}/revoke`, `…/{username}/revoke-credential-type` | POST → 202, later | `github_saml_authorization_revoke_bulk` |
//! | `/orgs/{org}` | GET | `github_org` |
//! | `/user` | GET (`X-OAuth-Scopes`, `GitHub-Authentication-Token-Expiration`) | `github_user` |
//! | `/rate_limit` | GET (free) | `github_rate_limit` |
//! | `/credentials/revoke` | POST, unauthenticated → 202 | `github_credentials_revoke` |
//!
//! The behaviours of §4.12:
//!
//! 1. no route creates, rotates or lists a user's own PATs: they are seeded
//!    ([`Emulator::seed_pat`]);
//! 2. grants carry `id` ≠ `token_id` (the counters start far apart); the lists filter by
//!    `owner[]` (≤ 10), `repository`, `permission`, `last_used_before` / `last_used_after`,
//!    `token_id[]` (≤ 50), sort by `created_at` (the grant's `access_granted_at`, a request's
//!    `created_at`) `desc` by default, and page with `per_page` ≤ 100 and `Link`;
//! 3. revoke one → 204 at once; bulk revoke → 202 `{}`, applied later ([`BulkDelay`]): the
//!    grant leaves the list, while the token still answers `GET /user`;
//! 4. requests: list, approve / deny one (204) or many (202, later); `reason` ≤ 1,024
//!    characters and 1..=100 ids, else 422;
//! 5. the grant and request routes take only an installation token of that org with
//!    `personal_access_tokens` (grants) or `personal_access_token_requests` (requests), `read`
//!    to look and `write` to change: a PAT gets 403 "Resource not accessible by personal access
//!    token", a token without the permission 403 "… by integration", an installation of another
//!    org 404;
//! 6. SAML credential authorizations (an org with [`Emulator::set_saml`]): list (`login`),
//!    DELETE → 204, the async revocations → 202 with the queued message; a bad
//!    `credential_type` is 422;
//! 7. `GET /user` answers `X-OAuth-Scopes` for a classic PAT and
//!    `GitHub-Authentication-Token-Expiration` (`YYYY-MM-DD HH:MM:SS UTC`) when it expires; an
//!    unknown, expired or revoked token gets 401 "Bad credentials";
//! 8. SAML enforcement: a PAT without a SAML authorization for a SAML org gets 403 with
//!    `X-GitHub-SSO` on `GET /orgs/{org}` and on the SAML routes;
//! 9. `POST /credentials/revoke`: 202 unauthenticated, 403 with any `Authorization`, 1..=1000
//!    entries of the accepted prefixes, its own hourly limit (60 by default);
//! 10. errors carry `message` / `documentation_url` / `status`, and a 422 `errors[]`;
//! 11. `x-ratelimit-limit` / `-remaining` / `-used` / `-reset` / `-resource` on every answer;
//!     the primary limit ([`PrimaryLimit`]) and a secondary limit with `retry-after`
//!     ([`SecondaryLimit`]) are enforced only when set.
//!
//! GitHub App JWTs (RS256, verified with ring against the key given to
//! [`Emulator::register_app`]): `iss` is the App id (number or numeric string); `exp` must be in
//! the future and at most ten minutes ahead, `iat` not in the future and before `exp`, each with
//! a minute of clock-skew leeway ([`Emulator::set_jwt_leeway`]); a bad signature or an
//! unreadable token is 401 "A JSON web token could not be decoded", an unknown App 401
//! "Integration not found". [`sign_app_jwt`] makes one for tests.
//!
//! Where the sheet is silent, the emulator picked an answer and says so where it is made (the
//! refusals, each with its pick, are in one place): an org without SAML answers 404 on the SAML
//! routes; a bulk call naming an unknown id is 422 rather than queued; a token never used passes
//! no `last_used_*` filter; non-owners of a SAML org get 404, owners without the scope 403 with
//! `X-Accepted-OAuth-Scopes`. Not modelled: org membership beyond owners, GHES `/admin/tokens`,
//! App user-to-server tokens, repository-level endpoints, conditional requests.
//!
//! Faults ([`Fault`], [`FaultRule`]) are scripted by [`operations`] name; the emulator names each
//! request from its method and path alone, so it cannot agree with a client by construction.
//!
//! ```
//! use patkit::github::emulator::{Emulator, JwtClaims, SeedGrant, SeedPat, sign_app_jwt};
//! use patkit::transport::HttpTransport;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = Emulator::new();
//! let app = emulator.register_app(include_str!("../../../tests/fixtures/github/app-key.pub.pem"));
//! emulator.add_org("acme");
//! let installation = emulator.install_app(app, "acme", &[("personal_access_tokens", "write")]);
//! let pat = emulator.seed_pat(SeedPat::fine_grained("octocat", "laptop"));
//! emulator.seed_grant("acme", SeedGrant::new(pat.token_id).repositories(&["api"]));
//!
//! // App JWT → installation token.
//! let private_key = include_str!("../../../tests/fixtures/github/app-key.pem");
//! let jwt = sign_app_jwt(private_key, JwtClaims::for_app(app, emulator.now())).unwrap();
//! let exchange = http::Request::post(format!("https://api.github.com/app/installations/{installation}/access_tokens"))
//!     .header("authorization", format!("Bearer {}", jwt.expose_secret()))
//!     .body(Vec::new())
//!     .unwrap();
//! let answer = emulator.send(exchange).await.unwrap();
//! assert_eq!(answer.status(), 201);
//! let body: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
//! let token = body["token"].as_str().unwrap();
//! assert!(token.starts_with("ghs_"));
//!
//! // The installation token lists the grants that reach the org.
//! let list = http::Request::get("https://api.github.com/orgs/acme/personal-access-tokens")
//!     .header("authorization", format!("Bearer {token}"))
//!     .body(Vec::new())
//!     .unwrap();
//! let answer = emulator.send(list).await.unwrap();
//! assert_eq!(answer.status(), 200);
//! let grants: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
//! assert_eq!(grants[0]["token_id"], pat.token_id);
//! assert_ne!(grants[0]["id"], grants[0]["token_id"]);
//! # });
//! ```

// Test doubles answer whole HTTP responses; the handlers return refusals as values.
#![allow(clippy::result_large_err)]

mod apps;
mod auth;
mod call;
mod checks;
mod dispatch;
mod facts;
mod grants;
mod jwt;
mod limits;
pub mod operations;
mod paging;
mod routes;
mod saml;
mod setup;
mod state;
#[cfg(test)]
mod tests;
mod wire;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::testing::emulator_kit::{Fault, FaultRule, LoopbackServer as EmulatorServer, RequestLog, Schedule};
pub use jwt::{JwtClaims, SigningError, sign_app_jwt};
pub use limits::{PrimaryLimit, SecondaryLimit};
pub use setup::{
    AuthorizationSnapshot, BulkDelay, GrantSnapshot, InstallationTokenSnapshot, PatSnapshot, SeedAuthorization,
    SeedGrant, SeedPat, SeededPat, Snapshot, TokenKind,
};

use crate::clock::{Clock, SystemClock};
use crate::secret::PatSecret;
use crate::testing::emulator_kit::{self, Harness};
#[cfg(doc)]
use crate::transport::HttpTransport;
use crate::transport::Operation;
use state::{AppEntry, AuthorizationEntry, GrantEntry, InstallationEntry, PatEntry, State, hex, mint};

/// The emulated service. Clones share one state; every set-up method takes `&self` and may be
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
            .field("orgs", &state.orgs.len())
            .field("pats", &state.pats().len())
            .field("grants", &state.grants().len())
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Emulator {
    /// An empty service on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty service whose "now" comes from `clock` (e.g. a
    /// [`ManualClock`](crate::ManualClock)): JWT times, token expiry, last use, rate-limit
    /// windows and the [`BulkDelay`].
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { inner: Arc::new(Inner { harness: Harness::new(clock), state: Mutex::new(State::default()) }) }
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.harness.now()
    }

    /// Serves the emulator on `addr` (port 0 picks a free port) on the current tokio runtime;
    /// the API is at the server's `base_url`.
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

    /// Registers a GitHub App by its RSA public key (PEM, `PUBLIC KEY` or `RSA PUBLIC KEY`);
    /// returns its App id, the JWT's `iss`.
    ///
    /// # Panics
    ///
    /// If `public_key_pem` is not PEM.
    pub fn register_app(&self, public_key_pem: &str) -> u64 {
        let public_key =
            jwt::rsa_public_key_der(jwt::pem_to_der(public_key_pem).expect("register_app: not a PEM public key"));
        let mut state = self.lock();
        let id = state.apps.keys().next_back().map_or(1, |last| last + 1);
        state.apps.insert(id, AppEntry { public_key });
        id
    }

    /// Installs App `app_id` on `org` with App `permissions` (`(name, "read" | "write")`, e.g.
    /// `("personal_access_tokens", "write")`, `("personal_access_token_requests", "read")`);
    /// returns the installation id.
    ///
    /// # Panics
    ///
    /// If the App or the org is unknown.
    pub fn install_app(&self, app_id: u64, org: &str, permissions: &[(&str, &str)]) -> u64 {
        let mut state = self.lock();
        assert!(state.apps.contains_key(&app_id), "install_app: unknown app {app_id}");
        let org = state.org(org).unwrap_or_else(|| panic!("install_app: unknown org {org}")).login.clone();
        let id = state.next_installation();
        let permissions: BTreeMap<String, String> =
            permissions.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        state.installations.insert(id, InstallationEntry { app_id, org, permissions });
        id
    }

    /// Adds an org (without SAML); returns its id.
    ///
    /// # Panics
    ///
    /// If the login is taken (case-insensitively).
    pub fn add_org(&self, login: &str) -> u64 {
        let mut state = self.lock();
        assert!(state.org(login).is_none(), "add_org: {login} exists");
        state.add_org(login)
    }

    /// Makes `login` an owner of `org` (who may manage its SAML authorizations).
    ///
    /// # Panics
    ///
    /// If the org is unknown.
    pub fn add_org_owner(&self, org: &str, login: &str) {
        let mut state = self.lock();
        state.user(login);
        let entry =
            state.orgs.get_mut(&org.to_ascii_lowercase()).unwrap_or_else(|| panic!("add_org_owner: unknown org {org}"));
        entry.owners.insert(login.to_ascii_lowercase());
    }

    /// Makes `login` a member of `org` (an owner is one already).
    ///
    /// # Panics
    ///
    /// If the org is unknown.
    pub fn add_org_member(&self, org: &str, login: &str) {
        let mut state = self.lock();
        state.user(login);
        let entry = state
            .orgs
            .get_mut(&org.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("add_org_member: unknown org {org}"));
        entry.members.insert(login.to_ascii_lowercase());
    }

    /// Turns SAML single sign-on on or off for `org` (GHEC): on, the credential-authorization
    /// routes exist and PATs need an authorization to reach the org.
    ///
    /// # Panics
    ///
    /// If the org is unknown.
    pub fn set_saml(&self, org: &str, enabled: bool) {
        let mut state = self.lock();
        let entry =
            state.orgs.get_mut(&org.to_ascii_lowercase()).unwrap_or_else(|| panic!("set_saml: unknown org {org}"));
        entry.saml = enabled;
    }

    /// Adds a repository to `org` (or finds it); returns its id.
    ///
    /// # Panics
    ///
    /// If the org is unknown.
    pub fn add_repository(&self, org: &str, name: &str) -> u64 {
        let mut state = self.lock();
        assert!(state.org(org).is_some(), "add_repository: unknown org {org}");
        state.repository(org, name)
    }

    /// Puts a PAT into the service (there is no API to create one, §4.1).
    ///
    /// # Panics
    ///
    /// If a given secret lacks the kind's prefix (`ghp_`, `github_pat_`) or is in use.
    pub fn seed_pat(&self, seed: SeedPat) -> SeededPat {
        let secret = seed.secret.unwrap_or_else(|| PatSecret::new(mint(Some(seed.kind))));
        let prefix = match seed.kind {
            TokenKind::Classic => "ghp_",
            TokenKind::FineGrained => "github_pat_",
        };
        assert!(secret.expose_secret().starts_with(prefix), "seed_pat: the secret must start with {prefix}");
        let mut state = self.lock();
        assert!(state.pat_by_secret(secret.expose_secret()).is_none(), "seed_pat: that secret is in use");
        state.user(&seed.owner);
        let entry = PatEntry {
            token_id: 0,
            owner: seed.owner,
            kind: seed.kind,
            name: seed.name,
            scopes: seed.scopes,
            expires_at: seed.expires_at,
            last_used_at: seed.last_used_at,
            last_eight: String::new(),
            digest: [0; 32],
            revoked: false,
        };
        let token_id = state.insert_pat(entry, secret.expose_secret());
        SeededPat { token_id, secret }
    }

    fn grant_entry(&self, state: &mut State, org: &str, seed: SeedGrant, id: u64) -> GrantEntry {
        let org_login = state.org(org).unwrap_or_else(|| panic!("seed: unknown org {org}")).login.clone();
        let pat = state.pats().get(&seed.token_id).unwrap_or_else(|| panic!("seed: unknown token {}", seed.token_id));
        assert_eq!(pat.kind, TokenKind::FineGrained, "seed: grants are for fine-grained PATs");
        let (selection, repositories) = match seed.repositories {
            None => ("all", Vec::new()),
            Some(r) if r.is_empty() => ("none", r),
            Some(r) => ("subset", r),
        };
        for name in &repositories {
            state.repository(&org_login, name);
        }
        let mut permissions = state::Permissions::new();
        for (group, name, level) in seed.permissions {
            permissions.entry(group).or_default().insert(name, level);
        }
        GrantEntry {
            id,
            org: org_login,
            token_id: seed.token_id,
            repository_selection: selection.to_owned(),
            repositories,
            permissions,
            at: seed.at.unwrap_or_else(|| self.now()),
            reason: seed.reason,
        }
    }

    /// Grants the fine-grained PAT of `seed` access to `org`; returns the grant id.
    ///
    /// # Panics
    ///
    /// If the org or the token is unknown, or the token is not fine-grained.
    pub fn seed_grant(&self, org: &str, seed: SeedGrant) -> u64 {
        let mut state = self.lock();
        let id = state.next_grant();
        let entry = self.grant_entry(&mut state, org, seed, id);
        state.grants_mut().insert(id, entry);
        id
    }

    /// Files a pending request of the fine-grained PAT of `seed` for access to `org`; returns
    /// the request id.
    ///
    /// # Panics
    ///
    /// As [`seed_grant`](Self::seed_grant).
    pub fn seed_request(&self, org: &str, seed: SeedGrant) -> u64 {
        let mut state = self.lock();
        let id = state.next_request();
        let entry = self.grant_entry(&mut state, org, seed, id);
        state.requests_mut().insert(id, entry);
        id
    }

    /// Records a SAML credential authorization in `org`; returns its `credential_id`.
    ///
    /// # Panics
    ///
    /// If the org or a named token is unknown.
    pub fn seed_authorization(&self, org: &str, seed: SeedAuthorization) -> u64 {
        let now = self.now();
        let mut state = self.lock();
        let org_login = state.org(org).unwrap_or_else(|| panic!("seed_authorization: unknown org {org}")).login.clone();
        let id = state.next_credential();
        let mut entry = AuthorizationEntry {
            credential_id: id,
            org: org_login,
            login: seed.login,
            credential_type: seed.credential_type,
            token_id: seed.token_id,
            token_last_eight: None,
            authorized_at: seed.authorized_at.unwrap_or(now),
            scopes: seed.scopes,
            note: None,
            expires_at: None,
        };
        if let Some(token_id) = seed.token_id {
            let pat =
                state.pats().get(&token_id).unwrap_or_else(|| panic!("seed_authorization: unknown token {token_id}"));
            entry.login = pat.owner.clone();
            entry.token_last_eight = Some(pat.last_eight.clone());
            entry.scopes = pat.scopes.clone();
            entry.note = Some(pat.name.clone());
            entry.expires_at = pat.expires_at;
        }
        state.user(&entry.login);
        state.authorizations.insert(id, entry);
        id
    }

    /// When queued 202 jobs take effect (default: [`BulkDelay::default`]).
    pub fn set_bulk_delay(&self, delay: BulkDelay) {
        self.lock().bulk_delay = delay;
    }

    /// Runs every queued 202 job now.
    pub fn settle(&self) {
        let now = self.now();
        self.lock().settle_all(now);
    }

    /// Enforces a primary limit (`None`, the default: counted in the headers, never refused).
    pub fn set_primary_limit(&self, limit: Option<PrimaryLimit>) {
        self.lock().limits.primary = limit;
    }

    /// Throttles with the shared [`Throttle`](crate::testing::emulator_kit::Throttle) (`None`,
    /// the default: off): the primary limit (§4.10) on a window of your choosing, so a test of
    /// "5,000 an hour" can run in seconds. Each caller (user, installation, App, anonymous) has
    /// its own budget; every answer's `x-ratelimit-*` headers report it, and a request over it
    /// gets 403 `API rate limit exceeded for …` with `x-ratelimit-remaining: 0` (wait for
    /// `x-ratelimit-reset`). The hourly budgets of [`set_primary_limit`](Self::set_primary_limit)
    /// and the secondary limit still apply on top.
    ///
    /// ```
    /// use std::time::Duration;
    /// use patkit::github::emulator::Emulator;
    /// use patkit::testing::emulator_kit::Throttle;
    ///
    /// let emulator = Emulator::new();
    /// emulator.set_throttle(Some(Throttle::fixed(50, Duration::from_secs(1))));
    /// assert_eq!(emulator.throttle_stats().refused, 0);
    /// ```
    pub fn set_throttle(&self, throttle: Option<crate::testing::emulator_kit::Throttle>) {
        self.inner.harness.set_throttle(throttle);
    }

    /// What the throttle did since it was set (requests served, refused).
    pub fn throttle_stats(&self) -> crate::testing::emulator_kit::ThrottleStats {
        self.inner.harness.throttle_stats()
    }

    /// Enforces a secondary limit (`None`, the default: none).
    pub fn set_secondary_limit(&self, limit: Option<SecondaryLimit>) {
        self.lock().limits.secondary = limit;
    }

    /// `POST /credentials/revoke` requests allowed per caller per hour (default 60, §4.4).
    pub fn set_credentials_revoke_limit(&self, per_hour: u32) {
        self.lock().limits.revoke_per_hour = per_hour;
    }

    /// Clock skew tolerated on App JWT times (default 60 s).
    pub fn set_jwt_leeway(&self, leeway: Duration) {
        self.lock().jwt_leeway = Some(chrono::TimeDelta::from_std(leeway).unwrap_or(chrono::TimeDelta::MAX));
    }

    /// Everything the service holds, without any secret (tokens only as SHA-256 digests).
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        let grant = |g: &GrantEntry| GrantSnapshot {
            id: g.id,
            org: g.org.clone(),
            token_id: g.token_id,
            owner: state.pats().get(&g.token_id).map(|p| p.owner.clone()).unwrap_or_default(),
            repository_selection: g.repository_selection.clone(),
            repositories: g.repositories.clone(),
            at: g.at,
            reason: g.reason.clone(),
        };
        let mut installation_tokens: Vec<InstallationTokenSnapshot> = state
            .installation_tokens
            .iter()
            .map(|(digest, t)| InstallationTokenSnapshot {
                installation_id: t.installation_id,
                expires_at: t.expires_at,
                digest: hex(digest),
            })
            .collect();
        installation_tokens.sort_by(|a, b| (a.expires_at, &a.digest).cmp(&(b.expires_at, &b.digest)));
        Snapshot {
            pats: state
                .pats()
                .values()
                .map(|p| PatSnapshot {
                    token_id: p.token_id,
                    owner: p.owner.clone(),
                    kind: p.kind,
                    name: p.name.clone(),
                    scopes: p.scopes.clone(),
                    expires_at: p.expires_at,
                    last_used_at: p.last_used_at,
                    revoked: p.revoked,
                    digest: hex(&p.digest),
                })
                .collect(),
            grants: state.grants().values().map(grant).collect(),
            requests: state.requests().values().map(grant).collect(),
            authorizations: state
                .authorizations
                .values()
                .map(|a| AuthorizationSnapshot {
                    credential_id: a.credential_id,
                    org: a.org.clone(),
                    login: a.login.clone(),
                    credential_type: a.credential_type.clone(),
                    token_id: a.token_id,
                })
                .collect(),
            installation_tokens,
            pending_jobs: state.pending.len(),
        }
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
