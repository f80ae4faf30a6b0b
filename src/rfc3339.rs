//! Reading the RFC 3339 timestamps services send, fast in the common shape.
//!
//! A listing reads two timestamps per token, so the shape every service here sends —
//! `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or nothing — is read by hand; anything
//! else (an offset, a leap second, lower-case separators) goes to chrono's full parser, so the
//! answers are chrono's either way (a test checks that on random inputs).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// `s` as an RFC 3339 date-time with an offset, in UTC; `None` if it is not one.
pub(crate) fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    match fast(s.as_bytes()) {
        Some(Shape::Utc(t)) => Some(t.and_utc()),
        Some(Shape::NoOffset(_)) => None,
        None => DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)),
    }
}

/// [`parse_utc`], or a date-time without an offset read as UTC (`%Y-%m-%dT%H:%M:%S%.f`, which
/// Azure DevOps's Token Admin sends).
pub(crate) fn parse_utc_or_naive(s: &str) -> Option<DateTime<Utc>> {
    match fast(s.as_bytes()) {
        Some(Shape::Utc(t) | Shape::NoOffset(t)) => Some(t.and_utc()),
        None => {
            parse_utc(s).or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc()))
        }
    }
}

enum Shape {
    /// Ended in `Z`.
    Utc(NaiveDateTime),
    /// Ended after the seconds or their fraction.
    NoOffset(NaiveDateTime),
}

/// The common shape, or `None` to leave `s` to the full parsers.
fn fast(b: &[u8]) -> Option<Shape> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    // Two digits at `at` (the length was checked above).
    let two = |at: usize| -> Option<u32> {
        let (tens, ones) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
        (tens < 10 && ones < 10).then(|| u32::from(tens) * 10 + u32::from(ones))
    };
    let (year, month, day) = (two(0)? * 100 + two(2)?, two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if second > 59 {
        return None; // a leap second: chrono's rules
    }
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            at += 1;
        }
        let digits = at - start;
        if digits == 0 {
            return None;
        }
        nanos *= 10u32.pow(9 - digits.min(9) as u32);
    }
    let time = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?;
    match &b[at..] {
        b"Z" => Some(Shape::Utc(time)),
        b"" => Some(Shape::NoOffset(time)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What chrono's own parsers answer.
    fn reference(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn common_shapes() {
        let t = parse_utc("2020-11-02T22:56:52.1033333Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 103_333_300);
        assert_eq!(parse_utc("2020-11-02T22:56:52Z"), reference("2020-11-02T22:56:52Z"));
        assert_eq!(parse_utc("2020-11-02T22:56:52.123456789123Z").unwrap().timestamp_subsec_nanos(), 123_456_789);
        assert_eq!(parse_utc("2018-07-18T00:51:26.5557358-07:00"), reference("2018-07-18T00:51:26.5557358-07:00"));
        assert_eq!(parse_utc("2018-07-19T00:00:00"), None);
        assert_eq!(parse_utc_or_naive("2018-07-19T00:00:00").unwrap().to_rfc3339(), "2018-07-19T00:00:00+00:00");
        for bad in [
            "",
            "yesterday",
            "2020-13-45T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2020-11-02T24:00:00Z",
            "2020-11-02T22:56:52.Z",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// On anything shaped like a timestamp, the fast path answers what chrono answers.
        #[test]
        fn agrees_with_chrono(
            year in 0u32..10000, month in 0u32..14, day in 0u32..33, hour in 0u32..26, minute in 0u32..61,
            second in 0u32..62, fraction in proptest::option::of("[0-9]{0,12}"),
            end in prop_oneof![Just(""), Just("Z"), Just("z"), Just("+00:00"), Just("-07:30"), Just("x")],
        ) {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let s = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{end}");
            prop_assert_eq!(parse_utc(&s), reference(&s), "{}", s);
            let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc());
            prop_assert_eq!(parse_utc_or_naive(&s), reference(&s).or(naive), "{}", s);
        }
    }
}
