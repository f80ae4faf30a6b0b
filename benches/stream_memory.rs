//! Peak memory while streaming 10,000 and then 100,000 PATs with
//! `client.list().page_size(100).items()` (1,000 pages): it should stay flat, O(page). Prints
//! both peaks and `RATIO stream_memory peak(100k)/peak(10k)`, and the time per token.
//!
//! The emulator serves over loopback from its own thread, and a counting global allocator counts
//! only the client thread's live bytes: the emulator's own per-request work would otherwise swamp
//! the client's figure. It also prints the cost per token at both sizes and their ratio, in the
//! process's CPU time (client and emulator threads; other processes' load does not count) and in
//! wall time: the emulator keeps a listing's order between pages (`emulator_kit::listing`), so a
//! page costs O(page) and the ratio stays near 1. Not a criterion benchmark: one stream of each
//! size, both in one run.
//!
//! `cargo bench --features emulator --bench stream_memory`

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/stream.rs"]
mod stream;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let small = stream::run(10_000);
    let large = stream::run(100_000);
    for run in [small, large] {
        println!(
            "stream_memory {:>7} tokens: peak {:>8} bytes above the start; streamed in {:.2?} ({:.1} µs/token), \
             CPU {:.2?} ({:.1} µs/token, client and emulator); seeded in {:.2?}",
            run.tokens,
            run.peak_bytes,
            run.stream_time,
            run.stream_time.as_secs_f64() * 1e6 / run.tokens as f64,
            run.stream_cpu,
            run.stream_cpu.as_secs_f64() * 1e6 / run.tokens as f64,
            run.seed_time
        );
    }
    println!("RATIO stream_memory peak(100k)/peak(10k): {:.3}", large.peak_bytes as f64 / small.peak_bytes as f64);
    let per_token = |d: std::time::Duration, run: &stream::StreamRun| d.as_secs_f64() / run.tokens as f64;
    println!(
        "RATIO stream_memory CPU per token (100k)/(10k): {:.3}  (process CPU time: the client's and the emulator's \
         threads)",
        per_token(large.stream_cpu, &large) / per_token(small.stream_cpu, &small)
    );
    println!(
        "RATIO stream_memory wall time per token (100k)/(10k): {:.3}",
        per_token(large.stream_time, &large) / per_token(small.stream_time, &small)
    );
}
