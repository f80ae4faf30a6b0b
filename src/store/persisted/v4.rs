//! Entry format 4, what this build writes: explicit field names owned here, not derived from
//! the public model. Format 3 and the `retiring` mark of a replaced token (a grace period, a
//! hand-off not yet done).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::store::{PatRecord, Retiring as PublicRetiring, RotationIntent};

/// Everything about an entry but its secret and its revision (which the store keeps where it
/// keeps revisions).
#[derive(Serialize, Deserialize)]
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
    /// Why `previous` is not revoked yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retiring: Option<Retiring>,
}

#[derive(Serialize, Deserialize)]
struct Retiring {
    until: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    handoff_pending: bool,
}

/// One token's metadata.
#[derive(Serialize, Deserialize)]
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

#[derive(Serialize, Deserialize)]
struct Rotation {
    replacement_display_name: String,
    started_at: DateTime<Utc>,
    /// The id of the token being rotated at the server, for a server-side rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    server_rotate: Option<String>,
}

impl Token {
    fn from_public(m: &PatMetadata) -> Self {
        Token {
            id: m.id.as_str().to_owned(),
            display_name: m.display_name.clone(),
            scopes: m.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            valid_from: m.valid_from,
            valid_to: m.valid_to,
            extras: m.extras.clone(),
        }
    }

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
    pub(super) fn from_public(r: &PatRecord) -> Self {
        Record {
            name: r.name.clone(),
            provider: r.provider.clone(),
            organization: r.organization.clone(),
            stored_at: r.stored_at,
            token: Token::from_public(&r.metadata),
            rotation: r.rotation.as_ref().map(|i| Rotation {
                replacement_display_name: i.replacement_display_name.clone(),
                started_at: i.started_at,
                server_rotate: i.server_rotate.as_ref().map(|id| id.as_str().to_owned()),
            }),
            previous: r.previous.as_ref().map(Token::from_public),
            retiring: r.retiring.as_ref().map(|r| Retiring { until: r.until, handoff_pending: r.handoff_pending }),
        }
    }

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
            retiring: self.retiring.map(|r| PublicRetiring { until: r.until, handoff_pending: r.handoff_pending }),
        })
    }
}
