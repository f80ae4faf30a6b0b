//! Offboarding, run without async.

use super::Runtime;
use crate::admin::UserId;
use crate::error::Result;
use crate::lifecycle::{self, OffboardReport};

/// A [`lifecycle::Offboarding`] that runs blocking the calling thread. Set it up with the async
/// builder (dry run, cut-off, revocation rule…), then wrap it.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::blocking::{Offboarding, Runtime};
/// use patkit::lifecycle;
///
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let admin = emulator.add_user("Admin");
/// emulator.make_org_admin("fabrikam", admin.id);
/// let leaver = emulator.add_user("Leaver");
/// for i in 0..3 {
///     emulator.seed_pat("fabrikam", leaver.id, SeedPat::new(format!("t{i}"), "vso.code"));
/// }
/// let client = AzureDevOpsClient::builder("fabrikam", admin.credential()).transport(emulator.clone()).build()?;
///
/// let offboarding = Offboarding::new(&Runtime::new()?, lifecycle::Offboarding::new(client.token_admin()));
/// let report = offboarding.run(&leaver.descriptor)?;
/// assert_eq!(report.revoked.len(), 3);
/// assert!(report.is_complete());
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Offboarding {
    runtime: Runtime,
    offboarding: lifecycle::Offboarding,
}

impl Offboarding {
    /// Wraps `offboarding`; it runs on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, offboarding: lifecycle::Offboarding) -> Self {
        Self { runtime: runtime.clone(), offboarding }
    }

    /// The async offboarding inside.
    pub fn get_ref(&self) -> &lifecycle::Offboarding {
        &self.offboarding
    }

    /// [`lifecycle::Offboarding::run`]: lists `user`'s tokens, revokes the valid ones, creates
    /// the rule if asked, and lists again to check.
    pub fn run(&self, user: impl Into<UserId>) -> Result<OffboardReport> {
        self.runtime.call("offboard", self.offboarding.run(user))
    }
}
