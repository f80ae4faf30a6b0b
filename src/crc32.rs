//! CRC-32 (IEEE 802.3, the zlib/PNG checksum): the file store's record checksum, the keyring
//! lock's name suffix and GitHub's token checksum in its emulator.
//!
//! A byte-at-a-time table, built at compile time. The inputs are a few hundred bytes at most, so
//! a faster (sliced or SIMD) version would not be measurable, and a crate for it would add to every
//! build (issue 18, BENCHMARKS.md "Build cost").

/// The reflected IEEE polynomial.
const POLYNOMIAL: u32 = 0xEDB8_8320;

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { crc >> 1 ^ POLYNOMIAL } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The CRC-32 of `bytes`.
pub(crate) fn hash(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| TABLE[usize::from(crc as u8 ^ b)] ^ crc >> 8)
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn known_checksums() {
        // The standard check value, and two more from zlib's `crc32`.
        assert_eq!(hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(hash(b""), 0);
        assert_eq!(hash(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
        assert_eq!(hash(&[0u8; 32]), 0x190A_55AD);
    }
}
