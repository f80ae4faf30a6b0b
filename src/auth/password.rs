//! A user's password (and one-time code): what some services require to *mint* a token.
//!
//! Services that will not let a token create another token (Gitea and Forgejo, Bitbucket Data
//! Center) take the account's password over HTTP Basic auth, and a two-factor account adds a
//! one-time code in a header of the service's own. [`PasswordCredential`] says where the password
//! and the code come from — fixed values, environment variables, or a [`SecretPrompt`] that asks
//! (a terminal, a GUI) — and [`PasswordCredential::login`] resolves them for one request as a
//! [`PasswordLogin`]. Which header carries the code is the provider's business.
//!
//! patkit never stores a password or a code, and neither appears in `Debug`, an error or a log
//! line. A prompted password is asked once and kept in memory (wiped on drop) for the
//! credential's life; a one-time code is asked for every login, since each is good for one use.

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{AccessCredential, CredentialSecret};
use crate::error::{CredentialErrorKind, Error, Result};

/// What a [`SecretPrompt`] is asked for.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromptFor {
    /// The account's password.
    Password,
    /// A one-time code from the account's authenticator (two-factor authentication).
    OneTimeCode,
}

/// Asks a person for a secret: a password or a one-time code, for the named user.
///
/// Implement it for a terminal or GUI prompt; [`prompt_fn`] wraps a plain closure. An answer is
/// wrapped at once in a [`CredentialSecret`]; return [`Error::Credential`] to give up.
#[async_trait]
pub trait SecretPrompt: Send + Sync + fmt::Debug {
    /// The secret `what` for `user`.
    async fn ask(&self, what: PromptFor, user: &str) -> Result<CredentialSecret>;
}

/// A [`SecretPrompt`] from a synchronous closure (e.g. one reading a terminal with echo off).
///
/// ```
/// use patkit::auth::{prompt_fn, PasswordCredential, PromptFor};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let ask = prompt_fn(|what, user| match what {
///     PromptFor::Password => Ok(format!("pw-of-{user}")),
///     _ => Ok("123456".to_owned()),
/// });
/// let credential = PasswordCredential::prompt("alice", ask.clone()).with_one_time_code_prompt(ask);
/// let login = credential.login().await?;
/// assert_eq!(login.password().expose_secret(), "pw-of-alice");
/// assert_eq!(login.one_time_code().map(|c| c.expose_secret()), Some("123456"));
/// # Ok::<(), patkit::Error>(())
/// # }).unwrap();
/// ```
pub fn prompt_fn<F>(ask: F) -> Arc<dyn SecretPrompt>
where
    F: Fn(PromptFor, &str) -> Result<String> + Send + Sync + 'static,
{
    Arc::new(PromptFn(ask))
}

struct PromptFn<F>(F);

impl<F> fmt::Debug for PromptFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PromptFn")
    }
}

#[async_trait]
impl<F> SecretPrompt for PromptFn<F>
where
    F: Fn(PromptFor, &str) -> Result<String> + Send + Sync + 'static,
{
    async fn ask(&self, what: PromptFor, user: &str) -> Result<CredentialSecret> {
        (self.0)(what, user).map(CredentialSecret::new)
    }
}

/// Where one secret comes from.
#[derive(Clone)]
enum Source {
    Fixed(Arc<CredentialSecret>),
    Env(String),
    Prompt(Arc<dyn SecretPrompt>),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(_) => f.write_str("Fixed([REDACTED])"),
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
            Self::Prompt(prompt) => f.debug_tuple("Prompt").field(prompt).finish(),
        }
    }
}

impl Source {
    async fn resolve(&self, what: PromptFor, user: &str) -> Result<CredentialSecret> {
        match self {
            Self::Fixed(secret) => Ok(CredentialSecret::new(secret.expose_secret().to_owned())),
            Self::Env(name) => read_env(name),
            Self::Prompt(prompt) => prompt.ask(what, user).await,
        }
    }
}

fn read_env(name: &str) -> Result<CredentialSecret> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(CredentialSecret::new(value)),
        Ok(_) => Err(Error::credential(CredentialErrorKind::Unavailable, format!("the variable {name} is empty"))),
        Err(std::env::VarError::NotPresent) => {
            Err(Error::credential(CredentialErrorKind::Unavailable, format!("the variable {name} is not set")))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::credential(CredentialErrorKind::Unavailable, format!("the variable {name} is not UTF-8")))
        }
    }
}

/// A user name and where its password (and, for a two-factor account, its one-time code) come
/// from. Cheap to clone; clones share a prompted password.
///
/// ```
/// use patkit::auth::PasswordCredential;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let credential = PasswordCredential::new("alice", "pw-canary".to_owned()).with_one_time_code("314159".to_owned());
/// assert!(!format!("{credential:?}").contains("canary"));
/// let login = credential.login().await?;
/// assert_eq!(login.user(), "alice");
/// assert!(!format!("{login:?}").contains("canary") && !format!("{login:?}").contains("314159"));
/// # Ok::<(), patkit::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct PasswordCredential {
    user: String,
    password: Source,
    one_time_code: Option<Source>,
    /// A prompted password, kept after the first answer.
    remembered: Arc<Mutex<Option<Arc<CredentialSecret>>>>,
}

impl fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("user", &self.user)
            .field("password", &self.password)
            .field("one_time_code", &self.one_time_code)
            .finish()
    }
}

impl PasswordCredential {
    fn with_source(user: impl Into<String>, password: Source) -> Self {
        Self { user: user.into(), password, one_time_code: None, remembered: Arc::default() }
    }

    /// `user` with a fixed `password`.
    pub fn new(user: impl Into<String>, password: impl Into<CredentialSecret>) -> Self {
        Self::with_source(user, Source::Fixed(Arc::new(password.into())))
    }

    /// The user and password from the environment variables `user_var` and `password_var`. The
    /// user is read now (an unset or empty one is [`Error::Credential`] `Unavailable`); the
    /// password at each [`login`](Self::login), so a rotated password is picked up.
    ///
    /// ```
    /// use patkit::auth::PasswordCredential;
    /// let missing = PasswordCredential::from_env("PATKIT_DOC_NO_SUCH_USER", "PATKIT_DOC_NO_SUCH_PASSWORD");
    /// assert!(missing.unwrap_err().to_string().contains("PATKIT_DOC_NO_SUCH_USER"));
    /// ```
    pub fn from_env(user_var: &str, password_var: &str) -> Result<Self> {
        let user = read_env(user_var)?;
        Ok(Self::with_source(user.expose_secret(), Source::Env(password_var.to_owned())))
    }

    /// `user`, with the password asked of `prompt` at the first [`login`](Self::login) and then
    /// kept in memory for this credential and its clones.
    pub fn prompt(user: impl Into<String>, prompt: Arc<dyn SecretPrompt>) -> Self {
        Self::with_source(user, Source::Prompt(prompt))
    }

    /// Sends a fixed one-time code. Codes are good for one use: this suits a single call (a tool
    /// run with `--otp`), not a long-lived client.
    pub fn with_one_time_code(mut self, code: impl Into<CredentialSecret>) -> Self {
        self.one_time_code = Some(Source::Fixed(Arc::new(code.into())));
        self
    }

    /// Reads the one-time code from the environment variable `var` at each login.
    pub fn with_one_time_code_from_env(mut self, var: &str) -> Self {
        self.one_time_code = Some(Source::Env(var.to_owned()));
        self
    }

    /// Asks `prompt` for a fresh one-time code at each login.
    pub fn with_one_time_code_prompt(mut self, prompt: Arc<dyn SecretPrompt>) -> Self {
        self.one_time_code = Some(Source::Prompt(prompt));
        self
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether a one-time code is sent.
    pub fn has_one_time_code(&self) -> bool {
        self.one_time_code.is_some()
    }

    /// The password and one-time code for one request, asking a prompt where one is configured.
    pub async fn login(&self) -> Result<PasswordLogin> {
        let password = self.password().await?;
        let one_time_code = match &self.one_time_code {
            Some(source) => Some(source.resolve(PromptFor::OneTimeCode, &self.user).await?),
            None => None,
        };
        Ok(PasswordLogin { user: self.user.clone(), password, one_time_code })
    }

    async fn password(&self) -> Result<CredentialSecret> {
        if !matches!(self.password, Source::Prompt(_)) {
            return self.password.resolve(PromptFor::Password, &self.user).await;
        }
        let kept = self.remembered.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        if let Some(kept) = kept {
            return Ok(CredentialSecret::new(kept.expose_secret().to_owned()));
        }
        let asked = self.password.resolve(PromptFor::Password, &self.user).await?;
        let copy = CredentialSecret::new(asked.expose_secret().to_owned());
        *self.remembered.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(asked));
        Ok(copy)
    }
}

/// A resolved password login for one request: the user, the password and the one-time code, if
/// any. `Debug` shows the user only.
pub struct PasswordLogin {
    user: String,
    password: CredentialSecret,
    one_time_code: Option<CredentialSecret>,
}

impl fmt::Debug for PasswordLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordLogin")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .field("one_time_code", &self.one_time_code.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl PasswordLogin {
    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &CredentialSecret {
        &self.password
    }

    /// The one-time code, if one is configured.
    pub fn one_time_code(&self) -> Option<&CredentialSecret> {
        self.one_time_code.as_ref()
    }

    /// HTTP Basic auth with the user and password ([`AccessCredential::Basic`]).
    pub fn basic(&self) -> AccessCredential {
        AccessCredential::basic(self.user.clone(), CredentialSecret::new(self.password.expose_secret().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_prompted_password_is_asked_once_and_a_one_time_code_at_every_login() {
        let asked = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let counts = Arc::clone(&asked);
        let prompt = prompt_fn(move |what, _| {
            match what {
                PromptFor::Password => counts.0.fetch_add(1, Ordering::SeqCst),
                PromptFor::OneTimeCode => counts.1.fetch_add(1, Ordering::SeqCst),
            };
            Ok(format!("{what:?}-canary"))
        });
        let credential = PasswordCredential::prompt("bob", Arc::clone(&prompt)).with_one_time_code_prompt(prompt);
        let clone = credential.clone();
        for login in [credential.login().await.unwrap(), clone.login().await.unwrap()] {
            assert_eq!(login.password().expose_secret(), "Password-canary");
            assert_eq!(login.one_time_code().unwrap().expose_secret(), "OneTimeCode-canary");
        }
        assert_eq!(asked.0.load(Ordering::SeqCst), 1, "the password is asked once");
        assert_eq!(asked.1.load(Ordering::SeqCst), 2, "a code is asked at every login");
    }

    #[tokio::test]
    async fn a_prompt_that_gives_up_fails_the_login_and_is_asked_again_next_time() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let prompt = prompt_fn(move |_, _| {
            if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(Error::credential(CredentialErrorKind::Unavailable, "cancelled"))
            } else {
                Ok("pw".to_owned())
            }
        });
        let credential = PasswordCredential::prompt("bob", prompt);
        assert!(matches!(credential.login().await, Err(Error::Credential { .. })));
        assert_eq!(credential.login().await.unwrap().password().expose_secret(), "pw");
    }

    #[tokio::test]
    async fn nothing_secret_shows_in_debug_or_in_the_basic_header_debug() {
        let credential =
            PasswordCredential::new("carol", "pw-canary".to_owned()).with_one_time_code("otp-canary".to_owned());
        let login = credential.login().await.unwrap();
        let basic = login.basic();
        let (_, header) = basic.to_header();
        let shown = format!("{credential:?} {login:?} {basic:?} {header:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("carol"));
        assert!(header.is_sensitive());
    }
}
