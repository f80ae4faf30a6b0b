//! The pacer as a sans-IO state machine: asked for a permit at an instant, told about each
//! answer; no clock, no sleeping, no lock.

use std::time::Duration;

use tokio::time::Instant;

use super::signals::Signals;
use super::{OverLimit, PacerStats, PacingLimits};

/// The longest any one answer can make the pacer wait (a `Retry-After` or a reset): one hostile
/// or broken header must not stall a client for hours. Azure DevOps' window is 5 minutes.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(300);

/// What [`State::try_acquire`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Send now: a request is now in flight, with this sequence number (report its answer
    /// with [`State::release`]).
    Go(u64),
    /// Ask again at this instant (`None`: when a request in flight is answered), or earlier when
    /// one is.
    Wait(Option<Instant>),
}

/// The pacer's knowledge: the caller's budget as the service last reported it, the requests in
/// flight, and the concurrency window (additive increase, multiplicative decrease).
#[derive(Debug)]
pub(crate) struct State {
    limits: PacingLimits,
    over_limit: OverLimit,
    in_flight: usize,
    /// The concurrency window; requests in flight stay below `floor(cwnd)` (at least 1).
    cwnd: f64,
    /// Until the first sign of the limit, the window grows by one per answer.
    slow_start: bool,
    /// Answers since the last decrease: one decrease per window's worth of answers.
    since_decrease: usize,
    limit: Option<u32>,
    /// The budget left as the answer to request `report_seq` reported it.
    remaining: Option<u32>,
    /// The sequence number of the request whose answer `remaining` comes from: answers to
    /// earlier requests (overtaken on the way) are older news and do not replace it.
    report_seq: u64,
    /// Requests let through so far (the last sequence number given).
    sent_seq: u64,
    /// When the reported budget refills (or the usage is back to zero).
    reset_at: Option<Instant>,
    /// How many requests may wait at a service that holds what is over its limit: from
    /// [`PacingLimits::max_held`], halved on each refusal.
    held_allowance: f64,
    /// No request before this (`Retry-After`, a refusal).
    not_before: Option<Instant>,
    /// The earliest next send under [`PacingLimits::max_per_second`].
    next_send: Option<Instant>,
    stats: PacerStats,
}

impl State {
    pub(crate) fn new(limits: PacingLimits, over_limit: OverLimit) -> Self {
        let max = limits.max_concurrency.max(1);
        let held = limits.max_held.max(1);
        Self {
            cwnd: limits.initial_concurrency.clamp(1, max) as f64,
            limits,
            over_limit,
            in_flight: 0,
            slow_start: true,
            since_decrease: 0,
            limit: None,
            remaining: None,
            report_seq: 0,
            sent_seq: 0,
            reset_at: None,
            held_allowance: held as f64,
            not_before: None,
            next_send: None,
            stats: PacerStats::default(),
        }
    }

    /// How many requests may be in flight now.
    pub(crate) fn window(&self) -> usize {
        (self.cwnd.floor() as usize).clamp(1, self.limits.max_concurrency.max(1))
    }

    pub(crate) fn limits(&self) -> &PacingLimits {
        &self.limits
    }

    pub(crate) fn stats(&self) -> PacerStats {
        self.stats
    }

    /// May a request be sent at `now`?
    pub(crate) fn try_acquire(&mut self, now: Instant) -> Step {
        if let Some(at) = self.not_before {
            if now < at {
                return Step::Wait(Some(at));
            }
            self.not_before = None;
        }
        if let Some(reset) = self.reset_at
            && now >= reset
        {
            // The window refilled (fixed) or the usage drained (sliding): the whole budget.
            self.remaining = self.limit;
            self.reset_at = None;
            self.report_seq = self.sent_seq;
        }
        if self.in_flight >= self.window() {
            return Step::Wait(None);
        }
        if let Some(remaining) = self.remaining {
            // Spent since the report: what was sent after the reporting request, and anything
            // still in flight (it may not have been counted yet).
            let spent = self.in_flight.max(usize::try_from(self.sent_seq - self.report_seq).unwrap_or(usize::MAX));
            if remaining as usize <= spent {
                // Out of budget. Where the service holds what is over its limit, a few requests
                // (the held allowance) may wait there: it answers each when there is room, so
                // it paces us. Where it refuses, wait for the refill (or for an answer that says
                // more), unless nothing would ever say more: then one request asks.
                let held = self.held_allowance.floor() as usize;
                let probe = match self.over_limit {
                    OverLimit::Held => self.in_flight < held.max(1),
                    OverLimit::Refused => self.in_flight == 0 && self.reset_at.is_none(),
                };
                if !probe {
                    return Step::Wait(self.reset_at);
                }
            }
        }
        if let Some(per_second) = self.limits.max_per_second.filter(|r| r.is_finite() && *r > 0.0) {
            if let Some(next) = self.next_send
                && now < next
            {
                return Step::Wait(Some(next));
            }
            let interval = Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::MAX);
            self.next_send = now.checked_add(interval);
        }
        self.in_flight += 1;
        self.sent_seq += 1;
        self.stats.sent += 1;
        Step::Go(self.sent_seq)
    }

    /// Request `seq` (from [`Step::Go`]) is done at `now`: answered with `signals`, or `None`
    /// when it failed without an answer (or was abandoned).
    pub(crate) fn release(&mut self, now: Instant, seq: u64, signals: Option<&Signals>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(s) = signals else { return };
        if s.limit.is_some() {
            self.limit = s.limit;
        }
        let fresher = seq > self.report_seq;
        if fresher && (s.remaining.is_some() || s.refused) {
            self.remaining = if s.refused { Some(0) } else { s.remaining };
            self.report_seq = seq;
            if let Some(reset_in) = s.reset_in {
                self.reset_at = now.checked_add(reset_in.min(MAX_WAIT));
            }
        }
        if s.refused {
            self.stats.refused += 1;
            self.held_allowance = (self.held_allowance / 2.0).max(1.0);
            let wait = s.retry_after.or(s.reset_in).unwrap_or(Duration::from_secs(1));
            self.hold_off(now, wait);
            self.decrease();
        } else if s.delayed && self.over_limit == OverLimit::Held {
            // Held by a service that holds by design: that is how it paces us once the budget
            // is spent, not a sign to back off (refusals are).
            self.stats.delayed += 1;
        } else if s.delayed || s.overloaded {
            if s.delayed {
                self.stats.delayed += 1;
            }
            self.decrease();
        } else {
            self.increase();
        }
        // A `Retry-After` on an answer that was not refused paces the next request.
        if !s.refused
            && let Some(wait) = s.retry_after
        {
            self.hold_off(now, wait);
        }
    }

    fn hold_off(&mut self, now: Instant, wait: Duration) {
        if let Some(at) = now.checked_add(wait.min(MAX_WAIT)) {
            self.not_before = Some(self.not_before.map_or(at, |earlier| earlier.max(at)));
        }
    }

    fn increase(&mut self) {
        self.since_decrease += 1;
        let max = self.limits.max_concurrency.max(1) as f64;
        self.cwnd = if self.slow_start { self.cwnd + 1.0 } else { self.cwnd + 1.0 / self.cwnd }.min(max);
    }

    fn decrease(&mut self) {
        // Once per window of answers: the answers already on their way were sent before the
        // last decrease and say nothing new.
        if self.slow_start || self.since_decrease >= self.window() {
            self.cwnd = (self.cwnd / 2.0).max(1.0);
            self.slow_start = false;
            self.since_decrease = 0;
        } else {
            self.since_decrease += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(initial: usize, max: usize) -> PacingLimits {
        PacingLimits { initial_concurrency: initial, max_concurrency: max, max_held: 1, ..PacingLimits::default() }
    }

    fn budget(remaining: u32, reset_in_secs: u64) -> Signals {
        Signals {
            limit: Some(10),
            remaining: Some(remaining),
            reset_in: Some(Duration::from_secs(reset_in_secs)),
            ..Signals::default()
        }
    }

    fn go(s: &mut State, now: Instant) -> u64 {
        match s.try_acquire(now) {
            Step::Go(seq) => seq,
            wait => panic!("expected to go, got {wait:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_grows_per_answer_until_the_first_limit_sign_then_halves_and_grows_additively() {
        let t0 = Instant::now();
        let mut s = State::new(limits(2, 8), OverLimit::Refused);
        assert_eq!(
            (s.try_acquire(t0), s.try_acquire(t0), s.try_acquire(t0)),
            (Step::Go(1), Step::Go(2), Step::Wait(None))
        );
        s.release(t0, 1, Some(&Signals::default()));
        s.release(t0, 2, Some(&Signals::default()));
        assert_eq!(s.window(), 4, "slow start: one more per answer");
        let seqs: Vec<u64> = (0..4).map(|_| go(&mut s, t0)).collect();
        assert_eq!(seqs, [3, 4, 5, 6]);
        s.release(t0, 3, Some(&Signals { delayed: true, ..Signals::default() }));
        assert_eq!(s.window(), 2, "a held answer (where holding is not the service's way) halves the window");
        s.release(t0, 4, Some(&Signals { delayed: true, ..Signals::default() }));
        assert_eq!(s.window(), 2, "the answers already on their way do not halve it again");
        s.release(t0, 5, Some(&Signals::default()));
        s.release(t0, 6, Some(&Signals::default()));
        assert!((s.cwnd - 2.9).abs() < 1e-9, "additive: 2 + 1/2 + 1/2.5, got {}", s.cwnd);
        assert_eq!(s.stats(), PacerStats { sent: 6, delayed: 2, refused: 0 });
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_budget_a_refusing_service_is_left_alone_until_the_reset() {
        let t0 = Instant::now();
        let mut s = State::new(limits(8, 8), OverLimit::Refused);
        let first = go(&mut s, t0);
        s.release(t0, first, Some(&budget(2, 5)));
        let (a, b) = (go(&mut s, t0), go(&mut s, t0));
        let reset = t0 + Duration::from_secs(5);
        assert_eq!(s.try_acquire(t0), Step::Wait(Some(reset)), "both spent (in flight)");
        s.release(t0, b, Some(&budget(0, 5)));
        s.release(t0, a, Some(&budget(1, 5)));
        assert_eq!(s.remaining, Some(0), "the answer to the earlier request is older news");
        assert_eq!(s.try_acquire(t0 + Duration::from_secs(4)), Step::Wait(Some(reset)), "nothing in flight, no probe");
        assert_eq!(s.try_acquire(reset), Step::Go(4), "the window refilled");
        assert_eq!(s.remaining, Some(10));
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_budget_a_holding_service_gets_one_request_at_a_time() {
        let t0 = Instant::now();
        let mut s = State::new(limits(8, 8), OverLimit::Held);
        let first = go(&mut s, t0);
        s.release(t0, first, Some(&budget(0, 300)));
        let probe = go(&mut s, t0);
        assert_eq!(s.try_acquire(t0), Step::Wait(Some(t0 + Duration::from_secs(300))), "a probe is out");
        s.release(t0, probe, Some(&Signals { delayed: true, ..budget(0, 300) }));
        let next = go(&mut s, t0);
        s.release(t0, next, Some(&budget(3, 300)));
        let seqs: Vec<u64> = (0..3).map(|_| go(&mut s, t0)).collect();
        assert_eq!(seqs, [4, 5, 6]);
        assert_eq!(s.try_acquire(t0), Step::Wait(Some(t0 + Duration::from_secs(300))), "three spent, three in flight");
    }

    #[tokio::test(start_paused = true)]
    async fn a_holding_service_gets_the_held_allowance_halved_by_each_refusal() {
        let t0 = Instant::now();
        let mut s = State::new(PacingLimits { max_held: 4, ..limits(8, 8) }, OverLimit::Held);
        let first = go(&mut s, t0);
        s.release(t0, first, Some(&budget(0, 300)));
        let probes: Vec<u64> = (0..4).map(|_| go(&mut s, t0)).collect();
        assert_eq!(probes, [2, 3, 4, 5], "four may wait at the service");
        assert!(matches!(s.try_acquire(t0), Step::Wait(_)));
        s.release(t0, 2, Some(&Signals { delayed: true, ..budget(0, 300) }));
        assert_eq!(s.window(), 8, "held by design: not a reason to shrink the window");
        let refusal = Signals { refused: true, retry_after: Some(Duration::from_secs(1)), ..budget(0, 300) };
        s.release(t0, 3, Some(&refusal));
        let later = t0 + Duration::from_secs(1);
        assert_eq!(s.try_acquire(later), Step::Wait(Some(t0 + Duration::from_secs(300))), "two in flight, allowance 2");
        s.release(later, 4, Some(&Signals { delayed: true, ..budget(0, 300) }));
        assert_eq!(s.try_acquire(later), Step::Go(6));
        assert_eq!(s.stats(), PacerStats { sent: 6, delayed: 2, refused: 1 });
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_waits_out_retry_after_and_a_retry_after_on_a_success_paces_the_next() {
        let t0 = Instant::now();
        let mut s = State::new(limits(4, 4), OverLimit::Refused);
        let first = go(&mut s, t0);
        let refusal = Signals { refused: true, retry_after: Some(Duration::from_secs(3)), ..Signals::default() };
        s.release(t0, first, Some(&refusal));
        let after = t0 + Duration::from_secs(3);
        assert_eq!(s.try_acquire(t0 + Duration::from_secs(1)), Step::Wait(Some(after)));
        let probe = go(&mut s, after);
        s.release(after, probe, Some(&Signals { retry_after: Some(Duration::from_secs(2)), ..Signals::default() }));
        assert_eq!(s.try_acquire(after), Step::Wait(Some(after + Duration::from_secs(2))));
        assert_eq!(s.stats().refused, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn no_answer_makes_it_wait_longer_than_max_wait() {
        let t0 = Instant::now();
        let mut s = State::new(limits(4, 4), OverLimit::Refused);
        let first = go(&mut s, t0);
        let hostile = Signals {
            refused: true,
            retry_after: Some(Duration::from_secs(u64::MAX / 4)),
            reset_in: Some(Duration::from_secs(3_153_600_000)),
            remaining: Some(0),
            ..Signals::default()
        };
        s.release(t0, first, Some(&hostile));
        assert_eq!(s.try_acquire(t0), Step::Wait(Some(t0 + MAX_WAIT)));
        assert!(matches!(s.try_acquire(t0 + MAX_WAIT), Step::Go(_)), "the reset is capped too");
    }

    #[tokio::test(start_paused = true)]
    async fn max_per_second_spaces_requests_and_a_lost_answer_frees_its_slot() {
        let t0 = Instant::now();
        let mut s = State::new(PacingLimits { max_per_second: Some(4.0), ..limits(1, 1) }, OverLimit::Refused);
        let first = go(&mut s, t0);
        assert_eq!(s.try_acquire(t0), Step::Wait(None), "one at a time");
        s.release(t0, first, None);
        assert_eq!(s.try_acquire(t0), Step::Wait(Some(t0 + Duration::from_millis(250))));
        assert_eq!(s.try_acquire(t0 + Duration::from_millis(250)), Step::Go(2));
    }
}
