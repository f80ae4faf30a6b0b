//! Crash safety of rotation: the rotation future is dropped while it is held at a chosen call
//! (a crash), then recovery and a normal rotation run, and the invariant is checked against the
//! emulator's state — at the crash point and after. First every named step, then a thousand
//! seeded random runs with extra faults against the file store, a thousand against a Vault KV v2
//! store (an in-process fake behind the default retry decorator, with writes whose answer is
//! lost after they committed), and a hundred against a real OpenBao dev server.

mod lifecycle_support;

use std::sync::Arc;
use std::time::Duration;

use lifecycle_support::vault_kv::{KvFault, KvFaults};
use lifecycle_support::{Call, HoldPoint, Rng, StoreFault, World};
use patkit::TokenStore;
use patkit::azure::emulator::{Fault, FaultRule};
use patkit::azure::operations as op;
use patkit::lifecycle::{EntryReport, Outcome, RecoveryAction, Rotator, Step, VerifyOptions, recover};
use patkit::store::{FileTokenStore, InMemoryTokenStore};

const NAME: &str = "ci-feed";

fn rotator(w: &World) -> Rotator {
    Rotator::new(w.client.clone(), w.store.clone()).clock(w.clock.clone()).window(Duration::from_secs(7 * 86_400))
}

/// Runs one rotation; if the gate holds it at `point`, drops the future there (a crash) and
/// returns `None`.
async fn run_until(w: &World, rotator: &Rotator, point: Option<HoldPoint>) -> Option<EntryReport> {
    if let Some(point) = point {
        w.gate.hold_at(point);
    }
    let result = tokio::select! {
        biased;
        () = w.gate.reached() => None,
        report = rotator.rotate(NAME) => Some(report),
    };
    w.gate.clear_hold();
    result
}

async fn recover_all(w: &World) -> Result<patkit::lifecycle::RotationReport, String> {
    let report = recover(w.store.clone(), Arc::new(w.client.clone())).await.map_err(|e| e.to_string())?;
    if let Some(failed) = report.failed().next() {
        return Err(format!("recovery failed: {failed}"));
    }
    Ok(report)
}

async fn entry_is_clean(w: &World) -> Result<(), String> {
    let entry = w.inner_store.get(NAME).await.map_err(|e| e.to_string())?.ok_or("entry missing")?;
    if entry.record.rotation.is_some() || entry.record.previous.is_some() {
        return Err(format!(
            "entry still carries rotation {:?} / previous {:?}",
            entry.record.rotation, entry.record.previous
        ));
    }
    Ok(())
}

fn no_violations(w: &World) -> Result<(), String> {
    let v = w.gate.take_violations();
    if v.is_empty() { Ok(()) } else { Err(format!("the invariant broke while running: {v:?}")) }
}

/// After a crash (or not): the stored token works at the crash point, recovery settles the
/// entry, and a forced rotation afterwards works too.
async fn settle_and_rotate_again(w: &World, crashed: bool) -> Result<patkit::lifecycle::RotationReport, String> {
    no_violations(w)?;
    if crashed {
        (w.stored_token_works_checker(NAME))().await.map_err(|e| format!("at the crash point: {e}"))?;
    }
    w.emulator.clear_faults();
    w.gate.clear_faults();
    let recovered = recover_all(w).await?;
    entry_is_clean(w).await?;
    w.check_settled(NAME).await.map_err(|e| format!("after recovery: {e}"))?;
    let report = rotator(w).force(true).rotate(NAME).await;
    if !matches!(report.outcome, Outcome::Rotated(ref r) if r.cleanup_pending.is_none()) {
        return Err(format!("the rotation after recovery did not complete: {report}"));
    }
    entry_is_clean(w).await?;
    w.check_settled(NAME).await.map_err(|e| format!("after the next rotation: {e}"))?;
    no_violations(w)?;
    Ok(recovered)
}

fn points() -> Vec<(&'static str, HoldPoint, &'static str)> {
    let at = |call, nth, after| HoldPoint { call, nth, after };
    vec![
        ("before the intent write", at(Call::StoreWrite, 1, false), "nothing"),
        ("after the intent write", at(Call::StoreWrite, 1, true), "intent"),
        ("before the create", at(Call::Http(op::CREATE), 1, false), "intent"),
        ("after the create (committed, answer lost)", at(Call::Http(op::CREATE), 1, true), "orphan"),
        ("before the verify", at(Call::Http(op::CHECK_TOKEN), 1, false), "orphan"),
        ("after the verify", at(Call::Http(op::CHECK_TOKEN), 1, true), "orphan"),
        ("before the store", at(Call::StoreWrite, 2, false), "orphan"),
        ("after the store", at(Call::StoreWrite, 2, true), "previous"),
        ("before the revoke", at(Call::Http(op::REVOKE), 1, false), "previous"),
        ("after the revoke", at(Call::Http(op::REVOKE), 1, true), "previous-revoked"),
        ("before clearing previous", at(Call::StoreWrite, 3, false), "previous-revoked"),
        ("after clearing previous", at(Call::StoreWrite, 3, true), "nothing"),
    ]
}

async fn crash_at_every_step(make_store: impl AsyncFn(usize) -> Arc<dyn TokenStore>) {
    for (i, (label, point, expect)) in points().into_iter().enumerate() {
        let w = World::new(make_store(i).await);
        let old = w.seed(NAME, "ci feed", 2).await;
        w.gate.set_checker(w.stored_token_works_checker(NAME));
        let report = run_until(&w, &rotator(&w), Some(point)).await;
        assert!(report.is_none(), "{label}: the rotation never reached the crash point: {report:?}");
        let recovered = settle_and_rotate_again(&w, true).await.unwrap_or_else(|e| panic!("{label}: {e}"));
        let actions: Vec<&RecoveryAction> = recovered.entries.iter().flat_map(|e| &e.recovered).collect();
        let revoked_orphan = actions.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. }));
        let cleared_intent = actions.iter().any(|a| matches!(a, RecoveryAction::ClearedIntent { .. }));
        let revoked_previous = actions
            .iter()
            .any(|a| matches!(a, RecoveryAction::RevokedPrevious { id } if *id == old.record.metadata.id));
        match expect {
            "nothing" => assert!(actions.is_empty(), "{label}: {actions:?}"),
            "intent" => assert!(cleared_intent && !revoked_orphan, "{label}: {actions:?}"),
            "orphan" => assert!(cleared_intent && revoked_orphan, "{label}: {actions:?}"),
            "previous" | "previous-revoked" => {
                assert!(revoked_previous && actions.contains(&&RecoveryAction::ClearedPrevious), "{label}: {actions:?}")
            }
            _ => unreachable!(),
        }
        assert!(w.emulator.token(&old.record.metadata.id).unwrap().revoked, "{label}: the old token survived");
    }
}

#[tokio::test(start_paused = true)]
async fn crash_at_every_step_in_memory() {
    crash_at_every_step(async |_| Arc::new(InMemoryTokenStore::new()) as Arc<dyn TokenStore>).await;
}

#[tokio::test(start_paused = true)]
async fn crash_at_every_step_file_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    crash_at_every_step(async |i| {
        Arc::new(FileTokenStore::open(root.join(format!("s{i}"))).await.unwrap()) as Arc<dyn TokenStore>
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn create_committed_then_connection_dropped() {
    let w = World::new(Arc::new(InMemoryTokenStore::new()));
    let old = w.seed(NAME, "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    let report = run_until(&w, &rotator(&w), None).await.unwrap();
    let Outcome::Failed(failure) = &report.outcome else { panic!("{report}") };
    assert_eq!(failure.step, Step::Create);
    assert!(matches!(failure.error, patkit::Error::CreateOutcomeUnknown { .. }), "{}", failure.error);
    assert!(!failure.left_for_recovery);
    let revoked: Vec<_> = failure
        .undone
        .iter()
        .filter_map(|a| match a {
            RecoveryAction::RevokedReplacement { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(revoked.len(), 1, "the committed replacement is found by its name and revoked: {failure}");
    assert!(w.emulator.token(&revoked[0]).unwrap().revoked);
    assert_eq!(w.inner_store.get(NAME).await.unwrap().unwrap().record.metadata.id, old.record.metadata.id);
    entry_is_clean(&w).await.unwrap();
    w.check_settled(NAME).await.unwrap();
    settle_and_rotate_again(&w, false).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn create_committed_connection_dropped_then_crash_while_searching() {
    let w = World::new(Arc::new(InMemoryTokenStore::new()));
    w.seed(NAME, "ci feed", 2).await;
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    // The client looks for the token by name (a list), then the flow does (another list).
    let point = HoldPoint { call: Call::Http(op::LIST), nth: 2, after: false };
    assert!(run_until(&w, &rotator(&w), Some(point)).await.is_none());
    let recovered = settle_and_rotate_again(&w, true).await.unwrap();
    assert!(recovered.entries[0].recovered.iter().any(|a| matches!(a, RecoveryAction::RevokedReplacement { .. })));
}

/// The stores of one seeded run: the one the flows use, one that reads the same data for the
/// checks (without faults), and the fault layer under the first when it is a Vault store.
struct Stores {
    store: Arc<dyn TokenStore>,
    direct: Arc<dyn TokenStore>,
    kv: Option<KvFaults>,
}

impl Stores {
    fn one(store: Arc<dyn TokenStore>) -> Self {
        Self { store: store.clone(), direct: store, kv: None }
    }
}

/// One seeded run: random due-ness, random extra faults (5xx on any call, a committed create
/// whose connection drops, store errors before or after the write; under a Vault store also
/// HTTP faults below the retry layer: a write that commits and then loses its answer to a
/// timeout or a 502, a refused or 503'd request), a random crash point.
async fn one_random_run(seed: u64, stores: Stores) -> Result<String, String> {
    let mut rng = Rng::new(seed);
    let w = World::with_checks_through(stores.store, stores.direct);
    // One run in eight is not due (expires in 8 days, the window is 7).
    w.seed(NAME, "ci feed", 1 + rng.below(8) as i64).await;
    for op in [op::CREATE, op::CHECK_TOKEN, op::REVOKE, op::LIST, op::GET] {
        if rng.chance(0.15) {
            let n = 1 + rng.below(3) as u32;
            w.emulator.inject(FaultRule::new(op, Fault::ServerError { status: 503 }).times(n));
        }
    }
    if rng.chance(0.15) {
        w.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    }
    if rng.chance(0.2) {
        w.gate.store_fault(StoreFault { nth: 1 + rng.below(4) as usize, after: rng.chance(0.5) });
    }
    let calls = [
        Call::StoreWrite,
        Call::StoreRead,
        Call::Http(op::CREATE),
        Call::Http(op::CHECK_TOKEN),
        Call::Http(op::REVOKE),
        Call::Http(op::LIST),
    ];
    // Mostly the nth call of any kind (a normal rotation makes about seven), else the nth of one
    // kind; a tenth of the runs do not crash at all.
    let point = match rng.below(10) {
        0 => None,
        1..=6 => Some(HoldPoint { call: Call::Any, nth: 1 + rng.below(7) as usize, after: rng.chance(0.5) }),
        _ => Some(HoldPoint {
            call: calls[rng.below(calls.len() as u64) as usize],
            nth: 1 + rng.below(2) as usize,
            after: rng.chance(0.5),
        }),
    };
    if let Some(kv) = &stores.kv {
        // A rotation makes about four KV writes (intent, store, clear previous; more when it
        // cleans up) and a few reads.
        for _ in 0..2 {
            if rng.chance(0.6) {
                kv.on_write(1 + rng.below(4) as usize, KvFault::ALL[rng.below(4) as usize]);
            }
        }
        if rng.chance(0.2) {
            kv.on_read(1 + rng.below(6) as usize, KvFault::ALL[rng.below(4) as usize]);
        }
    }
    w.gate.set_checker(w.stored_token_works_checker(NAME));
    let report = run_until(&w, &fast_verify(rotator(&w)), point).await;
    let fired = stores.kv.as_ref().map(|kv| kv.fired()).unwrap_or_default();
    let what = match (&report, point) {
        (None, Some(p)) => format!("crashed {p} (KV faults {fired:?})"),
        (Some(r), _) => format!("finished: {} (KV faults {fired:?})", r.outcome),
        (None, None) => unreachable!(),
    };
    if let Some(kv) = &stores.kv {
        kv.clear();
    }
    settle_and_rotate_again(&w, report.is_none()).await.map_err(|e| format!("{what}: {e}"))?;
    Ok(what)
}

/// Verify retries without real waiting (the runs against a real server are not in paused time).
fn fast_verify(rotator: Rotator) -> Rotator {
    rotator.verify(VerifyOptions { attempts: 3, backoff: Duration::from_millis(2) })
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `runs` seeded runs from `base`, each over the stores `make(i, seed)` gives.
/// Returns in how many runs a KV write committed and then lost its answer.
async fn seeded_runs(label: &str, runs: u64, base: u64, mut make: impl AsyncFnMut(u64, u64) -> Stores) -> u64 {
    let (mut crashed, mut finished, mut lost_answers) = (0, 0, 0);
    for i in 0..runs {
        let seed = base + i;
        let outcome = one_random_run(seed, make(i, seed).await).await;
        if outcome.as_ref().is_ok_and(|what| what.contains("CommitThen")) {
            lost_answers += 1;
        }
        match outcome {
            Ok(what) if what.starts_with("crashed") => crashed += 1,
            Ok(_) => finished += 1,
            Err(e) => panic!(
                "{label}: randomized run {i} failed; replay with PATKIT_LIFECYCLE_SEED={seed} PATKIT_LIFECYCLE_RUNS=1 \
                 (PATKIT_VAULT_RUNS=1 for the OpenBao runs): {e}"
            ),
        }
    }
    println!(
        "{label}: {runs} randomized runs (seeds {base}..{}): {crashed} crashed and recovered, {finished} ran to the \
         end, {lost_answers} had a KV write commit and lose its answer",
        base + runs
    );
    assert!(crashed > runs / 3, "{label}: too few runs reached their crash point: {crashed} of {runs}");
    lost_answers
}

#[tokio::test(start_paused = true)]
async fn randomized_crashes_against_the_emulator_and_the_file_store() {
    let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
    let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
    // A RAM-backed directory where there is one: the runs measure the protocol, not the disk.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let root = dir.path().to_owned();
    seeded_runs("file store", runs, base, async |i, _| {
        Stores::one(Arc::new(FileTokenStore::open(root.join(format!("run{i}"))).await.unwrap()))
    })
    .await;
}

#[cfg(feature = "vault")]
mod vault {
    use super::*;
    use lifecycle_support::vault_kv::FakeKv;
    use patkit::store::{VaultToken, VaultTokenStore};
    use patkit::transport::{BackoffConfig, HttpTransport, RetryConfig, RetryTransport};

    const TOKEN: &str = "vault-token-for-the-fake";

    /// The flows' store: a Vault store behind the default retry decorator, over the fault
    /// layer, over `server`. The checks read the same entries straight from `server`.
    fn stores(
        server: Arc<dyn HttpTransport>,
        address: &str,
        token: &str,
        prefix: &str,
        retry: RetryConfig,
        seed: u64,
    ) -> Stores {
        let kv = KvFaults::new(server.clone());
        let retrying = RetryTransport::new(kv.clone(), retry).seed(seed);
        let build = |transport: Arc<dyn HttpTransport>| {
            VaultTokenStore::builder(address, VaultToken::new(token.to_owned()), transport)
                .prefix(prefix)
                .build()
                .unwrap()
        };
        Stores { store: Arc::new(build(Arc::new(retrying))), direct: Arc::new(build(server)), kv: Some(kv) }
    }

    /// The thousand seeded runs again, over an in-process fake of KV v2 behind the default
    /// `RetryTransport`, with writes that commit and then lose their answer.
    #[tokio::test(start_paused = true)]
    async fn randomized_crashes_against_the_emulator_and_a_vault_kv_store() {
        let runs = env_u64("PATKIT_LIFECYCLE_RUNS", 1000);
        let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
        let lost = seeded_runs("vault kv fake", runs, base, async |_, seed| {
            stores(Arc::new(FakeKv::new(TOKEN)), "http://127.0.0.1:8200", TOKEN, "patkit", RetryConfig::default(), seed)
        })
        .await;
        assert!(lost > runs / 10, "too few runs lost the answer of a committed write: {lost} of {runs}");
    }

    /// The seeded runs against a real OpenBao dev server (`scripts/with-services.sh`), fewer of
    /// them (`PATKIT_VAULT_RUNS`, default 100). Without a server it prints a notice and passes,
    /// unless `PATKIT_REQUIRE_SERVICES=1`.
    #[cfg(feature = "reqwest")]
    #[tokio::test]
    async fn randomized_crashes_against_the_emulator_and_openbao() {
        use std::io::Write as _;
        let test = "randomized_crashes_against_the_emulator_and_openbao";
        let address = std::env::var("PATKIT_VAULT_ADDR").ok().filter(|v| !v.is_empty());
        let token = std::env::var("PATKIT_VAULT_TOKEN").ok().filter(|v| !v.is_empty());
        let (Some(address), Some(token)) = (address, token) else {
            if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("{test}: PATKIT_REQUIRE_SERVICES=1 but PATKIT_VAULT_ADDR/PATKIT_VAULT_TOKEN are not set");
            }
            let _ = writeln!(
                std::io::stderr(),
                "{test}: SKIPPED: no OpenBao/Vault server (set PATKIT_VAULT_ADDR and PATKIT_VAULT_TOKEN, \
                 or run under scripts/with-services.sh)"
            );
            return;
        };
        let runs = env_u64("PATKIT_VAULT_RUNS", 100);
        let base = env_u64("PATKIT_LIFECYCLE_SEED", 0x5EED_0000);
        let server: Arc<dyn HttpTransport> = Arc::new(patkit::transport::ReqwestTransport::new().unwrap());
        let root = format!("patkit-test/rotation-{}", uuid::Uuid::new_v4().simple());
        // The default retry policy, with short waits: this runs in real time.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                initial: Duration::from_millis(5),
                max: Duration::from_millis(50),
                multiplier: 2.0,
            },
            ..RetryConfig::default()
        };
        let lost = seeded_runs("openbao", runs, base, async |i, seed| {
            stores(server.clone(), &address, &token, &format!("{root}/run{i}"), retry.clone(), seed)
        })
        .await;
        assert!(lost > runs / 10, "too few runs lost the answer of a committed write: {lost} of {runs}");
    }
}
