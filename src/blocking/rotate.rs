//! Rotation and its recovery, run without async.

use super::Runtime;
use crate::error::Result;
use crate::lifecycle::{self, EntryReport, RotationPlan, RotationReport};

/// A [`lifecycle::Rotator`] whose runs block the calling thread: the same crash-safe protocol
/// (see the [`lifecycle`](crate::lifecycle) module docs), the same options. Set it up with the
/// async builder (provider, store, clock, window, grace, hooks…), then wrap it.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::blocking::{Provider, Rotator, Runtime, Store};
/// use patkit::lifecycle::{self, Outcome};
/// use patkit::store::InMemoryTokenStore;
/// use patkit::{PatRecord, StoredPat};
///
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let alice = emulator.add_user("Alice");
/// let seeded = emulator.seed_pat("fabrikam", alice.id, SeedPat::new("ci feed", "vso.packaging")
///     .valid_to(emulator.now() + chrono::TimeDelta::days(2)));
/// let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
///
/// let runtime = Runtime::new()?;
/// let provider = Provider::new(&runtime, client);
/// let store = Store::new(&runtime, InMemoryTokenStore::new());
/// let metadata = provider.get_pat(&seeded.id)?;
/// store.put(StoredPat { record: PatRecord::new("ci/feed", "azure-devops", "fabrikam", metadata, emulator.now()), secret: seeded.secret })?;
///
/// let rotator = Rotator::new(&runtime, lifecycle::Rotator::new(provider.shared(), store.shared()));
/// assert_eq!(rotator.plan()?.entries.len(), 1);
/// let report = rotator.rotate_all()?;
/// let Outcome::Rotated(rotation) = &report.entries[0].outcome else { panic!("{report}") };
/// assert_eq!(store.get("ci/feed")?.unwrap().record.metadata.id, rotation.new.id);
/// assert!(emulator.token(&seeded.id).unwrap().revoked);
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rotator {
    runtime: Runtime,
    rotator: lifecycle::Rotator,
}

impl Rotator {
    /// Wraps `rotator`; it runs on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, rotator: lifecycle::Rotator) -> Self {
        Self { runtime: runtime.clone(), rotator }
    }

    /// The async rotator inside.
    pub fn get_ref(&self) -> &lifecycle::Rotator {
        &self.rotator
    }

    /// [`lifecycle::Rotator::rotate`]: rotates the entry `name` if it is due. Every problem of
    /// the rotation is in the report; the error is only
    /// [`Error::InsideAsyncRuntime`](crate::Error::InsideAsyncRuntime).
    pub fn rotate(&self, name: &str) -> Result<EntryReport> {
        self.runtime.run("rotate", self.rotator.rotate(name))
    }

    /// [`lifecycle::Rotator::rotate_all`]: every due entry of the provider; fails only if the
    /// store cannot be listed.
    pub fn rotate_all(&self) -> Result<RotationReport> {
        self.runtime.call("rotate_all", self.rotator.rotate_all())
    }

    /// [`lifecycle::Rotator::rotate_names`]: these entries, when due.
    pub fn rotate_names<I>(&self, names: I) -> Result<RotationReport>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.runtime.run("rotate_names", self.rotator.rotate_names(names))
    }

    /// [`lifecycle::Rotator::plan`]: what `rotate_all` would do now, changing nothing.
    pub fn plan(&self) -> Result<RotationPlan> {
        self.runtime.call("plan", self.rotator.plan())
    }

    /// [`lifecycle::Rotator::recover`]: finishes or undoes interrupted rotations whose intent is
    /// older than the lease.
    pub fn recover(&self) -> Result<RotationReport> {
        self.runtime.call("recover", self.rotator.recover())
    }

    /// [`lifecycle::Rotator::recover_ignoring_lease`]: also takes younger intents as abandoned;
    /// only where no other rotator can be running.
    pub fn recover_ignoring_lease(&self) -> Result<RotationReport> {
        self.runtime.call("recover_ignoring_lease", self.rotator.recover_ignoring_lease())
    }
}
