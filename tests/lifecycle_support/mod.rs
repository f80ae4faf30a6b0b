//! Shared set-up for the lifecycle tests: a provider — the Azure client over the emulator, or a
//! [`FakeProvider`](patkit::testing::FakeProvider) in one of its capability profiles
//! ([`Backend`]) — on a manual clock, whose calls, like those of the store, go through a
//! [`Gate`] (which can hold any chosen call — before or after it reaches the server or the store
//! — and counts every call), invariant checks against the server's state, and a small seeded
//! random generator.
#![allow(dead_code)]

mod gate;
pub mod vault_kv;
pub mod world;

use chrono::{DateTime, TimeZone, Utc};

pub use gate::*;
pub use world::*;

pub const ORG: &str = "fabrikam";

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap()
}

/// SplitMix64: a tiny seeded generator, so every randomized run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}
