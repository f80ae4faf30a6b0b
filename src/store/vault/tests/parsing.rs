//! The parsers of Vault's answers and the errors they map to.

use super::*;

#[test]
fn tombstones_and_deleted_versions_read_as_absent() {
    let tombstone = read_answer(6, json!({"format": "patkit.v1", "removed": true}));
    assert!(answers::parse_read("a", &tombstone).unwrap().is_none());
    assert!(matches!(answers::parse_current("a", &tombstone).unwrap(), answers::Current::Absent { version: Some(6) }));
    // A version deleted outside patkit: 404 with its metadata.
    let deleted = response(
        404,
        json!({"data": {"data": null, "metadata": {"version": 3, "deletion_time": "2026-01-01T00:00:00Z"}}}),
    );
    assert!(answers::parse_read("a", &deleted).unwrap().is_none());
    assert!(matches!(answers::parse_current("a", &deleted).unwrap(), answers::Current::Deleted { version: 3 }));
    let never = response(404, json!({"errors": []}));
    assert!(matches!(answers::parse_current("a", &never).unwrap(), answers::Current::Absent { version: None }));
    let live = read_answer(2, stored_data("a"));
    assert!(matches!(answers::parse_current("a", &live).unwrap(), answers::Current::Present { version: 2 }));
    // A damaged entry is still Present, so it can be removed.
    let damaged = read_answer(7, json!({"format": "patkit.v1", "secret": 5}));
    assert_eq!(answers::parse_read("a", &damaged).unwrap_err().kind(), StoreErrorKind::Corrupt);
    assert!(matches!(answers::parse_current("a", &damaged).unwrap(), answers::Current::Present { version: 7 }));
}

#[test]
fn read_maps_the_kv_version_to_the_revision() {
    let got = answers::parse_read("ci/feed", &read_answer(3, stored_data("ci/feed"))).unwrap().unwrap();
    assert_eq!(got.record.revision, 3);
    let mut expected = record("ci/feed");
    expected.revision = 3;
    assert_eq!(got.record, expected);
    assert_eq!(got.secret.expose_secret(), SECRET);
}

#[test]
fn read_takes_the_name_from_the_path() {
    let got = answers::parse_read("moved", &read_answer(1, stored_data("original"))).unwrap().unwrap();
    assert_eq!(got.record.name, "moved");
}

#[test]
fn missing_entry_is_none_but_a_missing_mount_is_an_error() {
    assert!(answers::parse_read("a", &response(404, json!({"errors": []}))).unwrap().is_none());
    let no_mount = response(404, json!({"errors": ["no handler for route \"nope/data/a\". route entry not found."]}));
    let err = answers::parse_read("a", &no_mount).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Other);
    assert!(err.message().contains("mount"), "{err}");
}

#[test]
fn undecodable_entries_are_corrupt_and_never_quote_the_body() {
    // serde_json's own message would quote the string value it choked on.
    let mut data = stored_data("a");
    data["record"]["token"]["valid_to"] = json!(SECRET);
    let err = answers::parse_read("a", &read_answer(1, data)).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert!(err.message().contains("valid_to"), "{err}");
    assert_no_canary(&format!("{err} {err:?}"));

    let mut data = stored_data("a");
    data["format"] = json!("something-else");
    let err = answers::parse_read("a", &read_answer(1, data)).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert_no_canary(&format!("{err} {err:?}"));

    let err = answers::parse_read("a", &read_answer(1, json!({"password": SECRET}))).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert_no_canary(&format!("{err} {err:?}"));
}

#[test]
fn write_returns_the_new_version() {
    let answer = response(200, json!({"data": {"version": 9, "created_time": "2026-01-01T00:00:00Z"}}));
    assert_eq!(answers::parse_write("a", &answer).unwrap(), 9);
}

#[test]
fn statuses_map_to_store_error_kinds() {
    let cases = [
        (
            400,
            json!({"errors": ["check-and-set parameter did not match the current version"]}),
            StoreErrorKind::Conflict,
        ),
        (412, json!({"errors": []}), StoreErrorKind::Conflict),
        (400, json!({"errors": ["check-and-set parameter required for this call"]}), StoreErrorKind::Other),
        (403, json!({"errors": ["permission denied"]}), StoreErrorKind::PermissionDenied),
        (401, json!({}), StoreErrorKind::PermissionDenied),
        (503, json!({"errors": ["Vault is sealed"]}), StoreErrorKind::Unavailable),
        (500, json!({"errors": ["internal error"]}), StoreErrorKind::Unavailable),
        (429, json!({}), StoreErrorKind::Unavailable),
        (307, json!({}), StoreErrorKind::Unavailable),
        (418, json!({}), StoreErrorKind::Other),
    ];
    for (status, body, kind) in cases {
        let err = answers::parse_write("a", &response(status, body.clone())).unwrap_err();
        assert_eq!(err.kind(), kind, "{status} {body}");
        assert!(err.message().contains(&status.to_string()), "{err}");
        assert!(err.message().contains("'a'"), "{err}");
    }
    let sealed = answers::parse_read("a", &response(503, json!({"errors": ["Vault is sealed"]}))).unwrap_err();
    assert!(sealed.message().contains("sealed"), "{sealed}");
}

#[test]
fn error_bodies_are_never_quoted() {
    let body = json!({"errors": [format!("1 error occurred: {SECRET} {TOKEN}")]});
    for status in [400, 403, 404, 500, 503] {
        let err = answers::parse_read("a", &response(status, body.clone())).err();
        if let Some(err) = err {
            assert_no_canary(&format!("{err} {err:?}"));
        }
        let err = answers::parse_write("a", &response(status, body.clone())).unwrap_err();
        assert_no_canary(&format!("{err} {err:?}"));
    }
}

#[test]
fn list_returns_keys_and_treats_a_missing_folder_as_empty() {
    let answer = response(200, json!({"data": {"keys": ["a", "ci/", "ci"]}}));
    assert_eq!(answers::parse_list("", &answer).unwrap(), ["a", "ci/", "ci"]);
    assert!(answers::parse_list("", &response(404, json!({"errors": []}))).unwrap().is_empty());
    assert_eq!(
        answers::parse_list("", &response(403, json!({}))).unwrap_err().kind(),
        StoreErrorKind::PermissionDenied
    );
}

#[test]
fn metadata_versions_and_destroy_answers() {
    let answer = response(200, json!({"data": {"current_version": 3, "versions": {"2": {}, "3": {}, "10": {}}}}));
    let mut versions = answers::parse_versions("a", &answer).unwrap();
    versions.sort_unstable();
    assert_eq!(versions, [2, 3, 10]);
    assert!(answers::parse_versions("a", &response(404, json!({"errors": []}))).unwrap().is_empty());
    answers::parse_destroy("a", &response(204, Value::Null)).unwrap();
    assert_eq!(
        answers::parse_destroy("a", &response(403, json!({}))).unwrap_err().kind(),
        StoreErrorKind::PermissionDenied
    );
}

#[test]
fn transport_failures_are_unavailable_and_say_a_write_may_have_landed() {
    let connect = TransportError::new(TransportErrorKind::Connect, "connection refused");
    let err = answers::transport_error(VaultTokenStore::WRITE, "a", connect);
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert!(!err.message().contains("may or may not"), "{err}");
    let timeout = TransportError::new(TransportErrorKind::Timeout, "timed out");
    let err = answers::transport_error(VaultTokenStore::WRITE, "a", timeout);
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert!(err.message().contains("may or may not"), "{err}");
    let refused = TransportError::new(TransportErrorKind::Refused, "http to a remote host");
    assert_eq!(answers::transport_error(VaultTokenStore::READ, "a", refused).kind(), StoreErrorKind::Other);
}
