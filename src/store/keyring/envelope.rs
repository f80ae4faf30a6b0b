//! What one keyring item holds: the secret and its record, as one JSON document.
//!
//! The keyring item's *secret* is the entry document of [`crate::store::persisted`] with its
//! `revision` (format 4: `{"format": "patkit.entry", "version": 4, "revision": n, "secret":
//! "<token>", "record": {…}}`; items written by patkit 0.1 in format 1, `{"format": "patkit.v1",
//! "revision": n, "secret": …, "record": {…}}`, are still read). Keeping the record inside the
//! item's secret (rather than in its attributes) makes every write one platform call, so a crash
//! leaves the old entry or the new one, never a secret paired with another token's metadata; it
//! also works the same on every keyring-core backend (Windows' Credential Manager has no
//! free-form attributes).

use zeroize::Zeroizing;

use crate::store::persisted::{self, Content, Document};
use crate::store::{StoreError, StoreErrorKind, StoredPat};

/// The bytes to store for `entry` at `revision`. Zeroized when dropped.
pub(crate) fn encode(entry: &StoredPat, revision: u64) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    Ok(Document::entry(entry, Some(revision)).to_json())
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
    let mut entry = match persisted::decode(bytes).map_err(corrupt)? {
        Content::Entry { entry, revision: Some(_) } => entry,
        Content::Entry { revision: None, .. } => return Err(corrupt("lacks its revision".to_owned())),
        Content::Removed => return Err(corrupt("is a removal mark, which keyring items never are".to_owned())),
    };
    if let Some(name) = name {
        name.clone_into(&mut entry.record.name);
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{PatId, PatMetadata};
    use crate::scope::Scopes;
    use crate::secret::PatSecret;
    use crate::store::PatRecord;

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
                valid_to: Some(at(1_769_904_000)),
                extras: crate::extras::Extras::new(),
            },
            stored_at: at(1_767_225_601),
            revision: 3,
            rotation: None,
            previous: None,
            retiring: None,
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

    #[test]
    fn new_items_carry_the_entry_format_version() {
        let bytes = encode(&sample("a", CANARY), 4).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["format"], "patkit.entry");
        assert_eq!(value["version"], 4);
        assert_eq!(value["revision"], 4);
    }

    #[test]
    fn an_item_of_a_future_format_version_is_corrupt_and_quotes_nothing() {
        let bytes = encode(&sample("a", CANARY), 1).unwrap();
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value["version"] = serde_json::json!(5);
        let err = decode("a", &serde_json::to_vec(&value).unwrap()).unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
        assert!(err.message().contains("entry format version 5"), "{err}");
        assert!(!format!("{err} {err:?}").contains(CANARY), "{err}");
    }

    /// The committed keyring item secrets written by 11596cb (entry format 1).
    #[cfg(feature = "testing")]
    #[test]
    fn format_1_items_load_with_every_field() {
        use crate::testing::conformance::{full_entry, sample_entry};
        for (file, expected, revision) in [
            ("keyring-full.json", full_entry("ci/nuget-feed", "fixture-secret-full"), 3),
            ("keyring-plain.json", sample_entry("plain", "fixture-secret-plain"), 1),
        ] {
            let path = format!("{}/tests/fixtures/store-format-v1/{file}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(path).unwrap();
            let mut record = expected.record.clone();
            record.revision = revision;
            for got in [decode(expected.name(), &bytes).unwrap(), decode_listed("patkit", &bytes).unwrap()] {
                assert_eq!(got.record, record, "{file}");
                assert_eq!(got.secret.expose_secret(), expected.secret.expose_secret(), "{file}");
            }
        }
    }
}
