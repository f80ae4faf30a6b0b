//! Rate limits (§4.10): a primary budget per caller per hour, reported in `x-ratelimit-*` on
//! every response and enforced only when switched on; a secondary per-minute limit answered with
//! `retry-after`, off by default; and `POST /credentials/revoke`'s own hourly budget, always on.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use http::StatusCode;

use super::facts::{self, Refusal};
use super::wire::set_header;
use crate::transport::HttpResponse;

/// The primary limit, enforced (off by default: the headers still count against GitHub's
/// documented budgets, 5,000 an hour for a user or an installation and 60 unauthenticated, but
/// nothing is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimaryLimit {
    /// Requests per caller per hour, for every kind of caller.
    pub per_hour: u32,
    /// 403 or 429 (§4.10: GitHub answers either); anything else is taken as 403.
    pub status: u16,
}

/// The secondary limit (off by default): more than `per_minute` requests from one caller within
/// a minute of the emulator clock are answered with `status` and `retry-after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondaryLimit {
    /// Requests per caller per minute.
    pub per_minute: u32,
    /// The `retry-after` to send (whole seconds, rounded up, at least 1).
    pub retry_after: Duration,
    /// 403 or 429 (§4.10); anything else is taken as 403.
    pub status: u16,
}

/// The settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) primary: Option<PrimaryLimit>,
    pub(crate) secondary: Option<SecondaryLimit>,
    /// `POST /credentials/revoke` per caller per hour (§4.4: about 60).
    pub(crate) revoke_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { primary: None, secondary: None, revoke_per_hour: facts::CREDENTIALS_REVOKE_PER_HOUR }
    }
}

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    User(u64),
    Installation(u64),
    /// A GitHub App by its JWT (the installation-token exchange).
    App(u64),
    /// Unauthenticated, or a credential that did not authenticate.
    Anonymous,
}

impl Caller {
    fn documented_limit(&self) -> u32 {
        match self {
            Self::User(_) => facts::USER_LIMIT,
            Self::Installation(_) | Self::App(_) => facts::INSTALLATION_LIMIT,
            Self::Anonymous => facts::ANONYMOUS_LIMIT,
        }
    }

    pub(crate) fn whom(&self) -> String {
        match self {
            Self::User(id) => format!("user ID {id}"),
            Self::Installation(id) => format!("installation ID {id}"),
            Self::App(id) => format!("app ID {id}"),
            Self::Anonymous => "127.0.0.1".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
struct Bucket {
    hour_start: DateTime<Utc>,
    used: u32,
    minute_start: DateTime<Utc>,
    minute_used: u32,
}

/// The budgets used, per caller and resource.
#[derive(Debug, Default)]
pub(crate) struct Buckets(HashMap<(Caller, &'static str), Bucket>);

/// One request's standing: what its headers say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standing {
    limit: u32,
    used: u32,
    reset: i64,
    resource: &'static str,
}

impl Standing {
    /// The standing the shared throttle reports (the primary budget scaled to its window).
    pub(crate) fn metered(m: &crate::testing::emulator_kit::Standing) -> Self {
        let reset = m.reset.timestamp() + i64::from(m.reset.timestamp_subsec_nanos() > 0);
        Self { limit: m.limit, used: m.used, reset, resource: "core" }
    }

    /// `{"limit","used","remaining","reset","resource"}`, as `GET /rate_limit` shows it.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "limit": self.limit,
            "used": self.used,
            "remaining": self.limit.saturating_sub(self.used),
            "reset": self.reset,
            "resource": self.resource,
        })
    }

    /// Writes the `x-ratelimit-*` headers (§4.10).
    pub(crate) fn write(&self, response: &mut HttpResponse) {
        set_header(response, "x-ratelimit-limit", &self.limit.to_string());
        set_header(response, "x-ratelimit-remaining", &self.limit.saturating_sub(self.used).to_string());
        set_header(response, "x-ratelimit-used", &self.used.to_string());
        set_header(response, "x-ratelimit-reset", &self.reset.to_string());
        set_header(response, "x-ratelimit-resource", self.resource);
    }
}

fn status_of(code: u16) -> StatusCode {
    if code == 429 { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::FORBIDDEN }
}

/// Whole seconds, rounded up, at least 1.
pub(crate) fn seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

const HOUR: TimeDelta = TimeDelta::hours(1);
const MINUTE: TimeDelta = TimeDelta::minutes(1);

impl Buckets {
    /// Counts one request of `caller` against `resource` (`core`, or `credentials_revoke` for
    /// the leaked-token endpoint, which is always enforced); `free`: `GET /rate_limit`, which
    /// costs nothing. Returns the standing for the headers, and the refusal when a limit is hit
    /// (a refused request is not counted).
    pub(crate) fn take(
        &mut self,
        limits: &Limits,
        caller: &Caller,
        resource: &'static str,
        free: bool,
        now: DateTime<Utc>,
    ) -> (Standing, Option<Refusal>) {
        let revoke = resource == "credentials_revoke";
        let limit = match (revoke, limits.primary) {
            (true, _) => limits.revoke_per_hour,
            (false, Some(p)) => p.per_hour,
            (false, None) => caller.documented_limit(),
        };
        let enforced = revoke || limits.primary.is_some();
        let bucket = self.0.entry((caller.clone(), resource)).or_insert(Bucket {
            hour_start: now,
            used: 0,
            minute_start: now,
            minute_used: 0,
        });
        if now - bucket.hour_start >= HOUR {
            bucket.hour_start = now;
            bucket.used = 0;
        }
        if now - bucket.minute_start >= MINUTE {
            bucket.minute_start = now;
            bucket.minute_used = 0;
        }
        let reset = (bucket.hour_start + HOUR).timestamp();
        let standing = |used| Standing { limit, used, reset, resource };
        if free {
            return (standing(bucket.used), None);
        }
        if let Some(s) = limits.secondary.filter(|_| !revoke)
            && bucket.minute_used >= s.per_minute
        {
            let refusal = facts::secondary_limit(status_of(s.status), seconds(s.retry_after));
            return (standing(bucket.used), Some(refusal));
        }
        if enforced && bucket.used >= limit {
            let status = limits.primary.map_or(StatusCode::FORBIDDEN, |p| status_of(p.status));
            return (standing(bucket.used), Some(facts::primary_limit(status, &caller.whom())));
        }
        bucket.used += 1;
        bucket.minute_used += 1;
        (standing(bucket.used), None)
    }
}
