//! The per-emulator bookkeeping every request goes through: clock, faults, request log.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use super::faults::{Decision, FaultPlan, FaultRule};
use super::log::RequestLog;
use super::throttle::{Admission, Meter, Throttle, ThrottleStats, Verdict};
use crate::clock::Clock;

/// An emulator's clock, scripted faults and request log. Share it (e.g. in an `Arc`) between the
/// clones of an emulator.
pub struct Harness {
    clock: Arc<dyn Clock>,
    faults: Mutex<FaultPlan>,
    log: Mutex<RequestLog>,
    meter: Mutex<Meter>,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness").field("clock", &self.clock).field("requests", &lock(&self.log).total()).finish()
    }
}

/// A panic while a lock was held cannot leave a count or a fault plan half-written in a way that
/// matters to tests; keep serving.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Harness {
    /// No faults, nothing seen, "now" from `clock` (e.g. a [`ManualClock`](crate::ManualClock)).
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            faults: Mutex::new(FaultPlan::default()),
            log: Mutex::new(RequestLog::default()),
            meter: Mutex::new(Meter::default()),
        }
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Scripts a fault. Rules are checked in the order they were added.
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.faults).add(rule);
    }

    /// Removes every scripted fault.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// How many requests of the operation named `name` were admitted (faulted ones included).
    pub fn requests_seen(&self, name: &str) -> u64 {
        lock(&self.log).count(name)
    }

    /// A copy of the request log.
    pub fn request_log(&self) -> RequestLog {
        lock(&self.log).clone()
    }

    /// Switches throttling on (`Some`) or off (`None`, the default), starting every caller's
    /// usage and the [`throttle_stats`](Self::throttle_stats) afresh. The one switch for every
    /// emulator: each renders the verdicts in its service's own headers and error shape.
    pub fn set_throttle(&self, throttle: Option<Throttle>) {
        lock(&self.meter).set(throttle);
    }

    /// The throttle in force, if any.
    pub fn throttle_config(&self) -> Option<Throttle> {
        lock(&self.meter).throttle()
    }

    /// What the throttle decided since it was set: served, delayed and refused requests.
    pub fn throttle_stats(&self) -> ThrottleStats {
        lock(&self.meter).stats()
    }

    /// Meters one request of `caller` (the emulator's name for whoever the service counts
    /// against: a user, or one shared name for anonymous callers) at the emulator's "now";
    /// `None` when throttling is off. A [`Verdict::Delayed`] request has been held for its
    /// delay (a `tokio::time::sleep`) when this returns.
    pub async fn throttle(&self, caller: &str) -> Option<Admission> {
        let admission = lock(&self.meter).admit(caller, self.clock.now())?;
        if let Verdict::Delayed(delay) = admission.verdict {
            tokio::time::sleep(delay).await;
        }
        Some(admission)
    }

    /// The bookkeeping at the start of one request of the operation named `operation` (`None`:
    /// one the emulator could not name): records it, decides its faults and waits out their
    /// latency (a `tokio::time::sleep`, so paused test time skips it). The caller acts on
    /// [`Decision::action`].
    pub async fn admit(&self, operation: Option<&'static str>) -> Decision {
        lock(&self.log).record(operation);
        let decision = lock(&self.faults).decide(operation);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;
    use crate::testing::emulator_kit::Fault;
    use crate::transport::Operation;

    #[tokio::test(start_paused = true)]
    async fn admit_counts_decides_and_waits_out_latency() {
        let clock = Arc::new(ManualClock::new(DateTime::from_timestamp(1_000, 0).unwrap()));
        let harness = Harness::new(clock);
        harness.inject(FaultRule::new(Operation::idempotent("list"), Fault::Latency(Duration::from_secs(3))));
        harness.inject(FaultRule::new(Operation::idempotent("list"), Fault::ServerError { status: 503 }));

        let started = tokio::time::Instant::now();
        let first = harness.admit(Some("list")).await;
        assert_eq!(first.action, Some(Fault::ServerError { status: 503 }));
        assert_eq!(started.elapsed(), Duration::from_secs(3), "the latency was slept");
        assert_eq!(harness.admit(Some("list")).await.action, None, "both rules were for the next request only");
        harness.admit(None).await;

        assert_eq!(harness.requests_seen("list"), 2);
        assert_eq!((harness.request_log().unclassified(), harness.request_log().total()), (1, 3));
        assert_eq!(harness.now(), DateTime::from_timestamp(1_000, 0).unwrap());

        harness.inject(FaultRule::any_operation(Fault::CommitThenDrop).always());
        harness.clear_faults();
        assert_eq!(harness.admit(Some("get")).await.action, None);
    }
}
