//! Token Admin (organization administrators): another user's PATs, bulk revocation, revocation
//! rules. One file per operation, each a pure request builder, a pure parser and the async
//! glue on [`TokenAdmin`]; [`provider`] implements the neutral [`PatAdmin`](crate::PatAdmin).

mod directory;
mod list;
mod provider;
mod revoke;
mod rule;

use serde::{Deserialize, Serialize};

use crate::azure::AzureDevOpsClient;
use crate::model::PatMetadata;

pub use list::AdminListPats;

/// A token as Token Admin lists it: the usual metadata plus who owns it and whether it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTokenInfo {
    /// The token's metadata. `display_name` is empty when the service sends `null`.
    pub metadata: PatMetadata,
    /// The owner's user id.
    pub user_id: Option<String>,
    /// The service's `isValid` flag.
    pub is_valid: Option<bool>,
    /// `true` for SSH keys, `false` for PATs.
    pub is_public: bool,
}

/// Most authorization ids sent in one bulk revocation request. Larger batches are split.
pub const MAX_REVOCATIONS_PER_REQUEST: usize = 100;

/// Token Admin calls (organization administrators); from [`AzureDevOpsClient::token_admin`].
///
/// Token Admin accepts an Entra token of a Project Collection Administrator, and possibly a PAT
/// with `vso.tokenadministration` ([`PatCredential`](crate::azure::PatCredential)); the service
/// answers 401 to callers without the permission.
#[derive(Debug, Clone)]
pub struct TokenAdmin {
    client: AzureDevOpsClient,
}

impl AzureDevOpsClient {
    /// Token Admin calls with this client's organization and credential.
    pub fn token_admin(&self) -> TokenAdmin {
        TokenAdmin { client: self.clone() }
    }
}
