//! GitLab's expiry: a date, and a token dies at 00:00 UTC *of* that date.
//!
//! The rule patkit applies (so no token is ever created or rotated already dead, or dying within
//! the hour, by rounding):
//! - a requested instant is rounded **up** to the next 00:00 UTC (an instant that is exactly
//!   midnight stays);
//! - if that midnight is less than [`MIN_REMAINING`] (one hour) after now, the day after is taken;
//! - an explicit date ([`ExpiryDate::new`]) whose midnight is less than one hour away is refused
//!   with [`Error::InvalidInput`] before anything is sent.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// The least time a new or rotated token has before its expiry: one hour.
pub const MIN_REMAINING: TimeDelta = TimeDelta::hours(1);

/// The latest expiry GitLab accepts on a create or rotate: 365 days after today (fact sheet
/// §2.11; 400 with a feature flag, less on instances with a lower maximum lifetime policy).
pub const MAX_LIFETIME_DAYS: i64 = 365;

/// A GitLab `expires_at`: the token stops working at 00:00 UTC of this date.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use patkit::gitlab::ExpiryDate;
///
/// let now = Utc.with_ymd_and_hms(2026, 3, 1, 22, 30, 0).unwrap();
/// // Asked for 23:00 today: rounded up to the next midnight, 1.5 h away: kept.
/// let asked = Utc.with_ymd_and_hms(2026, 3, 1, 23, 0, 0).unwrap();
/// assert_eq!(ExpiryDate::covering(asked, now).to_string(), "2026-03-02");
/// // At 23:30 the next midnight is 30 minutes away: the day after is taken.
/// let late = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
/// assert_eq!(ExpiryDate::covering(late, late).to_string(), "2026-03-03");
/// assert_eq!(ExpiryDate::covering(asked, now).ends_at().to_rfc3339(), "2026-03-02T00:00:00+00:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExpiryDate(NaiveDate);

impl ExpiryDate {
    /// This date, as given. Checked against the client's clock when sent: a date whose midnight
    /// is less than [`MIN_REMAINING`] away is refused ([`check_alive`](Self::check_alive)).
    pub fn new(date: NaiveDate) -> Self {
        Self(date)
    }

    /// The earliest date on which a token that must live until `wanted` may expire, and at least
    /// [`MIN_REMAINING`] after `now`: `wanted` rounded up to 00:00 UTC, then a day later while
    /// that midnight is less than an hour after `now`.
    pub fn covering(wanted: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let midnight_of = |t: DateTime<Utc>| t.date_naive().and_time(NaiveTime::MIN).and_utc();
        let mut date = if midnight_of(wanted) == wanted { wanted.date_naive() } else { next_day(wanted.date_naive()) };
        while end_of(date) - now < MIN_REMAINING {
            date = next_day(date);
        }
        Self(date)
    }

    /// This date, or the latest one GitLab accepts at `now` ([`MAX_LIFETIME_DAYS`] after today)
    /// when this one is later: rounding a full year's lifetime up to a date must not make the
    /// service refuse it.
    ///
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use patkit::gitlab::ExpiryDate;
    /// let now = Utc.with_ymd_and_hms(2026, 6, 10, 9, 0, 0).unwrap();
    /// let year = ExpiryDate::covering(now + TimeDelta::days(365), now); // rounds up to 2027-06-11
    /// assert_eq!(year.at_most_a_year(now).to_string(), "2027-06-10");
    /// ```
    pub fn at_most_a_year(self, now: DateTime<Utc>) -> Self {
        let latest = now.date_naive() + TimeDelta::days(MAX_LIFETIME_DAYS);
        Self(self.0.min(latest))
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// When a token with this date stops working: 00:00 UTC of the date.
    pub fn ends_at(self) -> DateTime<Utc> {
        end_of(self.0)
    }

    /// Refuses a date that would leave a token dead, or dying within [`MIN_REMAINING`], at `now`.
    pub fn check_alive(self, now: DateTime<Utc>) -> Result<Self> {
        if self.ends_at() - now < MIN_REMAINING {
            return Err(Error::invalid_input(
                "expires_at",
                format!(
                    "a GitLab token expires at 00:00 UTC of its date; {} leaves less than an hour from now \
                     (use ExpiryDate::covering to round up)",
                    self.0
                ),
            ));
        }
        Ok(self)
    }
}

impl fmt::Display for ExpiryDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

fn end_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
    }

    #[test]
    fn rounds_up_to_the_next_midnight() {
        assert_eq!(ExpiryDate::covering(at(10, 0, 1), at(1, 12, 0)).to_string(), "2026-03-11");
        assert_eq!(ExpiryDate::covering(at(10, 23, 59), at(1, 12, 0)).to_string(), "2026-03-11");
        assert_eq!(ExpiryDate::covering(at(10, 0, 0), at(1, 12, 0)).to_string(), "2026-03-10", "midnight stays");
    }

    #[test]
    fn never_dead_within_the_hour() {
        // For every minute of a day, and wanted instants from the past to two days ahead, the
        // chosen date ends at or after `wanted` and at least an hour after now.
        for minute in 0..24 * 60 {
            let now = at(5, 0, 0) + TimeDelta::minutes(minute);
            for wanted_offset in [-3000, -60, 0, 1, 30, 59, 60, 61, 600, 1439, 1440, 2880] {
                let wanted = now + TimeDelta::minutes(wanted_offset);
                let date = ExpiryDate::covering(wanted, now);
                assert!(date.ends_at() - now >= MIN_REMAINING, "{now} {wanted} -> {date}");
                assert!(date.ends_at() >= wanted, "{now} {wanted} -> {date}");
                assert!(date.ends_at() - wanted.max(now + MIN_REMAINING) < TimeDelta::days(1), "no extra day");
                assert!(date.check_alive(now).is_ok());
            }
        }
    }

    #[test]
    fn a_date_that_is_today_or_within_the_hour_is_refused() {
        let today = ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
        assert!(matches!(today.check_alive(at(5, 0, 0)), Err(Error::InvalidInput { field: "expires_at", .. })));
        assert!(today.check_alive(at(4, 23, 1)).is_err(), "59 minutes left");
        assert!(today.check_alive(at(4, 23, 0)).is_ok(), "exactly one hour left");
    }
}
