//! Entry format 2 (patkit 0.2 development builds), read only. Its `targets` were Azure
//! DevOps' (the only provider that wrote it) and become the Azure `targets` extra: `*` for all
//! organizations, the ids joined by `,` otherwise.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::store::{PatRecord, RotationIntent};

/// The extras key format 1 and 2 targets become (the Azure DevOps provider's `targets`).
pub(super) const TARGETS_EXTRA: &str = "targets";

/// Everything about an entry but its secret and its revision (which the store keeps where it
/// keeps revisions).
#[derive(Deserialize)]
pub(super) struct Record {
    name: String,
    provider: String,
    organization: String,
    stored_at: DateTime<Utc>,
    token: Token,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotation: Option<Rotation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<Token>,
}

/// One token's metadata.
#[derive(Deserialize)]
struct Token {
    id: String,
    display_name: String,
    /// One string per scope, as the provider spells it.
    scopes: Vec<String>,
    valid_from: DateTime<Utc>,
    valid_to: DateTime<Utc>,
    targets: Targets2,
}

/// `{"kind": "all_organizations"}` or `{"kind": "organizations", "ids": [...]}`.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Targets2 {
    AllOrganizations,
    Organizations { ids: Vec<String> },
}

#[derive(Deserialize)]
struct Rotation {
    replacement_display_name: String,
    started_at: DateTime<Utc>,
    /// The id of the token being rotated at the server (a server-side rotate in flight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_rotate: Option<String>,
}

impl Token {
    /// The public metadata; a reason (naming no value) if a scope is not one scope.
    fn into_public(self) -> Result<PatMetadata, String> {
        if self.scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return Err("has a scope that is empty or holds whitespace".to_owned());
        }
        Ok(PatMetadata {
            id: PatId::new(self.id),
            display_name: self.display_name,
            scopes: Scopes::from_wire(&self.scopes.join(" ")),
            valid_from: self.valid_from,
            valid_to: Some(self.valid_to),
            extras: Extras::new().with(
                TARGETS_EXTRA,
                match self.targets {
                    Targets2::AllOrganizations => "*".to_owned(),
                    Targets2::Organizations { ids } => ids.join(","),
                },
            ),
        })
    }
}

impl Record {
    /// The public record at revision 0 (the caller sets the revision).
    pub(super) fn into_public(self) -> Result<PatRecord, String> {
        Ok(PatRecord {
            name: self.name,
            provider: self.provider,
            organization: self.organization,
            metadata: self.token.into_public()?,
            stored_at: self.stored_at,
            revision: 0,
            rotation: self.rotation.map(|r| RotationIntent {
                replacement_display_name: r.replacement_display_name,
                started_at: r.started_at,
                server_rotate: r.server_rotate.map(PatId::new),
            }),
            previous: self.previous.map(Token::into_public).transpose()?,
            retiring: None,
        })
    }
}
