//! Hand-off hooks: push a freshly rotated token to where it is used *before* the token it
//! replaced is revoked (or marked retiring). See [`RotationHook`] and the
//! [`lifecycle`](crate::lifecycle) module docs ("Grace period and hand-off").

mod command;
mod webhook;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use command::CommandHook;
pub use webhook::WebhookHook;

use crate::model::PatMetadata;
use crate::secret::PatSecret;

/// Something to do with a replacement once it is stored and verified, before the token it
/// replaced is revoked or marked retiring: write it to a deployment's secret, restart a
/// service, tell a chat channel.
///
/// A [`Rotator`](super::Rotator) runs its hooks ([`Rotator::hook`](super::Rotator::hook)) one
/// after the other, all of them even when one fails. If any fails, the old token is **kept**
/// (recorded as [`PatRecord::previous`](crate::PatRecord::previous), retiring with
/// [`handoff_pending`](crate::store::Retiring::handoff_pending)), the failure is in the report
/// ([`Rotation::handoff_failures`](super::Rotation::handoff_failures)), and the next rotation
/// run of a rotator with hooks hands the stored token off again; recovery sweeps never run
/// hooks. So a hook may run more than once for the same token: make it idempotent.
///
/// The secret reaches a hook only through [`HandOff::secret`]. A hook must not put it in an
/// error message, a log line, a process' arguments or environment.
///
/// ```
/// use patkit::lifecycle::{HandOff, HookError, RotationHook};
///
/// #[derive(Debug)]
/// struct Announce;
///
/// #[async_trait::async_trait]
/// impl RotationHook for Announce {
///     fn name(&self) -> &str {
///         "announce"
///     }
///     async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
///         println!("{} now holds {}", hand_off.entry, hand_off.new.id);
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait RotationHook: Send + Sync + fmt::Debug {
    /// A short name for reports (never a secret).
    fn name(&self) -> &str;

    /// Hands the stored replacement off. An error keeps the old token.
    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError>;
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: RotationHook + ?Sized> RotationHook for std::sync::Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        (**self).hand_off(hand_off).await
    }
}

/// What a [`RotationHook`] gets: the entry, the stored replacement's metadata and secret, and
/// what happens to the token it replaced. `Debug` never shows the secret.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HandOff<'a> {
    /// The entry's name in the store.
    pub entry: &'a str,
    /// The entry's provider (e.g. `"azure-devops"`).
    pub provider: &'a str,
    /// The entry's organization or host.
    pub organization: &'a str,
    /// The stored replacement.
    pub new: &'a PatMetadata,
    /// The token it replaced, when it is still to be revoked.
    pub previous: Option<&'a PatMetadata>,
    /// When the replaced token will be revoked, with a
    /// [grace period](super::RotationOptions::grace) (`None`: right after the hand-off).
    pub retiring_until: Option<DateTime<Utc>>,
    secret: &'a PatSecret,
}

impl<'a> HandOff<'a> {
    /// A hand-off of `new` (whose value is `secret`) stored under `entry`, with no replaced
    /// token: for testing a hook on its own.
    pub fn new(
        entry: &'a str,
        provider: &'a str,
        organization: &'a str,
        new: &'a PatMetadata,
        secret: &'a PatSecret,
    ) -> Self {
        Self { entry, provider, organization, new, previous: None, retiring_until: None, secret }
    }

    /// The replacement's value.
    pub fn secret(&self) -> &'a PatSecret {
        self.secret
    }
}

/// Why a [`RotationHook`] failed. Its message must never hold a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError {
    message: String,
}

impl HookError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HookError {}

/// A hook that failed, in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HookFailure {
    /// The hook's [name](RotationHook::name).
    pub hook: String,
    /// Why.
    pub error: HookError,
}

impl fmt::Display for HookFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hook {} failed: {}", self.hook, self.error)
    }
}

/// Runs every hook on `hand_off`, in order, all of them; the failures.
pub(crate) async fn run_all(hooks: &[std::sync::Arc<dyn RotationHook>], hand_off: &HandOff<'_>) -> Vec<HookFailure> {
    let mut failures = Vec::new();
    for hook in hooks {
        if let Err(error) = hook.hand_off(hand_off).await {
            failures.push(HookFailure { hook: hook.name().to_owned(), error });
        }
    }
    failures
}

/// `<RFC 3339>`, or the empty string for a token that never expires.
pub(crate) fn time_text(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)).unwrap_or_default()
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::testing::MockTransport;

    const CANARY: &str = "hook-canary-5e1f";

    #[test]
    fn debug_shows_no_secret_and_no_webhook_path() {
        let new = crate::testing::conformance::sample_entry("a", CANARY);
        let secret = PatSecret::new(CANARY.to_owned());
        let hand_off = HandOff::new("a", "p", "o", &new.record.metadata, &secret);
        let shown = format!("{hand_off:?}");
        assert!(shown.contains("entry: \"a\"") && !shown.contains(CANARY), "{shown}");
        let hook = WebhookHook::new("https://hooks.example.com/services/KEY-IN-PATH", MockTransport::new()).unwrap();
        let shown = format!("{hook:?} {}", hook.name());
        assert!(shown.contains("hooks.example.com") && !shown.contains("KEY-IN-PATH"), "{shown}");
        let failure = HookFailure { hook: "h".to_owned(), error: HookError::new("refused") };
        assert_eq!(failure.to_string(), "hook h failed: refused");
    }
}
