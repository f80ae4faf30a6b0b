//! Which organizations an Azure DevOps token works in, kept in the neutral model's
//! [`Extras`](crate::Extras) under the key [`Targets::EXTRA`], and the retirement of global
//! tokens.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::PatMetadata;

/// When Azure DevOps retires global PATs: 2026-12-01T00:00:00Z (fact sheet §9, BLOG-GPAT). From
/// then on the service refuses to create or regenerate a global token
/// (`globalPATCreationBlocked`) and every existing global token stops authenticating. The Azure
/// client reports it through [`PatProvider::retirement`](crate::PatProvider::retirement), which
/// is what scans and rotations read.
///
/// ```
/// assert_eq!(patkit::azure::GLOBAL_PAT_RETIREMENT.to_rfc3339(), "2026-12-01T00:00:00+00:00");
/// ```
pub const GLOBAL_PAT_RETIREMENT: DateTime<Utc> = match DateTime::from_timestamp(1_796_083_200, 0) {
    Some(t) => t,
    None => panic!("2026-12-01T00:00:00Z is a valid timestamp"),
};

/// Where an Azure DevOps token works. The service sends `targetAccounts: null` for a *global*
/// token (every organization the user can reach) and a list of organization ids otherwise.
///
/// In [`Extras`] the key is [`Targets::EXTRA`] (`"targets"`): `*` for a global token, otherwise
/// the organization ids joined by `,`. In a create or update request only `*` (ask for a global
/// token) and the client's own organization name (bind it there, the default) are accepted:
/// a request names one organization, the one it is sent to.
///
/// ```
/// use patkit::azure::Targets;
/// let mut spec = patkit::PatSpec::new("ci", patkit::Scopes::parse("vso.code")?);
/// Targets::AllOrganizations.put(&mut spec.extras);
/// assert_eq!(spec.extras.get(Targets::EXTRA), Some("*"));
/// assert_eq!(Targets::from_extras(&spec.extras), Some(Targets::AllOrganizations));
/// # Ok::<(), patkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// A global token (`targetAccounts: null`). Azure DevOps stops accepting global PATs on
    /// [`GLOBAL_PAT_RETIREMENT`] (2026-12-01).
    AllOrganizations,
    /// The token works only in these organizations (ids as the service spells them).
    Organizations(Vec<String>),
}

impl Targets {
    /// The [`Extras`] key.
    pub const EXTRA: &'static str = "targets";

    /// Whether this is a global token.
    pub fn is_global(&self) -> bool {
        matches!(self, Self::AllOrganizations)
    }

    /// Reads the targets from extras; `None` when they say nothing.
    pub fn from_extras(extras: &Extras) -> Option<Self> {
        extras.get(Self::EXTRA).map(|v| match v {
            "*" => Self::AllOrganizations,
            ids => Self::Organizations(ids.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()),
        })
    }

    /// The targets of a token's metadata.
    pub fn of(token: &PatMetadata) -> Option<Self> {
        Self::from_extras(&token.extras)
    }

    /// Writes the targets into extras.
    pub fn put(&self, extras: &mut Extras) {
        extras.insert(Self::EXTRA, self.extra_value());
    }

    /// The value under [`Targets::EXTRA`].
    pub fn extra_value(&self) -> String {
        match self {
            Self::AllOrganizations => "*".to_owned(),
            Self::Organizations(ids) => ids.join(","),
        }
    }
}

/// Whether `token` is a global one (its extras say `targets = *`).
pub(crate) fn is_global(token: &PatMetadata) -> bool {
    token.extras.get(Targets::EXTRA) == Some("*")
}

/// What a create or update request's extras ask for: `Some(true)` a global token, `Some(false)`
/// one bound to `organization`, `None` nothing said. Unknown keys and other values are refused.
pub(crate) fn requested_all_orgs(extras: &Extras, organization: &str) -> Result<Option<bool>> {
    let mut all = None;
    for (key, value) in extras.iter() {
        if key != Targets::EXTRA {
            let key: String = key.chars().take(40).collect();
            return Err(Error::invalid_input(
                "extras",
                format!("Azure DevOps tokens have no attribute `{key}` (only `{}`)", Targets::EXTRA),
            ));
        }
        all = Some(match value {
            "*" => true,
            org if org.eq_ignore_ascii_case(organization) => false,
            other => {
                let other: String = other.chars().take(64).collect();
                return Err(Error::invalid_input(
                    "extras",
                    format!(
                        "`targets` must be `*` (global) or this client's organization {organization:?}, not {other:?}: \
                         a request names one organization, the one it is sent to"
                    ),
                ));
            }
        });
    }
    Ok(all)
}

/// What a rotation creates in place of a *global* token (one valid in every organization), set
/// on the client with
/// [`AzureDevOpsClientBuilder::global_replacement`](super::AzureDevOpsClientBuilder::global_replacement)
/// and applied by its [`PatProvider::replacement_spec`](crate::PatProvider::replacement_spec).
///
/// Azure DevOps retires global PATs on [`GLOBAL_PAT_RETIREMENT`] (2026-12-01): from then on it
/// refuses to create one (`globalPATCreationBlocked`) and existing ones stop working. So by
/// default a rotation replaces a global token with one bound to the client's organization and
/// says so in the rotation's report note. Tokens bound to organizations are unaffected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum GlobalReplacement {
    /// Bind the replacement to the client's organization (the default).
    #[default]
    ProviderOrganization,
    /// Bind the replacement to these organizations (names, compared case-insensitively). A
    /// create request makes a token for the one organization it is sent to, so the list must
    /// name the client's organization only; any other name fails the rotation with
    /// [`Error::InvalidInput`] before anything is written or created (use one client per
    /// organization).
    Organizations(Vec<String>),
    /// Ask for a global token again. Only when explicitly chosen: Azure DevOps refuses it from
    /// 2026-12-01 (the rotation then fails at the create step and the old token stays).
    KeepGlobal,
}

impl GlobalReplacement {
    /// `Ok(true)`: ask for a global token; `Ok(false)`: bind it to `own`.
    pub(crate) fn all_organizations(&self, own: &str) -> Result<bool> {
        match self {
            Self::KeepGlobal => Ok(true),
            Self::ProviderOrganization => Ok(false),
            Self::Organizations(list) => {
                if list.is_empty() {
                    return Err(Error::invalid_input(
                        "global_tokens",
                        "the list of organizations for a global token's replacement is empty",
                    ));
                }
                if let Some(other) = list.iter().find(|o| !o.eq_ignore_ascii_case(own)) {
                    let other: String = other.chars().take(64).collect();
                    return Err(Error::invalid_input(
                        "global_tokens",
                        format!(
                            "a replacement can only be created for the client's organization {own:?}, not {other:?}: \
                             use one client per organization"
                        ),
                    ));
                }
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_round_trip() {
        for t in [Targets::AllOrganizations, Targets::Organizations(vec!["a".into(), "b".into()])] {
            let mut e = Extras::new();
            t.put(&mut e);
            assert_eq!(Targets::from_extras(&e), Some(t));
        }
        assert_eq!(Targets::from_extras(&Extras::new()), None);
    }

    #[test]
    fn requests_name_star_or_the_own_organization_only() {
        assert_eq!(requested_all_orgs(&Extras::new(), "fabrikam").unwrap(), None);
        assert_eq!(requested_all_orgs(&Extras::new().with("targets", "*"), "fabrikam").unwrap(), Some(true));
        assert_eq!(requested_all_orgs(&Extras::new().with("targets", "Fabrikam"), "fabrikam").unwrap(), Some(false));
        for bad in [Extras::new().with("targets", "contoso"), Extras::new().with("access_level", "30")] {
            assert!(matches!(requested_all_orgs(&bad, "fabrikam"), Err(Error::InvalidInput { field: "extras", .. })));
        }
    }
}
