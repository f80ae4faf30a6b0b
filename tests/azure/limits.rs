//! Limits of the reqwest transport, over real loopback HTTP: redirects are never followed,
//! response bodies are capped (with and without a `Content-Length`), exchanges time out, and
//! plain `http://` goes to loopback only — refused before anything is sent otherwise.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::Emulator;
use patkit::azure::operations as op;
use patkit::transport::{HttpRequest, HttpTransport, ReqwestTransport, RetryConfig, TransportErrorKind};
use patkit::{AuthFailure, Error, Scopes};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A tiny HTTP/1.1 server on loopback: for each connection it reads the request head and hands
/// the socket to `answer`. Returns its address and how many requests reached it.
async fn raw_server<F, Fut>(answer: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match socket.read(&mut byte).await {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer(socket));
        }
    });
    (addr, hits)
}

fn get(url: &str) -> HttpRequest {
    let mut request = http::Request::get(url).body(Vec::new()).unwrap();
    request.extensions_mut().insert(op::LIST);
    request
}

fn client_at(base: &str, emulator: &Emulator, transport: ReqwestTransport, retry: RetryConfig) -> AzureDevOpsClient {
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    AzureDevOpsClient::builder("fabrikam", alice.credential())
        .base_url(base)
        .transport(transport)
        .retry(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn redirects_to_a_working_service_are_never_followed() {
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let target = server.base_url();
    let client = client_at(&target, &emulator, ReqwestTransport::new().unwrap(), RetryConfig::default());
    // The target works: the same client pointed straight at it lists fine.
    client.list().page(None).await.unwrap();
    let baseline = emulator.requests_seen(op::LIST);
    assert_eq!(baseline, 1);

    for status in [301u16, 302, 303, 307, 308] {
        let location = format!("{target}/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1");
        let (redirector, hits) = raw_server(move |mut socket| {
            let location = location.clone();
            async move {
                let answer = format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        })
        .await;
        let redirected = AzureDevOpsClient::builder("fabrikam", emulator.add_user("Bob").credential())
            .base_url(format!("http://{redirector}"))
            .transport(ReqwestTransport::new().unwrap())
            .build()
            .unwrap();
        match redirected.list().page(None).await {
            Err(Error::AuthRequired { reason: AuthFailure::Redirect, .. }) => {}
            other => panic!("{status}: expected AuthRequired(Redirect), got {other:?}"),
        }
        match redirected.create("never", Scopes::parse("vso.code").unwrap()).send().await {
            Err(Error::AuthRequired { reason: AuthFailure::Redirect, .. }) => {}
            other => panic!("{status}: a redirected create must not be followed, got {other:?}"),
        }
        assert_eq!(hits.load(Ordering::SeqCst), 2, "{status}: each call reached the redirector once");
        assert_eq!(emulator.requests_seen(op::LIST), baseline, "{status}: the target was hit");
        assert_eq!(emulator.requests_seen(op::CREATE), 0, "{status}: the target was hit");

        // The transport hands the 3xx back as a response.
        let response = ReqwestTransport::new().unwrap().send(get(&format!("http://{redirector}/x"))).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
    }
    assert!(emulator.snapshot().tokens.is_empty());
    server.shutdown().await;
}

const CAP: usize = 4096;

fn capped() -> ReqwestTransport {
    ReqwestTransport::builder().max_response_bytes(CAP).build().unwrap()
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_with_or_without_a_length() {
    // Content-Length says too much: refused before the body is read.
    let (sized, _) = raw_server(|mut socket| async move {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", CAP + 1);
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&vec![b' '; CAP + 1]).await;
    })
    .await;
    let err = capped().send(get(&format!("http://{sized}/"))).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::ResponseTooLarge, "{err}");

    // Exactly the cap is fine.
    let (at_cap, _) = raw_server(|mut socket| async move {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {CAP}\r\n\r\n");
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&vec![b'x'; CAP]).await;
    })
    .await;
    assert_eq!(capped().send(get(&format!("http://{at_cap}/"))).await.unwrap().body().len(), CAP);

    // Chunked, no length, and it never ends: the cap stops the read.
    let (endless, _) = raw_server(|mut socket| async move {
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let err = capped().send(get(&format!("http://{endless}/"))).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::ResponseTooLarge, "{err}");

    // Through the client: a typed transport error, not retried.
    let client = client_at(&format!("http://{endless}"), &Emulator::new(), capped(), RetryConfig::default());
    match client.list().page(None).await {
        Err(Error::Transport(e)) => assert_eq!(e.kind(), TransportErrorKind::ResponseTooLarge),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn silent_servers_time_out() {
    let impatient = || ReqwestTransport::builder().timeout(Duration::from_millis(200)).build().unwrap();
    // Never answers at all.
    let (mute, _) = raw_server(|socket| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    })
    .await;
    let err = impatient().send(get(&format!("http://{mute}/"))).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");

    // Answers the head, then stalls in the body.
    let (stalls, _) = raw_server(|mut socket| async move {
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cont").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let err = impatient().send(get(&format!("http://{stalls}/"))).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");

    // Through the client, with retrying off: a typed timeout.
    let client = client_at(&format!("http://{mute}"), &Emulator::new(), impatient(), RetryConfig::none());
    match client.list().page(None).await {
        Err(Error::Transport(e)) => assert_eq!(e.kind(), TransportErrorKind::Timeout),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_refused_before_sending() {
    let (listener, hits) = raw_server(|mut socket| async move {
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await;
    })
    .await;
    let transport = ReqwestTransport::new().unwrap();
    // The loopback address itself is allowed…
    assert_eq!(transport.send(get(&format!("http://{listener}/"))).await.unwrap().status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // …but 0.0.0.0, which Linux would route to that same listener, is not a loopback address.
    let unspecified = format!("http://0.0.0.0:{}/", listener.port());
    let err = transport.send(get(&unspecified)).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Refused, "{err}");
    assert!(err.is_before_send());
    for url in ["http://dev.azure.com/", "ftp://127.0.0.1/"] {
        assert_eq!(transport.send(get(url)).await.unwrap_err().kind(), TransportErrorKind::Refused, "{url}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "nothing more reached the listener");
}

#[test]
fn clients_with_plain_http_to_a_non_loopback_host_are_refused_at_build() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("Alice");
    for (field, base, check) in [
        ("base_url", "http://dev.azure.com", None),
        ("base_url", "http://0.0.0.0:8080", None),
        ("base_url", "http://localhost.example.com", None),
        ("check_base_url", "https://vssps.dev.azure.com", Some("http://dev.azure.com")),
    ] {
        let mut builder = AzureDevOpsClient::builder("fabrikam", alice.credential()).base_url(base);
        if let Some(check) = check {
            builder = builder.check_base_url(check);
        }
        match builder.build() {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field, "{base}"),
            other => panic!("{base}: {other:?}"),
        }
    }
    for ok in ["http://127.0.0.1:1", "http://localhost:8080", "http://[::1]:9", "https://dev.azure.com"] {
        AzureDevOpsClient::builder("fabrikam", alice.credential()).base_url(ok).build().unwrap();
    }
}
