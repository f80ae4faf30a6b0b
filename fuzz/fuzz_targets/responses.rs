//! Arbitrary bytes through every response parser of the public client: the first four bytes
//! choose the operation, the status, the content type, `Retry-After` and the answer to any later
//! request; the rest is the body (see `from_fuzz_bytes` in `tests/hostile/harness.rs`). Any panic,
//! misclassification, secret in an error or runaway request count is a crash.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/hostile/harness.rs"]
mod harness;

thread_local! {
    static HARNESS: harness::Harness = harness::Harness::new();
}

fuzz_target!(|data: &[u8]| {
    let (op, first, later) = harness::from_fuzz_bytes(data);
    let now = Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap();
    HARNESS.with(|h| {
        if let Err(why) = h.run_and_check(op, &first, &later, now) {
            panic!("{why}");
        }
    });
});
