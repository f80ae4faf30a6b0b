//! The expiry scan, run without async.

use super::Runtime;
use crate::error::Result;
use crate::lifecycle::{self, ScanReport, ScanSink};

/// A [`lifecycle::Scan`] that runs blocking the calling thread. Set the scan up with the
/// async builder (provider, store, clock, window…), then wrap it.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::blocking::{Runtime, Scan};
/// use patkit::lifecycle::{self, FindingKind};
///
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let alice = emulator.add_user("Alice");
/// emulator.seed_pat("fabrikam", alice.id, SeedPat::new("old", "vso.code").valid_to(emulator.now() + chrono::TimeDelta::days(2)));
/// let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
///
/// let scan = Scan::new(&Runtime::new()?, lifecycle::Scan::new().provider(client));
/// let report = scan.run()?;
/// assert!(matches!(report.findings[0].kind, FindingKind::ExpiringSoon { .. }));
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scan {
    runtime: Runtime,
    scan: lifecycle::Scan,
}

impl Scan {
    /// Wraps `scan`; it runs on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, scan: lifecycle::Scan) -> Self {
        Self { runtime: runtime.clone(), scan }
    }

    /// The async scan inside.
    pub fn get_ref(&self) -> &lifecycle::Scan {
        &self.scan
    }

    /// [`lifecycle::Scan::run`].
    pub fn run(&self) -> Result<ScanReport> {
        self.runtime.call("scan", self.scan.run())
    }

    /// [`lifecycle::Scan::run_with`]: hands each finding to `sink` (in report order) before
    /// returning the report.
    pub fn run_with(&self, sink: &dyn ScanSink) -> Result<ScanReport> {
        self.runtime.call("scan", self.scan.run_with(sink))
    }
}
