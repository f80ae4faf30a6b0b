//! Request shapes and response mapping of the KV v2 store, without a server.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use http::Method;
use serde_json::{Value, json};

use super::wire::{self, Endpoint};
use super::*;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;
use crate::transport::{TransportError, TransportErrorKind, from_fn};

const SECRET: &str = "CANARY-pat-5e1f";
const TOKEN: &str = "CANARY-vault-token-77a2";

fn endpoint() -> Endpoint {
    Endpoint::new("http://127.0.0.1:8200", VaultToken::new(TOKEN.to_owned()), "secret", "patkit", None).unwrap()
}

fn record(name: &str) -> PatRecord {
    PatRecord {
        name: name.to_owned(),
        provider: "azure-devops".to_owned(),
        organization: "contoso".to_owned(),
        metadata: PatMetadata {
            id: PatId::new("4b9f6c1e-0000-4000-8000-000000000001"),
            display_name: "ci feed".to_owned(),
            scopes: Scopes::parse("vso.packaging").unwrap(),
            valid_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            valid_to: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
            extras: crate::extras::Extras::new().with("targets", "org-1"),
        },
        stored_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap(),
        revision: 41,
        rotation: None,
        previous: None,
    }
}

fn entry(name: &str) -> StoredPat {
    StoredPat { record: record(name), secret: PatSecret::new(SECRET.to_owned()) }
}

fn response(status: u16, body: Value) -> HttpResponse {
    http::Response::builder().status(status).body(serde_json::to_vec(&body).unwrap()).unwrap()
}

fn read_answer(version: u64, data: Value) -> HttpResponse {
    response(200, json!({"data": {"data": data, "metadata": {"version": version, "destroyed": false}}}))
}

/// The KV `data` of `entry(name)` as this build writes it.
fn stored_data(name: &str) -> Value {
    serde_json::from_slice(&crate::store::persisted::Document::entry(&entry(name), None).to_json()).unwrap()
}

fn assert_no_canary(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

#[test]
fn read_is_an_authenticated_get_of_the_data_path() {
    let request = endpoint().read("ci/nuget-feed").unwrap();
    assert_eq!(request.method(), Method::GET);
    assert_eq!(request.uri(), "http://127.0.0.1:8200/v1/secret/data/patkit/ci/nuget-feed");
    let token = &request.headers()["x-vault-token"];
    assert_eq!(token, TOKEN);
    assert!(token.is_sensitive());
    assert_eq!(request.headers()["x-vault-request"], "true");
    assert_eq!(Operation::of(&request), Some(VaultTokenStore::READ));
    assert!(request.body().is_empty());
    assert_no_canary(&format!("{request:?}"));
}

#[test]
fn names_are_percent_encoded_segment_by_segment() {
    let request = endpoint().read("team a/feed?#%ü").unwrap();
    assert_eq!(request.uri(), "http://127.0.0.1:8200/v1/secret/data/patkit/team%20a/feed%3F%23%25%C3%BC");
}

#[test]
fn every_non_empty_name_is_a_path_and_round_trips_through_listing() {
    let cases = [
        ("a//b", "/v1/secret/data/patkit/a/~/b"),
        ("../x", "/v1/secret/data/patkit/~../x"),
        ("./x", "/v1/secret/data/patkit/~./x"),
        ("trailing/", "/v1/secret/data/patkit/trailing/~"),
        ("~t/~", "/v1/secret/data/patkit/~~t/~~"),
        ("plus+tilde~", "/v1/secret/data/patkit/plus+tilde~"),
    ];
    for (name, path) in cases {
        let request = endpoint().read(name).unwrap();
        assert_eq!(request.uri().path(), path, "{name:?}");
        // Listing gives the stored segments back; decoding them gives the name back.
        let decoded: Vec<&str> =
            path.trim_start_matches("/v1/secret/data/patkit/").split('/').map(wire::decode_segment).collect();
        assert_eq!(decoded.join("/"), name);
    }
    assert_eq!(endpoint().read("").unwrap_err().kind(), StoreErrorKind::Other);
}

#[test]
fn address_mount_prefix_and_namespace_shape_the_url() {
    let endpoint = Endpoint::new(
        "https://vault.example.com/proxy/",
        VaultToken::new(TOKEN.to_owned()),
        "/kv/team/",
        "",
        Some("ns1/child"),
    )
    .unwrap();
    let request = endpoint.read("x").unwrap();
    assert_eq!(request.uri(), "https://vault.example.com/proxy/v1/kv/team/data/x");
    assert_eq!(request.headers()["x-vault-namespace"], "ns1/child");
}

#[test]
fn bad_configuration_is_refused_without_echoing_the_token() {
    let cases = [
        ("ftp://vault", "secret", "p"),
        ("not a url", "secret", "p"),
        ("https://user:pw@vault", "secret", "p"),
        ("https://vault?x=1", "secret", "p"),
        ("https://vault", "", "p"),
        ("https://vault", "secret", "a//b"),
        ("https://vault", "..", "p"),
    ];
    for (address, mount, prefix) in cases {
        let err = Endpoint::new(address, VaultToken::new(TOKEN.to_owned()), mount, prefix, None).err();
        let err = err.unwrap_or_else(|| panic!("{address} {mount} {prefix} accepted"));
        assert!(matches!(err, crate::Error::InvalidInput { .. }), "{err:?}");
        assert_no_canary(&format!("{err} {err:?}"));
    }
    let err = Endpoint::new("https://vault", VaultToken::new("bad\ntoken".to_owned()), "secret", "p", None).err();
    assert!(matches!(err, Some(crate::Error::InvalidInput { field: "token", .. })));
}

#[test]
fn write_posts_the_whole_entry_with_cas_and_without_the_revision() {
    let request = endpoint().write(entry("ci/feed"), Some(7)).unwrap();
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.uri(), "http://127.0.0.1:8200/v1/secret/data/patkit/ci/feed");
    assert_eq!(request.headers()[http::header::CONTENT_TYPE], "application/json");
    assert_eq!(Operation::of(&request), Some(VaultTokenStore::CONDITIONAL_WRITE));
    let body: Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(body["options"], json!({"cas": 7}));
    assert_eq!(body["data"]["format"], "patkit.entry");
    assert_eq!(body["data"]["version"], 3, "new writes carry the entry format version");
    assert!(body["data"].get("revision").is_none(), "the KV version is the revision");
    assert!(body["data"]["record"].get("revision").is_none());
    assert_eq!(body["data"]["secret"], SECRET);
    // What was written reads back as the same entry, at the KV version.
    let back = wire::parse_read("ci/feed", &read_answer(8, body["data"].clone())).unwrap().unwrap();
    let mut expected = record("ci/feed");
    expected.revision = 8;
    assert_eq!(back.record, expected);
    assert_eq!(back.secret.expose_secret(), SECRET);
    // The body holds the secret, but printing the request does not.
    assert_no_canary(&format!("{:?}", request.headers()));
}

#[test]
fn unconditional_write_has_no_options() {
    let request = endpoint().write(entry("a"), None).unwrap();
    assert_eq!(Operation::of(&request), Some(VaultTokenStore::WRITE), "a plain put may be repeated");
    let body: Value = serde_json::from_slice(request.body()).unwrap();
    assert!(body.get("options").is_none());
}

#[test]
fn list_read_metadata_and_delete_use_the_metadata_path() {
    let endpoint = endpoint();
    let list = endpoint.list(&["ci".to_owned()]).unwrap();
    assert_eq!(list.method().as_str(), "LIST");
    assert_eq!(list.uri(), "http://127.0.0.1:8200/v1/secret/metadata/patkit/ci");
    assert_eq!(Operation::of(&list), Some(VaultTokenStore::READ));
    let root = endpoint.list(&[]).unwrap();
    assert_eq!(root.uri(), "http://127.0.0.1:8200/v1/secret/metadata/patkit");
    let meta = endpoint.read_metadata("a/b").unwrap();
    assert_eq!(meta.method(), Method::GET);
    assert_eq!(meta.uri(), "http://127.0.0.1:8200/v1/secret/metadata/patkit/a/b");
}

#[test]
fn tombstone_and_destroy_requests() {
    let endpoint = endpoint();
    let tombstone = endpoint.write_tombstone("a/b", 4).unwrap();
    assert_eq!(tombstone.method(), Method::POST);
    assert_eq!(tombstone.uri(), "http://127.0.0.1:8200/v1/secret/data/patkit/a/b");
    assert_eq!(Operation::of(&tombstone), Some(VaultTokenStore::CONDITIONAL_WRITE));
    let body: Value = serde_json::from_slice(tombstone.body()).unwrap();
    assert_eq!(body, json!({"options": {"cas": 4}, "data": {"format": "patkit.entry", "version": 3, "removed": true}}));
    let destroy = endpoint.destroy("a/b", &[1, 2, 4]).unwrap();
    assert_eq!(destroy.method(), Method::POST);
    assert_eq!(destroy.uri(), "http://127.0.0.1:8200/v1/secret/destroy/patkit/a/b");
    assert_eq!(Operation::of(&destroy), Some(VaultTokenStore::WRITE));
    let body: Value = serde_json::from_slice(destroy.body()).unwrap();
    assert_eq!(body, json!({"versions": [1, 2, 4]}));
}

#[test]
fn tombstones_and_deleted_versions_read_as_absent() {
    let tombstone = read_answer(6, json!({"format": "patkit.v1", "removed": true}));
    assert!(wire::parse_read("a", &tombstone).unwrap().is_none());
    assert!(matches!(wire::parse_current("a", &tombstone).unwrap(), wire::Current::Absent { version: Some(6) }));
    // A version deleted outside patkit: 404 with its metadata.
    let deleted = response(
        404,
        json!({"data": {"data": null, "metadata": {"version": 3, "deletion_time": "2026-01-01T00:00:00Z"}}}),
    );
    assert!(wire::parse_read("a", &deleted).unwrap().is_none());
    assert!(matches!(wire::parse_current("a", &deleted).unwrap(), wire::Current::Deleted { version: 3 }));
    let never = response(404, json!({"errors": []}));
    assert!(matches!(wire::parse_current("a", &never).unwrap(), wire::Current::Absent { version: None }));
    let live = read_answer(2, stored_data("a"));
    assert!(matches!(wire::parse_current("a", &live).unwrap(), wire::Current::Present { version: 2 }));
    // A damaged entry is still Present, so it can be removed.
    let damaged = read_answer(7, json!({"format": "patkit.v1", "secret": 5}));
    assert_eq!(wire::parse_read("a", &damaged).unwrap_err().kind(), StoreErrorKind::Corrupt);
    assert!(matches!(wire::parse_current("a", &damaged).unwrap(), wire::Current::Present { version: 7 }));
}

#[test]
fn read_maps_the_kv_version_to_the_revision() {
    let got = wire::parse_read("ci/feed", &read_answer(3, stored_data("ci/feed"))).unwrap().unwrap();
    assert_eq!(got.record.revision, 3);
    let mut expected = record("ci/feed");
    expected.revision = 3;
    assert_eq!(got.record, expected);
    assert_eq!(got.secret.expose_secret(), SECRET);
}

#[test]
fn read_takes_the_name_from_the_path() {
    let got = wire::parse_read("moved", &read_answer(1, stored_data("original"))).unwrap().unwrap();
    assert_eq!(got.record.name, "moved");
}

#[test]
fn missing_entry_is_none_but_a_missing_mount_is_an_error() {
    assert!(wire::parse_read("a", &response(404, json!({"errors": []}))).unwrap().is_none());
    let no_mount = response(404, json!({"errors": ["no handler for route \"nope/data/a\". route entry not found."]}));
    let err = wire::parse_read("a", &no_mount).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Other);
    assert!(err.message().contains("mount"), "{err}");
}

#[test]
fn undecodable_entries_are_corrupt_and_never_quote_the_body() {
    // serde_json's own message would quote the string value it choked on.
    let mut data = stored_data("a");
    data["record"]["token"]["valid_to"] = json!(SECRET);
    let err = wire::parse_read("a", &read_answer(1, data)).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert!(err.message().contains("valid_to"), "{err}");
    assert_no_canary(&format!("{err} {err:?}"));

    let mut data = stored_data("a");
    data["format"] = json!("something-else");
    let err = wire::parse_read("a", &read_answer(1, data)).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert_no_canary(&format!("{err} {err:?}"));

    let err = wire::parse_read("a", &read_answer(1, json!({"password": SECRET}))).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt);
    assert_no_canary(&format!("{err} {err:?}"));
}

#[test]
fn write_returns_the_new_version() {
    let answer = response(200, json!({"data": {"version": 9, "created_time": "2026-01-01T00:00:00Z"}}));
    assert_eq!(wire::parse_write("a", &answer).unwrap(), 9);
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
        let err = wire::parse_write("a", &response(status, body.clone())).unwrap_err();
        assert_eq!(err.kind(), kind, "{status} {body}");
        assert!(err.message().contains(&status.to_string()), "{err}");
        assert!(err.message().contains("'a'"), "{err}");
    }
    let sealed = wire::parse_read("a", &response(503, json!({"errors": ["Vault is sealed"]}))).unwrap_err();
    assert!(sealed.message().contains("sealed"), "{sealed}");
}

#[test]
fn error_bodies_are_never_quoted() {
    let body = json!({"errors": [format!("1 error occurred: {SECRET} {TOKEN}")]});
    for status in [400, 403, 404, 500, 503] {
        let err = wire::parse_read("a", &response(status, body.clone())).err();
        if let Some(err) = err {
            assert_no_canary(&format!("{err} {err:?}"));
        }
        let err = wire::parse_write("a", &response(status, body.clone())).unwrap_err();
        assert_no_canary(&format!("{err} {err:?}"));
    }
}

#[test]
fn list_returns_keys_and_treats_a_missing_folder_as_empty() {
    let answer = response(200, json!({"data": {"keys": ["a", "ci/", "ci"]}}));
    assert_eq!(wire::parse_list("", &answer).unwrap(), ["a", "ci/", "ci"]);
    assert!(wire::parse_list("", &response(404, json!({"errors": []}))).unwrap().is_empty());
    assert_eq!(wire::parse_list("", &response(403, json!({}))).unwrap_err().kind(), StoreErrorKind::PermissionDenied);
}

#[test]
fn metadata_versions_and_destroy_answers() {
    let answer = response(200, json!({"data": {"current_version": 3, "versions": {"2": {}, "3": {}, "10": {}}}}));
    let mut versions = wire::parse_versions("a", &answer).unwrap();
    versions.sort_unstable();
    assert_eq!(versions, [2, 3, 10]);
    assert!(wire::parse_versions("a", &response(404, json!({"errors": []}))).unwrap().is_empty());
    wire::parse_destroy("a", &response(204, Value::Null)).unwrap();
    assert_eq!(
        wire::parse_destroy("a", &response(403, json!({}))).unwrap_err().kind(),
        StoreErrorKind::PermissionDenied
    );
}

#[test]
fn transport_failures_are_unavailable_and_say_a_write_may_have_landed() {
    let connect = TransportError::new(TransportErrorKind::Connect, "connection refused");
    let err = wire::transport_error(VaultTokenStore::WRITE, "a", connect);
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert!(!err.message().contains("may or may not"), "{err}");
    let timeout = TransportError::new(TransportErrorKind::Timeout, "timed out");
    let err = wire::transport_error(VaultTokenStore::WRITE, "a", timeout);
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert!(err.message().contains("may or may not"), "{err}");
    let refused = TransportError::new(TransportErrorKind::Refused, "http to a remote host");
    assert_eq!(wire::transport_error(VaultTokenStore::READ, "a", refused).kind(), StoreErrorKind::Other);
}

/// A transport that answers from a script and records what it was sent.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

fn scripted(answers: Vec<HttpResponse>) -> (Arc<dyn HttpTransport>, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let log = seen.clone();
    let transport = from_fn(move |request: HttpRequest| {
        log.lock().unwrap().push((request.method().to_string(), request.uri().path().to_owned()));
        let next = answers.lock().unwrap().next().expect("an unexpected request");
        async move { Ok(next) }
    });
    (Arc::new(transport), seen)
}

fn store(transport: Arc<dyn HttpTransport>) -> VaultTokenStore {
    VaultTokenStore::new("http://127.0.0.1:8200", VaultToken::new(TOKEN.to_owned()), transport).unwrap()
}

#[tokio::test]
async fn revision_zero_conflicts_without_a_request() {
    let (transport, seen) = scripted(vec![]);
    let err = store(transport).compare_and_swap(entry("a"), Expected::Revision(0)).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Conflict);
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn absent_writes_with_cas_zero() {
    let seen_body = Arc::new(Mutex::new(Value::Null));
    let log = seen_body.clone();
    let transport = from_fn(move |request: HttpRequest| {
        *log.lock().unwrap() = serde_json::from_slice(request.body()).unwrap();
        async { Ok(response(200, json!({"data": {"version": 1}}))) }
    });
    let revision = store(Arc::new(transport)).compare_and_swap(entry("a"), Expected::Absent).await.unwrap();
    assert_eq!(revision, 1);
    assert_eq!(seen_body.lock().unwrap()["options"], json!({"cas": 0}));
}

#[tokio::test]
async fn remove_writes_a_tombstone_then_destroys_older_versions() {
    let (transport, seen) = scripted(vec![
        read_answer(3, stored_data("a/b")),
        response(200, json!({"data": {"version": 4}})),
        response(200, json!({"data": {"versions": {"2": {}, "3": {}, "4": {}}}})),
        response(204, Value::Null),
    ]);
    assert!(store(transport).remove("a/b").await.unwrap());
    let seen = seen.lock().unwrap().clone();
    let expected = [
        ("GET", "/v1/secret/data/patkit/a/b"),
        ("POST", "/v1/secret/data/patkit/a/b"),
        ("GET", "/v1/secret/metadata/patkit/a/b"),
        ("POST", "/v1/secret/destroy/patkit/a/b"),
    ];
    let seen: Vec<(&str, &str)> = seen.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
    assert_eq!(seen, expected);

    // Already a tombstone whose older versions are destroyed: only looked at, nothing written.
    let (transport, seen) = scripted(vec![
        read_answer(6, json!({"format": "patkit.v1", "removed": true})),
        response(200, json!({"data": {"versions": {"5": {"destroyed": true}, "6": {"destroyed": false}}}})),
    ]);
    assert!(!store(transport).remove("a").await.unwrap());
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn remove_that_loses_a_race_looks_again() {
    let cas_mismatch = response(400, json!({"errors": ["check-and-set parameter did not match the current version"]}));
    let (transport, _) = scripted(vec![
        read_answer(3, stored_data("a")),
        cas_mismatch,
        read_answer(4, json!({"format": "patkit.v1", "removed": true})),
        response(200, json!({"data": {"versions": {"3": {"destroyed": true}, "4": {}}}})),
    ]);
    assert!(!store(transport).remove("a").await.unwrap());
}

#[tokio::test]
async fn insert_over_a_tombstone_checks_and_sets_against_it() {
    let cas_mismatch = response(400, json!({"errors": ["check-and-set parameter did not match the current version"]}));
    let (transport, _) = scripted(vec![
        cas_mismatch.clone(),
        read_answer(6, json!({"format": "patkit.v1", "removed": true})),
        response(200, json!({"data": {"version": 7}})),
    ]);
    assert_eq!(store(transport).compare_and_swap(entry("a"), Expected::Absent).await.unwrap(), 7);
    let someone_elses = json!({"format": "patkit.v1", "secret": "another secret",
        "record": serde_json::to_value(record("a")).unwrap()});
    let (transport, _) = scripted(vec![cas_mismatch.clone(), read_answer(2, someone_elses)]);
    let err = store(transport).compare_and_swap(entry("a"), Expected::Absent).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Conflict);
    // The answer was lost (a proxy's 502) but the entry now is exactly the one being inserted:
    // this write landed.
    let (transport, _) = scripted(vec![response(502, json!({"errors": []})), read_answer(1, stored_data("a"))]);
    assert_eq!(store(transport).compare_and_swap(entry("a"), Expected::Absent).await.unwrap(), 1);
}

#[tokio::test]
async fn list_walks_folders_decodes_names_and_skips_removed_entries() {
    let transport = from_fn(|request: HttpRequest| {
        let path = request.uri().path().to_owned();
        let method = request.method().to_string();
        async move {
            Ok(match (method.as_str(), path.as_str()) {
                ("LIST", "/v1/secret/metadata/patkit") => {
                    response(200, json!({"data": {"keys": ["z", "ci/", "gone", "dead", "~~t/"]}}))
                }
                ("LIST", "/v1/secret/metadata/patkit/ci") => response(200, json!({"data": {"keys": ["feed"]}})),
                ("LIST", "/v1/secret/metadata/patkit/~~t") => response(200, json!({"data": {"keys": ["~"]}})),
                ("GET", "/v1/secret/data/patkit/z") => read_answer(2, stored_data("z")),
                ("GET", "/v1/secret/data/patkit/ci/feed") => read_answer(5, stored_data("ci/feed")),
                ("GET", "/v1/secret/data/patkit/~~t/~") => read_answer(1, stored_data("x")),
                ("GET", "/v1/secret/data/patkit/gone") => response(404, json!({"errors": []})),
                ("GET", "/v1/secret/data/patkit/dead") => {
                    read_answer(9, json!({"format": "patkit.v1", "removed": true}))
                }
                other => panic!("unexpected request {other:?}"),
            })
        }
    });
    let records = store(Arc::new(transport)).list().await.unwrap();
    let names: Vec<_> = records.iter().map(|r| (r.name.as_str(), r.revision)).collect();
    assert_eq!(names, [("ci/feed", 5), ("z", 2), ("~t/", 1)]);
    assert_no_canary(&format!("{records:?}"));
}

#[tokio::test]
async fn errors_and_debug_never_show_the_token_or_secret() {
    let (transport, _) = scripted(vec![response(403, json!({"errors": [TOKEN]}))]);
    let store = store(transport);
    let err = store.get("a").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied);
    assert_no_canary(&format!("{err} {err:?} {store:?}"));
    let builder = VaultTokenStore::builder(
        "http://127.0.0.1:1",
        VaultToken::new(TOKEN.to_owned()),
        Arc::new(from_fn(|_| async { Err(TransportError::new(TransportErrorKind::Connect, "refused")) })),
    );
    assert_no_canary(&format!("{builder:?}"));
    let store = builder.build().unwrap();
    let err = store.put(entry("a")).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert_no_canary(&format!("{err} {err:?}"));
}

/// The committed KV v2 `data` documents written by 11596cb (entry format 1).
#[cfg(feature = "testing")]
mod format_1_fixtures {
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
            let got = wire::parse_read(name, &read_answer(5, fixture(file))).unwrap().expect(file);
            let mut record = expected.record.clone();
            record.revision = 5;
            assert_eq!(got.record, record, "{file}");
            assert_eq!(got.secret.expose_secret(), expected.secret.expose_secret(), "{file}");
        }
        let removed = read_answer(6, fixture("vault-removed.json"));
        assert!(wire::parse_read("plain", &removed).unwrap().is_none());
        assert!(matches!(wire::parse_current("plain", &removed).unwrap(), wire::Current::Absent { version: Some(6) }));
    }

    #[test]
    fn an_entry_of_a_future_format_version_is_corrupt_and_quotes_nothing() {
        let request = endpoint().write(entry("a"), None).unwrap();
        let mut data = serde_json::from_slice::<Value>(request.body()).unwrap()["data"].take();
        data["version"] = json!(4);
        let answer = read_answer(4, data);
        let err = wire::parse_read("a", &answer).unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt);
        assert!(err.message().contains("entry format version 4"), "{err}");
        assert_no_canary(&format!("{err} {err:?}"));
        // Still there, so a remove can find it; nothing treats it as absent.
        assert!(matches!(wire::parse_current("a", &answer).unwrap(), wire::Current::Present { version: 4 }));
    }
}
