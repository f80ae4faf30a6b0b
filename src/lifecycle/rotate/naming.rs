//! Unique display names for replacements: `<base>~r<UTC timestamp>-<random>`.

use chrono::{DateTime, Utc};

/// The longest display name patkit creates where the provider names no limit (the Azure
/// client's limit).
const MAX_CHARS: usize = 256;
/// `~r` + `YYYYMMDDTHHMMSSZ` + `-` + 8 hex digits.
const SUFFIX_CHARS: usize = 2 + 16 + 1 + 8;

/// A display name for the replacement of a token named `old`: the old name without an earlier
/// rotation suffix, then `~r`, the UTC time and 8 random hex digits. At most `max_chars` (the
/// provider's [`name_max_len`](crate::Capabilities::name_max_len), else 256) characters — the
/// base is shortened if needed, down to one character — so rotating again and again never makes
/// names grow.
pub(crate) fn replacement_name(old: &str, now: DateTime<Utc>, max_chars: Option<usize>) -> String {
    let max_chars = max_chars.unwrap_or(MAX_CHARS).min(MAX_CHARS);
    let base = strip_suffix(old);
    let base: String = base.chars().take(max_chars.saturating_sub(SUFFIX_CHARS).max(1)).collect();
    let base = if base.trim().is_empty() { "patkit" } else { base.as_str() };
    format!("{base}~r{}-{}", now.format("%Y%m%dT%H%M%SZ"), crate::random::hex(4))
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
        let a = replacement_name("ci feed", now(), None);
        let b = replacement_name("ci feed", now(), None);
        assert!(a.starts_with("ci feed~r20260304T050607Z-"), "{a}");
        assert_eq!(a.chars().count(), "ci feed".len() + SUFFIX_CHARS);
        assert_ne!(a, b);
    }

    #[test]
    fn does_not_grow_over_rotations() {
        let first = replacement_name("ci feed", now(), None);
        let second = replacement_name(&first, now(), None);
        assert_eq!(first.len(), second.len());
        assert!(second.starts_with("ci feed~r"));
        // A `~r` that is not ours stays.
        assert!(replacement_name("a~rb", now(), None).starts_with("a~rb~r"));
    }

    #[test]
    fn stays_within_the_limit() {
        let long = "é".repeat(400);
        let name = replacement_name(&long, now(), None);
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(replacement_name("   ", now(), None).starts_with("patkit~r"));
    }

    #[test]
    fn stays_within_the_providers_limit() {
        let long = "x".repeat(300);
        assert_eq!(replacement_name(&long, now(), Some(255)).chars().count(), 255);
        assert_eq!(replacement_name(&long, now(), Some(40)).chars().count(), 40);
        assert!(replacement_name("short", now(), Some(40)).starts_with("short~r"));
    }
}
