//! Put and get latency of the file store at 100 and 10,000 entries, with the in-memory store as
//! the baseline. `cargo bench --features testing --bench file_store`.
//!
//! The file store's put is dominated by its two `fsync`s, so its absolute numbers depend on the
//! disk; the ratio between sizes is what shows whether a put's cost grows with the store.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use patkit::store::{FileTokenStore, InMemoryTokenStore, TokenStore};
use patkit::testing::conformance::sample_entry;
use tokio::runtime::Runtime;

const SIZES: [usize; 2] = [100, 10_000];

fn name(i: usize) -> String {
    format!("bench/entry-{i:05}")
}

fn populate(rt: &Runtime, store: &dyn TokenStore, size: usize) {
    rt.block_on(async {
        for chunk in (0..size).collect::<Vec<_>>().chunks(64) {
            let puts = chunk.iter().map(|&i| store.put(sample_entry(&name(i), "bench-secret")));
            for result in futures_util::future::join_all(puts).await {
                result.unwrap();
            }
        }
    });
}

fn stores(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut put = c.benchmark_group("put");
    put.sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    let mut made: Vec<(String, usize, Box<dyn TokenStore>)> = Vec::new();
    for size in SIZES {
        let memory: Box<dyn TokenStore> = Box::new(InMemoryTokenStore::new());
        let file: Box<dyn TokenStore> =
            Box::new(rt.block_on(FileTokenStore::open(tmp.path().join(format!("store-{size}")))).unwrap());
        for (kind, store) in [("memory", memory), ("file", file)] {
            populate(&rt, store.as_ref(), size);
            made.push((kind.to_owned(), size, store));
        }
    }
    for (kind, size, store) in &made {
        let mut i = 0;
        put.bench_function(BenchmarkId::new(kind.as_str(), size), |b| {
            b.iter(|| {
                i = (i + 7919) % size; // replace existing entries, spread over the store
                rt.block_on(store.put(sample_entry(&name(i), "bench-secret-2"))).unwrap()
            })
        });
    }
    put.finish();

    let mut get = c.benchmark_group("get");
    get.sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    for (kind, size, store) in &made {
        let mut i = 0;
        get.bench_function(BenchmarkId::new(kind.as_str(), size), |b| {
            b.iter(|| {
                i = (i + 7919) % size;
                black_box(rt.block_on(store.get(&name(i))).unwrap().unwrap())
            })
        });
    }
    get.finish();
}

criterion_group!(benches, stores);
criterion_main!(benches);
