//! Shared by the benches: criterion settings sized for a small machine, and ratios between two
//! measurements taken in the same run.
//!
//! Each side is measured with `iter_custom`, which also records every sample here; after the
//! group, [`ratio`] divides the mean time per iteration of the measured samples (the last
//! `SAMPLES` calls, i.e. criterion's measurement phase, not its warm-up) of one side by the other.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use criterion::Criterion;

/// Samples per benchmark (criterion's minimum).
pub const SAMPLES: usize = 10;

/// Per label, every `iter_custom` call: (iterations, time taken).
type Recorded = HashMap<String, Vec<(u64, Duration)>>;

static RECORDED: Mutex<Option<Recorded>> = Mutex::new(None);

/// Criterion with few samples and short warm-up and measurement times.
pub fn criterion(measurement: Duration) -> Criterion {
    Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(measurement)
        .without_plots()
        .configure_from_args()
}

/// Records one `iter_custom` call: `iters` iterations took `elapsed`.
pub fn record(label: &str, iters: u64, elapsed: Duration) -> Duration {
    let mut map = RECORDED.lock().unwrap();
    map.get_or_insert_with(HashMap::new).entry(label.to_owned()).or_default().push((iters, elapsed));
    elapsed
}

/// Mean time per iteration over the measured samples of `label`.
pub fn mean(label: &str) -> Option<Duration> {
    let map = RECORDED.lock().unwrap();
    let samples = map.as_ref()?.get(label)?;
    let measured = &samples[samples.len().saturating_sub(SAMPLES)..];
    let iters: u64 = measured.iter().map(|(n, _)| n).sum();
    let total: Duration = measured.iter().map(|(_, d)| *d).sum();
    (iters > 0).then(|| total / u32::try_from(iters).unwrap_or(u32::MAX))
}

/// Prints `numerator / denominator` (mean per iteration) and returns it.
pub fn ratio(name: &str, numerator: &str, denominator: &str) -> Option<f64> {
    let (n, d) = (mean(numerator)?, mean(denominator)?);
    let r = n.as_secs_f64() / d.as_secs_f64();
    println!(
        "RATIO {name}: {r:.3}  ({numerator} {:.1} µs / {denominator} {:.1} µs per iteration; difference {:+.1} µs)",
        n.as_secs_f64() * 1e6,
        d.as_secs_f64() * 1e6,
        (n.as_secs_f64() - d.as_secs_f64()) * 1e6
    );
    Some(r)
}

/// Prints a measured duration against an ideal one and returns measured / ideal.
pub fn against_ideal(name: &str, label: &str, ideal: Duration) -> Option<f64> {
    let m = mean(label)?;
    let r = m.as_secs_f64() / ideal.as_secs_f64();
    println!("RATIO {name}: {r:.3}  (measured {m:.3?} / ideal {ideal:.3?})");
    Some(r)
}

/// A page of the list API as a hand-written client would parse it (the baselines' struct).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paged {
    /// Empty or absent on the last page.
    pub continuation_token: Option<String>,
    /// The tokens.
    pub pat_tokens: Vec<Token>,
}

/// One token of [`Paged`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub authorization_id: String,
    pub display_name: String,
    pub scope: String,
    pub target_accounts: Option<Vec<String>>,
    pub valid_from: chrono::DateTime<chrono::Utc>,
    pub valid_to: chrono::DateTime<chrono::Utc>,
}

static PAIRS: Mutex<Vec<(String, Duration, Duration)>> = Mutex::new(Vec::new());

/// Records one paired observation: the same work done both ways back to back.
pub fn record_pair(label: &str, ours: Duration, theirs: Duration) {
    PAIRS.lock().unwrap().push((label.to_owned(), ours, theirs));
}

/// Prints and returns the median of `ours / theirs` over every pair recorded under `label`:
/// robust against load spikes from other work on the machine, which hit one pair, not the
/// estimate.
pub fn paired_median(name: &str, label: &str) -> Option<f64> {
    let pairs = PAIRS.lock().unwrap();
    let mut ratios: Vec<f64> =
        pairs.iter().filter(|(l, ..)| l == label).map(|(_, a, b)| a.as_secs_f64() / b.as_secs_f64()).collect();
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    let (q1, q3) = (ratios[ratios.len() / 4], ratios[ratios.len() * 3 / 4]);
    println!("RATIO {name}: {median:.3} median of {} pairs (interquartile {q1:.3}–{q3:.3})", ratios.len());
    Some(median)
}

/// CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`). Unlike wall time it leaves out the
/// time the thread waited while other work had the CPU, so on a busy machine it measures the
/// work itself.
#[allow(unsafe_code)]
pub fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    Some(Duration::new(u64::try_from(ts.tv_sec).ok()?, u32::try_from(ts.tv_nsec).ok()?))
}

/// A point to measure from: wall time and this thread's CPU time.
#[derive(Debug, Clone, Copy)]
pub struct Mark(std::time::Instant, Option<Duration>);

/// Starts a measurement.
pub fn mark() -> Mark {
    Mark(std::time::Instant::now(), thread_cpu_time())
}

/// Records this thread's CPU time since `mark` for the ratio (the work itself, whatever else the
/// machine is doing) and returns the wall time for criterion's own report. Only meaningful when
/// all the work runs on this thread (a current-thread runtime and an in-process transport).
pub fn record_cpu(label: &str, iters: u64, mark: Mark) -> Duration {
    let wall = mark.0.elapsed();
    let cpu = match (mark.1, thread_cpu_time()) {
        (Some(start), Some(now)) => now.saturating_sub(start),
        _ => wall,
    };
    record(label, iters, cpu);
    wall
}
