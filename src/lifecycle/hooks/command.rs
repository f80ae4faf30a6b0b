//! [`CommandHook`]: runs a program with the new secret on its standard input.

use std::ffi::OsString;
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::AsyncWriteExt as _;
use zeroize::Zeroizing;

use super::{HandOff, HookError, RotationHook, time_text};

/// A [`RotationHook`] that runs a program (no shell unless you name one) and passes it the
/// replacement:
///
/// - **standard input**: the secret, followed by one newline, then end of input;
/// - **environment** (metadata only, added to the rotator's environment, or to `PATH` alone
///   with [`inherit_env(false)`](Self::inherit_env)): `PATKIT_ENTRY`,
///   `PATKIT_PROVIDER`, `PATKIT_ORGANIZATION`, `PATKIT_TOKEN_ID`, `PATKIT_TOKEN_NAME`,
///   `PATKIT_SCOPES` (space-separated), `PATKIT_VALID_TO` (RFC 3339; empty: never expires),
///   `PATKIT_PREVIOUS_ID` (empty: none), `PATKIT_RETIRING_UNTIL` (RFC 3339; empty: no grace
///   period).
///
/// The secret is never in the program's arguments or environment (where other users of the
/// machine can read them). Its standard output and error are discarded (they are not read into
/// a report, where a script that echoes its input would leak the secret). It succeeds when the
/// program exits with status 0 within the [timeout](Self::timeout) (default 60 s); otherwise the
/// program is killed and the hook fails with the exit status or the timeout.
///
/// ```
/// use std::time::Duration;
/// use patkit::lifecycle::CommandHook;
///
/// // Write the new token where a service reads it.
/// let hook = CommandHook::new("sh")
///     .arg("-c")
///     .arg("umask 077 && cat > /run/my-service/token")
///     .timeout(Duration::from_secs(10));
/// # let _ = hook;
/// ```
#[derive(Debug, Clone)]
pub struct CommandHook {
    program: OsString,
    args: Vec<OsString>,
    timeout: Duration,
    name: String,
    inherit_env: bool,
}

impl CommandHook {
    /// A hook running `program` (looked up in `PATH` unless it is a path).
    pub fn new(program: impl Into<OsString>) -> Self {
        let program = program.into();
        let name = format!("command {}", program.to_string_lossy());
        Self { program, args: Vec::new(), timeout: Duration::from_secs(60), name, inherit_env: true }
    }

    /// Adds one argument (never put a secret here).
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// How long the program may take, from start to exit (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the program gets the rotator's environment (default `true`). `false` gives it
    /// only `PATH` and the `PATKIT_*` variables: the rotator's own credentials (say a
    /// `VAULT_TOKEN` or `GITLAB_TOKEN` in its environment) do not reach the hook.
    pub fn inherit_env(mut self, inherit: bool) -> Self {
        self.inherit_env = inherit;
        self
    }

    /// The name in reports (default `command <program>`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

#[async_trait]
impl RotationHook for CommandHook {
    fn name(&self) -> &str {
        &self.name
    }

    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        let new = hand_off.new;
        let scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
        let mut command = tokio::process::Command::new(&self.program);
        if !self.inherit_env {
            command.env_clear();
            if let Some(path) = std::env::var_os("PATH") {
                command.env("PATH", path);
            }
        }
        let mut child = command
            .args(&self.args)
            .env("PATKIT_ENTRY", hand_off.entry)
            .env("PATKIT_PROVIDER", hand_off.provider)
            .env("PATKIT_ORGANIZATION", hand_off.organization)
            .env("PATKIT_TOKEN_ID", new.id.as_str())
            .env("PATKIT_TOKEN_NAME", &new.display_name)
            .env("PATKIT_SCOPES", scopes.join(" "))
            .env("PATKIT_VALID_TO", time_text(new.valid_to))
            .env("PATKIT_PREVIOUS_ID", hand_off.previous.map(|p| p.id.as_str()).unwrap_or_default())
            .env("PATKIT_RETIRING_UNTIL", time_text(hand_off.retiring_until))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| HookError::new(format!("could not start {}: {}", self.program.to_string_lossy(), e.kind())))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let run = async {
            let mut input = Zeroizing::new(Vec::with_capacity(hand_off.secret().expose_secret().len() + 1));
            input.extend_from_slice(hand_off.secret().expose_secret().as_bytes());
            input.push(b'\n');
            match stdin.write_all(&input).await {
                // A program that exits without reading its input: its exit status decides.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(HookError::new(format!("could not write to its input: {}", e.kind()))),
                Ok(()) => {}
            }
            drop(stdin);
            child.wait().await.map_err(|e| HookError::new(format!("could not wait for it: {}", e.kind())))
        };
        match tokio::time::timeout(self.timeout, run).await {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => Err(HookError::new(format!("{} ended with {status}", self.program.to_string_lossy()))),
            Ok(Err(e)) => Err(e),
            // Dropping the child (kill_on_drop) kills it.
            Err(_) => Err(HookError::new(format!(
                "{} did not finish within {} s and was killed",
                self.program.to_string_lossy(),
                self.timeout.as_secs_f64()
            ))),
        }
    }
}
