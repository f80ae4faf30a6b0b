//! FileTokenStore across processes: SIGKILL at random points while writing, and two processes
//! writing one store at once.
//!
//! `harness = false`: this binary is its own child. With `PATKIT_STORE_CHILD` set it runs a
//! writer (see [`child`]); otherwise it runs the tests, spawning itself.
//!
//! `PATKIT_CRASH_ITERATIONS` (default 50) sets how many kills each crash test makes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use patkit::store::{Expected, FileTokenStore, StoreErrorKind, StoredPat, TokenStore};
use patkit::testing::conformance::sample_entry;

const CHILD_ENV: &str = "PATKIT_STORE_CHILD";
const DIR_ENV: &str = "PATKIT_STORE_DIR";
const KEY_ENV: &str = "PATKIT_STORE_KEY";
/// Entries the crash writer rewrites in turn.
const CRASH_ENTRIES: usize = 4;
/// Entries each concurrent writer adds, and counter increments each makes.
const PER_PROCESS: usize = 60;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    match std::env::var(CHILD_ENV).ok().as_deref() {
        Some(role) => runtime.block_on(child(role)),
        None => {
            let iterations = std::env::var("PATKIT_CRASH_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(50);
            run("crash_leaves_old_or_new_state (plain)", || runtime.block_on(crash_test(iterations, None)));
            #[cfg(feature = "encryption")]
            run("crash_leaves_old_or_new_state (encrypted)", || {
                runtime.block_on(crash_test(iterations, Some([9; 32])))
            });
            run("two_processes_writing_lose_nothing", || runtime.block_on(two_processes_test()));
        }
    }
}

fn run(name: &str, test: impl FnOnce()) {
    eprintln!("test {name} ...");
    test();
    eprintln!("test {name} ... ok");
}

async fn open(dir: &Path, key: Option<[u8; 32]>) -> FileTokenStore {
    match key {
        None => FileTokenStore::open(dir).await.unwrap(),
        #[cfg(feature = "encryption")]
        Some(key) => FileTokenStore::open_encrypted(dir, patkit::store::FileStoreKey::from_bytes(key)).await.unwrap(),
        #[cfg(not(feature = "encryption"))]
        Some(_) => unreachable!("keys are only used with the encryption feature"),
    }
}

/// An entry whose generation is in its display name and its secret, so a torn write would show.
fn generation_entry(name: &str, generation: u64) -> StoredPat {
    let mut entry = sample_entry(name, &format!("secret-{name}-{generation}"));
    entry.record.metadata.display_name = format!("gen={generation}");
    entry
}

fn generation_of(entry: &StoredPat) -> u64 {
    let generation: u64 = entry.record.metadata.display_name.strip_prefix("gen=").unwrap().parse().unwrap();
    assert!(
        entry.secret.expose_secret() == format!("secret-{}-{generation}", entry.name()),
        "entry {:?}: the secret does not belong to generation {generation} (torn write)",
        entry.name()
    );
    generation
}

fn spawn_child(
    role: &str,
    dir: &Path,
    key: Option<[u8; 32]>,
    extra: &[(&str, String)],
) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.env(CHILD_ENV, role).env(DIR_ENV, dir).stdin(Stdio::piped()).stdout(Stdio::piped());
    if let Some(key) = key {
        command.env(KEY_ENV, key.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    for (k, v) in extra {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "the child did not start");
    (child, stdout)
}

fn random_below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).unwrap();
    u64::from_le_bytes(bytes) % n
}

/// Kills a writer with SIGKILL at a random moment, `iterations` times. After each kill the store
/// opens, holds every entry, each whole (record and secret of one generation), never older than
/// before the kill.
async fn crash_test(iterations: usize, key: Option<[u8; 32]>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let names: Vec<String> = (0..CRASH_ENTRIES).map(|k| format!("crash/{k}")).collect();
    {
        let store = open(&dir, key).await;
        for name in &names {
            store.put(generation_entry(name, 0)).await.unwrap();
        }
    }
    let mut seen = vec![0u64; CRASH_ENTRIES];
    let (mut kills_mid_write, mut progressed) = (0, 0);
    for iteration in 0..iterations {
        let (mut child, _stdout) = spawn_child("crash-writer", &dir, key, &[]);
        std::thread::sleep(Duration::from_micros(500 + random_below(30_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let leftovers = std::fs::read_dir(dir.join("entries"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tmp-"))
            .count();
        kills_mid_write += usize::from(leftovers > 0);

        let store = open(&dir, key).await; // must open: never corrupt
        let listed = store.list().await.unwrap_or_else(|e| panic!("iteration {iteration}: list failed: {e}"));
        assert_eq!(
            listed.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
            names,
            "iteration {iteration}: entries missing after a kill"
        );
        for (k, name) in names.iter().enumerate() {
            let entry = store
                .get(name)
                .await
                .unwrap_or_else(|e| panic!("iteration {iteration}: {name} unreadable after a kill: {e}"))
                .unwrap_or_else(|| panic!("iteration {iteration}: {name} vanished after a kill"));
            let generation = generation_of(&entry);
            assert!(generation >= seen[k], "iteration {iteration}: {name} went back from {} to {generation}", seen[k]);
            progressed += usize::from(generation > seen[k]);
            seen[k] = generation;
        }
        let stray = std::fs::read_dir(dir.join("entries")).unwrap().count() - CRASH_ENTRIES;
        assert_eq!(stray, 0, "iteration {iteration}: opening left temporary files behind");
    }
    eprintln!(
        "  {iterations} kills: {kills_mid_write} hit a write in flight (temporary file left), \
         entries advanced {progressed} times, last generations {seen:?}"
    );
    assert!(seen.iter().any(|&g| g > 0), "the writer never wrote anything before being killed");
}

/// Two processes, released at the same moment, each add their own entries and increment one
/// shared counter through compare-and-swap. Nothing is lost.
async fn two_processes_test() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    open(&dir, None).await.put(generation_entry("shared/counter", 0)).await.unwrap();

    let mut children: Vec<_> = ["a", "b"]
        .iter()
        .map(|id| spawn_child("concurrent-writer", &dir, None, &[("PATKIT_WRITER_ID", id.to_string())]))
        .collect();
    for (child, _) in &mut children {
        writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    }
    let mut conflicts = 0;
    for (mut child, mut stdout) in children {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        conflicts += line.trim().strip_prefix("conflicts=").unwrap().parse::<usize>().unwrap();
        assert!(child.wait().unwrap().success(), "a writer failed");
    }

    let store = open(&dir, None).await;
    for id in ["a", "b"] {
        for i in 0..PER_PROCESS {
            let name = format!("proc-{id}/{i:03}");
            let entry = store.get(&name).await.unwrap().unwrap_or_else(|| panic!("{name} was lost"));
            assert_eq!(generation_of(&entry), i as u64);
        }
    }
    assert_eq!(store.list().await.unwrap().len(), 2 * PER_PROCESS + 1);
    let counter = store.get("shared/counter").await.unwrap().unwrap();
    assert_eq!(generation_of(&counter), 2 * PER_PROCESS as u64, "increments were lost");
    eprintln!(
        "  {} entries and {} increments from 2 processes; {conflicts} compare-and-swap conflicts retried",
        2 * PER_PROCESS,
        2 * PER_PROCESS
    );
}

/// The child side.
async fn child(role: &str) {
    let dir = PathBuf::from(std::env::var(DIR_ENV).unwrap());
    let key = std::env::var(KEY_ENV).ok().map(|hex| {
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        key
    });
    let store = open(&dir, key).await;
    println!("ready");
    std::io::stdout().flush().unwrap();
    match role {
        "crash-writer" => {
            // Rewrite every entry, generation after generation, until killed.
            let start = generation_of(&store.get("crash/0").await.unwrap().unwrap());
            for generation in start + 1.. {
                for k in 0..CRASH_ENTRIES {
                    store.put(generation_entry(&format!("crash/{k}"), generation)).await.unwrap();
                }
            }
        }
        "concurrent-writer" => {
            let id = std::env::var("PATKIT_WRITER_ID").unwrap();
            let mut go = String::new();
            std::io::stdin().read_line(&mut go).unwrap();
            let mut conflicts = 0;
            for i in 0..PER_PROCESS {
                store.put(generation_entry(&format!("proc-{id}/{i:03}"), i as u64)).await.unwrap();
                loop {
                    let read = store.get("shared/counter").await.unwrap().unwrap();
                    let next = generation_entry("shared/counter", generation_of(&read) + 1);
                    match store.compare_and_swap(next, Expected::Revision(read.record.revision)).await {
                        Ok(_) => break,
                        Err(e) if e.kind() == StoreErrorKind::Conflict => conflicts += 1,
                        Err(e) => panic!("compare_and_swap: {e}"),
                    }
                }
            }
            println!("conflicts={conflicts}");
        }
        other => panic!("unknown child role {other}"),
    }
}
