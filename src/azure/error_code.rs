use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ServiceCode};

macro_rules! pat_token_errors {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// The service's `patTokenError` (`SessionTokenError`) code.
        ///
        /// The service keeps adding values (29 in 6.1, 37 in 7.2), so this enum is open: a value
        /// this version does not know parses as [`PatTokenError::Unknown`] with its raw text, and
        /// [`PatTokenError::as_str`] gives the wire spelling back.
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum PatTokenError {
            $($(#[$doc])* #[doc = concat!("`", $wire, "`")] $variant,)*
            /// A value this version of patkit does not know, verbatim.
            Unknown(String),
        }

        impl PatTokenError {
            /// The code as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(raw) => raw,
                }
            }

            /// Parses the service's spelling; never fails.
            pub fn parse(raw: &str) -> Self {
                match raw {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
    };
}

pat_token_errors! {
    /// No error.
    None = "none",
    DisplayNameRequired = "displayNameRequired",
    InvalidDisplayName = "invalidDisplayName",
    InvalidValidTo = "invalidValidTo",
    InvalidScope = "invalidScope",
    UserIdRequired = "userIdRequired",
    InvalidUserId = "invalidUserId",
    InvalidUserType = "invalidUserType",
    AccessDenied = "accessDenied",
    FailedToIssueAccessToken = "failedToIssueAccessToken",
    InvalidClient = "invalidClient",
    InvalidClientType = "invalidClientType",
    InvalidClientId = "invalidClientId",
    InvalidTargetAccounts = "invalidTargetAccounts",
    HostAuthorizationNotFound = "hostAuthorizationNotFound",
    AuthorizationNotFound = "authorizationNotFound",
    FailedToUpdateAccessToken = "failedToUpdateAccessToken",
    SourceNotSupported = "sourceNotSupported",
    InvalidSourceIp = "invalidSourceIP",
    InvalidSource = "invalidSource",
    DuplicateHash = "duplicateHash",
    SshPolicyDisabled = "sshPolicyDisabled",
    InvalidToken = "invalidToken",
    TokenNotFound = "tokenNotFound",
    InvalidAuthorizationId = "invalidAuthorizationId",
    FailedToReadTenantPolicy = "failedToReadTenantPolicy",
    GlobalPatPolicyViolation = "globalPatPolicyViolation",
    FullScopePatPolicyViolation = "fullScopePatPolicyViolation",
    PatLifespanPolicyViolation = "patLifespanPolicyViolation",
    InvalidTokenType = "invalidTokenType",
    InvalidAudience = "invalidAudience",
    InvalidSubject = "invalidSubject",
    DeploymentHostNotSupported = "deploymentHostNotSupported",
    DisablePatCreationPolicyViolation = "disablePatCreationPolicyViolation",
    FailedToReadOrgPolicy = "failedToReadOrgPolicy",
    GlobalPatCreationBlocked = "globalPATCreationBlocked",
    ExpiredPatCannotBeExtended = "expiredPatCannotBeExtended",
}

impl fmt::Display for PatTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PatTokenError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PatTokenError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::parse(&raw))
    }
}

impl From<&ServiceCode> for PatTokenError {
    fn from(code: &ServiceCode) -> Self {
        Self::parse(code.as_str())
    }
}

impl From<&PatTokenError> for ServiceCode {
    fn from(code: &PatTokenError) -> Self {
        ServiceCode::new(code.as_str().to_owned())
    }
}

impl PatTokenError {
    /// The `patTokenError` behind an [`Error::PolicyViolation`] or [`Error::Rejected`] from the
    /// Azure DevOps client; `None` for any other error.
    ///
    /// ```
    /// use patkit::{Error, ServiceCode, azure::PatTokenError};
    /// let e = Error::Rejected { code: ServiceCode::new("invalidScope"), message: None };
    /// assert_eq!(PatTokenError::of(&e), Some(PatTokenError::InvalidScope));
    /// ```
    pub fn of(error: &Error) -> Option<Self> {
        match error {
            Error::PolicyViolation { code, .. } | Error::Rejected { code, .. } => Some(code.into()),
            _ => None,
        }
    }
}

/// The Azure DevOps policy behind an [`Error::PolicyViolation`] ([`Policy::of`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Tenant: maximum PAT lifespan.
    MaxLifespan,
    /// Tenant: restrict creation of global (all-organizations) PATs.
    GlobalPat,
    /// Service-wide retirement of global PATs (`globalPATCreationBlocked`).
    GlobalPatRetired,
    /// Tenant: restrict creation of full-scoped (`app_token`) PATs.
    FullScope,
    /// Organization: restrict PAT creation to an allow-list.
    PatCreationDisabled,
    /// The service could not read a tenant or organization policy.
    Unreadable,
}

impl Policy {
    /// The policy a `patTokenError` reports, if it is a policy code.
    pub fn from_code(code: &PatTokenError) -> Option<Self> {
        use PatTokenError as E;
        match code {
            E::GlobalPatPolicyViolation => Some(Self::GlobalPat),
            E::FullScopePatPolicyViolation => Some(Self::FullScope),
            E::PatLifespanPolicyViolation => Some(Self::MaxLifespan),
            E::DisablePatCreationPolicyViolation => Some(Self::PatCreationDisabled),
            E::GlobalPatCreationBlocked => Some(Self::GlobalPatRetired),
            E::FailedToReadTenantPolicy | E::FailedToReadOrgPolicy => Some(Self::Unreadable),
            _ => None,
        }
    }

    /// Which policy an [`Error::PolicyViolation`] of the Azure DevOps client names; `None` for
    /// any other error.
    ///
    /// ```
    /// use patkit::{Error, ServiceCode, azure::Policy};
    /// let e = Error::PolicyViolation { code: ServiceCode::new("globalPATCreationBlocked"), message: None };
    /// assert_eq!(Policy::of(&e), Some(Policy::GlobalPatRetired));
    /// ```
    pub fn of(error: &Error) -> Option<Self> {
        match error {
            Error::PolicyViolation { code, .. } => Self::from_code(&code.into()),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MaxLifespan => "maximum lifespan",
            Self::GlobalPat => "global PAT",
            Self::GlobalPatRetired => "global PAT retirement",
            Self::FullScope => "full-scope PAT",
            Self::PatCreationDisabled => "restrict PAT creation",
            Self::Unreadable => "unreadable",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_case() {
        assert_eq!(PatTokenError::parse("globalPATCreationBlocked"), PatTokenError::GlobalPatCreationBlocked);
        assert_eq!(PatTokenError::parse("tokenNotFound").as_str(), "tokenNotFound");
        let unknown = PatTokenError::parse("someFutureError");
        assert_eq!(unknown, PatTokenError::Unknown("someFutureError".into()));
        assert_eq!(unknown.to_string(), "someFutureError");
        let parsed: PatTokenError = serde_json::from_str("\"brandNew\"").unwrap();
        assert_eq!(parsed.as_str(), "brandNew");
    }
}
