//! The request builders: paths, methods, bodies, authentication.

use super::*;

#[test]
fn read_is_a_get_of_the_data_path() {
    let request = endpoint().read("ci/nuget-feed").unwrap();
    assert_eq!(request.method(), Method::GET);
    assert_eq!(request.uri(), "http://127.0.0.1:8200/v1/secret/data/patkit/ci/nuget-feed");
    // The store adds the session's token when it sends (see tests/auth.rs).
    assert!(request.headers().get("x-vault-token").is_none());
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
    let endpoint = Endpoint::new("https://vault.example.com/proxy/", "/kv/team/", "", Some("ns1/child")).unwrap();
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
        let err = Endpoint::new(address, mount, prefix, None).err();
        let err = err.unwrap_or_else(|| panic!("{address} {mount} {prefix} accepted"));
        assert!(matches!(err, crate::Error::InvalidInput { .. }), "{err:?}");
        assert_no_canary(&format!("{err} {err:?}"));
    }
    let err = Endpoint::new("https://user:hunter2@vault", "secret", "p", None).err().unwrap().to_string();
    assert!(err.contains("must not carry credentials") && !err.contains("hunter2"), "{err}");
    let err = VaultTokenStore::new(
        "https://vault",
        VaultToken::new("bad\ntoken".to_owned()),
        Arc::new(from_fn(|_| async { Err(TransportError::new(TransportErrorKind::Other, "unused")) })),
    )
    .err();
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
    assert_eq!(body["data"]["version"], 4, "new writes carry the entry format version");
    assert!(body["data"].get("revision").is_none(), "the KV version is the revision");
    assert!(body["data"]["record"].get("revision").is_none());
    assert_eq!(body["data"]["secret"], SECRET);
    // What was written reads back as the same entry, at the KV version.
    let back = answers::parse_read("ci/feed", &read_answer(8, body["data"].clone())).unwrap().unwrap();
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
    assert_eq!(body, json!({"options": {"cas": 4}, "data": {"format": "patkit.entry", "version": 4, "removed": true}}));
    let destroy = endpoint.destroy("a/b", &[1, 2, 4]).unwrap();
    assert_eq!(destroy.method(), Method::POST);
    assert_eq!(destroy.uri(), "http://127.0.0.1:8200/v1/secret/destroy/patkit/a/b");
    assert_eq!(Operation::of(&destroy), Some(VaultTokenStore::WRITE));
    let body: Value = serde_json::from_slice(destroy.body()).unwrap();
    assert_eq!(body, json!({"versions": [1, 2, 4]}));
}
