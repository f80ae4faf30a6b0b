//! Durations as people type them: `90s`, `15m`, `12h`, `30d`, `2w`.
//!
//! One whole number and one unit (`s`, `m`, `h`, `d` or `w`), surrounding spaces allowed.
//! [`parse`] reads that spelling and [`format`](fn@format)(fn@format) writes the shortest exact one, so
//! `parse(&format(d)) == Ok(d)` for every whole number of seconds.
//!
//! ```
//! use std::time::Duration;
//! assert_eq!(patkit::duration::parse("30d")?, Duration::from_secs(30 * 86_400));
//! assert_eq!(patkit::duration::format(Duration::from_secs(12 * 3600)), "12h");
//! assert!(matches!(patkit::duration::parse("30"), Err(patkit::Error::InvalidInput { .. })));
//! # Ok::<(), patkit::Error>(())
//! ```

use std::time::Duration;

use crate::Error;

/// The field name [`parse`] errors carry in [`Error::InvalidInput`].
const FIELD: &str = "duration";

const UNITS: [(&str, u64); 5] = [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)];

/// Parses `<whole number><unit>`, unit `s`, `m`, `h`, `d` or `w` (`"30d"`, `"12h"`, `"2w"`).
///
/// # Errors
///
/// [`Error::InvalidInput`] (field `duration`) when there is no number, no unit or an unknown
/// one, a sign, a fraction, or a value too large for a [`Duration`] of whole seconds
/// (`u64::MAX` seconds); the message quotes the input and says what is accepted.
///
/// ```
/// use std::time::Duration;
/// use patkit::duration::parse;
/// assert_eq!(parse("90m")?, Duration::from_secs(90 * 60));
/// assert_eq!(parse(" 45s ")?, Duration::from_secs(45));
/// assert!(parse("1.5h").is_err());
/// assert!(parse("99999999999999999999d").is_err());
/// # Ok::<(), patkit::Error>(())
/// ```
pub fn parse(s: &str) -> Result<Duration, Error> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let Some(&(_, size)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(Error::invalid_input(
            FIELD,
            if number.is_empty() || unit.is_empty() {
                format!("`{s}` is not a duration: write a whole number and a unit s, m, h, d or w (e.g. 30d)")
            } else {
                format!("`{s}` has an unknown unit `{unit}`: use s, m, h, d or w (e.g. 30d)")
            },
        ));
    };
    if number.is_empty() {
        return Err(Error::invalid_input(FIELD, format!("`{s}` needs a whole number before the unit (e.g. 30d)")));
    }
    let too_long = || Error::invalid_input(FIELD, format!("`{s}` is too long a duration"));
    let n: u64 = number.parse().map_err(|_| too_long())?;
    n.checked_mul(size).map(Duration::from_secs).ok_or_else(too_long)
}

/// The shortest exact spelling of `d` that [`parse`] reads: the largest unit that divides it
/// (`"3d"`, `"90s"`, `"0s"`). Fractions of a second are dropped.
///
/// ```
/// use std::time::Duration;
/// use patkit::duration::format;
/// assert_eq!(format(Duration::from_secs(14 * 86_400)), "2w");
/// assert_eq!(format(Duration::from_secs(90)), "90s");
/// ```
pub fn format(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, size) in UNITS {
        if s >= size && s.is_multiple_of(size) {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> String {
        match parse(s) {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, FIELD);
                reason.into_owned()
            }
            other => panic!("`{s}`: expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn every_unit_parses() {
        assert_eq!(parse("45s").unwrap(), Duration::from_secs(45));
        assert_eq!(parse("90m").unwrap(), Duration::from_secs(90 * 60));
        assert_eq!(parse("12h").unwrap(), Duration::from_secs(12 * 3600));
        assert_eq!(parse("30d").unwrap(), Duration::from_secs(30 * 86_400));
        assert_eq!(parse(" 2w ").unwrap(), Duration::from_secs(14 * 86_400));
        assert_eq!(parse("0s").unwrap(), Duration::ZERO);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(reason("30").contains("unit"));
        assert!(reason("d").contains("whole number"));
        assert!(reason("1y").contains("unknown unit `y`"));
        assert!(reason("").contains("not a duration"));
        assert!(reason("-1d").contains("not a duration"));
        assert!(reason("+1d").contains("not a duration"));
        assert!(reason("1.5h").contains("unknown unit `.5h`"));
        assert!(reason("1 d").contains("unknown unit"));
        assert!(reason("1D").contains("unknown unit"));
    }

    #[test]
    fn edges_do_not_overflow() {
        assert_eq!(parse(&format!("{}s", u64::MAX)).unwrap(), Duration::from_secs(u64::MAX));
        assert!(reason(&format!("{}m", u64::MAX)).contains("too long"));
        assert!(reason(&format!("{}w", u64::MAX / 604_800 + 1)).contains("too long"));
        assert_eq!(parse(&format!("{}w", u64::MAX / 604_800)).unwrap().as_secs(), u64::MAX / 604_800 * 604_800);
        assert!(reason("184467440737095516160s").contains("too long"));
        assert!(reason(&format!("{}d", "9".repeat(400))).contains("too long"));
    }

    #[test]
    fn format_round_trips() {
        assert_eq!(format(Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(format(Duration::from_secs(90)), "90s");
        assert_eq!(format(Duration::from_secs(7200)), "2h");
        assert_eq!(format(Duration::ZERO), "0s");
        assert_eq!(format(Duration::from_millis(1500)), "1s");
        for secs in [0, 1, 59, 60, 3600, 86_400, 604_800, 1_209_600, 90_061, u64::MAX] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse(&format(d)).unwrap(), d, "{secs}");
        }
    }
}
