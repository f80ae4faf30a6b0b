//! Random identifiers: temporary file names, rotation name suffixes, test doubles' ids and
//! secrets, from the operating system's generator (`getrandom`).
//!
//! patkit needs random *text* here, not a UUID type, so it makes its own rather than compile a
//! UUID crate into every build (issue 18, BENCHMARKS.md "Build cost"). UUIDs appear where a
//! service uses them (Azure DevOps ids); [`is_uuid`] recognises them in text.

/// `bytes` random bytes as lowercase hex (twice as many characters).
///
/// # Panics
///
/// When the operating system has no random number generator to give: nothing patkit does could
/// continue safely without one.
pub(crate) fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("the operating system's random number generator failed");
    let mut out = String::with_capacity(bytes * 2);
    for b in buf {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A random (version 4) UUID in its hyphenated lowercase form,
/// e.g. `0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6`.
///
/// # Panics
///
/// As [`hex`].
#[cfg(feature = "testing")]
pub(crate) fn uuid_v4() -> String {
    let mut text = hex(16);
    // Version 4 in the 13th digit, the RFC 9562 variant (8, 9, a or b) in the 17th.
    text.replace_range(12..13, "4");
    let variant = 8 + u8::from_str_radix(&text[16..17], 16).expect("a hex digit") % 4;
    text.replace_range(16..17, &format!("{variant:x}"));
    [&text[..8], &text[8..12], &text[12..16], &text[16..20], &text[20..]].join("-")
}

/// Whether `text` is a UUID in any of its usual spellings: 32 hex digits, hyphenated (8-4-4-4-12),
/// braced (`{…}`) or as a URN (`urn:uuid:…`). Any version; hex digits of either case.
#[cfg(feature = "azure")]
pub(crate) fn is_uuid(text: &str) -> bool {
    let text = text.strip_prefix("urn:uuid:").unwrap_or(text);
    let text = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
    let bytes = text.as_bytes();
    match bytes.len() {
        32 => bytes.iter().all(u8::is_ascii_hexdigit),
        36 => bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_hex_of_the_asked_length_and_differs_between_calls() {
        let (a, b) = (hex(16), hex(16));
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| HEX.contains(&c)), "{a}");
        assert_ne!(a, b, "128 random bits repeated");
        assert_eq!(hex(0), "");
    }

    #[cfg(all(feature = "testing", feature = "azure"))]
    #[test]
    fn uuid_v4_has_the_version_and_variant_bits() {
        for _ in 0..64 {
            let id = uuid_v4();
            assert!(is_uuid(&id), "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
            assert!("89ab".contains(&id[19..20]), "{id}");
        }
    }

    #[cfg(feature = "azure")]
    #[test]
    fn is_uuid_takes_every_usual_spelling_and_nothing_else() {
        for yes in [
            "0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6",
            "0F6A3E8C-1B2D-4C5E-8F90-A1B2C3D4E5F6",
            "0f6a3e8c1b2d4c5e8f90a1b2c3d4e5f6",
            "{0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6}",
            "urn:uuid:0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6",
        ] {
            assert!(is_uuid(yes), "{yes}");
        }
        for no in [
            "",
            "0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f",
            "0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5fg",
            "0f6a3e8c1b2d-4c5e-8f90-a1b2c3d4e5f6-",
            "0f6a3e8c1b2d4c5e8f90a1b2c3d4e5f6aa",
            "{0f6a3e8c-1b2d-4c5e-8f90-a1b2c3d4e5f6",
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9abcd",
        ] {
            assert!(!is_uuid(no), "{no}");
        }
    }
}
