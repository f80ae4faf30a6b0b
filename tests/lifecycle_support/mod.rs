//! Shared set-up for the lifecycle tests: an emulator on a manual clock, a client whose transport
//! and a store whose calls go through a [`Gate`] (which can hold any chosen call — before or
//! after it reaches the emulator or the store — and counts every call), invariant checks against
//! the emulator's state, and a small seeded random generator.
#![allow(dead_code)]

pub mod vault_kv;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures_util::future::BoxFuture;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::store::{Expected, StoreError, StoreErrorKind};
use patkit::transport::{HttpRequest, HttpResponse, HttpTransport, Operation, TransportError};
use patkit::{Clock, ManualClock, PatRecord, StoredPat, TokenStore};
use tokio::sync::Notify;

pub const ORG: &str = "fabrikam";

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap()
}

/// A call the gate can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `get` on the store.
    StoreRead,
    /// `put`, `compare_and_swap` or `remove` on the store.
    StoreWrite,
    /// `list` on the store.
    StoreList,
    /// An HTTP request for this operation.
    Http(Operation),
    /// Any call (in a [`HoldPoint`]: the nth call of any kind).
    Any,
}

/// Where to hold: the `nth` (1-based) call of `call`, before it is forwarded or after its answer
/// came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldPoint {
    pub call: Call,
    pub nth: usize,
    pub after: bool,
}

impl fmt::Display for HoldPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?} #{}", if self.after { "after" } else { "before" }, self.call, self.nth)
    }
}

/// A store error the gate injects on the `nth` store write: before forwarding (nothing written)
/// or after (written, but the caller sees an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFault {
    pub nth: usize,
    pub after: bool,
}

/// An invariant check run before every call.
pub type Checker = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

#[derive(Default)]
struct GateState {
    counts: HashMap<Call, usize>,
    hold: Option<HoldPoint>,
    held: bool,
    store_faults: Vec<StoreFault>,
    /// Checks run before every call; their failures are collected here.
    violations: Vec<String>,
    checker: Option<Checker>,
}

/// Counts calls, holds one chosen call (until [`release`](Self::release), or forever — the
/// test then drops the future: a crash), injects store faults, and runs an invariant check at
/// every call.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<Mutex<GateState>>,
    reached: Arc<Notify>,
    release: Arc<Notify>,
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gate")
    }
}

enum Verdict {
    Pass,
    HoldBefore,
    HoldAfter,
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hold at `point` from now on (counts keep running from where they are).
    pub fn hold_at(&self, point: HoldPoint) {
        let mut s = self.lock();
        s.hold = Some(point);
        s.held = false;
    }

    /// Forget the hold point (does not release a call already held).
    pub fn clear_hold(&self) {
        self.lock().hold = None;
    }

    /// Injects a store fault.
    pub fn store_fault(&self, fault: StoreFault) {
        self.lock().store_faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.lock().store_faults.clear();
    }

    /// Restart the counts (e.g. before the run under test).
    pub fn reset_counts(&self) {
        self.lock().counts.clear();
    }

    pub fn count(&self, call: Call) -> usize {
        self.lock().counts.get(&call).copied().unwrap_or(0)
    }

    /// Whether the hold point was reached.
    pub fn was_held(&self) -> bool {
        self.lock().held
    }

    /// Resolves once the hold point is reached.
    pub async fn reached(&self) {
        loop {
            let mut notified = std::pin::pin!(self.reached.notified());
            notified.as_mut().enable();
            if self.was_held() {
                return;
            }
            notified.await;
        }
    }

    /// Lets a held call go on.
    pub fn release(&self) {
        self.release.notify_waiters();
    }

    /// Runs `check` before every call from now on; failures are collected.
    pub fn set_checker(&self, check: Checker) {
        self.lock().checker = Some(check);
    }

    pub fn clear_checker(&self) {
        self.lock().checker = None;
    }

    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().violations)
    }

    async fn enter(&self, call: Call) -> (Verdict, Option<bool>) {
        // Every call is a point where other tasks may run, as with a real store or network.
        tokio::task::yield_now().await;
        let checker = self.lock().checker.clone();
        if let Some(check) = checker
            && let Err(v) = check().await
        {
            self.lock().violations.push(format!("at {call:?}: {v}"));
        }
        let mut s = self.lock();
        let n = {
            let c = s.counts.entry(call).or_default();
            *c += 1;
            *c
        };
        let fault = if call == Call::StoreWrite {
            s.store_faults.iter().position(|f| f.nth == n).map(|i| s.store_faults.remove(i).after)
        } else {
            None
        };
        let any = {
            let c = s.counts.entry(Call::Any).or_default();
            *c += 1;
            *c
        };
        let verdict = match s.hold {
            Some(h) if !s.held && ((h.call == call && h.nth == n) || (h.call == Call::Any && h.nth == any)) => {
                if h.after { Verdict::HoldAfter } else { Verdict::HoldBefore }
            }
            _ => Verdict::Pass,
        };
        (verdict, fault)
    }

    async fn hold(&self) {
        let mut released = std::pin::pin!(self.release.notified());
        released.as_mut().enable();
        self.lock().held = true;
        self.reached.notify_waiters();
        released.await;
    }

    async fn pass<T>(&self, call: Call, f: impl std::future::Future<Output = T>) -> T {
        let (verdict, _) = self.enter(call).await;
        if matches!(verdict, Verdict::HoldBefore) {
            self.hold().await;
        }
        let out = f.await;
        if matches!(verdict, Verdict::HoldAfter) {
            self.hold().await;
        }
        out
    }
}

/// The emulator (or any transport) behind a [`Gate`].
#[derive(Debug, Clone)]
pub struct GatedTransport {
    pub inner: Arc<dyn HttpTransport>,
    pub gate: Gate,
}

#[async_trait]
impl HttpTransport for GatedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let call = Call::Http(Operation::of(&request).expect("every patkit request names its operation"));
        self.gate.pass(call, self.inner.send(request)).await
    }
}

/// A store behind a [`Gate`], with injectable write errors.
#[derive(Debug, Clone)]
pub struct GatedStore {
    pub inner: Arc<dyn TokenStore>,
    pub gate: Gate,
}

fn injected() -> StoreError {
    StoreError::new(StoreErrorKind::Unavailable, "injected store fault")
}

impl GatedStore {
    async fn write<F: std::future::Future<Output = Result<T, StoreError>>, T>(&self, f: F) -> Result<T, StoreError> {
        let (verdict, fault) = self.gate.enter(Call::StoreWrite).await;
        if matches!(verdict, Verdict::HoldBefore) {
            self.gate.hold().await;
        }
        if fault == Some(false) {
            return Err(injected());
        }
        let out = f.await;
        if matches!(verdict, Verdict::HoldAfter) {
            self.gate.hold().await;
        }
        if fault == Some(true) {
            return Err(injected());
        }
        out
    }
}

#[async_trait]
impl TokenStore for GatedStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.gate.pass(Call::StoreRead, self.inner.get(name)).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.write(self.inner.put(entry)).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        self.write(self.inner.compare_and_swap(entry, expected)).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        self.write(self.inner.remove(name)).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.gate.pass(Call::StoreList, self.inner.list()).await
    }
}

/// One emulator, one user, a gated client and a gated store.
pub struct World {
    pub emulator: Emulator,
    pub clock: ManualClock,
    pub alice: EmulatedUser,
    pub gate: Gate,
    /// The client through the gate.
    pub client: AzureDevOpsClient,
    /// A client that bypasses the gate (for checks).
    pub direct: AzureDevOpsClient,
    /// The raw store (no gate).
    pub inner_store: Arc<dyn TokenStore>,
    /// The store through the gate.
    pub store: Arc<GatedStore>,
}

impl World {
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self::with_checks_through(store.clone(), store)
    }

    /// A world whose flows use `store` and whose checks (and seeding) read the same data through
    /// `direct`, which sees none of the faults `store` may be set up with.
    pub fn with_checks_through(store: Arc<dyn TokenStore>, direct_store: Arc<dyn TokenStore>) -> Self {
        let clock = ManualClock::new(start_time());
        let emulator = Emulator::with_clock(Arc::new(clock.clone()));
        emulator.add_organization(ORG);
        let alice = emulator.add_user("Alice");
        let gate = Gate::default();
        let client = AzureDevOpsClient::builder(ORG, StaticCredential::from(alice.bearer.clone()))
            .transport(GatedTransport { inner: Arc::new(emulator.clone()), gate: gate.clone() })
            .clock(clock.clone())
            // The crash points count calls at the gate: no retries under them.
            .retry(patkit::transport::RetryConfig::none())
            .build()
            .unwrap();
        let direct = AzureDevOpsClient::builder(ORG, StaticCredential::from(alice.bearer.clone()))
            .transport(emulator.clone())
            .clock(clock.clone())
            // The crash points count calls at the gate: no retries under them.
            .retry(patkit::transport::RetryConfig::none())
            .build()
            .unwrap();
        let gated = Arc::new(GatedStore { inner: store, gate: gate.clone() });
        Self { emulator, clock, alice, gate, client, direct, inner_store: direct_store, store: gated }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Seeds a token expiring in `days_left` days on the server and stores it as `name`.
    pub async fn seed(&self, name: &str, display_name: &str, days_left: i64) -> StoredPat {
        let now = self.now();
        let seeded = self.emulator.seed_pat(
            ORG,
            self.alice.id,
            SeedPat::new(display_name, "vso.code vso.packaging")
                .valid_from(now - TimeDelta::days(30))
                .valid_to(now + TimeDelta::days(days_left)),
        );
        let metadata = self.direct.get(&seeded.id).await.unwrap();
        let entry =
            StoredPat { record: PatRecord::new(name, "azure-devops", ORG, metadata, now), secret: seeded.secret };
        self.inner_store.put(entry.clone()).await.unwrap();
        self.inner_store.get(name).await.unwrap().unwrap()
    }

    /// A checker for [`Gate::set_checker`]: the token stored as `name` is active on the server.
    pub fn stored_token_works_checker(&self, name: &str) -> Checker {
        let store = self.inner_store.clone();
        let emulator = self.emulator.clone();
        let name = name.to_owned();
        Arc::new(move || {
            let (store, emulator, name) = (store.clone(), emulator.clone(), name.clone());
            Box::pin(async move {
                let entry = store.get(&name).await.map_err(|e| format!("store unreadable: {e}"))?;
                let entry = entry.ok_or_else(|| format!("entry {name} is missing"))?;
                let token = emulator
                    .token(&entry.record.metadata.id)
                    .ok_or_else(|| format!("stored token {} unknown to the server", entry.record.metadata.id))?;
                if !token.is_active(emulator.now()) {
                    return Err(format!("stored token {} is not active (revoked: {})", token.id, token.revoked));
                }
                Ok(())
            })
        })
    }

    /// The invariant after a finished flow (or a crash plus recovery) for one entry.
    pub async fn check_settled(&self, name: &str) -> Result<(), String> {
        self.check_settled_all(&[name]).await
    }

    /// The invariant after a finished flow (or a crash plus recovery): each entry's stored token
    /// works (server state and an actual call with it), every other token of the user is
    /// revoked or expired, and no display name was used twice (no duplicate replacements).
    pub async fn check_settled_all(&self, names: &[&str]) -> Result<(), String> {
        let mut stored_ids = Vec::new();
        for name in names {
            self.check_stored(name).await.map_err(|e| format!("{name}: {e}"))?;
            stored_ids.push(self.inner_store.get(name).await.unwrap().unwrap().record.metadata.id);
        }
        let snapshot = self.emulator.snapshot();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for token in snapshot.tokens_of(self.alice.id) {
            *names.entry(token.display_name.as_str()).or_default() += 1;
            if !stored_ids.contains(&token.id) && token.is_active(snapshot.now) {
                return Err(format!("token {} ({}) is left valid but not stored", token.id, token.display_name));
            }
        }
        if let Some((name, n)) = names.iter().find(|(_, n)| **n > 1) {
            return Err(format!("{n} tokens named {name}: a duplicate replacement"));
        }
        Ok(())
    }

    async fn check_stored(&self, name: &str) -> Result<(), String> {
        let entry = self
            .inner_store
            .get(name)
            .await
            .map_err(|e| format!("store unreadable: {e}"))?
            .ok_or_else(|| format!("entry {name} is missing"))?;
        let snapshot = self.emulator.snapshot();
        let stored = snapshot
            .token(&entry.record.metadata.id)
            .ok_or_else(|| "the stored token is unknown to the server".to_owned())?;
        if !stored.is_active(snapshot.now) {
            return Err(format!("the stored token {} is not active (revoked: {})", stored.id, stored.revoked));
        }
        if !self.direct.check_pat(&entry.secret).await.map_err(|e| e.to_string())? {
            return Err("the stored secret does not authenticate".into());
        }
        if stored.valid_to != entry.record.metadata.valid_to {
            return Err("the stored expiry differs from the server's".into());
        }
        Ok(())
    }
}

/// SplitMix64: a tiny seeded generator, so every randomized run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}
