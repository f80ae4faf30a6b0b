//! GitHub's rate-limit headers (`x-ratelimit-*`, §4.10) and how long a refused call should wait.

use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use http::HeaderMap;

/// What GitHub said about the caller's quota on one answer (every field optional: GitHub sends
/// them on every REST answer, a proxy may strip them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `x-ratelimit-limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-used`.
    pub used: Option<u64>,
    /// `x-ratelimit-reset`: when the window resets.
    pub reset_at: Option<DateTime<Utc>>,
    /// `x-ratelimit-resource`: which quota (`core`, `search`, …).
    pub resource: Option<String>,
}

fn number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl RateLimit {
    /// The rate-limit headers of an answer.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            limit: number(headers, "x-ratelimit-limit"),
            remaining: number(headers, "x-ratelimit-remaining"),
            used: number(headers, "x-ratelimit-used"),
            reset_at: number(headers, "x-ratelimit-reset")
                .and_then(|s| i64::try_from(s).ok())
                .and_then(|s| Utc.timestamp_opt(s, 0).single()),
            resource: headers
                .get("x-ratelimit-resource")
                .and_then(|v| v.to_str().ok())
                .map(|v| crate::quote::cap(v.trim().to_owned())),
        }
    }

    /// Whether the primary quota is used up (`x-ratelimit-remaining: 0`).
    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// The wait GitHub documents when a secondary limit answers without `retry-after`.
pub(crate) const SECONDARY_DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Whether a 403 or 429 is a rate limit, and if so how long to wait (`None` inside `Some`: a
/// limit without a known wait). `retry-after` wins; then a used-up primary quota waits until
/// `x-ratelimit-reset`; then a message that names a rate limit waits the documented minute.
pub(crate) fn refusal_wait(
    status: u16,
    headers: &HeaderMap,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Option<Duration>> {
    if !matches!(status, 403 | 429) {
        return None;
    }
    if let Some(wait) = crate::transport::retry_after(headers, now) {
        return Some(Some(wait));
    }
    let limit = RateLimit::from_headers(headers);
    if limit.exhausted() {
        return Some(limit.reset_at.map(|at| (at - now).to_std().unwrap_or(Duration::ZERO)));
    }
    let names_limit = message.is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
    if names_limit {
        return Some(Some(SECONDARY_DEFAULT_WAIT));
    }
    (status == 429).then_some(Some(SECONDARY_DEFAULT_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_headers_are_read() {
        let h = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4987"),
            ("x-ratelimit-used", "13"),
            ("x-ratelimit-reset", &(now().timestamp() + 900).to_string()),
            ("x-ratelimit-resource", "core"),
        ]);
        let limit = RateLimit::from_headers(&h);
        assert_eq!((limit.limit, limit.remaining, limit.used), (Some(5000), Some(4987), Some(13)));
        assert_eq!(limit.reset_at, Some(now() + chrono::Duration::seconds(900)));
        assert_eq!(limit.resource.as_deref(), Some("core"));
        assert!(!limit.exhausted());
        assert_eq!(RateLimit::from_headers(&headers(&[("x-ratelimit-limit", "many")])), RateLimit::default());
    }

    #[test]
    fn refusals_wait_for_retry_after_then_the_reset_then_a_minute() {
        let secs = |s| Some(Some(Duration::from_secs(s)));
        assert_eq!(refusal_wait(403, &headers(&[("retry-after", "30")]), None, now()), secs(30));
        assert_eq!(refusal_wait(429, &headers(&[("retry-after", "7")]), None, now()), secs(7));
        let reset = (now().timestamp() + 120).to_string();
        let primary = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &reset)]);
        assert_eq!(refusal_wait(403, &primary, Some("API rate limit exceeded for 1.2.3.4."), now()), secs(120));
        let secondary = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        assert_eq!(refusal_wait(403, &HeaderMap::new(), Some(secondary), now()), secs(60));
        assert_eq!(refusal_wait(429, &HeaderMap::new(), None, now()), secs(60));
        // A plain 403 is no rate limit; nor is any other status.
        assert_eq!(refusal_wait(403, &HeaderMap::new(), Some("Resource not accessible by integration"), now()), None);
        assert_eq!(refusal_wait(500, &headers(&[("retry-after", "3")]), None, now()), None);
    }
}
