//! The [`Gate`] every call of a lifecycle test goes through (provider, transport, store): it
//! counts calls, holds a chosen one, injects store faults and runs an invariant check.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use patkit::store::{Expected, StoreError, StoreErrorKind};
use patkit::testing::{FakeOp, FakeProvider};
use patkit::transport::{HttpRequest, HttpResponse, HttpTransport, Operation, TransportError};
use patkit::{
    Capabilities, ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatProvider,
    PatRecord, PatSecret, PatSpec, RotatedPat, StoredPat, TokenStore,
};
use tokio::sync::Notify;

/// A call the gate can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `get` on the store.
    StoreRead,
    /// `put`, `compare_and_swap` or `remove` on the store.
    StoreWrite,
    /// `list` on the store.
    StoreList,
    /// An HTTP request for this operation (the Azure backend).
    Http(Operation),
    /// A call of this operation on the fake provider (the fake backends).
    Fake(FakeOp),
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

/// A [`FakeProvider`] behind a [`Gate`]: each call is [`Call::Fake`] of its operation.
#[derive(Debug, Clone)]
pub struct GatedProvider {
    pub inner: FakeProvider,
    pub gate: Gate,
}

#[async_trait]
impl PatProvider for GatedProvider {
    fn provider_name(&self) -> &str {
        self.inner.provider_name()
    }
    fn organization(&self) -> &str {
        self.inner.organization()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn create_pat(&self, spec: PatSpec) -> patkit::Result<CreatedPat> {
        self.gate.pass(Call::Fake(FakeOp::Create), self.inner.create_pat(spec)).await
    }
    async fn get_pat(&self, id: &PatId) -> patkit::Result<PatMetadata> {
        self.gate.pass(Call::Fake(FakeOp::Get), self.inner.get_pat(id)).await
    }
    async fn list_pats(
        &self,
        query: &ListQuery,
        continuation: Option<ContinuationToken>,
    ) -> patkit::Result<Page<PatMetadata>> {
        self.gate.pass(Call::Fake(FakeOp::List), self.inner.list_pats(query, continuation)).await
    }
    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> patkit::Result<PatMetadata> {
        self.gate.pass(Call::Fake(FakeOp::Update), self.inner.update_pat(id, changes)).await
    }
    async fn revoke_pat(&self, id: &PatId) -> patkit::Result<()> {
        self.gate.pass(Call::Fake(FakeOp::Revoke), self.inner.revoke_pat(id)).await
    }
    async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> patkit::Result<RotatedPat> {
        self.gate.pass(Call::Fake(FakeOp::Rotate), self.inner.rotate_pat(id, valid_to)).await
    }
    async fn check_pat(&self, secret: &PatSecret) -> patkit::Result<bool> {
        self.gate.pass(Call::Fake(FakeOp::Check), self.inner.check_pat(secret)).await
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
