//! Dates, secrets and hashes in the service's formats.

use crate::base64;
use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

/// SHA-256 of a secret. The emulator keeps only this, never the secret itself.
pub(crate) type SecretHash = [u8; 32];

/// Hashes a secret (a PAT or a bearer token).
pub(crate) fn hash_secret(secret: &str) -> SecretHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// Formats a time as the service does: UTC with `Z`, up to 7 fractional digits (100 ns ticks),
/// trailing zeros trimmed and no fraction at all on a whole second (§4.10).
pub(crate) fn format_date(t: DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S");
    let ticks = t.timestamp_subsec_nanos() / 100;
    if ticks == 0 {
        return format!("{base}Z");
    }
    let fraction = format!("{ticks:07}");
    format!("{base}.{}Z", fraction.trim_end_matches('0'))
}

/// Drops precision below one 100 ns tick, so a stored time formats and parses back unchanged.
pub(crate) fn to_ticks(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.timestamp_subsec_nanos();
    t - chrono::TimeDelta::nanoseconds(i64::from(nanos % 100))
}

/// Parses a request date: RFC 3339 with any offset, or (like the .NET service) a date without an
/// offset, taken as UTC.
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(to_ticks(t.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| to_ticks(n.and_utc()))
}

const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Length of a PAT in the current format (§9.1).
pub(crate) const NEW_PAT_LEN: usize = 84;
/// Length of a legacy PAT (§9.1).
pub(crate) const LEGACY_PAT_LEN: usize = 52;
/// Where the `AZDO` signature sits in a new-format PAT (zero-based, end exclusive).
pub(crate) const SIGNATURE_AT: std::ops::Range<usize> = 76..80;

/// Mints a PAT in the current 84-character format.
///
/// The fact sheet fixes the length, the 52 random characters and the `AZDO` signature at
/// positions 76–80. The rest is the emulator's choice: characters 52–76 are derived from the
/// random part and 80–84 are a checksum over the first 80, all from the base-62 alphabet, so the
/// value matches the secret-scanning pattern `[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}`.
pub(crate) fn mint_pat() -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(NEW_PAT_LEN);
    let mut bytes = [0u8; 96];
    // Rejection sampling keeps the alphabet uniform: 248 = 4 * 62.
    while out.len() < 52 {
        getrandom::getrandom(&mut bytes)?;
        for b in bytes.iter().copied().filter(|b| *b < 248).take(52 - out.len()) {
            out.push(char::from(BASE62[usize::from(b % 62)]));
        }
    }
    let derived = Sha256::digest(out.as_bytes());
    out.extend(derived.iter().take(24).map(|b| char::from(BASE62[usize::from(*b % 62)])));
    out.push_str("AZDO");
    let check = Sha256::digest(out.as_bytes());
    out.extend(check.iter().take(4).map(|b| char::from(BASE62[usize::from(*b % 62)])));
    Ok(out)
}

/// Whether `s` has the shape of a PAT: 84 base-62 characters with `AZDO` at 76–80, or a legacy
/// 52-character lower-case base-32 value.
pub(crate) fn is_pat_shaped(s: &str) -> bool {
    match s.len() {
        NEW_PAT_LEN => s.bytes().all(|b| b.is_ascii_alphanumeric()) && &s[SIGNATURE_AT] == "AZDO",
        LEGACY_PAT_LEN => s.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)),
        _ => false,
    }
}

/// Base64 (standard alphabet), for subject descriptors.
pub(crate) fn b64(s: &str) -> String {
    base64::encode(s, base64::Alphabet::StandardNoPad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_trim_trailing_zeros_and_keep_seven_digits() {
        let t = Utc.with_ymd_and_hms(2020, 11, 2, 22, 56, 52).unwrap();
        assert_eq!(format_date(t), "2020-11-02T22:56:52Z");
        let t2 = t + chrono::TimeDelta::nanoseconds(103_333_300);
        assert_eq!(format_date(t2), "2020-11-02T22:56:52.1033333Z");
        let t3 = t + chrono::TimeDelta::milliseconds(520);
        assert_eq!(format_date(t3), "2020-11-02T22:56:52.52Z");
        // Below a tick is dropped, not rounded up.
        let t4 = t + chrono::TimeDelta::nanoseconds(199);
        assert_eq!(format_date(t4), "2020-11-02T22:56:52.0000001Z");
    }

    #[test]
    fn parse_accepts_offsets_and_bare_times() {
        let z = parse_date("2020-12-01T23:46:23.319Z").unwrap();
        assert_eq!(format_date(z), "2020-12-01T23:46:23.319Z");
        let off = parse_date("2018-07-18T00:51:26.5557358-07:00").unwrap();
        assert_eq!(format_date(off), "2018-07-18T07:51:26.5557358Z");
        let bare = parse_date("2018-07-19T00:00:00").unwrap();
        assert_eq!(format_date(bare), "2018-07-19T00:00:00Z");
        assert!(parse_date("yesterday").is_none());
    }

    #[test]
    fn minted_pats_have_the_new_format() {
        let a = mint_pat().unwrap();
        let b = mint_pat().unwrap();
        assert_eq!(a.len(), 84);
        assert_eq!(&a[76..80], "AZDO");
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(is_pat_shaped(&a));
        assert_ne!(a, b);
        assert!(is_pat_shaped("dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq"));
        assert!(!is_pat_shaped("short"));
    }

    #[test]
    fn hashes_differ_per_secret() {
        assert_ne!(hash_secret("a"), hash_secret("b"));
        assert_eq!(hash_secret("a"), hash_secret("a"));
    }
}
