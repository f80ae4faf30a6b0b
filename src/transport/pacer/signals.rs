//! What a response says about the caller's rate-limit budget, read from the headers every
//! service in this crate uses for it (one place; the names are the services' own, none is
//! particular to one provider: `X-RateLimit-*`, the IETF draft's `RateLimit-*`, `Retry-After`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;

use crate::transport::HttpResponse;
use crate::transport::retry_after;

/// A `*-Reset` value above this is a Unix time; below it, seconds from now (the IETF draft's
/// delta form).
const EPOCH_THRESHOLD: i64 = 1_000_000_000;

/// The rate-limit signals of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Signals {
    /// Requests (or cost units) per window.
    pub(crate) limit: Option<u32>,
    /// What is left before the service slows or refuses.
    pub(crate) remaining: Option<u32>,
    /// How long from the response until the budget refills (fixed window) or the usage is back
    /// to zero (sliding window).
    pub(crate) reset_in: Option<Duration>,
    /// `Retry-After` (or its millisecond forms).
    pub(crate) retry_after: Option<Duration>,
    /// The service held the request before answering (`X-RateLimit-Delay` above zero).
    pub(crate) delayed: bool,
    /// The service refused the request for the rate: 429, or a 403 that says the budget is gone
    /// (`remaining` 0 or a `Retry-After`).
    pub(crate) refused: bool,
    /// A 5xx: the service is struggling, not necessarily throttling.
    pub(crate) overloaded: bool,
}

impl Signals {
    /// Reads `response`, judging Unix times and HTTP dates against `now` (asked only when the
    /// response has a rate-limit header).
    pub(crate) fn read(response: &HttpResponse, now: impl FnOnce() -> DateTime<Utc>) -> Self {
        let headers = response.headers();
        let status = response.status().as_u16();
        // Most answers carry none of these headers (Azure DevOps sends them only near its limit):
        // one pass over the names spares the ten lookups below.
        if !headers.keys().any(|name| is_signal(name.as_str())) {
            return Self { refused: status == 429, overloaded: matches!(status, 502..=504), ..Self::default() };
        }
        let now = now();
        let limit = number(headers, ["x-ratelimit-limit", "ratelimit-limit"]);
        let remaining = number(headers, ["x-ratelimit-remaining", "ratelimit-remaining"]);
        let reset_in = number::<i64>(headers, ["x-ratelimit-reset", "ratelimit-reset"]).map(|reset| {
            if reset > EPOCH_THRESHOLD {
                let secs = Duration::from_secs(u64::try_from(reset - now.timestamp()).unwrap_or(0));
                secs.saturating_sub(Duration::from_nanos(u64::from(now.timestamp_subsec_nanos())))
            } else {
                Duration::from_secs(u64::try_from(reset).unwrap_or(0))
            }
        });
        let retry_after = retry_after(headers, now);
        let delayed = headers
            .get("x-ratelimit-delay")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .is_some_and(|d| d > 0.0);
        let refused = status == 429 || (status == 403 && (remaining == Some(0) || retry_after.is_some()));
        Self { limit, remaining, reset_in, retry_after, delayed, refused, overloaded: matches!(status, 502..=504) }
    }
}

/// Whether a header (its name in `http`'s lowercase) is one [`Signals::read`] looks at.
fn is_signal(name: &str) -> bool {
    name.starts_with("x-ratelimit-")
        || name.starts_with("ratelimit-")
        || matches!(name, "retry-after" | "retry-after-ms" | "x-ms-retry-after-ms")
}

fn number<T: std::str::FromStr>(headers: &HeaderMap, names: [&str; 2]) -> Option<T> {
    names.iter().find_map(|name| headers.get(*name)?.to_str().ok()?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Vec::new()).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 250_000_000).unwrap()
    }

    #[test]
    fn x_ratelimit_headers_with_a_unix_reset_and_a_delay() {
        let r = response(
            200,
            &[
                ("x-ratelimit-limit", "200"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1800000010"),
                ("x-ratelimit-delay", "0.250"),
            ],
        );
        let s = Signals::read(&r, now);
        assert_eq!((s.limit, s.remaining), (Some(200), Some(0)));
        assert_eq!(s.reset_in, Some(Duration::from_millis(9_750)));
        assert!(s.delayed && !s.refused);
    }

    #[test]
    fn ietf_ratelimit_headers_with_a_delta_reset_and_a_plain_429() {
        let r = response(429, &[("ratelimit-limit", "40"), ("ratelimit-remaining", "0"), ("retry-after", "2")]);
        let s = Signals::read(&r, now);
        assert_eq!((s.limit, s.remaining, s.retry_after), (Some(40), Some(0), Some(Duration::from_secs(2))));
        assert!(s.refused && !s.delayed);
        let delta = Signals::read(&response(200, &[("ratelimit-reset", "7")]), now);
        assert_eq!(delta.reset_in, Some(Duration::from_secs(7)));
    }

    #[test]
    fn a_403_is_a_refusal_only_when_it_says_the_budget_is_gone() {
        assert!(Signals::read(&response(403, &[("x-ratelimit-remaining", "0")]), now).refused);
        assert!(Signals::read(&response(403, &[("retry-after", "60")]), now).refused);
        assert!(!Signals::read(&response(403, &[("x-ratelimit-remaining", "4999")]), now).refused);
        assert!(Signals::read(&response(503, &[]), now).overloaded);
        assert_eq!(Signals::read(&response(200, &[("x-ratelimit-remaining", "lots")]), now), Signals::default());
    }

    #[test]
    fn every_header_read_is_noticed_and_answers_without_them_are_judged_by_status() {
        for name in [
            "x-ratelimit-limit",
            "ratelimit-limit",
            "x-ratelimit-remaining",
            "ratelimit-remaining",
            "x-ratelimit-reset",
            "ratelimit-reset",
            "retry-after",
            "retry-after-ms",
            "x-ms-retry-after-ms",
            "x-ratelimit-delay",
            "X-RateLimit-Remaining",
        ] {
            let signals = Signals::read(&response(200, &[("content-type", "application/json"), (name, "5")]), now);
            assert_ne!(signals, Signals::default(), "{name} was not read");
        }
        let plain = [("content-type", "application/json"), ("x-ratelimitless", "5"), ("retry-afterwards", "5")];
        assert_eq!(Signals::read(&response(200, &plain), now), Signals::default());
        assert_eq!(Signals::read(&response(429, &plain), now), Signals { refused: true, ..Signals::default() });
        assert_eq!(Signals::read(&response(403, &plain), now), Signals::default());
        assert_eq!(Signals::read(&response(502, &plain), now), Signals { overloaded: true, ..Signals::default() });
    }
}
