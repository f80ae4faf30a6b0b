//! Errors as patctl reports them: what went wrong, what to do next, and a distinct exit status
//! per class (listed in `patctl --help`).

use std::fmt;
use std::process::ExitCode;

use patkit::{CredentialErrorKind, Error};

/// Exit statuses; see `EXIT_CODES` in `cli.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Unexpected = 1,
    Usage = 2,
    Auth = 3,
    Forbidden = 4,
    NotFound = 5,
    Refused = 6,
    RateLimited = 7,
    Service = 8,
    Store = 9,
    CreateUncertain = 10,
    Partial = 11,
}

/// A failure to report: a class and a message that never contains a secret.
#[derive(Debug)]
pub struct Failure {
    pub class: Class,
    pub message: String,
}

impl Failure {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Self { class, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Class::Usage, message)
    }

    /// A command the provider cannot do (exit 2, nothing was sent).
    pub fn lacks(provider: impl fmt::Display, what: &str) -> Self {
        Self::usage(format!("the provider {provider} lacks {what}; nothing was sent"))
    }

    /// This failure, its Azure DevOps hint (`az login`, Entra) replaced by `provider`'s.
    pub fn for_provider(mut self, provider: crate::provider::Kind) -> Self {
        use crate::provider::Kind;
        if provider == Kind::Azure {
            return self;
        }
        let Some((head, hint)) = self.message.split_once("\n  hint: ") else { return self };
        if !(hint.contains("az ") || hint.contains("Entra") || hint.contains("AZURE_DEVOPS")) {
            return self;
        }
        let hint = match (provider, self.class) {
            (Kind::GitLab, Class::Auth | Class::Forbidden) => {
                "set GITLAB_TOKEN (or --token-var) to a PAT with the `api` scope (an administrator's for \
                 create --for-user)"
            }
            (Kind::GitHub, Class::Auth | Class::Forbidden) => {
                "use a GitHub App installed on the organization (--app-id, --installation-id, --app-key), or an \
                 owner's token in GITHUB_TOKEN for SAML authorizations"
            }
            (_, Class::Auth | Class::Forbidden) => {
                "check --user and the password (asked on the terminal, or by PATKIT_ASKPASS / GIT_ASKPASS); a \
                 two-factor account is also asked for a one-time code"
            }
            _ => "check the settings (--provider, --host, --base-url) and retry",
        };
        self.message = format!("{head}\n  hint: {hint}");
        self
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.class as u8)
    }

    /// The exit class of a library error.
    pub fn class_of(e: &Error) -> Class {
        match e {
            Error::AuthRequired { .. } | Error::Credential { .. } => Class::Auth,
            Error::Forbidden { .. } => Class::Forbidden,
            Error::NotFound { .. } => Class::NotFound,
            Error::PolicyViolation { .. } | Error::Rejected { .. } => Class::Refused,
            Error::RateLimited { .. } => Class::RateLimited,
            Error::Api { .. } | Error::Transport(_) | Error::Decode { .. } | Error::ListingCut { .. } => Class::Service,
            Error::Store(_) => Class::Store,
            Error::InvalidInput { .. } | Error::Unsupported { .. } => Class::Usage,
            Error::CreateOutcomeUnknown { .. } => Class::CreateUncertain,
            _ => Class::Unexpected,
        }
    }

    /// What to do next, for a library error.
    pub fn hint(e: &Error) -> Option<String> {
        Some(match e {
            Error::AuthRequired { .. } => {
                "this API needs a Microsoft Entra *user* token; run `az login` and retry (or set \
                 AZURE_DEVOPS_ENTRA_TOKEN to a fresh one)"
                    .into()
            }
            Error::Credential { kind: CredentialErrorKind::NotLoggedIn, .. } => "run `az login` and retry".into(),
            Error::Credential { kind: CredentialErrorKind::Unavailable, .. } => {
                "set AZURE_DEVOPS_ENTRA_TOKEN to an Entra user token, or install the Azure CLI and run `az login`"
                    .into()
            }
            Error::Credential { .. } => "check `az account show`, or set AZURE_DEVOPS_ENTRA_TOKEN".into(),
            Error::Forbidden { .. } => "PATs, service principals and managed identities cannot manage PATs; sign in \
                                        as a user (`az login`). Token Admin (offboard) needs an organization \
                                        administrator."
                .into(),
            Error::NotFound { .. } => "check the id with `patctl list --status all`".into(),
            Error::PolicyViolation { .. } => {
                "an organization or tenant policy refused it; ask an administrator, or try a shorter lifetime, \
                 narrower scopes, or an organization-bound token"
                    .into()
            }
            Error::RateLimited { retry_after: Some(d), .. } => format!("wait {}s and retry", d.as_secs().max(1)),
            Error::RateLimited { .. } => "wait a minute and retry".into(),
            Error::Transport(_) => "check the network and --base-url, then retry".into(),
            Error::Api { status, .. } if *status >= 500 => "the service failed; retry later".into(),
            Error::CreateOutcomeUnknown { found, .. } => {
                let ids: Vec<String> = found.iter().map(|m| m.id.to_string()).collect();
                if ids.is_empty() {
                    "no token with that name was found; create it again".into()
                } else {
                    format!("its secret is lost: revoke it with `patctl revoke {}` and create again", ids.join(" "))
                }
            }
            Error::Store(_) => {
                "check the token store (--store): a file store directory must be yours (mode 0700), a keyring \
                 unlocked, a Vault reachable with VAULT_ADDR and VAULT_TOKEN"
                    .into()
            }
            Error::Unsupported { .. } => "this provider cannot do that; nothing was sent".into(),
            _ => return None,
        })
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let class = Self::class_of(&e);
        let message = match Self::hint(&e) {
            Some(hint) => format!("{e}\n  hint: {hint}"),
            None => e.to_string(),
        };
        Self { class, message }
    }
}

impl From<patkit::store::StoreError> for Failure {
    fn from(e: patkit::store::StoreError) -> Self {
        Error::Store(e).into()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Kind;

    #[test]
    fn another_provider_gets_its_own_hint_instead_of_az_login() {
        let e = Error::credential(CredentialErrorKind::Unavailable, "no token");
        let azure = Failure::from(e);
        assert!(azure.message.contains("az login"));
        let gitlab = Failure::new(azure.class, azure.message.clone()).for_provider(Kind::GitLab);
        assert!(gitlab.message.contains("GITLAB_TOKEN") && !gitlab.message.contains("az login"), "{}", gitlab.message);
        assert_eq!(gitlab.class, Class::Auth);
        let forge = Failure::new(azure.class, azure.message.clone()).for_provider(Kind::Forgejo);
        assert!(forge.message.contains("PATKIT_ASKPASS"), "{}", forge.message);
        assert_eq!(Failure::new(azure.class, azure.message.clone()).for_provider(Kind::Azure).message, azure.message);
        let lacks = Failure::lacks("gitea", "changing a token's expiry");
        assert_eq!((lacks.class as u8, lacks.message.contains("nothing was sent")), (2, true));
    }
}
