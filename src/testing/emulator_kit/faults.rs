//! Faults on demand: latency, throttling, server errors and dropped connections.
//!
//! The plan decides *which* fault a request gets; the provider's emulator renders it in its
//! service's own shape (status line, headers, error body).

use std::time::Duration;

use crate::transport::Operation;

/// Something going wrong on purpose.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally, but only after this long (a `tokio::time::sleep`, so paused test time
    /// skips it). Latencies of several matching rules add up, and combine with the other faults.
    Latency(Duration),
    /// Answer 429 with `Retry-After` (whole seconds, rounded up) and the service's throttling
    /// answer, without acting on the request.
    RateLimited {
        /// The `Retry-After` to send.
        retry_after: Duration,
    },
    /// Act on the request and answer normally, but add `Retry-After` (and whatever else the
    /// service sends with it) to the success: a "slow down" signal on a 2xx, to pace the next
    /// request.
    SlowDown {
        /// The `Retry-After` to send.
        retry_after: Duration,
    },
    /// Answer with this 5xx status and the service's error body, without acting on the request.
    ServerError {
        /// The status, e.g. 500 or 503.
        status: u16,
    },
    /// Act on the request (commit a create or rotate), then break the connection without
    /// answering. In process ([`Outcome::into_result`](super::Outcome::into_result)): a [`TransportError`](crate::transport::TransportError) of kind
    /// [`Interrupted`](crate::transport::TransportErrorKind::Interrupted); over HTTP: the
    /// connection is closed with no response.
    CommitThenDrop,
}

/// When a [`FaultRule`] fires, counted over the requests it matches.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// The next `n` matching requests, then the rule is spent.
    Next(u32),
    /// Every `n`th matching request (the `n`th, `2n`th, …), forever.
    EveryNth(u32),
    /// Every matching request.
    Always,
}

/// A scripted fault: which operation, when, and what.
///
/// Rules match requests by their operation's [name](Operation::name): the emulator names the
/// operation of each request it receives from the path and method alone, so a rule made from the
/// client's tag for "create" fires on every create, whoever sent it.
///
/// ```
/// use std::time::Duration;
/// use patkit::testing::emulator_kit::{Fault, FaultRule};
/// use patkit::transport::Operation;
///
/// const CREATE: Operation = Operation::not_idempotent("create");
/// const LIST: Operation = Operation::idempotent("list");
/// // The next two creates fail with 503; every third list is throttled.
/// let a = FaultRule::new(CREATE, Fault::ServerError { status: 503 }).times(2);
/// let b = FaultRule::new(LIST, Fault::RateLimited { retry_after: Duration::from_secs(5) }).every(3);
/// assert_eq!(a.operation(), Some("create"));
/// # let _ = b;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    operation: Option<&'static str>,
    schedule: Schedule,
    fault: Fault,
}

impl FaultRule {
    /// `fault` on the next request for `operation` (change the count with [`times`](Self::times),
    /// [`every`](Self::every) or [`always`](Self::always)).
    pub fn new(operation: Operation, fault: Fault) -> Self {
        Self { operation: Some(operation.name()), schedule: Schedule::Next(1), fault }
    }

    /// `fault` on the next request, whatever its operation.
    pub fn any_operation(fault: Fault) -> Self {
        Self { operation: None, schedule: Schedule::Next(1), fault }
    }

    /// Fire on the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.schedule = Schedule::Next(n);
        self
    }

    /// Fire on every `n`th matching request (`n` of 0 is taken as 1).
    pub fn every(mut self, n: u32) -> Self {
        self.schedule = Schedule::EveryNth(n.max(1));
        self
    }

    /// Fire on every matching request.
    pub fn always(mut self) -> Self {
        self.schedule = Schedule::Always;
        self
    }

    /// The name of the operation this rule matches; `None` when it matches any.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The schedule.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// The fault.
    pub fn fault(&self) -> Fault {
        self.fault
    }
}

#[derive(Debug, Clone)]
struct ActiveRule {
    rule: FaultRule,
    seen: u64,
    fired: u32,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decision {
    /// How long to wait before answering: the sum of every [`Fault::Latency`] that fired.
    pub latency: Duration,
    /// The first non-latency fault that fired, if any.
    pub action: Option<Fault>,
}

/// The scripted faults, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    rules: Vec<ActiveRule>,
}

impl FaultPlan {
    /// Adds a rule after the ones already there.
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(ActiveRule { rule, seen: 0, fired: 0 });
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Decides the faults for one request of the operation named `name` (`None`: a request the
    /// emulator could not classify, which only rules for any operation match) and advances the
    /// counters. Rules are checked in order; latencies add up; the first other fault that fires
    /// is the action, and a later rule that would also fire waits for the next request.
    pub fn decide(&mut self, name: Option<&str>) -> Decision {
        let mut decision = Decision::default();
        for active in &mut self.rules {
            if active.rule.operation.is_some() && active.rule.operation != name {
                continue;
            }
            active.seen += 1;
            let fires = match active.rule.schedule {
                Schedule::Next(n) => active.fired < n,
                Schedule::EveryNth(n) => active.seen % u64::from(n.max(1)) == 0,
                Schedule::Always => true,
            };
            if !fires {
                continue;
            }
            match active.rule.fault {
                Fault::Latency(d) => {
                    active.fired += 1;
                    decision.latency += d;
                }
                other if decision.action.is_none() => {
                    active.fired += 1;
                    decision.action = Some(other);
                }
                // Another fault already decided this request; this rule waits for the next one.
                _ => active.seen -= 1,
            }
        }
        self.rules.retain(|a| !matches!(a.rule.schedule, Schedule::Next(n) if a.fired >= n));
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests' own operation tags (the emulator kit names no provider).
    mod op {
        use crate::transport::Operation;
        pub(super) const CREATE: Operation = Operation::not_idempotent("create");
        pub(super) const GET: Operation = Operation::idempotent("get");
        pub(super) const LIST: Operation = Operation::idempotent("list");
    }

    fn plan_decide(plan: &mut FaultPlan, op: Option<Operation>) -> Decision {
        plan.decide(op.map(Operation::name))
    }

    #[test]
    fn next_n_fires_n_times_then_is_spent() {
        let mut plan = FaultPlan::default();
        plan.add(FaultRule::new(op::CREATE, Fault::ServerError { status: 503 }).times(2));
        assert_eq!(plan_decide(&mut plan, Some(op::LIST)).action, None, "other operations are not counted");
        assert!(plan_decide(&mut plan, Some(op::CREATE)).action.is_some());
        assert!(plan_decide(&mut plan, Some(op::CREATE)).action.is_some());
        assert_eq!(plan_decide(&mut plan, Some(op::CREATE)).action, None);
        assert!(plan.rules.is_empty());
    }

    #[test]
    fn rules_match_by_operation_name() {
        let mut plan = FaultPlan::default();
        plan.add(FaultRule::new(Operation::not_idempotent("create"), Fault::ServerError { status: 503 }).always());
        assert_eq!(plan.rules[0].rule.operation(), Some("create"));
        assert!(plan_decide(&mut plan, Some(op::CREATE)).action.is_some(), "the same name matches");
        assert_eq!(plan_decide(&mut plan, Some(Operation::not_idempotent("created"))).action, None);
        assert_eq!(plan.decide(None).action, None, "an unclassified request matches no named rule");
        assert_eq!(FaultRule::any_operation(Fault::CommitThenDrop).operation(), None);
    }

    #[test]
    fn every_nth_and_latency_add_up() {
        let mut plan = FaultPlan::default();
        plan.add(FaultRule::new(op::LIST, Fault::CommitThenDrop).every(3));
        plan.add(FaultRule::any_operation(Fault::Latency(Duration::from_secs(1))).always());
        plan.add(FaultRule::any_operation(Fault::Latency(Duration::from_secs(2))).always());
        let fired: Vec<bool> = (0..6).map(|_| plan_decide(&mut plan, Some(op::LIST)).action.is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        assert_eq!(plan.decide(None).latency, Duration::from_secs(3));
    }

    #[test]
    fn a_second_action_waits_for_a_free_request() {
        let mut plan = FaultPlan::default();
        plan.add(FaultRule::new(op::GET, Fault::ServerError { status: 500 }));
        plan.add(FaultRule::new(op::GET, Fault::ServerError { status: 503 }));
        assert_eq!(plan_decide(&mut plan, Some(op::GET)).action, Some(Fault::ServerError { status: 500 }));
        assert_eq!(plan_decide(&mut plan, Some(op::GET)).action, Some(Fault::ServerError { status: 503 }));
        assert_eq!(plan_decide(&mut plan, Some(op::GET)).action, None);
    }
}
