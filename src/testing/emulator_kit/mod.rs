//! The toolkit every provider's emulator is built on (feature `emulator`).
//!
//! **Not semver-stable**, like the rest of [`testing`](crate::testing).
//!
//! An emulator is a faithful in-memory model of one service. What is the same for every service
//! lives here, so each provider's emulator only writes down its own service's facts:
//!
//! - [`EmulatedService`] + [`Outcome`]: one request in, an answer or a dropped connection out;
//!   [`Outcome::into_result`] turns it into what an in-process
//!   [`HttpTransport`](crate::transport::HttpTransport) returns.
//! - [`serve`] / [`LoopbackServer`]: the same service over loopback HTTP/1.1 (hyper on tokio), for
//!   end-to-end tests and for people trying the crate.
//! - [`FaultRule`] / [`Fault`] / [`Schedule`] / [`FaultPlan`]: scripted latency, throttling,
//!   5xx and "committed, then the connection dropped", matched by operation *name*.
//! - [`Throttle`]: a per-caller budget over a sliding or fixed window (off by default; one
//!   switch, [`Harness::set_throttle`]), whose [`Verdict`]s (serve, hold, refuse) and
//!   [`Standing`] each emulator renders in its service's rate-limit headers.
//! - [`RequestLog`]: how many requests of each operation arrived (faulted ones included).
//! - [`Harness`]: the injected [`Clock`](crate::Clock), the fault plan and the request log behind
//!   one lock-free-to-use handle, with [`Harness::admit`] doing the per-request bookkeeping
//!   (count, decide the faults, sleep the latency).
//!
//! Nothing here knows a provider: the emulator names each request's operation from the path and
//! method alone (never from the client's tag, so the emulator cannot agree with a client by
//! construction), renders the chosen [`Fault`] in its service's error shape, and keeps its own
//! state and inspection types.
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use http::StatusCode;
//! use patkit::testing::emulator_kit::{EmulatedService, Fault, FaultRule, Harness, Outcome};
//! use patkit::transport::{HttpRequest, Operation};
//!
//! /// A one-endpoint service: `GET /ping` answers 204.
//! #[derive(Debug, Clone)]
//! struct Ping(Arc<Harness>);
//!
//! #[async_trait]
//! impl EmulatedService for Ping {
//!     async fn dispatch(&self, request: HttpRequest) -> Outcome {
//!         let operation = (request.uri().path() == "/ping").then_some("ping");
//!         let decision = self.0.admit(operation).await;
//!         let status = match decision.action {
//!             Some(Fault::ServerError { status }) => StatusCode::from_u16(status).unwrap(),
//!             Some(Fault::CommitThenDrop) => return Outcome::Drop,
//!             _ if operation.is_some() => StatusCode::NO_CONTENT,
//!             _ => StatusCode::NOT_FOUND,
//!         };
//!         let mut response = http::Response::new(Vec::new());
//!         *response.status_mut() = status;
//!         Outcome::Respond(response)
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let ping = Ping(Arc::new(Harness::new(Arc::new(patkit::SystemClock))));
//! ping.0.inject(FaultRule::new(Operation::idempotent("ping"), Fault::ServerError { status: 503 }));
//! let server = patkit::testing::emulator_kit::serve(ping.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
//! let request = || http::Request::get(format!("{}/ping", server.base_url())).body(Vec::new()).unwrap();
//! let first = ping.dispatch(request()).await.into_result().unwrap();
//! let second = ping.dispatch(request()).await.into_result().unwrap();
//! assert_eq!((first.status(), second.status()), (StatusCode::SERVICE_UNAVAILABLE, StatusCode::NO_CONTENT));
//! assert_eq!(ping.0.requests_seen("ping"), 2);
//! server.shutdown().await;
//! # });
//! ```

mod faults;
mod harness;
pub(crate) mod listing;
mod log;
pub(crate) mod path;
mod server;
mod throttle;

use async_trait::async_trait;

use crate::transport::{HttpRequest, HttpResponse, TransportError, TransportErrorKind};

pub use faults::{Decision, Fault, FaultPlan, FaultRule, Schedule};
pub use harness::Harness;
pub use log::RequestLog;
pub use server::{LoopbackServer, serve};
pub use throttle::{Admission, Standing, Throttle, ThrottleStats, Verdict, Window};

/// What becomes of one request.
#[derive(Debug)]
pub enum Outcome {
    /// Answer it.
    Respond(HttpResponse),
    /// The request was acted on; break the connection without answering
    /// ([`Fault::CommitThenDrop`]).
    Drop,
}

impl Outcome {
    /// What an in-process transport returns: the response, or for [`Outcome::Drop`] a
    /// [`TransportError`] of kind [`Interrupted`](TransportErrorKind::Interrupted) (the request
    /// was applied and the answer lost).
    ///
    /// # Errors
    ///
    /// For [`Outcome::Drop`].
    pub fn into_result(self) -> Result<HttpResponse, TransportError> {
        match self {
            Self::Respond(response) => Ok(response),
            Self::Drop => Err(TransportError::new(
                TransportErrorKind::Interrupted,
                "the emulator dropped the connection after applying the request",
            )),
        }
    }
}

/// One emulated service: takes a request, answers it (or drops the connection). Cheap to clone
/// (clones share one state), since every loopback connection holds one.
#[async_trait]
pub trait EmulatedService: Clone + Send + Sync + 'static {
    /// Runs one request through the service. Scheme and host are the caller's business; the
    /// path, method, headers and body decide.
    async fn dispatch(&self, request: HttpRequest) -> Outcome;
}
