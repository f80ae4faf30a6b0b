//! The emulator served over loopback HTTP through a test hook: the hook sees each answered
//! request before the answer goes back to the client, so a test can change the world at an exact
//! step of a tool's flow (break its token store right after a create committed) without timing.
//! The emulator itself is not changed: this is a transport wrapper served with hyper.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use patkit::azure::emulator::Emulator;
use patkit::transport::HttpTransport as _;

/// What the hook is told about one exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: http::Method,
    pub path: String,
    pub status: u16,
}

impl Exchange {
    /// A create of a PAT that the emulator answered with a success.
    pub fn is_successful_create(&self) -> bool {
        self.method == http::Method::POST && self.path.contains("/_apis/tokens/pats") && self.status == 200
    }
}

type Hook = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// A loopback server in front of an emulator. Stops when dropped.
pub struct Interposer {
    addr: SocketAddr,
    hook: Arc<Mutex<Option<Hook>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Interposer {
    /// Serves `emulator` on a free loopback port, on the current runtime.
    pub async fn start(emulator: Emulator) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hook: Arc<Mutex<Option<Hook>>> = Arc::default();
        let slot = hook.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (emulator, slot) = (emulator.clone(), slot.clone());
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |request| handle(emulator.clone(), slot.clone(), request));
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Self { addr, hook, task }
    }

    /// `host:port`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Runs `hook` after every answered request from now on (replacing an earlier hook).
    pub fn after(&self, hook: impl Fn(&Exchange) + Send + Sync + 'static) {
        *self.hook.lock().unwrap() = Some(Arc::new(hook));
    }

    /// Breaks the file token store at `store` right after the emulator committed a create.
    pub fn break_store_after_create(&self, store: std::path::PathBuf) {
        self.after(move |exchange| {
            if exchange.is_successful_create() {
                break_file_store(&store);
            }
        });
    }
}

/// The one token the emulator holds (fails the test if there are more or none).
pub fn only_token(emulator: &Emulator) -> patkit::azure::emulator::TokenSnapshot {
    let tokens = emulator.snapshot().tokens;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    tokens.into_iter().next().unwrap()
}

impl Drop for Interposer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn handle(
    emulator: Emulator,
    slot: Arc<Mutex<Option<Hook>>>,
    request: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, BoxError> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|e| Box::new(e) as BoxError)?.to_bytes().to_vec();
    let (method, path) = (parts.method.clone(), parts.uri.path().to_owned());
    // A dropped connection (Fault::CommitThenDrop) stays dropped.
    let response = emulator.send(http::Request::from_parts(parts, body)).await.map_err(|e| Box::new(e) as BoxError)?;
    let hook = slot.lock().unwrap().clone();
    if let Some(hook) = hook {
        hook(&Exchange { method, path, status: response.status().as_u16() });
    }
    Ok(response.map(|b| Full::new(Bytes::from(b))))
}

/// Breaks the file token store at `dir` for every later write (its `entries` directory becomes
/// a plain file), while the tool that opened it is running.
pub fn break_file_store(dir: &std::path::Path) {
    let entries = dir.join("entries");
    if !entries.is_dir() {
        return; // broken already
    }
    std::fs::remove_dir_all(&entries).unwrap();
    std::fs::write(&entries, b"").unwrap();
}
