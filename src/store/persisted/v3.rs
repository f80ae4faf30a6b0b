//! Entry format 3 (patkit 0.2 development builds before grace periods), read only: explicit field
//! names owned here, not derived from the public model. Unlike format 2 it names no provider: an
//! optional expiry, and the provider's extras as a string map. Format 4 added `retiring`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::store::{PatRecord, RotationIntent};

/// Everything about an entry but its secret and its revision (which the store keeps where it
/// keeps revisions).
#[derive(Deserialize)]
pub(super) struct Record {
    name: String,
    provider: String,
    organization: String,
    stored_at: DateTime<Utc>,
    token: Token,
    #[serde(default)]
    rotation: Option<Rotation>,
    #[serde(default)]
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
    /// `null`: never expires.
    valid_to: Option<DateTime<Utc>>,
    /// The provider's attributes, `{}` when none.
    extras: Extras,
}

#[derive(Deserialize)]
struct Rotation {
    replacement_display_name: String,
    started_at: DateTime<Utc>,
    /// The id of the token being rotated at the server, for a server-side rotation.
    #[serde(default)]
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
            valid_to: self.valid_to,
            extras: self.extras,
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
