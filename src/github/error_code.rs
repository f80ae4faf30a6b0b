//! The GitHub refusals a caller must tell apart, as the [`ServiceCode`] of an error.

use crate::error::ServiceCode;

/// What a GitHub refusal was, as [`Error::Forbidden`](crate::Error::Forbidden),
/// [`Error::Rejected`](crate::Error::Rejected) or [`Error::Api`](crate::Error::Api) carries it
/// in its [`ServiceCode`]. GitHub's 422 bodies name a code per failing field (`missing`,
/// `invalid`, `already_exists`, …: passed on verbatim as [`ErrorCode::Validation`]); the others
/// are patkit's spelling of what the status, headers and message say.
///
/// ```
/// use patkit::github::ErrorCode;
/// let code = patkit::ServiceCode::new("saml_not_enabled");
/// assert_eq!(ErrorCode::from(&code), ErrorCode::SamlNotEnabled);
/// assert_eq!(ErrorCode::SamlSsoRequired.as_str(), "saml_sso_required");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `saml_sso_required`: 403 with `X-GitHub-SSO`: the credential is not authorized for the
    /// organization's SAML single sign-on (authorize it in the browser, at the URL GitHub sends).
    SamlSsoRequired,
    /// `saml_not_enabled`: the organization has no SAML credential authorizations to manage
    /// (no SAML single sign-on, or not on GitHub Enterprise Cloud): the credential-authorization
    /// endpoints answer 404 (or a message naming SAML).
    SamlNotEnabled,
    /// `app_required`: 403 on a fine-grained PAT endpoint, which only a GitHub App installation
    /// token may call (a personal access token is refused).
    AppRequired,
    /// `validation_failed`: a 422 without a per-field code.
    ValidationFailed,
    /// `still_pending`: GitHub accepted a bulk revocation or review (202) but the listing still
    /// showed some of its items when patkit stopped waiting
    /// ([`Pending::wait`](crate::github::Pending::wait)); GitHub may yet complete it.
    StillPending,
    /// A 422's per-field code (`missing`, `missing_field`, `invalid`, `already_exists`,
    /// `unprocessable`, `custom`), or a code this version does not know, verbatim.
    Validation(String),
}

impl ErrorCode {
    /// patkit's (or GitHub's 422) spelling of the code.
    pub fn as_str(&self) -> &str {
        match self {
            Self::SamlSsoRequired => "saml_sso_required",
            Self::SamlNotEnabled => "saml_not_enabled",
            Self::AppRequired => "app_required",
            Self::ValidationFailed => "validation_failed",
            Self::StillPending => "still_pending",
            Self::Validation(raw) => raw,
        }
    }

    /// As the [`ServiceCode`] an error carries.
    pub(crate) fn code(&self) -> ServiceCode {
        ServiceCode::new(self.as_str().to_owned())
    }
}

impl From<&ServiceCode> for ErrorCode {
    fn from(code: &ServiceCode) -> Self {
        match code.as_str() {
            "saml_sso_required" => Self::SamlSsoRequired,
            "saml_not_enabled" => Self::SamlNotEnabled,
            "app_required" => Self::AppRequired,
            "validation_failed" => Self::ValidationFailed,
            "still_pending" => Self::StillPending,
            other => Self::Validation(other.to_owned()),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
