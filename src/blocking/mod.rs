//! The blocking API (feature `blocking`): the providers, admin access, stores and lifecycle
//! flows for scripts and programs that are not async, in the spirit of `reqwest::blocking`.
//!
//! Make one [`Runtime`] and hand it to the wrappers: [`Provider`] (any [`PatProvider`]: every
//! provider's client), [`Admin`] (any [`PatAdmin`]), [`Store`] (any [`TokenStore`]), and the flows
//! [`Scan`], [`Rotator`], [`Offboarding`], [`mint_and_store`] and [`recover`]. The wrappers are
//! generic over the seams, so a provider of your own works the same way. The flows take the async
//! flow values, set up with their builders (nothing in their builders is async), so every option
//! exists once. Anything else async — a provider client's own operations, an async store
//! constructor — runs with [`Runtime::block_on`].
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use patkit::azure::AzureDevOpsClient;
//! use patkit::azure::emulator::Emulator;
//! use patkit::blocking::{self, Provider, Runtime, Store};
//! use patkit::store::InMemoryTokenStore;
//! use patkit::{PatSpec, Scopes, SystemClock};
//!
//! let emulator = Emulator::new();
//! emulator.add_organization("fabrikam");
//! let alice = emulator.add_user("Alice");
//! let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
//!
//! // No async anywhere: one runtime, shared by every wrapper.
//! let runtime = Runtime::new()?;
//! let provider = Provider::new(&runtime, client);
//! let store = Store::new(&runtime, InMemoryTokenStore::new());
//! let spec = PatSpec::new("ci feed", Scopes::parse("vso.packaging")?);
//! let stored = blocking::mint_and_store(&provider, &store, spec, "ci/feed", &SystemClock)?;
//! assert!(provider.check_pat(&stored.secret)?);
//! # }
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```
//!
//! # Why an owned current-thread runtime
//!
//! `reqwest::blocking` runs a runtime on a background thread and ships each request there and its
//! answer back, so its futures must be `Send + 'static`. patkit's calls borrow their arguments
//! (`&PatId`, `&ListQuery`, a `&dyn ScanSink`) and hold `Arc`s, and a script makes one call at a
//! time; so [`Runtime::new`] owns a tokio *current-thread* runtime and each call runs on the
//! calling thread inside tokio's `block_on`. No thread is started, nothing needs `'static`, and
//! it needs only tokio's `rt` feature, which patkit already depends on. Threads that call at the
//! same time take turns driving I/O (tokio's current-thread `block_on` allows concurrent
//! callers). Tasks spawned on it (a connection pool's) run only while some call is in
//! progress, which is all a call needs. A program that already has a multi-thread tokio runtime
//! can have its threads use that one instead: [`Runtime::borrow_current`].
//!
//! # Calling from async code
//!
//! reqwest's blocking client panics when used inside a runtime. patkit returns
//! [`Error::InsideAsyncRuntime`](crate::Error::InsideAsyncRuntime) instead and does nothing:
//! every blocking method checks whether a tokio runtime is current on the thread first, so the
//! mistake is a typed error the caller can report, not a panic from inside tokio (or, on a
//! single-threaded runtime, a deadlock). The check cannot tell a `spawn_blocking` closure from
//! async code, so blocking calls are refused there too; in async code use the async API.
//!
//! # Secrets
//!
//! The wrappers return the same types as the async API (`CreatedPat`, `StoredPat`, `PatSecret`),
//! so secrets stay in the same redacting wrappers, and the wrappers' own `Debug` shows the
//! runtime's kind and the inner value's `Debug`, which never holds a secret.
//!
//! [`PatProvider`]: crate::PatProvider
//! [`PatAdmin`]: crate::PatAdmin
//! [`TokenStore`]: crate::TokenStore

mod admin;
mod mint;
mod offboard;
mod provider;
mod rotate;
mod runtime;
mod scan;
mod store;

pub use admin::Admin;
pub use mint::{mint_and_store, recover};
pub use offboard::Offboarding;
pub use provider::Provider;
pub use rotate::Rotator;
pub use runtime::Runtime;
pub use scan::Scan;
pub use store::Store;
