use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
