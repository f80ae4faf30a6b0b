//! Peak client memory while streaming a listing: the emulator serves N tokens over loopback
//! from its own thread and runtime; the client streams them on the measured thread, counting
//! items without keeping them. Shared by `benches/stream_memory.rs` and `tests/stream_memory.rs`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use futures_util::TryStreamExt as _;
use patkit::SortBy;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{Emulator, SeedPat};
use patkit::transport::ReqwestTransport;

use super::counting_alloc;

/// What one streaming run measured.
#[derive(Debug, Clone, Copy)]
pub struct StreamRun {
    pub tokens: usize,
    /// Highest live bytes above the level before the stream started.
    pub peak_bytes: isize,
    pub seed_time: Duration,
    pub stream_time: Duration,
    /// CPU time of the whole process (the client's and the emulator's threads, nothing else's)
    /// while streaming: unlike the wall clock, not inflated by other processes' load.
    pub stream_cpu: Duration,
}

/// CPU time this process has used, all threads.
fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    Duration::new(u64::try_from(ts.tv_sec).unwrap_or(0), u32::try_from(ts.tv_nsec).unwrap_or(0))
}

/// Seeds `tokens` tokens, serves them on another thread, and streams them with
/// `client.list().page_size(100).items()` on this (measured) thread.
pub fn run(tokens: usize) -> StreamRun {
    counting_alloc::measure_this_thread();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let now = emulator.now();
        let started = Instant::now();
        for i in 0..tokens {
            // Distinct expiries, listed by date.
            let seed =
                SeedPat::new(format!("stream-{i:06}"), "vso.code").valid_to(now + TimeDelta::minutes(60 + i as i64));
            emulator.seed_pat("fabrikam", alice.id, seed);
        }
        let seed_time = started.elapsed();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
            ready_tx.send((server.base_url(), alice, seed_time)).unwrap();
            let _ = stop_rx.await;
            server.shutdown().await;
        });
    });
    let (base, alice, seed_time) = ready_rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (peak_bytes, stream_time, stream_cpu) = rt.block_on(async {
        let client = AzureDevOpsClient::builder("fabrikam", alice.credential())
            .base_url(base)
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap();
        let list = client.list().sort(SortBy::DisplayDate).page_size(100);
        // Warm up: the connection and its buffers exist before measuring. A page of the same size
        // in another order than the measured one, so the emulator builds the measured listing
        // inside the timed stream.
        client.list().page_size(100).page(None).await.unwrap();
        let before = counting_alloc::live();
        counting_alloc::reset_peak();
        let started = Instant::now();
        let cpu = process_cpu_time();
        let count = list.items().try_fold(0usize, |n, _| async move { Ok(n + 1) }).await.unwrap();
        let stream_cpu = process_cpu_time() - cpu;
        let stream_time = started.elapsed();
        assert_eq!(count, tokens);
        (counting_alloc::peak() - before, stream_time, stream_cpu)
    });
    let _ = stop_tx.send(());
    server.join().unwrap();
    StreamRun { tokens, peak_bytes, seed_time, stream_time, stream_cpu }
}
