//! Unique display names for replacements: `<base>~r<UTC timestamp>-<random>`.

use chrono::{DateTime, Utc};

/// The longest display name patkit creates (the Azure client's limit).
const MAX_CHARS: usize = 256;
/// `~r` + `YYYYMMDDTHHMMSSZ` + `-` + 8 hex digits.
const SUFFIX_CHARS: usize = 2 + 16 + 1 + 8;

/// A display name for the replacement of a token named `old`: the old name without an earlier
/// rotation suffix, then `~r`, the UTC time and 8 random hex digits. At most 256 characters (the
/// base is shortened if needed), so rotating again and again never makes names grow.
pub(crate) fn replacement_name(old: &str, now: DateTime<Utc>) -> String {
    let base = strip_suffix(old);
    let base: String = base.chars().take(MAX_CHARS - SUFFIX_CHARS).collect();
    let base = if base.trim().is_empty() { "patkit" } else { base.as_str() };
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{base}~r{}-{}", now.format("%Y%m%dT%H%M%SZ"), &random[..8])
}

/// `old` without a trailing suffix this module made.
fn strip_suffix(old: &str) -> &str {
    let Some(at) = old.rfind("~r") else { return old };
    let suffix = &old[at + 2..];
    let bytes = suffix.as_bytes();
    let ours = bytes.len() == SUFFIX_CHARS - 2
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[8] == b'T'
        && bytes[9..15].iter().all(u8::is_ascii_digit)
        && bytes[15] == b'Z'
        && bytes[16] == b'-'
        && bytes[17..].iter().all(u8::is_ascii_hexdigit);
    if ours { &old[..at] } else { old }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
    }

    #[test]
    fn appends_time_and_random_and_is_unique() {
        let a = replacement_name("ci feed", now());
        let b = replacement_name("ci feed", now());
        assert!(a.starts_with("ci feed~r20260304T050607Z-"), "{a}");
        assert_eq!(a.chars().count(), "ci feed".len() + SUFFIX_CHARS);
        assert_ne!(a, b);
    }

    #[test]
    fn does_not_grow_over_rotations() {
        let first = replacement_name("ci feed", now());
        let second = replacement_name(&first, now());
        assert_eq!(first.len(), second.len());
        assert!(second.starts_with("ci feed~r"));
        // A `~r` that is not ours stays.
        assert!(replacement_name("a~rb", now()).starts_with("a~rb~r"));
    }

    #[test]
    fn stays_within_the_limit() {
        let long = "é".repeat(400);
        let name = replacement_name(&long, now());
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(replacement_name("   ", now()).starts_with("patkit~r"));
    }
}
