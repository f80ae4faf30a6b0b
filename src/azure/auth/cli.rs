mod failure;
mod parse;
mod run;

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use super::AZURE_DEVOPS_RESOURCE;
use crate::auth::{AccessCredential, Credential};
use crate::clock::{Clock, SystemClock};
use crate::error::{CredentialErrorKind, Error, Result};
use crate::secret::BearerToken;

/// The program run when none is configured.
const DEFAULT_PROGRAM: &str = if cfg!(windows) { "az.cmd" } else { "az" };

use failure::failure_error;
use run::{Run, run};

/// An Entra access token from the Azure CLI, for the signed-in *user*.
///
/// Each refresh runs
/// `az account get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798 --output json`
/// (plus any [`tenant`](Self::tenant) or [`arg`](Self::arg)s) and reads `accessToken` and its
/// expiry (`expires_on`, unix seconds, printed by az 2.54 and later; otherwise `expiresOn`, a
/// local time without an offset). az runs with `TZ=UTC0` in its environment, so that local time
/// is UTC and patkit needs no time zone database to read it (a `TZ` set with [`env`](Self::env)
/// is overridden; it only ever changes how az prints times).
///
/// - **Caching.** The token is kept until [`refresh_margin`](Self::refresh_margin) (default 5
///   minutes) before it expires, judged by the injected [`Clock`] (default [`SystemClock`]).
///   Concurrent callers share one refresh: the first runs az, the others wait for its result.
///   Clones share the cache. A failed refresh is not cached; the next call tries again.
/// - **Errors.** `az` not found → [`CredentialErrorKind::Unavailable`]; not logged in or login
///   expired → [`CredentialErrorKind::NotLoggedIn`] ("run `az login`"); any other failure, a
///   timeout (default 30 s) or output that does not parse → [`CredentialErrorKind::Other`].
/// - **Secrets.** az's standard output holds the token and is never quoted, logged or kept
///   beyond parsing. Error messages may quote the first line of az's standard *error* (at most
///   200 characters), and only when nothing in it looks like a token.
///
/// ```
/// use std::time::Duration;
/// use patkit::azure::AzureCliCredential;
///
/// let credential = AzureCliCredential::new()
///     .tenant("contoso.onmicrosoft.com")
///     .refresh_margin(Duration::from_secs(10 * 60));
/// assert!(format!("{credential:?}").contains("contoso.onmicrosoft.com"));
/// ```
#[derive(Clone)]
pub struct AzureCliCredential {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    timeout: Duration,
    cache: Arc<tokio::sync::Mutex<Option<parse::AzToken>>>,
}

impl AzureCliCredential {
    /// Runs `az` found on `PATH`, with a 5-minute refresh margin, a 30-second timeout and the
    /// system clock.
    pub fn new() -> Self {
        Self {
            program: DEFAULT_PROGRAM.into(),
            args: Vec::new(),
            env: Vec::new(),
            clock: Arc::new(SystemClock),
            refresh_margin: Duration::from_secs(5 * 60),
            timeout: Duration::from_secs(30),
            cache: Arc::default(),
        }
    }

    /// Runs `program` (a name looked up on `PATH`, or a path) instead of `az`.
    pub fn program(mut self, program: impl Into<OsString>) -> Self {
        self.program = program.into();
        self
    }

    /// Asks for a token of the tenant `tenant` (`--tenant`), for accounts in several tenants.
    pub fn tenant(self, tenant: impl Into<String>) -> Self {
        self.arg("--tenant").arg(tenant.into())
    }

    /// Appends an argument to the command line after the built-in ones.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable for az (e.g. `PATH`, or `AZURE_CONFIG_DIR` to choose a
    /// profile). The current process's environment is not changed.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Refreshes the token this long before it expires (default 5 minutes), so a request never
    /// leaves with a token about to lapse.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Gives up on az after this long (default 30 seconds); az is killed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Judges expiry by `clock` instead of the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn is_default_program(&self) -> bool {
        self.program == DEFAULT_PROGRAM
    }

    async fn fetch(&self) -> Result<parse::AzToken> {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(["account", "get-access-token", "--resource", AZURE_DEVOPS_RESOURCE, "--output", "json"])
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            // az prints `expiresOn` in its local time; in UTC, patkit reads it without the time
            // zone database (POSIX `TZ` syntax, which the C libraries of Linux, macOS and
            // Windows all read; unverified for az on Windows, where az ≥ 2.54's `expires_on`
            // is what patkit reads anyway). This overrides a `TZ` given with `env`.
            .env("TZ", "UTC0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);

        let mut attempt = 0;
        let output = loop {
            match tokio::time::timeout(self.timeout, run(&mut command)).await {
                Err(_) => {
                    return Err(Error::credential(
                        CredentialErrorKind::Other,
                        format!("the Azure CLI did not answer within {:?}", self.timeout),
                    ));
                }
                // ETXTBSY: the program was just written and another thread's fork still holds it
                // open. Short-lived; try again.
                Ok(Err(Run::Spawn(e))) if e.raw_os_error() == Some(26) && cfg!(unix) && attempt < 3 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(Err(Run::Spawn(e))) => return Err(self.spawn_error(e)),
                Ok(Err(Run::Output(message))) => return Err(Error::credential(CredentialErrorKind::Other, message)),
                Ok(Ok(output)) => break output,
            }
        };

        if !output.status.success() {
            return Err(failure_error(&output.status, &output.stderr));
        }
        parse::parse_output(&output.stdout, parse::az_local_is_utc).map_err(|e| Error::Credential {
            kind: CredentialErrorKind::Other,
            message: format!("could not parse the output of `az account get-access-token`: {e}").into(),
            source: Some(Box::new(e)),
        })
    }

    fn spawn_error(&self, e: std::io::Error) -> Error {
        let (kind, message): (_, Cow<'static, str>) = match e.kind() {
            std::io::ErrorKind::NotFound if self.is_default_program() => (
                CredentialErrorKind::Unavailable,
                "the Azure CLI (`az`) was not found on PATH; install it or use another credential".into(),
            ),
            std::io::ErrorKind::NotFound => (
                CredentialErrorKind::Unavailable,
                format!(
                    "the Azure CLI (`{}`) was not found; install it or use another credential",
                    self.program.to_string_lossy()
                )
                .into(),
            ),
            std::io::ErrorKind::PermissionDenied => (
                CredentialErrorKind::Unavailable,
                format!(
                    "the Azure CLI (`{}`) could not be executed (permission denied)",
                    self.program.to_string_lossy()
                )
                .into(),
            ),
            _ => (CredentialErrorKind::Other, "could not run the Azure CLI".into()),
        };
        Error::Credential { kind, message, source: Some(Box::new(e)) }
    }
}

impl Default for AzureCliCredential {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Credential for AzureCliCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        // Held across the refresh so that concurrent callers share one run of az.
        let mut cache = self.cache.lock().await;
        let margin = TimeDelta::from_std(self.refresh_margin).unwrap_or(TimeDelta::MAX);
        let now = self.clock.now();
        if let Some(cached) = cache.as_ref()
            && is_fresh(now, margin, cached.expires_at)
        {
            return Ok(AccessCredential::Bearer(cached.token.clone()));
        }
        let fresh = self.fetch().await?;
        tracing::debug!(expires_at = %fresh.expires_at, "patkit: obtained an access token from the Azure CLI");
        let token: BearerToken = fresh.token.clone();
        *cache = Some(fresh);
        Ok(AccessCredential::Bearer(token))
    }
}

fn is_fresh(now: DateTime<Utc>, margin: TimeDelta, expires_at: DateTime<Utc>) -> bool {
    now.checked_add_signed(margin).is_some_and(|deadline| deadline < expires_at)
}

impl fmt::Debug for AzureCliCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = match self.cache.try_lock() {
            Ok(cache) => cache.as_ref().map(|c| c.expires_at.to_rfc3339()).unwrap_or_else(|| "none".to_owned()),
            Err(_) => "refreshing".to_owned(),
        };
        f.debug_struct("AzureCliCredential")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("refresh_margin", &self.refresh_margin)
            .field("timeout", &self.timeout)
            .field("clock", &self.clock)
            .field("cached_until", &cached)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_respects_the_margin() {
        let expires = DateTime::from_timestamp(10_000, 0).unwrap();
        let margin = TimeDelta::minutes(5);
        assert!(is_fresh(expires - TimeDelta::seconds(301), margin, expires));
        assert!(!is_fresh(expires - TimeDelta::seconds(300), margin, expires));
        assert!(!is_fresh(expires + TimeDelta::seconds(1), margin, expires));
        assert!(!is_fresh(expires, TimeDelta::MAX, expires));
    }
}
