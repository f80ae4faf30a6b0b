//! Serving an emulator over loopback HTTP/1.1 with hyper, on tokio.

use std::fmt;
use std::net::SocketAddr;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming as Body};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::{EmulatedService, Outcome};

/// Largest request body the server reads (PAT bodies are tiny).
const MAX_BODY: usize = 1024 * 1024;

/// A running emulator server, from [`serve`]. Stops gracefully on [`shutdown`](Self::shutdown)
/// or when dropped.
pub struct LoopbackServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for LoopbackServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl LoopbackServer {
    /// The address it listens on (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`, the base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish, closes idle connections, and
    /// waits until all of that is done.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LoopbackServer {
    /// Signals the same graceful stop without waiting for it.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Serves `service` on `addr` (port 0 picks a free port), on the current tokio runtime. Each
/// connection is served on its own task, so concurrent clients are fine. Request bodies over
/// 1 MiB get 413 without reaching the service; [`Outcome::Drop`] closes the connection without
/// an answer.
///
/// # Errors
///
/// When `addr` cannot be bound.
pub async fn serve<S: EmulatedService>(service: S, addr: SocketAddr) -> std::io::Result<LoopbackServer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, service, stopped));
    Ok(LoopbackServer { addr, stop, task: Some(task) })
}

async fn serve_http<S: EmulatedService>(
    service: &S,
    request: http::Request<Body>,
) -> Result<http::Response<Full<Bytes>>, DroppedConnection> {
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            let mut r = http::Response::new(Full::new(Bytes::new()));
            *r.status_mut() = http::StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(r);
        }
    };
    match service.dispatch(http::Request::from_parts(parts, bytes)).await {
        Outcome::Respond(response) => Ok(response.map(|b| Full::new(Bytes::from(b)))),
        Outcome::Drop => Err(DroppedConnection),
    }
}

/// Returned to hyper to make it close the connection without answering.
#[derive(Debug)]
struct DroppedConnection;

impl fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose (Fault::CommitThenDrop)")
    }
}

impl std::error::Error for DroppedConnection {}

async fn accept_loop<S: EmulatedService>(listener: TcpListener, service: S, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, service.clone(), stopped.clone()));
                }
                Err(e) => tracing::warn!(error = %e, "patkit emulator: accept failed"),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection<S: EmulatedService>(stream: TcpStream, service: S, mut stopped: watch::Receiver<bool>) {
    let service = service_fn(move |request| {
        let service = service.clone();
        async move { serve_http(&service, request).await }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped.changed() => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

#[cfg(all(test, feature = "reqwest"))]
mod tests {
    use async_trait::async_trait;
    use http::StatusCode;

    use super::*;
    use crate::transport::{HttpRequest, HttpTransport, ReqwestTransport, TransportErrorKind};

    /// Answers `/drop` by dropping the connection, anything else with 200 and the body's length.
    #[derive(Debug, Clone)]
    struct Echo;

    #[async_trait]
    impl EmulatedService for Echo {
        async fn dispatch(&self, request: HttpRequest) -> Outcome {
            if request.uri().path() == "/drop" {
                return Outcome::Drop;
            }
            Outcome::Respond(http::Response::new(request.body().len().to_string().into_bytes()))
        }
    }

    fn post(base: &str, path: &str, body: Vec<u8>) -> HttpRequest {
        http::Request::post(format!("{base}{path}")).body(body).unwrap()
    }

    #[tokio::test]
    async fn answers_drops_and_refuses_oversized_bodies_over_real_loopback_http() {
        let server = serve(Echo, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = server.base_url();
        let client = ReqwestTransport::new().unwrap();

        let answer = client.send(post(&base, "/echo", b"four".to_vec())).await.unwrap();
        assert_eq!((answer.status(), answer.body().as_slice()), (StatusCode::OK, &b"4"[..]));

        let dropped = client.send(post(&base, "/drop", Vec::new())).await.unwrap_err();
        assert_ne!(dropped.kind(), TransportErrorKind::Connect, "the request was sent: {dropped}");

        let too_big = client.send(post(&base, "/echo", vec![b'x'; MAX_BODY + 1])).await.unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);

        server.shutdown().await;
        let after = client.send(post(&base, "/echo", Vec::new())).await.unwrap_err();
        assert_eq!(after.kind(), TransportErrorKind::Connect, "nothing listens after shutdown");
    }
}
