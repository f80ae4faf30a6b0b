//! What one keyring item holds: the secret and its record, as one JSON document.
//!
//! The keyring item's *secret* is
//! `{"format": "patkit.v1", "revision": n, "secret": "<token>", "record": {…}}`. Keeping the
//! record inside the item's secret (rather than in its attributes) makes every write one
//! platform call, so a crash leaves the old entry or the new one, never a secret paired with
//! another token's metadata; it also works the same on every keyring-core backend (Windows'
//! Credential Manager has no free-form attributes).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::secret::PatSecret;
use crate::store::{PatRecord, StoreError, StoreErrorKind, StoredPat};

/// The `format` of every item patkit writes.
pub(crate) const FORMAT: &str = "patkit.v1";

#[derive(Serialize)]
struct Out<'a> {
    format: &'a str,
    revision: u64,
    secret: &'a str,
    record: &'a PatRecord,
}

#[derive(Deserialize)]
struct In {
    format: String,
    revision: u64,
    secret: String,
    record: PatRecord,
}

/// The bytes to store for `entry` at `revision`. Zeroized when dropped.
pub(crate) fn encode(entry: &StoredPat, revision: u64) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let mut record = entry.record.clone();
    record.revision = revision;
    let out = Out { format: FORMAT, revision, secret: entry.secret.expose_secret(), record: &record };
    serde_json::to_vec(&out).map(Zeroizing::new).map_err(|_| {
        StoreError::new(StoreErrorKind::Other, format!("could not encode entry '{}' as JSON", entry.name()))
    })
}

/// The entry stored in `bytes` for `name`. A failure names the JSON path, never the decoder's
/// message (which can quote a value, here the secret).
pub(crate) fn decode(name: &str, bytes: &[u8]) -> Result<StoredPat, StoreError> {
    decode_as(Some(name), &format!("keyring entry '{name}'"), bytes)
}

/// An entry found by searching `service`: its name is the one stored in its record.
pub(crate) fn decode_listed(service: &str, bytes: &[u8]) -> Result<StoredPat, StoreError> {
    decode_as(None, &format!("a keyring item of service '{service}'"), bytes)
}

fn decode_as(name: Option<&str>, what: &str, bytes: &[u8]) -> Result<StoredPat, StoreError> {
    let corrupt = |why: String| StoreError::new(StoreErrorKind::Corrupt, format!("{what} {why}"));
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: In = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| corrupt(format!("is not a patkit entry (could not decode `{}`)", e.path())))?;
    let In { format, revision, secret, mut record } = parsed;
    let secret = PatSecret::new(secret);
    if format != FORMAT {
        // Stored data, not ours: quoted capped, like a service's message.
        return Err(corrupt(format!("has format '{}', expected '{FORMAT}'", crate::quote::cap(format))));
    }
    if let Some(name) = name {
        name.clone_into(&mut record.name);
    }
    record.revision = revision;
    Ok(StoredPat { record, secret })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{PatId, PatMetadata, Targets};
    use crate::scope::Scopes;

    fn sample(name: &str, secret: &str) -> StoredPat {
        let at = |secs| Utc.timestamp_opt(secs, 5).single().unwrap();
        let record = PatRecord {
            name: name.to_owned(),
            provider: "azure-devops".to_owned(),
            organization: "contoso".to_owned(),
            metadata: PatMetadata {
                id: PatId::new("id-1"),
                display_name: "feed".to_owned(),
                scopes: Scopes::parse("vso.code").unwrap(),
                valid_from: at(1_767_225_600),
                valid_to: at(1_769_904_000),
                targets: Targets::AllOrganizations,
            },
            stored_at: at(1_767_225_601),
            revision: 3,
            rotation: None,
            previous: None,
        };
        StoredPat { record, secret: PatSecret::new(secret.to_owned()) }
    }

    const CANARY: &str = "CANARY-keyring-9d1e";

    #[test]
    fn round_trip_sets_the_revision_and_keeps_every_field() {
        let entry = sample("ci/feed", CANARY);
        let bytes = encode(&entry, 17).unwrap();
        let back = decode("ci/feed", &bytes).unwrap();
        let mut expected = entry.record.clone();
        expected.revision = 17;
        assert_eq!(back.record, expected);
        assert_eq!(back.secret.expose_secret(), CANARY);
    }

    #[test]
    fn damaged_items_are_corrupt_and_never_quote_the_secret() {
        let bytes = encode(&sample("a", CANARY), 1).unwrap();
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value["revision"] = serde_json::json!(CANARY);
        for damaged in [
            serde_json::to_vec(&value).unwrap(),
            bytes[..bytes.len() / 2].to_vec(),
            CANARY.as_bytes().to_vec(),
            serde_json::to_vec(&serde_json::json!({"format": "other", "revision": 1, "secret": CANARY,
                "record": serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["record"]}))
            .unwrap(),
        ] {
            let err = decode("a", &damaged).unwrap_err();
            assert_eq!(err.kind(), StoreErrorKind::Corrupt);
            assert!(!format!("{err} {err:?}").contains(CANARY), "{err}");
        }
    }
}
