use super::*;
use crate::testing::conformance::{full_entry, sample_entry};

fn fixture(file: &str) -> Value {
    let path = format!("{}/tests/fixtures/store-format-v1/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn format_1_vault_documents_load_with_every_field() {
    for (file, name, expected) in [
        ("vault-full.json", "ci/nuget-feed", full_entry("ci/nuget-feed", "fixture-secret-full")),
        ("vault-plain.json", "plain", sample_entry("plain", "fixture-secret-plain")),
    ] {
        let got = answers::parse_read(name, &read_answer(5, fixture(file))).unwrap().expect(file);
        let mut record = expected.record.clone();
        record.revision = 5;
        assert_eq!(got.record, record, "{file}");
        assert_eq!(got.secret.expose_secret(), expected.secret.expose_secret(), "{file}");
    }
    let removed = read_answer(6, fixture("vault-removed.json"));
    assert!(answers::parse_read("plain", &removed).unwrap().is_none());
    assert!(matches!(
        answers::parse_current("plain", &removed).unwrap(),
        answers::Current::Absent { version: Some(6) }
    ));
}

#[test]
fn an_entry_of_a_future_format_version_is_corrupt_and_quotes_nothing() {
    let request = endpoint().write(entry("a"), None).unwrap();
    let mut data = serde_json::from_slice::<Value>(request.body()).unwrap()["data"].take();
    data["version"] = json!(5);
    let answer = read_answer(4, data);
    let err = answers::parse_read("a", &answer).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert!(err.message().contains("entry format version 5"), "{err}");
    assert_no_canary(&format!("{err} {err:?}"));
    // Still there, so a remove can find it; nothing treats it as absent.
    assert!(matches!(answers::parse_current("a", &answer).unwrap(), answers::Current::Present { version: 4 }));
}
