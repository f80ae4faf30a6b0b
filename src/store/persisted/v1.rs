//! Entry format 1: the serde shape of the public `PatRecord` as patkit wrote it up to 0.1
//! (a272529 and later 0.1 commits). Read only; frozen here so a change to the public model
//! cannot change what old entries mean.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::store::{PatRecord, RotationIntent};

/// The `format` string of format-1 keyring items and Vault entries (file-store bodies of format
/// 1 have no `format` field; their file header says 1).
pub(super) const FORMAT: &str = "patkit.v1";

#[derive(Deserialize)]
pub(super) struct Record {
    name: String,
    provider: String,
    organization: String,
    metadata: Metadata,
    stored_at: DateTime<Utc>,
    #[serde(default)]
    pub(super) revision: u64,
    #[serde(default)]
    rotation: Option<Rotation>,
    #[serde(default)]
    previous: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    id: String,
    display_name: String,
    /// Space-separated, as `Scopes` serialized.
    scopes: String,
    valid_from: DateTime<Utc>,
    valid_to: DateTime<Utc>,
    targets: Targets1,
}

/// `"all_organizations"` or `{"organizations": [ids]}`.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Targets1 {
    AllOrganizations,
    Organizations(Vec<String>),
}

#[derive(Deserialize)]
struct Rotation {
    replacement_display_name: String,
    started_at: DateTime<Utc>,
}

impl From<Metadata> for PatMetadata {
    fn from(m: Metadata) -> Self {
        PatMetadata {
            id: PatId::new(m.id),
            display_name: m.display_name,
            scopes: Scopes::from_wire(&m.scopes),
            valid_from: m.valid_from,
            valid_to: Some(m.valid_to),
            extras: Extras::new().with(
                super::v2::TARGETS_EXTRA,
                match m.targets {
                    Targets1::AllOrganizations => "*".to_owned(),
                    Targets1::Organizations(ids) => ids.join(","),
                },
            ),
        }
    }
}

impl From<Record> for PatRecord {
    fn from(r: Record) -> Self {
        PatRecord {
            name: r.name,
            provider: r.provider,
            organization: r.organization,
            metadata: r.metadata.into(),
            stored_at: r.stored_at,
            revision: r.revision,
            rotation: r.rotation.map(|r| RotationIntent {
                replacement_display_name: r.replacement_display_name,
                started_at: r.started_at,
                // 0.1 only ever created replacements.
                server_rotate: None,
            }),
            previous: r.previous.map(Into::into),
            retiring: None,
        }
    }
}
