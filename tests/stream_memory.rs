//! Streaming a listing keeps client memory flat: the peak of the client's live bytes while
//! streaming ten times as many tokens stays under twice the smaller peak (O(page), not
//! O(tokens)). Asserted only as a ratio of peaks, never as a time. `benches/stream_memory.rs`
//! measures 10,000 against 100,000.
//!
//! The emulator serves over loopback from its own thread; a counting global allocator counts
//! only the client thread (see `benches/support/counting_alloc.rs`). One test in this binary.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

#[path = "../benches/support/counting_alloc.rs"]
mod counting_alloc;
#[path = "../benches/support/stream.rs"]
mod stream;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

#[test]
fn streaming_ten_times_more_tokens_keeps_the_peak_flat() {
    let small = stream::run(1_000);
    let large = stream::run(10_000);
    eprintln!("{small:?}\n{large:?}");
    assert!(small.peak_bytes > 0, "the allocator counted the client: {small:?}");
    // A page of 100 parsed tokens and its JSON alone are tens of kilobytes; the whole listing of
    // 10,000 would be megabytes.
    assert!(
        large.peak_bytes < 2 * small.peak_bytes,
        "peak grew with the listing: {} bytes for {} tokens vs {} bytes for {}",
        large.peak_bytes,
        large.tokens,
        small.peak_bytes,
        small.tokens
    );
}
