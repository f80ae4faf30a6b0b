//! The objects GitHub answers with (§4.2, §4.3), as public types.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A GitHub account as GitHub's `simple-user` names it (only what patkit reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The login (`octocat`).
    pub login: String,
    /// The numeric account id.
    #[serde(default)]
    pub id: Option<u64>,
}

/// What a fine-grained token may do: `{permission: "read" | "write" | "admin"}` per resource
/// kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Permissions {
    /// On the organization (`members`, …).
    #[serde(default)]
    pub organization: BTreeMap<String, String>,
    /// On the selected repositories (`contents`, `metadata`, …).
    #[serde(default)]
    pub repository: BTreeMap<String, String>,
    /// Anything else GitHub lists (account permissions).
    #[serde(default)]
    pub other: BTreeMap<String, String>,
}

impl Permissions {
    /// Every permission as `kind:name:level` (`repository:contents:write`), sorted.
    pub fn as_scopes(&self) -> Vec<String> {
        [("organization", &self.organization), ("repository", &self.repository), ("other", &self.other)]
            .into_iter()
            .flat_map(|(kind, map)| map.iter().map(move |(name, level)| format!("{kind}:{name}:{level}")))
            .collect()
    }
}

/// A fine-grained personal access token's access to the organization (GitHub's
/// `organization-programmatic-access-grant`).
///
/// Two ids: [`id`](Self::id) is the **grant** (what revoking and the repository listing take),
/// [`token_id`](Self::token_id) the **token** (what the `token_id[]` filter takes). Mixing
/// them up gets 404s.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Grant {
    /// The grant id (`pat_id` in GitHub's paths).
    pub id: u64,
    /// Whose token it is.
    pub owner: Account,
    /// `none`, `all` or `subset` of the organization's repositories.
    pub repository_selection: String,
    /// What the token may do in the organization.
    #[serde(default)]
    pub permissions: Permissions,
    /// When the organization granted it access.
    pub access_granted_at: DateTime<Utc>,
    /// The token's id.
    pub token_id: u64,
    /// The token's name, as its owner called it.
    pub token_name: String,
    /// Whether the token has expired.
    #[serde(default)]
    pub token_expired: bool,
    /// When it expires (`None`: never, where the organization allows that).
    #[serde(default)]
    pub token_expires_at: Option<DateTime<Utc>>,
    /// When it was last used (`None`: never, or not recorded).
    #[serde(default)]
    pub token_last_used_at: Option<DateTime<Utc>>,
}

/// A pending request of a fine-grained token for access to the organization (GitHub's
/// `organization-programmatic-access-grant-request`). Its [`id`](Self::id) is the request id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PatRequest {
    /// The request id (`pat_request_id` in GitHub's paths).
    pub id: u64,
    /// Why the owner asks (`None`: no reason given).
    #[serde(default)]
    pub reason: Option<String>,
    /// Whose token it is.
    pub owner: Account,
    /// `none`, `all` or `subset` of the organization's repositories.
    pub repository_selection: String,
    /// What the token asks to do.
    #[serde(default)]
    pub permissions: Permissions,
    /// When the request was made.
    pub created_at: DateTime<Utc>,
    /// The token's id.
    pub token_id: u64,
    /// The token's name.
    pub token_name: String,
    /// Whether the token has expired.
    #[serde(default)]
    pub token_expired: bool,
    /// When it expires.
    #[serde(default)]
    pub token_expires_at: Option<DateTime<Utc>>,
    /// When it was last used.
    #[serde(default)]
    pub token_last_used_at: Option<DateTime<Utc>>,
}

/// A repository as GitHub's `minimal-repository` names it (only what patkit reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Repository {
    /// The numeric id.
    pub id: u64,
    /// The name (`Hello-World`).
    pub name: String,
    /// `owner/name`.
    #[serde(default)]
    pub full_name: Option<String>,
    /// Whether it is private.
    #[serde(default)]
    pub private: Option<bool>,
}

/// A credential (classic PAT, fine-grained PAT, SSH key, OAuth or App token) authorized for the
/// organization's SAML single sign-on (GitHub Enterprise Cloud).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CredentialAuthorization {
    /// Whose credential it is.
    pub login: String,
    /// The authorization's id (what a revocation takes).
    pub credential_id: u64,
    /// `personal access token`, `SSH key`, `OAuth app token` or `GitHub app token`, as GitHub
    /// spells it (free text with spaces).
    pub credential_type: String,
    /// The token's last eight characters (not secret: a hint to match tokens by).
    #[serde(default)]
    pub token_last_eight: Option<String>,
    /// When it was authorized.
    pub credential_authorized_at: DateTime<Utc>,
    /// A classic token's scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// An SSH key's fingerprint.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// When it last accessed the organization.
    #[serde(default)]
    pub credential_accessed_at: Option<DateTime<Utc>>,
    /// The id of the credential itself (e.g. the token), when GitHub names it.
    #[serde(default)]
    pub authorized_credential_id: Option<u64>,
    /// An SSH key's title.
    #[serde(default)]
    pub authorized_credential_title: Option<String>,
    /// A PAT's note (its name).
    #[serde(default)]
    pub authorized_credential_note: Option<String>,
    /// When the credential expires.
    #[serde(default)]
    pub authorized_credential_expires_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The sheet's grant object (§4.2).
    pub(crate) const GRANT: &str = r#"{
      "id": 25381,
      "owner": { "login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://github.com/images/error/octocat_happy.gif", "type": "User", "site_admin": false },
      "repository_selection": "all",
      "repositories_url": "https://api.github.com/organizations/652551/personal-access-tokens/25381/repositories",
      "permissions": {
        "organization": { "members": "read" },
        "repository":   { "metadata": "read" },
        "other":        {}
      },
      "access_granted_at": "2023-05-16T08:47:09.000-07:00",
      "token_id": 98716,
      "token_name": "Some Token",
      "token_expired": false,
      "token_expires_at": "2023-11-16T08:47:09.000-07:00",
      "token_last_used_at": null
    }"#;

    /// The sheet's credential authorizations (§4.3).
    pub(crate) const AUTHORIZATIONS: &str = r#"[
      { "login": "octocat", "credential_id": 161195, "credential_type": "personal access token",
        "token_last_eight": "71c3fc11", "credential_authorized_at": "2011-01-26T19:06:43Z", "scopes": ["user", "repo"] },
      { "login": "hubot", "credential_id": 161196, "credential_type": "personal access token",
        "token_last_eight": "Ae178B4a", "credential_authorized_at": "2019-03-29T19:06:43Z", "scopes": ["repo"] }
    ]"#;

    #[test]
    fn the_sheets_grant_parses_with_both_ids_and_its_offsets() {
        let grant: Grant = serde_json::from_str(GRANT).unwrap();
        assert_eq!((grant.id, grant.token_id), (25381, 98716));
        assert_eq!(grant.owner.login, "octocat");
        assert_eq!(grant.access_granted_at, "2023-05-16T15:47:09Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(grant.token_expires_at, Some("2023-11-16T15:47:09Z".parse().unwrap()));
        assert_eq!(grant.token_last_used_at, None);
        assert_eq!(grant.permissions.as_scopes(), ["organization:members:read", "repository:metadata:read"]);
    }

    #[test]
    fn the_sheets_authorizations_parse() {
        let list: Vec<CredentialAuthorization> = serde_json::from_str(AUTHORIZATIONS).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].login.as_str(), list[0].credential_id), ("octocat", 161195));
        assert_eq!(list[1].token_last_eight.as_deref(), Some("Ae178B4a"));
        assert_eq!(list[0].scopes, ["user", "repo"]);
    }
}
