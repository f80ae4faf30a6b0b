//! Copies of a secret that patkit makes itself are wiped before their memory is freed: the
//! `Authorization` header text, the retry decorator's held request, and the Azure CLI's output.
//!
//! How it is observed: this test binary installs a global allocator (`support/alloc_scan.rs`)
//! that, while a test thread has scanning switched on, looks through every block that thread
//! frees for the canary (and its Basic-auth base64 form) just before handing the block back to
//! the system. A block that still holds the canary when freed is a copy nobody wiped; a buffer
//! that grows counts as one too (reallocation frees the old block).
//!
//! Every test first shows that the scanner does see an unwiped copy (a plain `format!` of the
//! canary), so a pass cannot come from a scanner that sees nothing. Copies made by dependencies
//! (the `HeaderValue`'s bytes, hyper's and reqwest's buffers, serde_json's scratch space) are out
//! of patkit's reach and are kept alive past the scanned window where a test holds them.
#![cfg(unix)]

#[path = "support/alloc_scan.rs"]
mod alloc_scan;
mod fake_az;

use alloc_scan::{CANARY, assert_the_scanner_sees_unwiped_copies, unwiped_frees};

use patkit::auth::{AccessCredential, Credential as _};
use patkit::azure::operations as op;
use patkit::transport::{HttpTransport as _, Operation, RetryConfig, RetryTransport, from_fn};
use patkit::{BearerToken, PatSecret};
use zeroize::Zeroize as _;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn authorization_header_texts_are_wiped() {
    assert_the_scanner_sees_unwiped_copies();
    let bearer = BearerToken::new(CANARY.to_owned());
    let (header, unwiped) = unwiped_frees(|| bearer.bearer_authorization());
    assert_eq!(unwiped, 0, "the text of the Bearer header was freed unwiped");
    assert_eq!(header.to_str().unwrap(), format!("Bearer {CANARY}"));

    let pat = PatSecret::new(CANARY.to_owned());
    let (header, unwiped) = unwiped_frees(|| pat.basic_authorization());
    assert_eq!(unwiped, 0, "a text of the Basic header was freed unwiped");
    assert!(header.to_str().unwrap().starts_with("Basic "));
}

#[test]
fn the_retry_decorator_wipes_the_request_it_held() {
    assert_the_scanner_sees_unwiped_copies();
    let runtime = runtime();
    // The inner transport wipes what it is given, so whatever is found is the decorator's.
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = attempts.clone();
    let inner = from_fn(move |mut request: http::Request<Vec<u8>>| {
        let attempt = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        request.body_mut().zeroize();
        async move { Ok(http::Response::builder().status(if attempt == 0 { 503 } else { 200 }).body(Vec::new()).unwrap()) }
    });
    let config = RetryConfig {
        backoff: patkit::transport::BackoffConfig {
            initial: std::time::Duration::from_millis(1),
            ..Default::default()
        },
        ..RetryConfig::default()
    };
    let retry = RetryTransport::new(inner, config);
    for operation in [Operation::idempotent("store_write"), op::CREATE] {
        let mut request = http::Request::put("https://vault.example/v1/kv/data/x")
            .body(format!(r#"{{"data":{{"secret":"{CANARY}"}}}}"#).into_bytes())
            .unwrap();
        request.extensions_mut().insert(operation);
        let (response, unwiped) = unwiped_frees(|| runtime.block_on(retry.send(request)));
        assert_eq!(unwiped, 0, "{operation:?}: a copy of the request body was freed unwiped");
        assert_eq!(response.unwrap().status(), 200);
    }
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 3, "the write was retried once");
}

#[test]
fn the_azure_cli_output_is_wiped() {
    assert_the_scanner_sees_unwiped_copies();
    let runtime = runtime();
    let fake = fake_az::FakeAz::new(&format!(
        r#"printf '{{"accessToken": "{CANARY}", "expiresOn": "2000-01-01 00:00:00.000000", "expires_on": 4102444800, "subscription": "s", "tenant": "t", "tokenType": "Bearer"}}\n'"#
    ));
    let credential = fake.credential();
    let (token, unwiped) = unwiped_frees(|| runtime.block_on(credential.credential()));
    assert_eq!(unwiped, 0, "a copy of az's output or of the token in it was freed unwiped");
    match token.unwrap() {
        AccessCredential::Bearer(token) => assert_eq!(token.expose_secret(), CANARY),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_reqwest_transport_grows_a_response_buffer_without_leaving_copies() {
    use std::io::{BufRead as _, Write as _};
    assert_the_scanner_sees_unwiped_copies();
    // A loopback server that answers with a chunked body, the canary in its first chunk, the
    // chunks written apart so the transport receives them one by one and grows its buffer.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").unwrap();
        let first = format!("{{\"token\":\"{CANARY}\",\"padding\":\"");
        let chunks = std::iter::once(first).chain((0..20).map(|_| "x".repeat(100))).chain(["\"}".to_owned()]);
        for chunk in chunks {
            stream.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).unwrap();
            stream.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        stream.write_all(b"0\r\n\r\n").unwrap();
        // Keep the connection (and the client's read buffer with it) open until told.
        let _ = reader.read_line(&mut line);
    });
    let runtime = runtime();
    let transport = patkit::transport::ReqwestTransport::new().unwrap();
    let request = http::Request::get(format!("http://{addr}/")).body(Vec::new()).unwrap();
    let (response, unwiped) = unwiped_frees(|| runtime.block_on(transport.send(request)));
    let body = response.unwrap().into_body();
    assert!(body.starts_with(format!("{{\"token\":\"{CANARY}\"").as_bytes()), "the whole body arrived");
    assert_eq!(body.len(), format!("{{\"token\":\"{CANARY}\",\"padding\":\"").len() + 20 * 100 + 2);
    assert_eq!(unwiped, 0, "the transport's response buffer left a copy when it grew");
    drop(transport);
    drop(runtime);
    server.join().unwrap();
}
