//! What authenticates the management calls: a personal (or project/group) access token sent as
//! `PRIVATE-TOKEN`, or an OAuth token sent as `Authorization: Bearer`.

use std::path::Path;

use async_trait::async_trait;

use crate::auth::{AccessCredential, Credential, CredentialSecret};
use crate::error::{CredentialErrorKind, Error, Result};
use crate::secret::BearerToken;

/// The environment variable [`GitLabCredential::from_env`] reads.
pub const GITLAB_TOKEN_ENV: &str = "GITLAB_TOKEN";

/// The header a GitLab access token is sent in.
pub const PRIVATE_TOKEN_HEADER: &str = "private-token";

/// A GitLab credential: an access token (`PRIVATE-TOKEN: …`) or an OAuth token
/// (`Authorization: Bearer …`). `Debug` never shows the value.
///
/// Writes (rotate, revoke, create) need the `api` scope; another user's tokens need an instance
/// administrator's token (and the `sudo` scope for [`GitLabClientBuilder::sudo`](super::GitLabClientBuilder::sudo)).
///
/// ```
/// use patkit::gitlab::GitLabCredential;
/// let pat = GitLabCredential::private_token("glpat-canary".to_owned());
/// let oauth = GitLabCredential::oauth("oauth-canary".to_owned());
/// assert!(!format!("{pat:?} {oauth:?}").contains("canary"));
/// assert!(pat.is_private_token() && !oauth.is_private_token());
/// ```
#[derive(Debug, Clone)]
pub struct GitLabCredential(AccessCredential);

impl GitLabCredential {
    /// A personal, project or group access token, sent as `PRIVATE-TOKEN`.
    pub fn private_token(token: impl Into<CredentialSecret>) -> Self {
        Self(AccessCredential::header(http::HeaderName::from_static(PRIVATE_TOKEN_HEADER), token))
    }

    /// An OAuth access token, sent as `Authorization: Bearer`. The `…/self` endpoints refuse it
    /// (they need an access token).
    pub fn oauth(token: String) -> Self {
        Self(AccessCredential::Bearer(BearerToken::new(token)))
    }

    /// An access token from the `GITLAB_TOKEN` environment variable (surrounding whitespace
    /// trimmed). [`Error::Credential`] with [`CredentialErrorKind::Unavailable`] when it is unset
    /// or empty.
    pub fn from_env() -> Result<Self> {
        let value = std::env::var(GITLAB_TOKEN_ENV).map_err(|_| {
            Error::credential(CredentialErrorKind::Unavailable, format!("{GITLAB_TOKEN_ENV} is not set (or not UTF-8)"))
        })?;
        Self::from_text(value, GITLAB_TOKEN_ENV)
    }

    /// An access token read from a file (surrounding whitespace trimmed, so a trailing newline is
    /// fine).
    ///
    /// On unix the file must not be readable or writable by group or others (mode `0600` or
    /// stricter, as ssh requires of keys): a token others can read is already leaked, so the
    /// file is refused with [`CredentialErrorKind::NotAccepted`] and a message saying
    /// `chmod 600`. The error names the path, never the content.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = crate::quote::cap(path.display().to_string());
        let unavailable = |e: std::io::Error| Error::Credential {
            kind: CredentialErrorKind::Unavailable,
            message: format!("cannot read the GitLab token file {shown}").into(),
            source: Some(Box::new(e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path).map_err(unavailable)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(Error::credential(
                    CredentialErrorKind::NotAccepted,
                    format!(
                        "the GitLab token file {shown} is accessible by group or others (mode {:o}); run `chmod 600` on it",
                        mode & 0o777
                    ),
                ));
            }
        }
        let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(unavailable)?);
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Error::credential(CredentialErrorKind::NotAccepted, format!("the GitLab token file {shown} is not UTF-8"))
        })?;
        Self::from_text(text.to_owned(), "the token file")
    }

    fn from_text(mut value: String, source: &str) -> Result<Self> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            use zeroize::Zeroize as _;
            value.zeroize();
            return Err(Error::credential(CredentialErrorKind::Unavailable, format!("{source} is empty")));
        }
        let token = if trimmed.len() == value.len() {
            value
        } else {
            let owned = trimmed.to_owned();
            use zeroize::Zeroize as _;
            value.zeroize();
            owned
        };
        Ok(Self::private_token(token))
    }

    /// Whether this is an access token (`PRIVATE-TOKEN`), which the `…/self` endpoints accept.
    pub fn is_private_token(&self) -> bool {
        matches!(&self.0, AccessCredential::Header { .. })
    }
}

#[async_trait]
impl Credential for GitLabCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_private_token_is_sent_as_private_token_and_oauth_as_bearer() {
        let (name, value) =
            GitLabCredential::private_token("glpat-x".to_owned()).credential().await.unwrap().to_header();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("private-token", "glpat-x"));
        assert!(value.is_sensitive());
        let (name, value) = GitLabCredential::oauth("o".to_owned()).credential().await.unwrap().to_header();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("authorization", "Bearer o"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_file_is_trimmed_and_refused_when_others_may_read_it() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  glpat-file-canary\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = GitLabCredential::from_file(&path).unwrap_err();
        assert!(matches!(err, Error::Credential { kind: CredentialErrorKind::NotAccepted, .. }), "{err:?}");
        assert!(err.to_string().contains("chmod 600") && !err.to_string().contains("canary"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let credential = GitLabCredential::from_file(&path).unwrap();
        assert_eq!(credential.credential().await.unwrap().to_header().1.to_str().unwrap(), "glpat-file-canary");
        std::fs::write(&path, " \n").unwrap();
        assert!(matches!(
            GitLabCredential::from_file(&path),
            Err(Error::Credential { kind: CredentialErrorKind::Unavailable, .. })
        ));
        assert!(GitLabCredential::from_file(dir.path().join("missing")).is_err());
    }
}
