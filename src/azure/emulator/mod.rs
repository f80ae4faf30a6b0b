//! An emulator of the Azure DevOps PAT Lifecycle and Token Admin APIs (feature `emulator`).
//!
//! The emulator is an in-memory model of the service — organizations, users with Entra-style
//! bearer tokens, PATs (only a SHA-256 hash of each secret is kept), tenant and organization
//! policies, an injected [`Clock`] — that speaks the service's protocol: the fact sheet's §11
//! behaviours, error shapes and quirks. Two ways in:
//!
//! - in process: [`Emulator`] implements [`HttpTransport`], no sockets; it routes on the request
//!   path and ignores scheme and host;
//! - over loopback HTTP: [`Emulator::serve`] starts a hyper server and returns an
//!   [`EmulatorServer`] with its [`base_url`](EmulatorServer::base_url).
//!
//! Endpoints (paths case-insensitive; `{org}` is an organization added with
//! [`Emulator::add_organization`]):
//!
//! | Path | Methods |
//! |---|---|
//! | `/{org}/_apis/tokens/pats` | POST create, GET get (`authorizationId`), GET list, PUT update, DELETE revoke |
//! | `/{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}` | GET (`isPublic=true`: SSH keys, from `seed_ssh_key`) |
//! | `/{org}/_apis/graph/users` | GET — the organization's members (`add_member`; admins too), paged by the `X-MS-ContinuationToken` header; Graph reads need a member |
//! | `/{org}/_apis/tokenadmin/revocations` | POST |
//! | `/{org}/_apis/tokenadmin/revocationrules` | POST |
//! | `/{org}/_apis/connectionData` | GET — answers 200 only while the credential (e.g. a PAT as Basic) works |
//! | `/{org}/_apis`, `/{org}/_apis/{area}` | OPTIONS — the Location area's `ApiResourceLocation` list of every area served (or of one) |
//! | `/{org}/_apis/ResourceAreas[/{areaId}]` | GET — `ResourceAreaInfo`s whose `locationUrl` is the emulator's own organization URL |
//!
//! `api-version` is read from the query or, exactly the same way, from the `Accept` header
//! (`application/json;api-version=7.1-preview.1`, as Microsoft's clients send it). From
//! 2026-12-01 on the emulator's clock global PATs are retired (see
//! [`Emulator::set_global_pat_retirement`]).
//!
//! Faults ([`Fault`], [`FaultRule`]) are scripted per operation (by [`Operation`] name: the
//! emulator names each request's operation from its path and method alone, with the same names
//! as [`azure::operations`](crate::azure::operations)) and per count, for reliability tests. The
//! loopback server, fault rules, clock and request log are the shared
//! [`testing::emulator_kit`](crate::testing::emulator_kit); everything Azure about the answers (error
//! codes, scope rules, the retirement date, target accounts) is spelled here, from the fact
//! sheet, never borrowed from the client. Where the fact sheet marks the service's behaviour unverified, the doc
//! comment of the handler says which behaviour the emulator picked.
//!
//! ```
//! use patkit::azure::emulator::Emulator;
//! use patkit::transport::HttpTransport;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = Emulator::new();
//! emulator.add_organization("fabrikam");
//! let alice = emulator.add_user("Alice");
//!
//! let mut request = http::Request::post("https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1")
//!     .header("content-type", "application/json")
//!     .body(br#"{"displayName":"ci","scope":"vso.code"}"#.to_vec())
//!     .unwrap();
//! request.headers_mut().insert("authorization", alice.bearer.bearer_authorization());
//! let response = emulator.send(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
//! assert_eq!(body["patTokenError"], "none");
//! assert_eq!(body["patToken"]["token"].as_str().unwrap().len(), 84);
//! assert_eq!(emulator.snapshot().tokens.len(), 1);
//! # });
//! ```

// The emulator's refusals are whole HTTP responses carried in `Err`; boxing them buys nothing in
// a test double and obscures the handlers.
#![allow(clippy::result_large_err)]

mod auth;
mod connection_data;
mod dispatch;
mod facts;
mod format;
mod graph;
mod location;
mod pats;
mod routes;
mod setup;
mod state;
mod token_admin;
mod wire;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::base64;
use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

pub use crate::testing::emulator_kit::{
    Fault, FaultRule, LoopbackServer as EmulatorServer, Schedule, Throttle, ThrottleStats,
};
pub use setup::{
    EmulatedUser, OrgPolicies, Organization, RevocationRuleSnapshot, SeedPat, SeededPat, Snapshot, TargetAccounts,
    TenantPolicies, TokenSnapshot, UserSnapshot,
};

use crate::clock::{Clock, SystemClock};
use crate::model::PatId;
use crate::secret::{BearerToken, PatSecret};
use crate::testing::emulator_kit::{self, Harness};
#[cfg(doc)]
use crate::transport::HttpTransport;
use crate::transport::Operation;
use format::{b64, hash_secret, is_pat_shaped, mint_pat, to_ticks};
use state::{BearerEntry, BearerSubject, PatEntry, SERVICE_MAX_LIFESPAN, State, UserEntry};

/// The Azure DevOps resource (audience) of an Entra token.
const ADO_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// The emulated service. Clones share one state.
///
/// All set-up methods take `&self` and may be called while the emulator is serving.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    harness: Harness,
    tenant_id: Uuid,
    state: Mutex<State>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Emulator")
            .field("clock", self.inner.harness.clock())
            .field("organizations", &state.orgs.len())
            .field("users", &state.users.len())
            .field("tokens", &state.pats().len())
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Emulator {
    /// An empty emulator on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty emulator whose "now" comes from `clock` (e.g. a [`ManualClock`](crate::ManualClock)),
    /// for expiry, `validFrom`, bearer expiry and the `expired` filter.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                harness: Harness::new(clock),
                tenant_id: Uuid::new_v4(),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.harness.now()
    }

    /// Serves the emulator on `addr` (port 0 picks a free port), on the current tokio runtime,
    /// with the shared [`emulator_kit::serve`]. Each connection is served on its own task, so
    /// concurrent clients are fine.
    ///
    /// ```
    /// use patkit::azure::emulator::Emulator;
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let server = Emulator::new().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// server.shutdown().await;
    /// # });
    /// ```
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

    /// Adds an organization (or returns the existing one with that name, compared
    /// case-insensitively).
    pub fn add_organization(&self, name: &str) -> Organization {
        let mut state = self.lock();
        if let Some(org) = state.org_by_name(name) {
            return org.clone();
        }
        let org = Organization { name: name.to_owned(), id: Uuid::new_v4() };
        state.orgs.push(org.clone());
        org
    }

    /// The organization called `name`, if added.
    pub fn organization(&self, name: &str) -> Option<Organization> {
        self.lock().org_by_name(name).cloned()
    }

    /// Adds a user and issues them a bearer token that never expires.
    pub fn add_user(&self, display_name: &str) -> EmulatedUser {
        let id = Uuid::new_v4();
        let descriptor = format!("aad.{}", b64(&id.to_string()));
        self.lock().users.push(UserEntry {
            id,
            display_name: display_name.to_owned(),
            descriptor: descriptor.clone(),
            admin_of: Vec::new(),
            principal_name: default_principal_name(display_name),
            mail: Some(default_principal_name(display_name)),
            member_of: Vec::new(),
        });
        let bearer = self.issue(BearerSubject::User(id), None);
        EmulatedUser { id, display_name: display_name.to_owned(), descriptor, bearer }
    }

    /// Issues another bearer token to user `user`, expiring at `expires_at` (`None`: never; a
    /// time in the past gives an already expired token, for auth-failure tests).
    ///
    /// # Panics
    ///
    /// If `user` is not a user of this emulator.
    pub fn issue_user_token(&self, user: Uuid, expires_at: Option<DateTime<Utc>>) -> BearerToken {
        assert!(self.lock().user(user).is_some(), "issue_user_token: unknown user {user}");
        self.issue(BearerSubject::User(user), expires_at)
    }

    /// Issues an app-only (service principal / managed identity) bearer token. The PAT API and
    /// Token Admin refuse it with 403 `InvalidAccessException`, as the service does.
    pub fn issue_app_token(&self, expires_at: Option<DateTime<Utc>>) -> BearerToken {
        self.issue(BearerSubject::App(Uuid::new_v4()), expires_at)
    }

    /// An Entra-looking JWT: a real header and claims (audience, object id, tenant, expiry) and a
    /// random signature, so each token is unique. Only its hash is kept.
    fn issue(&self, subject: BearerSubject, expires_at: Option<DateTime<Utc>>) -> BearerToken {
        let b64url = |bytes: &[u8]| base64::encode(bytes, base64::Alphabet::UrlNoPad);
        let (oid, idtyp) = match subject {
            BearerSubject::User(id) => (id, "user"),
            BearerSubject::App(id) => (id, "app"),
        };
        let exp = expires_at.unwrap_or_else(|| self.now() + TimeDelta::days(3650)).timestamp();
        let claims = serde_json::json!({
            "aud": ADO_RESOURCE, "iss": "https://emulator.patkit.invalid/", "tid": self.inner.tenant_id,
            "oid": oid, "idtyp": idtyp, "exp": exp,
        });
        let signature = [*Uuid::new_v4().as_bytes(), *Uuid::new_v4().as_bytes()].concat();
        let token = format!(
            "{}.{}.{}",
            b64url(br#"{"typ":"JWT","alg":"RS256"}"#),
            b64url(claims.to_string().as_bytes()),
            b64url(&signature)
        );
        self.lock().bearers.insert(hash_secret(&token), BearerEntry { subject, expires_at });
        BearerToken::new(token)
    }

    /// Makes `user` an administrator of organization `org` (Token Admin access).
    ///
    /// # Panics
    ///
    /// If the organization or the user is unknown.
    pub fn make_org_admin(&self, org: &str, user: Uuid) {
        let mut state = self.lock();
        let org_id = state
            .org_by_name(org)
            .map(|o| o.id)
            .unwrap_or_else(|| panic!("make_org_admin: unknown organization {org}"));
        let entry = state
            .users
            .iter_mut()
            .find(|u| u.id == user)
            .unwrap_or_else(|| panic!("make_org_admin: unknown user {user}"));
        if !entry.admin_of.contains(&org_id) {
            entry.admin_of.push(org_id);
        }
    }

    /// Makes `user` a member of organization `org`, so Graph lists them there (an admin of the
    /// organization is a member already).
    ///
    /// # Panics
    ///
    /// If the organization or the user is unknown.
    pub fn add_member(&self, org: &str, user: Uuid) {
        let mut state = self.lock();
        let org_id =
            state.org_by_name(org).map(|o| o.id).unwrap_or_else(|| panic!("add_member: unknown organization {org}"));
        let entry =
            state.users.iter_mut().find(|u| u.id == user).unwrap_or_else(|| panic!("add_member: unknown user {user}"));
        if !entry.member_of.contains(&org_id) {
            entry.member_of.push(org_id);
        }
    }

    /// Sets the Graph `principalName` (UPN) and `mailAddress` of `user`. By default both are
    /// the display name, lower-cased without blanks, `@emulator.test`.
    ///
    /// # Panics
    ///
    /// If the user is unknown.
    pub fn set_user_identity(&self, user: Uuid, principal_name: &str, mail: Option<&str>) {
        let mut state = self.lock();
        let entry = state
            .users
            .iter_mut()
            .find(|u| u.id == user)
            .unwrap_or_else(|| panic!("set_user_identity: unknown user {user}"));
        principal_name.clone_into(&mut entry.principal_name);
        entry.mail = mail.map(str::to_owned);
    }

    /// Adds an SSH key of `owner` in organization `org` (Token Admin lists it with
    /// `isPublic=true`; the emulator does not serve git over SSH), valid for a year from now.
    /// Returns its `authorizationId`.
    ///
    /// # Panics
    ///
    /// If the organization or the user is unknown.
    pub fn seed_ssh_key(&self, org: &str, owner: Uuid, title: &str) -> PatId {
        let now = to_ticks(self.now());
        let mut state = self.lock();
        let org_id =
            state.org_by_name(org).map(|o| o.id).unwrap_or_else(|| panic!("seed_ssh_key: unknown organization {org}"));
        assert!(state.user(owner).is_some(), "seed_ssh_key: unknown user {owner}");
        let id = Uuid::new_v4();
        state.ssh_keys.push(state::SshKeyEntry {
            id,
            owner,
            org: org_id,
            display_name: title.to_owned(),
            valid_from: now,
            valid_to: now + SERVICE_MAX_LIFESPAN,
        });
        PatId::new(id.to_string())
    }

    /// Users per Graph listing page (default 500, the emulator's guess), e.g. 2 to test
    /// continuation.
    pub fn set_graph_page_size(&self, size: usize) {
        self.lock().graph_page_size = Some(size.max(1));
    }

    /// Puts a token for `owner` into organization `org` directly (no policy checks), returning
    /// its id and secret. Without [`SeedPat::secret`] a new 84-character secret is minted.
    ///
    /// # Panics
    ///
    /// If the organization or the user is unknown, or a given secret has neither the 84- nor the
    /// 52-character format, or is already in use.
    pub fn seed_pat(&self, org: &str, owner: Uuid, seed: SeedPat) -> SeededPat {
        let now = self.now();
        let secret = seed.secret.unwrap_or_else(|| PatSecret::new(mint_pat().expect("the OS has no randomness")));
        assert!(
            is_pat_shaped(secret.expose_secret()),
            "seed_pat: the secret has neither the 84- nor the 52-character format"
        );
        let mut state = self.lock();
        let org_id =
            state.org_by_name(org).map(|o| o.id).unwrap_or_else(|| panic!("seed_pat: unknown organization {org}"));
        assert!(state.user(owner).is_some(), "seed_pat: unknown user {owner}");
        let hash = hash_secret(secret.expose_secret());
        assert!(!state.secret_index.contains_key(&hash), "seed_pat: that secret is already in use");
        let valid_from = to_ticks(seed.valid_from.unwrap_or(now));
        let targets = match seed.targets {
            None => Some(vec![org_id]),
            Some(TargetAccounts::AllOrganizations) => None,
            Some(TargetAccounts::Organizations(ids)) => Some(ids),
        };
        let entry = PatEntry {
            id: Uuid::new_v4(),
            owner,
            display_name: seed.display_name,
            scope: seed.scope,
            valid_from,
            valid_to: to_ticks(seed.valid_to.unwrap_or(valid_from + SERVICE_MAX_LIFESPAN)),
            targets,
            revoked: seed.revoked,
            legacy_format: secret.expose_secret().len() == format::LEGACY_PAT_LEN,
        };
        let id = PatId::new(entry.id.to_string());
        state.insert_pat(entry, hash);
        SeededPat { id, secret }
    }

    /// Replaces the tenant policies.
    pub fn set_tenant_policies(&self, policies: TenantPolicies) {
        self.lock().tenant = policies;
    }

    /// The tenant policies.
    pub fn tenant_policies(&self) -> TenantPolicies {
        self.lock().tenant.clone()
    }

    /// Replaces the policies of organization `org`.
    ///
    /// # Panics
    ///
    /// If the organization is unknown.
    pub fn set_org_policies(&self, org: &str, policies: OrgPolicies) {
        let mut state = self.lock();
        let id = state
            .org_by_name(org)
            .map(|o| o.id)
            .unwrap_or_else(|| panic!("set_org_policies: unknown organization {org}"));
        state.org_policies.insert(id, policies);
    }

    /// Everything the emulator holds, without any secret.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now();
        self.lock().snapshot(now)
    }

    /// One token's state, without its secret.
    pub fn token(&self, id: &PatId) -> Option<TokenSnapshot> {
        let id = Uuid::parse_str(id.as_str()).ok()?;
        self.lock().token_snapshot(id)
    }

    /// Scripts a fault. Rules are checked in the order they were added.
    pub fn inject(&self, rule: FaultRule) {
        self.inner.harness.inject(rule);
    }

    /// Removes every scripted fault.
    pub fn clear_faults(&self) {
        self.inner.harness.clear_faults();
    }

    /// Applies (`true`, the default) or ignores (`false`) the service-wide global-PAT retirement
    /// of 2026-12-01T00:00Z (fact sheet §9, BLOG-GPAT; the client's
    /// [`GLOBAL_PAT_RETIREMENT`](crate::azure::GLOBAL_PAT_RETIREMENT)).
    ///
    /// While it applies, from 2026-12-01T00:00Z on the emulator's clock, creating a global token
    /// (`allOrgs: true`) or regenerating one (an update that renews, rescopes or re-targets it)
    /// answers `globalPATCreationBlocked`, and every existing global token stops authenticating
    /// (`connectionData` answers 401). Before that date nothing changes. Switch it off to model
    /// the time before the retirement with a clock set after it;
    /// [`TenantPolicies::global_pat_creation_blocked`] still blocks creation on its own.
    pub fn set_global_pat_retirement(&self, applies: bool) {
        self.lock().ignore_global_retirement = !applies;
    }

    /// Sends `X-RateLimit-Resource`, `-Limit`, `-Remaining` and `-Reset` on every answer (off by
    /// default; the service sends them as a user nears the limit, §7).
    pub fn set_rate_limit_headers(&self, enabled: bool) {
        self.lock().rate_limit.headers_enabled = enabled;
    }

    /// Throttles like the service (§7; off by default): `Some` meters each user's requests with
    /// `throttle` (one request stands for one TSTU); over the limit a request is held (answered
    /// late with `X-RateLimit-Delay`) up to the throttle's [`hold`](emulator_kit::Throttle::hold),
    /// and beyond that refused with 429 TF400733 and `Retry-After`. While it is on, every answer
    /// carries `X-RateLimit-Resource`, `-Limit`, `-Remaining` and `-Reset` from the meter.
    /// `None` switches it off and forgets the usage.
    ///
    /// ```
    /// use std::time::Duration;
    /// use patkit::azure::emulator::{Emulator, Throttle};
    ///
    /// let emulator = Emulator::new();
    /// // 200 requests per user per sliding second; 8 may wait up to 30 s, then 429.
    /// emulator.set_throttle(Some(Throttle::sliding(200, Duration::from_secs(1)).holding(8, Duration::from_secs(30))));
    /// assert_eq!(emulator.throttle_stats().refused, 0);
    /// ```
    pub fn set_throttle(&self, throttle: Option<emulator_kit::Throttle>) {
        self.inner.harness.set_throttle(throttle);
    }

    /// What the throttle did since it was set (requests served, held, refused).
    pub fn throttle_stats(&self) -> emulator_kit::ThrottleStats {
        self.inner.harness.throttle_stats()
    }

    /// How many requests for `operation` reached the emulator (faulted ones included).
    pub fn requests_seen(&self, operation: Operation) -> u64 {
        self.inner.harness.requests_seen(operation.name())
    }
}

/// The default Graph principal name and mail of a user: the display name, lower-cased, blanks
/// removed, `@emulator.test`.
fn default_principal_name(display_name: &str) -> String {
    let local: String = display_name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    format!("{local}@emulator.test")
}
