//! Where a replacement works: a global token is replaced by an organization-scoped one unless
//! the rotator is told otherwise (Azure DevOps retires global PATs on 2026-12-01).

use super::{GlobalReplacement, Rotator};
use crate::error::Error;
use crate::model::PatMetadata;

/// What the create request of a replacement asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReplacementTargets {
    /// Ask for a global token.
    pub(super) all_organizations: bool,
    /// Set when the old token was global and the replacement is bound to these organizations.
    pub(super) narrowed_to: Option<Vec<String>>,
}

impl Rotator {
    /// The targets of the replacement of `old`. A token bound to organizations stays bound (the
    /// provider creates it for its organization). A global one follows
    /// [`RotationOptions::global_tokens`](super::RotationOptions::global_tokens); a list that the
    /// provider cannot honour (anything but its own organization: a create request names one
    /// organization, the one it is sent to) is refused before anything is written or created.
    pub(super) fn replacement_targets(&self, old: &PatMetadata) -> Result<ReplacementTargets, Error> {
        if !old.targets.is_global() {
            return Ok(ReplacementTargets { all_organizations: false, narrowed_to: None });
        }
        let own = self.provider.organization();
        match &self.options.global_tokens {
            GlobalReplacement::KeepGlobal => Ok(ReplacementTargets { all_organizations: true, narrowed_to: None }),
            GlobalReplacement::ProviderOrganization => {
                Ok(ReplacementTargets { all_organizations: false, narrowed_to: Some(vec![own.to_owned()]) })
            }
            GlobalReplacement::Organizations(list) => {
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
                            "a replacement can only be created for the rotator's organization {own:?}, not {other:?}: \
                             use one rotator per organization"
                        ),
                    ));
                }
                Ok(ReplacementTargets { all_organizations: false, narrowed_to: Some(vec![own.to_owned()]) })
            }
        }
    }
}
