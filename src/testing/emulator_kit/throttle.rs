//! Throttling like the services do it: a per-caller budget over a window, off by default.
//!
//! The meter decides *whether* a request is served now, held back, or refused, and reports where
//! the caller stands; the provider's emulator renders that in its service's headers and error
//! shape (Azure DevOps `X-RateLimit-*` and TF400733, GitLab `RateLimit-*` and `Retry later`).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How a [`Throttle`]'s window moves.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Every request counts for `window` after it is served (Azure DevOps' metering over a
    /// sliding five minutes).
    Sliding,
    /// Requests count within consecutive windows aligned to the Unix epoch, which start empty
    /// (GitLab's Rack::Attack periods).
    Fixed,
}

/// A per-caller request budget: at most [`limit`](Self::limit) requests in a
/// [`window`](Self::window). Switch it on with
/// [`Harness::set_throttle`](super::Harness::set_throttle).
///
/// Over the budget, up to [`hold`](Self::hold) requests of one caller are *held* (the answer is
/// delayed until the window has room, and the request counts from then; Azure DevOps "delays
/// requests" before it blocks) as long as the wait is at most [`max_delay`](Self::max_delay);
/// any further request is *refused* (429) without being counted.
///
/// ```
/// use std::time::Duration;
/// use patkit::testing::emulator_kit::{Throttle, Window};
///
/// // "200 requests per second", held up to 8 deep: a test of it runs in seconds.
/// let t = Throttle::sliding(200, Duration::from_secs(1)).holding(8, Duration::from_secs(30));
/// assert_eq!((t.limit, t.window, t.kind, t.hold), (200, Duration::from_secs(1), Window::Sliding, 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Requests per caller per window (at least 1).
    pub limit: u32,
    /// The window (at least 1 ms; a [`Window::Fixed`] window is rounded to whole milliseconds).
    pub window: Duration,
    /// Sliding or fixed.
    pub kind: Window,
    /// How many requests of one caller may wait for room at once (0: refuse at once).
    pub hold: u32,
    /// The longest a request is held; one that would wait longer is refused.
    pub max_delay: Duration,
}

impl Throttle {
    /// `limit` per sliding `window`, refusing (not holding) what is over.
    pub fn sliding(limit: u32, window: Duration) -> Self {
        Self { limit, window, kind: Window::Sliding, hold: 0, max_delay: Duration::ZERO }
    }

    /// `limit` per fixed `window`, refusing what is over.
    pub fn fixed(limit: u32, window: Duration) -> Self {
        Self { limit, window, kind: Window::Fixed, hold: 0, max_delay: Duration::ZERO }
    }

    /// Holds up to `hold` requests per caller for at most `max_delay` each before refusing.
    pub fn holding(mut self, hold: u32, max_delay: Duration) -> Self {
        self.hold = hold;
        self.max_delay = max_delay;
        self
    }

    fn window_delta(&self) -> TimeDelta {
        TimeDelta::from_std(self.window.max(Duration::from_millis(1))).unwrap_or(TimeDelta::MAX)
    }
}

/// What the meter decided for one request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Serve it now.
    Serve,
    /// Serve it after this delay (already waited by [`Harness::throttle`](super::Harness::throttle)).
    Delayed(Duration),
    /// Refuse it (429 or the service's equivalent); the caller may try again after `retry_after`.
    Refused {
        /// When the window will have room again.
        retry_after: Duration,
    },
}

/// Where a caller stands after one request: what the rate-limit headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The budget per window.
    pub limit: u32,
    /// Requests counted in the window, this one included when it was served.
    pub used: u32,
    /// `limit - used`, at least 0.
    pub remaining: u32,
    /// When the counted usage is back to zero if the caller stops (sliding), or when the current
    /// window ends (fixed).
    pub reset: DateTime<Utc>,
    /// When the window next has room for one more request (now, when it has room already).
    pub next_room: DateTime<Utc>,
}

/// One request's throttling: the verdict and the caller's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Serve, delay or refuse.
    pub verdict: Verdict,
    /// What the headers should say.
    pub standing: Standing,
}

/// Counts of what the meter decided since the throttle was set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThrottleStats {
    /// Requests served at once.
    pub served: u64,
    /// Requests held, then served.
    pub delayed: u64,
    /// Requests refused.
    pub refused: u64,
}

/// The throttle and every caller's usage.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    throttle: Option<Throttle>,
    /// Sliding: when each counted request is (or will be, for a held one) served, ascending.
    /// Fixed: the window start and its count are kept in `fixed`.
    sliding: HashMap<String, VecDeque<DateTime<Utc>>>,
    fixed: HashMap<String, (DateTime<Utc>, u32)>,
    stats: ThrottleStats,
}

impl Meter {
    pub(crate) fn set(&mut self, throttle: Option<Throttle>) {
        *self = Self { throttle, ..Self::default() };
    }

    pub(crate) fn throttle(&self) -> Option<Throttle> {
        self.throttle
    }

    pub(crate) fn stats(&self) -> ThrottleStats {
        self.stats
    }

    /// Counts one request of `caller` at `now`; `None` when throttling is off.
    pub(crate) fn admit(&mut self, caller: &str, now: DateTime<Utc>) -> Option<Admission> {
        let throttle = self.throttle?;
        let admission = match throttle.kind {
            Window::Sliding => self.sliding(&throttle, caller, now),
            Window::Fixed => self.fixed(&throttle, caller, now),
        };
        match admission.verdict {
            Verdict::Serve => self.stats.served += 1,
            Verdict::Delayed(_) => self.stats.delayed += 1,
            Verdict::Refused { .. } => self.stats.refused += 1,
        }
        Some(admission)
    }

    fn sliding(&mut self, t: &Throttle, caller: &str, now: DateTime<Utc>) -> Admission {
        let window = t.window_delta();
        let limit = t.limit.max(1) as usize;
        let log = self.sliding.entry(caller.to_owned()).or_default();
        while log.front().is_some_and(|&at| at + window <= now) {
            log.pop_front();
        }
        let held = log.iter().rev().take_while(|&&at| at > now).count();
        let standing = |log: &VecDeque<DateTime<Utc>>, next_room: DateTime<Utc>| {
            let used = u32::try_from(log.iter().filter(|&&at| at <= now).count()).unwrap_or(u32::MAX);
            let reset = log.back().map_or(now, |&last| last + window);
            Standing { limit: t.limit, used, remaining: t.limit.saturating_sub(used), reset, next_room }
        };
        if log.len() < limit {
            log.push_back(now);
            return Admission { verdict: Verdict::Serve, standing: standing(log, now) };
        }
        // The request after the `len`th gets the room the `len - limit`th frees.
        let room = log[log.len() - limit] + window;
        let wait = (room - now).to_std().unwrap_or_default();
        if held < t.hold as usize && wait <= t.max_delay {
            log.push_back(room);
            let mut s = standing(log, room);
            s.remaining = 0;
            return Admission { verdict: Verdict::Delayed(wait), standing: s };
        }
        Admission { verdict: Verdict::Refused { retry_after: wait }, standing: standing(log, room) }
    }

    fn fixed(&mut self, t: &Throttle, caller: &str, now: DateTime<Utc>) -> Admission {
        let millis = i64::try_from(t.window.as_millis().max(1)).unwrap_or(i64::MAX);
        let start_ms = now.timestamp_millis().div_euclid(millis) * millis;
        let start = DateTime::from_timestamp_millis(start_ms).unwrap_or(now);
        let end = start + TimeDelta::milliseconds(millis);
        let entry = self.fixed.entry(caller.to_owned()).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        let standing = |used: u32, next_room| Standing {
            limit: t.limit,
            used,
            remaining: t.limit.saturating_sub(used),
            reset: end,
            next_room,
        };
        if entry.1 < t.limit.max(1) {
            entry.1 += 1;
            return Admission { verdict: Verdict::Serve, standing: standing(entry.1, now) };
        }
        let wait = (end - now).to_std().unwrap_or_default();
        Admission { verdict: Verdict::Refused { retry_after: wait }, standing: standing(entry.1, end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_000_000_000_000 + ms).unwrap()
    }

    #[test]
    fn off_by_default() {
        assert_eq!(Meter::default().admit("alice", at(0)), None);
    }

    #[test]
    fn sliding_serves_the_limit_then_holds_then_refuses_and_frees_room_as_requests_age() {
        let mut meter = Meter::default();
        meter.set(Some(Throttle::sliding(3, Duration::from_secs(1)).holding(1, Duration::from_secs(5))));
        for (i, ms) in [0, 100, 200].into_iter().enumerate() {
            let a = meter.admit("alice", at(ms)).unwrap();
            assert_eq!(a.verdict, Verdict::Serve);
            assert_eq!(a.standing.remaining, 2 - i as u32);
            assert_eq!(a.standing.reset, at(ms + 1000), "usage is back to zero a window after the last request");
        }
        let held = meter.admit("alice", at(300)).unwrap();
        assert_eq!(held.verdict, Verdict::Delayed(Duration::from_millis(700)), "until the first request ages out");
        assert_eq!((held.standing.remaining, held.standing.next_room), (0, at(1000)));
        let refused = meter.admit("alice", at(300)).unwrap();
        assert_eq!(refused.verdict, Verdict::Refused { retry_after: Duration::from_millis(800) }, "one may wait");
        assert_eq!(meter.admit("bob", at(300)).unwrap().verdict, Verdict::Serve, "budgets are per caller");
        // At 1.15 s the requests of 0 and 100 ms aged out; 200 ms and the held one (served at 1 s)
        // still count.
        let again = meter.admit("alice", at(1150)).unwrap();
        assert_eq!((again.verdict, again.standing.used), (Verdict::Serve, 3));
        assert_eq!(meter.admit("alice", at(1150)).unwrap().verdict, Verdict::Delayed(Duration::from_millis(50)));
        let later = meter.admit("alice", at(3000)).unwrap();
        assert_eq!((later.verdict, later.standing.used), (Verdict::Serve, 1));
        assert_eq!(meter.stats(), ThrottleStats { served: 6, delayed: 2, refused: 1 });
    }

    #[test]
    fn a_hold_longer_than_max_delay_is_refused() {
        let mut meter = Meter::default();
        meter.set(Some(Throttle::sliding(1, Duration::from_secs(10)).holding(5, Duration::from_secs(1))));
        meter.admit("a", at(0));
        assert_eq!(meter.admit("a", at(0)).unwrap().verdict, Verdict::Refused { retry_after: Duration::from_secs(10) });
    }

    #[test]
    fn fixed_windows_align_to_the_epoch_and_start_empty() {
        let mut meter = Meter::default();
        meter.set(Some(Throttle::fixed(2, Duration::from_secs(1))));
        let base = 0; // at(0) is a whole second
        let first = meter.admit("a", at(base + 900)).unwrap();
        assert_eq!((first.verdict, first.standing.used, first.standing.reset), (Verdict::Serve, 1, at(base + 1000)));
        meter.admit("a", at(base + 950));
        let over = meter.admit("a", at(base + 960)).unwrap();
        assert_eq!(over.verdict, Verdict::Refused { retry_after: Duration::from_millis(40) });
        assert_eq!((over.standing.used, over.standing.remaining), (2, 0));
        assert_eq!(meter.admit("a", at(base + 1000)).unwrap().verdict, Verdict::Serve, "a new window");
    }
}
