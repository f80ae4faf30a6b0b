//! The persisted shape of a store entry: one private, versioned document that the file, keyring
//! and Vault stores all write, so a change to the public model ([`PatRecord`],
//! [`crate::model::PatMetadata`]) never silently changes an on-disk format.
//!
//! # Entry format 4 (written by this build)
//!
//! A JSON object, stored as the keyring item's secret, as the KV v2 secret's `data`, and as the
//! body of a file-store entry file:
//!
//! ```text
//! {"format": "patkit.entry", "version": 4,
//!  "revision": 7,                       keyring and file store; absent in Vault (the KV version is the revision)
//!  "secret": "<token>",
//!  "record": {"name": "ci/feed", "provider": "azure-devops", "organization": "contoso",
//!             "stored_at": "<RFC 3339>",
//!             "token":    {"id": "…", "display_name": "…", "scopes": ["vso.code", …],
//!                          "valid_from": "<RFC 3339>", "valid_to": "<RFC 3339>" | null (never expires),
//!                          "extras": {"<key>": "<value>", …}},      the provider's attributes
//!             "rotation": {"replacement_display_name": "…", "started_at": "<RFC 3339>",    optional
//!                          "server_rotate": "<id of the token being rotated at the server>"}, optional
//!             "previous": <same shape as "token">,                                          optional
//!             "retiring": {"until": "<RFC 3339>",                     why "previous" is not revoked yet, optional
//!                          "handoff_pending": true}}}                  optional, absent when false
//! ```
//!
//! A removed Vault entry (a tombstone version) is `{"format": "patkit.entry", "version": 4,
//! "removed": true}`.
//!
//! Any change to this shape, even one added field, takes a new `version` (a new module beside
//! `v4`, and reading of every older version kept): an older build that ignored a field it does
//! not know would drop it when it rewrites the entry. The pinned test in `tests.rs` fails on any
//! accidental change.
//!
//! # Entry format 3 (patkit 0.2 development builds, read only)
//!
//! Format 4 without `retiring` (read as none: a `previous` is revoked as soon as the checks
//! allow, as those builds did).
//!
//! # Entry format 2 (patkit 0.2 development builds, read only)
//!
//! Format 3 with `valid_to` always set and, instead of `extras`, Azure DevOps' `"targets":
//! {"kind": "all_organizations"} | {"kind": "organizations", "ids": […]}`, read as the Azure
//! `targets` extra (`*`, or the ids joined by `,`).
//!
//! # Entry format 1 (patkit 0.1, read only)
//!
//! The serde shape of the 0.1 public `PatRecord` (`metadata` instead of `token`, `scopes` one
//! space-separated string, `targets` `"all_organizations"` or `{"organizations": [...]}`, and a
//! `revision` field inside the record): keyring items
//! `{"format": "patkit.v1", "revision": n, "secret": …, "record": {…}}`, Vault data
//! `{"format": "patkit.v1", "secret": …, "record": {…}}` or `{"format": "patkit.v1", "removed":
//! true}`, and file-store bodies `{"record": {…}, "secret": …}` (no `format`; the file header
//! says version 1). Fixtures written by 0.1 are in `tests/fixtures/store-format-v1/`.
//!
//! # Unknown versions
//!
//! A document with another `format`, or `"patkit.entry"` with a `version` this build does not
//! know (written by a newer patkit), is reported as [`StoreErrorKind::Corrupt`] by every store and
//! left as it is: reads fail, and writes over it are refused like writes over any damaged entry.
//! Reasons name JSON paths and versions, never a stored value, so they cannot quote a secret.
//!
//! [`StoreErrorKind::Corrupt`]: crate::store::StoreErrorKind::Corrupt

mod v1;
mod v2;
mod v3;
mod v4;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::secret::PatSecret;
use crate::store::{PatRecord, StoredPat};

/// The `format` of every document this build writes.
pub(crate) const FORMAT: &str = "patkit.entry";
/// The entry format version this build writes.
pub(crate) const VERSION: u32 = 4;

/// A document to write: an entry or a tombstone, in the current format.
#[derive(Serialize)]
pub(crate) struct Document<'a> {
    format: &'static str,
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    removed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<v4::Record>,
}

impl<'a> Document<'a> {
    /// `entry` in the current format. `revision` is written when the store keeps revisions in the
    /// document (`None`: the backend numbers versions itself); `entry.record.revision` is ignored.
    pub(crate) fn entry(entry: &'a StoredPat, revision: Option<u64>) -> Self {
        Self {
            format: FORMAT,
            version: VERSION,
            revision,
            removed: false,
            secret: Some(entry.secret.expose_secret()),
            record: Some(v4::Record::from_public(&entry.record)),
        }
    }

    /// The mark of a removed entry (the Vault store keeps one as the latest version).
    #[cfg(any(feature = "vault", test))]
    pub(crate) fn tombstone() -> Self {
        Self { format: FORMAT, version: VERSION, revision: None, removed: true, secret: None, record: None }
    }

    /// The document as JSON bytes, wiped when dropped (they hold the secret).
    pub(crate) fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(1024));
        serde_json::to_writer(&mut *out, self).expect("a document serializes to JSON");
        out
    }
}

/// A document as read, of any format version, not yet checked.
#[derive(Deserialize)]
pub(crate) struct Stored {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    version: Option<u64>,
    #[serde(default)]
    revision: Option<u64>,
    #[serde(default)]
    removed: bool,
    #[serde(default)]
    secret: Option<String>,
    /// Parsed once the version is known. Holds no secret.
    #[serde(default)]
    record: Option<serde_json::Value>,
}

/// What a stored document holds.
#[allow(clippy::large_enum_variant)] // a return value, taken apart at once
pub(crate) enum Content {
    /// An entry. `entry.record.revision` is `revision`, or 0 when the document has none.
    Entry {
        /// The entry.
        entry: StoredPat,
        /// The revision written in the document, if any.
        revision: Option<u64>,
    },
    /// The mark of a removed entry.
    Removed,
}

/// Reads a document of any known version from JSON. The error is a secret-free reason, worded to
/// follow the entry's description ("Vault entry 'x' …").
pub(crate) fn decode(bytes: &[u8]) -> Result<Content, String> {
    open(from_json(bytes)?)
}

/// Checks and converts a document read as part of a larger answer (Vault's).
pub(crate) fn open(stored: Stored) -> Result<Content, String> {
    let Stored { format, version, revision, removed, secret, record } = stored;
    let secret = secret.map(PatSecret::new);
    let format = format.ok_or_else(|| "is not a patkit entry (it has no `format`)".to_owned())?;
    let record = match (format.as_str(), version) {
        (FORMAT, Some(v)) if v == u64::from(VERSION) => Version::Four,
        (FORMAT, Some(3)) => Version::Three,
        (FORMAT, Some(2)) => Version::Two,
        (FORMAT, Some(v)) => {
            return Err(format!(
                "was written in entry format version {v}, which this build cannot read (it reads versions 1 to \
                 {VERSION}; a newer patkit wrote it?); it was left as it is"
            ));
        }
        (FORMAT, None) => return Err("is not a patkit entry (it has no `version`)".to_owned()),
        (v1::FORMAT, _) => Version::One,
        (other, _) => {
            // Stored data, not ours: quoted capped, like a service's message.
            return Err(format!(
                "has format '{}', expected '{FORMAT}' or '{}'",
                crate::quote::cap(other.to_owned()),
                v1::FORMAT
            ));
        }
    }
    .parse(record)?;
    if removed {
        return Ok(Content::Removed);
    }
    let (Some(secret), Some(mut record)) = (secret, record) else {
        return Err("lacks its secret or its record".to_owned());
    };
    record.revision = revision.unwrap_or(0);
    Ok(Content::Entry { entry: StoredPat { record, secret }, revision })
}

/// A file-store body of format 1: `{"record": <0.1 PatRecord>, "secret": "…"}`, whose revision is
/// the record's.
#[cfg(unix)]
pub(crate) fn decode_file_body_v1(bytes: &[u8]) -> Result<StoredPat, String> {
    #[derive(Deserialize)]
    struct Body {
        record: serde_json::Value,
        secret: String,
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let Body { record, secret } = serde_path_to_error::deserialize(&mut deserializer).map_err(not_an_entry)?;
    let secret = PatSecret::new(secret);
    let record = Version::One.parse(Some(record))?.expect("a record was given");
    Ok(StoredPat { record, secret })
}

fn from_json(bytes: &[u8]) -> Result<Stored, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(not_an_entry)
}

/// Never the decoder's message (it can quote a value, e.g. a misplaced secret): only the path.
fn not_an_entry(e: serde_path_to_error::Error<serde_json::Error>) -> String {
    format!("is not a patkit entry (could not decode `{}`)", e.path())
}

#[derive(Clone, Copy)]
enum Version {
    One,
    Two,
    Three,
    Four,
}

impl Version {
    /// The public record in `record`, at the revision format 1 stored in it (0 in formats 2 to 4).
    fn parse(self, record: Option<serde_json::Value>) -> Result<Option<PatRecord>, String> {
        let Some(record) = record else { return Ok(None) };
        let at_record = |e: serde_path_to_error::Error<serde_json::Error>| match e.path().to_string().as_str() {
            "." => "is not a patkit entry (could not decode `record`)".to_owned(),
            path => format!("is not a patkit entry (could not decode `record.{path}`)"),
        };
        Ok(Some(match self {
            Self::One => serde_path_to_error::deserialize::<_, v1::Record>(record).map_err(at_record)?.into(),
            Self::Two => serde_path_to_error::deserialize::<_, v2::Record>(record)
                .map_err(at_record)?
                .into_public()
                .map_err(|why| format!("is not a patkit entry (its record {why})"))?,
            Self::Three => serde_path_to_error::deserialize::<_, v3::Record>(record)
                .map_err(at_record)?
                .into_public()
                .map_err(|why| format!("is not a patkit entry (its record {why})"))?,
            Self::Four => serde_path_to_error::deserialize::<_, v4::Record>(record)
                .map_err(at_record)?
                .into_public()
                .map_err(|why| format!("is not a patkit entry (its record {why})"))?,
        }))
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests;
