//! The persisted document on its own: the pinned shape of format 4, reading formats 2 and 3,
//! round trips, and refusals.

use serde_json::{Value, json};

use super::*;
use crate::testing::conformance::{full_entry, neutral_entry, sample_entry, server_rotating_entry};

const CANARY: &str = "CANARY-persisted-3b7d";

fn document(entry: &StoredPat, revision: Option<u64>) -> Value {
    serde_json::from_slice(&Document::entry(entry, revision).to_json()).unwrap()
}

fn reason(value: &Value) -> String {
    match decode(&serde_json::to_vec(value).unwrap()) {
        Err(reason) => reason,
        Ok(_) => panic!("{value} was accepted"),
    }
}

/// Format 4 is what every store writes; changing it needs a new version (and reading the old).
#[test]
fn format_4_is_pinned() {
    let written = document(&full_entry("ci/feed", CANARY), Some(9));
    let token = |id: &str, name: &str, scopes: Value, from: &str, to: Value, extras: Value| {
        json!({"id": id, "display_name": name, "scopes": scopes, "valid_from": from, "valid_to": to,
               "extras": extras})
    };
    let expected = json!({
        "format": "patkit.entry", "version": 4, "revision": 9, "secret": CANARY,
        "record": {
            "name": "ci/feed", "provider": "azure-devops-server",
            "organization": "https://dev.example.com/fabrikam",
            "stored_at": "2026-01-02T00:00:00.123456789Z",
            "token": token("4a8e6d1c-2b3f-4e5a-9c7d-0f1e2d3c4b5a", "nuget feed — Ünïcode \"quoted\"",
                json!(["vso.code_write", "vso.packaging", "vso.work_write"]),
                "2026-01-02T00:00:00.000000001Z", json!("2026-04-01T00:00:00.999999999Z"),
                json!({"targets": "org-one,org-two"})),
            "rotation": {"replacement_display_name": "nuget feed (rotated 2026-03-01)",
                         "started_at": "2026-03-01T00:00:00.500Z"},
            "previous": token("11111111-2222-3333-4444-555555555555", "nuget feed (old)", json!(["vso.packaging"]),
                "2025-01-01T00:00:00Z", json!("2026-01-01T00:00:00Z"), json!({"targets": "org-one"})),
        }
    });
    assert_eq!(written, expected);
    let plain = document(&sample_entry("a", CANARY), None);
    assert!(plain.get("revision").is_none());
    assert_eq!(plain["record"]["token"]["extras"], json!({"targets": "*"}));
    assert!(plain["record"].get("rotation").is_none() && plain["record"].get("previous").is_none());
    let neutral = document(&neutral_entry("n", CANARY), None);
    assert_eq!(neutral["record"]["token"]["valid_to"], Value::Null, "a token that never expires");
    assert_eq!(neutral["record"]["token"]["extras"]["access_level"], "30");
    assert_eq!(neutral["record"]["retiring"], json!({"until": "2026-03-01T00:00:00.250Z", "handoff_pending": true}));
    let mut handed_off = neutral_entry("n", CANARY);
    handed_off.record.retiring.as_mut().unwrap().handoff_pending = false;
    let handed_off = document(&handed_off, None);
    assert_eq!(handed_off["record"]["retiring"], json!({"until": "2026-03-01T00:00:00.250Z"}));
    let tombstone: Value = serde_json::from_slice(&Document::tombstone().to_json()).unwrap();
    assert_eq!(tombstone, json!({"format": "patkit.entry", "version": 4, "removed": true}));
}

/// Format 3 (before grace periods) is still read: every field as in format 4, no `retiring`.
#[test]
fn format_3_is_read() {
    let token = |id: &str| {
        json!({"id": id, "display_name": "feed", "scopes": ["read:user", "write:repository"],
               "valid_from": "2026-01-02T00:00:00Z", "valid_to": null, "extras": {"access_level": "30"}})
    };
    let v3 = json!({
        "format": "patkit.entry", "version": 3, "revision": 6, "secret": CANARY,
        "record": {"name": "ci/feed", "provider": "gitea", "organization": "git.example.com",
                   "stored_at": "2026-01-02T00:00:00Z",
                   "token": token("2"),
                   "rotation": {"replacement_display_name": "feed~r1", "started_at": "2026-03-01T00:00:00Z",
                                "server_rotate": "1"},
                   "previous": token("1")}
    });
    let Content::Entry { entry, revision } = decode(&serde_json::to_vec(&v3).unwrap()).unwrap() else {
        panic!("a format 3 entry reads back as removed")
    };
    assert_eq!(revision, Some(6));
    let record = &entry.record;
    assert_eq!((record.metadata.id.as_str(), record.metadata.valid_to), ("2", None));
    assert_eq!(record.metadata.extras.get("access_level"), Some("30"));
    assert_eq!(record.rotation.as_ref().unwrap().server_rotate.as_ref().unwrap().as_str(), "1");
    assert_eq!(record.previous.as_ref().unwrap().id.as_str(), "1");
    assert_eq!(record.retiring, None, "format 3 has no retiring mark");
    assert_eq!(entry.secret.expose_secret(), CANARY);
    // A format 3 document that somehow carries `retiring` is read as format 3: the field is not
    // part of it (only format 4 gives it meaning).
    let mut odd = v3.clone();
    odd["record"]["retiring"] = json!({"until": "2026-03-01T00:00:00Z"});
    let Content::Entry { entry, .. } = decode(&serde_json::to_vec(&odd).unwrap()).unwrap() else { panic!() };
    assert_eq!(entry.record.retiring, None);
}

/// Format 2 (0.2 development builds) is still read: its required `valid_to` and Azure's
/// `targets` become an expiry and the Azure `targets` extra.
#[test]
fn format_2_is_read() {
    let token = |id: &str, targets: Value| {
        json!({"id": id, "display_name": "feed", "scopes": ["vso.code", "vso.packaging"],
               "valid_from": "2026-01-02T00:00:00Z", "valid_to": "2026-04-01T00:00:00Z", "targets": targets})
    };
    let v2 = json!({
        "format": "patkit.entry", "version": 2, "revision": 4, "secret": CANARY,
        "record": {"name": "ci/feed", "provider": "azure-devops", "organization": "contoso",
                   "stored_at": "2026-01-02T00:00:00Z",
                   "token": token("1", json!({"kind": "organizations", "ids": ["org-one", "org-two"]})),
                   "previous": token("0", json!({"kind": "all_organizations"}))}
    });
    let Content::Entry { entry, revision } = decode(&serde_json::to_vec(&v2).unwrap()).unwrap() else {
        panic!("a format 2 entry reads back as removed")
    };
    assert_eq!(revision, Some(4));
    let token = &entry.record.metadata;
    assert_eq!(token.valid_to, Some("2026-04-01T00:00:00Z".parse().unwrap()));
    assert_eq!(token.extras.get("targets"), Some("org-one,org-two"));
    assert_eq!(token.scopes.to_string(), "vso.code vso.packaging");
    assert_eq!(entry.record.previous.unwrap().extras.get("targets"), Some("*"));
    assert_eq!(entry.secret.expose_secret(), CANARY);
}

#[test]
fn a_server_side_rotate_in_flight_is_written_and_read_back() {
    let entry = server_rotating_entry("ci/feed", CANARY);
    let written = document(&entry, Some(1));
    assert_eq!(written["record"]["rotation"]["server_rotate"], json!("0000042"));
    let Content::Entry { entry: back, .. } = decode(&Document::entry(&entry, Some(1)).to_json()).unwrap() else {
        panic!("an entry reads back as removed")
    };
    assert_eq!(back.record.rotation, entry.record.rotation);
}

#[test]
fn format_4_round_trips_every_field() {
    for entry in [
        full_entry("ci/feed", CANARY),
        server_rotating_entry("ci/feed", CANARY),
        sample_entry("a", CANARY),
        neutral_entry("n", CANARY),
    ] {
        let Content::Entry { entry: back, revision } = decode(&Document::entry(&entry, Some(5)).to_json()).unwrap()
        else {
            panic!("an entry reads back as removed")
        };
        let mut expected = entry.record.clone();
        expected.revision = 5;
        assert_eq!((back.record, revision), (expected, Some(5)));
        assert_eq!(back.secret.expose_secret(), CANARY);
    }
    assert!(matches!(decode(&Document::tombstone().to_json()).unwrap(), Content::Removed));
}

#[test]
fn unknown_formats_and_versions_are_refused_without_quoting_the_secret() {
    let good = document(&full_entry("a", CANARY), Some(1));
    let with = |key: &str, value: Value| {
        let mut v = good.clone();
        v[key] = value;
        v
    };
    let mut no_version = good.clone();
    no_version.as_object_mut().unwrap().remove("version");
    let mut no_format = good.clone();
    no_format.as_object_mut().unwrap().remove("format");
    let mut bad_scope = good.clone();
    bad_scope["record"]["token"]["scopes"] = json!(["vso.code vso.work"]);
    for (value, says) in [
        (with("version", json!(5)), "entry format version 5"),
        (with("version", json!(1)), "entry format version 1"),
        (with("format", json!("patkit.v9")), "has format 'patkit.v9'"),
        (no_version, "no `version`"),
        (no_format, "no `format`"),
        (with("record", json!(CANARY)), "could not decode `record`"),
        (with("secret", json!({"s": CANARY})), "could not decode `secret`"),
        (bad_scope, "scope that is empty or holds whitespace"),
        (json!({"format": "patkit.entry", "version": 4, "secret": CANARY}), "lacks its secret or its record"),
    ] {
        let reason = reason(&value);
        assert!(reason.contains(says), "{value}: {reason}");
        assert!(!reason.contains(CANARY), "the reason quotes the secret: {reason}");
    }
    // A format 3 record under the format 1 name (or the other way round) is not accepted.
    assert!(reason(&with("format", json!("patkit.v1"))).contains("could not decode `record."));
}
