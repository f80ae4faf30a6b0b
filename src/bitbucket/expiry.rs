//! Bitbucket keeps a token's expiry as whole days from creation (`expiryDays`), fixed for the
//! token's life. A requested instant becomes a number of days by rounding **up**, so a token
//! never dies earlier than asked (it may live up to a day longer).

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// The most days patkit asks for: 100 years (Bitbucket's own maximum, if an administrator set
/// one, is lower and answered with a 400).
pub const MAX_EXPIRY_DAYS: u32 = 36_500;

/// The `expiryDays` covering `valid_to` from `now`: whole days, rounded up.
///
/// # Errors
///
/// [`Error::InvalidInput`] (field `valid_to`) when `valid_to` is not after `now`, or more than
/// [`MAX_EXPIRY_DAYS`] ahead.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
/// assert_eq!(patkit::bitbucket::expiry_days(now + TimeDelta::days(30), now)?, 30);
/// assert_eq!(patkit::bitbucket::expiry_days(now + TimeDelta::days(30) + TimeDelta::seconds(1), now)?, 31);
/// assert_eq!(patkit::bitbucket::expiry_days(now + TimeDelta::minutes(1), now)?, 1);
/// assert!(patkit::bitbucket::expiry_days(now, now).is_err());
/// # Ok::<(), patkit::Error>(())
/// ```
pub fn expiry_days(valid_to: DateTime<Utc>, now: DateTime<Utc>) -> Result<u32> {
    let left = valid_to - now;
    if left <= TimeDelta::zero() {
        return Err(Error::invalid_input("valid_to", "must be in the future"));
    }
    let day = TimeDelta::days(1);
    let whole = left.num_days();
    let days = if left > day * i32::try_from(whole).unwrap_or(i32::MAX) { whole + 1 } else { whole };
    u32::try_from(days)
        .ok()
        .filter(|d| *d <= MAX_EXPIRY_DAYS)
        .ok_or_else(|| Error::invalid_input("valid_to", format!("at most {MAX_EXPIRY_DAYS} days ahead")))
}

/// When a token created at `created` with `days` expires.
pub(crate) fn ends_at(created: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    created + TimeDelta::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_and_refuses_the_past_and_the_absurd() {
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        assert_eq!(expiry_days(now + TimeDelta::days(10) + TimeDelta::seconds(5025), now).unwrap(), 11);
        assert_eq!(expiry_days(now + TimeDelta::nanoseconds(1), now).unwrap(), 1);
        assert_eq!(expiry_days(now + TimeDelta::days(1), now).unwrap(), 1);
        assert!(matches!(
            expiry_days(now - TimeDelta::days(1), now),
            Err(Error::InvalidInput { field: "valid_to", .. })
        ));
        assert!(expiry_days(now + TimeDelta::days(36_501), now).is_err());
        assert_eq!(ends_at(now, 2), now + TimeDelta::days(2));
    }
}
