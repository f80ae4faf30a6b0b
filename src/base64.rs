//! Base64 (RFC 4648), the two alphabets patkit meets: the standard one with padding (HTTP Basic
//! credentials, PEM bodies, the file store's key check) and the URL-safe one without padding (JWT
//! segments, the emulators' continuation tokens).
//!
//! Written here rather than taken from a crate: it is a page of code, and every crate the default
//! build compiles costs its users build time (issue 18, BENCHMARKS.md "Build cost"). Decoding is
//! strict, as a credential parser should be: the length must be whole (padded to four characters
//! for the standard alphabet, unpadded for the URL-safe one), `=` only at the end, no whitespace,
//! and the bits past the last whole byte must be zero, so each byte string has exactly one
//! accepted encoding.

/// Which alphabet, and whether the text is padded with `=` to a multiple of four characters.
#[derive(Clone, Copy)]
pub(crate) enum Alphabet {
    /// `A–Z a–z 0–9 + /`, padded.
    Standard,
    /// `A–Z a–z 0–9 + /`, unpadded.
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))]
    StandardNoPad,
    /// `A–Z a–z 0–9 - _`, unpadded (RFC 4648 §5, as JWTs use it).
    #[cfg_attr(not(any(feature = "github", feature = "emulator")), allow(dead_code))]
    UrlNoPad,
}

use Alphabet::{Standard, StandardNoPad, UrlNoPad};

const STANDARD_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Alphabet {
    fn chars(self) -> &'static [u8; 64] {
        match self {
            Standard | StandardNoPad => STANDARD_CHARS,
            UrlNoPad => URL_CHARS,
        }
    }

    fn padded(self) -> bool {
        matches!(self, Standard)
    }

    fn value(self, c: u8) -> Option<u8> {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' if !matches!(self, UrlNoPad) => 62,
            b'/' if !matches!(self, UrlNoPad) => 63,
            b'-' if matches!(self, UrlNoPad) => 62,
            b'_' if matches!(self, UrlNoPad) => 63,
            _ => return None,
        };
        Some(v)
    }
}

/// The length of `len` bytes encoded in `alphabet`.
pub(crate) fn encoded_len(len: usize, alphabet: Alphabet) -> usize {
    if alphabet.padded() { len.div_ceil(3) * 4 } else { (len * 4).div_ceil(3) }
}

/// Encodes `bytes` into `out`, which must be exactly [`encoded_len`] long (the caller sizes it,
/// so secret text is written once, in place, and never reallocated).
///
/// # Panics
///
/// When `out` has another length: a bug in the caller.
pub(crate) fn encode_into(bytes: &[u8], alphabet: Alphabet, out: &mut [u8]) {
    assert_eq!(out.len(), encoded_len(bytes.len(), alphabet), "base64 output buffer of the wrong size");
    let chars = alphabet.chars();
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out[at + i] = chars[(n >> shift & 63) as usize];
        }
        at += 4;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let n = u32::from(rest[0]) << 16 | rest.get(1).map_or(0, |&b| u32::from(b) << 8);
        // One byte gives two characters, two bytes give three.
        let written = rest.len() + 1;
        for (i, shift) in [18, 12, 6].into_iter().take(written).enumerate() {
            out[at + i] = chars[(n >> shift & 63) as usize];
        }
        at += written;
        if alphabet.padded() {
            out[at..].fill(b'=');
        }
    }
}

/// `bytes` encoded in `alphabet`.
pub(crate) fn encode(bytes: impl AsRef<[u8]>, alphabet: Alphabet) -> String {
    let bytes = bytes.as_ref();
    let mut out = vec![0; encoded_len(bytes.len(), alphabet)];
    encode_into(bytes, alphabet, &mut out);
    // Every byte written is one of the alphabet's ASCII characters or `=`.
    out.into_iter().map(char::from).collect()
}

/// Decodes `text` in `alphabet`, strictly (see the module's documentation); `None` when it is not
/// a canonical encoding.
pub(crate) fn decode(text: impl AsRef<[u8]>, alphabet: Alphabet) -> Option<Vec<u8>> {
    let mut text = text.as_ref();
    if alphabet.padded() {
        if text.len() % 4 != 0 {
            return None;
        }
        let pad = text.iter().rev().take(2).take_while(|&&c| c == b'=').count();
        // The length was whole, so the padding stands for exactly what the last group lacks.
        text = &text[..text.len() - pad];
    }
    // A lone character in the last group carries 6 bits: less than a byte.
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut chunks = text.chunks_exact(4);
    for chunk in &mut chunks {
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | u32::from(alphabet.value(c)?);
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut n = 0u32;
        for &c in rest {
            n = n << 6 | u32::from(alphabet.value(c)?);
        }
        // Align the 12 or 18 bits read to the top of 24, then keep the whole bytes.
        let bits = rest.len() * 6;
        n <<= 24 - bits;
        let whole = bits / 8;
        if n & (0x00FF_FFFF >> (whole * 8)) != 0 {
            return None;
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8][..whole]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_4648_test_vectors() {
        for (plain, padded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain, Standard), padded);
            assert_eq!(decode(padded, Standard).as_deref(), Some(plain.as_bytes()), "{padded}");
            let unpadded = padded.trim_end_matches('=');
            assert_eq!(encode(plain, UrlNoPad), unpadded);
            assert_eq!(encode(plain, StandardNoPad), unpadded);
            assert_eq!(decode(unpadded, UrlNoPad).as_deref(), Some(plain.as_bytes()), "{unpadded}");
        }
    }

    #[test]
    fn the_alphabets_differ_in_their_last_two_characters() {
        assert_eq!(encode([0xfb, 0xff], Standard), "+/8=");
        assert_eq!(encode([0xfb, 0xff], UrlNoPad), "-_8");
        assert_eq!(decode("-_8", UrlNoPad), Some(vec![0xfb, 0xff]));
        assert_eq!(decode("+/8", UrlNoPad), None);
        assert_eq!(decode("-_8=", Standard), None);
    }

    #[test]
    fn decoding_refuses_what_is_not_canonical() {
        for bad in ["Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "=Zm9", "Zm=v", "Z", "Zm9vY"] {
            assert_eq!(decode(bad, Standard), None, "{bad:?}");
        }
        for bad in ["Zg==", "Zh", "Zm9", "Z", "Zm9v+", "Zm9v="] {
            assert_eq!(decode(bad, UrlNoPad), None, "{bad:?}");
        }
    }

    #[test]
    #[should_panic(expected = "wrong size")]
    fn encode_into_refuses_a_buffer_of_the_wrong_size() {
        encode_into(b"abc", Standard, &mut [0; 5]);
    }

    proptest! {
        /// The `base64` crate (a dev-dependency only) is the oracle: same text out, same bytes
        /// back, and the same verdict on arbitrary text.
        #[test]
        fn agrees_with_the_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..64), text in "[A-Za-z0-9+/=_-]{0,12}") {
            use base64::Engine as _;
            use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
            prop_assert_eq!(encode(&bytes, Standard), STANDARD.encode(&bytes));
            prop_assert_eq!(encode(&bytes, StandardNoPad), STANDARD_NO_PAD.encode(&bytes));
            prop_assert_eq!(encode(&bytes, UrlNoPad), URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(decode(encode(&bytes, Standard), Standard), Some(bytes.clone()));
            prop_assert_eq!(decode(encode(&bytes, UrlNoPad), UrlNoPad), Some(bytes));
            prop_assert_eq!(decode(&text, Standard), STANDARD.decode(&text).ok(), "{}", text);
            prop_assert_eq!(decode(&text, UrlNoPad), URL_SAFE_NO_PAD.decode(&text).ok(), "{}", text);
        }
    }
}
