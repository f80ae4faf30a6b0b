//! The random spread of retry waits.

/// xorshift64* — plenty for spreading retry waits; not for anything secret.
pub(super) struct XorShift(u64);

impl XorShift {
    pub(super) fn from_entropy() -> Self {
        let mut seed = [0u8; 8];
        let seed = getrandom::getrandom(&mut seed).map(|()| u64::from_le_bytes(seed)).unwrap_or_else(|_| {
            // No OS randomness: the time and the address of a local still differ per transport.
            let local = 0u8;
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs());
            nanos ^ (std::ptr::addr_of!(local) as usize as u64)
        });
        Self::from_seed(seed)
    }

    pub(super) fn from_seed(seed: u64) -> Self {
        // splitmix64 spreads similar seeds apart and never yields the all-zero state in practice;
        // guard it anyway, since xorshift would then stay at zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
