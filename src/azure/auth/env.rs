use std::borrow::Cow;
use std::ffi::OsString;

use async_trait::async_trait;

use crate::auth::{AccessCredential, Credential};
use crate::error::{CredentialErrorKind, Error, Result};
use crate::secret::BearerToken;

/// An Entra access token read from an environment variable, by default
/// [`AZURE_DEVOPS_ENTRA_TOKEN`](EnvCredential::DEFAULT_VAR).
///
/// The variable is read on **every** call, so a supervisor that rewrites it (or a test harness
/// that sets it late) is picked up without rebuilding the client. Surrounding whitespace (such as
/// the newline of `export VAR="$(cat token-file)"`) is trimmed. A variable that is unset, empty
/// or not valid UTF-8 yields [`Error::Credential`] with [`CredentialErrorKind::Unavailable`];
/// the message names the variable, never its value.
///
/// ```
/// use patkit::auth::Credential;
/// use patkit::azure::EnvCredential;
/// use patkit::CredentialErrorKind;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let credential = EnvCredential::from_var("PATKIT_DOCTEST_SURELY_UNSET");
/// match credential.credential().await {
///     Err(patkit::Error::Credential { kind, message, .. }) => {
///         assert_eq!(kind, CredentialErrorKind::Unavailable);
///         assert!(message.contains("PATKIT_DOCTEST_SURELY_UNSET"));
///     }
///     other => panic!("expected a credential error, got {other:?}"),
/// }
/// assert_eq!(EnvCredential::new().var_name(), "AZURE_DEVOPS_ENTRA_TOKEN");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct EnvCredential {
    var: Cow<'static, str>,
}

impl EnvCredential {
    /// The variable read by [`EnvCredential::new`]: `AZURE_DEVOPS_ENTRA_TOKEN`.
    pub const DEFAULT_VAR: &'static str = "AZURE_DEVOPS_ENTRA_TOKEN";

    /// Reads [`DEFAULT_VAR`](Self::DEFAULT_VAR).
    pub fn new() -> Self {
        Self { var: Cow::Borrowed(Self::DEFAULT_VAR) }
    }

    /// Reads the variable `name`.
    pub fn from_var(name: impl Into<String>) -> Self {
        Self { var: Cow::Owned(name.into()) }
    }

    /// The name of the variable this credential reads.
    pub fn var_name(&self) -> &str {
        &self.var
    }
}

impl Default for EnvCredential {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Credential for EnvCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        from_value(&self.var, std::env::var_os(&*self.var)).map(AccessCredential::Bearer)
    }
}

/// Turns the variable's value into a token; split out so it is testable without touching the
/// process environment.
fn from_value(var: &str, value: Option<OsString>) -> Result<BearerToken> {
    let Some(value) = value else {
        return Err(unavailable(format!(
            "the environment variable `{var}` is not set; set it to an Entra access token"
        )));
    };
    let Ok(value) = value.into_string() else {
        return Err(unavailable(format!("the environment variable `{var}` is not valid UTF-8")));
    };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(unavailable(format!("the environment variable `{var}` is empty; set it to an Entra access token")));
    }
    let token = if trimmed.len() == value.len() { value } else { trimmed.to_owned() };
    Ok(BearerToken::new(token))
}

fn unavailable(message: String) -> Error {
    Error::credential(CredentialErrorKind::Unavailable, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-env-9a0b";

    fn kind_and_message(result: Result<BearerToken>) -> (CredentialErrorKind, String) {
        match result {
            Err(Error::Credential { kind, message, .. }) => (kind, message.into_owned()),
            other => panic!("expected a credential error, got {other:?}"),
        }
    }

    #[test]
    fn set_value_is_the_token_trimmed() {
        let token = from_value("V", Some(format!("  {CANARY}\n").into())).unwrap();
        assert_eq!(token.expose_secret(), CANARY);
    }

    #[test]
    fn missing_empty_and_non_utf8_are_unavailable_and_name_the_variable() {
        let (kind, message) = kind_and_message(from_value("MY_VAR", None));
        assert_eq!(kind, CredentialErrorKind::Unavailable);
        assert!(message.contains("`MY_VAR` is not set"), "{message}");

        let (kind, message) = kind_and_message(from_value("MY_VAR", Some(" \n".into())));
        assert_eq!(kind, CredentialErrorKind::Unavailable);
        assert!(message.contains("`MY_VAR` is empty"), "{message}");

        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let mut bytes = CANARY.as_bytes().to_vec();
            bytes.push(0xff);
            let err = from_value("MY_VAR", Some(OsString::from_vec(bytes))).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(text.contains("`MY_VAR` is not valid UTF-8") && !text.contains(CANARY), "{text}");
        }
    }

    #[tokio::test]
    async fn reads_the_process_environment() {
        // PATH is set in every test environment; reading it proves the lookup goes to the process
        // environment without mutating it (tests run in parallel).
        let expected = std::env::var("PATH").unwrap();
        let credential = EnvCredential::from_var("PATH");
        match credential.credential().await.unwrap() {
            AccessCredential::Bearer(token) => assert_eq!(token.expose_secret(), expected.trim()),
            other => panic!("expected a bearer token, got {other:?}"),
        }
        let missing = EnvCredential::from_var("PATKIT_TEST_SURELY_UNSET_5c2f");
        let (kind, message) = kind_and_message(match missing.credential().await {
            Ok(_) => panic!("an unset variable yielded a credential"),
            Err(e) => Err(e),
        });
        assert_eq!(kind, CredentialErrorKind::Unavailable);
        assert!(message.contains("PATKIT_TEST_SURELY_UNSET_5c2f"));
    }
}
