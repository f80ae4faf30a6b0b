//! The store's flows over a scripted transport: conditional writes, removal, listing.

use super::*;

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
